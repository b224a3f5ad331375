# Sourced by the other scripts: one cargo target directory that survives between runs on a
# machine (RocksDB alone takes ~30 minutes to build on 2 cores).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hypatia/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
