#!/usr/bin/python3
"""Writes the seed corpus of the frame-decoder fuzz target: one valid frame stream of each kind."""
import os
import struct
import sys


def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    if n < 256:
        return bytes([major << 5 | 24, n])
    if n < 65536:
        return bytes([major << 5 | 25]) + struct.pack('>H', n)
    return bytes([major << 5 | 26]) + struct.pack('>I', n)


def enc(v):
    if isinstance(v, bool):
        return b'\xf5' if v else b'\xf4'
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, float):
        return b'\xfb' + struct.pack('>d', v)
    if isinstance(v, str):
        b = v.encode()
        return head(3, len(b)) + b
    if isinstance(v, list):
        return head(4, len(v)) + b''.join(enc(x) for x in v)
    return head(5, len(v)) + b''.join(enc(k) + enc(x) for k, x in v.items())


def frame(d):
    payload = enc(d)
    return struct.pack('<I', len(payload)) + payload


SEEDS = {
    'hello': frame({'type': 1, 'version': 2}),
    'attach': frame({'type': 2, 'run': 1, 'job': 'stats', 'params': {'factor': 2.0},
                     'dataset': {'key': '/tmp/x.seg', 'writable': False}, 'output': False,
                     'catalogue': 'builtin'}),
    'task': frame({'type': 3, 'run': 1, 'tasks': [7, 0, 100, 1, 8, 100, 200, 1]}),
    'ready_progress_result': frame({'type': 16, 'version': 2, 'pid': 42})
    + frame({'type': 17, 'id': 7, 'done': 50})
    + frame({'type': 18, 'results': [7, {'count': 8363}, 120000, 8, {'count': 12}, 90000]}),
    'error': frame({'type': 19, 'id': 7, 'kind': 'exception', 'stage': 'task', 'message': 'boom',
                    'trace': '#0 f at a.cpp:1\n'}),
    'log_cancel_shutdown': frame({'type': 20, 'text': 'hi'}) + frame({'type': 4, 'run': 1}) + frame({'type': 5}),
    'result_array': frame({'type': 18, 'results': [1, [[3, 1.5, 0.25, -1.0, 2.0]], 5000]}),
}

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'corpus')
os.makedirs(out, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)
