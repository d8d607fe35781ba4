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
# Prints the Python to build against on its last line, and one line on
# stderr saying what it installed or reused. What the installers print goes
# to OPBENCH_SETUP_LOG (default: a temporary file); on failure its tail is
# shown with its name.
set -euo pipefail

setup_log="${OPBENCH_SETUP_LOG:-$(mktemp -t opbench-setup.XXXXXX)}"
mkdir -p "$(dirname "$setup_log")"
: >"$setup_log"
installed=()
log() { echo "setup: $*" >>"$setup_log"; }
# Runs an installer with its output in the log; on failure, says where the log is.
quietly() {
  if ! "$@" >>"$setup_log" 2>&1; then
    echo "setup: failed: $* (full log: $setup_log); its last lines:" >&2
    tail -n 20 "$setup_log" >&2
    return 1
  fi
}

install_system_packages() {
  local missing=()
  command -v cmake >/dev/null || missing+=(cmake)
  command -v ninja >/dev/null || missing+=(ninja-build)
  command -v g++ >/dev/null || missing+=(g++)
  command -v ccache >/dev/null || missing+=(ccache)
  [ -f /usr/include/nlohmann/json.hpp ] || missing+=(nlohmann-json3-dev)
  [ -f /usr/include/gtest/gtest.h ] || missing+=(libgtest-dev)
  # Gloo's headers, which PyTorch's wheels leave out: the cpu backend's collectives build on them.
  [ -f /usr/include/gloo/algorithm.h ] || missing+=(libgloo-dev)
  # The history (docs/history.md): SQLite and PostgreSQL's client library; the
  # PostgreSQL server, which the store tests start on a loopback port.
  [ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)  # gzipped result files (docs/results)
  [ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
  [ -f /usr/include/postgresql/libpq-fe.h ] || missing+=(libpq-dev)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
  python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
  # For the report tests: a browser that opens the HTML report, and the SVG-to-PNG converter of the charts.
  command -v chromium >/dev/null || missing+=(chromium)
  command -v rsvg-convert >/dev/null || missing+=(librsvg2-bin)
  [ ${#missing[@]} -eq 0 ] && return
  if ! command -v apt-get >/dev/null; then
    echo "setup: missing ${missing[*]} and no apt-get here: install them with your package manager" >&2
    exit 1
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  log "installing ${missing[*]}"
  quietly $sudo apt-get update -qq
  quietly env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
  installed+=("${missing[@]}")
}

# Sets py: the Python to build against.
python_environment() {
  if [ -n "${OPBENCH_PYTHON:-}" ]; then
    py="$OPBENCH_PYTHON"
    return
  fi
  local venv="${OPBENCH_VENV:-$HOME/.opbench/venv}"
  local mlx_default="mlx[cpu]==0.32.4"
  [ "$(uname)" = Darwin ] && mlx_default="mlx==0.32.4"
  if [ ! -x "$venv/bin/python" ]; then
    log "creating the Python environment $venv"
    quietly python3 -m venv "$venv"
  fi
  py="$venv/bin/python"
  if ! "$py" -c 'import torch' 2>/dev/null; then
    echo "setup: installing ${OPBENCH_TORCH:-torch==2.11.0} into $venv (about 3 GB, once for every clone)" >&2
    quietly "$py" -m pip install -q "${OPBENCH_TORCH:-torch==2.11.0}"
    installed+=("${OPBENCH_TORCH:-torch==2.11.0}")
  fi
  if ! "$py" -m mlx --cmake-dir >/dev/null 2>&1; then
    log "installing ${OPBENCH_MLX:-$mlx_default} into $venv"
    if "$py" -m pip install -q "${OPBENCH_MLX:-$mlx_default}" >>"$setup_log" 2>&1; then
      installed+=("${OPBENCH_MLX:-$mlx_default}")
    else
      echo "setup: MLX could not be installed: the MLX backends will be left out (log: $setup_log)" >&2
    fi
  fi
}

[ "$(uname)" = Darwin ] || install_system_packages
python_environment  # sets py
versions=$("$py" -c 'import importlib.metadata as m
out = []
for name in ("torch", "mlx"):
    try: out.append(name + " " + m.version(name))
    except Exception: pass
print(", ".join(out))' 2>/dev/null || true)
if [ ${#installed[@]} -eq 0 ]; then
  echo "setup: reused $py (${versions:-no torch, no mlx}) and the system packages" >&2
else
  echo "setup: installed ${installed[*]}; using $py (${versions}); log: $setup_log" >&2
fi
echo "$py"
