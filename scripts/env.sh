# Sourced by the other scripts: one cargo target directory that survives between runs on a
# machine (RocksDB alone takes ~30 minutes to build on 2 cores).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hypatia/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# Artifacts of our own crates in the shared target directory do not record which checkout they
# were built from, but they bake its path in (CARGO_MANIFEST_DIR, used to find fixtures and
# .hypatia/). When this checkout is not the one that built last, make our crates stale; the
# dependencies (RocksDB included) stay built.
_hypatia_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$CARGO_TARGET_DIR"
if [ "$(cat "$CARGO_TARGET_DIR/.hypatia-checkout" 2>/dev/null)" != "$_hypatia_root" ]; then
  touch "$_hypatia_root"/src/lib.rs "$_hypatia_root"/src/main.rs "$_hypatia_root"/ingest/src/lib.rs \
    "$_hypatia_root"/tests/integration.rs "$_hypatia_root"/benches/*.rs
  printf '%s\n' "$_hypatia_root" > "$CARGO_TARGET_DIR/.hypatia-checkout"
fi
