# Reproduces seed 000, Example 3 (shared_numpy.py, "Shared Memory with NumPy"): 10_000_000 float64
# from np.arange copied once into a SharedMemory block, then one Process per slice that attaches by
# name and doubles its slice in place; the parent joins them. The seed starts 4 processes; the
# process count is an argument here (the comparison uses 2, like Brigade).
# Usage: shared_scale.py SIZE PROCESSES  -> prints {"elapsed_s" (the seed's timed part), "first", "last"}
import json
import sys
import time
from multiprocessing import Process, shared_memory

import numpy as np


def worker(name, shape, dtype, start_idx, end_idx):
    shm = shared_memory.SharedMemory(name=name)
    arr = np.ndarray(shape, dtype=dtype, buffer=shm.buf)
    # operate in-place on slice
    arr[start_idx:end_idx] = arr[start_idx:end_idx] * 2
    shm.close()


if __name__ == "__main__":
    size, n_workers = int(sys.argv[1]), int(sys.argv[2])
    a = np.arange(size, dtype=np.float64)
    shm = shared_memory.SharedMemory(create=True, size=a.nbytes)
    arr = np.ndarray(a.shape, dtype=a.dtype, buffer=shm.buf)
    arr[:] = a[:]
    chunk = size // n_workers
    procs = []
    t0 = time.time()
    for i in range(n_workers):
        s = i * chunk
        e = (i + 1) * chunk if i < n_workers - 1 else size
        p = Process(target=worker, args=(shm.name, a.shape, a.dtype, s, e))
        p.start()
        procs.append(p)
    for p in procs:
        p.join()
    t1 = time.time()
    print(json.dumps({"elapsed_s": t1 - t0, "first": float(arr[0]), "last": float(arr[-1])}))
    del arr
    shm.close()
    shm.unlink()
