#!/usr/bin/env python3
"""Trains the learned extractor's heads on SciERC train, selects on SciERC dev, writes
extract/models/scierc-heads.bin.

Input: the token states `examples/scierc_states.rs` wrote (the embedding model's last hidden
state for every word piece of every SciERC window, exactly as ingest computes them), and the
SciERC files for the gold labels. Run through `scripts/train-extractor.sh`, which makes both.

The heads (the same arithmetic as extract/src/learned/):
- entities: every span of 1..max_width whole words is classified into none or one of SciERC's
  six labels from relu(S h_first + E h_last + M mean(h) + B h_before + A h_after + width + b),
  then a linear layer; spans are kept greedily by probability, never overlapping;
- relations: every ordered pair (a, b) of entities of one sentence is classified into none or one
  of the seven labels from relu(A1 u_a + A2 u_b + C [mean; max](G h between) + type1 + type2
  + typepair + distance + b), then a linear layer; u = [h_first; h_last; mean(h)] of a span, G
  projects every piece to a few dimensions (--relation-gap) before the pieces between the two
  spans are pooled, and the distance bucket is counted apart for pairs whose arg1 comes after
  arg2 (direction is what USED-FOR and most labels turn on).

Training uses train only: the entity head on gold spans; the relation head on the pairs of the
gold entities and also (unless --relation-predicted 0) on the pairs of the entity head's own
predictions on train. Both heads keep a moving average of their weights, which is what is scored
and shipped. Dev chooses the epoch of each head and the two "none" biases; its figures are
therefore development figures, not held-out ones. numpy only, seeded: the same inputs give the
same file.
"""

import argparse
import hashlib
import json
import struct
import sys
import time
from pathlib import Path

import numpy as np

ENT_LABELS = ["Task", "Method", "Metric", "Material", "OtherScientificTerm", "Generic"]
REL_LABELS = ["USED-FOR", "EVALUATE-FOR", "FEATURE-OF", "PART-OF", "HYPONYM-OF", "COMPARE", "CONJUNCTION"]
SYMMETRIC = {"COMPARE", "CONJUNCTION"}
DIST_BUCKETS = 8


def distance_bucket(words):
    if words <= 4:
        return words
    if words <= 7:
        return 5
    if words <= 15:
        return 6
    return 7


def reconstruct(doc):
    """Tokens joined by spaces, sentences by a blank line; byte offsets of each token, and the
    sentence of each token (as extract/src/eval/scierc.rs)."""
    parts, offsets, sent_of = [], [], []
    pos = 0
    for si, s in enumerate(doc["sentences"]):
        if si > 0:
            parts.append("\n\n")
            pos += 2
        for ti, t in enumerate(s):
            if ti > 0:
                parts.append(" ")
                pos += 1
            b = t.encode("utf-8")
            offsets.append((pos, pos + len(b)))
            sent_of.append(si)
            parts.append(t)
            pos += len(b)
    return "".join(parts), offsets, sent_of


def load_split(scierc_dir, split):
    docs = [json.loads(line) for line in open(scierc_dir / f"{split}.json") if line.strip()]
    out = []
    for d in docs:
        _, offsets, sent_of = reconstruct(d)
        ents = {}
        for a, b, label in (e for s in d.get("ner", []) for e in s):
            ents[(offsets[a][0], offsets[b][1])] = (label, sent_of[a])
        rels = set()
        for a, b, c, e, label in (r for s in d.get("relations", []) for r in s):
            x, y = (offsets[a][0], offsets[b][1]), (offsets[c][0], offsets[e][1])
            if label in SYMMETRIC and y < x:
                x, y = y, x
            rels.add((x, y, label))
        out.append({"key": d.get("doc_key", ""), "ents": ents, "rels": rels})
    return out


