# Sourced by the scripts that start `hypatia serve` on a loopback port.

# free_port: a free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_up URL PID LOG WHO: waits up to 120 s for URL/healthz to answer. Fails, with the server's
# log and a line naming WHO (the calling script), when the process PID dies or the time is up.
wait_up() {
  local url=$1 pid=$2 log=$3 who=$4
  for _ in $(seq 1 240); do
    curl -fsS "$url/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "$who: the server at $url died" >&2; exit 1; }
    sleep 0.5
  done
  cat "$log" >&2
  echo "$who: the server at $url did not come up in 120 s" >&2
  exit 1
}

# private_bin DIR: sets $bin to DIR/hypatia, a private copy of HYPATIA_BIN when that is set, else
# of the binary cargo builds (another checkout building into the shared target directory may
# replace that one while the servers run).
private_bin() {
  local dir=$1
  if [ -n "${HYPATIA_BIN:-}" ]; then
    cp "$HYPATIA_BIN" "$dir/hypatia"
  else
    source scripts/env.sh
    # The same selection as every other build here (test.sh, demo.sh): `-p hypatia --bin
    # hypatia` unifies features over fewer packages, so cargo rebuilt tokio, actix, tantivy,
    # oxigraph and thirty other crates a second time (3m41s on a fresh machine).
    cargo build --workspace --all-targets --locked
    cp "$CARGO_TARGET_DIR/debug/hypatia" "$dir/hypatia"
  fi
  bin="$dir/hypatia"
}

# Servers started in the background add their pid to $pids; stop_servers (from the caller's EXIT
# trap) stops them and waits for them.
pids=()
stop_servers() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

# ingest_samples DATA_DIR LOG NAME: ingests, with $bin, the samples the client and UI tests read:
# the SciFact corpus sample, the arXiv and Markdown samples, a retracted MEDLINE record and its
# notice, and a GROBID full text whose bibliography resolves to two stored Anthology records.
# On failure prints the log and exits, naming the caller.
ingest_samples() {
  local data=$1 log=$2 name=$3
  local retraction=tests/fixtures/papers/medline/retraction
  "$bin" --data-dir "$data" ingest tests/fixtures/scifact/corpus.jsonl tests/fixtures/papers/arxiv \
    tests/fixtures/papers/markdown "$retraction/pubmed-11543891.xml" "$retraction/pubmed-11600210-notice.xml" \
    tests/fixtures/citations/N18.sample.xml tests/fixtures/citations/N16.sample.xml >"$log" 2>&1 &&
    "$bin" --data-dir "$data" ingest tests/fixtures/papers/tei/N18-3011.tei.xml >>"$log" 2>&1 ||
    { cat "$log" >&2; echo "$name: ingest failed" >&2; exit 1; }
}
