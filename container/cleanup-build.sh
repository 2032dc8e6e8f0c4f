#!/usr/bin/env bash
# Deletes what the image build leaves behind: the staging folder that held
# the tarballs and these scripts, and the package manager's caches. The last
# step of %post in cryosparc.def; the tests run it on a temporary sysroot.
#
# usage: cleanup-build.sh --staging DIR [--sysroot /]
#
#   --staging  the build's staging folder (must lie inside the sysroot)
#   --sysroot  the root file system to clean (default /, as inside the build)
#
# exit: 0 cleaned; 2 usage error
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

staging='' sysroot=/
while [ $# -gt 0 ]; do
  case $1 in
    --staging) staging=${2:-}; shift 2 ;;
    --sysroot) sysroot=${2:-}; shift 2 ;;
    *) cs_die 2 "unknown argument: $1 (usage: cleanup-build.sh --staging DIR [--sysroot /])" ;;
  esac
done
[ -n "$staging" ] || cs_die 2 "usage: cleanup-build.sh --staging DIR [--sysroot /]"
sysroot=$(cd "$sysroot" && pwd)
sys=${sysroot%/}
if [ -d "$staging" ]; then
  staging=$(cd "$staging" && pwd)
  case $staging/ in
    "$sys"/?*/) ;;
    *) cs_die 2 "refusing to delete $staging: not a folder inside $sysroot" ;;
  esac
  rm -rf "$staging"
  cs_say "removed $staging"
fi

for d in "$sys/var/lib/apt/lists" "$sys/var/cache/apt/archives" "$sys/var/cache/dnf" "$sys/var/cache/yum"; do
  if [ -d "$d" ]; then
    find "$d" -mindepth 1 -maxdepth 1 ! -name lock ! -name partial -exec rm -rf {} +
  fi
done
cs_say "package caches cleaned under $sysroot"
