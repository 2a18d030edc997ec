#!/usr/bin/env bash
# `make run`: `braid demo` on a local data directory: examples/iot.sql (built into the binary),
# the IoT generator feeding the telemetry stream, capture every 10 s and a batch refresh of every
# view every 30 s. Once it serves, braid prints its HTTP and PostgreSQL addresses and example
# queries that show BATCH, SPEED and MERGED rows. Stop with Ctrl-C.
set -euo pipefail
braid="$1"; data="$2"; http="$3"; pg="${4:-127.0.0.1:5433}"
exec "$braid" demo --data "$data" --http "$http" --pg "$pg"
