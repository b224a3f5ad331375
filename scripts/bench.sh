#!/usr/bin/env bash
# Runs one bench binary (benches/NAME.rs) built in the shared dev profile: `cargo bench` would
# build everything again in target/release, RocksDB included (~30 minutes on 2 cores).
#   bash scripts/bench.sh ingest_scifact
#   HYPATIA_TORTURE_TRIALS=50 bash scripts/bench.sh torture
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/env.sh
name="${1:?usage: scripts/bench.sh NAME [ARGS...]}"
shift
exe=$(cargo build --workspace --all-targets --locked --message-format=json 2>/dev/null \
  | python3 -c "import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get('reason') == 'compiler-artifact' and m['target']['name'] == '$name' and 'bench' in m['target']['kind'] and m.get('executable'):
        print(m['executable'])")
[ -n "$exe" ] || { echo "no bench named $name" >&2; exit 1; }
exec "$exe" "$@"
