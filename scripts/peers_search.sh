#!/usr/bin/env bash
# Hypatia's SPARQL and hybrid search side by side with what users would pick instead (issue 20,
# item 4), in one run on one machine, from a venv this script creates in
# ~/.cache/hypatia/peers-search-venv (pinned PyPI packages; reused while the pins are unchanged).
# Runs benches/peers/search_compare.py:
#
# - SPARQL: the quads of two `hypatia ingest`s (SciFact abstracts; OpenAlex works, arXiv
#   metadata, PLOS JATS full texts and the bundled ACL/TEI citation fixtures, for authors, years,
#   references and subjects), exported and renamed out of ingest's graphs as compare.py does,
#   plus a seeded BSBM-shaped dataset (benches/peers/bsbm_data.py), loaded into a fresh Hypatia
#   store by `hypatia load` and into a fresh Oxigraph store by `oxigraph load` (PyPI oxigraph, the
#   oxigraph version Hypatia links); then fourteen paper-graph queries and BSBM's twelve explore
#   queries through Hypatia's `/sparql` and `oxigraph serve --union-default-graph`,
#   warmed up and timed over HTTP with one keep-alive client, result counts compared.
# - Hybrid search on SciFact (training claims as queries, document-level judgements): Hypatia's
#   `/search?mode=hybrid` over HTTP, LanceDB's hybrid query, tantivy-py + hnswlib with RRF; the
#   peers index Hypatia's own passages with vectors from the same ONNX model file; query
#   embedding inside every timed call. p50 / p99 ms and nDCG@10, with ratios to Hypatia.
#
# Not part of CI. Prints the load average at the start: other work on the machine skews both sides.
# The full run took 59 minutes on 2 cores shared with builds (load 4-9): the SciFact ingest 18 min,
# the peers' Python embedding of the same 14,435 passages 23 min.
#
#   bash scripts/peers_search.sh                                               # the full run
#   PEERS_CORPUS_LIMIT=300 PEERS_QUERY_LIMIT=50 PEERS_REPEAT=5 PEERS_BSBM_PRODUCTS=500 \
#     PEERS_JATS_LIMIT=3 bash scripts/peers_search.sh                          # a short run
#
#   HYPATIA_BIN=path        use this binary instead of building one (no cargo then); copied first
#   PEERS_QUERY_LIMIT=N     the first N judged SciFact claims only (default: all 809)
#   PEERS_REPEAT=N          timed runs of each SPARQL query per server (default 20; 2 warm-up runs)
#   PEERS_BSBM_PRODUCTS=N   products of the BSBM-shaped dataset (default 10000: ~3.4 M quads)
#   PEERS_CORPUS_LIMIT=N    the first N SciFact documents only (default: all 5,183)
#   PEERS_JATS_LIMIT=N      PLOS JATS files in the paper sample (default 20, by name)
#   PEERS_K=N               passages each search returns (default 30, enough for 10 documents)
#   PEERS_DEPTH=N           candidates per retriever the peers fuse (default 100)
#   PEERS_THREADS=N         model threads for ingest and the peers' bulk embedding (default 2)
#   PEERS_PARTS=LIST        sparql,search (default both)
#   PEERS_OXIGRAPH_MODE=M   serve (default) or serve-read-only, the Oxigraph server command
#   PEERS_KEEP=dir          keep the inputs, stores and logs in this folder; a later run with the
#                           same folder reuses the finished ingests (whatever limits made them;
#                           delete run/hypatia-*.done to redo one) and cached passage vectors
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

venv="$HOME/.cache/hypatia/peers-search-venv"
packages=(onnxruntime==1.24.4 tokenizers==0.23.3 numpy==2.4.6 tantivy==0.27.0 hnswlib==0.8.0
  pyoxigraph==0.5.13 oxigraph==0.5.13 lancedb==0.40.0 pyarrow==26.0.1)
key=$(printf '%s\n' "${packages[@]}" | sha256sum | cut -c1-16)
source scripts/venv.sh
venv_with "$venv" "$key" "${packages[@]}"

