#!/usr/bin/env bash
# File-plane benchmark: exhunt's file plane beside `yara -r` on one tree.
#
# The tree (made once, in $BENCH_DIR/files/EXCH01): the webshell corpus under
# aspnet_client, the benign pages under ClientAccess, the machine's own
# libraries and programs (BENCH_BINARIES, default /usr/lib/x86_64-linux-gnu
# and /usr/bin: ~1.4 GB of ELF files under 64 MB, hard links where the file
# system allows) standing in for
# a server's binaries, and the generated log tree of bench/run.sh (hard
# links, BENCH_MB MiB).
# Rules: signature-base's 741 YARA files plus exhunt's built-in YARA rules,
# Loki's externals defined for yara with -d (yara cannot set them per file).
# Runs each tool once to warm the page cache, then RUNS interleaved rounds;
# prints median wall seconds, GB/s, peak RSS and the yara/exhunt ratio.
#   exhunt scan --yara signature-base/yara (all planes: logs by Sigma, files by YARA+IOC+place)
#   exhunt scan --no-builtin --yara ... on the tree without logs (the file plane alone)
#   yara -r -w -p <cores> on the whole tree, and on the tree without logs
#   exhunt scan (built-in rules only) and yara -r with exhunt's built-in YARA file, files only
# Environment: BENCH_DIR (default build/bench), BENCH_MB (default 1100), RUNS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/rounds.sh
BUILD=${BUILD:-build}
DIR=${BENCH_DIR:-$BUILD/bench}
SHARED=${SHARED_DIR:-../shared}
SIG=$SHARED/rules-thirdparty/signature-base/yara
RUNS=${RUNS:-3}
BINARIES=${BENCH_BINARIES:-/usr/lib/x86_64-linux-gnu /usr/bin}
if [ ! -d "$SIG" ] || ! command -v yara > /dev/null; then
  echo "yara or signature-base (../shared) missing: nothing to compare with"; exit 0
fi
[ -d "$DIR/EXCH01" ] || BENCH_ONLY_TREE=1 bench/run.sh > /dev/null
FILES=$DIR/files/EXCH01
NOLOGS=$DIR/files-nologs/EXCH01
if [ ! -f "$DIR/files/.done" ]; then
  rm -rf "$DIR/files" "$DIR/files-nologs"
  mkdir -p "$NOLOGS/inetpub/wwwroot/aspnet_client/system_web" \
    "$NOLOGS/Program Files/Microsoft/Exchange Server/V15/ClientAccess/owa" "$NOLOGS/Windows/System32"
  cp "$SHARED"/corpus/webshells/files/* "$NOLOGS/inetpub/wwwroot/aspnet_client/system_web/"
  cp -r "$SHARED"/corpus/benign-aspx/* "$NOLOGS/Program Files/Microsoft/Exchange Server/V15/ClientAccess/owa/"
  # The binaries: every regular file of the machine's libraries and
  # programs under exhunt's default content cap (both tools read them all),
  # hard-linked (cp -l: no copy; symbolic links are left out, which yara
  # would follow and exhunt does not).
  for d in $BINARIES; do
    [ -d "$d" ] || continue
    dest="$NOLOGS/Windows/System32/$(basename "$d")"
    (cd "$d" && find . -type f -size -64M -print0) | while IFS= read -r -d '' f; do
      mkdir -p "$dest/$(dirname "$f")"
      ln "$d/$f" "$dest/$f" 2> /dev/null || cp "$d/$f" "$dest/$f"
    done
  done
  mkdir -p "$FILES"
  cp -al "$NOLOGS/." "$FILES/"
  cp -al "$DIR/EXCH01/." "$FILES/"
  touch "$DIR/files/.done"
fi
YARA_FILES=("$SIG"/*.yar "$SIG"/*.yara rules/yara/webshells.yar)
EXT=(-d filename= -d filepath= -d extension= -d filetype= -d md5= -d owner=)
round() {
  timed exhunt-all "$BUILD/exhunt" scan --quiet --format jsonl --yara "$SIG" "$FILES"
  timed yara-all yara -r -w -p "$(nproc)" "${EXT[@]}" "${YARA_FILES[@]}" "$FILES"
  timed exhunt-files "$BUILD/exhunt" scan --quiet --format jsonl --yara "$SIG" "$NOLOGS"
  timed yara-files yara -r -w -p "$(nproc)" "${EXT[@]}" "${YARA_FILES[@]}" "$NOLOGS"
  timed exhunt-builtin "$BUILD/exhunt" scan --quiet --format jsonl "$NOLOGS"
  timed yara-builtin yara -r -w -p "$(nproc)" "${EXT[@]}" rules/yara/*.yar "$NOLOGS"
}
round > /dev/null  # warm the page cache
: > "$DIR/files-rounds.txt"
for i in $(seq "$RUNS"); do round >> "$DIR/files-rounds.txt"; done
printf '\ntree with logs: %s GB; files only: %s GB; %s cores; %s rounds\n' \
  "$(du -sbL "$FILES" | awk '{printf "%.2f", $1/1073741824}')" "$(du -sb "$NOLOGS" | awk '{printf "%.2f", $1/1073741824}')" \
  "$(nproc)" "$RUNS"
awk "$ROUNDS_AWK"'
  END {
    for (t in n) printf "%-14s %7.2f s  peak RSS %6.1f MiB\n", t, median(t), rss[t] / 1024
    printf "yara / exhunt: whole tree %.2fx, files only %.2fx, built-in rules on files only %.2fx\n",
      median("yara-all") / median("exhunt-all"), median("yara-files") / median("exhunt-files"),
      median("yara-builtin") / median("exhunt-builtin") }' "$DIR/files-rounds.txt" | sort
echo "matches: exhunt $(grep -c '"type":"finding"' "$DIR/exhunt-files.out" || true) findings (files only);" \
  "yara $(wc -l < "$DIR/yara-files.out") rule matches (files only)"
