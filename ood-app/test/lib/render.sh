# Part of test/run.sh: every ERB file rendered as OnDemand would, the YAML
# parsed, the scripts shellchecked, bad form values refused, the view and the
# port and password helpers of before.sh checked without Slurm.
# shellcheck shell=bash disable=SC2154 # T, here, app_src, py: set by run.sh

context v4 "cryosparc_db_dir=$T/db/one"
context v5lane cryosparc_version=5.0.1 cluster_lane=1 auto_accounts=proj1 "cryosparc_db_dir=$T/db/lane"
context cpu num_gpus=0 auto_queues=cpu "cryosparc_db_dir=$T/db/one/"
for c in v4 v5lane cpu; do
  check "renders for context $c (form.yml, submit.yml parse as YAML)" stage "$c"
  for f in before.sh script.sh after.sh clean.sh; do
    check "shellcheck $c/$f" shellcheck -s bash "$T/s/$c/$f"
  done
done
mkdir -p "$T/shipped" && cp -r "$app_src"/{form.yml.erb,submit.yml.erb,site.yml,view.html.erb,info.md.erb,template} "$T/shipped/"
check "renders with the shipped site.yml" \
  ruby "$here/ood-standin.rb" stage "$T/shipped" "$T/ctx-v4.json" "$T/s/shipped"
check "shellcheck shipped before.sh" shellcheck -s bash "$T/s/shipped/before.sh"
check "shellcheck test scripts and the stand-in apptainer" shellcheck -x -P "$here" \
  "$here/run.sh" "$here"/lib/*.sh "$here/standin/bin/apptainer"

native() { ruby -ryaml -e 'puts YAML.load_file(ARGV[0]).dig("script", "native")' "$T/s/$1/submit.yml"; }
check "submit: cores, memory, GPUs, wall-time warning, singleton" \
  diff <(native v4) <(printf '%s\n' --nodes=1 --ntasks=1 --cpus-per-task=1 --mem=8G --gres=gpu:1 \
    --signal=B:TERM@60 --dependency=singleton)
check "submit: no GPU request for 0 GPUs" lacks <(native cpu) --gres
name() { ruby -ryaml -e 'puts YAML.load_file(ARGV[0]).dig("script", "job_name")' "$T/s/$1/submit.yml"; }
check "submit: job name is per database folder" \
  test "$(name v4)" = "$(name cpu)" -a "$(name v4)" != "$(name v5lane)"
check "submit: connection.yml gets e-mail and log" \
  has "$T/s/v4/submit.yml" cs_email
check "form: license pattern, limits from site.yml" \
  ruby -ryaml -e 'f = YAML.load_file(ARGV[0])["attributes"]
    exit(f["cryosparc_license"]["pattern"].include?("{12}") && f["num_gpus"]["max"] == 2 &&
         f["cryosparc_version"]["options"] == ["4.5.3", "5.0.1"] ? 0 : 1)' "$T/s/v4/form.yml"

# refused in the form: out of range, bad license, GPUs without GPUs
refused() {
  local msg=$1
  shift
  context bad "$@"
  local out
  out=$(ruby "$here/ood-standin.rb" stage "$T/app" "$T/ctx-bad.json" "$T/s/bad" 2>&1) && return 1
  [[ $out == *"$msg"* ]]
}
check "refuses a malformed license" refused "license ID must look like" cryosparc_license=abc
check "refuses 0 hours" refused "Hours must be between 1 and 72" bc_num_hours=0
check "refuses 99 cores" refused "Cores must be between 1 and 8" num_cores=99
check "refuses GPUs on a CPU partition" refused "Partition 'cpu' has no GPUs" auto_queues=cpu num_gpus=1
check "refuses a relative database folder" refused "absolute path" cryosparc_db_dir=db
check "refuses an unknown version" refused "not offered" cryosparc_version=3.3.2
check "refuses text as a number" refused "whole number" memory_gb=lots

# the view, from a connection.yml like the job script writes
mkdir -p "$T/s/view"
printf '%s\n' "host: node07" "port: 32711" "password: Pw0rdPw0rdPw0rdPw0rd1234" \
  "cs_email: ann@cryo.test" "cs_log: /x/output.log and /x/cryosparc/run/" >"$T/s/view/connection.yml"
ruby "$here/ood-standin.rb" view "$T/app" "$T/s/view"
v=$T/s/view/view.html
check "view: Connect opens /rnode/<host>/<port>/ with the trailing slash" has "$v" 'href="/rnode/node07/32711/"'
check "view: logs in by POST to api/auth/login with the SHA-256 hex" \
  bash -c "grep -qF 'api/auth/login' '$v' && grep -qF 'method: \"POST\"' '$v' && grep -qF 'SHA-256' '$v'"
check "view: the password is in no URL" bash -c "! grep -oE '(href|src|action)=\"[^\"]*\"' '$v' | grep -q Pw0rd"
check "view: e-mail and password with copy buttons, and the log" \
  bash -c "grep -qF 'ann@cryo.test' '$v' && grep -c 'clipboard.writeText' '$v' | grep -qx 2 && grep -qF '/x/output.log' '$v'"
check "view: HTML lines unindented (Markdown would make code blocks)" bash -c "! grep -qE '^(    |\t)<' '$v'"
check "info: names the session's logs" has "$T/s/view/info.md" "$T/s/view/output.log"

# before.sh alone, as the job script sources it: password, trap, ports
mkdir -p "$T/unit"
"$py" -c 'import socket,signal;s=socket.socket();s.bind(("127.0.0.1",20010));s.listen();signal.pause()' &
blocker=$!
wait_for 10 "$py" -c 'import socket,sys;sys.exit(socket.socket().connect_ex(("127.0.0.1",20010)))'
out=$(cd "$T/unit" && SLURM_JOB_ID=unit bash -c '
  . "'"$T/s/v4/before.sh"'"
  echo "pw=$password mode=$(stat -c %a cryosparc/password) trap=$(trap -p TERM)"
  CS_PORT_MIN=20000 CS_PORT_MAX=20030
  for i in $(seq 20); do echo "v4 $(cs_pick_base)"; done
  CS_MAJOR=5 CS_PORT_MIN=32700 CS_PORT_MAX=61100
  for i in $(seq 50); do echo "v5 $(cs_pick_base)"; done')
kill "$blocker"
pw=$(sed -n 's/^pw=\([^ ]*\) .*/\1/p' <<<"$out")
check "password: 24 letters and digits, file mode 600" \
  bash -c "[[ '$pw' =~ ^[A-Za-z0-9]{24}\$ ]] && grep -q 'mode=600' <<<'$out'"
check "before.sh traps TERM in the batch shell" grep -q "trap=trap -- 'cs_on_term' SIGTERM" <<<"$out"
# shellcheck disable=SC2016 # awk programs
check "port block: never overlaps a port in use (20010 taken)" \
  awk '$1 == "v4" { if ($2 < 20011 || $2 > 20020) bad = 1; n++ } END { exit bad || n != 20 }' <<<"$out"
# shellcheck disable=SC2016 # awk programs
check "port block: v5 bases keep the block outside 32768-60999" \
  awk '$1 == "v5" { if (!($2 + 10 < 32768 || $2 >= 61000)) bad = 1; n++ } END { exit bad || n != 50 }' <<<"$out"
