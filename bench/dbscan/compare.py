#!/usr/bin/python3
"""Correctness gate and results table for bench/dbscan/run.sh.

Usage: compare.py OUTDIR EPS SIZE...

For each SIZE (number of points) it reads what run.sh left in OUTDIR: the points
(pts-SIZE.bin), Placer's labels and core flags (placer-SIZE.lab), scikit-learn's
(sklearn-SIZE.lab), PostGIS' cluster ids (postgis-SIZE.csv), and each tool's figures
(*.txt, key=value). A time counts only when the tool's clusters are Placer's:

  * the same points are noise (a point is noise exactly when no core point is within eps
    of it, so this does not depend on how border points are shared out);
  * the same core points (scikit-learn reports them; PostGIS does not, so Placer's are
    used to read its clusters);
  * the same partition of the core points, up to the numbering of the clusters;
  * border points: DBSCAN may give a border point to any cluster with a core point within
    eps of it. Those the tools give to different clusters are counted, and each must have a
    core point of the peer's cluster within eps (checked in UTM metres, where the points
    file holds no pair near eps by either metric).

Then the country labels (countries-*.bin, postgis-countries.csv): every site PostGIS puts
in a country must get the first of those countries from Placer, and every site PostGIS
puts in none must be one Placer reports as taking the nearest country; and the number of
cross-border clusters.

Prints the table (times, and each peer's time over Placer's) and exits non-zero when a
gate fails.
"""
import os
import sys

import numpy as np

FAILED = []


def figures(path):
    """The key=value figures of a step, or None when the step did not run."""
    if not os.path.exists(path):
        return None
    out = {}
    for line in open(path):
        for item in line.split():
            if '=' in item:
                k, v = item.split('=', 1)
                try:
                    out[k] = float(v)
                except ValueError:
                    out[k] = v
    return out or None


def read_points(path):
    raw = open(path, 'rb').read()
    n = int.from_bytes(raw[8:12], 'little')
    return np.frombuffer(raw, dtype='<f8', offset=12, count=4 * n).reshape(4, n)


def read_labels(path, n):
    raw = open(path, 'rb').read()
    labels = np.frombuffer(raw, dtype='<i4', count=n)
    core = np.frombuffer(raw, dtype='u1', offset=4 * n, count=n) if len(raw) >= 5 * n else None
    return labels, core


def read_pg_clusters(path, n):
    labels = np.full(n, -1, dtype=np.int64)
    for line in open(path):
        i, cid = line.rstrip('\n').split(',')
        if cid != '':
            labels[int(i)] = int(cid)
    return labels


def gate_dbscan(name, pts, eps, placer, placer_core, peer, peer_core):
    """Returns a one-line verdict; appends to FAILED when the partitions differ."""
    problems = []
    noise_a, noise_b = placer < 0, peer < 0
    if (noise_a != noise_b).any():
        problems.append(f'{int((noise_a != noise_b).sum())} points noise for one only')
    if peer_core is not None and (placer_core != peer_core).any():
        problems.append(f'{int((placer_core != peer_core).sum())} core flags differ')
    core = placer_core.astype(bool)
    # The core points' partition: Placer's cluster -> the peer's, one to one.
    pairs = np.unique(np.stack([placer[core], peer[core]]), axis=1)
    if len(np.unique(pairs[0])) != pairs.shape[1] or len(np.unique(pairs[1])) != pairs.shape[1]:
        problems.append('the core points are grouped differently')
    mapping = dict(zip(pairs[0].tolist(), pairs[1].tolist()))
    border = (~core) & (placer >= 0) & (peer >= 0)
    mapped = np.array([mapping.get(int(c), -2) for c in placer[border]])
    moved = np.flatnonzero(border)[mapped != peer[border]]
    if len(moved):
        # Each must have a core point of the peer's cluster within eps (UTM metres).
        from sklearn.neighbors import KDTree
        xy = np.column_stack([pts[2], pts[3]])
        core_idx = np.flatnonzero(core)
        tree = KDTree(xy[core_idx])
        hits = tree.query_radius(xy[moved], r=eps)
        bad = sum(1 for i, h in zip(moved, hits) if peer[i] not in set(peer[core_idx[h]].tolist()))
        if bad:
            problems.append(f'{bad} border points in a cluster with no core point within eps')
    n_border = int(border.sum())
    verdict = (f'same noise, core points and clusters; {len(moved)} of {n_border} border points '
               f'in the other neighbouring cluster (allowed)' if not problems
               else 'FAILED: ' + '; '.join(problems))
    if problems:
        FAILED.append(f'{name}: {verdict}')
    return verdict


def row(tool, f, placer_time, note):
    if f is None:
        print(f'  {tool:<26} {"—":>9} {"":>8}  not run')
        return
    t = f.get('median', f.get('time'))
    ratio = t / placer_time if placer_time else float('nan')
    print(f'  {tool:<26} {t:9.4f} {ratio:7.1f}×  {note}')


