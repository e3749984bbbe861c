#!/usr/bin/env bash
# Quick figures of the engine (medians of repeated runs of the real CLI):
# time until 2 workers are ready, primes [10000, 2000000) with 1 and 2 workers, tiny tasks per second.
# Usage: bench/quick.sh [BUILD_DIR]
set -euo pipefail
brigade=${1:-build/release}/bin/brigade
reps=${REPS:-7}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
field() { /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

ready=$(for _ in $(seq "$reps"); do
  "$brigade" run primes --start 0 --end 10 --workers 2 --json | field "['workers_ready_ms']"; done | median)
echo "workers ready (2 workers): ${ready} ms (median of $reps)"

for w in 1 2; do
  t=$(for _ in $(seq "$reps"); do
    "$brigade" run primes --start 10000 --end 2000000 --workers $w --json | field "['elapsed_s']"; done | median)
  echo "primes [10000, 2000000) with $w worker(s): ${t} s (median of $reps)"
done

n=200000
t=$(for _ in $(seq 3); do
  "$brigade" run risky --items $n --chunk-size 1 --workers 2 --json | field "['elapsed_s']"; done | median)
echo "tiny tasks, chunk size 1, 2 workers: $(/usr/bin/python3 -c "print(round($n / $t))") tasks/s ($n tasks in ${t} s)"
