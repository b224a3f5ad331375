#!/usr/bin/env bash
# Trains the search reranker (models/rerank-model.json) on SciFact training claims only, and
# prints the 5-fold cross-validated nDCG@10 of bm25, vector, hybrid and the reranker beside it.
# Deterministic: the same store gives the same file. The store is ingested from the corpus on
# the first run (~20 minutes on 2 cores).
#   HYPATIA_SCIFACT_STORE=~/.cache/hypatia/scifact-store bash scripts/train-rerank.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/env.sh
store="${HYPATIA_SCIFACT_STORE:-$HOME/.cache/hypatia/scifact-store}"
dataset="${HYPATIA_SCIFACT:-../shared/data/scifact}"
cargo run --locked --quiet --bin hypatia -- --data-dir "$store" \
  eval beir --dataset "$dataset" --split train --rerank --fit models/rerank-model.json
