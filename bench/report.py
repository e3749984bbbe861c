# Turns bench/harness.py's JSON into docs/BENCHMARKS.md and its PNG plots (matplotlib): every figure
# with its median, min-max spread, ratio to the goal, and the goal marked met or not met.
# Usage: /usr/bin/python3 bench/report.py RESULTS.json DOCS_DIR
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

results = json.loads(Path(sys.argv[1]).read_text())
docs = Path(sys.argv[2])
docs.mkdir(parents=True, exist_ok=True)
B = results["benchmarks"]
GiB, MB = 1 << 30, 1e6


def med(bench, side, fig="wall_s"):
    return B[bench][side][fig]["median"]


def spread(bench, side, fig="wall_s"):
    return B[bench][side][fig]["min"], B[bench][side][fig]["max"]


def ratio_spread(bench, slow, fast, fig="wall_s"):
    """slow/fast at the medians, and its range from the worst to the best pairing of extremes."""
    smin, smax = spread(bench, slow, fig)
    fmin, fmax = spread(bench, fast, fig)
    return med(bench, slow, fig) / med(bench, fast, fig), smin / fmax, smax / fmin


def s(x, unit="s"):
    if unit == "s":
        return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"
    return f"{x:,.0f} {unit}" if x >= 100 else f"{x:.3g} {unit}"


def rng(lo, hi, unit="s"):
    return f"{s(lo, unit)} – {s(hi, unit)}"


goals = []  # (number, goal, measured, ratio to goal, met)
sections = []


BENCH_OF = {1: "primes_vs_seed", 2: "primes_scaling", 3: "tiny_tasks", 4: "scale", 5: "workers_ready",
            6: "memory_1gib", 7: "csv_stats", 8: "ui_stall"}


def goal(num, text, measured, to_goal, met):
    name = BENCH_OF.get(num) or ("chunking_tiny" if "tiny" in text else "chunking_heavy")
    foreign = [v["foreign_cores"]["median"] for v in B[name].values() if isinstance(v, dict) and "foreign_cores" in v]
    busy = f"{sum(foreign) / len(foreign):.2f}" if foreign else "–"
    goals.append((num, text, measured, to_goal, "**met**" if met else "**not met**", busy))


m = results["machine"]
reps = results["reps"]
lines = [
    "# Benchmarks",
    "",
    "Brigade against the seeds' Python programs (`bench/python/`, each naming the seed example it",
    "reproduces) and against the machine's floors. Produced by `bench/run` (which builds the release",
    f"preset in `build/bench`, runs `bench/harness.py`, then `bench/report.py`); {reps} repetitions of each",
    f"side ({results.get('short_reps', reps)} for the sub-second ones: x2 and chunk sizes), the sides alternated (A B, B A, ...). Every figure is the median with the min–max spread over",
    "the repetitions; a ratio's spread pairs the extremes (slowest A with fastest B and the reverse).",
    "Times are end to end (wall clock of the whole command: process start, loading, run, exit) unless",
    "said otherwise. 2 workers (processes) on both sides unless said.",
    "",
    "## Machine",
    "",
    "| | |",
    "|---|---|",
    f"| CPU | {m['cpu']} |",
    f"| cores | {m['cores']} |",
    f"| memory | {m['memory_bytes'] / GiB:.1f} GiB |",
    f"| kernel | {m['kernel']} |",
    f"| compiler | {m['compiler']} ({m['build_type']}) |",
    f"| Qt | {m['qt']} |",
    f"| Python, numpy | {m['python']} (Debian `/usr/bin/python3`), numpy {m['numpy']} |",
    f"| run | {m['date_utc']}, {results.get('duration_s', 0) / 60:.1f} min of measuring after "
    f"{results.get('build_s', float('nan')) / 60:.1f} min of building; load average "
    f"{results['load_before']:.1f} before, {results.get('load_after', float('nan')):.1f} after |",
    "",
    "The machine is shared (other builds and tests run on the same 2 cores): the load averages above and",
    "the goals' \"others' CPU\" column say how quiet it was, and the spreads show the noise.",
    "",
]

