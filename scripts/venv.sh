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
