#!/usr/bin/env bash
# Runs the example autoresearch loop (loop.py) against a Hypatia server on a fresh store: builds
# hypatia (or takes HYPATIA_BIN), makes a venv with NumPy and this checkout's Python client in
# ~/.cache/hypatia/autoresearch-venv (or takes AUTORESEARCH_PYTHON, a Python that has both),
# serves the store on a loopback port with writes on, and runs the loop; its results.tsv and run
# logs go to AUTORESEARCH_WORK (default: a temporary folder, removed at the end). Arguments go to
# loop.py (e.g. --check). A few minutes on 2 cores once built.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

python="${AUTORESEARCH_PYTHON:-}"
if [ -z "$python" ]; then
  venv="$HOME/.cache/hypatia/autoresearch-venv"
  if [ ! -x "$venv/bin/python" ]; then
    echo "== autoresearch: creating $venv (NumPy from PyPI)" >&2
    source scripts/venv.sh
    new_venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check numpy
  fi
  # This checkout's client, every time: its code changes without its version.
  "$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps ./clients/python
  "$venv/bin/pip" install --quiet --disable-pip-version-check ./clients/python
  python="$venv/bin/python"
fi

source scripts/serve.sh
work=$(mktemp -d)
cleanup() {
  stop_servers
  rm -rf "$work"
}
trap cleanup EXIT

private_bin "$work"
port=$(free_port)
HYPATIA_LOG=warn "$bin" --data-dir "$work/data" serve --bind "127.0.0.1:$port" --writes \
  >"$work/server.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$port" "${pids[0]}" "$work/server.log" autoresearch

echo "== autoresearch: the loop against http://127.0.0.1:$port" >&2
status=0
"$python" examples/autoresearch/loop.py --url "http://127.0.0.1:$port" --token "" \
  --work "${AUTORESEARCH_WORK:-$work/run}" "$@" || status=$?
if [ "$status" -ne 0 ]; then
  tail -30 "$work/server.log" >&2
  echo "autoresearch: the example loop FAILED (exit $status)" >&2
fi
exit "$status"
