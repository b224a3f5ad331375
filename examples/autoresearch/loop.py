"""An autoresearch loop in miniature, with Hypatia as its memory.

The loop does what karpathy/autoresearch's agent does, with a fixed list of ideas in place of a
language model choosing them: propose a change to ``train.py``'s configuration, run it, keep it
when ``val_bpb`` improves and discard it otherwise, and append a row to ``results.tsv``. Hypatia
adds the memory:

- a hypothesis the runs test, whose status moves proposed → testing → supported or refuted
  with the runs behind each change;
- every row of ``results.tsv`` logged as a run, once, by a :class:`~hypatia_client.ResultsWatcher`;
- before each run, ``POST /gate``: a change that repeats a discarded or crashed run is refused
  and never costs compute again, whatever its wording.

    python loop.py --url http://127.0.0.1:7878 --work ./run     # a server started with --writes

``run.sh`` beside this file starts a server on a fresh store and runs the loop against it.
``--check`` makes the loop exit non-zero unless the gate refused a repeat, every row was logged
once, and the hypothesis' status history shows the moves.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from hypatia_client import HypatiaClient, ResultsWatcher

HERE = Path(__file__).resolve().parent
HEADER = "commit\tval_bpb\tmemory_gb\tstatus\tdescription\n"
STATEMENT = (
    "On the bundled article text, changing the capacity, context or optimiser of the "
    "baseline character-level MLP lowers validation bits per character by at least 3%."
)
GOAL = 0.03

# (description, change to the current best configuration). Some ideas come back in other words
# later, as they do from an agent that forgets: the gate is there for those.
PROPOSALS = [
    ("double the hidden layer to 256 units", {"hidden": 256}),
    ("raise the learning rate to 0.05", {"lr": 0.05}),
    ("shrink the character embeddings to 4 dimensions", {"embed": 4}),
    ("use a context of 0 characters", {"context": 0}),
    ("use ReLU instead of tanh in the hidden layer", {"activation": "relu"}),
    ("increase the learning rate to 0.05", {"lr": 0.05}),
    ("train for 1200 steps instead of 600", {"steps": 1200}),
    ("reduce the embedding size to 4 dimensions per character", {"embed": 4}),
    ("set the context length to 0 characters", {"context": 0}),
    ("widen the context to 5 characters", {"context": 5}),
]


def train(config: dict, log: Path) -> tuple[str, float, float]:
    """Runs train.py with ``config``; (status, val_bpb, memory_gb), status ``crash`` on failure."""
    with open(log, "w") as out:
        proc = subprocess.run(
            [sys.executable, str(HERE / "train.py"), json.dumps(config)],
            stdout=out, stderr=subprocess.STDOUT, timeout=900,
        )
    values = {}
    for line in log.read_text().splitlines():
        name, sep, value = line.partition(": ")
        if sep:
            try:
                values[name] = float(value)
            except ValueError:
                pass
    if proc.returncode != 0 or "val_bpb" not in values:
        return "crash", 0.0, 0.0
    return "ok", values["val_bpb"], values.get("peak_memory_gb", 0.0)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default=os.environ.get("HYPATIA_URL", "http://127.0.0.1:7878"))
    p.add_argument("--token", default=None, help="a write token (default: HYPATIA_TOKEN)")
    p.add_argument("--work", type=Path, default=Path("run"), help="where results.tsv and run logs go")
    p.add_argument("--agent", default="example-loop")
    p.add_argument("--check", action="store_true", help="fail unless the run shows what it is for")
    args = p.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = args.work / "results.tsv"
    if not results.exists():
        results.write_text(HEADER)

    hy = HypatiaClient(args.url, token=args.token)
    h = hy.propose_hypothesis(STATEMENT, args.agent).record
    print(f"hypothesis {h.key} ({h.status}): {h.statement}\n")
    watcher = ResultsWatcher(hy, results, agent=args.agent, hypothesis=h.key)
    watcher.poll()  # rows of an earlier run of the loop in the same --work are stored already

    def record(config: dict, status: str, bpb: float, memory: float, description: str) -> str:
        commit = hashlib.sha1(json.dumps(config, sort_keys=True).encode()).hexdigest()[:7]
        with open(results, "a") as f:
            f.write(f"{commit}\t{bpb:.6f}\t{memory:.1f}\t{status}\t{description}\n")
        step = watcher.poll()
        key = step.new_runs[-1] if step and step.new_runs else "(stored by an earlier run)"
        for failure in (step.new_failures if step else []):
            print(f"  results.tsv:{failure.line}: {failure.message}", file=sys.stderr)
        return key

    started = time.monotonic()
    config: dict = {}
    status, baseline, memory = train(config, args.work / "run-0.log")
    if status == "crash":
        print("the baseline crashed; see", args.work / "run-0.log", file=sys.stderr)
        return 1
    best = baseline
    baseline_key = record(config, "keep", baseline, memory, "baseline")
    print(f"baseline            val_bpb {baseline:.4f}  logged {baseline_key}")
    # Logging a run that tests a proposed hypothesis moves it to testing.
    assert hy.hypothesis(h.key).status == "testing"

    refused, ran, kept = [], [baseline_key], [baseline_key]
    for i, (description, change) in enumerate(PROPOSALS, start=1):
        answer = hy.gate(description)
        near = answer.runs[0] if answer.runs else None
        if answer.decision == "refuse":
            refused.append((description, near))
            print(f"REFUSED by the gate  {description!r}\n"
                  f"                    repeats {near.experiment.description!r}: {near.outcome} "
                  f"(similarity {near.similarity:.2f})")
            continue
        trial = {**config, **change}
        status, bpb, memory = train(trial, args.work / f"run-{i}.log")
        if status == "ok":
            status = "keep" if bpb < best - 1e-4 else "discard"
        key = record(trial, status, bpb, memory, description)
        ran.append(key)
        note = f"  (gate: warn, nearest {near.experiment.description!r})" if answer.decision == "warn" else ""
        shown = f"val_bpb {bpb:.4f}" if status != "crash" else "crashed       "
        print(f"{status:<8} {shown}  {description!r}  logged {key}{note}")
        if status == "keep":
            config, best = trial, bpb
            kept.append(key)

    gain = (baseline - best) / baseline
    verdict = "supported" if gain >= GOAL else "refuted"
    outcomes = kept[1:] if verdict == "supported" else ran
    hy.set_hypothesis_status(
        h.key, verdict, agent=args.agent, outcomes=outcomes,
        note=f"best val_bpb {best:.4f} vs baseline {baseline:.4f} ({gain:.1%} lower; goal {GOAL:.0%})",
    )
    h = hy.hypothesis(h.key)
    print(f"\n{len(ran)} runs logged, {len(refused)} refused by the gate, {len(kept) - 1} changes kept, "
          f"in {time.monotonic() - started:.0f} s; best config {json.dumps(config)}")
    print(f"\nhypothesis {h.key} is {h.status}; its history:")
    for change in h.history:
        rests = f" on {len(change.outcomes)} runs" if change.outcomes else ""
        print(f"  {change.time}  {change.from_ or '-'} -> {change.to}{rests}  {change.note or ''}")
    print(f"runs testing it: {len(h.experiments)}")

    if args.check:
        problems = []
        if not any(n is not None and n.experiment.status in ("discard", "crash") for _, n in refused):
            problems.append("the gate refused no repeat of a discarded or crashed run")
        logged = hy.experiments(hypothesis=h.key, limit=1000)
        rows = len(results.read_text().splitlines()) - 1
        if len(logged) != rows:
            problems.append(f"{rows} rows in results.tsv but {len(logged)} runs logged")
        if [c.to for c in h.history][-2:] != ["testing", verdict]:
            problems.append(f"history {[c.to for c in h.history]} does not end testing -> {verdict}")
        for problem in problems:
            print(f"check: {problem}", file=sys.stderr)
        if problems:
            return 1
        print("check: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