class Window:
    """One window's pieces, words and candidate spans."""

    def __init__(self, rec, states, max_width):
        self.doc = rec["doc"]
        self.start = rec["start"]
        text = rec["text"].encode("utf-8")
        self.offsets = [(s + self.start, e + self.start) for s, e in rec["offsets"]]
        n = len(self.offsets)
        self.h = states[rec["row"]:rec["row"] + n]
        words = []
        for i, c in enumerate(rec["continues"]):
            if words and c and self.offsets[i][0] == self.offsets[words[-1][1]][1]:
                words[-1][1] = i
            else:
                words.append([i, i])
        self.words = words
        # sentence of each word: a blank line in the text between two words starts a new one
        sent, s = [], 0
        for k, (p, _) in enumerate(words):
            if k > 0:
                gap = text[self.offsets[words[k - 1][1]][1] - self.start:self.offsets[p][0] - self.start]
                if gap.count(b"\n") >= 2:
                    s += 1
            sent.append(s)
        self.word_sent = sent
        spans = [(i, j) for i in range(len(words)) for j in range(i, min(len(words), i + max_width))]
        self.span_words = np.array(spans, dtype=np.int64).reshape(-1, 2)
        self.span_first = np.array([words[i][0] for i, _ in spans], dtype=np.int64)
        self.span_last = np.array([words[j][1] for _, j in spans], dtype=np.int64)
        self.span_width = np.array([j - i + 1 for i, j in spans], dtype=np.int64)
        self.span_bytes = [(self.offsets[words[i][0]][0], self.offsets[words[j][1]][1]) for i, j in spans]


def attach_gold(win, doc):
    """Labels of the window's candidate spans (0 = none); gold entities of the window that no
    candidate reaches are counted."""
    index = {b: k for k, b in enumerate(win.span_bytes)}
    y = np.zeros(len(win.span_bytes), dtype=np.int64)
    lo, hi = win.offsets[0][0], win.offsets[-1][1]
    missed = 0
    for (s, e), (label, _) in doc["ents"].items():
        if s < lo or e > hi:
            continue
        k = index.get((s, e))
        if k is None:
            missed += 1
        else:
            y[k] = ENT_LABELS.index(label) + 1
    win.y = y
    return missed


class Adam:
    def __init__(self, params, lr, wd=0.0):
        self.p, self.lr, self.wd, self.t = params, lr, wd, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, grads):
        self.t += 1
        b1, b2 = 0.9, 0.999
        for k, g in grads.items():
            if self.wd and self.p[k].ndim == 2:
                g = g + self.wd * self.p[k]
            self.m[k] = b1 * self.m[k] + (1 - b1) * g
            self.v[k] = b2 * self.v[k] + (1 - b2) * g * g
            mh = self.m[k] / (1 - b1 ** self.t)
            vh = self.v[k] / (1 - b2 ** self.t)
            self.p[k] -= self.lr * mh / (np.sqrt(vh) + 1e-8)


def softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------- entities


def ent_forward(p, win, hid, dropout=0.0, rng=None):
    proj = win.h @ p["ent.token"].T  # pieces × 5·hid: first, last, mean, before, after
    ps, pe, pm = proj[:, :hid], proj[:, hid:2 * hid], proj[:, 2 * hid:3 * hid]
    # the piece before the span and the one after it (a zero row past either end)
    zero = np.zeros((1, hid), dtype=np.float32)
    pb = np.vstack([zero, proj[:, 3 * hid:4 * hid]])  # row f is piece f - 1
    pa = np.vstack([proj[:, 4 * hid:], zero])  # row l + 1 is piece l + 1
    cum = np.vstack([np.zeros((1, hid), dtype=np.float32), np.cumsum(pm, axis=0)])
    f, l, w = win.span_first, win.span_last, win.span_width
    lens = (l + 1 - f).astype(np.float32)[:, None]
    mean = (cum[l + 1] - cum[f]) / lens
    pre = ps[f] + pe[l] + mean + pb[f] + pa[l + 1] + p["ent.width"][w] + p["ent.bias"]
    z = np.maximum(pre, 0)
    mask = None
    if dropout > 0:
        mask = (rng.random(z.shape) >= dropout).astype(np.float32) / (1 - dropout)
        z = z * mask
    logits = z @ p["ent.out"].T + p["ent.out_bias"]
    return logits, (proj, pre, z, mask, lens)


