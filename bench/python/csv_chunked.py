# Reproduces seed 000, Example 2 (chunked_processing.py, "Chunked CSV Processing with Pool.imap"):
# the same chunk_reader (csv.DictReader, lists of 10_000 row dicts) streamed through
# Pool.imap(..., chunksize=1) with a pool of processes. Adapted only in what process_rows computes:
# instead of filtering rows and adding a derived field, each chunk yields per column the count,
# mean and M2 (sum of squared deviations), min and max, and the parent merges them with Chan's
# formulas into what `brigade run stats` reports (count, mean, std with ddof = 1, min, max).
# Empty cells are missing values, as in Brigade.
# Usage: csv_chunked.py FILE PROCESSES  -> prints {"rows", "stats", "elapsed_s"} as JSON
import csv
import gzip
import json
import math
import sys
import time
from multiprocessing import Pool
from typing import Dict, List


def process_rows(rows: List[Dict[str, str]]):
    out = {}
    for row in rows:
        for name, text in row.items():
            try:
                value = float(text)
            except (TypeError, ValueError):
                # skip malformed or empty cells
                continue
            s = out.get(name)
            if s is None:
                out[name] = [1, value, 0.0, value, value]
                continue
            s[0] += 1
            delta = value - s[1]
            s[1] += delta / s[0]
            s[2] += delta * (value - s[1])
            s[3] = min(s[3], value)
            s[4] = max(s[4], value)
    return len(rows), out


def chunk_reader(file_path, chunk_size=10_000):
    open_fn = gzip.open if file_path.endswith(".gz") else open
    with open_fn(file_path, "rt", newline="") as fh:
        reader = csv.DictReader(fh)
        chunk = []
        for row in reader:
            chunk.append(row)
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def merge(a, b):
    n = a[0] + b[0]
    delta = b[1] - a[1]
    return [n, a[1] + delta * b[0] / n, a[2] + b[2] + delta * delta * a[0] * b[0] / n,
            min(a[3], b[3]), max(a[4], b[4])]


if __name__ == "__main__":
    file_path, pool_size = sys.argv[1], int(sys.argv[2])
    t0 = time.time()
    total = {}
    rows = 0
    pool = Pool(pool_size)
    try:
        for n, processed in pool.imap(process_rows, chunk_reader(file_path), chunksize=1):
            rows += n
            for name, s in processed.items():
                total[name] = merge(total[name], s) if name in total else s
    finally:
        pool.close()
        pool.join()
    stats = {name: {"count": s[0], "mean": s[1], "std": math.sqrt(s[2] / (s[0] - 1)) if s[0] > 1 else None,
                    "min": s[3], "max": s[4]} for name, s in total.items()}
    print(json.dumps({"rows": rows, "stats": stats, "elapsed_s": time.time() - t0}))
