#!/usr/bin/env bash
# Builds the CryoSPARC image (`make image`): builds csprefix (a static
# binary if the toolchain can make one), then runs `apptainer build` on
# container/cryosparc.def with the site's tarballs, and prints where the
# image is and what the rewrite changed.
#
# usage: make-image.sh --master TAR --worker TAR [--out IMAGE]
#          [--version X.Y.Z] [--bin PATH]
#
#   --out      the image to write (default target/container/cryosparc-VERSION.sif)
#   --version  CryoSPARC's version (default: read from cryosparc_master/version
#              in the master tarball)
#   --bin      use this csprefix binary instead of building one
#
# environment: APPTAINER (default apptainer), CARGO (default cargo),
#   BASE_IMAGE (overrides the definition's pinned base image),
#   APPTAINER_BUILD_FLAGS (extra flags for apptainer build, split on spaces)
#
# exit: 0 built; 2 usage or fatal error (apptainer missing, bad tarball,
#       build failed)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
repo=$(dirname "$here")

usage() {
  sed -n '/^# usage:/,/^#   --bin/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

master_tar='' worker_tar='' out='' version='' bin=''
while [ $# -gt 0 ]; do
  case $1 in
    --master) master_tar=${2:-}; shift 2 || usage ;;
    --worker) worker_tar=${2:-}; shift 2 || usage ;;
    --out) out=${2:-}; shift 2 || usage ;;
    --version) version=${2:-}; shift 2 || usage ;;
    --bin) bin=${2:-}; shift 2 || usage ;;
    -h | --help) usage ;;
    *) cs_say "unknown argument: $1"; usage ;;
  esac
done
if [ -z "$master_tar" ] || [ -z "$worker_tar" ]; then
  cs_die 2 "give both tarballs: make image CRYOSPARC_MASTER=path/to/cryosparc_master.tar.gz" \
    "CRYOSPARC_WORKER=path/to/cryosparc_worker.tar.gz"
fi
for t in "$master_tar" "$worker_tar"; do
  if [ ! -f "$t" ] || [ ! -r "$t" ]; then cs_die 2 "tarball not found or unreadable: $t"; fi
done
master_tar=$(cd "$(dirname "$master_tar")" && pwd)/$(basename "$master_tar")
worker_tar=$(cd "$(dirname "$worker_tar")" && pwd)/$(basename "$worker_tar")

apptainer=${APPTAINER:-apptainer}
if ! command -v "$apptainer" >/dev/null 2>&1; then
  cs_die 2 "apptainer not found (looked for '$apptainer'): install Apptainer 1.2" \
    "or later, or load its module (module load apptainer), or set APPTAINER=/path;" \
    "make client reviews the rewrite without it"
fi

cd "$repo"
if [ -z "$bin" ]; then
  cargo=${CARGO:-cargo}
  triple=$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')
  # A static binary runs on any base image; with glibc it needs --target, so
  # that build scripts and proc macros stay dynamic.
  if [ -n "$triple" ] && RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
    "$cargo" build --release --locked --target "$triple"; then
    bin=target/$triple/release/csprefix
  else
    cs_say "warning: no static build; using a dynamic one, which needs a C" \
      "library in the base image at least as new as this machine's"
    "$cargo" build --release --locked || cs_die 2 "cargo build failed"
    bin=target/release/csprefix
  fi
fi
[ -x "$bin" ] || cs_die 2 "csprefix binary not found: $bin"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
if ldd "$bin" >/dev/null 2>&1; then
  cs_say "note: $bin is dynamically linked"
fi
tool_version=$("$bin" --version) || cs_die 2 "cannot run $bin --version"
tool_version=${tool_version##* }

if [ -z "$version" ]; then
  version=$(tar -xOf "$master_tar" cryosparc_master/version 2>/dev/null |
    sed -n '1{s/^[[:space:]]*v//;s/[[:space:]]*$//;p;}') || true
  [ -n "$version" ] || cs_die 2 "no cryosparc_master/version in $master_tar:" \
    "pass the version (make image CRYOSPARC_VERSION=X.Y.Z ...)"
fi
out=${out:-target/container/cryosparc-$version.sif}
mkdir -p "$(dirname "$out")"

flags=()
if [ "$(id -u)" -ne 0 ]; then flags+=(--fakeroot); fi
# shellcheck disable=SC2206 # split on spaces by design
if [ -n "${APPTAINER_BUILD_FLAGS:-}" ]; then flags+=($APPTAINER_BUILD_FLAGS); fi
args=(
  --build-arg "CRYOSPARC_VERSION=$version"
  --build-arg "CSPREFIX_VERSION=$tool_version"
  --build-arg "CRYOSPARC_MASTER=$master_tar"
  --build-arg "CRYOSPARC_WORKER=$worker_tar"
  --build-arg "CSPREFIX_BIN=$bin"
)
if [ -n "${BASE_IMAGE:-}" ]; then args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE"); fi

cs_say "building $out: CryoSPARC $version, csprefix $tool_version"
rm -f "$out.partial"
"$apptainer" build "${flags[@]}" --force "${args[@]}" "$out.partial" container/cryosparc.def ||
  { rm -f "$out.partial"; cs_die 2 "apptainer build failed"; }
mv -f "$out.partial" "$out"

echo "image: $(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
"$apptainer" inspect --labels "$out" || true
echo "what the rewrite did (from /opt/cryosparc/csprefix/rewrite-report.txt):"
"$apptainer" exec "$out" tail -n 5 /opt/cryosparc/csprefix/rewrite-report.txt || true