def ent_backward(p, win, hid, cache, dlogits):
    proj, pre, z, mask, lens = cache
    f, l, w = win.span_first, win.span_last, win.span_width
    g = {"ent.out": dlogits.T @ z, "ent.out_bias": dlogits.sum(0)}
    dz = dlogits @ p["ent.out"]
    if mask is not None:
        dz = dz * mask
    dpre = dz * (pre > 0)
    g["ent.bias"] = dpre.sum(0)
    dw = np.zeros_like(p["ent.width"])
    np.add.at(dw, w, dpre)
    g["ent.width"] = dw
    n = proj.shape[0]
    dproj = np.zeros_like(proj)
    np.add.at(dproj[:, :hid], f, dpre)
    np.add.at(dproj[:, hid:2 * hid], l, dpre)
    dm = dpre / lens
    diff = np.zeros((n + 1, hid), dtype=np.float32)
    np.add.at(diff, f, dm)
    np.add.at(diff, l + 1, -dm)
    dproj[:, 2 * hid:3 * hid] = np.cumsum(diff, axis=0)[:n]
    db = np.zeros((n + 1, hid), dtype=np.float32)
    np.add.at(db, f, dpre)
    dproj[:, 3 * hid:4 * hid] = db[1:]
    da = np.zeros((n + 1, hid), dtype=np.float32)
    np.add.at(da, l + 1, dpre)
    dproj[:, 4 * hid:] = da[:n]
    g["ent.token"] = dproj.T @ win.h
    return g


def ent_decode(logits, win, none_bias):
    lg = logits.copy()
    lg[:, 0] += none_bias
    pr = softmax(lg)
    best = pr.argmax(1)
    cands = [(pr[k, best[k]], k) for k in np.nonzero(best > 0)[0]]
    cands.sort(key=lambda c: (-c[0], win.span_words[c[1]][0], win.span_words[c[1]][1]))
    taken = np.zeros(len(win.words), dtype=bool)
    out = []
    for prob, k in cands:
        i, j = win.span_words[k]
        if taken[i:j + 1].any():
            continue
        taken[i:j + 1] = True
        out.append((win.span_bytes[k], ENT_LABELS[best[k] - 1], int(i), int(j)))
    out.sort()
    return out


def f1(correct, pred, gold):
    p = correct / pred if pred else 0.0
    r = correct / gold if gold else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def ent_scores(preds_by_doc, docs, typed=True):
    correct = pred = gold = 0
    for d, doc in enumerate(docs):
        g = {(s, lab if typed else "") for s, (lab, _) in doc["ents"].items()}
        gold += len(g)
        ps = preds_by_doc.get(d, [])
        pred += len(ps)
        correct += sum((b, lab if typed else "") in g for b, lab, _, _ in ps)
    return f1(correct, pred, gold)


class Average:
    """An exponential moving average of the weights of one head, updated after every step: the
    averaged weights are the ones scored on dev and shipped (steadier than the last step's)."""

    def __init__(self, params, decay):
        self.decay = decay
        self.p = {k: v.copy() for k, v in params.items()}

    def update(self, params):
        for k in self.p:
            self.p[k] = self.decay * self.p[k] + (1 - self.decay) * params[k]


def train_entities(p, train, dev, docs_dev, hid, epochs, lr, seed, log, ema):
    rng = np.random.default_rng(seed)
    opt = Adam({k: v for k, v in p.items() if k.startswith("ent.")}, lr, wd=1e-5)
    avg = Average(opt.p, ema)
    best = (-1, None, None)
    for ep in range(epochs):
        opt.lr = lr * (1.0 - 0.9 * ep / max(epochs - 1, 1))
        order = rng.permutation(len(train))
        loss_sum, n_sum = 0.0, 0
        for bstart in range(0, len(order), 2):
            grads = None
            count = 0
            for wi in order[bstart:bstart + 2]:
                win = train[wi]
                logits, cache = ent_forward(p, win, hid, dropout=0.2, rng=rng)
                pr = softmax(logits)
                yv = win.y
                loss_sum += -np.log(pr[np.arange(len(yv)), yv] + 1e-12).sum()
                n_sum += len(yv)
                d = pr
                d[np.arange(len(yv)), yv] -= 1
                g = ent_backward(p, win, hid, cache, d)
                grads = g if grads is None else {k: grads[k] + g[k] for k in g}
                count += len(yv)
            opt.step({k: v / count for k, v in grads.items()})
            avg.update(opt.p)
        bias, score = tune_ent_bias(avg.p, dev, docs_dev, hid)
        log(f"entities epoch {ep + 1}: train loss {loss_sum / n_sum:.4f}, dev typed exact F1 {score * 100:.2f} (averaged weights, none bias {bias:+.1f})")
        if score > best[0]:
            best = (score, {k: v.copy() for k, v in avg.p.items()}, bias)
    p.update(best[1])
    return best[2], best[0]


