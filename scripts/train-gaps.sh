#!/usr/bin/env bash
# Trains the learned missing-link score (models/gaps-link-model.json) on the ACL Anthology's
# 2009 cut: the concept graph of the papers up to 2009 (lexicon and types from them alone), labels
# from the pairs papers of 2010-2012 first mention together. Its horizon ends at the 2012 cut the
# score is selected on; 2015 and 2017 are reported. Deterministic: the same store gives the same
# file.
#   HYPATIA_GAPS_STORE=~/.cache/hypatia/acl-hash bash scripts/train-gaps.sh
# The store holds the ACL Anthology XML; build it as the README's gap evaluation says
# (HYPATIA_GAPS_STORE=... HYPATIA_GAPS_CORPUS=../shared/data/papers/acl-anthology/data/xml
# bash scripts/bench.sh gaps).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/env.sh
store="${HYPATIA_GAPS_STORE:?set HYPATIA_GAPS_STORE to a store holding the ACL Anthology}"
cut="${HYPATIA_GAPS_TRAIN_CUT:-2009}"
cargo run --locked --quiet --bin hypatia -- --data-dir "$store" \
  eval gaps --cut "$cut" --horizon 3 --source-format acl --fit models/gaps-link-model.json
