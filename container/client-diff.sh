#!/usr/bin/env bash
# Shows what `make client` changed: the files the rewrite touched and the
# unified diff of the rewritten client against the original one, also kept
# in DIR/client.diff (`make client-diff`).
#
# usage: client-diff.sh DIR     (DIR as written by make-client.sh)
#
# exit: 0 shown; 2 DIR is not a review folder made by make-client.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

[ $# -eq 1 ] || cs_die 2 "usage: client-diff.sh DIR"
dir=$1
if [ ! -d "$dir/original" ] || [ ! -d "$dir/rewritten" ]; then
  cs_die 2 "$dir has no original/ and rewritten/ client: run make client first"
fi

rc=0
(cd "$dir" && diff -ruN --exclude="$CS_MANIFEST" original rewritten) >"$dir/client.diff" || rc=$?
[ "$rc" -le 1 ] || cs_die 2 "diff failed (exit $rc)"

changed=$(grep -c '^diff ' "$dir/client.diff" || true)
total=$(find "$dir/original" -type f | wc -l)
echo "files changed by the rewrite: $changed of $total"
grep '^diff ' "$dir/client.diff" | sed 's|.* rewritten/|  |'
# Bundled JavaScript sits on very long lines: print the diff itself only
# when it is small enough to read here.
if [ "$(wc -c <"$dir/client.diff")" -le 20000 ]; then
  cat "$dir/client.diff"
else
  echo "full diff: $dir/client.diff ($(wc -c <"$dir/client.diff") bytes; try less -S)"
fi