def tune_ent_bias(p, dev, docs_dev, hid):
    logits = [ent_forward(p, w, hid)[0] for w in dev]
    best = (0.0, -1.0)
    for bias in np.arange(-5.0, 2.01, 0.5):
        preds = {}
        for w, lg in zip(dev, logits):
            preds.setdefault(w.doc, []).extend(ent_decode(lg, w, bias))
        s = ent_scores(preds, docs_dev)[0]
        if s > best[1]:
            best = (float(bias), s)
    return best


# ---------------------------------------------------------------- relations


def pair_features(win, ents):
    """Ents: list of (bytes, label, first word, last word), sorted by start. Returns a dict:
    per entity u = [first; last; mean] of its pieces; per ordered pair (a, b) of one sentence,
    the pieces between the two spans (gs..ge, empty when they touch) and the distance bucket,
    shifted by DIST_BUCKETS when arg1 comes after arg2; each entity's label index; and the
    window's states."""
    h = win.h
    d = h.shape[1]
    u = np.zeros((len(ents), 3 * d), dtype=np.float32)
    for k, (_, _, i, j) in enumerate(ents):
        s, t = win.words[i][0], win.words[j][1]
        u[k, :d] = h[s]
        u[k, d:2 * d] = h[t]
        u[k, 2 * d:] = h[s:t + 1].mean(0)
    pairs, gaps, buckets = [], [], []
    for a in range(len(ents)):
        for b in range(len(ents)):
            if a == b or win.word_sent[ents[a][2]] != win.word_sent[ents[b][2]]:
                continue
            first, second = (a, b) if a < b else (b, a)
            gs, ge = win.words[ents[first][3]][1] + 1, win.words[ents[second][2]][0]
            gaps.append((gs, max(gs, ge)))
            bucket = distance_bucket(max(0, ents[second][2] - ents[first][3] - 1))
            buckets.append(bucket + (DIST_BUCKETS if a > b else 0))
            pairs.append((a, b))
    return {
        "h": h,
        "u": u,
        "pairs": np.array(pairs, dtype=np.int64).reshape(-1, 2),
        "gaps": np.array(gaps, dtype=np.int64).reshape(-1, 2),
        "buckets": np.array(buckets, dtype=np.int64),
        "types": np.array([ENT_LABELS.index(e[1]) + 1 for e in ents], dtype=np.int64),
    }


NENT = len(ENT_LABELS) + 1


def gap_pool(g, gaps):
    """[mean; max] of the rows gs..ge of g for every (gs, ge) of gaps; zeros for an empty gap."""
    n, k = g.shape
    lens = gaps[:, 1] - gaps[:, 0]
    width = max(1, int(lens.max()) if len(lens) else 1)
    idx = np.minimum(gaps[:, :1] + np.arange(width)[None, :], n - 1)
    valid = np.arange(width)[None, :] < lens[:, None]
    rows = g[idx]  # pairs × width × k
    mean = (rows * valid[..., None]).sum(1) / np.maximum(lens, 1)[:, None]
    masked = np.where(valid[..., None], rows, -np.inf)
    top = masked.argmax(1)
    mx = np.take_along_axis(rows, top[:, None, :], 1)[:, 0, :]
    mx[lens == 0] = 0
    return np.concatenate([mean, mx], 1).astype(np.float32), (idx, valid, top, lens)


