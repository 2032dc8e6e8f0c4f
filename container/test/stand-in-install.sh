#!/usr/bin/env bash
# STAND-IN for CryoSPARC's install.sh, used only by the container tests: it
# is packed as cryosparc_master/install.sh and cryosparc_worker/install.sh
# into synthetic tarballs. Like the real installer it takes --license (and,
# for the master, --hostname, --dbpath, --port), refuses root without
# --allowroot, and writes config.sh; it installs nothing. It records its
# arguments in .stand-in-install-args next to itself.
#
# Test knobs: STAND_IN_INSTALL_FAIL=1 makes it fail; STAND_IN_WRITE_LICENSE=ID
# makes it record ID instead of the license it was given.
set -euo pipefail
cd "$(dirname "$0")"
kind=$(basename "$PWD")
printf '%s\n' "$@" >.stand-in-install-args

license='' host='' dbpath='' port='' allowroot=no
while [ $# -gt 0 ]; do
  case $1 in
    --license) license=$2; shift 2 ;;
    --hostname) host=$2; shift 2 ;;
    --dbpath) dbpath=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --allowroot) allowroot=yes; shift ;;
    --yes) shift ;;
    *) echo "stand-in install.sh: unknown option $1" >&2; exit 1 ;;
  esac
done
if [ "${STAND_IN_INSTALL_FAIL:-}" = 1 ]; then
  echo "stand-in install.sh: failing as asked" >&2
  exit 3
fi
if ! printf '%s' "$license" | grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'; then
  echo "stand-in install.sh: --license needs a license ID, got '$license'" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ] && [ "$allowroot" = no ] && [ "$kind" = cryosparc_master ]; then
  echo "stand-in install.sh: refusing to install as root without --allowroot" >&2
  exit 1
fi
license=${STAND_IN_WRITE_LICENSE:-$license}
case $kind in
  cryosparc_master)
    for v in host dbpath port; do
      if [ -z "${!v}" ]; then echo "stand-in install.sh: missing --$v" >&2; exit 1; fi
    done
    cat >config.sh <<CONF
# Instance configuration written by the stand-in installer
export CRYOSPARC_LICENSE_ID="$license"
export CRYOSPARC_MASTER_HOSTNAME="$host"
export CRYOSPARC_DB_PATH="$dbpath"
export CRYOSPARC_BASE_PORT=$port
export CRYOSPARC_DB_CONNECTION_TIMEOUT_MS=20000
export CRYOSPARC_INSECURE=false
CONF
    ;;
  cryosparc_worker)
    printf 'export CRYOSPARC_LICENSE_ID="%s"\nexport CRYOSPARC_USE_GPU=true\n' \
      "$license" >config.sh
    ;;
  *) echo "stand-in install.sh: run from an unexpected folder: $kind" >&2; exit 1 ;;
esac
echo "stand-in install.sh: $kind laid out (nothing installed)"
