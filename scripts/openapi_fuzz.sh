#!/usr/bin/env bash
# Fuzzes the HTTP API from its own description: builds hypatia, ingests the bundled sample papers
# into a temporary store, serves it on loopback with an admin token, and runs schemathesis
# (pinned, from PyPI, in a venv under ~/.cache/hypatia/) against /openapi.json with every check:
# no 5xx, every status, content type and body as described, invalid input refused, valid input
# accepted, tokens enforced, 405 with Allow for undescribed methods, created records found.
# Fails on any failure. About three minutes on 2 cores once built.
#
#   HYPATIA_BIN=path      use this binary instead of building one
#   HYPATIA_FUZZ_EXAMPLES test cases per operation and phase (default 100)
#   HYPATIA_FUZZ_SEED     the generator's seed (default fixed, so that CI runs are reproducible)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hypatia/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

st_version=4.32.5
venv="$HOME/.cache/hypatia/schemathesis-$st_version"
source scripts/venv.sh
venv_with "$venv" "$st_version" "schemathesis==$st_version"

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A private copy: another checkout building into the shared target directory may replace the
# binary while the server runs.
if [ -n "${HYPATIA_BIN:-}" ]; then
  cp "$HYPATIA_BIN" "$work/hypatia"
else
  cargo build --workspace --all-targets --locked
  cp "$CARGO_TARGET_DIR/debug/hypatia" "$work/hypatia"
fi
bin="$work/hypatia"

echo "== ingest the bundled sample papers into a temporary store"
"$bin" --data-dir "$work/data" ingest tests/fixtures/papers tests/fixtures/scifact/corpus.jsonl >/dev/null

secret=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
printf 'admin fuzzer %s\n' "$secret" >"$work/tokens"
source scripts/serve.sh
port=$(free_port)
base="http://127.0.0.1:$port"
"$bin" --data-dir "$work/data" serve --bind "127.0.0.1:$port" --tokens "$work/tokens" \
  --backup-dir "$work/backups" 2>"$work/server.log" &
server=$!
wait_up "$base" "$server" "$work/server.log" openapi_fuzz

# Keys and IRIs of stored papers, for the `/papers/{id}` requests that should find one
# (schemathesis reads no environment in dictionary paths, so the settings get the path here).
sed -e "s|\${HYPATIA_FUZZ_PAPERS}|$work/papers.txt|" -e "s|\${HYPATIA_FUZZ_HYPOTHESES}|$work/hypotheses.txt|" \
  scripts/openapi_fuzz.toml >"$work/schemathesis.toml"
curl -fsS -G "$base/search" --data-urlencode "q=cells" -d mode=bm25 -d k=20 | python3 -c '
import json, sys
papers = {h["citation"]["paper"]["key"]: h["citation"]["paper"]["iri"] for h in json.load(sys.stdin)["hits"]}
print("\n".join(json.dumps(p) for p in list(papers) + list(papers.values())))' >"$work/papers.txt"

# And hypotheses for `/hypotheses/{id}` and its status changes: none exist before the run, and
# the ones the fuzzer proposes are keyed by a hash it cannot guess.
for statement in "Contrastive pretraining improves claim retrieval" "Citation graphs predict replication"; do
  curl -fsS -H "Authorization: Bearer $secret" -H 'Content-Type: application/json' \
    --data "{\"statement\": \"$statement\", \"agent\": \"openapi_fuzz\"}" "$base/hypotheses" |
    python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["record"]["key"]))'
done >"$work/hypotheses.txt"

echo "== schemathesis $st_version against $base/openapi.json"
status=0
# Every check runs: that is schemathesis' default, and `--checks all` would also override the
# one exclusion openapi_fuzz.toml makes (and explains). The admin token may do everything, so each
# operation is tried with the scope it needs; `ignored_auth` retries without it and with a wrong
# one and expects 401. Run from the work folder, where schemathesis keeps its cache.
(cd "$work" && "$venv/bin/st" --config-file "$work/schemathesis.toml" run "$base/openapi.json" \
  --header "Authorization: Bearer $secret" \
  --max-examples "${HYPATIA_FUZZ_EXAMPLES:-100}" \
  --seed "${HYPATIA_FUZZ_SEED:-20261127}" \
  --generation-database none \
  --request-timeout 60 \
  --workers 1 \
  --no-color) || status=$?

if ! kill -0 "$server" 2>/dev/null; then
  echo "openapi_fuzz: the server died during the run" >&2
  status=1
fi
if grep -q 'panicked' "$work/server.log"; then
  grep -B2 -A8 'panicked' "$work/server.log" >&2
  echo "openapi_fuzz: the server panicked" >&2
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo "openapi_fuzz: FAILED (schemathesis exit $status)" >&2
  exit "$status"
fi
echo "openapi_fuzz: passed"