def gap_pool_backward(dpool, cache, n):
    """The gradient of gap_pool's input rows (n × k) from the gradient of its output."""
    idx, valid, top, lens = cache
    k = dpool.shape[1] // 2
    dg = np.zeros((n, k), dtype=np.float32)
    pr, pc = np.nonzero(valid)
    np.add.at(dg, idx[pr, pc], dpool[pr, :k] / np.maximum(lens[pr], 1)[:, None])
    some = np.nonzero(lens > 0)[0]
    rows = np.take_along_axis(idx[some], top[some], 1)  # pairs × k: the row each maximum came from
    cols = np.broadcast_to(np.arange(k)[None, :], rows.shape)
    np.add.at(dg, (rows.ravel(), cols.ravel()), dpool[some, k:].ravel())
    return dg


def rel_forward(p, f, hid, dropout=0.0, rng=None):
    a, b = f["pairs"][:, 0], f["pairs"][:, 1]
    t = f["types"]
    args = f["u"] @ p["rel.arg"].T
    pooled, pool_cache = gap_pool(f["h"] @ p["rel.gap"].T, f["gaps"])
    pre = (args[a, :hid] + args[b, hid:] + pooled @ p["rel.between"].T
           + p["rel.type1"][t[a]] + p["rel.type2"][t[b]] + p["rel.typepair"][t[a] * NENT + t[b]]
           + p["rel.distance"][f["buckets"]] + p["rel.bias"])
    z = np.maximum(pre, 0)
    mask = None
    if dropout > 0:
        mask = (rng.random(z.shape) >= dropout).astype(np.float32) / (1 - dropout)
        z = z * mask
    return z @ p["rel.out"].T + p["rel.out_bias"], (pre, z, mask, pooled, pool_cache)


def rel_backward(p, f, hid, cache, dlogits):
    pre, z, mask, pooled, pool_cache = cache
    a, b = f["pairs"][:, 0], f["pairs"][:, 1]
    t = f["types"]
    g = {"rel.out": dlogits.T @ z, "rel.out_bias": dlogits.sum(0)}
    dz = dlogits @ p["rel.out"]
    if mask is not None:
        dz = dz * mask
    dpre = dz * (pre > 0)
    g["rel.bias"] = dpre.sum(0)
    g["rel.between"] = dpre.T @ pooled
    g["rel.gap"] = gap_pool_backward(dpre @ p["rel.between"], pool_cache, len(f["h"])).T @ f["h"]
    for name, idx in (("rel.type1", t[a]), ("rel.type2", t[b]), ("rel.typepair", t[a] * NENT + t[b]),
                      ("rel.distance", f["buckets"])):
        m = np.zeros_like(p[name])
        np.add.at(m, idx, dpre)
        g[name] = m
    dargs = np.zeros((len(t), 2 * hid), dtype=np.float32)
    np.add.at(dargs[:, :hid], a, dpre)
    np.add.at(dargs[:, hid:], b, dpre)
    g["rel.arg"] = dargs.T @ f["u"]
    return g


def rel_labels(doc, ents, pairs):
    """The gold label of every ordered pair among `ents` (0 = none)."""
    y = np.zeros(len(pairs), dtype=np.int64)
    for k, (a, b) in enumerate(pairs):
        x, z = ents[a][0], ents[b][0]
        for label in REL_LABELS:
            key = (min(x, z), max(x, z), label) if label in SYMMETRIC else (x, z, label)
            if key in doc["rels"]:
                y[k] = REL_LABELS.index(label) + 1
    return y


def gold_ents(win, doc):
    out = []
    for k in np.nonzero(win.y > 0)[0]:
        i, j = win.span_words[k]
        out.append((win.span_bytes[k], ENT_LABELS[win.y[k] - 1], int(i), int(j)))
    out.sort()
    # nested gold entities: keep the outer ones, as the entity head never returns overlaps
    flat = []
    for e in sorted(out, key=lambda e: (e[0][0], -e[0][1])):
        if flat and e[0][0] < flat[-1][0][1]:
            continue
        flat.append(e)
    return flat


