#!/usr/bin/python3
"""Seeded synthetic inputs for the "unallocated deposit land" benchmark.

Everything is in EPSG:32735 (UTM 35S), in a square of side --km starting at
(500000, 8500000).  Sets (see docs in bench/README.md):

  S  300 km,  3,000 titles,  2,000 deposits x 200 vertices,  60 protected areas,
     500 urban areas, 150 river buffers  -> 3,710 constraint polygons
  L  670 km, 15,000 titles, 10,000 deposits, everything else x5 -> 18,550 constraints

Files written to --out:
  deposits.gpkg     layer deposits      DEP_ID, COMMOD (Gold, Cassiterite, ...), CONF
  concessions.gpkg  layer titres        code, type (PR/PE), statut = "Actif" (all in force)
  landuse.gpkg      layer occupation_sol classe = "Aire protégée" for protected areas,
                    urban areas and river buffers alike: every one is excluded with a 0 m
                    buffer, so no peer has to buffer anything
  constraints.gpkg  layer constraints   titles + land use in one layer (what the peers
                    subtract), field src = title / protected / urban / river
  landcover.tif     (with --raster) a 10,000 x 10,000 classified Byte GeoTIFF, DEFLATE,
                    512 x 512 tiles, over the L extent

Only numpy and GDAL's Python bindings are used.  Geometries are built as WKB with numpy
(fast, and exact: the cadastral block corners are computed once and shared by neighbours).
Every geometry is checked with IsValid() and the generator stops if one is not.
"""
import argparse
import math
import os
import struct
import sys

import numpy as np
from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()

SETS = {
    # km, titles, deposits, protected, urban, rivers
    'S': dict(km=300.0, titles=3000, deposits=2000, protected=60, urban=500, rivers=150),
    'L': dict(km=670.0, titles=15000, deposits=10000, protected=300, urban=2500, rivers=750),
}
X0, Y0 = 500000.0, 8500000.0
BLOCK = 920.0            # DRC cadastral block side (~30" of arc), metres
MINERALS = ['Gold', 'Cassiterite', 'Coltan', 'Wolframite', 'Copper', 'Cobalt']
CONFIDENCE = ['Known', 'Probable', 'Possible']


def wkb_multipolygon(rings_per_polygon):
    """Little-endian WKB MultiPolygon from [[ring xy (n,2) array, ...], ...]; rings closed here."""
    parts = [struct.pack('<BII', 1, 6, len(rings_per_polygon))]
    for rings in rings_per_polygon:
        parts.append(struct.pack('<BII', 1, 3, len(rings)))
        for xy in rings:
            xy = np.asarray(xy, dtype='<f8')
            if not np.array_equal(xy[0], xy[-1]):
                xy = np.vstack([xy, xy[:1]])
            parts.append(struct.pack('<I', len(xy)))
            parts.append(xy.tobytes())
    return b''.join(parts)


def as_multipolygon(geom):
    """Polygonal part of an OGR geometry as a MultiPolygon (drops lines/points MakeValid may add)."""
    t = ogr.GT_Flatten(geom.GetGeometryType())
    if t == ogr.wkbPolygon:
        return ogr.ForceToMultiPolygon(geom)
    if t == ogr.wkbMultiPolygon:
        return geom
    out = ogr.Geometry(ogr.wkbMultiPolygon)
    if t == ogr.wkbGeometryCollection:
        for i in range(geom.GetGeometryCount()):
            sub = as_multipolygon(geom.GetGeometryRef(i).Clone())
            for k in range(sub.GetGeometryCount()):
                out.AddGeometry(sub.GetGeometryRef(k))
    return out


def checked(geom, what):
    """Returns a valid MultiPolygon; repairs once with MakeValid, fails loudly otherwise."""
    if not geom.IsValid():
        geom = as_multipolygon(geom.MakeValid())
        if not geom.IsValid() or geom.IsEmpty():
            sys.exit('gen.py: could not make %s valid' % what)
    return geom


