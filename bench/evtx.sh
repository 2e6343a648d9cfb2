#!/usr/bin/env bash
# Event-log benchmark: exhunt's EVTX plane beside libevtx's evtxexport on the
# same files, twice: the corpus EVTX (../shared/corpus/evtx: many small real
# files) and >= 1 GB of generated EVTX (exhunt-gen --evtx --evtx-mb, made once
# in $BENCH_DIR/evtx).
#   evtx_format_perftest: decode and canonical fields alone, one core
#   exhunt scan --threads 1 / 2 with the built-in rules (decode + Windows rules)
#   exhunt scan --threads 2 with SigmaHQ's rules/windows loaded as well
#   evtxexport -f xml (one core; on the generated set, its System.evtx only)
# Prints wall seconds (median of RUNS), events and events/s per tool.
# Environment: BENCH_DIR (default build/bench), BENCH_EVTX_MB (default 1100), RUNS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHARED=${SHARED_DIR:-../shared}
RUNS=${RUNS:-3}
SIGMA=$SHARED/rules-thirdparty/sigma/rules/windows
if ! command -v evtxexport > /dev/null; then echo "evtxexport missing: nothing to compare with"; exit 0; fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
wall() {  # wall seconds of one run of "$@"
  local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
count() { ("$BUILD/exhunt" scan "$1" --format jsonl 2>/dev/null || true) | grep '"type":"stats"' | sed 's/.*"records":\([0-9]*\).*/\1/'; }
row() {
  local name=$1 n=$2; shift 2
  local t; t=$(for _ in $(seq "$RUNS"); do wall "$@"; done | median)
  printf "  %-50s %8.3f s %12.0f events/s\n" "$name" "$t" "$(echo "$n / $t" | bc -l)"
}
bench_set() {  # DIR EVTXEXPORT_TARGET
  local dir=$1 oracle=$2 events oracle_events
  events=$(count "$dir")
  oracle_events=$(count "$oracle")
  echo "input: $dir ($(find "$dir" -iname '*.evtx' | wc -l) EVTX files, $(du -sh "$dir" | cut -f1), $events events)"
  "$BUILD/evtx_format_perftest" --rounds "$RUNS" "$dir" | sed 's/^/  /'
  row "exhunt scan --threads 1 (built-in rules)" "$events" "$BUILD/exhunt" scan "$dir" --threads 1 --format jsonl -o /dev/null
  row "exhunt scan --threads 2 (built-in rules)" "$events" "$BUILD/exhunt" scan "$dir" --threads 2 --format jsonl -o /dev/null
  if [ -d "$SIGMA" ]; then
    row "exhunt scan --threads 2 + SigmaHQ windows" "$events" "$BUILD/exhunt" scan "$dir" --threads 2 --sigma "$SIGMA" --format jsonl -o /dev/null
  fi
  row "evtxexport -f xml ($(basename "$oracle"), $oracle_events events)" "$oracle_events" \
    bash -c "find '$oracle' -iname '*.evtx' -print0 | xargs -0 -n1 evtxexport -f xml"
}
if [ -d "$SHARED/corpus/evtx" ]; then bench_set "$SHARED/corpus/evtx" "$SHARED/corpus/evtx"; fi
GEN=${BENCH_DIR:-$BUILD/bench}/evtx
if [ ! -f "$GEN/.done" ]; then
  rm -rf "$GEN"
  "$BUILD/exhunt-gen" "$GEN/EXCH01" --hours 1 --rate 200 --evtx --evtx-mb "${BENCH_EVTX_MB:-1100}" \
    --scenarios proxylogon,proxyshell > /dev/null 2>&1
  touch "$GEN/.done"
fi
LOGS=$GEN/EXCH01/Windows/System32/winevt/Logs
bench_set "$LOGS" "$LOGS/System.evtx"
