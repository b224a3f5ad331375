# Sourced by the scripts that need Python packages from PyPI. `new_venv DIR` makes an empty venv
# in DIR (replacing what is there) with an up-to-date pip; Debian ships venv's pip bootstrap apart,
# in python3-venv, which is installed when missing.
new_venv() {
  local dir=$1
  rm -rf "$dir"
  if ! python3 -m venv "$dir" 2>/dev/null; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$dir"
    python3 -m venv "$dir"
  fi
  "$dir/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
}

# `venv_with DIR KEY PIP_ARGS...` makes DIR a venv holding `pip install PIP_ARGS`, unless it was
# made already for KEY (a digest or version of what it should hold; the marker DIR/.installed-KEY).
venv_with() {
  local dir=$1 key=$2
  shift 2
  if [ -f "$dir/.installed-$key" ] && [ -x "$dir/bin/python" ]; then
    return 0
  fi
  echo "== creating $dir ($key)" >&2
  new_venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
  touch "$dir/.installed-$key"
}
