#!/usr/bin/env bash
# Tests the image build without Apptainer (`make container-test`): builds
# synthetic CryoSPARC tarballs in the v4 and v5 layouts around a fixture
# client, with a STAND-IN installer, runs the steps that %post of
# cryosparc.def runs (install, rewrite, cleanup) and the image's %test into
# temporary roots, and checks the definition file, the make targets and the
# error paths. Needs target/release/csprefix (or CSPREFIX=path) for the
# steps that rewrite; prints one line per test and `N passed, M failed`.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
container=$(dirname "$here")
repo=$(dirname "$container")
bin=${CSPREFIX:-$repo/target/release/csprefix}
fixture=$repo/fixtures/svelte-vite2
def=$container/cryosparc.def
placeholder=00000000-0000-0000-0000-000000000000

scratch=$(mktemp -d "${TMPDIR:-/tmp}/container-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
work=$scratch

passed=0 failed=0 skipped=0
# The rewriter counts as there when it answers --version as csprefix does.
have_bin=no
if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -Eq '^csprefix [0-9]'; then
  have_bin=yes
fi

# run_test NAME FUNCTION [needs-bin]: runs FUNCTION in a subshell with
# errexit on and a work folder of its own; any failing command or assertion
# fails the test, whose output is then shown.
run_test() {
  local name=$1 fn=$2 needs=${3:-} rc log=$scratch/$2.log
  if [ "$needs" = needs-bin ] && [ "$have_bin" = no ]; then
    if [ "${CONTAINER_TEST_ALLOW_NO_BIN:-}" = 1 ]; then
      echo "skip - $name (no working csprefix at $bin)"
      skipped=$((skipped + 1))
    else
      echo "not ok - $name (no working csprefix at $bin: run make build)"
      failed=$((failed + 1))
    fi
    return 0
  fi
  work=$scratch/$fn
  mkdir -p "$work"
  set +e
  (
    set -e
    cd "$work"
    "$fn"
  ) >"$log" 2>&1
  rc=$?
  set -e
  if [ "$rc" -eq 0 ]; then
    echo "ok - $name"
    passed=$((passed + 1))
  else
    echo "not ok - $name"
    sed 's/^/    /' "$log" | tail -n 40
    failed=$((failed + 1))
  fi
}

# ---- assertions: each prints what went wrong and returns 1 ----

fail() {
  echo "assertion failed: $*" >&2
  return 1
}
assert_eq() { [ "$1" = "$2" ] || fail "${3:-values differ}: expected '$2', got '$1'"; }
assert_file() { [ -f "$1" ] || fail "missing file $1"; }
assert_no() { [ ! -e "$1" ] || fail "should not exist: $1"; }
assert_grep() { grep -Eq -- "$1" "$2" || fail "no line matching /$1/ in $2: $(head -c 600 "$2")"; }
assert_no_grep() { ! grep -Eq -- "$1" "$2" || fail "unexpected /$1/ in $2"; }
assert_same_tree() {
  diff -r --exclude=csprefix-manifest.json "$1" "$2" >"$work/tree.diff" ||
    fail "trees differ: $1 vs $2: $(head -c 1500 "$work/tree.diff")"
}
# expect_exit CODE LOG CMD...: runs CMD with its output in LOG and checks
# its exit code.
expect_exit() {
  local want=$1 log=$2 rc=0
  shift 2
  "$@" >"$log" 2>&1 || rc=$?
  [ "$rc" -eq "$want" ] || fail "exit $rc, expected $want from $*: $(tail -n 20 "$log")"
}

# ---- inputs ----

# The client the tarballs carry: the project's Svelte/Vite 2 fixture when it
# has been built, else a small client made here with the same shapes.
input_client() {
  if [ -f "$fixture/dist/client/index.html" ]; then
    echo "$fixture/dist/client"
    return
  fi
  local c=$work/tiny-client
  if [ ! -d "$c" ]; then
    mkdir -p "$c/assets"
    cat >"$c/index.html" <<'HTML'
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>CryoSPARC</title>
<link rel="icon" href="/favicon.ico">
<link rel="manifest" href="/site.webmanifest">
<script type="module" crossorigin src="/assets/index.1a2b3c4d.js"></script>
<link rel="stylesheet" href="/assets/index.5e6f7a8b.css">
</head>
<body>
<div id="app"></div>
%cryosparc.state%
</body>
</html>
HTML
    cat >"$c/assets/index.1a2b3c4d.js" <<'JS'
const login = () => fetch("/api/auth/login", {method: "POST"});
const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/websocket");
export { login, ws };
JS
    printf '.a{color:red;background:url(data:image/png;base64,AAAA)}\n' >"$c/assets/index.5e6f7a8b.css"
    printf '{"name":"CryoSPARC","icons":[{"src":"/android-chrome-192x192.png","sizes":"192x192"}],"start_url":"/"}\n' >"$c/site.webmanifest"
    printf 'icon' >"$c/favicon.ico"
    printf 'png' >"$c/android-chrome-192x192.png"
  fi
  echo "$c"
}

# The client the image must end up with: the fixture's committed expected
# output when there is one, else what csprefix makes of the input now.
expected_client() {
  local in
  in=$(input_client)
  if [ "$in" = "$fixture/dist/client" ]; then
    for e in "$fixture/expected" "$fixture/expected/client" "$fixture/expected/dist/client"; do
      if [ -f "$e/index.html" ]; then
        echo "$e"
        return
      fi
    done
  fi
  if [ ! -d "$work/expected" ]; then
    "$bin" rewrite "$in" -o "$work/expected" >/dev/null 2>&1 ||
      fail "csprefix rewrite of the input client failed"
  fi
  echo "$work/expected"
}

# make_master OUT LAYOUT [CLIENT]: a master tarball with the stand-in
# installer and CLIENT (default: the input client) in the LAYOUT folder (v4,
# v5, none, or a path below cryosparc_master/). VERSION sets its version
# file (default v4.5.1; empty for none).
make_master() {
  local out=$1 layout=$2 client=${3:-} src dest
  src=$(mktemp -d "$work/src.XXXXXX")
  mkdir -p "$src/cryosparc_master/bin"
  cp "$here/stand-in-install.sh" "$src/cryosparc_master/install.sh"
  printf '#!/bin/sh\n# stand-in for cryosparcm, tests only\necho stand-in cryosparcm "$@"\n' \
    >"$src/cryosparc_master/bin/cryosparcm"
  chmod +x "$src/cryosparc_master/bin/cryosparcm"
  if [ -n "${VERSION-v4.5.1}" ]; then
    echo "${VERSION-v4.5.1}" >"$src/cryosparc_master/version"
  fi
  case $layout in
    v4) dest=cryosparc_app/custom-server/dist/client ;;
    v5) dest=app/custom-server/dist/client ;;
    none) dest='' ;;
    *) dest=$layout ;;
  esac
  if [ -n "$dest" ]; then
    mkdir -p "$src/cryosparc_master/$(dirname "$dest")"
    cp -r "${client:-$(input_client)}" "$src/cryosparc_master/$dest"
  fi
  tar -czf "$out" -C "$src" cryosparc_master
  rm -rf "$src"
}

