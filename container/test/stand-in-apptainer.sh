#!/usr/bin/env bash
# STAND-IN for the apptainer command, used only by the container tests to
# run make-image.sh where Apptainer cannot be installed. It builds nothing.
# `build` checks what a real build would reject before running anything:
# every --build-arg is declared in %arguments, every {{ NAME }} of the
# definition gets a value, and every %files source exists from the current
# folder; then it writes a text file in place of the image that holds the
# substituted %labels. `inspect --labels` prints them; `exec` prints a note.
# Every call is appended to $STAND_IN_APPTAINER_LOG when that is set.
set -euo pipefail
if [ -n "${STAND_IN_APPTAINER_LOG:-}" ]; then
  printf '%q ' "$@" >>"$STAND_IN_APPTAINER_LOG"
  printf '\n' >>"$STAND_IN_APPTAINER_LOG"
fi
die() { echo "stand-in apptainer: $*" >&2; exit 255; }

# section NAME FILE: the body of %NAME in FILE.
section() {
  awk -v s="%$1" '$1 ~ /^%/ { on = ($1 == s); next } on' "$2"
}

cmd=${1:-}
shift || true
case $cmd in
  build)
    declare -A val=()
    pos=()
    while [ $# -gt 0 ]; do
      case $1 in
        --build-arg) val[${2%%=*}]=${2#*=}; shift 2 ;;
        --fakeroot | --force | --notest) shift ;;
        -*) die "unknown build flag $1" ;;
        *) pos+=("$1"); shift ;;
      esac
    done
    [ "${#pos[@]}" -eq 2 ] || die "usage: build [flags] IMAGE DEFFILE"
    image=${pos[0]} def=${pos[1]}
    [ -f "$def" ] || die "definition file not found: $def"
    declare -A declared=()
    while IFS='=' read -r k v; do
      k=$(echo "$k" | tr -d '[:space:]')
      [ -n "$k" ] || continue
      declared[$k]=1
      [ -n "${val[$k]+x}" ] || val[$k]=$v
    done < <(section arguments "$def")
    for k in "${!val[@]}"; do
      [ -n "${declared[$k]+x}" ] || die "build arg $k is not used in $def"
    done
    text=$(cat "$def")
    for k in "${!val[@]}"; do
      text=$(printf '%s' "$text" | sed "s|{{ *$k *}}|${val[$k]//|/\\|}|g")
    done
    if grep -o '{{ *[A-Za-z_]* *}}' <<<"$text"; then die "no value for the build args above"; fi
    tmp=$(mktemp)
    printf '%s\n' "$text" >"$tmp"
    while read -r src _; do
      [ -n "$src" ] || continue
      case $src in '#'*) continue ;; esac
      [ -e "$src" ] || { rm -f "$tmp"; die "%files source not found: $src (from $PWD)"; }
    done < <(section files "$tmp")
    { echo "stand-in image, not a real one"; section labels "$tmp"; } >"$image"
    rm -f "$tmp"
    echo "stand-in apptainer: wrote $image"
    ;;
  inspect)
    [ "${1:-}" = --labels ] || die "only inspect --labels is supported"
    tail -n +2 "$2" | sed 's/^ *//'
    ;;
  exec)
    echo "stand-in apptainer: exec $* (nothing to run in a stand-in image)"
    ;;
  *) die "unsupported command: $cmd" ;;
esac
