"""What the rendering benchmark draws, shared by the peer drivers (peer_mapnik.py,
peer_qgis.py) so that every tool draws exactly the same frames.

Cases:   parcels  the parcels polygon layer alone, fill #ccddaa, 0.5 px black outline
         raster   the land-cover raster alone, its colour table, nearest neighbour
Extents: full     the layer's own extent (OGR layer extent / GDAL raster bounds)
         zoom16   a box 1/16 of the full extent's width and height, at its centre
Frame:   1920 x 1080 pixels, white background.  Every tool fits the box to the frame the
         same way (keeps the centre, grows the short side to the frame's aspect ratio).
"""
import os

from osgeo import gdal, ogr

gdal.UseExceptions()
ogr.UseExceptions()

WIDTH, HEIGHT = 1920, 1080
CASES = ('parcels', 'raster')
EXTENTS = ('full', 'zoom16')
FILL = '#ccddaa'
STROKE = '#000000'
STROKE_PX = 0.5
LAYER = 'parcels'


def full_extent(case, path):
    """(minx, miny, maxx, maxy) of the layer, in its CRS (EPSG:32735)."""
    if case == 'parcels':
        ds = ogr.Open(path)
        minx, maxx, miny, maxy = ds.GetLayerByName(LAYER).GetExtent()
        return minx, miny, maxx, maxy
    ds = gdal.Open(path)
    x0, dx, _, y0, _, dy = ds.GetGeoTransform()
    x1, y1 = x0 + dx * ds.RasterXSize, y0 + dy * ds.RasterYSize
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def extent_box(case, path, extent):
    minx, miny, maxx, maxy = full_extent(case, path)
    if extent == 'full':
        return minx, miny, maxx, maxy
    if extent == 'zoom16':
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        w, h = (maxx - minx) / 16, (maxy - miny) / 16
        return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2
    raise ValueError(extent)


def png_path(outdir, tool, case, extent):
    return os.path.join(outdir, '%s_%s_%s.png' % (tool, case, extent))


def ms(seconds):
    return '' if seconds is None else '%.1f' % (seconds * 1000)


def emit(tool, case, extent, cold, best, cached=None):
    """One result line: tool, case, extent, cold_ms, best_ms, cached_ms (empty: n/a)."""
    print('\t'.join([tool, case, extent, ms(cold), ms(best), ms(cached)]), flush=True)
