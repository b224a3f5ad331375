"""Follow a results table that an experiment loop appends to, and log each new row as a run.

The autoresearch loop appends one line per run to ``results.tsv`` (``commit``, ``val_bpb``,
``memory_gb``, ``status``, ``description``). A :class:`ResultsWatcher` sends the file's complete
lines to ``POST /experiments/import`` whenever the file changed; the server keys each row by its
content and line, so sending the same rows again stores nothing twice, and a watcher restarted
after a crash picks up where the file is. Bytes after the last line end (a row the loop is still
writing) wait for the next poll.

From a shell, against a server started with ``--writes`` (or with a write token in
``HYPATIA_TOKEN``)::

    hypatia-watch results.tsv --url http://127.0.0.1:7878 --agent autoresearch

In a loop written in Python, call :meth:`ResultsWatcher.poll` after appending a row, so the run
is stored before the next ``gate`` call asks about it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Set, Tuple, Union

from .models import ImportReport, RowFailure

__all__ = ["WatchStep", "ResultsWatcher", "AsyncResultsWatcher", "main"]


@dataclass
class WatchStep:
    """What one poll of a changed file did.

    Attributes:
        new_runs: experiment keys this watcher had not seen, in file order (rows stored by an
            earlier import count as new to a fresh watcher; ``report.already_present`` says how
            many of this poll's rows were stored before).
        new_failures: rows that failed and had not failed in an earlier poll of this watcher.
        report: the server's report on every complete row of the file.
    """

    new_runs: List[str] = field(default_factory=list)
    new_failures: List[RowFailure] = field(default_factory=list)
    report: Optional[ImportReport] = None


class _Follow:
    """The state both watchers share: the file's last size and time, keys and failures seen."""

    def __init__(self, path: Union[str, "os.PathLike[str]"]) -> None:
        self.path = Path(path)
        self._stamp: Optional[Tuple[int, int]] = None
        self._seen: Set[str] = set()
        self._failed: Set[Tuple[int, str]] = set()

    def changed_rows(self) -> Optional[Tuple[Tuple[int, int], bytes]]:
        """The file's complete lines when it changed since the last poll, else ``None``."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        stamp = (st.st_size, st.st_mtime_ns)
        if stamp == self._stamp:
            return None
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        end = data.rfind(b"\n")
        if end < 0:  # the header is still being written
            return None
        return stamp, data[: end + 1]

    def step(self, stamp: Tuple[int, int], report: ImportReport) -> WatchStep:
        out = WatchStep(report=report)
        for key in report.experiments:
            if key not in self._seen:
                self._seen.add(key)
                out.new_runs.append(key)
        for f in report.failures:
            if (f.line, f.message) not in self._failed:
                self._failed.add((f.line, f.message))
                out.new_failures.append(f)
        # Only after the import succeeded: a failed poll is retried on the next one.
        self._stamp = stamp
        return out


class _Watcher:
    """A client, a followed file, and the import options."""

    def __init__(
        self,
        client: Any,
        path: Union[str, "os.PathLike[str]"],
        *,
        agent: Optional[str] = None,
        hypothesis: Optional[str] = None,
        map: Optional[Mapping[str, str]] = None,
        delimiter: Optional[str] = None,
    ) -> None:
        self.client = client
        self._follow = _Follow(path)
        self._options: Dict[str, Any] = {
            "agent": agent,
            "hypothesis": hypothesis,
            "map": map,
            "delimiter": delimiter,
            "name": self._follow.path.name,
        }

    @property
    def path(self) -> Path:
        return self._follow.path


class ResultsWatcher(_Watcher):
    """Follows ``path`` through a :class:`~hypatia_client.HypatiaClient` with write access.

    ``agent``, ``hypothesis`` and ``map`` are those of
    :meth:`~hypatia_client.HypatiaClient.import_experiments`.
    """

    def poll(self) -> Optional[WatchStep]:
        """Imports the file's complete rows if it changed; ``None`` when it did not, does not
        exist yet, or has no complete line."""
        changed = self._follow.changed_rows()
        if changed is None:
            return None
        stamp, rows = changed
        return self._follow.step(stamp, self.client.import_experiments(rows, **self._options))

    def follow(
        self,
        interval: float = 2.0,
        idle_exit: Optional[float] = None,
        on_step: Optional[Callable[[WatchStep], None]] = None,
    ) -> None:
        """Polls every ``interval`` seconds until interrupted, or until the file has not changed
        for ``idle_exit`` seconds; ``on_step`` gets each step."""
        last_change = time.monotonic()
        while True:
            step = self.poll()
            if step is not None:
                last_change = time.monotonic()
                if on_step:
                    on_step(step)
            if idle_exit is not None and time.monotonic() - last_change >= idle_exit:
                return
            time.sleep(interval)


class AsyncResultsWatcher(_Watcher):
    """:class:`ResultsWatcher` for an :class:`~hypatia_client.AsyncHypatiaClient`."""

    async def poll(self) -> Optional[WatchStep]:
        """See :meth:`ResultsWatcher.poll`."""
        changed = self._follow.changed_rows()
        if changed is None:
            return None
        stamp, rows = changed
        return self._follow.step(stamp, await self.client.import_experiments(rows, **self._options))

    async def follow(
        self,
        interval: float = 2.0,
        idle_exit: Optional[float] = None,
        on_step: Optional[Callable[[WatchStep], None]] = None,
    ) -> None:
        """See :meth:`ResultsWatcher.follow`."""
        last_change = time.monotonic()
        while True:
            step = await self.poll()
            if step is not None:
                last_change = time.monotonic()
                if on_step:
                    on_step(step)
            if idle_exit is not None and time.monotonic() - last_change >= idle_exit:
                return
            await asyncio.sleep(interval)


def _print_step(path: Path) -> Callable[[WatchStep], None]:
    def show(step: WatchStep) -> None:
        for key in step.new_runs:
            print(f"{path}: logged {key}", flush=True)
        for f in step.new_failures:
            column = f" ({f.field})" if f.field else ""
            print(f"{path}:{f.line}{column}: {f.message}", file=sys.stderr, flush=True)

    return show


def main(argv: Optional[List[str]] = None) -> int:
    """``hypatia-watch FILE``: follow a results table and log its rows through a server."""
    from .client import DEFAULT_BASE_URL, HypatiaClient
    from .errors import HypatiaConnectionError, HypatiaError

    p = argparse.ArgumentParser(
        prog="hypatia-watch",
        description="Follow a results table (autoresearch's results.tsv, or TSV/CSV with --map) and log "
        "every complete new row as a run on a Hypatia server, once.",
    )
    p.add_argument("file", type=Path, help="the table (it may not exist yet)")
    p.add_argument("--url", default=os.environ.get("HYPATIA_URL", DEFAULT_BASE_URL), help="the server (HYPATIA_URL)")
    p.add_argument("--token", default=None, help="a write token (default: HYPATIA_TOKEN)")
    p.add_argument("--agent", default="import", help="who the runs are attributed to")
    p.add_argument("--hypothesis", default=None, help="a hypothesis (key or IRI) every run tests")
    p.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD", help="as for import; repeat")
    p.add_argument("--interval", type=float, default=2.0, help="seconds between looks at the file")
    p.add_argument("--idle-exit", type=float, default=None, help="stop after the file has not changed this long")
    args = p.parse_args(argv)
    if not args.interval > 0:
        p.error("--interval: expected seconds above 0")
    mapping: Dict[str, str] = {}
    for m in args.map:
        column, sep, target = m.partition("=")
        if not sep:
            p.error(f"--map {m}: expected COLUMN=FIELD")
        mapping[column.strip()] = target.strip()
    with HypatiaClient(args.url, token=args.token) as client:
        watcher = ResultsWatcher(
            client, args.file, agent=args.agent, hypothesis=args.hypothesis, map=mapping or None
        )
        try:
            watcher.follow(args.interval, args.idle_exit, _print_step(args.file))
        except KeyboardInterrupt:
            return 0
        except (HypatiaError, HypatiaConnectionError) as e:
            print(f"hypatia-watch: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
