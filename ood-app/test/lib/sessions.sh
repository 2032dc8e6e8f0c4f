# Part of test/run.sh: sessions submitted to the test's Slurm as OnDemand
# would submit them, checked through what the stand-ins recorded.
# shellcheck shell=bash disable=SC2154 # T, here, py: set by run.sh
ST=$T/standin/state
KW=$SLURM_KILLWAIT

# launch NAME [SBATCH ARGS...]: stage context NAME, submit it; prints job id
launch() {
  local name=$1 args
  shift
  stage "$name" >/dev/null
  mapfile -t args <"$T/s/$name/sbatch.args"
  sbatch --parsable "${args[@]}" "$@" <"$T/s/$name/job_script_content.sh"
}
ended() { [ -z "$(squeue -h -j "$1" -o %T 2>/dev/null)" ]; }
conn() { sed -n "s/^$2: //p" "$T/s/$1/connection.yml" 2>/dev/null || true; }
ready() { [ -s "$T/s/$1/connection.yml" ]; }
reachable() {
  "$py" -c 'import sys, urllib.request
r = urllib.request.urlopen("http://%s:%s/" % tuple(sys.argv[1:]), timeout=3)
sys.exit(0 if b"CryoSPARC stand-in" in r.read() else 1)' "$1" "$2" 2>/dev/null
}
# ev INSTANCE KIND [ARGS-PREFIX...]: times of the stand-in's matching records
ev() {
  "$py" - "$ST/cryosparcm.log" "$@" <<'PY'
import json, os, sys
log, inst, kind, prefix = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
try:
    for line in open(log):
        r = json.loads(line)
        if r["instance"] == inst and r["kind"] == kind and r.get("args", [])[:len(prefix)] == prefix:
            print(r["t"], flush=True)
except BrokenPipeError:
    # `| head -n 1` has what it wanted.
    os._exit(0)
PY
}
released() { [ ! -s "$1/mongod.lock" ] && [ ! -e "$1/.ondemand-master" ]; }
stop_checks() { # NAME JOB DB T0: stop recorded, database clean, lock gone
  local name=$1 job=$2 db=$3 t_stop t_down
  t_stop=$(ev "cryosparc-$job" command stop | tail -n 1)
  t_down=$(ev "cryosparc-$job" daemon-down | tail -n 1)
  check "$name: cryosparcm stop ran, then the database shut down cleanly" \
    test -n "$t_stop" -a -n "$t_down" -a "${t_stop%.*}" -le "${t_down%.*}"
  check "$name: mongod.lock emptied and the database folder released" released "$db"
}

# --- wall time: started first, checked last (its stop comes ~60 s before the
# 2-minute limit, in the batch shell only)
context wall num_gpus=0 auto_queues=cpu "cryosparc_db_dir=$T/db/wall"
WALL=$(launch wall -t 2)

# --- the main session ---------------------------------------------------------
context A "cryosparc_db_dir=$T/db/main"
# Meanwhile watch every process's arguments for the password.
"$py" - "$T/s/A/cryosparc/password" "$T/s/A/connection.yml" >"$T/ps-hits" <<'PY' &
import os, sys, time
pwfile, done = sys.argv[1], sys.argv[2]
end = time.time() + 90
# The file exists before the password is in it: wait for the password.
pw = b""
while len(pw) < 16 and time.time() < end:
    if os.path.exists(pwfile):
        pw = open(pwfile).read().strip().encode()
    time.sleep(0.01)
if len(pw) < 16:
    print("no password appeared in", pwfile)
    sys.exit(0)
stop = None
while time.time() < end and (stop is None or time.time() < stop):
    if stop is None and os.path.exists(done):
        stop = time.time() + 2
    for p in os.listdir("/proc"):
        try:
            if p.isdigit() and pw in open(f"/proc/{p}/cmdline", "rb").read():
                print(p, open(f"/proc/{p}/cmdline", "rb").read().replace(b"\0", b" ")[:200])
        except OSError:
            pass
PY
watcher=$!
A=$(launch A)
check "A: connection.yml appears (job $A)" wait_for 60 ready A
wait "$watcher" || true
host=$(conn A host) port=$(conn A port) pw=$(conn A password)
S=$T/s/A/cryosparc
check "A: connection.yml holds host, port and password" \
  test "$host" = "$(hostname)" -a -n "$port" -a "$pw" = "$(cat "$S/password")"