# 1. primes vs seed
if "primes_vs_seed" in B:
    r, lo, hi = ratio_spread("primes_vs_seed", "seed", "brigade")
    goal(1, "primes [10000, 2000000): Brigade vs seed 000 Example 1, ≥ 25x", f"{r:.1f}x ({lo:.1f}–{hi:.1f})",
         f"{r / 25:.2f}", r >= 25)
    sections += [
        "## 1. Primes in [10000, 2000000) vs seed 000 Example 1",
        "",
        "| side | median | spread |",
        "|---|---|---|",
        f"| `brigade run primes --start 10000 --end 2000000 --workers 2` | {s(med('primes_vs_seed', 'brigade'))} "
        f"| {rng(*spread('primes_vs_seed', 'brigade'))} |",
        f"| `bench/python/primes_pool.py` (Pool.map over 2 ranges) | {s(med('primes_vs_seed', 'seed'))} "
        f"| {rng(*spread('primes_vs_seed', 'seed'))} |",
        "",
        f"Ratio {r:.1f}x (spread {lo:.1f}–{hi:.1f}x); goal ≥ 25x. Same trial division up to the square "
        "root, but Brigade's job tries the primes up to it only (a sieve's table, built once per worker), the "
        "seed every odd number; and below 2³² it tests divisibility by a multiplication with the prime's "
        "inverse modulo 2³² instead of a division. Part of the ratio is these savings, not the language.",
        "",
    ]

# 2. scaling
if "primes_scaling" in B:
    r, lo, hi = ratio_spread("primes_scaling", "1 worker", "2 workers", "elapsed_s")
    goal(2, "primes [10^7, 2·10^7): 2 workers vs 1, ≥ 1.8x", f"{r:.2f}x ({lo:.2f}–{hi:.2f})", f"{r / 1.8:.2f}",
         r >= 1.8)
    sections += [
        "## 2. Primes in [10000000, 20000000): 2 workers vs 1",
        "",
        "| workers | run time (`elapsed_s`) | spread | wall | spread |",
        "|---|---|---|---|---|",
    ] + [
        f"| {w} | {s(med('primes_scaling', w, 'elapsed_s'))} | {rng(*spread('primes_scaling', w, 'elapsed_s'))} "
        f"| {s(med('primes_scaling', w))} | {rng(*spread('primes_scaling', w))} |"
        for w in ("1 worker", "2 workers")
    ] + ["", f"Speed-up {r:.2f}x (spread {lo:.2f}–{hi:.2f}x); goal ≥ 1.8x on a quiet machine.", ""]

# 3. tiny tasks
if "tiny_tasks" in B:
    n = B["tiny_tasks"]["n"]
    r, lo, hi = ratio_spread("tiny_tasks", "seed", "brigade")
    rate = n / med("tiny_tasks", "brigade")
    rate_lo, rate_hi = n / spread("tiny_tasks", "brigade")[1], n / spread("tiny_tasks", "brigade")[0]
    run_rate = n / med("tiny_tasks", "brigade", "elapsed_s")
    seed_rate = n / med("tiny_tasks", "seed")
    goal(3, "tiny tasks: vs Pool.imap_unordered(chunksize=1), ≥ 15x", f"{r:.2f}x ({lo:.2f}–{hi:.2f})",
         f"{r / 15:.2f}", r >= 15)
    goal(3, "tiny tasks: ≥ 200,000 tasks/s", f"{rate:,.0f}/s ({rate_lo:,.0f}–{rate_hi:,.0f})",
         f"{rate / 200000:.2f}", rate >= 200000)
    sections += [
        f"## 3. Tiny tasks: {n:,} tasks of one item each",
        "",
        "| side | median | spread | tasks/s |",
        "|---|---|---|---|",
        f"| `brigade run batch-sum --start 0 --end {n} --chunk-size 1 --workers 2` | "
        f"{s(med('tiny_tasks', 'brigade'))} | {rng(*spread('tiny_tasks', 'brigade'))} | {rate:,.0f} |",
        f"| `bench/python/tiny_tasks.py` (`Pool.imap_unordered(f, range(n), chunksize=1)`) | "
        f"{s(med('tiny_tasks', 'seed'))} | {rng(*spread('tiny_tasks', 'seed'))} | {seed_rate:,.0f} |",
        "",
        f"Ratio {r:.2f}x (spread {lo:.2f}–{hi:.2f}x); goal ≥ 15x. Brigade's rate end to end {rate:,.0f} tasks/s "
        f"(spread {rate_lo:,.0f}–{rate_hi:,.0f}); over its run alone (`elapsed_s`, without process start) "
        f"{run_rate:,.0f} tasks/s; goal ≥ 200,000 tasks/s.",
        "",
    ]

