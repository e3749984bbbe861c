# The single-process library baseline for the CSV comparison: pandas read_csv(...).describe()
# (count, mean, std, min, quartiles, max per numeric column).
# Usage: pandas_describe.py FILE  -> prints {"rows", "elapsed_s"}
import json
import sys
import time

import pandas as pd

if __name__ == "__main__":
    t0 = time.time()
    frame = pd.read_csv(sys.argv[1])
    summary = frame.describe()
    print(json.dumps({"rows": len(frame), "columns": list(summary.columns), "elapsed_s": time.time() - t0}))
