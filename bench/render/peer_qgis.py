#!/usr/bin/python3
"""QGIS peer for the rendering benchmark (see bench/render/README.md).

    QT_QPA_PLATFORM=offscreen peer_qgis.py --parcels parcels.gpkg --raster lc_big.tif --out DIR

For each case (parcels, raster), extent (full, zoom16) and job class
(QgsMapRendererSequentialJob, QgsMapRendererParallelJob):
  * a fresh layer is opened (not timed) and the job (start + waitForFinished) is timed
    --repeat times: cold = the first render after the layer was opened, best = the fastest;
  * then a QgsMapRendererCache is filled by one more render of the same frame, and the frame
    is re-rendered --repeat times from that cache: cached = the fastest re-render (left
    empty, with a message, if the re-rendered image differs from the full render by more
    than compositing rounding: a channel off by more than 32 levels, or 1 level on average).
The parcels get one simple fill #ccddaa with a 0.5 px black outline; the raster gets the
renderer QGIS picks for a paletted band (its colour table), nearest neighbour.  Everything
else (antialiasing, rendering optimisation, the layer's default simplification) stays at
QGIS' defaults, which stderr reports.  Images go to DIR/qgis_sequential_CASE_EXTENT.png and
DIR/qgis_parallel_CASE_EXTENT.png.  Prints one TSV line per case, extent and job class:
tool, case, extent, cold_ms, best_ms, cached_ms.
"""
import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault('QT_QPA_PLATFORM', 'offscreen')
if 'XDG_RUNTIME_DIR' not in os.environ:      # Qt warns without one
    os.environ['XDG_RUNTIME_DIR'] = tempfile.mkdtemp(prefix='placer-bench-xdg.')

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases  # noqa: E402

from qgis.core import (Qgis, QgsApplication, QgsFillSymbol, QgsMapRendererCache,  # noqa: E402
                       QgsMapRendererParallelJob, QgsMapRendererSequentialJob,
                       QgsMapSettings, QgsRasterLayer, QgsRectangle, QgsSingleSymbolRenderer,
                       QgsVectorLayer)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor, QImage  # noqa: E402
import numpy as np  # noqa: E402

# The sequential job composes cached layer images instead of painting directly, so the
# re-render differs from the direct one by rounding (150k parcels: mean 0.2, max 9 levels).
# Beyond these bounds it would be a different picture.
CACHE_MAX_DIFF = 32
CACHE_MEAN_DIFF = 1.0
JOBS = [('qgis_sequential', QgsMapRendererSequentialJob),
        ('qgis_parallel', QgsMapRendererParallelJob)]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def open_layer(case, path):
    if case == 'parcels':
        lyr = QgsVectorLayer('%s|layername=%s' % (path, cases.LAYER), 'parcels', 'ogr')
        sym = QgsFillSymbol.createSimple({
            'color': cases.FILL, 'style': 'solid',
            'outline_color': cases.STROKE, 'outline_style': 'solid',
            'outline_width': str(cases.STROKE_PX), 'outline_width_unit': 'Pixel'})
        lyr.setRenderer(QgsSingleSymbolRenderer(sym))
    else:
        lyr = QgsRasterLayer(path, 'landcover', 'gdal')
    if not lyr.isValid():
        sys.exit('QGIS cannot open %s' % path)
    return lyr


def settings(layer, box):
    s = QgsMapSettings()
    s.setLayers([layer])
    s.setDestinationCrs(layer.crs())
    s.setOutputSize(QSize(cases.WIDTH, cases.HEIGHT))
    s.setBackgroundColor(QColor(255, 255, 255))
    s.setExtent(QgsRectangle(*box))
    return s


def render(job_cls, s, cache=None):
    """(seconds, job): start + waitForFinished."""
    job = job_cls(s)
    if cache is not None:
        job.setCache(cache)
    t = time.perf_counter()
    job.start()
    job.waitForFinished()
    return time.perf_counter() - t, job