# make_worker OUT: a worker tarball with the stand-in installer.
make_worker() {
  local src
  src=$(mktemp -d "$work/src.XXXXXX")
  mkdir -p "$src/cryosparc_worker/bin"
  cp "$here/stand-in-install.sh" "$src/cryosparc_worker/install.sh"
  printf '#!/bin/sh\n# stand-in for cryosparcw, tests only\necho stand-in cryosparcw "$@"\n' \
    >"$src/cryosparc_worker/bin/cryosparcw"
  chmod +x "$src/cryosparc_worker/bin/cryosparcw"
  tar -czf "$1" -C "$src" cryosparc_worker
  rm -rf "$src"
}

# build_image_tree LAYOUT ROOT: what %post does, into ROOT, with the
# staging folder inside a fake sysroot as in the image.
build_image_tree() {
  local layout=$1 root=$2
  make_master "$work/master-$layout.tar.gz" "$layout"
  make_worker "$work/worker.tar.gz"
  bash "$container/install-cryosparc.sh" --master "$work/master-$layout.tar.gz" \
    --worker "$work/worker.tar.gz" --root "$root" --version 4.5.1 --port 61000
  APPTAINER_LABELS=$work/apptainer-labels-$layout \
    bash "$container/rewrite-client.sh" --root "$root" --out "$root/csprefix" \
    --bin "$bin" --version 4.5.1 \
    --tool-version "$("$bin" --version | awk '{print $NF}')"
}

# ---- tests: the definition file ----

# def_section NAME: the body of %NAME (with its options line dropped).
def_section() {
  awk -v s="%$1" '$1 ~ /^%/ { on = ($1 == s); next } on' "$def"
}
# def_default NAME: the %arguments default of NAME.
def_default() {
  def_section arguments | sed -n "s/^[[:space:]]*$1=//p"
}
# def_expand: the definition with every {{ NAME }} replaced by its default.
def_expand() {
  local text k v
  text=$(cat "$def")
  while IFS='=' read -r k v; do
    k=$(echo "$k" | tr -d '[:space:]')
    [ -n "$k" ] || continue
    text=$(printf '%s' "$text" | sed "s|{{ *$k *}}|$v|g")
  done < <(def_section arguments)
  printf '%s\n' "$text"
}

