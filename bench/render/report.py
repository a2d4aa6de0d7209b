#!/usr/bin/python3
"""Correctness gate and results table for bench/render/run.sh.

Usage: report.py OUTDIR

Reads OUTDIR/results.tsv (tool, case, extent, cold_ms, best_ms, cached_ms; written by run.sh
from each tool's output) and the images OUTDIR/png/TOOL_CASE_EXTENT.png.  For every row:
  * cover: the fraction of drawn (not white, not transparent) pixels; 0 = blank image;
  * iou: the IoU of its drawn-pixel mask with the reference image of the same case and
    extent: Placer's when Placer ran, else the first peer's (Mapnik's), so the peers are
    still checked against each other;
  * mad: the mean absolute RGB difference from that image (information only).
Gate: a time counts only if the image exists, is not blank and (for a peer) iou >= 0.9.
A peer that fails gets "differs" (or "blank", "no image") next to its times and no ratios.
Ratios are peer time / Placer time (above 1: Placer is faster).  Placer's rows are checked
against the targets of PERFORMANCE.md.  Writes OUTDIR/report.tsv; exits 1 if a gate failed.
"""
import csv
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402

MIN_IOU = compare.MIN_IOU
TOOLS = ['placer', 'mapnik', 'qgis_sequential', 'qgis_parallel']
CASES = ['parcels', 'raster']
EXTENTS = ['full', 'zoom16']
# PERFORMANCE.md, "render 150k polygons" and "render 1.07 Gpx raster" rows (full set).
TARGETS = [('parcels', 'full', 'cold_ms', 100.0, 'cold, 150k polygons at full extent'),
           ('parcels', 'full', 'cached_ms', 16.0, 'from cache, 150k polygons at full extent'),
           ('raster', 'full', 'best_ms', 16.0, 'warm, raster with overviews at full extent')]
TIMES = ['cold_ms', 'best_ms', 'cached_ms']


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def fmt(v, spec='%.1f'):
    return '' if v is None else spec % v


