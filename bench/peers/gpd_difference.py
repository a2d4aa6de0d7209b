#!/usr/bin/python3
"""geopandas peer: deposits - constraints with geopandas.overlay(how='difference').

overlay() builds an STRtree on the constraints, and for each deposit unions only the
constraints whose boxes meet it (one unary_union per deposit) before one difference: the
per-deposit dissolve, which is the fast way to do it in geopandas.  File in, file out.
Usage: gpd_difference.py PEERS.gpkg OUT.gpkg
"""
import sys
import time
import warnings

import geopandas as gpd

warnings.filterwarnings('ignore')
src, dst = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
dep = gpd.read_file(src, layer='deposits')
con = gpd.read_file(src, layer='constraints')
t1 = time.perf_counter()
res = gpd.overlay(dep, con, how='difference', keep_geom_type=True)
t2 = time.perf_counter()
res.to_file(dst, layer='unallocated', driver='GPKG')
t3 = time.perf_counter()
print('geopandas %s read %.2f s, overlay %.2f s, write %.2f s; %d features, %.4f km2 (planar)'
      % (gpd.__version__, t1 - t0, t2 - t1, t3 - t2, len(res), res.area.sum() / 1e6))
