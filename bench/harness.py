# Runs every comparison of the benchmark (Brigade against the seeds' Python programs and the floors)
# and writes the raw figures to one JSON file that bench/report.py turns into docs/BENCHMARKS.md.
# Both sides of a comparison are alternated (A B, then B A, ...), each repeated REPS times.
# Usage: /usr/bin/python3 bench/harness.py BUILD_DIR OUT.json   (REPS, BENCH_ONLY=name,name to narrow)
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PY = "/usr/bin/python3"  # Debian's interpreter and numpy, not whatever python3 is first on PATH
REPS = int(os.environ.get("REPS", "5"))
SHORT_REPS = 2 * REPS - 1  # comparisons of sub-second runs, where a repetition costs little and noise is large
ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))

build = Path(sys.argv[1]).resolve()
out_path = Path(sys.argv[2]).resolve()
bin_dir = build / "bin"
brigade = str(bin_dir / "brigade")
data = build / "bench-data"
data.mkdir(exist_ok=True)
env = dict(os.environ, BRIGADE_WORKER=str(bin_dir / "brigade-worker"),
           BRIGADE_HISTORY=str(data / "history.sqlite"), QT_QPA_PLATFORM="offscreen")


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def busy_seconds():
    """CPU seconds all programs on the machine have spent (from /proc/stat), and those of our finished children."""
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    machine_busy = sum(fields[:3] + fields[5:8]) / os.sysconf("SC_CLK_TCK")  # user nice system irq softirq steal
    ours = resource.getrusage(resource.RUSAGE_CHILDREN)
    return machine_busy, ours.ru_utime + ours.ru_stime


FOREIGN = [0.0]  # cores that other programs kept busy during the last run()


def run(cmd, parse_json=True, timeout=600):
    """Runs cmd to its end; returns (wall seconds, parsed JSON of its stdout or the text)."""
    busy0, ours0 = busy_seconds()
    t0 = time.perf_counter()
    cmd = [str(c) for c in cmd]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    busy1, ours1 = busy_seconds()
    FOREIGN[0] = max(0.0, ((busy1 - busy0) - (ours1 - ours0)) / wall)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {p.returncode}: {p.stderr[-2000:]}")
    if not parse_json:
        return wall, p.stdout
    return wall, json.loads(p.stdout.strip().splitlines()[-1])


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "values": values}


def alternated(sides, reps=REPS):
    """sides: {name: callable returning a dict of figures}; runs them round-robin, the order reversed
    every other repetition. Returns {name: {figure: summary}}."""
    names = list(sides)
    samples = {n: [] for n in names}
    for r in range(reps):
        for n in (names if r % 2 == 0 else names[::-1]):
            samples[n].append(sides[n]())
    return {n: {k: summary([s[k] for s in samples[n]]) for k in samples[n][0]} for n in names}


def brigade_run(*args):
    def side():
        wall, out = run([brigade, "run", *map(str, args), "--json", "--quiet"])
        if out["status"] != "ok":
            raise RuntimeError(f"brigade run {args}: {out['status']}")
        return {"wall_s": wall, "elapsed_s": out["elapsed_s"], "foreign_cores": FOREIGN[0],
                "workers_ready_ms": out.get("workers_ready_ms", -1),
                "chunk_size": out.get("chunk_size", -1), "tasks": out.get("tasks", -1), "out": out}
    def figures():
        s = side()
        s.pop("out")
        return s
    return figures


def python_run(script, *args):
    def side():
        wall, out = run([PY, str(HERE / "python" / script), *map(str, args)])
        return {"wall_s": wall, "elapsed_s": out["elapsed_s"], "foreign_cores": FOREIGN[0]}
    return side


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next(int(l.split()[1]) * 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal"))
    cache = (build / "CMakeCache.txt").read_text()
    cxx = re.search(r"CMAKE_CXX_COMPILER:\w+=(.*)", cache).group(1)
    build_type = re.search(r"CMAKE_BUILD_TYPE:\w+=(.*)", cache).group(1)
    qt = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "qt6-base-dev"], capture_output=True, text=True).stdout
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_bytes": mem, "kernel": platform.release(),
        "compiler": subprocess.run([cxx, "--version"], capture_output=True, text=True).stdout.splitlines()[0],
        "build_type": build_type, "qt": qt, "python": sys.version.split()[0], "numpy": np.__version__,
        "brigade": run([brigade, "--version"], parse_json=False)[1].strip(),
        "date_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def loadavg():
    return float(open("/proc/loadavg").read().split()[0])


results = {"build_s": float(os.environ.get("BENCH_BUILD_S", "nan")), "reps": REPS, "short_reps": SHORT_REPS, "machine": machine(), "load_before": loadavg(), "started": time.time(), "benchmarks": {}}


