#!/usr/bin/python3
"""Correctness gate and results table for bench/run.sh.

Usage: report.py OUTDIR PLACER_CLI

Reads OUTDIR/runs.tsv (one line per timed step, written by run.sh) and OUTDIR/placer.json,
then, for every output file:
  * measures each feature's GEODESIC area with `placer-cli area --json` and sums them: the
    peers compute planar areas in UTM, Placer reports ellipsoidal ones, so every output is
    measured by the same code to compare like with like;
  * dissolves the output (GEOS unary union through OGR) and measures that too, to check
    Placer's total_ha, which is the area of the UNION of the candidate land (deposits
    overlap, so the per-feature sum counts shared land more than once).
The gate: a peer's per-feature geodesic sum must be within 0.01 % of the same sum over
Placer's own --out file.  GRASS snaps and cleans on import, so it is reported, not gated.
Writes OUTDIR/results.tsv and prints the table.
"""
import json
import os
import subprocess
import sys

from osgeo import gdal, ogr

gdal.UseExceptions()
ogr.UseExceptions()

TOLERANCE = 1e-4          # 0.01 % relative
REPORT_ONLY = ('grass',)  # peers whose difference is shown but not gated


def geodesic_area(placer, path, layer):
    """(features, sum of per-feature geodesic areas in m2, invalid, without area)"""
    cmd = [placer, 'area', path, '--json'] + (['--layer', layer] if layer else [])
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        raise RuntimeError('%s failed (%d): %s' % (' '.join(cmd), p.returncode, p.stderr.strip()))
    j = json.loads(p.stdout)
    return j['count'], j['total_m2'], j.get('invalid', 0), j.get('without_area', 0)


def dissolve(path, layer, dst):
    """Writes the union of all polygons of path/layer as one feature to dst."""
    src = ogr.Open(path)
    lyr = src.GetLayerByName(layer) if layer else src.GetLayer(0)
    allparts = ogr.Geometry(ogr.wkbMultiPolygon)
    for f in lyr:
        g = f.GetGeometryRef()
        if g is None or g.IsEmpty():
            continue
        g = ogr.ForceToMultiPolygon(g.Clone())
        for i in range(g.GetGeometryCount()):
            allparts.AddGeometry(g.GetGeometryRef(i))
    u = allparts.UnionCascaded()
    if os.path.exists(dst):
        os.remove(dst)
    ds = ogr.GetDriverByName('GPKG').CreateDataSource(dst)
    out = ds.CreateLayer('union', lyr.GetSpatialRef(), ogr.wkbMultiPolygon)
    f = ogr.Feature(out.GetLayerDefn())
    f.SetGeometry(ogr.ForceToMultiPolygon(u))
    out.CreateFeature(f)
    ds = None


def rel(a, b):
    return abs(a - b) / b if b else float('nan')


def main():
    outdir, placer = sys.argv[1], sys.argv[2]
    # REPORT_UNION=0 skips the dissolve (set R: outputs with hundreds of thousands of holes,
    # which OGR's cascaded union takes many minutes over).
    check_union = os.environ.get('REPORT_UNION', '1') != '0'
    runs = []
    with open(os.path.join(outdir, 'runs.tsv')) as fh:
        for line in fh:
            name, secs, kb, rc, kind, path, layer, note = line.rstrip('\n').split('\t')
            runs.append(dict(name=name, secs=float(secs) if secs else None,
                             mb=int(kb) / 1024.0 if kb else None, rc=int(rc), kind=kind,
                             path=path, layer=layer, note=note))
    with open(os.path.join(outdir, 'placer.json')) as fh:
        placer_json = json.load(fh)
    placer_union_m2 = placer_json['total_ha'] * 1e4

    base = next(r for r in runs if r['name'] == 'placer')
    for r in runs:
        r.update(features=None, m2=None, diff=None, udiff=None, gate='')
        if r['rc'] != 0:
            r['gate'] = 'FAILED (rc=%d)' % r['rc']
            continue
        if not r['path']:
            continue
        try:
            r['features'], r['m2'], invalid, empty = geodesic_area(placer, r['path'], r['layer'])
            if check_union:
                union_file = os.path.join(outdir, 'union_%s.gpkg' % r['name'])
                dissolve(r['path'], r['layer'], union_file)
                r['union_m2'] = geodesic_area(placer, union_file, 'union')[1]
                r['udiff'] = rel(r['union_m2'], placer_union_m2)
            if invalid:
                r['note'] += ' %d invalid output features;' % invalid
        except Exception as e:  # a broken output fails the gate, it does not stop the report
            r['gate'] = 'FAILED (%s)' % e
    ref = base['m2']
    for r in runs:
        if r['m2'] is None or r['gate']:
            continue
        r['diff'] = rel(r['m2'], ref)
        if r is base:
            r['gate'] = 'reference'
        elif any(r['name'].startswith(p) for p in REPORT_ONLY):
            r['gate'] = 'reported'
        else:
            r['gate'] = 'ok' if r['diff'] <= TOLERANCE else 'FAILED (area)'

    def ratio(v, b):
        return v / b if v is not None and b else None

    cols = ['peer', 'seconds', 'peak_mb', 'time_x', 'mem_x', 'features', 'geodesic_km2',
            'rel_diff', 'union_rel_diff', 'gate', 'note']
    rows = []
    for r in runs:
        rows.append([
            r['name'],
            '%.2f' % r['secs'] if r['secs'] is not None else '',
            '%.0f' % r['mb'] if r['mb'] is not None else '',
            '%.2f' % ratio(r['secs'], base['secs']) if r['secs'] is not None else '',
            '%.2f' % ratio(r['mb'], base['mb']) if r['mb'] is not None else '',
            str(r['features']) if r['features'] is not None else '',
            '%.4f' % (r['m2'] / 1e6) if r['m2'] is not None else '',
            '%.1e' % r['diff'] if r['diff'] is not None else '',
            '%.1e' % r['udiff'] if r['udiff'] is not None else '',
            r['gate'],
            r['note'].strip(),
        ])
    with open(os.path.join(outdir, 'results.tsv'), 'w') as fh:
        fh.write('\t'.join(cols) + '\n')
        for row in rows:
            fh.write('\t'.join(row) + '\n')
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(cols[:-1])]
    print('  '.join(c.ljust(w) for c, w in zip(cols, widths)) + '  note')
    for row in rows:
        print('  '.join(v.ljust(w) for v, w in zip(row, widths)) + '  ' + row[-1])
    print()
    print('time_x, mem_x: the peer\'s time and peak memory divided by Placer\'s (above 1: Placer '
          'is faster / leaner).')
    print('rel_diff: relative difference of the per-feature geodesic area sum against Placer\'s '
          '--out (gate: <= %.0e, i.e. 0.01 %%).' % TOLERANCE)
    print('union_rel_diff: geodesic area of the dissolved output against Placer\'s total_ha '
          '(%.4f km2)%s.' % (placer_union_m2 / 1e6, '' if check_union else '; not checked (REPORT_UNION=0)'))
    failed = [r['name'] for r in runs if r['gate'].startswith('FAILED')]
    if failed:
        print('GATE FAILED for: ' + ', '.join(failed) + ' (their times do not count)')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