def main():
    outdir = sys.argv[1]
    png = os.path.join(outdir, 'png')
    rows = []
    with open(os.path.join(outdir, 'results.tsv')) as fh:
        for r in csv.DictReader(fh, delimiter='\t'):
            for k in TIMES:
                r[k] = num(r[k])
            r['png'] = os.path.join(png, '%s_%s_%s.png' % (r['tool'], r['case'], r['extent']))
            rows.append(r)
    if not rows:
        print('no results in %s/results.tsv' % outdir)
        return 1
    rows.sort(key=lambda r: (CASES.index(r['case']) if r['case'] in CASES else 9,
                             EXTENTS.index(r['extent']) if r['extent'] in EXTENTS else 9,
                             TOOLS.index(r['tool']) if r['tool'] in TOOLS else 9))
    placer_ran = any(r['tool'] == 'placer' for r in rows)

    # cover of every image, then the reference of each frame
    for r in rows:
        r['cover'] = compare.cover(r['png']) if os.path.exists(r['png']) else None
    ref = {}
    for r in rows:
        key = (r['case'], r['extent'])
        if key not in ref and r['cover']:
            if r['tool'] == 'placer' or not placer_ran:
                ref[key] = r
    for r in rows:
        key = (r['case'], r['extent'])
        r['iou'], r['mad'], r['ref'] = None, None, ref.get(key)
        if r['cover'] is None:
            r['gate'] = 'no image'
        elif r['cover'] == 0:
            r['gate'] = 'blank'
        elif r['ref'] is None:
            r['gate'] = 'no reference'           # Placer ran but its image is missing/blank
        elif r['ref'] is r:
            r['gate'] = 'reference'
            r['iou'] = 1.0
        else:
            r['iou'], r['mad'] = compare.compare(r['ref']['png'], r['png'])[2:]
            r['gate'] = 'ok' if r['iou'] >= MIN_IOU else 'differs'
    base = {(r['case'], r['extent']): r for r in rows
            if r['tool'] == 'placer' and r['gate'] in ('reference',)}

    cols = ['case', 'extent', 'tool', 'cold_ms', 'best_ms', 'cached_ms',
            'cold_x', 'best_x', 'cached_x', 'cover', 'iou', 'mad', 'gate']
    table = []
    for r in rows:
        counts = r['gate'] in ('ok', 'reference')
        mark = '' if counts else ' ' + r['gate']
        b = base.get((r['case'], r['extent']))
        ratios = []
        for k in TIMES:
            ok = counts and b is not None and b is not r and r[k] and b[k]
            ratios.append('%.2f' % (r[k] / b[k]) if ok else '')
        table.append([r['case'], r['extent'], r['tool']] +
                     [fmt(r[k]) + (mark if r[k] is not None else '') for k in TIMES] +
                     ratios +
                     [fmt(r['cover'], '%.3f'), fmt(r['iou'], '%.3f'), fmt(r['mad'], '%.1f'),
                      r['gate']])
    with open(os.path.join(outdir, 'report.tsv'), 'w') as fh:
        fh.write('\t'.join(cols) + '\n')
        for row in table:
            fh.write('\t'.join(row) + '\n')
    widths = [max(len(c), *(len(row[i]) for row in table)) for i, c in enumerate(cols)]
    print('  '.join(c.ljust(w) for c, w in zip(cols, widths)).rstrip())
    for row in table:
        print('  '.join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
    print()
    print('cold: first render after the tool opened the layer; best: fastest of the repeats;')
    print('cached: re-render of the same frame from the tool\'s render cache (QGIS: '
          'QgsMapRendererCache; Mapnik has none).')
    print('*_x: peer time / Placer time (above 1: Placer is faster); shown only when the gate '
          'passed.')
    if placer_ran:
        print('cover: drawn (not white, not transparent) fraction; iou: drawn-mask IoU against '
              'Placer\'s image (gate: >= %.2f);' % MIN_IOU)
    else:
        print('Placer did not run: no ratios; iou is against %s\'s image (gate: >= %.2f);'
              % (', '.join(sorted({r['tool'] for r in ref.values()})) or 'no', MIN_IOU))
    print('mad: mean absolute RGB difference from that image, 0..255 (information, not gated).')

    # When peers differ from Placer, say whether they agree with each other: if they do, it
    # is Placer's image that is off.
    for case in CASES:
        for extent in EXTENTS:
            frame = [r for r in rows if (r['case'], r['extent']) == (case, extent)]
            peers = [r for r in frame if r['tool'] != 'placer' and r['cover']]
            if not placer_ran or not any(r['gate'] == 'differs' for r in peers) \
                    or len(peers) < 2:
                continue
            a, b = peers[0], peers[-1]
            iou = compare.compare(a['png'], b['png'])[2]
            p = base.get((case, extent))
            print('%s %s: %s vs %s IoU %.3f (%s); Placer cover %s vs %s %.3f'
                  % (case, extent, a['tool'], b['tool'], iou,
                     'the peers agree with each other: Placer\'s footprint is the odd one'
                     if iou >= MIN_IOU else 'the peers disagree with each other too',
                     fmt(p['cover'], '%.3f') if p else '?', a['tool'], a['cover']))

    # targets
    print()
    full = 'full' in os.path.basename(os.path.normpath(outdir))
    print('targets (PERFORMANCE.md; stated for the full set: 150k parcels, 32,768^2 raster%s):'
          % ('' if full else ' -- this is the small set, so only indicative'))
    for case, extent, k, limit, what in TARGETS:
        r = base.get((case, extent))
        if r is None:
            status = 'Placer not run' if not placer_ran else 'no counted Placer time'
            value = ''
        elif r[k] is None:
            status, value = 'not reported', ''
        else:
            value = '%.1f ms' % r[k]
            status = 'met' if r[k] <= limit else 'MISSED'
            if any(p['gate'] == 'differs' for p in rows
                   if (p['case'], p['extent']) == (case, extent)):
                status += ' (but the peers\' pictures differ from Placer\'s, see above)'
        print('  %-7s %-6s %-9s <= %5.0f ms  (%s): %s %s'
              % (case, extent, k[:-3], limit, what, value, status))

    # Placer's own figures from its stderr: the layer's load (opened, read, indexed and
    # prepared for drawing, once per layer: the app does it in a worker) and each frame's
    # wall and CPU time (all threads), CPU being the steadier on a shared machine.
    errs = sorted(glob.glob(os.path.join(outdir, 'placer_*.err')))
    if errs:
        print()
        print('Placer load and frames (bench-render stderr: wall ms / CPU ms of all threads):')
        for f in errs:
            load, frames = None, []
            for ln in open(f):
                m = re.match(r'# loading ([0-9.]+) ms', ln)
                if m:
                    load = m.group(1)
                m = re.match(r'# frame \d+: ([0-9.]+) ms \(cpu ([0-9.]+) ms', ln)
                if m:
                    frames.append('%s/%s' % m.groups())
            name = os.path.basename(f)[len('placer_'):-len('.err')]
            print('  %-16s load %6s ms   frames %s' % (name, load or '?', '  '.join(frames)))

    # Placer's panning frame times, as printed by bench-render --frame-times
    frames = sorted(glob.glob(os.path.join(outdir, 'placer_frames_*.log')))
    if frames:
        print()
        print('Placer panning frame times (bench-render --frame-times):')
        for f in frames:
            lines = [ln.rstrip() for ln in open(f) if ln.strip()]
            print('  %s:' % os.path.basename(f))
            for ln in lines[:20]:
                print('    ' + ln)
            if len(lines) > 20:
                print('    ... (%d more lines)' % (len(lines) - 20))

    # whole-process figures, for context
    steps = os.path.join(outdir, 'steps.tsv')
    if os.path.exists(steps):
        print()
        print('processes (GNU time; includes start-up, data opening and PNG writing):')
        with open(steps) as fh:
            for s in csv.DictReader(fh, delimiter='\t'):
                kb = num(s['peak_kb'])
                print('  %-26s %8s s  peak %6s MB  rc=%s'
                      % (s['step'], s['seconds'], fmt(kb / 1024 if kb else None, '%.0f'), s['rc']))

    failed = ['%s %s %s (%s)' % (r['tool'], r['case'], r['extent'], r['gate'])
              for r in rows if r['gate'] not in ('ok', 'reference')]
    if failed:
        print()
        print('GATE FAILED, times not counted: ' + '; '.join(failed))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