# 4. scale
if "scale" in B:
    n = B["scale"]["n"]
    r, lo, hi = ratio_spread("scale", "brigade", "seed")  # Brigade's time as a share of the seed's
    goal(4, "in-place x2 of 10^7 float64: at most half the seed's time", f"{r:.2f} of it ({lo:.2f}–{hi:.2f})",
         f"{0.5 / r:.2f}", r <= 0.5)
    bw = B["scale"]["bandwidth"]
    b_med = bw["brigade compute phase"]["bandwidth_gbs"]["median"]
    f_med = bw["floor (Eigen, 1 process)"]["bandwidth_gbs"]["median"]
    share = b_med / f_med
    bw_lo = bw["brigade compute phase"]["bandwidth_gbs"]["min"] / bw["floor (Eigen, 1 process)"]["bandwidth_gbs"]["max"]
    bw_hi = bw["brigade compute phase"]["bandwidth_gbs"]["max"] / bw["floor (Eigen, 1 process)"]["bandwidth_gbs"]["min"]
    goal(4, "x2 compute phase: ≥ 70% of a single-process Eigen loop's bandwidth",
         f"{share * 100:.0f}% ({bw_lo * 100:.0f}–{bw_hi * 100:.0f}%)", f"{share / 0.7:.2f}", share >= 0.7)
    sections += [
        f"## 4. In-place x2 of {n:,} float64",
        "",
        "| side | median | spread |",
        "|---|---|---|",
        f"| `brigade run scale --rows {n} --factor 2 --workers 2` | {s(med('scale', 'brigade'))} "
        f"| {rng(*spread('scale', 'brigade'))} |",
        f"| `bench/python/shared_scale.py` (SharedMemory + 2 Process, seed 000 Example 3) | {s(med('scale', 'seed'))} "
        f"| {rng(*spread('scale', 'seed'))} |",
        "",
        f"Brigade takes {r:.2f} of the seed program's time (spread {lo:.2f}–{hi:.2f}); goal ≤ 0.5. The seed starts "
        "4 processes; here it starts 2, like Brigade. Both generate "
        "the values 0, 1, 2, ... in shared memory, double them with 2 processes, and exit. The seed's own timer "
        f"(process start to join, without numpy's import and the copy) reads {s(med('scale', 'seed', 'elapsed_s'))}; "
        f"Brigade's `elapsed_s` {s(med('scale', 'brigade', 'elapsed_s'))}.",
        "",
        "Compute phase against the floor (bytes read plus written per second):",
        "",
        "| | time | bandwidth | spread |",
        "|---|---|---|---|",
    ] + [
        f"| {k} | {s(v['compute_s']['median'])} | {v['bandwidth_gbs']['median']:.2f} GB/s "
        f"| {v['bandwidth_gbs']['min']:.2f} – {v['bandwidth_gbs']['max']:.2f} GB/s |"
        for k, v in bw.items()
    ] + [
        "",
        "Brigade's compute phase runs from its first task's start to its last task's end: `compute_s` of the "
        "run (`bench/scale_phases.cpp`, the real `JobRun` and workers), where each task's start is its "
        "result's arrival less the run time its worker measured. Workers map the dataset's pages when they "
        "attach (`MADV_POPULATE_WRITE`), before their first task, and the job scales and checksums in "
        "cache-sized blocks (one pass over memory). The phase still holds what happens between tasks "
        "(dispatch, result messages) and the adaptive chunking's first small tasks. The floor is "
        "`bench/floor_scale.cpp`: `a *= 2.0` on an `Eigen::ArrayXd` of the same size, one process, one "
        "thread, pages already touched, median of 11 passes.",
        f"Share {share * 100:.0f}% (spread {bw_lo * 100:.0f}–{bw_hi * 100:.0f}%); goal ≥ 70%.",
        "",
    ]

