# Reproduces seed 000, Example 1 (cpu_primes.py, "CPU-bound: Parallel Prime Counting"): the same
# is_prime trial division, count_primes_in_range and split_ranges, one range per process and
# Pool.map over them. Only the range and the process count are arguments (the seed hard-codes
# [10_000, 100_000) and cpu_count()).
# Usage: primes_pool.py START END PROCESSES  -> prints {"count", "elapsed_s"} as JSON
import json
import math
import sys
import time
from multiprocessing import Pool


def is_prime(n: int) -> bool:
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    r = int(math.sqrt(n))
    for i in range(3, r + 1, 2):
        if n % i == 0:
            return False
    return True


def count_primes_in_range(rng):
    start, end = rng
    count = 0
    for n in range(start, end):
        if is_prime(n):
            count += 1
    return count


def split_ranges(start, end, chunks):
    size = (end - start) // chunks
    ranges = []
    s = start
    for i in range(chunks):
        e = s + size if i < chunks - 1 else end
        ranges.append((s, e))
        s = e
    return ranges


if __name__ == "__main__":
    start_val, end_val, n_cpus = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    ranges = split_ranges(start_val, end_val, n_cpus)
    t0 = time.time()
    with Pool(processes=n_cpus) as pool:
        counts = pool.map(count_primes_in_range, ranges)
    total_primes = sum(counts)
    t1 = time.time()
    print(json.dumps({"count": total_primes, "elapsed_s": t1 - t0}))