test_def_sections() {
  local s
  for s in arguments setup files post environment test labels help; do
    grep -Eq "^%$s\b" "$def" || fail "no %$s section"
  done
  grep -Eq '^%post[[:space:]]+-c[[:space:]]+/bin/bash[[:space:]]*$' "$def" ||
    fail "%post does not run under bash (%post -c /bin/bash)"
  def_section post | grep -Eq '^[[:space:]]*set -euo pipefail' ||
    fail "%post does not set -euo pipefail"
  # The versions are build arguments, reused in the labels.
  for s in CRYOSPARC_VERSION CSPREFIX_VERSION; do
    [ -n "$(def_default "$s")" ] || fail "$s has no default in %arguments"
    def_section labels | grep -Eq "\{\{ *$s *\}\}" || fail "%labels does not use $s"
  done
  # Every argument used is declared with a default, and listed in the
  # header comment.
  local used declared header
  used=$(grep -o '{{ *[A-Za-z_]* *}}' "$def" | tr -d '{} ' | sort -u)
  declared=$(def_section arguments | sed -n 's/^[[:space:]]*\([A-Za-z_]*\)=.*/\1/p' | sort -u)
  assert_eq "$used" "$declared" "arguments used vs declared in %arguments"
  header=$(sed -n '1,/^Bootstrap:/p' "$def")
  for s in $declared; do
    grep -Eq "^#[[:space:]]+${s}[[:space:]]" <<<"$header" || fail "$s is not listed in the header comment"
  done
  # Software under /opt/cryosparc, PATH in %environment, %test runs the
  # image test, which runs csprefix check.
  def_section environment | grep -q 'PATH=.*/opt/cryosparc/cryosparc_master/bin' ||
    fail "%environment does not put cryosparc_master/bin on PATH"
  def_section test | grep -q '/opt/cryosparc/csprefix/image-test.sh' ||
    fail "%test does not run image-test.sh"
  # shellcheck disable=SC2016 # the literal text of the script
  grep -q '"\$bin" check "\$client"' "$container/image-test.sh" ||
    fail "image-test.sh does not run csprefix check on the client"
  # %help says how the Batch Connect app uses the image.
  for s in config.sh database 'run/' /tmp ood-app; do
    def_section help | grep -qF -- "$s" || fail "%help does not mention $s"
  done
}

test_def_base_pinned() {
  local from distro tag
  from=$(def_expand | sed -n 's/^From:[[:space:]]*//p')
  [ -n "$from" ] || fail "no From: line"
  grep -q '^Bootstrap: docker$' "$def" || fail "not bootstrapped from a docker image"
  distro=${from%%[:@]*}
  case ${distro##*/} in
    ubuntu | rockylinux | almalinux) ;;
    *) fail "base $from is not a distribution CryoSPARC supports (Ubuntu, Rocky, Alma)" ;;
  esac
  if [[ $from =~ @sha256:[0-9a-f]{64}$ ]]; then
    return 0
  fi
  tag=${from#*:}
  [ "$tag" != "$from" ] || fail "base $from has no tag"
  # An exact tag: a dated build (jammy-20240627.1) or a full x.y.z version,
  # never latest or a bare release name.
  [[ $tag =~ -[0-9]{8}(\.[0-9]+)?$ || $tag =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] ||
    fail "base $from is not pinned to an exact tag or digest"
  # Unpinned by digest: the header must say so.
  grep -Eq '^#.*not by digest' "$def" || fail "header does not say the base is pinned by tag only"
}

test_def_names_existing_files() {
  local src dest n=0 expanded=$work/expanded.def
  def_expand >"$expanded"
  # %files: every source in the repository exists (the tarballs and the
  # binary are build arguments, given by make image).
  while read -r src dest; do
    [ -n "$src" ] || continue
    case $src in '#'*) continue ;; esac
    n=$((n + 1))
    if grep -Eq "^[[:space:]]*\{\{ *[A-Z_]+ *\}\}[[:space:]]+$dest\$" <(def_section files); then
      continue
    fi
    [ -f "$repo/$src" ] || fail "%files names $src, which does not exist"
    printf '%s\n' "$dest" >>"$work/dests"
  done < <(awk '$1 ~ /^%/ { on = ($1 == "%files"); next } on' "$expanded")
  [ "$n" -ge 5 ] || fail "only $n entries in %files"
  # Every script %post and %test call is copied in by %files.
  local path
  # shellcheck disable=SC2016 # $build is the literal text of %post
  while read -r path; do
    grep -qxF "$path" "$work/dests" || fail "$path is used but not copied in by %files"
  done < <(awk '$1 ~ /^%/ { on = ($1 == "%post" || $1 == "%test"); next } on' "$expanded" |
    grep -o '/opt/cryosparc[^" ]*\.sh' | sed 's|^\$build|/opt/cryosparc-build|' | sort -u)
  # %post uses $build for the staging folder: resolve and check those too.
  # shellcheck disable=SC2016 # $build is the literal text of %post
  while read -r path; do
    grep -qxF "/opt/cryosparc-build/$path" "$work/dests" ||
      fail "\$build/$path is used but not copied in by %files"
  done < <(def_section post | grep -o '\$build/[^" ]*\.sh' | sed 's|^\$build/||' | sort -u)
  # lib.sh is sourced next to every script that needs it.
  grep -qx /opt/cryosparc-build/container/lib.sh "$work/dests" || fail "lib.sh not staged"
  grep -qx /opt/cryosparc/csprefix/lib.sh "$work/dests" || fail "lib.sh not next to image-test.sh"
}

