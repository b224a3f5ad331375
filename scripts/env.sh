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

# The shared target directory must not fill the disk (it did once, and CI failed on "No space
# left on device"). When less than 20 GB is free, drop what cargo rebuilds cheaply: incremental
# caches, and test/bench executables superseded by a newer build of the same target. If that is
# not enough, stop here and say so rather than fail halfway through a build.
_hypatia_free_gb() { df -Pk "$CARGO_TARGET_DIR" | awk 'NR == 2 {print int($4 / 1048576)}'; }
if [ "$(_hypatia_free_gb)" -lt 20 ]; then
  echo "env: $(_hypatia_free_gb) GB free for $CARGO_TARGET_DIR; pruning stale build artifacts" >&2
  rm -rf "$CARGO_TARGET_DIR"/debug/incremental "$CARGO_TARGET_DIR"/release/incremental
  for _d in "$CARGO_TARGET_DIR"/debug/deps "$CARGO_TARGET_DIR"/debug/examples; do
    [ -d "$_d" ] || continue
    # Newest first; every later executable with the same name before its hash is stale.
    find "$_d" -maxdepth 1 -type f -perm -u+x ! -name '*.*' -printf '%T@ %p\n' | sort -rn |
      awk '{n = $2; sub(/.*\//, "", n); sub(/-[0-9a-f]+$/, "", n); if (seen[n]++) print $2}' |
      xargs -r rm -f
  done
  echo "env: $(_hypatia_free_gb) GB free after pruning" >&2
fi
if [ "$(_hypatia_free_gb)" -lt 6 ]; then
  echo "env: only $(_hypatia_free_gb) GB free on the disk of $CARGO_TARGET_DIR; a build and test run needs about 10 GB" >&2
  return 1 2>/dev/null || exit 1
fi

# Say what the first build costs before it starts: RocksDB's C++ (oxrocksdb-sys) compiles once
# per target directory, and check builds (clippy) reuse its build script's output.
if ! ls "$CARGO_TARGET_DIR"/debug/deps/liboxrocksdb_sys-*.rlib >/dev/null 2>&1; then
  echo "env: first build in $CARGO_TARGET_DIR: RocksDB's C++ compiles once, about 30 minutes on 2 cores; later builds take a minute or two" >&2
fi
