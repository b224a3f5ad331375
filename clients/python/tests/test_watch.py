"""The results-table watcher against the live write server: rows logged once as the file grows,
a row being written waits, a bad row is reported once, a restarted watcher stores nothing twice;
and the ``hypatia-watch`` command."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
import uuid

from hypatia_client import AsyncHypatiaClient, AsyncResultsWatcher, ResultsWatcher

HEADER = "commit\tval_bpb\tmemory_gb\tstatus\tdescription\n"


def _append(path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def test_watcher_logs_each_complete_row_once(writer, tmp_path):
    tag = uuid.uuid4().hex[:8]  # the write server's store is shared by the write tests
    path = tmp_path / "results.tsv"
    watcher = ResultsWatcher(writer, path, agent="py-client-watch")
    assert watcher.poll() is None, "no file yet"
    _append(path, HEADER + f"a1\t1.00\t4.0\tkeep\tbaseline {tag}\n" + "b2\t1.02\t4.0\tdis")
    step = watcher.poll()
    assert step is not None and len(step.new_runs) == 1 and step.report.imported == 1
    assert watcher.poll() is None, "unchanged"
    _append(path, f"card\tswap the activation {tag}\nc3\t0.9\t4.0\tmaybe\tbad status {tag}\n")
    step = watcher.poll()
    assert len(step.new_runs) == 1 and step.report.already_present == 1
    assert [(f.line, f.field) for f in step.new_failures] == [(4, "status")]
    _append(path, f"d4\t0.97\t4.1\tkeep\tdeeper model {tag}\n")
    step = watcher.poll()
    assert len(step.new_runs) == 1 and step.new_failures == [], "a bad row is reported once"
    run = writer.experiment(step.new_runs[0])
    assert run.description == f"deeper model {tag}" and run.status == "keep" and run.agent == "py-client-watch"

    again = ResultsWatcher(writer, path, agent="py-client-watch").poll()
    assert len(again.new_runs) == 3 and again.report.imported == 0 and again.report.already_present == 3


def test_async_watcher(auth_url, write_token, tmp_path):
    tag = uuid.uuid4().hex[:8]
    path = tmp_path / "results.tsv"
    path.write_text(HEADER + f"e5\t1.1\t4.0\tcrash\tout of memory {tag}\n")

    async def go():
        async with AsyncHypatiaClient(auth_url, token=write_token) as client:
            watcher = AsyncResultsWatcher(client, path, agent="py-client-watch")
            step = await watcher.poll()
            assert step is not None and len(step.new_runs) == 1
            assert await watcher.poll() is None
            return (await client.experiment(step.new_runs[0])).status

    assert asyncio.run(go()) == "crash"


def test_watch_command_follows_until_idle(auth_url, write_token, writer, tmp_path):
    tag = uuid.uuid4().hex[:8]
    path = tmp_path / "results.tsv"

    def grow():
        time.sleep(0.5)
        path.write_text(HEADER + f"f6\t1.0\t4.0\tkeep\tcommand baseline {tag}\n")
        time.sleep(1.0)
        _append(path, f"g7\t0.99\t4.0\tdiscard\tcommand wider {tag}\n")

    writer_thread = threading.Thread(target=grow)
    writer_thread.start()
    out = subprocess.run(
        [sys.executable, "-m", "hypatia_client.watch", str(path), "--url", auth_url, "--token", write_token,
         "--agent", "py-client-watch", "--interval", "0.2", "--idle-exit", "2.5"],
        capture_output=True, text=True, timeout=60,
    )
    writer_thread.join()
    assert out.returncode == 0, out.stderr
    logged = [line for line in out.stdout.splitlines() if ": logged " in line]
    assert len(logged) == 2, out.stdout + out.stderr
    descriptions = [writer.experiment(line.rsplit(" ", 1)[1]).description for line in logged]
    assert descriptions == [f"command baseline {tag}", f"command wider {tag}"]
