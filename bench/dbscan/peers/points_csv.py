#!/usr/bin/python3
"""Writes the benchmark's points as CSV for PostgreSQL's COPY: id, UTM x, y, lon, lat.

Python's repr of a float is the shortest text that reads back to the same double, so
PostGIS gets exactly the coordinates the other tools get.

Usage: points_csv.py POINTS OUT.csv
"""
import sys

import numpy as np

raw = open(sys.argv[1], 'rb').read()
n = int.from_bytes(raw[8:12], 'little')
lon, lat, x, y = np.frombuffer(raw, dtype='<f8', offset=12, count=4 * n).reshape(4, n)
with open(sys.argv[2], 'w') as f:
    for i in range(n):
        f.write(f'{i},{float(x[i])!r},{float(y[i])!r},{float(lon[i])!r},{float(lat[i])!r}\n')
