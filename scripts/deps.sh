#!/usr/bin/env bash
# Installs what Braid needs to build and test on Debian 12, and only what is missing: safe to run
# again. Works as root (CI, fresh machines) or through sudo.
set -euo pipefail

packages=(
  g++ cmake make pkg-config git lld
  libboost-dev libsimdjson-dev libtomlplusplus-dev libcli11-dev libfmt-dev
  libzstd-dev liblz4-dev libxxhash-dev libsnappy-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-client libpq-dev libssl-dev
  curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js and npm run DuckDB, the tests' oracle. A machine may have them from another package
# (nodesource bundles npm); only what is missing as a command is installed.
command -v node > /dev/null 2>&1 || missing+=(nodejs)
command -v npm > /dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]} > 0)); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# DuckDB as the test oracle (tests/oracle): installed from npm with the lockfile, skipped when
# node_modules is newer than package.json and package-lock.json.
oracle="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/oracle"
installed="$oracle/node_modules/.package-lock.json"  # npm's record of what it installed
if [ ! -f "$installed" ] || [ "$oracle/package-lock.json" -nt "$installed" ] ||
   [ "$oracle/package.json" -nt "$installed" ]; then
  echo "installing the DuckDB oracle in $oracle"
  (cd "$oracle" && npm ci --no-audit --no-fund --loglevel=error)
fi
