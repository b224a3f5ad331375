#!/usr/bin/env bash
# The main job on an embedded default: set up, build, ingest the bundled sample corpus (real
# papers, licences beside them), serve on loopback, answer a few queries, stop the server.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/env.sh
bash scripts/setup.sh
# --all-targets: the same feature unification as the tests, so nothing is compiled twice
cargo build --workspace --all-targets --locked
bin="$CARGO_TARGET_DIR/debug/hypatia"
data="${HYPATIA_DATA_DIR:-$root/.hypatia/demo-data}"
port="${HYPATIA_DEMO_PORT:-7878}"
export HYPATIA_DATA_DIR="$data"

echo "== ingest the bundled sample papers (tests/fixtures: PLOS/PMC JATS, arXiv metadata, SciFact) into $data"
"$bin" ingest tests/fixtures/papers tests/fixtures/scifact/corpus.jsonl

echo "== serve on 127.0.0.1:$port"
"$bin" serve --bind "127.0.0.1:$port" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/healthz"; echo

echo "== hybrid search: 'whole-genome DNA methylation of human blood cells'"
curl -fsS -G "http://127.0.0.1:$port/search" --data-urlencode "q=whole-genome DNA methylation of human blood cells" -d mode=hybrid -d k=3 \
  | python3 -c 'import json,sys; [print(h["rank"], round(h["score"],4), h["citation"]["paper"]["title"], "|", h["citation"]["section"], "|", h["citation"]["quote"][:120]) for h in json.load(sys.stdin)["hits"]]'

echo "== SPARQL: papers per source format"
curl -fsS "http://127.0.0.1:$port/sparql" -H 'Accept: text/csv' --data-urlencode 'query=
PREFIX hyp: <https://w3id.org/hypatia/ns#>
SELECT ?format (COUNT(?p) AS ?papers) WHERE { ?p hyp:sourceFormat ?format } GROUP BY ?format ORDER BY ?format'

echo "== SPARQL: five most recent papers with their passage counts"
curl -fsS "http://127.0.0.1:$port/sparql" -H 'Accept: text/tab-separated-values' --data-urlencode 'query=
PREFIX schema: <http://schema.org/>
PREFIX hyp: <https://w3id.org/hypatia/ns#>
SELECT ?year ?title (COUNT(?passage) AS ?passages) WHERE {
  ?p schema:name ?title ; hyp:year ?year . ?passage hyp:passageOf ?p
} GROUP BY ?year ?title ORDER BY DESC(?year) LIMIT 5'
echo "== done; the server stops now"
