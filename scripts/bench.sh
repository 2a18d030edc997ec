#!/usr/bin/env bash
# Runs every benchmark of a Release build directory; their output is what BENCHMARKS.md quotes.
set -euo pipefail
dir="${1:-build-release}"
# redis-server (with redis-benchmark) is query_bench's reference; only benchmarks need it, so it
# is installed here rather than by deps.sh, and only when missing.
if ! command -v redis-server > /dev/null 2>&1 || ! command -v redis-benchmark > /dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "installing: redis-server"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends redis-server
fi
for b in "$dir"/bench/*_bench; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
done