def rel_decode(logits, pairs, ents, none_bias):
    lg = logits.copy()
    lg[:, 0] += none_bias
    pr = softmax(lg)
    best = pr.argmax(1)
    out = set()
    for k in np.nonzero(best > 0)[0]:
        a, b = pairs[k]
        label = REL_LABELS[best[k] - 1]
        x, z = ents[a][0], ents[b][0]
        out.add((min(x, z), max(x, z), label) if label in SYMMETRIC else (x, z, label))
    return out


def rel_scores(preds_by_doc, docs):
    correct = pred = gold = 0
    for d, doc in enumerate(docs):
        gold += len(doc["rels"])
        ps = preds_by_doc.get(d, set())
        pred += len(ps)
        correct += len(ps & doc["rels"])
    return f1(correct, pred, gold)


def rel_examples(win, doc, ents):
    """Features and gold labels of every ordered pair among `ents`."""
    f = pair_features(win, ents)
    return f, rel_labels(doc, ents, f["pairs"])


def train_relations(p, train_ex, dev_pred, docs_dev, hid, epochs, lr, seed, log, dropout, wd, ema):
    rng = np.random.default_rng(seed + 1)
    opt = Adam({k: v for k, v in p.items() if k.startswith("rel.")}, lr, wd=wd)
    avg = Average(opt.p, ema)
    best = (-1, None, None)
    for ep in range(epochs):
        opt.lr = lr * (1.0 - 0.9 * ep / max(epochs - 1, 1))
        order = rng.permutation(len(train_ex))
        loss_sum, n_sum = 0.0, 0
        for bstart in range(0, len(order), 4):
            grads, count = None, 0
            for wi in order[bstart:bstart + 4]:
                f, y = train_ex[wi]
                if len(y) == 0:
                    continue
                logits, cache = rel_forward(p, f, hid, dropout=dropout, rng=rng)
                pr = softmax(logits)
                loss_sum += -np.log(pr[np.arange(len(y)), y] + 1e-12).sum()
                n_sum += len(y)
                pr[np.arange(len(y)), y] -= 1
                g = rel_backward(p, f, hid, cache, pr)
                grads = g if grads is None else {k: grads[k] + g[k] for k in g}
                count += len(y)
            if grads:
                opt.step({k: v / count for k, v in grads.items()})
                avg.update(opt.p)
        bias, score = tune_rel_bias(avg.p, dev_pred, docs_dev, hid)
        log(f"relations epoch {ep + 1}: train loss {loss_sum / max(n_sum, 1):.4f}, dev strict F1 end to end {score * 100:.2f} (averaged weights, none bias {bias:+.1f})")
        if score > best[0]:
            best = (score, {k: v.copy() for k, v in avg.p.items()}, bias)
    p.update(best[1])
    return best[2], best[0]


def tune_rel_bias(p, dev_pred, docs_dev, hid):
    logits = [rel_forward(p, f, hid)[0] if len(f["pairs"]) else None for _, _, f in dev_pred]
    best = (0.0, -1.0)
    for bias in np.arange(-5.0, 2.01, 0.5):
        preds = {}
        for (doc_index, ents, f), lg in zip(dev_pred, logits):
            if lg is not None:
                preds.setdefault(doc_index, set()).update(rel_decode(lg, f["pairs"], ents, bias))
        s = rel_scores(preds, docs_dev)[0]
        if s > best[1]:
            best = (float(bias), s)
    return best


# ---------------------------------------------------------------- file


