#!/usr/bin/python3
"""ASE side of bench/io.ts: time ase.io.read(path, ':') (extended XYZ) and print one JSON line.

Usage: /usr/bin/python3 bench/io_ase.py FILE [REPEATS]
"""
import json
import sys
import time

import ase
from ase.io import read

path = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 1
best = best_cpu = float('inf')
frames = atoms = 0
for _ in range(repeats):
    t0 = time.perf_counter()
    c0 = time.process_time()
    images = read(path, ':', format='extxyz')
    best = min(best, time.perf_counter() - t0)
    best_cpu = min(best_cpu, time.process_time() - c0)
    frames = len(images)
    atoms = sum(len(a) for a in images)
print(json.dumps({'seconds': best, 'cpu_seconds': best_cpu, 'frames': frames, 'atoms': atoms, 'ase_version': ase.__version__}))