test_def_scripts_parse() {
  local s body
  for s in post test setup environment; do
    body=$work/$s.sh
    {
      echo '#!/usr/bin/env bash'
      def_expand | awk -v s="%$s" '$1 ~ /^%/ { on = ($1 == s); next } on'
    } >"$body"
    bash -n "$body" || fail "%$s does not parse"
    shellcheck -s bash -e SC2148,SC1091 "$body" || fail "shellcheck %$s"
  done
}

# ---- tests: scripts and make targets ----

test_shellcheck_scripts() {
  local f n=0
  for f in "$container"/*.sh "$here"/*.sh; do
    shellcheck -x "$f" || fail "shellcheck $f"
    head -n 1 "$f" | grep -q . || fail "$f is empty"
    n=$((n + 1))
  done
  for f in "$container"/*.sh "$here"/*.sh; do
    [ "$(basename "$f")" = lib.sh ] && continue
    head -n 1 "$f" | grep -qx '#!/usr/bin/env bash' || fail "$f: no bash shebang"
    grep -qx 'set -euo pipefail' "$f" || fail "$f: no set -euo pipefail"
  done
  ! grep -q 'set -euo pipefail' "$container/lib.sh" || fail "lib.sh is sourced: no set -e there"
  [ "$n" -ge 9 ] || fail "only $n scripts found"
}

test_make_targets() {
  local t
  for t in image client client-diff container-test; do
    grep -Eq "^$t:.*## " "$container/container.mk" || fail "target $t has no ## help"
  done
  # Every target defined in the fragment has a help comment.
  ! grep -E '^[a-zA-Z_-]+:' "$container/container.mk" | grep -v '## ' | grep -v '^\.PHONY' ||
    fail "a target without ## help"
  make -s -C "$repo" help >"$work/help"
  for t in image client client-diff container-test; do
    assert_grep "^  $t +[a-z]" "$work/help"
  done
  # make -n prints continued recipe lines as they are written: join them.
  make -s -n -C "$repo" image CRYOSPARC_MASTER=m.tgz CRYOSPARC_WORKER=w.tgz |
    sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' | tr -s ' ' >"$work/n-image"
  assert_grep 'container/make-image.sh --master "m.tgz" --worker "w.tgz"' "$work/n-image"
  make -s -n -C "$repo" client-diff >"$work/n-diff"
  assert_grep 'container/client-diff.sh "target/container/client"' "$work/n-diff"
  make -s -n -C "$repo" container-test >"$work/n-test"
  assert_grep 'bash container/test/run.sh' "$work/n-test"
  # make client without a tarball stops before building anything.
  expect_exit 2 "$work/client-noarg" make -s -C "$repo" client
  assert_grep 'make client CRYOSPARC_MASTER=' "$work/client-noarg"
  assert_no_grep 'cargo' "$work/client-noarg"
}

test_cleanup() {
  local sys=$work/sysroot
  mkdir -p "$sys/opt/cryosparc-build/container" "$sys/var/lib/apt/lists/partial" \
    "$sys/opt/cryosparc/csprefix"
  echo x >"$sys/opt/cryosparc-build/cryosparc_master.tar.gz"
  echo x >"$sys/var/lib/apt/lists/deb.list"
  echo keep >"$sys/opt/cryosparc/csprefix/labels"
  bash "$container/cleanup-build.sh" --staging "$sys/opt/cryosparc-build" --sysroot "$sys"
  assert_no "$sys/opt/cryosparc-build"
  assert_no "$sys/var/lib/apt/lists/deb.list"
  [ -d "$sys/var/lib/apt/lists/partial" ] || fail "apt's partial/ folder was removed"
  assert_file "$sys/opt/cryosparc/csprefix/labels"
  # Refuses to delete anything outside the sysroot, or the sysroot itself.
  mkdir -p "$work/outside"
  expect_exit 2 "$work/c1" bash "$container/cleanup-build.sh" --staging "$work/outside" --sysroot "$sys"
  assert_grep 'refusing to delete' "$work/c1"
  [ -d "$work/outside" ] || fail "deleted a folder outside the sysroot"
  expect_exit 2 "$work/c2" bash "$container/cleanup-build.sh" --staging "$sys" --sysroot "$sys"
  [ -d "$sys" ] || fail "deleted the sysroot"
}

# ---- tests: install and rewrite, as %post runs them ----

check_baked() {
  local layout=$1 root=$2 client expected sha
  case $layout in
    v4) client=$root/cryosparc_master/cryosparc_app/custom-server/dist/client ;;
    v5) client=$root/cryosparc_master/app/custom-server/dist/client ;;
  esac
  # The stand-in installers got the flags CryoSPARC's installers take.
  local args=$root/cryosparc_master/.stand-in-install-args want
  want="--license $placeholder --hostname localhost --dbpath $root/database --port 61000"
  [ "$(id -u)" -ne 0 ] || want="$want --allowroot"
  assert_eq "$(paste -sd' ' "$args")" "$want --yes" "master installer arguments"
  assert_eq "$(paste -sd' ' "$root/cryosparc_worker/.stand-in-install-args")" \
    "--license $placeholder --yes" "worker installer arguments"
  assert_grep "^export CRYOSPARC_LICENSE_ID=\"$placeholder\"\$" "$root/cryosparc_master/config.sh"
  if [ ! -d "$root/database" ] || [ ! -d "$root/cryosparc_master/run" ]; then
    fail "bind points missing"
  fi
  # No staging left in the root.
  assert_eq "$(find "$root" -maxdepth 1 -name '.unpack.*' | wc -l)" 0 "staging folders left"
  # The baked client is exactly what csprefix makes of the fixture.
  expected=$(expected_client)
  assert_same_tree "$expected" "$client"
  # Its manifest too: it records no paths or times, so an in-place rewrite
  # of an install and a rewrite of the bare client give the same one.
  cmp "$expected/csprefix-manifest.json" "$root/csprefix/csprefix-manifest.json" ||
    fail "manifest differs from $expected/csprefix-manifest.json"
  # Manifest and labels.
  assert_file "$root/csprefix/csprefix-manifest.json"
  jq -e . "$root/csprefix/csprefix-manifest.json" >/dev/null || fail "manifest is not JSON"
  sha=$(sha256sum "$root/csprefix/csprefix-manifest.json" | cut -d' ' -f1)
  assert_grep "^csprefix\.manifest\.sha256 $sha\$" "$root/csprefix/labels"
  assert_grep '^cryosparc\.version 4\.5\.1$' "$root/csprefix/labels"
  assert_grep "^csprefix\.version $("$bin" --version | awk '{print $NF}')\$" "$root/csprefix/labels"
  assert_grep "^cryosparc\.client\.layout $layout\$" "$root/csprefix/labels"
  assert_grep "^csprefix\.manifest\.sha256 $sha\$" "$work/apptainer-labels-$layout"
  assert_file "$root/csprefix/rewrite-report.txt"
  [ -s "$root/csprefix/rewrite-report.txt" ] || fail "empty rewrite report"
  assert_file "$root/csprefix/check-report.txt"
  jq -e . "$root/csprefix/check-report.json" >/dev/null || fail "check report is not JSON"
  # The manifest kept is the one the rewriter wrote with the client.
  if [ -f "$client/csprefix-manifest.json" ]; then
    cmp "$client/csprefix-manifest.json" "$root/csprefix/csprefix-manifest.json" ||
      fail "kept manifest differs from the client's"
  fi
  # The image's own %test passes on this tree.
  mkdir -p "$root/csprefix/bin"
  cp "$bin" "$root/csprefix/bin/csprefix"
  bash "$container/image-test.sh" --root "$root" >"$work/image-test-$layout"
  assert_grep '^image test: all [0-9]+ checks passed$' "$work/image-test-$layout"
}

test_v4() {
  build_image_tree v4 "$work/root-v4"
  check_baked v4 "$work/root-v4"
}

test_v5() {
  build_image_tree v5 "$work/root-v5"
  check_baked v5 "$work/root-v5"
}

test_rebuild_same_manifest() {
  local a b
  build_image_tree v5 "$work/again"
  a=$(sha256sum "$work/again/csprefix/csprefix-manifest.json" | cut -d' ' -f1)
  rm -rf "$work/again"
  build_image_tree v5 "$work/again"
  b=$(sha256sum "$work/again/csprefix/csprefix-manifest.json" | cut -d' ' -f1)
  assert_eq "$b" "$a" "manifest SHA-256 of a rebuild from the same tarballs"
}

test_image_test_fails_on_findings() {
  # An install whose client was never rewritten: %test must fail on it.
  make_master "$work/m.tar.gz" v4
  make_worker "$work/w.tar.gz"
  bash "$container/install-cryosparc.sh" --master "$work/m.tar.gz" --worker "$work/w.tar.gz" \
    --root "$work/raw"
  mkdir -p "$work/raw/csprefix/bin"
  cp "$bin" "$work/raw/csprefix/bin/csprefix"
  expect_exit 1 "$work/it" bash "$container/image-test.sh" --root "$work/raw"
  # A finding (exit 1 of csprefix check), not a crash of the tool.
  assert_grep '^not ok - csprefix check finds URLs left unhandled in the baked client:$' "$work/it"
  assert_grep '^image test: [0-9]+ of [0-9]+ checks failed$' "$work/it"
}

# ---- tests: bad input ----

test_unexpected_layout() {
  local src=$work/odd
  mkdir -p "$src/cryosparc/cryosparc_master"
  cp "$here/stand-in-install.sh" "$src/cryosparc/cryosparc_master/install.sh"
  tar -czf "$work/odd.tar.gz" -C "$src" cryosparc
  make_worker "$work/w.tar.gz"
  expect_exit 2 "$work/out" bash "$container/install-cryosparc.sh" \
    --master "$work/odd.tar.gz" --worker "$work/w.tar.gz" --root "$work/r"
  assert_grep 'unexpected layout in .*odd\.tar\.gz: expected cryosparc_master/install\.sh at its top, found: cryosparc/' "$work/out"
  assert_eq "$(find "$work/r" -mindepth 1 | wc -l)" 0 "files left in the root"
  # Not a tarball at all.
  echo "not a tarball" >"$work/junk.tar.gz"
  expect_exit 2 "$work/out2" bash "$container/install-cryosparc.sh" \
    --master "$work/junk.tar.gz" --worker "$work/w.tar.gz" --root "$work/r2"
  assert_grep 'cannot extract .*junk\.tar\.gz' "$work/out2"
  # A missing tarball and missing arguments.
  expect_exit 2 "$work/out3" bash "$container/install-cryosparc.sh" \
    --master "$work/nope.tar.gz" --worker "$work/w.tar.gz" --root "$work/r3"
  assert_grep 'tarball not found or unreadable: .*nope\.tar\.gz' "$work/out3"
  expect_exit 2 "$work/out4" bash "$container/install-cryosparc.sh" --root "$work/r4"
  assert_grep '^usage: install-cryosparc\.sh' "$work/out4"
}

test_missing_client() {
  make_master "$work/noclient.tar.gz" none
  make_worker "$work/w.tar.gz"
  expect_exit 2 "$work/out" bash "$container/install-cryosparc.sh" \
    --master "$work/noclient.tar.gz" --worker "$work/w.tar.gz" --root "$work/r"
  assert_grep 'no web client in .*noclient\.tar\.gz: looked for cryosparc_master/cryosparc_app/custom-server/dist/client/index\.html \(v4\) and cryosparc_master/app/custom-server/dist/client/index\.html \(v5\)' "$work/out"
  # The installer never ran: the check comes first.
  assert_no "$work/r/cryosparc_master/.stand-in-install-args"
  # A client in some other folder is not guessed at.
  make_master "$work/elsewhere.tar.gz" web/dist/client
  expect_exit 2 "$work/out2" bash "$container/install-cryosparc.sh" \
    --master "$work/elsewhere.tar.gz" --worker "$work/w.tar.gz" --root "$work/r2"
  assert_grep 'no web client in' "$work/out2"
  # Both layouts at once: ambiguous.
  local src=$work/both
  mkdir -p "$src/cryosparc_master/cryosparc_app/custom-server/dist" "$src/cryosparc_master/app/custom-server/dist"
  cp "$here/stand-in-install.sh" "$src/cryosparc_master/install.sh"
  cp -r "$(input_client)" "$src/cryosparc_master/cryosparc_app/custom-server/dist/client"
  cp -r "$(input_client)" "$src/cryosparc_master/app/custom-server/dist/client"
  tar -czf "$work/both.tar.gz" -C "$src" cryosparc_master
  expect_exit 2 "$work/out3" bash "$container/install-cryosparc.sh" \
    --master "$work/both.tar.gz" --worker "$work/w.tar.gz" --root "$work/r3"
  assert_grep 'two web clients in .*cannot tell which one is served' "$work/out3"
  # rewrite-client.sh on a root without a client.
  mkdir -p "$work/r4/cryosparc_master"
  expect_exit 2 "$work/out4" bash "$container/rewrite-client.sh" --root "$work/r4" --out "$work/o4"
  assert_grep 'no web client in' "$work/out4"
  expect_exit 2 "$work/out5" bash "$container/rewrite-client.sh" --root "$work/empty" --out "$work/o5"
  assert_grep 'no cryosparc_master in' "$work/out5"
}

test_already_rewritten() {
  "$bin" rewrite "$(input_client)" -o "$work/done-client" >/dev/null 2>&1
  assert_file "$work/done-client/csprefix-manifest.json"
  make_master "$work/done.tar.gz" v5 "$work/done-client"
  make_worker "$work/w.tar.gz"
  expect_exit 2 "$work/out" bash "$container/install-cryosparc.sh" \
    --master "$work/done.tar.gz" --worker "$work/w.tar.gz" --root "$work/r"
  assert_grep 'web client in .*done\.tar\.gz was already rewritten \(it holds csprefix-manifest\.json' "$work/out"
  assert_grep 'start from the tarball as CryoSPARC shipped it' "$work/out"
  # rewrite-client.sh run twice on the same root refuses the second time
  # and leaves the first result alone.
  build_image_tree v4 "$work/twice"
  cp -r "$work/twice/cryosparc_master" "$work/twice-before"
  expect_exit 2 "$work/out2" bash "$container/rewrite-client.sh" --root "$work/twice" \
    --out "$work/twice/csprefix" --bin "$bin"
  assert_grep 'already rewritten' "$work/out2"
  diff -r "$work/twice-before" "$work/twice/cryosparc_master" >/dev/null ||
    fail "the refused second run changed the tree"
  # make client refuses it too.
  expect_exit 2 "$work/out3" bash "$container/make-client.sh" --master "$work/done.tar.gz" \
    --out "$work/review" --bin "$bin"
  assert_grep 'already rewritten' "$work/out3"
}

test_version_mismatch() {
  make_master "$work/m.tar.gz" v4
  make_worker "$work/w.tar.gz"
  expect_exit 2 "$work/out" bash "$container/install-cryosparc.sh" \
    --master "$work/m.tar.gz" --worker "$work/w.tar.gz" --root "$work/r" --version 5.0.7
  assert_grep 'the master tarball is CryoSPARC 4\.5\.1, but the image is to be labelled 5\.0\.7' "$work/out"
  assert_no "$work/r/cryosparc_master/.stand-in-install-args"
}

test_installer_failure_and_license() {
  make_master "$work/m.tar.gz" v4
  make_worker "$work/w.tar.gz"
  STAND_IN_INSTALL_FAIL=1 expect_exit 2 "$work/out" bash "$container/install-cryosparc.sh" \
    --master "$work/m.tar.gz" --worker "$work/w.tar.gz" --root "$work/r"
  assert_grep 'cryosparc_master/install\.sh failed \(exit 3\)' "$work/out"
  # An installer that records some other license: the placeholder is put
  # back, so no license ID is ever baked into the image.
  STAND_IN_WRITE_LICENSE=12345678-aaaa-bbbb-cccc-1234567890ab \
    bash "$container/install-cryosparc.sh" --master "$work/m.tar.gz" \
    --worker "$work/w.tar.gz" --root "$work/r2"
  assert_no_grep '12345678-aaaa' "$work/r2/cryosparc_master/config.sh"
  assert_no_grep '12345678-aaaa' "$work/r2/cryosparc_worker/config.sh"
  assert_grep "^export CRYOSPARC_LICENSE_ID=\"$placeholder\"\$" "$work/r2/cryosparc_worker/config.sh"
  # An existing install is not overwritten.
  expect_exit 2 "$work/out3" bash "$container/install-cryosparc.sh" \
    --master "$work/m.tar.gz" --worker "$work/w.tar.gz" --root "$work/r2"
  assert_grep 'cryosparc_master already exists: install into an empty root' "$work/out3"
}

test_rewriter_failure() {
  # A client with a file the rewriter cannot parse: exit 1, client intact.
  local bad=$work/bad-client
  cp -r "$(input_client)" "$bad"
  printf 'const broken = fetch("/api/x"\n' >"$bad/assets/broken.0badf00d.js"
  make_master "$work/bad.tar.gz" v5 "$bad"
  make_worker "$work/w.tar.gz"
  bash "$container/install-cryosparc.sh" --master "$work/bad.tar.gz" \
    --worker "$work/w.tar.gz" --root "$work/r"
  expect_exit 1 "$work/out" bash "$container/rewrite-client.sh" --root "$work/r" \
    --out "$work/r/csprefix" --bin "$bin"
  assert_grep 'csprefix could not handle some files of the client' "$work/out"
  assert_grep 'broken\.0badf00d\.js' "$work/r/csprefix/rewrite-report.txt"
  diff -r "$bad" "$work/r/cryosparc_master/app/custom-server/dist/client" >/dev/null ||
    fail "the client was changed although the rewrite failed"
  assert_no "$work/r/csprefix/labels"
  # A tool of another version than the label says.
  rm -rf "$work/r"
  make_master "$work/m.tar.gz" v4
  bash "$container/install-cryosparc.sh" --master "$work/m.tar.gz" \
    --worker "$work/w.tar.gz" --root "$work/r"
  expect_exit 2 "$work/out2" bash "$container/rewrite-client.sh" --root "$work/r" \
    --out "$work/r/csprefix" --bin "$bin" --tool-version 99.0.0
  assert_grep 'but the image is to be labelled 99\.0\.0' "$work/out2"
  expect_exit 2 "$work/out3" bash "$container/rewrite-client.sh" --root "$work/r" \
    --out "$work/r/csprefix" --bin "$work/no-such-csprefix"
  assert_grep 'csprefix not found' "$work/out3"
}

# ---- tests: make client, make client-diff, make image ----

test_make_client() {
  local layout out
  for layout in v4 v5; do
    make_master "$work/m-$layout.tar.gz" "$layout"
    out=$work/review-$layout
    bash "$container/make-client.sh" --master "$work/m-$layout.tar.gz" --out "$out" --bin "$bin"
    assert_same_tree "$(input_client)" "$out/original"
    assert_same_tree "$(expected_client)" "$out/rewritten"
    cmp "$(expected_client)/csprefix-manifest.json" "$out/rewritten/csprefix-manifest.json" ||
      fail "manifest of make client differs from the expected one"
    assert_file "$out/rewrite-report.txt"
    assert_file "$out/check-report.txt"
    assert_grep "^layout $layout\$" "$out/layout"
    assert_grep '^cryosparc\.version 4\.5\.1$' "$out/layout"
    # Only the client was extracted: nothing else of the tarball is there.
    assert_no "$out/install.sh"
    assert_no "$out/cryosparc_master"
    # client-diff shows index.html among the changes and keeps the diff.
    bash "$container/client-diff.sh" "$out" >"$work/diff-$layout"
    assert_grep '^files changed by the rewrite: [1-9][0-9]* of [0-9]+$' "$work/diff-$layout"
    assert_grep '^  index\.html$' "$work/diff-$layout"
    assert_file "$out/client.diff"
    assert_grep '^\+\+\+ rewritten/index\.html' "$out/client.diff"
  done
  # A second run replaces its own output; another folder is refused.
  bash "$container/make-client.sh" --master "$work/m-v4.tar.gz" --out "$work/review-v5" --bin "$bin"
  assert_grep '^layout v4$' "$work/review-v5/layout"
  mkdir -p "$work/precious" && echo keep >"$work/precious/file"
  expect_exit 2 "$work/out" bash "$container/make-client.sh" --master "$work/m-v4.tar.gz" \
    --out "$work/precious" --bin "$bin"
  assert_grep 'was not made by make-client\.sh' "$work/out"
  assert_file "$work/precious/file"
  expect_exit 2 "$work/out2" bash "$container/client-diff.sh" "$work/precious"
  assert_grep 'run make client first' "$work/out2"
  # A tarball without a client.
  make_master "$work/none.tar.gz" none
  expect_exit 2 "$work/out3" bash "$container/make-client.sh" --master "$work/none.tar.gz" \
    --out "$work/review-none" --bin "$bin"
  assert_grep 'no web client in' "$work/out3"
}

test_make_image() {
  make_master "$work/m.tar.gz" v4
  make_worker "$work/w.tar.gz"
  # Without apptainer: a clear message, exit 2, nothing built.
  APPTAINER=$work/no-apptainer expect_exit 2 "$work/out" bash "$container/make-image.sh" \
    --master "$work/m.tar.gz" --worker "$work/w.tar.gz" --bin "$bin" --out "$work/img.sif"
  assert_grep 'apptainer not found .*\(module load apptainer\)' "$work/out"
  assert_no "$work/img.sif"
  expect_exit 2 "$work/out2" bash "$container/make-image.sh" --master "$work/m.tar.gz"
  assert_grep 'give both tarballs' "$work/out2"
  # With the stand-in apptainer: the build arguments it is given fit the
  # definition file and name the inputs; the image path and labels are shown.
  local log=$work/apptainer.log tv
  tv=$("$bin" --version | awk '{print $NF}')
  APPTAINER=$here/stand-in-apptainer.sh STAND_IN_APPTAINER_LOG=$log \
    bash "$container/make-image.sh" --master "$work/m.tar.gz" --worker "$work/w.tar.gz" \
    --bin "$bin" --out "$work/img.sif" >"$work/out3" 2>&1 ||
    fail "make-image.sh with the stand-in apptainer: $(tail -n 20 "$work/out3")"
  assert_file "$work/img.sif"
  assert_no "$work/img.sif.partial"
  assert_grep "^image: $work/img\.sif\$" "$work/out3"
  assert_grep "^cryosparc\.version 4\.5\.1\$" "$work/out3"
  assert_grep "^csprefix\.version $tv\$" "$work/out3"
  assert_grep "CRYOSPARC_VERSION=4\.5\.1 " "$log"
  assert_grep "CSPREFIX_VERSION=$tv " "$log"
  assert_grep "CRYOSPARC_MASTER=$work/m\.tar\.gz " "$log"
  assert_grep "CRYOSPARC_WORKER=$work/w\.tar\.gz " "$log"
  assert_grep ' container/cryosparc\.def $' "$log"
}

run_test "definition: sections, bash %post, arguments in header and labels" test_def_sections
run_test "definition: base image of a supported distribution, pinned" test_def_base_pinned
run_test "definition: every file and script it names exists" test_def_names_existing_files
run_test "definition: %post, %test, %setup, %environment parse and pass shellcheck" test_def_scripts_parse
run_test "scripts: shellcheck clean, bash with set -euo pipefail" test_shellcheck_scripts
run_test "make: targets with help, image/client/client-diff/container-test wiring" test_make_targets
run_test "cleanup: staging and package caches removed, nothing outside" test_cleanup
run_test "bad input: unexpected layout, not a tarball, missing tarball" test_unexpected_layout
run_test "bad input: no client, client elsewhere, two clients" test_missing_client
run_test "bad input: version of the tarball differs from the label" test_version_mismatch
run_test "installer: failure reported, no license baked, no overwrite" test_installer_failure_and_license
run_test "v4 layout: install, rewrite, manifest, labels, image test" test_v4 needs-bin
run_test "v5 layout: install, rewrite, manifest, labels, image test" test_v5 needs-bin
run_test "rebuild from the same tarballs gives the same manifest" test_rebuild_same_manifest needs-bin
run_test "image test fails on a client that was not rewritten" test_image_test_fails_on_findings needs-bin
run_test "bad input: client already rewritten" test_already_rewritten needs-bin
run_test "rewriter failure and tool version mismatch" test_rewriter_failure needs-bin
run_test "make client and client-diff, v4 and v5" test_make_client needs-bin
run_test "make image: no apptainer, stand-in apptainer" test_make_image needs-bin

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