class Generator:
    def __init__(self, km, seed):
        self.W = km * 1000.0
        self.rng = np.random.default_rng(seed)

    def blob(self, cx, cy, r, n, rough):
        """A star-shaped ring: n vertices at sorted angles, radius modulated by a low-order
        sine and a smoothed random walk.  Star-shaped about (cx, cy) with distinct angles,
        so it is a simple polygon."""
        rng = self.rng
        th = np.sort(rng.uniform(0.0, 2.0 * np.pi, n))
        k = rng.integers(2, 7)
        walk = np.cumsum(rng.standard_normal(n)) / math.sqrt(n)
        walk -= np.linspace(0, walk[-1], n)          # close the walk so the ring has no step
        rr = r * (1.0 + rough * np.sin(k * th + rng.uniform(0, 2 * np.pi)) + 0.2 * rough * walk)
        rr = np.maximum(rr, 0.15 * r)
        return np.c_[cx + rr * np.cos(th), cy + rr * np.sin(th)]

    def titles(self, n):
        """Non-overlapping rectangles of 2-12 x 2-12 cadastral blocks (rejection sampling on
        an occupancy grid; smaller titles fill the gaps as the grid gets crowded)."""
        rng = self.rng
        nb = int(self.W // BLOCK)
        occupied = np.zeros((nb, nb), bool)
        out = []
        tries = 0
        while len(out) < n and tries < 60 * n:
            tries += 1
            w, h = rng.integers(2, 13, 2)
            i, j = rng.integers(0, nb - 12, 2)
            if occupied[j:j + h, i:i + w].any():
                continue
            occupied[j:j + h, i:i + w] = True
            x0, y0, x1, y1 = X0 + i * BLOCK, Y0 + j * BLOCK, X0 + (i + w) * BLOCK, Y0 + (j + h) * BLOCK
            out.append(np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)]))
        if len(out) < n:
            sys.exit('gen.py: only %d of %d titles fit' % (len(out), n))
        print('  titles: %d (%.1f%% of the blocks)' % (len(out), 100 * occupied.mean()))
        return out

    def deposits(self, n, verts):
        rng, W = self.rng, self.W
        out = []
        for _ in range(n):
            cx, cy = X0 + rng.uniform(0.02, 0.98) * W, Y0 + rng.uniform(0.02, 0.98) * W
            out.append(self.blob(cx, cy, rng.uniform(500, 6000), verts, 0.35))
        return out

    def protected(self, n, verts=2000):
        rng, W = self.rng, self.W
        return [self.blob(X0 + rng.uniform(0, W), Y0 + rng.uniform(0, W),
                          rng.uniform(5000, 25000), verts, 0.5) for _ in range(n)]

    def urban(self, n, verts=60):
        rng, W = self.rng, self.W
        return [self.blob(X0 + rng.uniform(0, W), Y0 + rng.uniform(0, W),
                          rng.uniform(300, 4000), verts, 0.35) for _ in range(n)]

    def rivers(self, n, steps=400, step=150.0, half_width=100.0):
        """Meandering lines (correlated random walk) buffered by 100 m: valid polygons,
        possibly with holes where a river loops on itself."""
        rng, W = self.rng, self.W
        out = []
        for _ in range(n):
            ang = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.15, steps))
            x = X0 + rng.uniform(0, W) + np.cumsum(step * np.cos(ang))
            y = Y0 + rng.uniform(0, W) + np.cumsum(step * np.sin(ang))
            line = ogr.Geometry(ogr.wkbLineString)
            for xx, yy in zip(x, y):
                line.AddPoint_2D(float(xx), float(yy))
            out.append(as_multipolygon(line.Buffer(half_width, 4)))
        return out


def create_layer(path, name, fields, srs):
    if os.path.exists(path):
        os.remove(path)
    ds = ogr.GetDriverByName('GPKG').CreateDataSource(path)
    lyr = ds.CreateLayer(name, srs, ogr.wkbMultiPolygon,
                         options=['SPATIAL_INDEX=YES', 'GEOMETRY_NAME=geom', 'FID=fid'])
    for fname, ftype in fields:
        lyr.CreateField(ogr.FieldDefn(fname, ftype))
    ds.StartTransaction()
    return ds, lyr


def add(lyr, geom, what, **attrs):
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetGeometry(checked(geom, what))
    for k, v in attrs.items():
        f.SetField(k, v)
    lyr.CreateFeature(f)


def mp(xy):
    return ogr.CreateGeometryFromWkb(wkb_multipolygon([[xy]]))


