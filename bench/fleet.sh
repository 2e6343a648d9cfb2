#!/usr/bin/env bash
# Fleet benchmark: one `exhunt scan FLEET` of FLEET_HOSTS generated hosts
# against the same hosts scanned one after another (one exhunt per host),
# the way a script over a fleet would run a single-host tool; `rg -i` over
# the whole fleet for one literal as the floor of reading the bytes.
# The fleet (made once, in $BENCH_DIR/fleet): exhunt-gen --fleet with
# FLEET_MB MiB per host (default 50 hosts x 110 MiB, ~5.4 GB).
# Runs each once to warm the page cache, then RUNS rounds; prints median
# wall seconds, GB/s and peak RSS, and whether the verdicts agree.
# Environment: BENCH_DIR (default build/bench), FLEET_HOSTS, FLEET_MB, RUNS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DIR=${BENCH_DIR:-$BUILD/bench}
HOSTS=${FLEET_HOSTS:-50}
MB=${FLEET_MB:-110}
RUNS=${RUNS:-3}
FLEET=$DIR/fleet/FLEET
if [ ! -f "$DIR/fleet/.done-$HOSTS-$MB" ]; then
  rm -rf "$DIR/fleet"
  mkdir -p "$DIR/fleet"
  "$BUILD/exhunt-gen" "$FLEET" --fleet "$HOSTS" --size-mb "$MB" --seed 5
  touch "$DIR/fleet/.done-$HOSTS-$MB"
fi
BYTES=$(du -sb "$FLEET" | awk '{print $1}')
one_by_one() {
  for h in "$FLEET"/*/; do
    "$BUILD/exhunt" scan --quiet --format jsonl "$h" || true
  done
}
run() {  # label cmd... -> "label seconds rss_kb"
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$DIR/fleet-time.txt" "$@" > "$DIR/fleet-$label.out" 2> "$DIR/fleet-$label.err" || true
  echo "$label $(tail -1 "$DIR/fleet-time.txt")"
}
export -f one_by_one
export BUILD FLEET
round() {
  run fleet "$BUILD/exhunt" scan --quiet --format jsonl "$FLEET"
  run one-by-one bash -c one_by_one
  run rg rg -i -c --no-messages "autodiscover.json" "$FLEET"
}
round > /dev/null
: > "$DIR/fleet-rounds.txt"
for i in $(seq "$RUNS"); do round >> "$DIR/fleet-rounds.txt"; done
printf '\nfleet: %s hosts, %s GB; %s cores; %s rounds\n' "$HOSTS" "$(awk -v b="$BYTES" 'BEGIN{printf "%.2f", b/1073741824}')" \
  "$(nproc)" "$RUNS"
awk -v bytes="$BYTES" '{ n[$1]++; s[$1, n[$1]] = $2; if ($3 > rss[$1]) rss[$1] = $3 }
  END {
    for (k in n) {
      m = n[k]; for (i = 1; i <= m; i++) a[i] = s[k, i]
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      med[k] = a[int((m + 1) / 2)]
      printf "  %-11s %7.2f s  %5.2f GB/s  peak RSS %6.0f MiB\n", k, med[k], bytes / 1073741824 / med[k], rss[k] / 1024
    }
    if (med["fleet"] > 0) printf "  one-by-one / fleet: %.2fx\n", med["one-by-one"] / med["fleet"]
  }' "$DIR/fleet-rounds.txt"
# The verdicts of the fleet run and of the single-host runs, side by side.
grep -h '"type":"host"' "$DIR/fleet-fleet.out" | sed 's/.*"host":"\([^"]*\)","verdict":"\([^"]*\)".*/\1 \2/' | sort > "$DIR/fleet-v1.txt"
grep -h '"type":"host"' "$DIR/fleet-one-by-one.out" | sed 's/.*"host":"\([^"]*\)","verdict":"\([^"]*\)".*/\1 \2/' | sort > "$DIR/fleet-v2.txt"
if cmp -s "$DIR/fleet-v1.txt" "$DIR/fleet-v2.txt"; then
  echo "  verdicts: the same for all $(wc -l < "$DIR/fleet-v1.txt") hosts ($(awk '{print $2}' "$DIR/fleet-v1.txt" | sort | uniq -c | awk '{printf "%s%s %s", (NR>1 ? ", " : ""), $1, $2}'))"
else
  echo "  verdicts DIFFER:"; diff "$DIR/fleet-v1.txt" "$DIR/fleet-v2.txt" || true
fi
