#!/usr/bin/python3
"""Seeded synthetic inputs for the map-rendering benchmark (bench/render/run.sh).

    gen.py OUTDIR            full set: 150,000 parcels, 32,768 x 32,768 land-cover raster
    gen.py OUTDIR --small    quick set: 15,000 parcels, 8,192 x 8,192 raster

Everything is in EPSG:32735 (UTM 35S), in a square from (500000, 8500000) whose side is the
raster's: 32,768 x 10 m = 327.68 km (full) or 8,192 x 10 m = 81.92 km (small).

  parcels.gpkg  layer `parcels`: star-shaped blobs of exactly 24 vertices, radius 100-600 m,
                centres uniform over the square, integer field `cls` (0..7).  Every polygon
                is valid (star-shaped about its centre, radius always > 0).
  lc_big.tif    Byte land-cover raster, 10 m pixels, 512 x 512 tiles, DEFLATE, BIGTIFF, the
                11 ESA WorldCover class values (10 20 30 40 50 60 70 80 90 95 100) with their
                colour table; texture = 16 x 16-pixel blocks of one class with 10 % of the
                pixels replaced by random classes.  Internal overviews 2 4 8 16 32 64, NEAREST
                resampling (categorical data: averaging class codes gives codes that do not
                exist), DEFLATE, 512 x 512 tiles, built by gdaladdo with GDAL_NUM_THREADS=2.

The raster is written one 512-row strip of tiles at a time (16 MB for the full set) with a
128 MB GDAL block cache, so no full-size array is ever held (peak memory about 0.2 GB).  Each file is first written under a temporary name and renamed
when complete; a file that already exists with the right size (feature count, raster size and
overview count) is skipped.  Prints how long each step took.
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import time

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()

X0, Y0 = 500000.0, 8500000.0
PIXEL = 10.0
VERTS = 24
N_CLS = 8
OVERVIEWS = [2, 4, 8, 16, 32, 64]
TILE = 512
BLOCK = 16                     # texture block side, pixels
NOISE = 0.10                   # fraction of pixels replaced by a random class
CACHE_MB = 128                 # GDAL block cache while writing (a strip of tiles is 16 MB)
SETS = {'full': dict(parcels=150000, n=32768), 'small': dict(parcels=15000, n=8192)}
# ESA WorldCover classes and colours (none of them pure white: the rendering gate counts
# white as background).
CLASSES = [(10, '006400'), (20, 'ffbb22'), (30, 'ffff4c'), (40, 'f096ff'), (50, 'fa0000'),
           (60, 'b4b4b4'), (70, 'f0f0f0'), (80, '0064c8'), (90, '0096a0'), (95, '00cf75'),
           (100, 'fae6a0')]


def srs_utm35s():
    s = osr.SpatialReference()
    s.ImportFromEPSG(32735)
    return s


def parcels_ok(path, n):
    if not os.path.exists(path):
        return False
    try:
        ds = ogr.Open(path)
        lyr = ds.GetLayerByName('parcels')
        return lyr is not None and lyr.GetFeatureCount() == n
    except RuntimeError:
        return False


def raster_ok(path, n):
    if not os.path.exists(path):
        return False
    try:
        ds = gdal.Open(path)
        b = ds.GetRasterBand(1)
        return (ds.RasterXSize, ds.RasterYSize, ds.RasterCount) == (n, n, 1) and \
            b.GetOverviewCount() == len(OVERVIEWS)
    except RuntimeError:
        return False


def write_parcels(path, count, side, rng):
    """count star-shaped 24-vertex polygons over the square [X0, X0+side] x [Y0, Y0+side]."""
    tmp = path + '.tmp.gpkg'
    if os.path.exists(tmp):
        os.remove(tmp)
    cx = X0 + rng.uniform(0, side, count)
    cy = Y0 + rng.uniform(0, side, count)
    radius = rng.uniform(100, 600, count)
    lobes = rng.integers(3, 6, count)                 # 3-5 arms
    amp = rng.uniform(0.15, 0.35, count)              # arm depth
    phase = rng.uniform(0, 2 * np.pi, count)
    jitter = rng.uniform(-0.1, 0.1, (count, VERTS))   # radial noise per vertex
    th = np.linspace(0, 2 * np.pi, VERTS, endpoint=False)
    # r >= R * (1 - 0.35 - 0.1) > 0 and the angles increase: a simple, valid polygon.
    r = radius[:, None] * (1 + amp[:, None] * np.sin(lobes[:, None] * th[None, :] + phase[:, None])
                           + jitter)
    xy = np.empty((count, VERTS + 1, 2), '<f8')
    xy[:, :VERTS, 0] = cx[:, None] + r * np.cos(th)
    xy[:, :VERTS, 1] = cy[:, None] + r * np.sin(th)
    xy[:, VERTS] = xy[:, 0]                           # closed ring
    header = struct.pack('<BIII', 1, 3, 1, VERTS + 1)  # WKB Polygon, 1 ring, 25 points

    drv = ogr.GetDriverByName('GPKG')
    ds = drv.CreateDataSource(tmp)
    lyr = ds.CreateLayer('parcels', srs_utm35s(), ogr.wkbPolygon, ['GEOMETRY_NAME=geom'])
    lyr.CreateField(ogr.FieldDefn('cls', ogr.OFTInteger))
    defn = lyr.GetLayerDefn()
    cls = rng.integers(0, N_CLS, count)
    ds.StartTransaction()
    for i in range(count):
        f = ogr.Feature(defn)
        f.SetGeometryDirectly(ogr.CreateGeometryFromWkb(header + xy[i].tobytes()))
        f.SetField(0, int(cls[i]))
        lyr.CreateFeature(f)
    ds.CommitTransaction()
    ds = None
    # spot-check validity (every polygon is valid by construction)
    ds = ogr.Open(tmp)
    lyr = ds.GetLayer(0)
    for fid in rng.integers(1, count + 1, 200):
        f = lyr.GetFeature(int(fid))      # keep the feature alive while its geometry is used
        if not f.GetGeometryRef().IsValid():
            sys.exit('invalid parcel %d' % fid)
    ds = None
    os.replace(tmp, path)


def write_raster(path, n, rng):
    tmp = path + '.tmp.tif'
    if os.path.exists(tmp):
        os.remove(tmp)
    values = np.array([v for v, _ in CLASSES], np.uint8)
    gdal.SetCacheMax(CACHE_MB << 20)       # written tiles are flushed, not kept (default: 5 % of RAM)
    co = ['TILED=YES', 'BLOCKXSIZE=%d' % TILE, 'BLOCKYSIZE=%d' % TILE, 'COMPRESS=DEFLATE',
          'BIGTIFF=YES', 'NUM_THREADS=2']
    ds = gdal.GetDriverByName('GTiff').Create(tmp, n, n, 1, gdal.GDT_Byte, co)
    ds.SetGeoTransform((X0, PIXEL, 0, Y0 + n * PIXEL, 0, -PIXEL))
    ds.SetProjection(srs_utm35s().ExportToWkt())
    band = ds.GetRasterBand(1)
    ct = gdal.ColorTable()
    for v, hexrgb in CLASSES:
        ct.SetColorEntry(int(v), (int(hexrgb[0:2], 16), int(hexrgb[2:4], 16),
                                  int(hexrgb[4:6], 16), 255))
    band.SetRasterColorTable(ct)
    band.SetRasterColorInterpretation(gdal.GCI_PaletteIndex)
    nb = n // BLOCK
    strip_blocks = TILE // BLOCK
    npx = TILE * n
    k = int(npx * NOISE)
    for row in range(0, n, TILE):          # one strip of tiles: TILE x n bytes
        blk = values[rng.integers(0, len(values), (strip_blocks, nb), dtype=np.uint8)]
        strip = np.repeat(np.repeat(blk, BLOCK, axis=0), BLOCK, axis=1)
        flat = strip.reshape(-1)
        flat[rng.integers(0, npx, k)] = values[rng.integers(0, len(values), k, dtype=np.uint8)]
        band.WriteArray(strip, 0, row)
        del blk, strip, flat
    band.FlushCache()
    ds = None
    return tmp


def add_overviews(tmp, path):
    cmd = ['gdaladdo', '-r', 'nearest',
           '--config', 'GDAL_NUM_THREADS', '2',
           '--config', 'GDAL_CACHEMAX', str(CACHE_MB),
           '--config', 'COMPRESS_OVERVIEW', 'DEFLATE',
           '--config', 'GDAL_TIFF_OVR_BLOCKSIZE', str(TILE),
           '--config', 'BIGTIFF_OVERVIEW', 'YES',
           tmp] + [str(o) for o in OVERVIEWS]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('outdir')
    ap.add_argument('--small', action='store_true', help='the quick set')
    ap.add_argument('--seed', type=int, default=20260127)
    a = ap.parse_args()
    if shutil.which('gdaladdo') is None:
        sys.exit('needs gdaladdo: apt-get install gdal-bin')
    cfg = SETS['small' if a.small else 'full']
    n, count = cfg['n'], cfg['parcels']
    side = n * PIXEL
    os.makedirs(a.outdir, exist_ok=True)
    t_all = time.perf_counter()
    print('set %s: %d parcels, %d x %d raster, %.2f km square, seed %d -> %s'
          % ('small' if a.small else 'full', count, n, n, side / 1000, a.seed, a.outdir))

    parcels = os.path.join(a.outdir, 'parcels.gpkg')
    if parcels_ok(parcels, count):
        print('  parcels.gpkg: exists with %d features, skipped' % count)
    else:
        t = time.perf_counter()
        write_parcels(parcels, count, side, np.random.default_rng([a.seed, 1]))
        print('  parcels.gpkg: %d polygons x %d vertices in %.1f s'
              % (count, VERTS, time.perf_counter() - t))

    raster = os.path.join(a.outdir, 'lc_big.tif')
    if raster_ok(raster, n):
        print('  lc_big.tif: exists as %d x %d with %d overviews, skipped'
              % (n, n, len(OVERVIEWS)))
    else:
        t = time.perf_counter()
        tmp = write_raster(raster, n, np.random.default_rng([a.seed, 2]))
        t1 = time.perf_counter()
        print('  lc_big.tif: %d x %d (%.2f Gpx) base in %.1f s' % (n, n, n * n / 1e9, t1 - t))
        add_overviews(tmp, raster)
        print('  lc_big.tif: overviews %s (nearest, 2 threads) in %.1f s'
              % (' '.join(map(str, OVERVIEWS)), time.perf_counter() - t1))

    total = sum(os.path.getsize(os.path.join(a.outdir, f)) for f in ('parcels.gpkg', 'lc_big.tif'))
    print('generation took %.1f s; data %.0f MB' % (time.perf_counter() - t_all, total / 2**20))


if __name__ == '__main__':
    main()
