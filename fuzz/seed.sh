#!/usr/bin/env bash
# Fills <corpus>/<target>/ (default fuzz/corpus) with the fixture clients'
# files, original and rewritten: the starting points the fuzzers mutate. A
# corpus grows as a fuzzer runs and is not committed; regressions/ is.
set -euo pipefail
corpus=$(realpath -m "${1:-$(dirname "$0")/corpus}")
cd "$(dirname "$0")"
fixtures=(../fixtures/*/dist/client ../fixtures/*/expected)

add() { # target file [first byte]
  local dir="$corpus/$1" name
  mkdir -p "$dir"
  name=$(sha256sum "$2" | cut -c1-16)
  if [[ -n "${3:-}" ]]; then
    { printf '%b' "$3"; cat "$2"; } >"$dir/$name-$(printf '%b' "$3" | od -An -tu1 | tr -d ' ')"
  else
    cp "$2" "$dir/$name"
  fi
}

for root in "${fixtures[@]}"; do
  while IFS= read -r -d '' f; do
    case "$f" in
      */w-*.js) add js "$f" '\x01' ;;
      *.js) add js "$f" '\x00' ;;
      *.css) add css "$f" ;;
      *.html) add html "$f" ;;
      *.webmanifest | *.json) add manifest "$f" ;;
    esac
  done < <(find "$root" -type f -print0 | sort -z)
done
# Inline scripts of the documents, the third way a script is loaded.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for root in "${fixtures[@]}"; do
  perl -0777 -ne 'my $i = 0; while (/<script(?![^>]*\bsrc=)[^>]*>(.+?)<\/script>/gs) {
      open(my $o, ">", "'"$tmp"'/s" . $i++) or die; print $o $1; close $o }' "$root/index.html"
  for s in "$tmp"/s*; do
    if [[ -e "$s" ]]; then add js "$s" '\x02' && rm "$s"; fi
  done
done
# Every input that once broke an invariant.
for t in js css html manifest; do
  mkdir -p "$corpus/$t"
  find "regressions/$t" -type f ! -name '.*' -exec cp {} "$corpus/$t/" \;
done
for t in js css html manifest; do
  echo "seeds for $t: $(find "$corpus/$t" -type f | wc -l) files in $corpus/$t"
done
