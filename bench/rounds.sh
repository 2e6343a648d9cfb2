# Sourced by the bench scripts: one way to time a run and to read the rounds.
#
# timed NAME CMD...  runs CMD, its output in $DIR/NAME.out and $DIR/NAME.err,
#                    and prints "NAME seconds peak_rss_kib": one line of a
#                    rounds file.
# ROUNDS_AWK         awk text that reads a rounds file into n[name] (runs),
#                    s[name, i] (seconds of run i) and rss[name] (peak KiB),
#                    and defines median(name). A script appends its END:
#                    awk -v b="$BYTES" "$ROUNDS_AWK"' END { ... }' FILE
timed() {
  local name=$1
  shift
  /usr/bin/time -f "%e %M" -o "$DIR/$name.time" "$@" > "$DIR/$name.out" 2> "$DIR/$name.err" || true
  echo "$name $(tail -1 "$DIR/$name.time")"
}

# shellcheck disable=SC2016
ROUNDS_AWK='
  { n[$1]++; s[$1, n[$1]] = $2; if ($3 > rss[$1]) rss[$1] = $3 }
  function median(name,   k, i, j, t, a) {
    k = n[name]; for (i = 1; i <= k; i++) a[i] = s[name, i]
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
  }
'
