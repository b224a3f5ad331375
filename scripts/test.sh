#!/usr/bin/env bash
# Sets up a fresh machine (idempotent) and runs every check CI runs: formatting, clippy, all
# tests, the MCP conformance suite, a schemathesis run against the live server's OpenAPI
# description, the Python client's tests against live servers, the web UI in Chromium, that the benches build, and a short crash-torture run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/env.sh
bash scripts/setup.sh
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked 2>&1 | tee "$log"
passed=$(grep -E '^test result:' "$log" | grep -oE '[0-9]+ passed' | awk '{s += $1} END {print s + 0}')
failed=$(grep -E '^test result:' "$log" | grep -oE '[0-9]+ failed' | awk '{s += $1} END {print s + 0}')
echo "== MCP conformance (@modelcontextprotocol/conformance against /mcp)"
bash scripts/mcp_conformance.sh
echo "== fuzz the HTTP API from its OpenAPI description (schemathesis)"
bash scripts/openapi_fuzz.sh
echo "== Python client (clients/python against live servers)"
bash scripts/python_client.sh
echo "== web UI in a real browser (Debian's Chromium, playwright-core)"
bash scripts/web_ui.sh
echo "== benches build (they run with scripts/bench.sh NAME)"
cargo build --workspace --all-targets --locked
echo "== crash torture (short; HYPATIA_TORTURE_TRIALS=50 for the full run)"
HYPATIA_TORTURE_TRIALS="${HYPATIA_TORTURE_TRIALS:-4}" bash scripts/bench.sh torture
# One closing line for the whole run (the last cargo lines are doc-test counts of 0).
echo "tests: $passed passed, $failed failed"
