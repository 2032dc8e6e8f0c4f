#!/usr/bin/env bash
# Rewrites CryoSPARC's installed web client in place with csprefix, so that
# it works under Open OnDemand's /rnode/<host>/<port>/ proxy, then audits it
# and keeps the manifest, the reports and the label values: the second step of
# the image build (called from %post of cryosparc.def, and by the tests).
#
# usage: rewrite-client.sh --root DIR --out DIR [--bin PATH]
#          [--tool-version V] [--version X.Y.Z]
#
#   --root          the install root (holding cryosparc_master/) or
#                   cryosparc_master/ itself
#   --out           where to keep csprefix-manifest.json, rewrite-report.txt,
#                   check-report.txt, check-report.json and labels
#   --bin           the csprefix binary (default: csprefix on PATH)
#   --tool-version  the csprefix version the image is labelled with; checked
#                   against `csprefix --version`
#   --version       the CryoSPARC version for the labels (default: read from
#                   cryosparc_master/version)
#
# When APPTAINER_LABELS is set (inside %post), the labels only known after the
# rewrite (the manifest's SHA-256, the client layout) are added to it.
#
# exit: 0 rewritten and clean; 1 the rewriter could not handle some files, or
#       `csprefix check` found URLs left unhandled; 2 usage or fatal error (no
#       client, already rewritten, the tool missing, failing or mislabelled)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

usage() {
  sed -n '/^# usage:/,/^#                   cryosparc_master\/version)/p' "$0" |
    sed 's/^# \{0,1\}//' >&2
  exit 2
}

root='' out='' bin=csprefix tool_version='' version=''
while [ $# -gt 0 ]; do
  case $1 in
    --root) root=${2:-}; shift 2 || usage ;;
    --out) out=${2:-}; shift 2 || usage ;;
    --bin) bin=${2:-}; shift 2 || usage ;;
    --tool-version) tool_version=${2:-}; shift 2 || usage ;;
    --version) version=${2:-}; shift 2 || usage ;;
    -h | --help) usage ;;
    *) cs_say "unknown argument: $1"; usage ;;
  esac
done
if [ -z "$root" ] || [ -z "$out" ]; then usage; fi

cs_master_dir "$root" || cs_die 2 "no cryosparc_master in $root"
master=$CS_MASTER
cs_require_client "$master" "$root"
cs_refuse_rewritten "$CS_CLIENT" "$root"
client=$CS_CLIENT
layout=$CS_LAYOUT

command -v "$bin" >/dev/null 2>&1 || cs_die 2 "csprefix not found: $bin"
have=$("$bin" --version 2>/dev/null) || cs_die 2 "cannot run $bin --version"
have=${have##* }
if [ -n "$tool_version" ] && [ "$have" != "$tool_version" ]; then
  cs_die 2 "$bin is csprefix $have, but the image is to be labelled" \
    "$tool_version: pass the matching version"
fi
version=${version:-$(cs_version_of "$master")}

mkdir -p "$out"
out=$(cd "$out" && pwd)
report=$out/rewrite-report.txt
cs_say "rewriting the $layout client in place with csprefix $have"
rc=0
"$bin" rewrite "$master" --in-place -v 2>"$report" || rc=$?
case $rc in
  0) tail -n 1 "$report" >&2 ;;
  1)
    tail -n 20 "$report" >&2
    cs_die 1 "csprefix could not handle some files of the client; nothing" \
      "was changed; the full report is $report" ;;
  2)
    tail -n 20 "$report" >&2
    cs_die 2 "csprefix rewrite failed (exit 2); the full report is $report" ;;
  *)
    tail -n 20 "$report" >&2
    cs_die 2 "csprefix rewrite crashed (exit $rc); the full report is $report" ;;
esac

# The rewriter puts its manifest at the root of what it wrote.
manifest=''
for m in "$client/$CS_MANIFEST" "$master/$CS_MANIFEST"; do
  if [ -f "$m" ]; then manifest=$m; break; fi
done
[ -n "$manifest" ] || cs_die 2 "csprefix exited 0 but wrote no $CS_MANIFEST" \
  "in $client or $master"
if [ "$manifest" != "$out/$CS_MANIFEST" ]; then
  cp "$manifest" "$out/$CS_MANIFEST"
fi
sha=$(cs_sha256 "$out/$CS_MANIFEST")

rc=0
"$bin" check "$client" >"$out/check-report.txt" 2>&1 || rc=$?
"$bin" check "$client" --json >"$out/check-report.json" 2>/dev/null || true
case $rc in
  0) ;;
  1)
    head -n 20 "$out/check-report.txt" >&2
    cs_die 1 "csprefix check found root-relative URLs left unhandled in the" \
      "rewritten client; the full list is $out/check-report.txt" ;;
  *)
    tail -n 20 "$out/check-report.txt" >&2
    cs_die 2 "csprefix check failed (exit $rc); see $out/check-report.txt" ;;
esac

rel_client=${client#"$(dirname "$master")"/}
{
  printf 'cryosparc.version %s\n' "${version:-unknown}"
  printf 'csprefix.version %s\n' "$have"
  printf 'csprefix.manifest.sha256 %s\n' "$sha"
  printf 'cryosparc.client.layout %s\n' "$layout"
  printf 'cryosparc.client.path %s\n' "$rel_client"
} >"$out/labels"
if [ -n "${APPTAINER_LABELS:-}" ]; then
  grep -E '^(csprefix\.manifest\.sha256|cryosparc\.client\.)' "$out/labels" >>"$APPTAINER_LABELS"
fi
cs_say "client rewritten and clean; manifest sha256 $sha; reports in $out"