source scripts/serve.sh
tmp=$(mktemp -d)
# search_compare.py stops its servers itself; the pids it writes here are stopped again in case it
# was killed before it could.
pid_file="$tmp/servers.pids"
cleanup() {
  if [ -f "$pid_file" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$pid_file"
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
private_bin "$tmp"

work="${PEERS_KEEP:-$tmp/work}"
mkdir -p "$work/input/scifact" "$work/input/papers"
scifact=../shared/data/scifact
papers=../shared/data/papers
for f in "$scifact/corpus.jsonl" "$scifact/queries-train.jsonl" "$scifact/qrels-train.tsv" \
  "$papers/openalex/openalex_works_tu9_410.json" "$papers/arxiv-metadata/arxiv-metadata-oai-snapshot.head200.jsonl" \
  ../shared/data/sparql/benchmarks/bsbm/titlewords.txt ../shared/data/sparql/benchmarks/bsbm/queries/explore/query1.txt; do
  [ -f "$f" ] || { echo "peers_search: $f is missing" >&2; exit 1; }
done
# The SciFact input must sit in a folder named scifact: the BEIR parser names the collection of
# corpus ids after it.
if [ -n "${PEERS_CORPUS_LIMIT:-}" ]; then
  awk -v n="$PEERS_CORPUS_LIMIT" 'NF && c++ < n' "$scifact/corpus.jsonl" >"$work/input/scifact/corpus.jsonl"
else
  cp "$scifact/corpus.jsonl" "$work/input/scifact/corpus.jsonl"
fi
# The paper sample: links, so that ingest reads the shared files themselves.
rm -rf "$work/input/papers" && mkdir -p "$work/input/papers/jats"
ln -s "$(cd "$papers" && pwd)/openalex/openalex_works_tu9_410.json" "$work/input/papers/"
ln -s "$(cd "$papers" && pwd)/arxiv-metadata/arxiv-metadata-oai-snapshot.head200.jsonl" "$work/input/papers/"
for f in tests/fixtures/citations/N18.sample.xml tests/fixtures/citations/N16.sample.xml tests/fixtures/papers/tei/N18-3011.tei.xml; do
  ln -s "$root/$f" "$work/input/papers/"
done
find "$(cd "$papers/jats-plos/allofplos/starter_corpus" && pwd)" -maxdepth 1 -type f -name '*.xml' | sort |
  head -n "${PEERS_JATS_LIMIT:-20}" | while read -r f; do ln -s "$f" "$work/input/papers/jats/"; done

ort=("$root"/.hypatia/onnxruntime/libonnxruntime.so.*)
[ -f "${ort[0]}" ] || { echo "peers_search: no ONNX Runtime under .hypatia/onnxruntime; run bash scripts/setup.sh" >&2; exit 1; }
echo "== peers_search: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); hypatia $("$bin" --version | cut -d' ' -f2) (${HYPATIA_BIN:-built by cargo}); $("$venv/bin/python" -c 'import importlib.metadata as m; print(", ".join(p + " " + m.version(p) for p in ("oxigraph", "lancedb", "tantivy", "hnswlib", "onnxruntime")))')"
PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" benches/peers/search_compare.py \
  --bin "$bin" \
  --oxigraph "$venv/bin/oxigraph" \
  --model-dir "$root/.hypatia/models/all-MiniLM-L6-v2" \
  --ort-library "${ort[0]}" \
  --threads "${PEERS_THREADS:-2}" \
  --scifact "$scifact" \
  --scifact-input "$work/input/scifact/corpus.jsonl" \
  --papers "$work/input/papers" \
  --bsbm ../shared/data/sparql/benchmarks/bsbm \
  --bsbm-products "${PEERS_BSBM_PRODUCTS:-10000}" \
  --repeat "${PEERS_REPEAT:-20}" \
  --query-limit "${PEERS_QUERY_LIMIT:-0}" \
  --k "${PEERS_K:-30}" \
  --depth "${PEERS_DEPTH:-100}" \
  --parts "${PEERS_PARTS:-sparql,search}" \
  --oxigraph-mode "${PEERS_OXIGRAPH_MODE:-serve}" \
  --work "$work/run" \
  --pid-file "$pid_file"
echo "== peers_search: load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
