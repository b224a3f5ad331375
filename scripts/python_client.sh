#!/usr/bin/env bash
# Tests the Python client (clients/python, package hypatia-client) against live servers:
# installs it with every extra (pandas, langchain-core, llama-index-core) and pytest from PyPI
# into a venv in ~/.cache/hypatia/py-client-venv (rebuilt when clients/python/pyproject.toml
# changes; the package itself is reinstalled on every run), ingests the bundled samples into a
# temporary store, and serves two stores on loopback:
#   - the samples, without tokens (reads; HYPATIA_TEST_URL);
#   - an empty store with --tokens (a write and a read token) and --no-anonymous-read, which the
#     write tests fill through the client's ingest helper (HYPATIA_TEST_AUTH_URL).
# Then runs the example autoresearch loop (examples/autoresearch/run.sh --check) on its own store.
# Fails on any test failure, printing the servers' logs.
#
#   HYPATIA_BIN=path   use this binary instead of building one (no cargo then)
#   PYTEST_ARGS="..."  extra pytest arguments (e.g. "-k retriever -x")
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$(date +%s)
pkg="$root/clients/python"

venv="$HOME/.cache/hypatia/py-client-venv"
key=$(sha256sum "$pkg/pyproject.toml" | cut -c1-16)
source scripts/venv.sh
venv_with "$venv" "$key" "$pkg[pandas,langchain,llamaindex,test]"
# The package's code changes without its pyproject: install this checkout's, not an old build.
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --force-reinstall "$pkg"

source scripts/serve.sh
work=$(mktemp -d)
cleanup() {
  stop_servers
  rm -rf "$work"
}
trap cleanup EXIT

private_bin "$work"

echo "== python_client: ingest the bundled samples into a temporary store"
ingest_samples "$work/data" "$work/ingest.log" python_client

write_token=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
read_token=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
printf 'write py-client-writer %s *\nread py-client-reader %s\n' "$write_token" "$read_token" >"$work/tokens"
read -r port auth_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')

serve() { # LOG ARGS...: start a server in the background, its pid in $pids
  local log=$1
  shift
  HYPATIA_LOG=warn "$bin" "$@" >"$log" 2>&1 &
  pids+=($!)
}
serve "$work/server.log" --data-dir "$work/data" serve --bind "127.0.0.1:$port"
serve "$work/auth-server.log" --data-dir "$work/auth-data" serve --bind "127.0.0.1:$auth_port" \
  --tokens "$work/tokens" --no-anonymous-read
wait_up "http://127.0.0.1:$port" "${pids[0]}" "$work/server.log" python_client
wait_up "http://127.0.0.1:$auth_port" "${pids[1]}" "$work/auth-server.log" python_client

echo "== python_client: pytest against http://127.0.0.1:$port and http://127.0.0.1:$auth_port"
status=0
# clients/python/src is not on the path there: the tests import the installed package.
(
  cd "$pkg" &&
    HYPATIA_TEST_URL="http://127.0.0.1:$port" \
      HYPATIA_TEST_AUTH_URL="http://127.0.0.1:$auth_port" \
      HYPATIA_TEST_WRITE_TOKEN="$write_token" \
      HYPATIA_TEST_READ_TOKEN="$read_token" \
      HYPATIA_TEST_FIXTURES="$root/tests/fixtures" \
      HYPATIA_TOKEN="" \
      "$venv/bin/python" -m pytest -p no:cacheprovider -q tests ${PYTEST_ARGS:-}
) || status=$?
if [ "$status" -ne 0 ]; then
  echo "-- server log (samples, no tokens)" >&2
  tail -50 "$work/server.log" >&2
  echo "-- server log (tokens)" >&2
  tail -50 "$work/auth-server.log" >&2
  echo "python_client: the Python client's tests FAILED (pytest exit $status)" >&2
  exit "$status"
fi
# The example autoresearch loop on its own fresh store, with this venv (it has NumPy through
# pandas) and this binary: the gate must refuse a repeat, every row must be logged once.
echo "== python_client: the example autoresearch loop (examples/autoresearch)"
HYPATIA_BIN="$bin" AUTORESEARCH_PYTHON="$venv/bin/python" bash examples/autoresearch/run.sh --check
echo "python_client: passed in $(($(date +%s) - started)) s"