def write_heads(path, name, params, tensors, model_sha256):
    entries, data, off = [], bytearray(), 0
    for tname, arr in tensors:
        raw = np.ascontiguousarray(arr, dtype="<f2").tobytes()
        entries.append({"name": tname, "shape": list(arr.shape), "dtype": "f16", "offset": off})
        data += raw
        off += len(raw)
    header = {"name": name, "model_sha256": model_sha256, "params": params, "tensors": entries}
    header = json.dumps(header, sort_keys=True).encode()
    blob = b"HYPHEADS" + struct.pack("<I", len(header)) + header + bytes(data)
    Path(path).write_bytes(blob)
    return hashlib.sha256(blob).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scierc", type=Path, required=True)
    ap.add_argument("--states", type=Path, required=True, help="folder examples/scierc_states.rs wrote")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--max-width", type=int, default=10)
    ap.add_argument("--entity-hidden", type=int, default=256)
    ap.add_argument("--relation-hidden", type=int, default=256)
    ap.add_argument("--relation-gap", type=int, default=64, help="width the pieces between two entities are projected to before pooling")
    ap.add_argument("--entity-epochs", type=int, default=20)
    ap.add_argument("--relation-epochs", type=int, default=15)
    ap.add_argument("--entity-ema", type=float, default=0.995, help="decay of the entity weights' moving average (per step)")
    ap.add_argument("--relation-ema", type=float, default=0.99, help="decay of the relation weights' moving average (per step)")
    ap.add_argument("--relation-predicted", type=int, default=1,
                    help="also train relations on the entity head's own predictions on train (1) or on gold entities only (0)")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--relation-dropout", type=float, default=0.5)
    ap.add_argument("--relation-weight-decay", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args()
    started = time.time()

    def log(msg):
        print(f"[{time.time() - started:6.0f} s] {msg}", flush=True)

    recs = [json.loads(l) for l in open(args.states / "windows.jsonl")]
    dim = 384
    states = np.fromfile(args.states / "states.f32", dtype="<f4").reshape(-1, dim)
    # standardise every state dimension on train (the file carries the shift and scale)
    train_rows = np.concatenate([np.arange(r["row"], r["row"] + len(r["offsets"])) for r in recs if r["split"] == "train"])
    mu = states[train_rows].mean(0)
    sd = states[train_rows].std(0)
    scale = np.where(sd > 1e-4, 1.0 / np.maximum(sd, 1e-4), 0.0).astype(np.float32)
    mu = mu.astype(np.float16).astype(np.float32)
    scale = scale.astype(np.float16).astype(np.float32)
    states = ((states - mu) * scale).astype(np.float32)
    docs = {"train": load_split(args.scierc, "train"), "dev": load_split(args.scierc, "dev")}
    wins = {"train": [], "dev": []}
    missed = {"train": 0, "dev": 0}
    for r in recs:
        w = Window(r, states, args.max_width)
        missed[r["split"]] += attach_gold(w, docs[r["split"]][w.doc])
        wins[r["split"]].append(w)
    for split in ("train", "dev"):
        gold = sum(len(d["ents"]) for d in docs[split])
        trunc = sum(r["truncated"] for r in recs if r["split"] == split)
        log(f"{split}: {len(wins[split])} windows ({trunc} truncated), {gold} gold entities, {missed[split]} not reachable as spans of <= {args.max_width} words")

    rng = np.random.default_rng(args.seed)
    eh, rh, gk, d = args.entity_hidden, args.relation_hidden, args.relation_gap, dim

    def init(shape, fan_in):
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    p = {
        "ent.token": init((5 * eh, d), d),
        "ent.width": np.zeros((args.max_width + 1, eh), dtype=np.float32),
        "ent.bias": np.zeros(eh, dtype=np.float32),
        "ent.out": init((7, eh), eh),
        "ent.out_bias": np.zeros(7, dtype=np.float32),
        "rel.arg": init((2 * rh, 3 * d), 3 * d),
        "rel.gap": init((gk, d), d) * 0.5,
        "rel.between": init((rh, 2 * gk), 2 * gk),
        "rel.type1": np.zeros((NENT, rh), dtype=np.float32),
        "rel.type2": np.zeros((NENT, rh), dtype=np.float32),
        "rel.typepair": np.zeros((NENT * NENT, rh), dtype=np.float32),
        "rel.distance": np.zeros((2 * DIST_BUCKETS, rh), dtype=np.float32),
        "rel.bias": np.zeros(rh, dtype=np.float32),
        "rel.out": init((8, rh), rh),
        "rel.out_bias": np.zeros(8, dtype=np.float32),
    }
    ent_bias, ent_f1 = train_entities(p, wins["train"], wins["dev"], docs["dev"], eh, args.entity_epochs, args.lr, args.seed, log,
                                      args.entity_ema)
    log(f"entities: chose dev typed exact F1 {ent_f1 * 100:.2f} at none bias {ent_bias:+.1f}")
    # the file holds f16: the relation head trains and is scored on the rounded entity head, as
    # the Rust heads will run it
    for k in p:
        if k.startswith("ent."):
            p[k] = p[k].astype(np.float16).astype(np.float32)

    def predicted(w):
        return ent_decode(ent_forward(p, w, eh)[0], w, ent_bias)

    train_ex = [rel_examples(w, docs["train"][w.doc], gold_ents(w, docs["train"][w.doc])) for w in wins["train"]]
    if args.relation_predicted:
        # the pairs the relation head meets at inference: among the entity head's own findings,
        # spurious spans and wrong boundaries included (on train they are closer to gold than
        # on unseen text, but the pairs with a wrong span are the ones gold entities never show)
        train_ex += [rel_examples(w, docs["train"][w.doc], predicted(w)) for w in wins["train"]]
    dev_pred = []
    for w in wins["dev"]:
        ents = predicted(w)
        dev_pred.append((w.doc, ents, pair_features(w, ents)))
    rel_bias, rel_f1 = train_relations(p, train_ex, dev_pred, docs["dev"], rh, args.relation_epochs, args.lr, args.seed, log,
                                       args.relation_dropout, args.relation_weight_decay, args.relation_ema)
    log(f"relations: chose dev strict F1 {rel_f1 * 100:.2f} at none bias {rel_bias:+.1f}")

    for k in p:
        p[k] = p[k].astype(np.float16).astype(np.float32)
    preds, rpreds = {}, {}
    for w in wins["dev"]:
        ents = predicted(w)
        preds.setdefault(w.doc, []).extend(ents)
        f = pair_features(w, ents)
        if len(f["pairs"]):
            lg = rel_forward(p, f, rh)[0]
            rpreds.setdefault(w.doc, set()).update(rel_decode(lg, f["pairs"], ents, rel_bias))
    ef, ep, er = ent_scores(preds, docs["dev"])
    log(f"f16 weights, dev: entities untyped exact F1 {ent_scores(preds, docs['dev'], typed=False)[0] * 100:.2f}")
    rf, rp, rr = rel_scores(rpreds, docs["dev"])
    log(f"f16 weights, dev: entities typed exact P {ep * 100:.2f} R {er * 100:.2f} F1 {ef * 100:.2f}; relations strict P {rp * 100:.2f} R {rr * 100:.2f} F1 {rf * 100:.2f}")

    params = {
        "dim": d,
        "max_width": args.max_width,
        "entity_hidden": eh,
        "relation_hidden": rh,
        "relation_gap": gk,
        "entity_none_bias": ent_bias,
        "relation_none_bias": rel_bias,
        "dev_entity_f1": round(ef * 100, 2),
        "dev_relation_f1": round(rf * 100, 2),
        "seed": args.seed,
        "entity_epochs": args.entity_epochs,
        "relation_epochs": args.relation_epochs,
        "entity_ema": args.entity_ema,
        "relation_ema": args.relation_ema,
        "relation_predicted": args.relation_predicted,
        "relation_dropout": args.relation_dropout,
        "relation_weight_decay": args.relation_weight_decay,
    }
    p["norm.shift"], p["norm.scale"] = mu, scale
    order = ["norm.shift", "norm.scale", "ent.token", "ent.width", "ent.bias", "ent.out", "ent.out_bias", "rel.arg", "rel.gap",
             "rel.between", "rel.type1", "rel.type2", "rel.typepair", "rel.distance", "rel.bias", "rel.out", "rel.out_bias"]
    model = json.loads((args.states / "model.json").read_text())
    sha = write_heads(args.out, "scierc-heads-v2", params, [(k, p[k]) for k in order], model["weights_sha256"])
    log(f"wrote {args.out} ({args.out.stat().st_size} bytes, sha256 {sha})")


if __name__ == "__main__":
    sys.exit(main())