def bench(name):
    def wrap(fn):
        if ONLY and name not in ONLY:
            return fn
        log("start", name)
        t0 = time.time()
        results["benchmarks"][name] = fn()
        results["benchmarks"][name]["duration_s"] = time.time() - t0
        results["benchmarks"][name]["load_after"] = loadavg()
        log("done", name, f"{time.time() - t0:.0f} s")
        out_path.write_text(json.dumps(results, indent=1))
        return fn
    return wrap


@bench("primes_vs_seed")
def _():
    return alternated({
        "brigade": brigade_run("primes", "--start", 10000, "--end", 2000000, "--workers", 2),
        "seed": python_run("primes_pool.py", 10000, 2000000, 2),
    })


@bench("primes_scaling")
def _():
    return alternated({
        "1 worker": brigade_run("primes", "--start", 10000000, "--end", 20000000, "--workers", 1),
        "2 workers": brigade_run("primes", "--start", 10000000, "--end", 20000000, "--workers", 2),
    })


TINY_N = int(os.environ.get("TINY_N", "100000"))


@bench("tiny_tasks")
def _():
    r = alternated({
        "brigade": brigade_run("batch-sum", "--start", 0, "--end", TINY_N, "--chunk-size", 1, "--workers", 2),
        "seed": python_run("tiny_tasks.py", TINY_N, 2),
    })
    r["n"] = TINY_N
    return r


SCALE_N = 10_000_000


@bench("scale")
def _():
    r = alternated({
        "brigade": brigade_run("scale", "--rows", SCALE_N, "--factor", 2, "--workers", 2),
        "seed": python_run("shared_scale.py", SCALE_N, 2),
    }, SHORT_REPS)
    # The compute phase alone (from the task spans) against the single-process Eigen loop, alternated.
    def phases():
        _, out = run([bin_dir / "scale_phases", SCALE_N])
        return {"compute_s": out["compute_s"], "bandwidth_gbs": out["bandwidth_gbs"]}

    def floor():
        _, out = run([bin_dir / "floor_scale", SCALE_N, 11])
        return {"compute_s": out["median_s"], "bandwidth_gbs": out["bandwidth_gbs"]}

    r["bandwidth"] = alternated({"brigade compute phase": phases, "floor (Eigen, 1 process)": floor}, SHORT_REPS)
    r["n"] = SCALE_N
    return r


@bench("workers_ready")
def _():
    side = brigade_run("primes", "--start", 0, "--end", 10, "--workers", 2)
    return {"brigade": {k: summary([side()[k] for _ in range(max(REPS, 11))]) for k in ["workers_ready_ms"]}}


def make_npy(path, n):
    if path.exists() and path.stat().st_size >= n * 8:
        return
    log("writing", path)
    arr = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(n,))
    step = 1 << 24
    for s in range(0, n, step):
        arr[s:s + step] = np.arange(s, min(n, s + step), dtype=np.float64)
    arr.flush()
    del arr


def tree_pids(root):
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                todo += [int(c) for c in open(f"/proc/{pid}/task/{task}/children").read().split()]
        except OSError:
            pass
    return pids


def rollup(pid):
    """Pss and Pss_Shmem of a process, in bytes (0, 0 once it is gone)."""
    try:
        fields = dict(line.split()[:2] for line in open(f"/proc/{pid}/smaps_rollup") if line[0].isupper())
        return int(fields["Pss:"]) * 1024, int(fields.get("Pss_Shmem:", "0")) * 1024
    except (OSError, KeyError, ValueError):
        return 0, 0


def system_shmem():
    for line in open("/proc/meminfo"):
        if line.startswith("Shmem:"):
            return int(line.split()[1]) * 1024
    return 0


