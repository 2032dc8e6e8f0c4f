#!/usr/bin/env bash
# Real input nobody here wrote: the web dashboard that ships inside the
# ZenML wheel on PyPI, a React client built by Vite for the site root
# (391 files, 12 MB, root-relative /assets/ links). The wheel is pinned by
# version and SHA-256, downloaded on first use into target/real-input/, and
# never committed. The rewriter must handle it and `check` must then report
# nothing unhandled.
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.98.0
sha=801ffbe1821bd48dfc03c9fd5519f5a7d4387d86b3d48d08bd2057dfcde5ad30
wheel="zenml-${version}-py3-none-any.whl"
dir=target/real-input
client="$dir/zenml-dashboard"
bin=target/release/csprefix

mkdir -p "$dir"
if [ ! -f "$dir/$wheel" ]; then
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$dir" "zenml==${version}"
fi
echo "$sha  $dir/$wheel" | sha256sum --check --quiet
if [ ! -f "$client/index.html" ]; then
  rm -rf "$dir/unpacked" "$client"
  python3 -m zipfile -e "$dir/$wheel" "$dir/unpacked" >/dev/null 2>&1 || true
  # zipfile -e extracts everything; keep only the dashboard.
  mv "$dir/unpacked/zenml/zen_server/dashboard" "$client"
  rm -rf "$dir/unpacked"
fi

out="$dir/zenml-dashboard.rewritten"
rm -rf "$out"
status=0
# The original must have work to do: check exits 1 on it.
if "$bin" check "$client" -q >/dev/null; then
  echo "real-input: check found nothing to do on the original client" >&2
  status=1
fi
"$bin" rewrite "$client" -o "$out" --profile none --server-route /api 2>"$dir/rewrite.log" || status=1
cat "$dir/rewrite.log" >&2
if ! "$bin" check "$out" --json >"$dir/check.json"; then
  echo "real-input: check reports unhandled URLs in the rewritten client" >&2
  status=1
fi
unhandled=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(len(r["unhandled"]) + len(r["errors"]))' "$dir/check.json")
edits=$(python3 -c 'import json,sys; print(sum(json.load(open(sys.argv[1]))["summary"]["edits"].values()))' "$out/csprefix-manifest.json")
files=$(find "$client" -type f | wc -l)
if [ "$unhandled" -ne 0 ] || [ "$edits" -lt 100 ]; then
  status=1
fi
# A second run changes nothing.
"$bin" rewrite "$out" -o "$dir/again" --replace -q
diff -r "$out" "$dir/again" >/dev/null || { echo "real-input: second run changed the tree" >&2; status=1; }
rm -rf "$dir/again"
echo "real-input: zenml ${version} dashboard: ${files} files, ${edits} edits, ${unhandled} unhandled"
if [ "$status" -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit "$status"