# 5. workers ready
if "workers_ready" in B:
    w = B["workers_ready"]["brigade"]["workers_ready_ms"]
    goal(5, "2 workers ready: ≤ 15 ms", f"{w['median']:.0f} ms ({w['min']:.0f}–{w['max']:.0f})",
         f"{15 / max(w['median'], 1e-9):.2f}", w["median"] <= 15)
    sections += [
        "## 5. Time until 2 workers are ready",
        "",
        f"`workers_ready_ms` of `brigade run primes --start 0 --end 10 --workers 2 --json`, {len(w['values'])} runs: "
        f"median {w['median']:.0f} ms, spread {w['min']:.0f}–{w['max']:.0f} ms; goal ≤ 15 ms.",
        "",
    ]

# 6. memory
if "memory_1gib" in B:
    p = B["memory_1gib"]["brigade"]["pss_peak_bytes"]
    pw = B["memory_1gib"]["brigade"]["pss_peak_with_workers_bytes"]
    raw = B["memory_1gib"]["brigade"].get("pss_raw_peak_bytes")
    limit = 1.1 * GiB + 60 * MB
    goal(6, "1 GiB dataset, 2 workers: PSS of parent + workers (shared pages once) ≤ 1.1 GiB + 60 MB",
         f"{p['median'] / GiB:.3f} GiB ({p['min'] / GiB:.3f}–{p['max'] / GiB:.3f})", f"{limit / p['median']:.2f}",
         p["max"] <= limit)
    sections += [
        "## 6. Memory for a 1 GiB dataset with 2 workers",
        "",
        f"`brigade run scale --input one-gib.npy --factor 2 --workers 2` over a {B['memory_1gib']['dataset_bytes'] / GiB:.3f} "
        "GiB `.npy` (134,217,728 float64). While it runs, `bench/harness.py` samples every 2 ms the memory "
        "of the CLI and all its descendants: the sum of their `Pss` less `Pss_Shmem` (from "
        "`/proc/PID/smaps_rollup`: each process's own pages) plus the growth of `Shmem` in `/proc/meminfo` "
        "since the run began (the shared segments, each page counted once however many processes map it). "
        "That is what the PSS sum measures, without its sampling error: the processes are read one after "
        "the other, each read divides a shared page by the number of processes mapping it at that moment, "
        "and while a worker maps the whole GiB at attach (in milliseconds) a plain sum of `Pss` mixes "
        "moments and exceeds the pages there are; the last row shows that plain sum. A per-worker copy "
        "would show as an extra GiB in either.",
        "",
        "| | median | spread |",
        "|---|---|---|",
        f"| peak PSS sum over the whole run | {p['median'] / GiB:.3f} GiB | {p['min'] / GiB:.3f} – {p['max'] / GiB:.3f} GiB |",
        f"| peak PSS sum while both workers exist | {pw['median'] / GiB:.3f} GiB | {pw['min'] / GiB:.3f} – {pw['max'] / GiB:.3f} GiB |",
    ] + ([
        f"| plain sum of `Pss`, as sampled | {raw['median'] / GiB:.3f} GiB | {raw['min'] / GiB:.3f} – {raw['max'] / GiB:.3f} GiB |"
    ] if raw else []) + [
        "",
        f"Goal ≤ 1.1 GiB + 60 MB = {limit / GiB:.3f} GiB (checked against the largest of the {reps} runs).",
        "",
    ]

