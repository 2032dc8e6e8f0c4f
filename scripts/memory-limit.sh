#!/usr/bin/env bash
# Rewrites the benchmark input (made by `make bench`) inside a memory cgroup
# with a hard limit, once per thread count, and prints whether the run
# finished, its own peak resident memory, and the cgroup's peak (which also
# counts the page cache of the files written, reclaimable under the limit).
#
#   scripts/memory-limit.sh [LIMIT_MIB] [JOBS...]     default: 256 1 2
#
# Needs root and a cgroup memory controller (v2, or v1 as on older hosts).
# A run that goes over the limit is killed by the kernel and reported.
set -euo pipefail
cd "$(dirname "$0")/.."
limit_mib=${1:-256}
shift || true
jobs=("$@")
[[ ${#jobs[@]} -gt 0 ]] || jobs=(1 2)
bin=target/release/csprefix
input=target/bench/input
out=target/bench/limited
[[ -x $bin ]] || { echo "memory-limit: build first (make build)" >&2; exit 2; }
[[ -d $input ]] || { echo "memory-limit: no $input; run make bench first" >&2; exit 2; }

limit=$((limit_mib * 1024 * 1024))
name=csprefix-limit-$$
if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
  cg=/sys/fs/cgroup/$name
  mkdir "$cg"
  echo "$limit" >"$cg/memory.max"
  echo 0 >"$cg/memory.swap.max" 2>/dev/null || true
  peak_file=$cg/memory.peak
  events() { grep -E '^oom_kill ' "$cg/memory.events" | cut -d' ' -f2; }
elif [[ -d /sys/fs/cgroup/memory ]]; then
  cg=/sys/fs/cgroup/memory/$name
  mkdir "$cg"
  echo "$limit" >"$cg/memory.limit_in_bytes"
  echo "$limit" >"$cg/memory.memsw.limit_in_bytes" 2>/dev/null || true
  peak_file=$cg/memory.max_usage_in_bytes
  events() { grep -E '^oom_kill ' "$cg/memory.oom_control" | cut -d' ' -f2; }
else
  echo "memory-limit: no cgroup memory controller here" >&2
  exit 2
fi
trap 'rmdir "$cg" 2>/dev/null || true' EXIT

size=$(du -sm "$input" | cut -f1)
echo "memory-limit: input $input, $size MB; limit $limit_mib MiB"
for j in "${jobs[@]}"; do
  rm -rf "$out"
  # Start from a cold peak: a fresh child cgroup per run would also do.
  echo 0 >"$peak_file" 2>/dev/null || true
  before=$(events || echo 0)
  set +e
  log=$(bash -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' _ "$cg" \
    "$bin" rewrite "$input" -o "$out" -j "$j" -v 2>&1)
  rc=$?
  set -e
  after=$(events || echo 0)
  rss=$(grep -o 'peak memory [0-9.]* MiB' <<<"$log" | cut -d' ' -f3 || true)
  cgpeak=$(($(cat "$peak_file") / 1024 / 1024))
  if [[ $rc -eq 0 ]]; then
    echo "memory-limit: -j $j finished under $limit_mib MiB: peak resident ${rss:-?} MiB, cgroup peak $cgpeak MiB (with page cache)"
  else
    echo "memory-limit: -j $j FAILED (exit $rc, oom kills $((after - before))): $(tail -n 1 <<<"$log")"
    exit 1
  fi
done
rm -rf "$out"