def qimage_rgba(img):
    img = img.convertToFormat(QImage.Format_ARGB32)
    ptr = img.constBits()
    ptr.setsize(img.sizeInBytes())
    rows = np.frombuffer(ptr, np.uint8).reshape(img.height(), img.bytesPerLine())
    return rows[:, :img.width() * 4].astype(np.int16)


def channel_diff(a, b):
    """(max, mean) absolute difference over all channels of all pixels."""
    if a.size() != b.size():
        return 255, 255.0
    d = np.abs(qimage_rgba(a) - qimage_rgba(b))
    return int(d.max()), float(d.mean())


def describe(lyr):
    if isinstance(lyr, QgsVectorLayer):
        m = lyr.simplifyMethod()
        return 'simplify hints %s threshold %.1f px, algorithm %s, local %s' % (
            int(m.simplifyHints()), m.threshold(), int(m.simplifyAlgorithm()),
            m.forceLocalOptimization())
    r = lyr.renderer()
    return 'renderer %s, resampling %s/%s' % (
        r.type(), type(lyr.resampleFilter().zoomedInResampler()).__name__,
        type(lyr.resampleFilter().zoomedOutResampler()).__name__)


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
    files = {'parcels': a.parcels, 'raster': a.raster}

    app = QgsApplication([], False)
    app.initQgis()
    log('QGIS %s, %d render threads' % (Qgis.QGIS_VERSION, QgsApplication.maxThreads()))
    # First render of the process (Qt and QGIS set-up): an empty memory layer, not timed.
    warm = QgsVectorLayer('Polygon?crs=epsg:32735', 'warm-up', 'memory')
    render(QgsMapRendererParallelJob, settings(warm, (0, 0, 1, 1)))

    for case in a.cases.split(','):
        for extent in a.extents.split(','):
            box = cases.extent_box(case, files[case], extent)
            for tool, job_cls in JOBS:
                t = time.perf_counter()
                lyr = open_layer(case, files[case])
                t_open = time.perf_counter() - t
                s = settings(lyr, box)
                times = []
                for _ in range(a.repeat):
                    secs, job = render(job_cls, s)
                    times.append(secs)
                errors = [e.message for e in job.errors()]
                image = job.renderedImage()
                image.save(cases.png_path(a.out, tool, case, extent), 'PNG')
                cache = QgsMapRendererCache()
                fill, _ = render(job_cls, s, cache)
                cached = []
                for _ in range(a.repeat):
                    secs, cjob = render(job_cls, s, cache)
                    cached.append(secs)
                # the cached figure counts only if the re-render gives the same picture
                dmax, dmean = channel_diff(cjob.renderedImage(), image)
                same = dmax <= CACHE_MAX_DIFF and dmean <= CACHE_MEAN_DIFF
                if not same:
                    errors.append('the re-render from the cache differs from a full render '
                                  '(max %d, mean %.2f levels): cached_ms left empty'
                                  % (dmax, dmean))
                v = s.visibleExtent()
                log('%s %s %s: open %.1f ms, renders %s ms, cache fill %.1f ms, cached %s ms '
                    '(differs from the full render by max %d, mean %.2f levels); %s; '
                    'drawn box %.0f %.0f %.0f %.0f%s'
                    % (tool, case, extent, t_open * 1000,
                       ' '.join('%.1f' % (x * 1000) for x in times), fill * 1000,
                       ' '.join('%.1f' % (x * 1000) for x in cached), dmax, dmean,
                       describe(lyr),
                       v.xMinimum(), v.yMinimum(), v.xMaximum(), v.yMaximum(),
                       ('; errors: ' + ' | '.join(errors)) if errors else ''))
                cases.emit(tool, case, extent, times[0], min(times), min(cached) if same else None)
                del job, cjob, image, cache, s, lyr
    app.exitQgis()


if __name__ == '__main__':
    main()
