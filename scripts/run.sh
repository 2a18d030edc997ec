#!/usr/bin/env bash
# `make run`: serve examples/iot.sql from a local data directory and print how to use it.
set -euo pipefail
braid="$1"; data="$2"; http="$3"
cat <<MSG

Braid is starting: data in ./$data, HTTP on http://$http, definitions from examples/iot.sql.

Send events (NDJSON, one JSON object per line):
  curl -s -X POST http://$http/v1/streams/telemetry/events -H 'Content-Type: application/x-ndjson' \\
       --data-binary '{"device_id":"device-00001","event_ts":"2026-11-23T10:00:00Z","temperature":71.5}'
  $braid gen iot --events 100000 | $braid ingest telemetry -
Look around:
  $braid status
  $braid sql "SHOW STREAMS"
  $braid sql "DESCRIBE telemetry"
  curl -s http://$http/v1/status
Stop with Ctrl-C.

MSG
exec "$braid" serve --data "$data" --http "$http" --definitions examples/iot.sql
