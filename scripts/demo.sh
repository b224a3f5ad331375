#!/usr/bin/env bash
# The main job on an embedded default: set up, build, ingest the bundled sample corpus (real
# papers, licences beside them), serve on loopback, answer a few queries, stop the server.
#
#   HYPATIA_DEMO_KEEP=1   keep serving after the queries (the web UI stays open) until Ctrl-C
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

echo "== extract concepts, claims, results and relations over the whole sample (corpus lexicon)"
"$bin" extract

echo "== serve on 127.0.0.1:$port (writes on: the research layer below records a hypothesis and runs)"
"$bin" serve --bind "127.0.0.1:$port" --writes &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/healthz"; echo
echo "== the web UI: http://127.0.0.1:$port/ (search, papers, SPARQL, concepts, research board, ingest)"

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
echo "== research gaps: the strongest missing link"
gap=$(curl -fsS "http://127.0.0.1:$port/gaps?kind=missing_link&limit=1" | python3 -c 'import json,sys; g=json.load(sys.stdin); print(json.dumps(g[0]) if g else "")')
if [ -n "$gap" ]; then
  echo "$gap" | python3 -c 'import json,sys; g=json.load(sys.stdin); print(round(g["score"],2), g["explanation"][:200])'
  echo "== propose a hypothesis from it, log a discarded run, ask how novel a similar idea is"
  hyp=$(python3 -c 'import json,sys; g=json.loads(sys.argv[1]); print(json.dumps({"statement": "Combining " + g["concepts"][0]["label"] + " with " + g["concepts"][1]["label"] + " improves results.", "agent": "demo", "gap": g}))' "$gap" \
    | curl -fsS "http://127.0.0.1:$port/hypotheses" -H 'Content-Type: application/json' -d @- | python3 -c 'import json,sys; print(json.load(sys.stdin)["record"]["key"])')
  echo "hypothesis $hyp"
  curl -fsS "http://127.0.0.1:$port/experiments" -H 'Content-Type: application/json' -d "{\"agent\": \"demo\", \"hypothesis\": \"$hyp\", \"status\": \"discard\", \"description\": \"Feed genome-wide methylation profiles of blood cells to a gradient-boosted age predictor\", \"metrics\": [{\"name\": \"mae_years\", \"value\": 6.1, \"unit\": \"years\", \"split\": \"test\"}]}" \
    | python3 -c 'import json,sys; r=json.load(sys.stdin)["record"]; print("run", r["key"], r["status"])'
  curl -fsS -G "http://127.0.0.1:$port/novelty" --data-urlencode "idea=predict age from blood DNA methylation with gradient boosting" \
    | python3 -c 'import json,sys; n=json.load(sys.stdin); print("\n".join(n["summary"]))'
fi
if [ "${HYPATIA_DEMO_KEEP:-0}" = 1 ]; then
  echo "== done; the web UI stays at http://127.0.0.1:$port/ until Ctrl-C"
  wait "$server"
fi
echo "== done; the server stops now (HYPATIA_DEMO_KEEP=1 keeps it, and the web UI at http://127.0.0.1:$port/, up)"
