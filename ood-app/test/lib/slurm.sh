# Starts and stops a private single-node Slurm (munged, slurmctld, slurmd)
# for the app's tests: everything lives under one temporary folder, listens
# on loopback and on non-default ports, and is stopped by pid.
# Sourced by test/run.sh; expects $T (the test's temporary folder).
# shellcheck shell=bash

SLURM_CTLD_PORT=${SLURM_CTLD_PORT:-16817}
SLURM_D_PORT=${SLURM_D_PORT:-16818}
SLURM_KILLWAIT=${SLURM_KILLWAIT:-30}
SLURM_PIDS=()

# slurm_write_conf DIR: slurm.conf and gres.conf for this machine, with two
# pretend GPUs (character devices that behave like /dev/null).
slurm_write_conf() {
  local d=$1 short
  short=$(hostname -s)
  mkdir -p "$d/state" "$d/spool" "$d/dev"
  for i in 0 1; do
    [ -e "$d/dev/gpu$i" ] || mknod "$d/dev/gpu$i" c 1 3
  done
  cat >"$d/gres.conf" <<EOF
NodeName=$short Name=gpu File=$d/dev/gpu[0-1]
EOF
  cat >"$d/slurm.conf" <<EOF
ClusterName=oodtest
SlurmctldHost=$short(127.0.0.1)
SlurmctldPort=$SLURM_CTLD_PORT
SlurmdPort=$SLURM_D_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/munge.socket
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
GresTypes=gpu
MpiDefault=none
ReturnToService=2
KillWait=$SLURM_KILLWAIT
MinJobAge=300
InactiveLimit=0
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=1
# The node claims more than the machine has, so that several sessions fit.
SlurmdParameters=config_overrides
NodeName=$short NodeAddr=127.0.0.1 CPUs=8 RealMemory=65536 Gres=gpu:2 State=UNKNOWN
PartitionName=gpu Nodes=$short Default=YES MaxTime=INFINITE State=UP
PartitionName=cpu Nodes=$short MaxTime=INFINITE State=UP
EOF
}

# slurm_start: munged (as the munge user, key in /etc/munge), slurmctld,
# slurmd; waits until the node is idle.
slurm_start() {
  local d=$T/slurm i
  mkdir -p "$T/munge"
  chown munge: "$T/munge"
  chmod 0755 "$T/munge"
  if [ ! -s /etc/munge/munge.key ]; then
    install -d -o munge -g munge -m 0700 /etc/munge
    if command -v mungekey >/dev/null; then
      mungekey --create --keyfile /etc/munge/munge.key
    else
      dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
    fi
  fi
  chown munge: /etc/munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
  setpriv --reuid=munge --regid=munge --init-groups munged --foreground --socket="$T/munge/munge.socket" \
    --pid-file="$T/munge/munged.pid" --log-file="$T/munge/munged.log" \
    --seed-file="$T/munge/munged.seed" >"$T/munge/stdout" 2>&1 &
  SLURM_PIDS+=("$!")
  for ((i = 0; i < 50; i++)); do [ -S "$T/munge/munge.socket" ] && break; sleep 0.1; done
  slurm_write_conf "$d"
  export SLURM_CONF=$d/slurm.conf
  slurmctld -D -i -f "$SLURM_CONF" >"$d/slurmctld.out" 2>&1 &
  SLURM_PIDS+=("$!")
  slurmd -D -f "$SLURM_CONF" >"$d/slurmd.out" 2>&1 &
  SLURM_PIDS+=("$!")
  for ((i = 0; i < 60; i++)); do
    if timeout 5 sinfo -h -o %t 2>/dev/null | grep -qx idle; then return 0; fi
    sleep 0.5
  done
  echo "slurm did not come up; logs:" >&2
  tail -n 20 "$d"/*.log "$d"/*.out "$T/munge/munged.log" >&2 || true
  return 1
}

# slurm_stop: stops what slurm_start started, by pid, newest first.
slurm_stop() {
  local i pid
  for ((i = ${#SLURM_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${SLURM_PIDS[i]}
    kill "$pid" 2>/dev/null || continue
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
  SLURM_PIDS=()
}