@bench("memory_1gib")
def _():
    n = (1 << 30) // 8
    path = data / "one-gib.npy"
    make_npy(path, n)
    peaks, with_workers, raw_peaks = [], [], []
    for _ in range(REPS):
        shmem_before = system_shmem()
        p = subprocess.Popen([brigade, "run", "scale", "--input", str(path), "--factor", "2", "--workers", "2",
                              "--json", "--quiet"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        peak = peak_workers = raw_peak = 0
        while p.poll() is None:
            pids = tree_pids(p.pid)
            memory = [rollup(pid) for pid in pids]
            # The processes' own pages (PSS less shared memory) plus the shared memory they created, counted
            # once from /proc/meminfo. Summing the processes' PSS read one after the other would mix moments:
            # each read divides a shared page by the processes mapping it right then, and a worker maps the
            # whole GiB at attach in milliseconds, so such a sum can exceed the pages there are.
            total = sum(pss - shmem for pss, shmem in memory) + max(0, system_shmem() - shmem_before)
            raw_peak = max(raw_peak, sum(pss for pss, _ in memory))
            peak = max(peak, total)
            if len(pids) >= 3:  # the CLI and its two workers
                peak_workers = max(peak_workers, total)
            time.sleep(0.002)
        if p.wait() != 0:
            raise RuntimeError("scale over 1 GiB failed")
        peaks.append(peak)
        with_workers.append(peak_workers)
        raw_peaks.append(raw_peak)
    return {"brigade": {"pss_peak_bytes": summary(peaks), "pss_peak_with_workers_bytes": summary(with_workers),
                        "pss_raw_peak_bytes": summary(raw_peaks)},
            "dataset_bytes": path.stat().st_size}


CSV_BYTES = int(os.environ.get("CSV_BYTES", str(1_000_000_000)))
# The seed program and pandas read record-aligned slices from the file's start (see the report).
SLICE_BYTES = int(os.environ.get("CSV_SLICE_BYTES", str(250_000_000)))
PANDAS_BYTES = int(os.environ.get("CSV_PANDAS_BYTES", str(CSV_BYTES)))


def make_csv(path, size):
    if path.exists() and path.stat().st_size >= size:
        return
    log("writing", path)
    rng = np.random.default_rng(6)
    block = np.column_stack([rng.normal(100, 15, 200_000), rng.uniform(0, 1, 200_000),
                             rng.integers(0, 100_000, 200_000), rng.exponential(3, 200_000)])
    from io import StringIO
    text = StringIO()
    np.savetxt(text, block, fmt=["%.6f", "%.8f", "%d", "%.5f"], delimiter=",")
    chunk = text.getvalue().encode()
    with open(path, "wb") as fh:
        fh.write(b"normal,uniform,count,exponential\n")
        written = 0
        while written < size:
            fh.write(chunk)  # the same 200,000 rows repeated: the parser sees the same work per byte
            written += len(chunk)


def csv_slice(src, dst, size):
    if size >= src.stat().st_size or size >= CSV_BYTES:
        return src
    if dst.exists() and abs(dst.stat().st_size - size) < 1_000_000:
        return dst
    with open(src, "rb") as fh:
        head = fh.read(size)
    dst.write_bytes(head[:head.rindex(b"\n") + 1])
    return dst


@bench("csv_stats")
def _():
    path, part, pd_part = data / "numbers-1gb.csv", data / "numbers-seed-slice.csv", data / "numbers-pandas-slice.csv"
    make_csv(path, CSV_BYTES)
    part = csv_slice(path, part, SLICE_BYTES)
    pd_part = csv_slice(path, pd_part, PANDAS_BYTES)
    size, part_size, pd_size = path.stat().st_size, part.stat().st_size, pd_part.stat().st_size
    run(["cat", str(path)], parse_json=False)  # into the page cache, so every side reads from memory

    def cat():
        t0 = time.perf_counter()
        subprocess.run(f"cat '{path}' > /dev/null", shell=True, check=True)
        return {"wall_s": time.perf_counter() - t0}

    sides = {
        "brigade": brigade_run("stats", "--input", path, "--workers", 2),
        "seed (slice)": python_run("csv_chunked.py", part, 2),
        "pandas": python_run("pandas_describe.py", pd_part),
        "cat": cat,
    }
    r = alternated(sides)
    r["bytes"] = {"brigade": size, "seed (slice)": part_size, "cat": size, "pandas": pd_size}
    return r


@bench("ui_stall")
def _():
    # Enough one-item tasks that the flood lasts a second or more (about 2 million a second reach the window).
    tasks = int(os.environ.get("UI_TASKS", "3000000"))
    rows = []
    for _ in range(REPS):
        _, text = run([str(bin_dir / "bench_ui_stall"), tasks], parse_json=False)
        row = {}
        for line in text.splitlines():
            m = re.search(r"^(\S+).*?p50\s+([\d.]+) ms\s+p99\s+([\d.]+) ms\s+max\s+([\d.]+) ms", line)
            if m:
                key = "progress" if m.group(1).startswith("batch-sum") else "errors"
                row[f"{key}_p50_ms"], row[f"{key}_p99_ms"], row[f"{key}_max_ms"] = map(float, m.groups()[1:])
        rows.append(row)
    return {"brigade": {k: summary([r[k] for r in rows]) for k in rows[0]}, "tasks": tasks}


def sweep(job_args, chunks, n_items):
    sides = {str(c): brigade_run(*job_args, "--chunk-size", c, "--workers", 2) for c in chunks}
    r = alternated(sides, SHORT_REPS)
    r["items"] = n_items
    return r


@bench("chunking_tiny")
def _():
    n = 1_000_000_000  # a tenth of a nanosecond per item (vectorised): long enough that start-up does not decide the ranking
    return sweep(["batch-sum", "--start", 0, "--end", n], ["auto", 100000, 1000000, 10000000, 100000000], n)


@bench("chunking_heavy")
def _():
    return sweep(["primes", "--start", 10000000, "--end", 20000000],
                 ["auto", 1000, 10000, 100000, 1000000], 10_000_000)


results["load_after"] = loadavg()
results["duration_s"] = time.time() - results["started"]
out_path.write_text(json.dumps(results, indent=1))
log("results in", out_path)
