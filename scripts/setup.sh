#!/usr/bin/env bash
# Installs what opbench needs to build, once: Debian packages for the
# compiler and libraries, and a Python environment outside the clone holding
# PyTorch (for LibTorch) and MLX. Later runs find everything and do nothing.
#
#   OPBENCH_VENV    where the environment lives (default: ~/.opbench/venv), shared by every clone
#   OPBENCH_PYTHON  a Python that already has torch (and maybe mlx): used as is, nothing is installed
#   OPBENCH_TORCH   pip requirement for PyTorch (default: torch==2.11.0)
#   OPBENCH_MLX     pip requirement for MLX (default: mlx[cpu]==0.32.4 on Linux, mlx==0.32.4 on macOS)
#
# Prints the Python to build against on its last line.
set -euo pipefail

log() { echo "setup: $*" >&2; }

install_system_packages() {
  local missing=()
  command -v cmake >/dev/null || missing+=(cmake)
  command -v ninja >/dev/null || missing+=(ninja-build)
  command -v g++ >/dev/null || missing+=(g++)
  command -v ccache >/dev/null || missing+=(ccache)
  [ -f /usr/include/nlohmann/json.hpp ] || missing+=(nlohmann-json3-dev)
  [ -f /usr/include/gtest/gtest.h ] || missing+=(libgtest-dev)
  python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
  # For the report tests: a browser that opens the HTML report, and the SVG-to-PNG converter of the charts.
  command -v chromium >/dev/null || missing+=(chromium)
  command -v rsvg-convert >/dev/null || missing+=(librsvg2-bin)
  [ ${#missing[@]} -eq 0 ] && return
  if ! command -v apt-get >/dev/null; then
    log "missing ${missing[*]} and no apt-get here: install them with your package manager"
    exit 1
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  log "installing ${missing[*]}"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
}

python_environment() {
  if [ -n "${OPBENCH_PYTHON:-}" ]; then
    echo "$OPBENCH_PYTHON"
    return
  fi
  local venv="${OPBENCH_VENV:-$HOME/.opbench/venv}"
  local mlx_default="mlx[cpu]==0.32.4"
  [ "$(uname)" = Darwin ] && mlx_default="mlx==0.32.4"
  if [ ! -x "$venv/bin/python" ]; then
    log "creating the Python environment $venv"
    python3 -m venv "$venv" >&2
  fi
  local py="$venv/bin/python"
  if ! "$py" -c 'import torch' 2>/dev/null; then
    log "installing ${OPBENCH_TORCH:-torch==2.11.0} into $venv (about 3 GB, once for every clone)"
    "$py" -m pip install -q "${OPBENCH_TORCH:-torch==2.11.0}" >&2
  fi
  if ! "$py" -m mlx --cmake-dir >/dev/null 2>&1; then
    log "installing ${OPBENCH_MLX:-$mlx_default} into $venv"
    "$py" -m pip install -q "${OPBENCH_MLX:-$mlx_default}" >&2 || log "MLX could not be installed: the MLX backends will be left out"
  fi
  echo "$py"
}

[ "$(uname)" = Darwin ] || install_system_packages
python_environment
