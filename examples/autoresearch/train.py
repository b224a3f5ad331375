"""One training run of a tiny character-level language model, in NumPy, on CPU, in seconds.

The model reads the previous ``context`` characters, embeds each in ``embed`` dimensions, passes
the concatenation through one hidden layer of ``hidden`` units and predicts the next character
(an MLP language model in the manner of Bengio et al., 2003). It trains with Adam on 90 % of the
text and reports bits per character on the other 10 %, as autoresearch's ``train.py`` reports
``val_bpb``. The same configuration always gives the same number (seeded).

The text is the body and abstract of the CC BY articles bundled as test fixtures
(``tests/fixtures/papers/jats``: PLOS and PMC articles; see their SOURCE.md for the licences).

    python train.py '{"hidden": 256}'      # prints val_bpb, peak_memory_gb, seconds

A configuration the model cannot run with (a context of 0 characters, say) exits with an error,
as a crashed run does.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

# One thread for the matrix products: they are small, and a threaded BLAS spinning on a busy
# 2-core machine makes a 2-second run take 30.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

DEFAULTS = {
    "context": 3,  # characters the model sees
    "embed": 16,  # dimensions per character
    "hidden": 128,  # hidden units
    "activation": "tanh",  # tanh or relu
    "lr": 0.003,  # Adam's step size
    "steps": 600,  # optimiser steps
    "batch": 128,  # windows per step
    "seed": 1,
}

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "papers" / "jats"
VAL_WINDOWS = 20_000


def corpus() -> str:
    """The articles' abstract and body text, whitespace collapsed, in a fixed order."""
    parts = []
    for path in sorted(FIXTURES.rglob("*.xml")):
        root = ET.parse(path).getroot()
        for tag in ("abstract", "body"):
            for el in root.iter(tag):
                parts.append(" ".join("".join(el.itertext()).split()))
    text = "\n".join(p for p in parts if p)
    if len(text) < 20_000:
        raise SystemExit(f"train.py: only {len(text)} characters of text under {FIXTURES}")
    return text


def run(cfg: dict) -> dict:
    c, e, h = int(cfg["context"]), int(cfg["embed"]), int(cfg["hidden"])
    if c < 1 or e < 1 or h < 1:
        raise ValueError(f"context, embed and hidden must be at least 1 (got {c}, {e}, {h})")
    if cfg["activation"] not in ("tanh", "relu"):
        raise ValueError(f"activation {cfg['activation']!r}: expected tanh or relu")
    text = corpus()
    chars = sorted(set(text))
    index = {ch: i for i, ch in enumerate(chars)}
    ids = np.fromiter((index[ch] for ch in text), dtype=np.int64, count=len(text))
    v = len(chars)
    cut = int(len(ids) * 0.9)
    train, val = ids[:cut], ids[cut:]

    rng = np.random.default_rng(int(cfg["seed"]))
    params = {
        "E": rng.normal(0, 1.0, (v, e)),
        "W1": rng.normal(0, 1.0 / np.sqrt(c * e), (c * e, h)),
        "b1": np.zeros(h),
        "W2": rng.normal(0, 1.0 / np.sqrt(h), (h, v)),
        "b2": np.zeros(v),
    }
    moments = {k: (np.zeros_like(p), np.zeros_like(p)) for k, p in params.items()}
    relu = cfg["activation"] == "relu"

    def forward(x):
        emb = params["E"][x].reshape(len(x), c * e)
        pre = emb @ params["W1"] + params["b1"]
        hid = np.maximum(pre, 0) if relu else np.tanh(pre)
        logits = hid @ params["W2"] + params["b2"]
        logits -= logits.max(axis=1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        return emb, pre, hid, logp

    def windows(data, starts):
        x = np.stack([data[starts + i] for i in range(c)], axis=1)
        return x, data[starts + c]

    started = time.perf_counter()
    lr, b1, b2 = float(cfg["lr"]), 0.9, 0.999
    for step in range(1, int(cfg["steps"]) + 1):
        x, y = windows(train, rng.integers(0, len(train) - c, int(cfg["batch"])))
        emb, pre, hid, logp = forward(x)
        n = len(y)
        dlogits = np.exp(logp)
        dlogits[np.arange(n), y] -= 1
        dlogits /= n
        grads = {"W2": hid.T @ dlogits, "b2": dlogits.sum(0)}
        dhid = dlogits @ params["W2"].T
        dpre = dhid * (pre > 0) if relu else dhid * (1 - hid**2)
        grads["W1"] = emb.T @ dpre
        grads["b1"] = dpre.sum(0)
        demb = (dpre @ params["W1"].T).reshape(n, c, e)
        grads["E"] = np.zeros_like(params["E"])
        np.add.at(grads["E"], x, demb)
        for k, g in grads.items():
            m, s = moments[k]
            m *= b1
            m += (1 - b1) * g
            s *= b2
            s += (1 - b2) * g * g
            params[k] -= lr * (m / (1 - b1**step)) / (np.sqrt(s / (1 - b2**step)) + 1e-8)
        if not np.isfinite(params["W2"]).all():
            raise FloatingPointError(f"the weights diverged at step {step}")

    # Bits per character on fixed, evenly spaced windows of the held-out text.
    starts = np.linspace(0, len(val) - c - 1, min(VAL_WINDOWS, len(val) - c), dtype=np.int64)
    nll = 0.0
    for chunk in np.array_split(starts, max(1, len(starts) // 4096)):
        x, y = windows(val, chunk)
        nll -= forward(x)[3][np.arange(len(y)), y].sum()
    bpb = nll / len(starts) / np.log(2)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "val_bpb": float(bpb),
        "peak_memory_gb": peak_kb / 1024 / 1024,
        "seconds": time.perf_counter() - started,
    }


def main(argv: list[str]) -> int:
    cfg = dict(DEFAULTS)
    if len(argv) > 1:
        overrides = json.loads(argv[1])
        unknown = set(overrides) - set(DEFAULTS)
        if unknown:
            print(f"train.py: unknown settings {sorted(unknown)}; known: {sorted(DEFAULTS)}", file=sys.stderr)
            return 2
        cfg.update(overrides)
    result = run(cfg)
    print("---")
    for k, v in result.items():
        print(f"{k}: {v:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
