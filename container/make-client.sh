#!/usr/bin/env bash
# Extracts only the web client from a CryoSPARC master tarball, rewrites a
# copy with csprefix and writes both trees and the rewriter's reports, so an
# admin can review the rewrite without Apptainer (`make client`).
#
# usage: make-client.sh --master TAR --out DIR [--bin PATH]
#
# writes:  DIR/original/    the client as CryoSPARC shipped it
#          DIR/rewritten/   the rewritten client (with csprefix-manifest.json)
#          DIR/rewrite-report.txt, DIR/check-report.txt, DIR/check-report.json
#          DIR/layout       v4 or v5, the client's path and CryoSPARC's version
# DIR is replaced if an earlier run of this script made it, refused otherwise.
#
# exit: 0 written; 1 the rewriter could not handle some files, or check found
#       something (the trees and reports are still written for review);
#       2 usage or fatal error (no client, already rewritten, tool missing)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

usage() {
  sed -n '/^# usage:/,/^# DIR is replaced/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

master_tar='' out='' bin=csprefix
while [ $# -gt 0 ]; do
  case $1 in
    --master) master_tar=${2:-}; shift 2 || usage ;;
    --out) out=${2:-}; shift 2 || usage ;;
    --bin) bin=${2:-}; shift 2 || usage ;;
    -h | --help) usage ;;
    *) cs_say "unknown argument: $1"; usage ;;
  esac
done
if [ -z "$master_tar" ] || [ -z "$out" ]; then usage; fi
if [ ! -f "$master_tar" ] || [ ! -r "$master_tar" ]; then
  cs_die 2 "tarball not found or unreadable: $master_tar"
fi
command -v "$bin" >/dev/null 2>&1 || cs_die 2 "csprefix not found: $bin (run make build)"

marker=.csprefix-client-review
if [ -e "$out" ] && [ ! -e "$out/$marker" ] && [ -n "$(ls -A "$out")" ]; then
  cs_die 2 "$out exists and was not made by make-client.sh: choose another folder"
fi
mkdir -p "$(dirname "$out")"
stage=$(mktemp -d "$(dirname "$out")/.client.XXXXXX")
trap 'rm -rf "$stage"' EXIT

cs_say "extracting the web client from $master_tar"
err=$stage/tar.err
tar -xf "$master_tar" -C "$stage" --no-same-owner --wildcards \
  "cryosparc_master/$CS_CLIENT_V4" "cryosparc_master/$CS_CLIENT_V5" \
  cryosparc_master/version 2>"$err" || true
# Both layouts are asked for, so one (and maybe the version file) is always
# missing; any other complaint from tar means the tarball is damaged.
if grep -v -e 'Not found in archive' -e 'Exiting with failure status' "$err" >&2; then
  cs_die 2 "cannot extract $master_tar"
fi
cs_require_client "$stage/cryosparc_master" "$master_tar"
cs_refuse_rewritten "$CS_CLIENT" "$master_tar"
layout=$CS_LAYOUT
rel=cryosparc_master/${CS_CLIENT#"$stage/cryosparc_master/"}
version=$(cs_version_of "$stage/cryosparc_master")

mkdir "$stage/review"
mv "$CS_CLIENT" "$stage/review/original"
touch "$stage/review/$marker"
printf 'layout %s\nclient %s\ncryosparc.version %s\n' "$layout" "$rel" \
  "${version:-unknown}" >"$stage/review/layout"

rm -rf "$out"
mv "$stage/review" "$out"

rc=0
"$bin" rewrite "$out/original" -o "$out/rewritten" -v 2>"$out/rewrite-report.txt" || rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
  tail -n 20 "$out/rewrite-report.txt" >&2
  cs_die 2 "csprefix rewrite failed (exit $rc); the full report is $out/rewrite-report.txt"
fi
check_rc=0
if [ -d "$out/rewritten" ]; then
  "$bin" check "$out/rewritten" >"$out/check-report.txt" 2>&1 || check_rc=$?
  "$bin" check "$out/rewritten" --json >"$out/check-report.json" 2>/dev/null || true
fi
tail -n 1 "$out/rewrite-report.txt" >&2
if [ "$rc" -eq 1 ]; then
  cs_die 1 "csprefix could not handle some files; see $out/rewrite-report.txt"
fi
case $check_rc in
  0) ;;
  1) cs_die 1 "csprefix check found URLs left unhandled; see $out/check-report.txt" ;;
  *) cs_die 2 "csprefix check failed (exit $check_rc); see $out/check-report.txt" ;;
esac
cs_say "$layout client of CryoSPARC ${version:-(unknown version)} rewritten:"
cs_say "  $out/original  ->  $out/rewritten"
cs_say "  reports: $out/rewrite-report.txt, $out/check-report.txt"
cs_say "  make client-diff shows the changes"
