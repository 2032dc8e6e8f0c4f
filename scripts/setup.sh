#!/usr/bin/env bash
# Installs the Debian packages the test suites use, once. Each suite adds
# its own list in <suite>/apt-packages.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t wanted < <(cat ./*/apt-packages.txt 2>/dev/null | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
