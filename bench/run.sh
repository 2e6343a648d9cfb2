#!/usr/bin/env bash
# Throughput benchmark: exhunt beside rg and yara on one generated tree.
#
# Generates (once) a >= 1 GB Exchange evidence tree with every planted chain,
# then runs, each once to warm the page cache and then measured:
#   exhunt scan (all built-in rules)
#   rg -c -i -F -f <the literals exhunt prefilters on>
#   yara -r with signature-base's HAFNIUM, ProxyShell and ProxyNotShell/OWASSRF log rules
# and prints wall seconds, GB/s, peak RSS and the ratio to rg.
#
# Environment: BENCH_DIR (default build/bench), BENCH_MB (default 1100), THREADS.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DIR=${BENCH_DIR:-$BUILD/bench}
MB=${BENCH_MB:-1100}
TREE=$DIR/EXCH01
SHARED=${SHARED_DIR:-../shared}
mkdir -p "$DIR"

if [ ! -f "$DIR/.size-$MB" ]; then
  rm -rf "$TREE" "$DIR"/.size-*
  echo "generating a ${MB} MiB tree in $TREE ..."
  "$BUILD/exhunt-gen" "$TREE" --seed 42 --start 2021-02-20T00:00:00Z --hours 48 --rate 20000 \
    --size-mb "$MB" --scenarios all --truth "$DIR/truth.json"
  touch "$DIR/.size-$MB"
fi
BYTES=$(du -sb "$TREE" | cut -f1)
"$BUILD/exhunt" rules literals > "$DIR/literals.txt"

measure() {  # name, command...
  local name=$1; shift
  "$@" > /dev/null 2>&1 || true  # warm the page cache
  /usr/bin/time -f "%e %M" -o "$DIR/time.txt" "$@" > "$DIR/$name.out" 2> "$DIR/$name.err" || true
  read -r secs rss < <(tail -1 "$DIR/time.txt")
  echo "$name $secs $rss"
}

THREADS_OPT=()
[ -n "${THREADS:-}" ] && THREADS_OPT=(--threads "$THREADS")
results=()
results+=("$(measure exhunt "$BUILD/exhunt" scan --format jsonl --quiet "${THREADS_OPT[@]}" "$TREE")")
results+=("$(measure rg rg -c -i -F -f "$DIR/literals.txt" "$TREE")")
YARA_RULES=()
for r in apt_hafnium_log_sigs.yar expl_proxyshell.yar expl_proxynotshell_owassrf_dec22.yar; do
  [ -f "$SHARED/rules-thirdparty/signature-base/yara/$r" ] && YARA_RULES+=("$SHARED/rules-thirdparty/signature-base/yara/$r")
done
if [ ${#YARA_RULES[@]} -eq 3 ] && command -v yara > /dev/null; then
  results+=("$(measure yara yara -r -w -p "$(nproc)" "${YARA_RULES[@]}" "$TREE")")
else
  echo "yara or the signature-base rules (../shared) are missing: yara column skipped"
fi

rg_secs=$(printf '%s\n' "${results[@]}" | awk '$1=="rg"{print $2}')
printf '\ntree: %s, %.2f GB, %s cores; findings: %s; planted traces: %s\n' "$TREE" \
  "$(echo "$BYTES / 1073741824" | bc -l)" "$(nproc)" \
  "$(grep -c '"type":"finding"' "$DIR/exhunt.out" || true)" "$(grep -c '"rule"' "$DIR/truth.json" || true)"
printf '%-8s %9s %8s %12s %10s\n' tool seconds GB/s "peak RSS MiB" "vs rg -i"
for line in "${results[@]}"; do
  set -- $line
  awk -v n="$1" -v s="$2" -v r="$3" -v b="$BYTES" -v rg="$rg_secs" 'BEGIN {
    printf "%-8s %9.2f %8.2f %12.1f %10.2f\n", n, s, (s > 0 ? b / 1073741824 / s : 0), r / 1024, (rg > 0 ? s / rg : 0) }'
done
grep '"type":"stats"' "$DIR/exhunt.out" || true
