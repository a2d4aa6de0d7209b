#!/usr/bin/python3
"""Mapnik peer for the rendering benchmark (see bench/render/README.md).

    peer_mapnik.py --parcels parcels.gpkg --raster lc_big.tif --out DIR [--repeat 3]

For each case (parcels, raster) and extent (full, zoom16) a fresh mapnik.Map with a fresh
datasource is built (not timed; the raster through band=1 and a discrete colorizer made from
the file's colour table), then mapnik.render() into a new 1920 x 1080 image is timed
--repeat times: cold = the first render after the datasource was opened, best = the fastest.
Mapnik has no render cache, so cached_ms is empty.  The last image is written to
DIR/mapnik_CASE_EXTENT.png.  Prints one TSV line per case and extent:
tool, case, extent, cold_ms, best_ms, cached_ms.  Details go to stderr.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases  # noqa: E402

import mapnik  # noqa: E402
from osgeo import gdal  # noqa: E402

SRS = 'epsg:32735'


def palette_colorizer(path):
    """A discrete RasterColorizer with one stop per run of equal colour-table entries."""
    ds = gdal.Open(path)                 # keep the dataset alive while its table is read
    ct = ds.GetRasterBand(1).GetColorTable()
    c = mapnik.RasterColorizer(mapnik.COLORIZER_DISCRETE, mapnik.Color('transparent'))
    prev = None
    for i in range(ct.GetCount()):
        rgba = ct.GetColorEntry(i)
        if rgba != prev:
            c.add_stop(i, mapnik.Color(*rgba))
            prev = rgba
    return c


def build_map(case, path):
    m = mapnik.Map(cases.WIDTH, cases.HEIGHT, SRS)
    m.background = mapnik.Color('white')
    style, rule = mapnik.Style(), mapnik.Rule()
    if case == 'parcels':
        poly = mapnik.PolygonSymbolizer()
        poly.fill = mapnik.Color(cases.FILL)
        line = mapnik.LineSymbolizer()
        line.stroke = mapnik.Color(cases.STROKE)
        line.stroke_width = cases.STROKE_PX
        rule.symbols.append(poly)
        rule.symbols.append(line)
        ds = mapnik.Ogr(file=path, layer=cases.LAYER)
    else:
        # band=1 with a discrete colorizer that reproduces the file's colour table: the same
        # pixels as letting the GDAL plugin expand the palette (no band=), and faster.
        # band=1 without a colorizer draws nothing at all.
        sym = mapnik.RasterSymbolizer()                  # scaling: nearest (the default)
        sym.colorizer = palette_colorizer(path)
        rule.symbols.append(sym)
        ds = mapnik.Gdal(file=path, band=1)
    style.rules.append(rule)
    m.append_style(case, style)
    lyr = mapnik.Layer(case, SRS)
    lyr.datasource = ds
    lyr.styles.append(case)
    m.layers.append(lyr)
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--parcels', required=True)
    ap.add_argument('--raster', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--cases', default=','.join(cases.CASES))
    ap.add_argument('--extents', default=','.join(cases.EXTENTS))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    print('mapnik %s' % mapnik.mapnik_version(), file=sys.stderr)
    files = {'parcels': a.parcels, 'raster': a.raster}
    # First render of the process (library set-up), on an empty map: not timed.
    mapnik.render(mapnik.Map(cases.WIDTH, cases.HEIGHT, SRS), mapnik.Image(cases.WIDTH, cases.HEIGHT))
    for case in a.cases.split(','):
        for extent in a.extents.split(','):
            box = cases.extent_box(case, files[case], extent)
            t = time.perf_counter()
            m = build_map(case, files[case])
            m.zoom_to_box(mapnik.Box2d(*box))
            t_open = time.perf_counter() - t
            times = []
            for _ in range(a.repeat):
                im = mapnik.Image(cases.WIDTH, cases.HEIGHT)
                t = time.perf_counter()
                mapnik.render(m, im)
                times.append(time.perf_counter() - t)
            im.save(cases.png_path(a.out, 'mapnik', case, extent), 'png32')
            e = m.envelope()
            print('%s %s: open %.1f ms, renders %s ms, drawn box %.0f %.0f %.0f %.0f'
                  % (case, extent, t_open * 1000, ' '.join('%.1f' % (x * 1000) for x in times),
                     e.minx, e.miny, e.maxx, e.maxy), file=sys.stderr)
            cases.emit('mapnik', case, extent, times[0], min(times))
            del m


if __name__ == '__main__':
    main()
