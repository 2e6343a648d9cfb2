#!/usr/bin/env bash
# Throughput benchmark: exhunt beside rg and yara on one generated tree.
#
# Generates (once) a >= 1 GB Exchange evidence tree with every planted chain,
# then runs each tool once to warm the page cache and then RUNS times,
# interleaved (exhunt, rg, yara, exhunt, rg, ...) so that a noisy machine
# slows all of them alike; prints medians and the median of the per-round
# exhunt/rg ratios:
#   exhunt scan (all built-in rules)
#   rg -c -i -F -f <the literals exhunt prefilters on>
#   yara -r with signature-base's HAFNIUM, ProxyShell and ProxyNotShell/OWASSRF log rules
# and prints wall seconds, GB/s, peak RSS and the ratio to rg.
#
# Environment: BENCH_DIR (default build/bench), BENCH_MB (default 1100), THREADS,
# RUNS (default 5; yara runs once, it is slow).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/rounds.sh
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
[ -n "${BENCH_ONLY_TREE:-}" ] && exit 0
BYTES=$(du -sb "$TREE" | cut -f1)
"$BUILD/exhunt" rules literals > "$DIR/literals.txt"

RUNS=${RUNS:-5}
THREADS_OPT=()
[ -n "${THREADS:-}" ] && THREADS_OPT=(--threads "$THREADS")
YARA_RULES=()
for r in apt_hafnium_log_sigs.yar expl_proxyshell.yar expl_proxynotshell_owassrf_dec22.yar; do
  [ -f "$SHARED/rules-thirdparty/signature-base/yara/$r" ] && YARA_RULES+=("$SHARED/rules-thirdparty/signature-base/yara/$r")
done
HAVE_YARA=0
if [ ${#YARA_RULES[@]} -eq 3 ] && command -v yara > /dev/null; then HAVE_YARA=1; else
  echo "yara or the signature-base rules (../shared) are missing: yara column skipped"; fi

run_tool() {  # name -> "name seconds rss_kb"
  local name=$1 cmd
  case $name in
    exhunt) cmd=("$BUILD/exhunt" scan --format jsonl --quiet "${THREADS_OPT[@]}" "$TREE") ;;
    rg) cmd=(rg -c -i -F -f "$DIR/literals.txt" "$TREE") ;;
    yara) cmd=(yara -r -w -p "$(nproc)" "${YARA_RULES[@]}" "$TREE") ;;
  esac
  timed "$name" "${cmd[@]}"
}

tools=(exhunt rg)
[ "$HAVE_YARA" = 1 ] && tools+=(yara)
for t in "${tools[@]}"; do run_tool "$t" > /dev/null; done  # warm the page cache
: > "$DIR/rounds.txt"
for i in $(seq "$RUNS"); do
  for t in exhunt rg; do run_tool "$t" >> "$DIR/rounds.txt"; done
done
[ "$HAVE_YARA" = 1 ] && run_tool yara >> "$DIR/rounds.txt"

printf '\ntree: %s, %.2f GB, %s cores, %s rounds; findings: %s; planted traces: %s\n' "$TREE" \
  "$(echo "$BYTES / 1073741824" | bc -l)" "$(nproc)" "$RUNS" \
  "$(grep -c '"type":"finding"' "$DIR/exhunt.out" || true)" "$(grep -c '"rule"' "$DIR/truth.json" || true)"
awk -v b="$BYTES" "$ROUNDS_AWK"'
  END {
    for (i = 1; i <= n["exhunt"]; i++) r[i] = s["exhunt", i] / s["rg", i]
    k = n["exhunt"]; for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
    ratio = k % 2 ? r[(k + 1) / 2] : (r[k / 2] + r[k / 2 + 1]) / 2
    printf "%-8s %9s %8s %12s %10s\n", "tool", "seconds", "GB/s", "peak RSS MiB", "vs rg -i"
    split("exhunt rg yara", names, " ")
    for (x = 1; x <= 3; x++) {
      name = names[x]; if (!n[name]) continue
      m = median(name)
      printf "%-8s %9.2f %8.2f %12.1f %10s\n", name, m, b / 1073741824 / m, rss[name] / 1024,
             name == "exhunt" ? sprintf("%.2f", ratio) : sprintf("%.2f", m / median("rg"))
    }
    printf "(seconds: median of %d rounds; exhunt vs rg: median of the per-round ratios, range %.2f-%.2f)\n", k, r[1], r[k]
  }' "$DIR/rounds.txt"
grep '"type":"stats"' "$DIR/exhunt.out" || true
