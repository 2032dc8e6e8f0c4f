#!/usr/bin/env bash
# Installs CryoSPARC's master and worker from the site's tarballs under one
# root, offline and with no license: the first step of the image build
# (called from %post of cryosparc.def, and by the tests with a stand-in
# installer inside synthetic tarballs).
#
# usage: install-cryosparc.sh --master TAR --worker TAR --root DIR
#          [--version X.Y.Z] [--port N] [--dbpath DIR] [--hostname NAME]
#
#   --version   the CryoSPARC version the image is labelled with; checked
#               against cryosparc_master/version in the tarball
#   --port      base port written into the installed config.sh (default
#               61000, outside the range v5 refuses); each session binds its
#               own config.sh with its own port over it
#   --dbpath    database folder written into config.sh (default ROOT/database,
#               created empty as a bind point for the session's database)
#   --hostname  master hostname written into config.sh (default localhost)
#
# The installers get the placeholder license ID from lib.sh: they only record
# it in config.sh, and every session binds a config.sh with the user's own
# license over that file.
#
# exit: 0 installed; 2 usage or fatal error (missing tarball, unexpected
#       layout, no web client, version mismatch, installer failed)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

usage() {
  sed -n '/^# usage:/,/^#   --hostname/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

master_tar='' worker_tar='' root='' version='' port=61000 dbpath='' host=localhost
while [ $# -gt 0 ]; do
  case $1 in
    --master) master_tar=${2:-}; shift 2 || usage ;;
    --worker) worker_tar=${2:-}; shift 2 || usage ;;
    --root) root=${2:-}; shift 2 || usage ;;
    --version) version=${2:-}; shift 2 || usage ;;
    --port) port=${2:-}; shift 2 || usage ;;
    --dbpath) dbpath=${2:-}; shift 2 || usage ;;
    --hostname) host=${2:-}; shift 2 || usage ;;
    -h | --help) usage ;;
    *) cs_say "unknown argument: $1"; usage ;;
  esac
done
if [ -z "$master_tar" ] || [ -z "$worker_tar" ] || [ -z "$root" ]; then usage; fi
case $port in
  '' | *[!0-9]*) cs_die 2 "--port must be a number, got '$port'" ;;
esac
for t in "$master_tar" "$worker_tar"; do
  if [ ! -f "$t" ] || [ ! -r "$t" ]; then
    cs_die 2 "tarball not found or unreadable: $t"
  fi
done
mkdir -p "$root"
root=$(cd "$root" && pwd)
dbpath=${dbpath:-$root/database}

stage=
cleanup() { if [ -n "$stage" ]; then rm -rf "$stage"; fi; }
trap cleanup EXIT

# unpack TAR TOP: extracts TAR into a staging folder inside ROOT, checks that
# it holds TOP/install.sh, then moves TOP into ROOT. Nothing is left in ROOT
# when the layout is wrong.
unpack() {
  local tar=$1 top=$2 found
  [ ! -e "$root/$top" ] || cs_die 2 "$root/$top already exists: install into an empty root"
  stage=$(mktemp -d "$root/.unpack.XXXXXX")
  cs_say "extracting $tar"
  tar -xf "$tar" -C "$stage" --no-same-owner ||
    cs_die 2 "cannot extract $tar (is it a CryoSPARC tarball?)"
  if [ ! -f "$stage/$top/install.sh" ]; then
    found=$(cd "$stage" && find . -mindepth 1 -maxdepth 1 -printf '%y%P\n' |
      sed 's|^d\(.*\)|\1/|; t; s/^.//' | sort | head -n 8 | paste -sd' ' -)
    cs_die 2 "unexpected layout in $tar: expected $top/install.sh at its top," \
      "found: ${found:-nothing}"
  fi
  found=$(cd "$stage" && find . -mindepth 1 -maxdepth 1 ! -name "$top" -printf '%P ')
  if [ -n "$found" ]; then
    cs_say "warning: $tar holds more than $top/; left out: $found"
  fi
  mv "$stage/$top" "$root/$top"
  rm -rf "$stage"
  stage=
}

# placeholder_license FILE: makes sure FILE records the placeholder license,
# whatever the installer wrote, so that no license ID is ever baked in.
placeholder_license() {
  local f=$1
  [ -f "$f" ] || return 0
  sed -i "s/^\(export[[:space:]]\{1,\}CRYOSPARC_LICENSE_ID=\).*/\1\"$CS_PLACEHOLDER_LICENSE\"/" "$f"
}

# ---- master ----
unpack "$master_tar" cryosparc_master
master=$root/cryosparc_master
cs_require_client "$master" "$master_tar"
cs_refuse_rewritten "$CS_CLIENT" "$master_tar"
cs_say "web client found in the $CS_LAYOUT layout: ${CS_CLIENT#"$root"/}"
shipped=$(cs_version_of "$master")
if [ -n "$version" ] && [ -n "$shipped" ] && [ "$version" != "$shipped" ]; then
  cs_die 2 "the master tarball is CryoSPARC $shipped, but the image is to be" \
    "labelled $version: pass the matching version"
fi
if [ -z "$shipped" ]; then
  cs_say "warning: no cryosparc_master/version in $master_tar; cannot check the version"
fi

root_flag=()
# CryoSPARC's installers refuse to run as root without this flag; an image
# build runs as root (or fakeroot).
if [ "$(id -u)" -eq 0 ]; then root_flag=(--allowroot); fi

mkdir -p "$dbpath"
cs_say "running cryosparc_master/install.sh (license: placeholder)"
(cd "$master" && ./install.sh --license "$CS_PLACEHOLDER_LICENSE" \
  --hostname "$host" --dbpath "$dbpath" --port "$port" \
  "${root_flag[@]}" --yes) ||
  cs_die 2 "cryosparc_master/install.sh failed (exit $?)"
placeholder_license "$master/config.sh"
mkdir -p "$master/run"

# ---- worker ----
unpack "$worker_tar" cryosparc_worker
worker=$root/cryosparc_worker
cs_say "running cryosparc_worker/install.sh (license: placeholder)"
(cd "$worker" && ./install.sh --license "$CS_PLACEHOLDER_LICENSE" --yes) ||
  cs_die 2 "cryosparc_worker/install.sh failed (exit $?)"
placeholder_license "$worker/config.sh"

cs_say "installed CryoSPARC ${shipped:-$version} under $root"
