#!/usr/bin/env bash
# Trains the learned extractor's heads from scratch and writes extract/models/scierc-heads.bin:
#   bash scripts/train-extractor.sh            (SciERC from ../shared/data/extraction/scierc)
#   HYPATIA_SCIERC=/path/to/scierc bash scripts/train-extractor.sh
# 1. examples/scierc_states.rs runs the embedding model (as ingest runs it) over SciERC's train
#    and dev windows and writes their token states;
# 2. scripts/train_extractor.py (numpy, in a venv this script makes) trains on train, chooses the
#    epoch and thresholds on dev, and writes the heads in f16 with the dev figures in the header.
# Deterministic for the same inputs (seeded). About 15 minutes on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/env.sh
scierc="${HYPATIA_SCIERC:-$root/../shared/data/extraction/scierc}"
[ -f "$scierc/train.json" ] && [ -f "$scierc/dev.json" ] || { echo "no SciERC train.json/dev.json in $scierc" >&2; exit 1; }
venv="${HYPATIA_TRAIN_VENV:-$HOME/.cache/hypatia/train-venv}"
if ! "$venv/bin/python" -c "import numpy" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "numpy>=2,<3"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --locked --example scierc_states
"${CARGO_TARGET_DIR:-$root/target}/debug/examples/scierc_states" "$scierc" "$work"
"$venv/bin/python" scripts/train_extractor.py --scierc "$scierc" --states "$work" --out extract/models/scierc-heads.bin "$@"
