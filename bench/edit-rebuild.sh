#!/usr/bin/env bash
# Time from a handler edit to a rebuilt binary (debug), the figure of BENCHMARKS.md's
# "edit → binary" rows. Usage: bench/edit-rebuild.sh [runs]
# Edits one literal inside a handler of the counter (28-line app) and of the chat (589 lines,
# database auth), alternating between two values, and rebuilds the example's binary each
# time; the files are restored at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}

measure() { # package file from to
  local pkg=$1 file=$2 from=$3 to=$4
  cp "$file" "$file.orig"
  trap 'mv "$file.orig" "$file"' RETURN
  grep -qF -- "$from" "$file" || { echo "$file: '$from' not found" >&2; return 1; }
  cargo build -q -p "$pkg"
  local times=()
  for i in $(seq "$runs"); do
    if [ $((i % 2)) = 1 ]; then a=$from b=$to; else a=$to b=$from; fi
    python3 - "$file" "$a" "$b" <<'PY'
import sys
p, a, b = sys.argv[1:]
s = open(p).read()
open(p, "w").write(s.replace(a, b, 1))
PY
    local t0 t1
    t0=$(date +%s.%N)
    cargo build -q -p "$pkg"
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc)")
  done
  printf '%s: %s s (sorted)\n' "$pkg" "$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')"
}

measure example-counter examples/counter/src/lib.rs 'self.counter2.value += 1.0;' 'self.counter2.value += 1.5;'
measure example-chat examples/chat/src/lib.rs 'ok_or("sign in first")?;' 'ok_or("sign in, first")?;'