# 7. CSV
if "csv_stats" in B:
    c = B["csv_stats"]
    by = c["bytes"]
    # pandas by its own timer (without the seconds its import takes), which favours it; the rest end to end.
    fig = {k: "elapsed_s" if k == "pandas" else "wall_s" for k in by}
    mbps = {k: by[k] / MB / c[k][fig[k]]["median"] for k in by}
    mbps_rng = {k: (by[k] / MB / c[k][fig[k]]["max"], by[k] / MB / c[k][fig[k]]["min"]) for k in by}
    r = mbps["brigade"] / mbps["seed (slice)"]
    r_lo = mbps_rng["brigade"][0] / mbps_rng["seed (slice)"][1]
    r_hi = mbps_rng["brigade"][1] / mbps_rng["seed (slice)"][0]
    goal(7, "1 GB CSV through stats: vs seed 000 Example 2 (adapted), ≥ 30x", f"{r:.1f}x ({r_lo:.1f}–{r_hi:.1f})",
         f"{r / 30:.2f}", r >= 30)
    goal(7, "1 GB CSV through stats: ≥ 300 MB/s", f"{mbps['brigade']:.0f} MB/s "
         f"({mbps_rng['brigade'][0]:.0f}–{mbps_rng['brigade'][1]:.0f})", f"{mbps['brigade'] / 300:.2f}",
         mbps["brigade"] >= 300)
    pd_in = "the whole file" if by["pandas"] == by["brigade"] else f"the first {by['pandas'] / MB:.0f} MB (extrapolated in the same way)"
    sections += [
        f"## 7. A {by['brigade'] / 1e9:.2f} GB numeric CSV through `stats`",
        "",
        "Four numeric columns (normal, uniform, integer, exponential), a header row; the file is read once "
        "before timing, so every side reads it from the page cache.",
        "",
        "| side | input | median | spread | MB/s |",
        "|---|---|---|---|---|",
    ] + [
        f"| {label} | {by[k] / MB:,.0f} MB | {s(c[k][fig[k]]['median'])} | {rng(c[k][fig[k]]['min'], c[k][fig[k]]['max'])} "
        f"| {mbps[k]:,.1f} ({mbps_rng[k][0]:,.1f}–{mbps_rng[k][1]:,.1f}) |"
        for k, label in (("brigade", "`brigade run stats --input numbers-1gb.csv --workers 2`"),
                         ("seed (slice)", "`bench/python/csv_chunked.py` (seed 000 Example 2, 2 processes)"),
                         ("pandas", "`bench/python/pandas_describe.py` (`read_csv(...).describe()`, 1 process)"),
                         ("cat", "floor: `cat file > /dev/null`"))
    ] + [
        "",
        f"**Extrapolated:** the seed program runs over the first {by['seed (slice)'] / MB:.0f} MB of the file "
        "(cut at a line end), not the whole gigabyte, so that the benchmark fits its time budget (at its rate "
        f"the whole file would take about {by['brigade'] / MB / mbps['seed (slice)'] / 60:.0f} min per repetition). "
        "Its throughput (MB/s) is compared with Brigade's over the whole file; the seed program streams rows "
        "at a constant rate, so the ratio assumes its time grows linearly with the size.",
        f"pandas reads {pd_in}; its row is timed by its own timer (read_csv and describe, without the "
        f"{s(c['pandas']['wall_s']['median'] - c['pandas']['elapsed_s']['median'])} that starting Python and "
        "importing pandas add), which favours pandas.",
        f"Ratio to the seed {r:.1f}x (spread {r_lo:.1f}–{r_hi:.1f}x), goal ≥ 30x; Brigade {mbps['brigade']:.0f} MB/s, goal ≥ 300 MB/s; "
        f"vs pandas {mbps['brigade'] / mbps['pandas']:.1f}x; the page-cache floor (`cat`) reads {mbps['cat']:,.0f} MB/s.",
        "",
    ]