def write_raster(path, rng, srs, km=670.0, n=10000):
    """Classified land cover (ESA WorldCover-like codes): 16-pixel patches plus 10% speckle,
    written strip by strip so memory stays small."""
    classes = np.array([10, 10, 10, 20, 30, 30, 40, 50, 60, 80, 90], np.uint8)
    px = km * 1000.0 / n
    co = ['TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'COMPRESS=DEFLATE', 'BIGTIFF=IF_SAFER']
    ds = gdal.GetDriverByName('GTiff').Create(path, n, n, 1, gdal.GDT_Byte, co)
    ds.SetGeoTransform((X0, px, 0, Y0 + km * 1000.0, 0, -px))
    ds.SetProjection(srs.ExportToWkt())
    band = ds.GetRasterBand(1)
    strip = 512
    for j in range(0, n, strip):
        h = min(strip, n - j)
        patch = rng.integers(0, len(classes), ((h + 15) // 16, (n + 15) // 16))
        idx = np.repeat(np.repeat(patch, 16, 0), 16, 1)[:h, :n]
        speckle = rng.random((h, n)) < 0.1
        idx[speckle] = rng.integers(0, len(classes), int(speckle.sum()))
        band.WriteArray(classes[idx], 0, j)
    ds = None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('set', nargs='?', default='S', choices=sorted(SETS))
    ap.add_argument('--out', default=None, help='output folder (default bench/out/SET)')
    ap.add_argument('--seed', type=int, default=20260101)
    ap.add_argument('--dep-verts', type=int, default=200)
    ap.add_argument('--raster', action='store_true',
                    help='also write landcover.tif (10^8 px Byte, over the L extent)')
    ap.add_argument('--raster-only', action='store_true',
                    help='write only landcover.tif (for the raster set R of run.sh)')
    for k in ('km', 'titles', 'deposits', 'protected', 'urban', 'rivers'):
        ap.add_argument('--' + k, type=float if k == 'km' else int, default=None,
                        help='override the set\'s value')
    a = ap.parse_args()
    cfg = dict(SETS[a.set])
    for k in cfg:
        if getattr(a, k) is not None:
            cfg[k] = getattr(a, k)
    out = a.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), 'out', a.set)
    os.makedirs(out, exist_ok=True)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32735)
    if a.raster_only:
        write_raster(os.path.join(out, 'landcover.tif'), np.random.default_rng(a.seed), srs)
        print('  landcover.tif: 10000 x 10000')
        return
    g = Generator(cfg['km'], a.seed)
    print('set %s: %s -> %s' % (a.set, cfg, out))

    # Generate everything first (one RNG stream, fixed order), then write.
    titles = g.titles(cfg['titles'])
    deposits = g.deposits(cfg['deposits'], a.dep_verts)
    protected = g.protected(cfg['protected'])
    urban = g.urban(cfg['urban'])
    rivers = g.rivers(cfg['rivers'])
    rng = g.rng

    ds, lyr = create_layer(os.path.join(out, 'deposits.gpkg'), 'deposits',
                           [('DEP_ID', ogr.OFTInteger), ('COMMOD', ogr.OFTString),
                            ('CONF', ogr.OFTString)], srs)
    for k, xy in enumerate(deposits):
        add(lyr, mp(xy), 'deposit %d' % k, DEP_ID=k, COMMOD=MINERALS[k % len(MINERALS)],
            CONF=CONFIDENCE[int(rng.integers(0, 3))])
    ds.CommitTransaction()
    ds = None

    # Titles: one in three is a PE (large-scale exploitation), the rest PR (exploration).
    ds, lyr = create_layer(os.path.join(out, 'concessions.gpkg'), 'titres',
                           [('code', ogr.OFTString), ('type', ogr.OFTString),
                            ('statut', ogr.OFTString)], srs)
    kinds = []
    for k, xy in enumerate(titles):
        kind = 'PE' if k % 3 == 1 else 'PR'
        kinds.append(kind)
        add(lyr, mp(xy), 'title %d' % k, code='%s %05d' % (kind, k), type=kind, statut='Actif')
    ds.CommitTransaction()
    ds = None

    landuse = ([('protected', mp(xy)) for xy in protected] +
               [('urban', mp(xy)) for xy in urban] +
               [('river', geom) for geom in rivers])
    ds, lyr = create_layer(os.path.join(out, 'landuse.gpkg'), 'occupation_sol',
                           [('classe', ogr.OFTString)], srs)
    for k, (src, geom) in enumerate(landuse):
        add(lyr, geom.Clone(), 'land use %d' % k, classe='Aire protégée')
    ds.CommitTransaction()
    ds = None

    ds, lyr = create_layer(os.path.join(out, 'constraints.gpkg'), 'constraints',
                           [('src', ogr.OFTString)], srs)
    nverts = 0
    for xy in titles:
        add(lyr, mp(xy), 'title', src='title')
        nverts += 5
    for k, (src, geom) in enumerate(landuse):
        add(lyr, geom, 'land use %d' % k, src=src)
        for i in range(geom.GetGeometryCount()):
            poly = geom.GetGeometryRef(i)
            nverts += sum(poly.GetGeometryRef(r).GetPointCount() for r in range(poly.GetGeometryCount()))
    ds.CommitTransaction()
    ds = None
    print('  deposits: %d x %d vertices; constraints: %d polygons, %d vertices'
          % (len(deposits), a.dep_verts, len(titles) + len(landuse), nverts))

    if a.raster:
        write_raster(os.path.join(out, 'landcover.tif'), rng, srs)
        print('  landcover.tif: 10000 x 10000')


if __name__ == '__main__':
    main()
