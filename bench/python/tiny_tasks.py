# Reproduces the seeds' fine-grained Pool usage (seed 000 "Tune chunksize in Pool.map/imap"; seed 002
# "Pool.imap_unordered"): Pool.imap_unordered(f, range(n), chunksize=1) with a trivial f, the
# per-task overhead that `brigade run batch-sum --chunk-size 1` is compared with. f returns its
# item and the parent sums them, which is what batch-sum computes.
# Usage: tiny_tasks.py N PROCESSES  -> prints {"tasks", "sum", "elapsed_s", "tasks_per_s"}
import json
import sys
import time
from multiprocessing import Pool


def f(x):
    return x


if __name__ == "__main__":
    n, processes = int(sys.argv[1]), int(sys.argv[2])
    t0 = time.time()
    with Pool(processes) as pool:
        total = sum(pool.imap_unordered(f, range(n), chunksize=1))
    elapsed = time.time() - t0
    print(json.dumps({"tasks": n, "sum": total, "elapsed_s": elapsed, "tasks_per_s": n / elapsed}))