check "A: CryoSPARC answers at $host:$port" reachable "$host" "$port"
check "A: the whole block $port-$((port + 10)) was free and is CryoSPARC's" \
  "$py" - "$ST/cryosparcm.log" "cryosparc-$A" "$port" <<'PY'
import json, sys
ports = sorted(set(p for line in open(sys.argv[1]) for r in [json.loads(line)]
               if r["instance"] == sys.argv[2] and r["kind"] == "daemon-up" for p in r["ports"]))
sys.exit(0 if ports == list(range(int(sys.argv[3]), int(sys.argv[3]) + 11)) else 1)
PY
check "A: secrets are mode 0600 (password, config.sh, connection.yml)" \
  test "$(stat -c %a "$S/password" "$S/config.sh" "$S/worker-config.sh" "$T/s/A/connection.yml" | sort -u)" = 600
check "A: the password was in no process's arguments" test ! -s "$T/ps-hits"
check "A: ... nor in any apptainer or cryosparcm command line" \
  bash -c "! grep -qF '$pw' '$ST/apptainer.log' && ! grep '\"kind\": \"command\"' '$ST/cryosparcm.log' | grep -qF '$pw'"
# Any record: other sessions may have set their own accounts since.
check "A: the account got this session's password" \
  bash -c "grep '\"kind\": \"account\"' '$ST/cryosparcm.log' | grep -qF '\"password\": \"$pw\"'"
