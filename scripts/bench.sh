#!/usr/bin/env bash
# Runs every benchmark of a Release build directory; their output is what BENCHMARKS.md quotes.
set -euo pipefail
dir="${1:-build-release}"
for b in "$dir"/bench/*_bench; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
done
