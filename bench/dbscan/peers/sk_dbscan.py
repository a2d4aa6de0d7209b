#!/usr/bin/python3
"""scikit-learn peer: DBSCAN on the benchmark's points in UTM 35S metres.

Usage: sk_dbscan.py POINTS EPS MIN REPS OUT

DBSCAN(eps, min_samples, algorithm='ball_tree', n_jobs=2) on the planar UTM coordinates
(EPSG:32735) that bench-clusters wrote next to the lon/lat: the points are in memory before
the clock starts, as Placer's are; only fit() is timed. Writes the labels (i32) and core
flags (u8) of the last run.
"""
import sys
import time

import numpy as np
from sklearn.cluster import DBSCAN


def read_points(path):
    raw = open(path, 'rb').read()
    if raw[:8] != b'PLACERPT':
        sys.exit(f'{path} is not a points file')
    n = int.from_bytes(raw[8:12], 'little')
    a = np.frombuffer(raw, dtype='<f8', offset=12, count=4 * n).reshape(4, n)
    return a[0], a[1], a[2], a[3]


def main():
    path, eps, min_points, reps, out = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), sys.argv[5]
    _, _, x, y = read_points(path)
    xy = np.ascontiguousarray(np.column_stack([x, y]))
    times = []
    for _ in range(max(reps, 1)):
        t0 = time.perf_counter()
        db = DBSCAN(eps=eps, min_samples=min_points, algorithm='ball_tree', n_jobs=2).fit(xy)
        times.append(time.perf_counter() - t0)
    labels = db.labels_.astype('<i4')
    core = np.zeros(len(labels), dtype='u1')
    core[db.core_sample_indices_] = 1
    with open(out, 'wb') as f:
        f.write(labels.tobytes())
        f.write(core.tobytes())
    s = sorted(times)
    print(f'first={times[0]:.4f} min={s[0]:.4f} median={s[len(s) // 2]:.4f} '
          f'clusters={labels.max() + 1} noise={int((labels < 0).sum())} '
          f'core={int(core.sum())} n={len(labels)}')


if __name__ == '__main__':
    main()
