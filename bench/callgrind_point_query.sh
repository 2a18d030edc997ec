#!/bin/bash
# Instructions per HTTP merged point query (BENCHMARKS.md, "Fewer instructions per merged point
# query"): query_bench --only="HTTP, merged" under callgrind with instrumentation off until the
# 1-client line is printed, then on for 20 s of the 8-client phase; prints the instructions
# counted (whole process, user space), the HttpSession::Dispatch calls in that window, and their
# ratio. The only figure this shared, PMU-less machine measures without noise.
#
#   bench/callgrind_point_query.sh BUILD_DIR/bench/query_bench [OUT_FILE]
set -euo pipefail
bench=$1
out=${2:-/tmp/callgrind.point_query}
rm -f "$out" "$out.log"
# The tuned malloc set here: query_bench would otherwise execute itself again, outside valgrind.
GLIBC_TUNABLES=glibc.malloc.tcache_count=128 stdbuf -oL valgrind --tool=callgrind \
  --instr-atstart=no --callgrind-out-file="$out" "$bench" --only="HTTP, merged" --seconds=30 \
  --skip-pg --skip-redis >"$out.log" 2>&1 &
pid=$!
until grep -q "HTTP, merged .*|       1 |" "$out.log" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || { echo "query_bench ended early: $out.log" >&2; exit 1; }
  sleep 2
done
sleep 3
callgrind_control -i on "$pid" >/dev/null
sleep 20
callgrind_control -i off "$pid" >/dev/null
wait "$pid"
total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
# Calls of HttpSession::Dispatch(): the callgrind file names a function once as "cfn=(id) name",
# later as "cfn=(id)"; each call site's count follows on a "calls=N" line.
requests=$(awk '
  /^c?fn=\(/ {
    id = $1; sub(/^c?fn=/, "", id)
    name = $0; sub(/^c?fn=\([0-9]+\) ?/, "", name)
    if (name != "") names[id] = name
    if ($0 ~ /^cfn=/) callee = names[id]
    next
  }
  /^calls=/ && index(callee, "HttpSession::Dispatch()") { split($0, f, /[= ]/); n += f[2] }
  END { print n + 0 }' "$out")
echo "instructions $total, requests $requests, per request $((total / requests))"
