#!/usr/bin/env bash
# Event-log benchmark: exhunt's EVTX plane beside libevtx's evtxexport on the
# same files (every EVTX of ../shared/corpus/evtx and sigma-regression).
#   exhunt scan --threads 1 / 2 with the built-in rules (decode + Windows rules)
#   exhunt scan --threads 2 with SigmaHQ's rules/windows loaded as well
#   evtxexport -f xml over every file, one after another (one core)
# Prints wall seconds (median of RUNS), events and events/s per tool.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SHARED=${SHARED_DIR:-../shared}
RUNS=${RUNS:-3}
DIR=$SHARED/corpus/evtx
SIGMA=$SHARED/rules-thirdparty/sigma/rules/windows
if [ ! -d "$DIR" ] || ! command -v evtxexport > /dev/null; then
  echo "evtxexport or ../shared/corpus/evtx missing: nothing to compare with"; exit 0
fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
wall() {  # wall seconds of one run of "$@"
  local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
events=$( ("$BUILD/exhunt" scan "$DIR" --format jsonl 2>/dev/null || true) | grep '"type":"stats"' | sed 's/.*"records":\([0-9]*\).*/\1/')
files=$(find "$DIR" -iname '*.evtx' | wc -l)
echo "input: $DIR ($files EVTX files, $events events)"
row() {
  local name=$1; shift
  local t; t=$(for _ in $(seq "$RUNS"); do wall "$@"; done | median)
  printf "%-44s %8.3f s %12.0f events/s\n" "$name" "$t" "$(echo "$events / $t" | bc -l)"
}
row "exhunt scan --threads 1 (built-in rules)" "$BUILD/exhunt" scan "$DIR" --threads 1 --format jsonl -o /dev/null
row "exhunt scan --threads 2 (built-in rules)" "$BUILD/exhunt" scan "$DIR" --threads 2 --format jsonl -o /dev/null
if [ -d "$SIGMA" ]; then
  row "exhunt scan --threads 2 + SigmaHQ windows" "$BUILD/exhunt" scan "$DIR" --threads 2 --sigma "$SIGMA" --format jsonl -o /dev/null
fi
row "evtxexport -f xml (one file after another)" bash -c "find '$DIR' -iname '*.evtx' -print0 | xargs -0 -n1 evtxexport -f xml"
