#!/usr/bin/python3
"""Fault-handling latencies of the real CLI:
- recovery: from a worker's death to its task being sent to the fresh worker (the run's recovery_ms),
  over 200 injected crashes;
- cancel: from SIGINT to the exit of `brigade`, which waits until its last worker is gone, for a
  cooperative run and for one with a worker deaf to Cancel and SIGTERM.
Usage: bench/faults.py [BUILD_DIR]"""
import json
import os
import signal
import statistics
import subprocess
import sys
import time

build = sys.argv[1] if len(sys.argv) > 1 else 'build/release'
brigade = os.path.join(build, 'bin', 'brigade')


def workers_of(pid):
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as f:
                stat = f.read()
        except OSError:
            continue
        rest = stat[stat.rfind(')') + 2:].split()
        if '(brigade-worker)' in stat and int(rest[1]) == pid and rest[0] != 'Z':
            found.append(int(entry))
    return found


fail_at = ','.join(str(17 + 50 * k) for k in range(200))
out = subprocess.run([brigade, 'run', 'risky', '--items', '10000', '--chunk-size', '1', '--workers', '2',
                      '--fail-at', fail_at, '--mode', 'segfault,exit,abort', '--times', '1', '--json'],
                     capture_output=True, text=True, check=False)
run = json.loads(out.stdout)
rec = sorted(run.get('recovery_ms', []))
print(f"recovery after a worker's death ({len(rec)} crashes, status {run['status']}, "
      f"sum {run['result']['sum']}): median {statistics.median(rec):.1f} ms, "
      f"p90 {rec[int(len(rec) * 0.9)]:.1f} ms, max {rec[-1]:.1f} ms")

for label, extra in (('cooperative', []), ('a worker deaf to Cancel and SIGTERM',
                                            ['--fail-at', '3', '--mode', 'hang'])):
    times = []
    for _ in range(5):
        p = subprocess.Popen([brigade, 'run', 'risky', '--items', '400', '--delay-ms', '20', '--workers', '2',
                              '--chunk-size', '5', '--quiet'] + extra,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while len(workers_of(p.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        code = p.wait(timeout=10)
        times.append((time.monotonic() - t0) * 1000)
        assert code == 130, code
    print(f"cancel to last worker gone, {label}: median {statistics.median(times):.0f} ms, "
          f"max {max(times):.0f} ms (5 runs, exit 130)")
