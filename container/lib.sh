# Helpers shared by the container build scripts: messages, exit codes, and
# finding CryoSPARC's built web client in an install tree. Sourced, not run.
#
# Exit codes used by every script here, as the rewriter uses them:
#   0  done
#   1  the rewriter could not handle some files, or `check` found something
#   2  usage or fatal error: bad arguments, missing or unexpected input
#
# The CS_* variables below and those the functions set are read by the
# scripts that source this file.
# shellcheck shell=bash disable=SC2034

# The license ID the installers are given at build time. It only has to look
# like a license ID: the installers write it into config.sh, and every
# session binds its own config.sh, holding the user's license, over it.
CS_PLACEHOLDER_LICENSE=00000000-0000-0000-0000-000000000000

# Where the client lives below cryosparc_master/, newest layout last.
CS_CLIENT_V4=cryosparc_app/custom-server/dist/client
CS_CLIENT_V5=app/custom-server/dist/client

# Name of the manifest the rewriter writes at the root of its output.
CS_MANIFEST=csprefix-manifest.json

cs_prog=$(basename "${0:-container}")

cs_say() { printf '%s: %s\n' "$cs_prog" "$*" >&2; }

cs_die() {
  local code=$1
  shift
  printf '%s: error: %s\n' "$cs_prog" "$*" >&2
  exit "$code"
}

# cs_master_dir ROOT: the cryosparc_master folder of ROOT, which may be that
# folder itself or the folder that holds it. Sets CS_MASTER; returns 1 if
# neither is one.
cs_master_dir() {
  local root=$1
  CS_MASTER=
  if [ "$(basename "$root")" = cryosparc_master ] && [ -d "$root" ]; then
    CS_MASTER=$root
  elif [ -d "$root/cryosparc_master" ]; then
    CS_MASTER=$root/cryosparc_master
  else
    return 1
  fi
}

# cs_find_client MASTER: sets CS_CLIENT (path) and CS_LAYOUT (v4 or v5) for
# the built client below MASTER, a cryosparc_master folder. A client is a
# folder holding index.html. Returns 1 if there is none, 2 if both layouts
# hold one (then nobody can tell which the server uses).
cs_find_client() {
  local master=$1 found=0
  CS_CLIENT=
  CS_LAYOUT=
  if [ -f "$master/$CS_CLIENT_V4/index.html" ]; then
    CS_CLIENT=$master/$CS_CLIENT_V4
    CS_LAYOUT=v4
    found=$((found + 1))
  fi
  if [ -f "$master/$CS_CLIENT_V5/index.html" ]; then
    CS_CLIENT=$master/$CS_CLIENT_V5
    CS_LAYOUT=v5
    found=$((found + 1))
  fi
  [ "$found" -eq 1 ] && return 0
  [ "$found" -eq 0 ] && return 1
  return 2
}

# cs_require_client MASTER WHAT: cs_find_client, or exit 2 with a message
# that names the places looked at. WHAT names the input in the message.
cs_require_client() {
  local master=$1 what=$2 rc=0
  cs_find_client "$master" || rc=$?
  case $rc in
    0) return 0 ;;
    1) cs_die 2 "no web client in $what: looked for" \
         "cryosparc_master/$CS_CLIENT_V4/index.html (v4) and" \
         "cryosparc_master/$CS_CLIENT_V5/index.html (v5)" ;;
    *) cs_die 2 "two web clients in $what, both" \
         "cryosparc_master/$CS_CLIENT_V4 (v4) and" \
         "cryosparc_master/$CS_CLIENT_V5 (v5): cannot tell which one is served" ;;
  esac
}

# cs_refuse_rewritten CLIENT WHAT: exit 2 if CLIENT already carries the
# rewriter's manifest. Rewriting twice is harmless for the files, but an image
# must be built from the client as CryoSPARC shipped it, so that the manifest
# describes the rewrite from the original.
cs_refuse_rewritten() {
  local client=$1 what=$2 by=
  [ -f "$client/$CS_MANIFEST" ] || return 0
  if command -v jq >/dev/null 2>&1; then
    by=$(jq -r '.tool_version // .version // .tool.version // empty' \
      "$client/$CS_MANIFEST" 2>/dev/null || true)
  fi
  cs_die 2 "the web client in $what was already rewritten" \
    "(it holds $CS_MANIFEST${by:+ from csprefix $by}); start from the" \
    "tarball as CryoSPARC shipped it"
}

# cs_version_of MASTER: prints the version in MASTER/version (as shipped,
# e.g. v4.5.1) without its leading v, or nothing if the file is missing.
cs_version_of() {
  local f=$1/version
  [ -f "$f" ] || return 0
  sed -n '1{s/^[[:space:]]*v//;s/[[:space:]]*$//;p;}' "$f"
}

# cs_sha256 FILE: prints the SHA-256 of FILE in hex.
cs_sha256() {
  sha256sum "$1" | cut -d' ' -f1
}
