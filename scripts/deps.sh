#!/usr/bin/env bash
# Installs what Braid needs to build and test on Debian 12, and only what is missing: safe to run
# again. Works as root (CI, fresh machines) or through sudo.
set -euo pipefail

packages=(
  g++ cmake make pkg-config git
  libboost-dev libsimdjson-dev libtomlplusplus-dev libcli11-dev libfmt-dev
  libzstd-dev liblz4-dev libxxhash-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
