#!/usr/bin/env bash
# Checks that src/ folders include only folders below them in the flow:
#   base < source < record < rule < reader < exposure < finding < scan < report < store < cli
# A folder may include itself and any folder listed before it. Tests
# (*_test.cc, *_perftest.cc) may include anything. Prints each violation;
# exits 1 if there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
order=(base source record rule reader exposure finding scan report store cli)
rank() { local i; for i in "${!order[@]}"; do [ "${order[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo -1; }
bad=0
for dir in "${order[@]}"; do
  r=$(rank "$dir")
  for f in src/"$dir"/*.h src/"$dir"/*.cc; do
    [ -e "$f" ] || continue
    case "$f" in *_test.cc|*_perftest.cc) continue ;; esac
    while read -r inc; do
      target=${inc%%/*}
      t=$(rank "$target")
      [ "$t" -lt 0 ] && continue
      if [ "$t" -gt "$r" ]; then
        echo "$f includes $inc: $dir may not depend on $target"
        bad=1
      fi
    done < <(sed -n 's/^#include "\([a-z_]*\/[a-z_]*\.h\)".*/\1/p' "$f")
  done
done
if [ "$bad" = 0 ]; then echo "layers: ok (${order[*]})"; fi
exit "$bad"
