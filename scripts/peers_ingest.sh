#!/usr/bin/env bash
# Hypatia's ingest side by side with the Python stack a lab would write (issue 19, part 3): the
# same files, the same model file and ONNX Runtime version (PyPI onnxruntime 1.24.4, as in
# .hypatia/onnxruntime/), with tantivy-py, hnswlib and pyoxigraph in a venv this script creates
# in ~/.cache/hypatia/peers-venv (reused while the pinned packages are unchanged). Runs
# benches/peers/compare.py: per dataset, `hypatia ingest` and benches/peers/ingest_stack.py as
# child processes (wall time, peak RSS, passages/s), then the RDF load alone (the quads Hypatia
# wrote: pyoxigraph bulk_load against Hypatia's write endpoints). Not part of CI.
#
#   bash scripts/peers_ingest.sh
#   HYPATIA_BENCH_LIMIT=200 HYPATIA_JATS_LIMIT=10 bash scripts/peers_ingest.sh   # a short run
#
#   HYPATIA_BIN=path         use this binary instead of building one (no cargo then)
#   HYPATIA_SCIFACT=dir      the BEIR folder with corpus.jsonl (default ../shared/data/scifact)
#   HYPATIA_BENCH_LIMIT=N    the first N SciFact documents only
#   HYPATIA_JATS=dir         the JATS full texts (default: the PLOS starter corpus under
#                            ../shared/data/papers/jats-plos, see its SOURCES.txt)
#   HYPATIA_JATS_LIMIT=N     the first N JATS files only (by name)
#   PEERS_THREADS=N          model threads on both sides (default 2)
#   PEERS_KEEP=dir           keep the inputs, stores and logs in this folder
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

venv="$HOME/.cache/hypatia/peers-venv"
packages=(onnxruntime==1.24.4 tokenizers numpy tantivy hnswlib pyoxigraph)
key=$(printf '%s\n' "${packages[@]}" | sha256sum | cut -c1-16)
source scripts/venv.sh
venv_with "$venv" "$key" "${packages[@]}" # hnswlib compiles from source: about a minute

source scripts/serve.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
private_bin "$tmp"

work="${PEERS_KEEP:-$tmp/work}"
mkdir -p "$work/input/scifact" "$work/input/jats"
scifact="${HYPATIA_SCIFACT:-../shared/data/scifact}"
jats="${HYPATIA_JATS:-../shared/data/papers/jats-plos/allofplos/starter_corpus}"
# Both sides read the same copies: the first N SciFact lines, links to the first N JATS files.
if [ -n "${HYPATIA_BENCH_LIMIT:-}" ]; then
  awk -v n="$HYPATIA_BENCH_LIMIT" 'NF && c++ < n' "$scifact/corpus.jsonl" >"$work/input/scifact/corpus.jsonl"
else
  cp "$scifact/corpus.jsonl" "$work/input/scifact/corpus.jsonl"
fi
find "$(cd "$jats" && pwd)" -maxdepth 1 -type f \( -name '*.xml' -o -name '*.nxml' \) | sort |
  awk -v n="${HYPATIA_JATS_LIMIT:-0}" 'n == 0 || NR <= n' | while read -r f; do ln -sf "$f" "$work/input/jats/"; done

ort=("$root"/.hypatia/onnxruntime/libonnxruntime.so.*)
echo "== peers_ingest: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); hypatia $("$bin" --version | cut -d' ' -f2), $("$venv/bin/python" -c 'import onnxruntime, tantivy, hnswlib, pyoxigraph, importlib.metadata as m; print(", ".join(p + " " + m.version(p) for p in ("onnxruntime", "tantivy", "hnswlib", "pyoxigraph")))')"
"$venv/bin/python" benches/peers/compare.py \
  --bin "$bin" \
  --model-dir "$root/.hypatia/models/all-MiniLM-L6-v2" \
  --ort-library "${ort[0]}" \
  --threads "${PEERS_THREADS:-2}" \
  --scifact "$work/input/scifact/corpus.jsonl" \
  --jats "$work/input/jats" \
  --work "$work/run"
