#!/usr/bin/env bash
# The size of the WebAssembly a browser downloads, part by part, after a release build with
# --split: the part every page needs (a rep's queue needs nothing else), the part with a rep's
# other screens (a lead, sign-in),
# and the staff screens' part. Then the crates that weigh most in the browser build (twiggy), so
# growth shows the day it happens. Also recompresses the .gz copies at gzip's best level: the
# build's own are made fast, and browsers that take no brotli get these.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=target/site/pkg
budget=$((300 * 1024))

for f in "$pkg"/*.wasm; do gzip -9 -n -k -f "$f"; done

bytes() { stat -c %s "$1"; }
# One part: the named files (their hashed names, without .wasm), added up.
part() {
  local label=$1; shift
  local raw=0 gz=0 br=0 f
  for f in "$@"; do
    raw=$((raw + $(bytes "$pkg/$f.wasm")))
    gz=$((gz + $(bytes "$pkg/$f.wasm.gz")))
    br=$((br + $(bytes "$pkg/$f.wasm.br")))
  done
  printf '  %-34s %9d B raw %8d B gzip %8d B brotli  (%d file%s)\n' \
    "$label" "$raw" "$gz" "$br" "$#" "$([ "$#" -eq 1 ] || echo s)"
}
# The files a lazily loaded part needs, from the splitter's manifest.
# (No `head` in these pipelines: under pipefail, a writer cut off early fails the script.)
needs() {
  grep -o "\"$1[^\"]*\":\[[^]]*\]" "$pkg"/__wasm_split_manifest*.json \
    | sed -n '1{s/^[^[]*\[//; s/\]$//; s/"//g; s/,/ /g; p}'
}

mains=("$pkg"/leadline.*.wasm)
main="$(basename "${mains[0]}" .wasm)"
echo "WebAssembly, as downloaded:"
part "every page (the queue needs only this)" "$main"
# shellcheck disable=SC2046
part "the rest of a rep's screens' part" $(needs rep_screen)
# shellcheck disable=SC2046
part "the staff screens' part" $(needs staff_screen)
main_gz=$(bytes "$pkg/$main.wasm.gz")
if [ "$main_gz" -le "$budget" ]; then
  echo "  budget: the part every page needs is within 300 KB gzipped ($main_gz B)"
else
  echo "  budget: the part every page needs is OVER 300 KB gzipped by $((main_gz - budget)) B"
fi

front=target/front/wasm32-unknown-unknown/wasm-release/leadline.wasm
if command -v twiggy > /dev/null && [ -f "$front" ]; then
  echo "Heaviest crates in the browser build (code before wasm-opt, all parts):"
  twiggy top -n 100000 --format csv "$front" 2> /dev/null \
    | awk -F, 'NR > 1 && $1 !~ /function names|custom section|__wasm_bindgen/ {
        name = $1; gsub(/^"|"$/, "", name); sub(/^[<&* ]*(mut |dyn )?/, "", name)
        if (name ~ /hydrate_async/) crate = "(views hydrated after data)"
        else { split(name, p, /::|[<> ({]/); crate = p[1] }
        size[crate] += $2 }
      END { for (c in size) printf "%10d  %s\n", size[c], c }' \
    | sort -rn | sed -n '1,12p'
fi
