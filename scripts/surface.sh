#!/usr/bin/env bash
# Captures the public surfaces of a `hypatia` binary, so that a refactor can show they did not
# change: every --help (recursively over subcommands), /openapi.json of a server on an empty
# store, and MCP's initialize, tools/list, resources/templates/list and prompts/list over stdio.
#   bash scripts/surface.sh BIN OUTDIR      then: diff -r OUT_BEFORE OUT_AFTER
# Needs the embedding model where the binary finds it (.hypatia/, see scripts/setup.sh).
set -euo pipefail
bin=$1
out=$2
mkdir -p "$out"
: > "$out/help.txt"
walk() {
  local text subs
  echo "===== hypatia $* --help" >> "$out/help.txt"
  text=$("$bin" "$@" --help 2>&1 || true)
  # The program name is the binary's file name; compare copies under any name.
  echo "$text" | sed "s#$(basename "$bin")#hypatia#g" >> "$out/help.txt"
  subs=$(echo "$text" | awk '/^Commands:/{f=1;next} /^$/{f=0} f{print $1}' | grep -v '^help$' || true)
  for s in $subs; do walk "$@" "$s"; done
}
walk
"$bin" --version | sed "s#$(basename "$bin")#hypatia#g" >> "$out/help.txt"
store=$(mktemp -d)
trap 'rm -rf "$store"' EXIT
port=$((20000 + RANDOM % 20000))
"$bin" --data-dir "$store/s" serve --bind "127.0.0.1:$port" > "$out/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/openapi.json" -o "$out/openapi.json" && break
  sleep 0.3
done
kill "$pid"
wait "$pid" 2>/dev/null || true
test -s "$out/openapi.json" || { echo "no /openapi.json; see $out/serve.log" >&2; exit 1; }
printf '%s\n' \
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"surface","version":"1"}}}' \
  '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
  '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' \
  '{"jsonrpc":"2.0","id":3,"method":"resources/templates/list"}' \
  '{"jsonrpc":"2.0","id":4,"method":"prompts/list"}' |
  (cat; sleep 3) | "$bin" --data-dir "$store/s" mcp 2> "$out/mcp.log" |
  python3 -c 'import json,sys; r=[json.loads(l) for l in sys.stdin if l.strip()]; r.sort(key=lambda m: m.get("id", 0)); print("\n".join(json.dumps(m, sort_keys=True) for m in r))' \
  > "$out/mcp.json"
wc -c "$out/openapi.json" "$out/help.txt" "$out/mcp.json"
