#!/usr/bin/env bash
# Installs what `make sanitize` and `make fuzz` need, once: clang 16 or newer
# (C++20 that clang 14 lacks; libFuzzer and the sanitizer runtimes come with
# it) and the libraries opbench's core and tests build against. No Python
# environment: these builds leave the frameworks out. Later runs find
# everything and do nothing.
#
# Prints the C++ compiler to build with on its last line.
set -euo pipefail

log() { echo "setup-hardening: $*" >&2; }

clang_major() { "$1" --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1; }

find_clang() {
  for cxx in clang++ clang++-19 clang++-18 clang++-17 clang++-16; do
    command -v "$cxx" >/dev/null || continue
    local major
    major=$(clang_major "$cxx")
    [ -n "$major" ] && [ "$major" -ge 16 ] || continue
    # libFuzzer and the sanitizer runtimes are a package of their own on Debian.
    echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' |
      "$cxx" -x c++ -fsanitize=fuzzer,address,undefined -o /dev/null - 2>/dev/null || continue
    command -v "$cxx"
    return 0
  done
  return 1
}

missing=()
command -v cmake >/dev/null || missing+=(cmake)
command -v ninja >/dev/null || missing+=(ninja-build)
[ -f /usr/include/nlohmann/json.hpp ] || missing+=(nlohmann-json3-dev)
[ -f /usr/include/gtest/gtest.h ] || missing+=(libgtest-dev)
cxx=$(find_clang || true)
[ -n "$cxx" ] || missing+=(clang-16 libclang-rt-16-dev)
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    log "missing ${missing[*]} and no apt-get here: install clang 16 or newer with libFuzzer, cmake, ninja, nlohmann-json and gtest"
    exit 1
  fi
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  log "installing ${missing[*]}"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
  cxx=$(find_clang) || { log "clang 16 with libFuzzer is still missing after the install"; exit 1; }
fi
echo "$cxx"
