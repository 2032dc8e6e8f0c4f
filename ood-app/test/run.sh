#!/usr/bin/env bash
# The CryoSPARC app's tests. Renders every ERB file the way OnDemand does
# (test/ood-standin.rb), checks the YAML and shellchecks the scripts, then
# runs sessions through a real single-node Slurm started here on loopback
# (test/lib/slurm.sh), with Lmod loading a STAND-IN apptainer that runs a
# STAND-IN CryoSPARC (test/standin/). Prints one line per check and
# "N passed, M failed" at the end; exits non-zero when a check failed.
# KEEP=1 keeps the temporary folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
app_src=$(dirname "$here")
py=/usr/bin/python3
export USER=${USER:-$(id -un)}
T=$(mktemp -d /tmp/ood-app-test.XXXXXX)
chmod 0755 "$T"
# shellcheck source=lib/slurm.sh
. "$here/lib/slurm.sh"
# shellcheck source=lib/checks.sh
. "$here/lib/checks.sh"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ -n "${SLURM_CONF:-}" ]; then scancel --full -u root 2>/dev/null || true; sleep 1; fi
  slurm_stop
  # the stand-in CryoSPARC's daemons outlive their jobs (see README)
  for p in "$T"/standin/state/pids/*; do [ -e "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null; done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
started=$SECONDS

# --- the app as a site would install it, with the test's site settings ------
cp -r "$here/standin" "$T/standin"
mkdir -p "$T/standin/state/pids" "$T/scratch" "$T/project"
cp -a "$T/standin/image" "$T/standin/image5"
echo v5.0.1 >"$T/standin/image5/opt/cryosparc/cryosparc_master/version"
mkdir -p "$T/app"
cp -r "$app_src"/{manifest.yml,form.yml.erb,submit.yml.erb,view.html.erb,info.md.erb,icon.png,template} "$T/app/"
cat >"$T/app/site.yml" <<EOF
cluster: "oodtest"
versions:
  "4.5.3": $T/standin/image
  "5.0.1": $T/standin/image5
cryosparc_root: /opt/cryosparc
apptainer_module: apptainer-standin
module_use: [$T/standin/modules]
gpu_partitions: [gpu]
email_domain: cryo.test
scratch: "$T/scratch/\$USER"
binds: [$T/project]
cluster_lane_binds: [/usr/bin/sbatch, /usr/bin/squeue, /usr/bin/scancel]
max_hours: 72
max_cores: 8
max_memory_gb: 64
max_gpus: 2
port_range: [32700, 61100]
stop_warning_seconds: 60
start_timeout_seconds: 90
EOF

# context NAME KEY=VALUE...: a form submission (every value a String)
context() {
  local name=$1
  shift
  "$py" - "$T/ctx-$name.json" "$@" <<'PY'
import json, sys
ctx = {"cluster": "oodtest", "auto_accounts": "", "auto_queues": "gpu", "bc_num_hours": "1",
       "num_cores": "1", "memory_gb": "8", "num_gpus": "1",
       "cryosparc_license": "0123abcd-4567-89ab-cdef-0123456789ab",
       "cryosparc_db_dir": "~/cryosparc/database", "cryosparc_version": "4.5.3",
       "cluster_lane": "0", "bc_email_on_started": "0"}
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    ctx[k] = v
json.dump(ctx, open(sys.argv[1], "w"))
PY
}

# stage NAME: render the app for context NAME into $T/s/NAME
stage() { ruby "$here/ood-standin.rb" stage "$T/app" "$T/ctx-$1.json" "$T/s/$1"; }

echo "== rendering"
. "$here/lib/render.sh"
echo "== sessions under Slurm"
slurm_start
. "$here/lib/sessions.sh"

echo "app-test: $((SECONDS - started)) s"
summary