# 8. UI stall
if "ui_stall" in B:
    u = B["ui_stall"]["brigade"]
    goal(8, "UI stall p99 while a run floods progress (no numeric goal; one frame is 16.7 ms)",
         f"{u['progress_p99_ms']['median']:.1f} ms ({u['progress_p99_ms']['min']:.1f}–{u['progress_p99_ms']['max']:.1f})",
         "–", u["progress_p99_ms"]["median"] <= 16.7)
    sections += [
        "## 8. UI stall",
        "",
        f"`bench_ui_stall {B['ui_stall']['tasks']}` (the real window, offscreen): a 1 ms timer on the UI thread; "
        "every gap beyond its period is time the thread was busy. First a batch-sum run with chunk size 1 "
        "(progress at full rate), then a risky run where every item throws (errors at full rate).",
        "",
        "| | p50 | p99 | max |",
        "|---|---|---|---|",
    ] + [
        f"| {label} | {u[k + '_p50_ms']['median']:.2f} ms | {u[k + '_p99_ms']['median']:.2f} ms "
        f"({u[k + '_p99_ms']['min']:.2f}–{u[k + '_p99_ms']['max']:.2f}) | {u[k + '_max_ms']['median']:.1f} ms |"
        for k, label in (("progress", "progress flood"), ("errors", "error flood"))
    ] + ["", "The desktop issue sets no number for it; a p99 under one 60 Hz frame (16.7 ms) is counted as met.", ""]

# Adaptive chunking
chunk_rows = []
for name, label in (("chunking_tiny", "tiny tasks: `batch-sum --start 0 --end 1000000000`"),
                    ("chunking_heavy", "heavy tasks: `primes --start 10000000 --end 20000000`")):
    if name not in B:
        continue
    c = B[name]
    sizes = [k for k in c if isinstance(c[k], dict) and "elapsed_s" in c[k]]
    hand = [k for k in sizes if k != "auto"]
    best = min(hand, key=lambda k: c[k]["elapsed_s"]["median"])
    auto = c["auto"]["elapsed_s"]["median"]
    best_t = c[best]["elapsed_s"]["median"]
    goal("A", f"chunk size auto within 10% of the best hand-picked, {label.split(':')[0]}",
         f"{auto / best_t:.2f}x the best ({best})", f"{1.1 / (auto / best_t):.2f}", auto <= 1.1 * best_t)
    chunk_rows += [
        f"### {label}", "",
        "| chunk size | run time (`elapsed_s`) | spread | tasks | chosen chunk |",
        "|---|---|---|---|---|",
    ] + [
        f"| {k}{' (best hand-picked)' if k == best else ''} | {s(c[k]['elapsed_s']['median'])} "
        f"| {rng(c[k]['elapsed_s']['min'], c[k]['elapsed_s']['max'])} | {c[k]['tasks']['median']:,.0f} "
        f"| {c[k]['chunk_size']['median']:,.0f} |"
        for k in sizes
    ] + ["", f"auto: {auto / best_t:.2f}x the best hand-picked size's time; goal ≤ 1.10x.", ""]
if chunk_rows:
    sections += ["## Adaptive chunking", "",
                 "`--chunk-size auto` against hand-picked sizes, all alternated, 2 workers. The chosen chunk "
                 "column is what the run reports (`chunk_size`).", ""] + chunk_rows

# Plots
plots = []
comp = [(k, t) for k, t in (("primes_vs_seed", "1. primes, 2 workers"), ("primes_scaling", "2. primes 1 vs 2 workers"),
                            ("tiny_tasks", "3. tiny tasks"), ("scale", "4. x2 of 10M float64"),
                            ("csv_stats", "7. CSV stats (s per GB)")) if k in B]
