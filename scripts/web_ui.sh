#!/usr/bin/env bash
# Tests the web UI in a real browser: Debian's Chromium (apt package `chromium`, installed when
# missing) driven by playwright-core from npm (tests/web, locked; no browser download), against
# two servers on loopback: one over the bundled samples without tokens that lets its network
# write (--writes), one with --tokens and --no-anonymous-read over an empty store. Saves a
# screenshot of each page; fails on any failed test, printing the servers' logs.
#
#   HYPATIA_BIN=path          use this binary instead of building one (no cargo then)
#   HYPATIA_UI_SHOTS=dir      where the screenshots go (default: tests/web/shots)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$(date +%s)

if [ ! -x /usr/bin/chromium ]; then
  echo "== web_ui: installing Debian's chromium (apt)" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
(cd tests/web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

source scripts/serve.sh
work=$(mktemp -d)
cleanup() {
  stop_servers
  rm -rf "$work"
}
trap cleanup EXIT

private_bin "$work"

echo "== web_ui: ingest the bundled samples"
ingest_samples "$work/data" "$work/ingest.log" web_ui

token=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
write_token=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
printf 'read web-ui-reader %s\nwrite web-ui-writer %s\n' "$token" "$write_token" >"$work/tokens"
port=$(free_port)
HYPATIA_LOG=warn "$bin" --data-dir "$work/data" serve --bind "127.0.0.1:$port" --writes >"$work/server.log" 2>&1 &
pids+=($!)
auth_port=$(free_port)
HYPATIA_LOG=warn "$bin" --data-dir "$work/auth-data" serve --bind "127.0.0.1:$auth_port" \
  --tokens "$work/tokens" --no-anonymous-read >"$work/auth-server.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$port" "${pids[0]}" "$work/server.log" web_ui
wait_up "http://127.0.0.1:$auth_port" "${pids[1]}" "$work/auth-server.log" web_ui

echo "== web_ui: Chromium against http://127.0.0.1:$port and http://127.0.0.1:$auth_port"
shots="${HYPATIA_UI_SHOTS:-$root/tests/web/shots}"
rm -rf "$shots"
status=0
(cd tests/web &&
  HYPATIA_UI_URL="http://127.0.0.1:$port" HYPATIA_UI_AUTH_URL="http://127.0.0.1:$auth_port" \
    HYPATIA_UI_TOKEN="$token" HYPATIA_UI_WRITE_TOKEN="$write_token" HYPATIA_UI_SHOTS="$shots" \
    npm test --silent) || status=$?
if [ "$status" -ne 0 ]; then
  echo "-- server log (samples)" >&2
  tail -30 "$work/server.log" >&2
  echo "-- server log (tokens)" >&2
  tail -30 "$work/auth-server.log" >&2
  echo "web_ui: the browser tests FAILED" >&2
  exit "$status"
fi
echo "web_ui: passed in $(($(date +%s) - started)) s; screenshots in $shots: $(cd "$shots" && ls | tr '\n' ' ')"