def dbscan_table(out, eps, n):
    pts_path = os.path.join(out, f'pts-{n}.bin')
    if not os.path.exists(pts_path):
        return
    pts = read_points(pts_path)
    gen = figures(os.path.join(out, f'gen-{n}.txt')) or {}
    placer_f = figures(os.path.join(out, f'placer-{n}.txt'))
    if placer_f is None:
        FAILED.append(f'placer did not run at n={n}')
        return
    placer, placer_core = read_labels(os.path.join(out, f'placer-{n}.lab'), n)
    print(f'\nDBSCAN, {n:,} points, eps {eps:g} m, min {int(placer_f.get("min_points", 5))}: '
          f'{int(placer_f["clusters"]):,} clusters, {int(placer_f["noise"]):,} noise '
          f'({int(gen.get("dropped_ambiguous", 0))} of {int(gen.get("drawn", n)):,} drawn sites '
          f'dropped as ambiguous between metrics)')
    print(f'  {"tool":<26} {"seconds":>9} {"× Placer":>8}  gate')
    pt = placer_f['median']
    row('placer (2 threads)', placer_f, pt,
        f'first run {placer_f["first"]:.4f} s, min {placer_f["min"]:.4f} s, '
        f'CPU {placer_f["cpu_median"]:.4f} s (median of {int(placer_f.get("reps", 0)) or "several"})')
    p1 = figures(os.path.join(out, f'placer1-{n}.txt'))
    if p1:
        row('placer (1 thread)', p1, pt, 'context')
    sk_f = figures(os.path.join(out, f'sklearn-{n}.txt'))
    if sk_f:
        sk, sk_core = read_labels(os.path.join(out, f'sklearn-{n}.lab'), n)
        verdict = gate_dbscan(f'sklearn n={n}', pts, eps, placer, placer_core, sk, sk_core)
        row('scikit-learn ball_tree', sk_f, pt, verdict)
    else:
        row('scikit-learn ball_tree', None, pt, '')
    pg_f = figures(os.path.join(out, f'postgis-{n}.txt'))
    if pg_f:
        pg = read_pg_clusters(os.path.join(out, f'postgis-{n}.csv'), n)
        verdict = gate_dbscan(f'postgis n={n}', pts, eps, placer, placer_core, pg, None)
        row('PostGIS ST_ClusterDBSCAN', pg_f, pt, verdict)
    else:
        row('PostGIS ST_ClusterDBSCAN', None, pt, '')


def countries_table(out, n):
    placer_f = figures(os.path.join(out, f'countries-{n}.txt'))
    if placer_f is None:
        return
    raw = open(os.path.join(out, f'countries-{n}.bin'), 'rb').read()
    country = np.frombuffer(raw, dtype='<i4', count=n)
    nearest = np.frombuffer(raw, dtype='u1', offset=4 * n, count=n).astype(bool)
    print(f'\nCountry of each site + cross-border flag, {n:,} points, '
          f'{int(placer_f["countries"])} countries ({placer_f.get("borders", "")})')
    print(f'  {"tool":<26} {"seconds":>9} {"× Placer":>8}  gate')
    pt = placer_f['median']
    row('placer (2 threads)', placer_f, pt,
        f'first run {placer_f["first"]:.4f} s; made once before: countries '
        f'{placer_f["countries_new"]:.4f} s, grid {placer_f["grid"]:.4f} s; '
        f'{int(placer_f["cross_border"])} cross-border clusters, '
        f'{int(placer_f["nearest"])} sites in no country (nearest taken)')
    pg_f = figures(os.path.join(out, 'postgis-countries.txt'))
    if pg_f is None:
        row('PostGIS subdivided + GiST', None, pt, '')
        return
    first = np.full(n, -1, dtype=np.int64)
    for line in open(os.path.join(out, 'postgis-countries.csv')):
        i, idx = (int(v) for v in line.split(','))
        if first[i] < 0 or idx < first[i]:
            first[i] = idx
    problems = []
    located = first >= 0
    if (country[located] != first[located]).any():
        problems.append(f'{int((country[located] != first[located]).sum())} sites in another country')
    if (nearest != ~located).any():
        problems.append(f'{int((nearest != ~located).sum())} sites in a country for one only')
    cross = int(pg_f.get('cross_border', -1))
    # Placer's count with the sites PostGIS leaves out (no country) left out too.
    labels, _ = read_labels(os.path.join(out, f'placer-{n}.lab'), n)
    keep = (labels >= 0) & located
    pairs = np.unique(np.stack([labels[keep], country[keep]]), axis=1)
    like_for_like = int((np.bincount(pairs[0]) > 1).sum()) if pairs.size else 0
    if cross != like_for_like:
        problems.append(f'{cross} cross-border clusters against {like_for_like}')
    verdict = ('every site in the same country; the same '
               f'{cross} cross-border clusters' if not problems else 'FAILED: ' + '; '.join(problems))
    if problems:
        FAILED.append(f'countries: {verdict}')
    row('PostGIS subdivided + GiST', pg_f, pt, verdict)


def main():
    out, eps = sys.argv[1], float(sys.argv[2])
    for n in (int(s) for s in sys.argv[3:]):
        dbscan_table(out, eps, n)
    for n in (int(s) for s in sys.argv[3:]):
        countries_table(out, n)
    if FAILED:
        print('\nGATE FAILED:\n  ' + '\n  '.join(FAILED))
        sys.exit(1)


if __name__ == '__main__':
    main()