if comp:
    fig, axes = plt.subplots(1, len(comp), figsize=(4 * len(comp), 4))
    axes = [axes] if len(comp) == 1 else axes
    for ax, (k, title) in zip(axes, comp):
        sides = [x for x in B[k] if isinstance(B[k][x], dict) and "wall_s" in B[k][x]]
        keys = ["elapsed_s" if k == "primes_scaling" or (k, x) == ("csv_stats", "pandas") else "wall_s" for x in sides]
        scale = [(1e9 / B[k]["bytes"][x]) if k == "csv_stats" else 1 for x in sides]
        meds = [B[k][x][fk]["median"] * f for x, fk, f in zip(sides, keys, scale)]
        lows = [m - B[k][x][fk]["min"] * f for x, fk, m, f in zip(sides, keys, meds, scale)]
        highs = [B[k][x][fk]["max"] * f - m for x, fk, m, f in zip(sides, keys, meds, scale)]
        ax.bar(sides, meds, yerr=[lows, highs], capsize=4, color=["#3b7dd8", "#e07b39", "#6aa84f", "#999999"][:len(sides)])
        ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("seconds (median, min–max)")
        ax.tick_params(axis="x", labelrotation=20, labelsize=8)
    fig.tight_layout()
    fig.savefig(docs / "benchmarks-comparisons.png", dpi=100)
    plots.append(("Medians with min–max bars, log scale (CSV: seconds per GB)", "benchmarks-comparisons.png"))
chunk = [k for k in ("chunking_tiny", "chunking_heavy") if k in B]
if chunk:
    fig, axes = plt.subplots(1, len(chunk), figsize=(6 * len(chunk), 4))
    axes = [axes] if len(chunk) == 1 else axes
    for ax, k in zip(axes, chunk):
        c = B[k]
        hand = [x for x in c if isinstance(c[x], dict) and "elapsed_s" in c[x] and x != "auto"]
        xs = [int(x) for x in hand]
        ys = [c[x]["elapsed_s"]["median"] for x in hand]
        err = [[y - c[x]["elapsed_s"]["min"] for x, y in zip(hand, ys)], [c[x]["elapsed_s"]["max"] - y for x, y in zip(hand, ys)]]
        ax.errorbar(xs, ys, yerr=err, marker="o", capsize=4, label="hand-picked chunk size")
        a = c["auto"]["elapsed_s"]
        ax.axhspan(a["min"], a["max"], color="#e07b39", alpha=0.2)
        ax.axhline(a["median"], color="#e07b39", label=f"auto (chose {c['auto']['chunk_size']['median']:,.0f})")
        ax.axhline(1.1 * min(ys), color="#888888", linestyle=":", label="best hand-picked + 10%")
        ax.set_xscale("log")
        ax.set_xlabel("chunk size (items per task)")
        ax.set_ylabel("run time, s (median, min–max)")
        ax.set_title("tiny tasks (batch-sum)" if k == "chunking_tiny" else "heavy tasks (primes)", fontsize=10)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(docs / "benchmarks-chunking.png", dpi=100)
    plots.append(("Run time against chunk size; auto as the orange line and band", "benchmarks-chunking.png"))

table = ["## Goals", "", "| # | goal | measured (median, spread) | measured / goal | | others' CPU |",
         "|---|---|---|---|---|---|"]
table += [f"| {n} | {g} | {v} | {t} | {ok} | {ld} |" for n, g, v, t, ok, ld in goals]
table += ["", "\"measured / goal\" is above 1 where the goal is met (the figure's margin over it). \"others' CPU\" is how many of "
          "the 2 cores other programs on the machine kept busy while that benchmark's commands ran (from "
          "`/proc/stat` less the commands' own CPU time; median over the runs, averaged over the sides): 0 is a "
          "quiet machine, and a figure near 1 means the benchmark had about one core to itself.", ""]
body = lines + table + [f"![{t}]({f})\n" for t, f in plots] + sections
body += ["## Reproduce", "", "```sh", "bench/run            # builds build/bench, measures, rewrites this file and its plots", "```", "",
         "The build is incremental; a first build of `build/bench` from nothing compiles the whole application "
         "(about 6 minutes on this machine's 2 cores when nothing else runs, 10 with other builds running), "
         "so that `bench/run` from a fresh clone takes about 10 to 14 minutes, and a few after. "
         "`REPS=N` changes the repetitions; `BENCH_ONLY=primes_vs_seed,scale` runs only the named benchmarks "
         "(the report then holds only those).", ""]
(docs / "BENCHMARKS.md").write_text("\n".join(body))
print("\n".join(table))
