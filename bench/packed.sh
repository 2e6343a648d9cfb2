#!/usr/bin/env bash
# Compressed logs benchmark: the generated tree of bench/run.sh with every
# log gzipped in place (as a rotation job leaves them), scanned by exhunt,
# beside exhunt on the plain tree and `rg -z` (which runs gzip itself) with
# the literals exhunt prefilters on. Prints medians of RUNS rounds, wall
# seconds and GB/s of unpacked log bytes, and that the findings are the same
# (by rule, line and path without .gz) on both trees.
#
# Environment: BENCH_DIR (default build/bench-packed), BENCH_MB (default 600),
# RUNS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/rounds.sh
BUILD=${BUILD:-build}
DIR=${BENCH_DIR:-$BUILD/bench-packed}
MB=${BENCH_MB:-600}
RUNS=${RUNS:-3}
PLAIN=$DIR/plain/EXCH01
PACKED=$DIR/packed/EXCH01
mkdir -p "$DIR"
if [ ! -f "$DIR/.size-$MB" ]; then
  rm -rf "$DIR/plain" "$DIR/packed" "$DIR"/.size-*
  "$BUILD/exhunt-gen" "$PLAIN" --seed 42 --start 2021-02-20T00:00:00Z --hours 48 --rate 20000 \
    --size-mb "$MB" --scenarios all --truth "$DIR/truth.json" > /dev/null
  mkdir -p "$DIR/packed" && cp -a "$PLAIN" "$PACKED"
  find "$PACKED" -type f \( -iname '*.log' \) -print0 | xargs -0 -n 16 -P "$(nproc)" gzip -6
  touch "$DIR/.size-$MB"
fi
BYTES=$(find "$PLAIN" -type f -iname '*.log' -printf '%s\n' | awk '{ s += $1 } END { print s }')
PACKED_BYTES=$(find "$PACKED" -type f -iname '*.log.gz' -printf '%s\n' | awk '{ s += $1 } END { print s }')
"$BUILD/exhunt" rules literals > "$DIR/literals.txt"

run_tool() {  # name -> "name seconds rss_kib"
  local name=$1 cmd
  case $name in
    plain) cmd=("$BUILD/exhunt" scan --format jsonl --quiet "$PLAIN") ;;
    packed) cmd=("$BUILD/exhunt" scan --format jsonl --quiet "$PACKED") ;;
    rg-z) cmd=(rg -z -c -i -F -f "$DIR/literals.txt" "$PACKED") ;;
  esac
  timed "$name" "${cmd[@]}"
}
for t in plain packed rg-z; do run_tool "$t" > /dev/null; done
: > "$DIR/rounds.txt"
for i in $(seq "$RUNS"); do for t in plain packed rg-z; do run_tool "$t" >> "$DIR/rounds.txt"; done; done

printf '\nlogs: %.2f GB unpacked, %.2f GB gzipped; %s cores, %s rounds\n' "$(echo "$BYTES / 1073741824" | bc -l)" \
  "$(echo "$PACKED_BYTES / 1073741824" | bc -l)" "$(nproc)" "$RUNS"
awk -v b="$BYTES" "$ROUNDS_AWK"'
  END {
    printf "%-28s %9s %14s %12s\n", "run", "seconds", "unpacked GB/s", "peak RSS MiB"
    split("plain packed rg-z", names, " ")
    split("exhunt, plain logs|exhunt, gzipped logs|rg -z (literals only)", labels, "|")
    for (x = 1; x <= 3; x++) {
      m = median(names[x])
      printf "%-28s %9.2f %14.2f %12.1f\n", labels[x], m, b / 1073741824 / m, rss[names[x]] / 1024
    }
  }' "$DIR/rounds.txt"
# Same findings: rule, line and path (".gz" dropped).
key() { grep '"type":"finding"' "$1" | sed -E 's/.*"rule":"([^"]*)".*"path":"([^"]*)","(line|record|offset)":([0-9]+).*/\1 \2 \4/; s/\.gz / /' | sort; }
if diff <(key "$DIR/plain.out") <(key "$DIR/packed.out") > /dev/null; then
  echo "findings: the same $(key "$DIR/plain.out" | wc -l) on both trees"
else
  echo "findings DIFFER between the plain and the gzipped tree"; exit 1
fi
grep '"type":"error"' "$DIR/packed.out" | head -5 || true