check "A: the account secret file is gone" bash -c "! ls '$T'/scratch/*/cryosparc-tmp-$A/account 2>/dev/null"
login() {
  "$py" - "$host" "$port" "$1" "$2" <<'PY'
import hashlib, json, sys, urllib.request
host, port, email, pw = sys.argv[1:]
req = urllib.request.Request(f"http://{host}:{port}/api/auth/login", method="POST",
    data=json.dumps({"email": email, "password": hashlib.sha256(pw.encode()).hexdigest()}).encode(),
    headers={"Content-Type": "application/json"})
try:
    sys.exit(0 if urllib.request.urlopen(req, timeout=3).status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}
check "A: the view's login request (e-mail, SHA-256 hex) is accepted" login "$(conn A cs_email)" "$pw"
login_refused() { ! login "$@"; }
check "A: ... and a wrong password is not" login_refused root@cryo.test nope
inst=$ST/instances/cryosparc-$A
tmp=$T/scratch/$USER/cryosparc-tmp-$A
check "A: instance of the site's image with the session's binds" diff \
  <(grep -E '^(image|bind)=' "$inst") <(printf '%s\n' "image=$T/standin/image" \
    "bind=$S/config.sh:/opt/cryosparc/cryosparc_master/config.sh" "bind=$T/db/main:/opt/cryosparc/database" \
    "bind=$S/run:/opt/cryosparc/cryosparc_master/run" "bind=$tmp:/tmp" \
    "bind=$S/worker-config.sh:/opt/cryosparc/cryosparc_worker/config.sh" \
    "bind=$T/scratch/$USER:$T/scratch/$USER" "bind=$T/project:$T/project")
check "A: the instance gets the allocated GPU" has "$inst" "env=CUDA_VISIBLE_DEVICES=0"
check "A: config.sh carries license, host, port, database, no --repair" diff \
  <(grep -E 'LICENSE|MASTER_HOST|BASE_PORT|DB_PATH|MONGO' "$S/config.sh") <(printf '%s\n' \
    'export CRYOSPARC_LICENSE_ID="0123abcd-4567-89ab-cdef-0123456789ab"' \
    "export CRYOSPARC_MASTER_HOSTNAME=\"$host\"" 'export CRYOSPARC_DB_PATH="/opt/cryosparc/database"' \
    "export CRYOSPARC_BASE_PORT=$port" 'export CRYOSPARC_MONGO_EXTRA_FLAGS=""')
check "A: database started, port fixed, then the rest (v4 commands)" test \
  -n "$(ev "cryosparc-$A" command start database)" -a -n "$(ev "cryosparc-$A" command fixdbport)" \
  -a -n "$(ev "cryosparc-$A" command restart)"
check "A: stale worker targets removed before this node connects" \
  test "$(ev "cryosparc-$A" command cli 'remove_scheduler_lane("default")' | cut -d. -f1)" \
  -le "$(ev "cryosparc-$A" command connect | cut -d. -f1)"
check "A: worker connects the allocated GPU with the scratch SSD cache" "$py" - "$ST/cryosparcm.log" "cryosparc-$A" "$port" "$T/scratch/$USER" <<'PY'
import json, sys
rs = [r for line in open(sys.argv[1]) for r in [json.loads(line)]
      if r["instance"] == sys.argv[2] and r["tool"] == "cryosparcw"]
a = rs[-1]["args"]
want = ["--gpus", "0", "--ssdpath", sys.argv[4] + "/cryosparc-cache", "--port", sys.argv[3], "--lane", "default"]
sys.exit(0 if all(x in a for x in want) and rs[-1]["cuda"] == "0" else 1)
PY
check "A: owns the database folder" has "$T/db/main/.ondemand-master/owner" "$A "

# --- a second session on the same database waits (Slurm singleton) ---------
context B "cryosparc_db_dir=$T/db/main"
B=$(launch B)
sleep 5
check "B: same database: pending on its singleton dependency" \
  test "$(squeue -h -j "$B" -o '%T %r')" = "PENDING Dependency"
# --- and one that reaches it by another path is refused at run time ----------
ln -s "$T/db/main" "$T/db/alias"
context C num_gpus=0 auto_queues=cpu "cryosparc_db_dir=$T/db/alias"
C=$(launch C)
check "C: same database by a symlink: refused, job ends" wait_for 60 ended "$C"
check "C: ... with a clear message in its log" has "$T/s/C/output.log" "REFUSED: CryoSPARC already runs on"
check "C: ... no master started and no connection offered" \
  test -z "$(ev "cryosparc-$C" command start database)" -a ! -e "$T/s/C/connection.yml"
a_alive() { reachable "$host" "$port" && grep -q "^$A " "$T/db/main/.ondemand-master/owner"; }
check "C: A still answers and still owns the database" a_alive

# --- Delete (scancel): stop before KillWait ends; then B starts -------------
t0=$SECONDS
scancel "$A"
check "A: after scancel the database is released within KillWait ($KW s)" wait_for "$KW" released "$T/db/main"
echo "     (released after $((SECONDS - t0)) s)"
stop_checks A "$A" "$T/db/main"
check "B: starts once A has ended" wait_for 90 ready B
check "B: answers" reachable "$(conn B host)" "$(conn B port)"
scancel "$B"
wait_for "$KW" released "$T/db/main" || true

# --- a hard kill, then a clean start -----------------------------------------
context D num_gpus=0 "cryosparc_db_dir=$T/db/crash"
D=$(launch D)
check "D: up" wait_for 60 ready D
# The node dies: every process of the job and of its CryoSPARC gets SIGKILL,
# nothing runs its traps.
mapfile -t dead < <(scontrol listpids "$D" 2>/dev/null | awk 'NR > 1 && $1 > 1 { print $1 }')
for p in "$ST/pids/cryosparc-$D".*; do dead+=("$(cat "$p")"); done
kill -9 "${dead[@]}" 2>/dev/null || true
wait_for 30 ended "$D" || true
check "D: hard kill leaves a stale lock, mongod.lock and supervisord.pid" test -s "$T/db/crash/mongod.lock" \
  -a -e "$T/db/crash/.ondemand-master" -a -e "$T/s/D/cryosparc/run/supervisord.pid"
context E num_gpus=0 "cryosparc_db_dir=$T/db/crash"
E=$(launch E)
check "E: after the hard kill a new session starts cleanly" wait_for 60 ready E
check "E: answers" reachable "$(conn E host)" "$(conn E port)"
check "E: took the database over from the dead job" has "$T/s/E/output.log" "taking over $T/db/crash from ended job $D"
check "E: no repair anywhere" bash -c "! grep -qF '\"kind\": \"repair\"' '$ST/cryosparcm.log' && ! grep -q repair '$T'/s/*/cryosparc/config.sh"
scancel "$E"
check "E: stops cleanly" wait_for "$KW" released "$T/db/crash"

# --- a port taken between the check and the start: new base, new try --------
context H num_gpus=0 "cryosparc_db_dir=$T/db/retry"
touch "$ST/steal-next-start"
H=$(launch H)
check "H: starts although a port of its first block was taken" wait_for 60 ready H
stolen=$(grep '"kind": "port-stolen"' "$ST/cryosparcm.log" | sed 's/.*"port": \([0-9]*\).*/\1/')
hp=$(conn H port)
check "H: the first try failed on the taken port, the second used another block" \
  test -n "$stolen" -a "$hp" != "$((stolen - 1))" -a "$(sed -n 's/.*BASE_PORT=//p' "$T/s/H/cryosparc/config.sh")" = "$hp"
check "H: answers on the new block" reachable "$(conn H host)" "$hp"
scancel "$H"
wait_for "$KW" released "$T/db/retry" || true

# --- CryoSPARC 5 with the cluster lane ---------------------------------------
context G cryosparc_version=5.0.1 cluster_lane=1 auto_accounts=proj1 "cryosparc_db_dir=$T/db/lane"
G=$(launch G)
check "G (v5, lane): up" wait_for 60 ready G
gp=$(conn G port)
check "G: v5 base block outside 32768-60999" test $((gp + 10)) -lt 32768 -o "$gp" -ge 61000
check "G: v5 commands (database check/fixport, worker connect, cluster connect --info --script)" test \
  -n "$(ev "cryosparc-$G" command database fixport)" -a -n "$(ev "cryosparc-$G" command cluster connect --info)" \
  -a -z "$(grep "cryosparc-$G" "$ST/cryosparcm.log" | grep 'unknown command')"
check "G: the lane's Slurm paths are bound" has "$ST/instances/cryosparc-$G" "bind=/usr/bin/sbatch:/usr/bin/sbatch"
check "G: cluster_info.json names the worker and the Slurm commands" "$py" -c '
import json, sys
i = json.load(open(sys.argv[1]))
sys.exit(0 if i["name"] == "slurm" and i["qsub_cmd_tpl"].startswith("sbatch ")
         and i["worker_bin_path"] == "/opt/cryosparc/cryosparc_worker/bin/cryosparcw" else 1)' "$ST/lane/cluster_info.json"
mkdir -p "$T/lanejob"
"$py" - "$ST/lane/cluster_script.sh" "$T/lanejob" >"$T/lanejob/job.sh" <<'PY'
import sys, jinja2
d = sys.argv[2]
print(jinja2.Template(open(sys.argv[1]).read()).render(
    num_cpu=1, num_gpu=1, ram_gb=2.0, project_uid="P1", job_uid="J7", job_dir_abs=d,
    job_log_path_abs=d + "/job.log",
    run_cmd="echo lane-ran-$CUDA_VISIBLE_DEVICES > " + d + "/ran"))
PY
check "G: the lane script asks for the session's account and partition" \
  bash -c "grep -qx '#SBATCH --account=proj1' '$T/lanejob/job.sh' && grep -qx '#SBATCH --partition=gpu' '$T/lanejob/job.sh'"
if L=$(cd "$T/lanejob" && sbatch --parsable job.sh); then
  pass "G: sbatch accepts the rendered lane script"
else
  fail "G: sbatch accepts the rendered lane script"
fi
check "G: the lane job runs in the image with its GPU" \
  wait_for 60 bash -c "grep -qx 'lane-ran-[0-9]' '$T/lanejob/ran' 2>/dev/null"
check "G: ... through apptainer exec of the v5 image" grep -q "^exec --nv .* $T/standin/image5 bash -c" "$ST/apptainer.log"
scancel "$G" "${L:-0}" 2>/dev/null
wait_for "$KW" released "$T/db/lane" || true

# --- back to the wall-time session -------------------------------------------
check "wall: job ends by itself before its 2-minute limit" wait_for 150 ended "$WALL"
check "wall: the warning reached the batch shell" has "$T/s/wall/output.log" "end of session requested"
stop_checks wall "$WALL" "$T/db/wall"
t_up=$(ev "cryosparc-$WALL" daemon-up | head -n 1)
t_stop=$(ev "cryosparc-$WALL" command stop | tail -n 1)
check "wall: stopped before the limit" test -n "$t_up" -a -n "$t_stop" -a "$(( ${t_stop%.*} - ${t_up%.*} ))" -lt 120
