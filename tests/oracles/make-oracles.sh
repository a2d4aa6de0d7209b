#!/usr/bin/env bash
# Regenerates the committed test oracles in tests/oracles/ from the Natural Earth
# files in /work/shared/data/borders (or $PLACER_BORDERS_DIR) using the reference
# tools themselves: Planimeter and GeodSolve (GeographicLib), cs2cs (PROJ),
# ogr2ogr/ogrinfo (GDAL).  Python (with the osgeo bindings of the Debian
# package python3-gdal) only selects features, feeds vertices to the tools and
# formats their printed results; it does no geodesic arithmetic itself (only
# exact decimal sums of printed ring areas for multi-ring features).
#
# Usage:  bash tests/oracles/make-oracles.sh
# Needs:  geographiclib-tools, proj-bin, gdal-bin, python3-gdal (Debian 12).
# Re-runnable: output is deterministic; running it twice gives identical files.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="${PLACER_BORDERS_DIR:-/work/shared/data/borders}"
PY="${PLACER_PYTHON:-/usr/bin/python3}"   # Debian python3 has osgeo (python3-gdal)
ADMIN1="$SRC/ne_10m_admin1_great_lakes.geojson"
ADMIN0="$SRC/ne_10m_admin0_from_admin1_great_lakes.geojson"
MAX_GEOJSON_BYTES=614400   # 600 KiB: simplify only above this
SIMPLIFY_TOL=0.0005        # degrees, used only if the file would be too large
PLANIMETER_P=10            # Planimeter/GeodSolve clamp -p to 10 (double build)
GEODSOLVE_P=10

log() { printf '[make-oracles] %s\n' "$*"; }

for tool in Planimeter GeodSolve cs2cs ogr2ogr ogrinfo "$PY"; do
    command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done
"$PY" -c 'import osgeo' 2>/dev/null || { echo "$PY lacks osgeo (install python3-gdal)" >&2; exit 1; }
for f in "$ADMIN1" "$ADMIN0"; do
    [[ -r "$f" ]] || { echo "missing source file: $f" >&2; exit 1; }
done

PLANIMETER_VERSION="$(Planimeter --version 2>&1 | head -n1)"
GEODSOLVE_VERSION="$(GeodSolve --version 2>&1 | head -n1)"
PROJ_VERSION="$(cs2cs 2>&1 | head -n1 || true)"
GDAL_VERSION="$(ogrinfo --version)"
log "tools: $PLANIMETER_VERSION | $GEODSOLVE_VERSION | cs2cs/PROJ $PROJ_VERSION | $GDAL_VERSION"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
export HERE TMP PLANIMETER_P GEODSOLVE_P

# ---------------------------------------------------------------------------
# 1. admin-polygons.geojson
# ---------------------------------------------------------------------------
ADMIN1_WHERE="adm0_a3 = 'RWA' OR (adm0_a3 = 'COD' AND name IN ('Nord-Kivu','Sud-Kivu','Maniema')) OR (adm0_a3 = 'BDI' AND name IN ('Bujumbura Mairie','Bujumbura Rural','Cibitoke')) OR (adm0_a3 = 'TZA' AND name = 'Pwani')"
ADMIN0_WHERE="adm0_a3 IN ('RWA','BDI')"

extract() {   # $1 = simplify tolerance ('' for none)
    local simp=()
    [[ -n "$1" ]] && simp=(-simplify "$1")
    rm -f "$TMP/admin1.geojson" "$TMP/admin0.geojson"
    log "ogr2ogr -f GeoJSON admin1.geojson $(basename "$ADMIN1") -where \"$ADMIN1_WHERE\"${simp[*]:+ ${simp[*]}}"
    ogr2ogr -f GeoJSON "$TMP/admin1.geojson" "$ADMIN1" -where "$ADMIN1_WHERE" "${simp[@]}"
    log "ogr2ogr -f GeoJSON admin0.geojson $(basename "$ADMIN0") -where \"$ADMIN0_WHERE\"${simp[*]:+ ${simp[*]}}"
    ogr2ogr -f GeoJSON "$TMP/admin0.geojson" "$ADMIN0" -where "$ADMIN0_WHERE" "${simp[@]}"
}

build_polygons() {   # $1 = simplify tolerance ('' for none)
    SIMPLIFY="$1" "$PY" - <<'PYEOF'
import json, os, subprocess, sys
from decimal import Decimal
from osgeo import ogr
ogr.UseExceptions()

TMP, HERE = os.environ["TMP"], os.environ["HERE"]
P = os.environ["PLANIMETER_P"]
SIMPLIFY = os.environ.get("SIMPLIFY", "")
ncalls = 0

def planimeter(ring):
    """ring: list of (lon, lat) floats, not closed. Returns (n, perimeter_str, area_str)."""
    global ncalls
    text = "".join("%r %r\n" % (lat, lon) for lon, lat in ring)   # latitude first
    out = subprocess.run(["Planimeter", "-p", P], input=text, capture_output=True,
                         text=True, check=True).stdout.split()
    ncalls += 1
    assert len(out) == 3 and int(out[0]) == len(ring), (out, len(ring))
    return int(out[0]), out[1], out[2]

def rings_of(geom):
    """[[ring0 (outer), ring1 (hole), ...] per part]; rings as (lon,lat) lists w/o closing vertex."""
    name = geom.GetGeometryName()
    polys = [geom.GetGeometryRef(i) for i in range(geom.GetGeometryCount())] \
        if name == "MULTIPOLYGON" else [geom]
    assert name in ("POLYGON", "MULTIPOLYGON"), name
    parts = []
    for p in polys:
        rr = []
        for j in range(p.GetGeometryCount()):
            pts = [(x, y) for x, y in (pt[:2] for pt in p.GetGeometryRef(j).GetPoints())]
            assert len(pts) >= 4 and pts[0] == pts[-1], "ring not closed"
            rr.append(pts[:-1])
        parts.append(rr)
    return parts

def load(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayer(0)
    out = {}
    for f in lyr:
        key = (f.GetField("adm0_a3"), f.GetField("name") if lyr.FindFieldIndex("name", 1) >= 0 else f.GetField("admin"))
        assert key not in out, "duplicate feature %r" % (key,)
        out[key] = (f.GetGeometryRef().Clone(), f)
    return out

a1 = load(os.path.join(TMP, "admin1.geojson"))
a0 = load(os.path.join(TMP, "admin0.geojson"))

# Fixed order of the fixture.
wanted = [
    ("admin1", "COD", "Nord-Kivu"), ("admin1", "COD", "Sud-Kivu"), ("admin1", "COD", "Maniema"),
    ("admin1", "RWA", "Kigali City"), ("admin1", "RWA", "Northern"), ("admin1", "RWA", "Southern"),
    ("admin1", "RWA", "Eastern"), ("admin1", "RWA", "Western"),
    ("admin1", "BDI", "Bujumbura Mairie"), ("admin1", "BDI", "Bujumbura Rural"), ("admin1", "BDI", "Cibitoke"),
    ("admin1", "TZA", "Pwani"),
    ("admin0", "RWA", "Rwanda"), ("admin0", "BDI", "Burundi"),
]
assert len(a1) == 12, sorted(a1)
assert len(a0) == 2, sorted(a0)

SRC1 = "ne_10m_admin1_great_lakes.geojson"
SRC0 = "ne_10m_admin0_from_admin1_great_lakes.geojson"
feats = []
for level, a3, name in wanted:
    if level == "admin1":
        g, f = a1[(a3, name)]
        props = {"name": name, "adm0_a3": a3, "iso_3166_2": f.GetField("iso_3166_2"),
                 "level": "admin1", "source": SRC1}
    else:
        key = next(k for k in a0 if k[0] == a3)
        g, f = a0[key]
        assert f.GetField("admin") == name, (f.GetField("admin"), name)
        props = {"name": name, "adm0_a3": a3, "iso_3166_2": f.GetField("iso_a2"),
                 "level": "admin0", "source": SRC0}
    feats.append((props, rings_of(g)))

# No source feature has a hole, so two synthetic ones (outer rings CCW, holes CW,
# as RFC 7946 asks).  The hole of the first is a rough hand-drawn outline of
# Lake Kivu; the outer ring is a box around it.
kivu_box = [(28.75, -2.60), (29.45, -2.60), (29.45, -1.55), (28.75, -1.55)]
kivu_lake_cw = [(29.23, -1.66), (29.28, -1.72), (29.25, -1.85), (29.20, -2.00),
                (29.15, -2.15), (29.05, -2.35), (28.95, -2.47), (28.88, -2.48),
                (28.87, -2.35), (28.95, -2.15), (29.00, -1.95), (29.08, -1.78),
                (29.15, -1.68)]
feats.append(({"name": "synthetic-with-hole", "adm0_a3": None, "iso_3166_2": None,
               "level": "synthetic", "source": "synthetic (outer box minus rough Lake Kivu outline)"},
              [[kivu_box, kivu_lake_cw]]))
sq = [(28.0, -3.2), (28.2, -3.2), (28.2, -3.0), (28.0, -3.0)]
sq_hole_cw = [(28.05, -3.15), (28.05, -3.05), (28.15, -3.05), (28.15, -3.15)]
tri = [(28.3, -3.2), (28.4, -3.2), (28.35, -3.1)]
feats.append(({"name": "synthetic-multi-with-hole", "adm0_a3": None, "iso_3166_2": None,
               "level": "synthetic", "source": "synthetic (0.2 deg square with 0.1 deg square hole, plus a triangle)"},
              [[sq, sq_hole_cw], [tri]]))

def geom_json(parts):
    def ring_txt(r):
        closed = list(r) + [r[0]]
        return "[" + ",".join("[%r,%r]" % (x, y) for x, y in closed) + "]"
    polys = ["[" + ",".join(ring_txt(r) for r in part) + "]" for part in parts]
    if len(parts) == 1:
        return '{"type":"Polygon","coordinates":%s}' % polys[0]
    return '{"type":"MultiPolygon","coordinates":[%s]}' % ",".join(polys)

def oracle(parts):
    area = Decimal(0); perim_all = Decimal(0); perim_outer = Decimal(0)
    ring_signed = []; nv = 0
    for part in parts:
        for j, r in enumerate(part):
            n, per, ar = planimeter(r)
            nv += n
            ring_signed.append(ar)
            a = abs(Decimal(ar)); p = Decimal(per)
            area += a if j == 0 else -a
            perim_all += p
            if j == 0:
                perim_outer += p
    return {"parts": len(parts), "holes": sum(len(p) - 1 for p in parts), "vertices": nv,
            "area": area, "perim_all": perim_all, "perim_outer": perim_outer,
            "ring_signed": ring_signed}

lines = []
summary = []
for props, parts in feats:
    geom_txt = geom_json(parts)
    g = ogr.CreateGeometryFromJson(geom_txt)
    valid = 1 if g.IsValid() else 0
    o = oracle(parts)
    # Numbers from Planimeter are written verbatim (as printed, or exact decimal sums).
    ptxt = ",".join([
        '"name":%s' % json.dumps(props["name"], ensure_ascii=False),
        '"adm0_a3":%s' % json.dumps(props["adm0_a3"]),
        '"iso_code":%s' % json.dumps(props["iso_3166_2"]),
        '"level":%s' % json.dumps(props["level"]),
        '"source":%s' % json.dumps(props["source"]),
        '"valid":%d' % valid,
        '"parts":%d' % o["parts"], '"holes":%d' % o["holes"], '"vertices":%d' % o["vertices"],
        '"planimeter_m2":%s' % o["area"],
        '"planimeter_perimeter_m":%s' % o["perim_all"],
        '"planimeter_outer_perimeter_m":%s' % o["perim_outer"],
        '"planimeter_ring_signed_m2":[%s]' % ",".join(o["ring_signed"]),
    ])
    lines.append('{"type":"Feature","properties":{%s},"geometry":%s}' % (ptxt, geom_txt))
    summary.append((props["name"], props["level"], g.GetGeometryName(), o, valid))

out = ('{"type":"FeatureCollection","name":"admin_polygons",\n"features":[\n'
       + ",\n".join(lines) + "\n]}\n")
dst = os.path.join(HERE, "admin-polygons.geojson")
with open(dst, "w", encoding="utf-8") as fh:
    fh.write(out)
print("[make-oracles] wrote %s: %d features, %d bytes, %d Planimeter runs, simplify=%s"
      % (dst, len(lines), len(out.encode()), ncalls, SIMPLIFY or "none"))
for name, level, gt, o, valid in summary:
    print("[make-oracles]   %-26s %-9s %-12s parts=%d holes=%d vertices=%-5d valid=%d area=%s m2 = %.4f ha"
          % (name, level, gt, o["parts"], o["holes"], o["vertices"], valid, o["area"], o["area"] / 10000))
PYEOF
}

extract ""
build_polygons ""
size=$(stat -c %s "$HERE/admin-polygons.geojson")
if (( size > MAX_GEOJSON_BYTES )); then
    log "admin-polygons.geojson is $size bytes > $MAX_GEOJSON_BYTES: simplifying with tolerance $SIMPLIFY_TOL deg"
    extract "$SIMPLIFY_TOL"
    build_polygons "$SIMPLIFY_TOL"
    SIMPLIFY_NOTE="simplified with \`-simplify $SIMPLIFY_TOL\` added to both commands, because the unsimplified file was $size bytes, over the 600 KiB limit; every oracle value is computed on the simplified geometry that is stored"
else
    SIMPLIFY_NOTE="no simplification: the file is $size bytes, under the 600 KiB limit above which the script would add \`-simplify $SIMPLIFY_TOL\` and compute the oracle on the simplified geometry"
    log "admin-polygons.geojson is $size bytes <= $MAX_GEOJSON_BYTES: no simplification"
fi

# Check: read the stored file back with GDAL and recompute every ring with
# Planimeter, so the oracle is known to belong to the geometry actually stored.
log "re-reading admin-polygons.geojson with GDAL and re-running Planimeter on the stored rings"
"$PY" - <<'PYEOF'
import json, os, subprocess
from decimal import Decimal
from osgeo import ogr
ogr.UseExceptions()
HERE, P = os.environ["HERE"], os.environ["PLANIMETER_P"]
path = os.path.join(HERE, "admin-polygons.geojson")
raw = json.load(open(path, encoding="utf-8"), parse_float=Decimal)["features"]
ds = ogr.Open(path)
lyr = ds.GetLayer(0)
n = 0
for f in lyr:
    g = f.GetGeometryRef()
    polys = [g.GetGeometryRef(i) for i in range(g.GetGeometryCount())] \
        if g.GetGeometryName() == "MULTIPOLYGON" else [g]
    area = Decimal(0); per = Decimal(0); nv = 0; signed = []
    for p in polys:
        for j in range(p.GetGeometryCount()):
            pts = p.GetGeometryRef(j).GetPoints()[:-1]
            txt = "".join("%r %r\n" % (pt[1], pt[0]) for pt in pts)
            o = subprocess.run(["Planimeter", "-p", P], input=txt, capture_output=True,
                               text=True, check=True).stdout.split()
            nv += int(o[0]); signed.append(o[2])
            a = abs(Decimal(o[2]))
            area += a if j == 0 else -a
            per += Decimal(o[1])
    p = raw[n]["properties"]
    assert p["name"] == f.GetField("name")
    assert area == p["planimeter_m2"] and str(area) == str(p["planimeter_m2"]), (p["name"], area)
    assert per == p["planimeter_perimeter_m"], p["name"]
    assert signed == [str(v) for v in p["planimeter_ring_signed_m2"]], p["name"]
    assert nv == f.GetField("vertices"), f.GetField("name")
    assert f.GetField("valid") == (1 if g.IsValid() else 0)
    assert f.GetField("parts") == len(polys)
    n += 1
assert n == len(raw)
print("[make-oracles]   OK: %d features re-read with GDAL; areas, perimeters, ring areas, vertices, validity reproduced" % n)
PYEOF

# ---------------------------------------------------------------------------
# 2. cells.csv  (graticule cells, 4 corners each, Planimeter)
# ---------------------------------------------------------------------------
log "computing cells.csv with Planimeter -p $PLANIMETER_P"
"$PY" - <<'PYEOF'
import os, subprocess
HERE, P = os.environ["HERE"], os.environ["PLANIMETER_P"]
# (label, lon_w, lat_n, size_deg); cell = [lat_n - size, lat_n] x [lon_w, lon_w + size]
cells = []
for lat_n in (0.0, -1.0, -2.5, -6.5, -10.0, -12.0):
    cells.append(("30s_n%+g" % lat_n, 29.0, lat_n, 1.0 / 120.0))
cells.append(("30s_n%+g" % 5.0, -1.0, 5.0, 1.0 / 120.0))
for lat_n in (0.0, -15.0, -20.0, -25.0):
    cells.append(("15s_n%+g" % lat_n, 33.0, lat_n, 1.0 / 240.0))
cells.append(("0.1deg_n+12", -1.0, 12.0, 0.1))
rows = ["label,lon_w,lat_s,lon_e,lat_n,planimeter_m2"]
for label, lon_w, lat_n, d in cells:
    lon_e, lat_s = lon_w + d, lat_n - d
    # corners NW, NE, SE, SW, latitude first; closing vertex not repeated
    corners = [(lat_n, lon_w), (lat_n, lon_e), (lat_s, lon_e), (lat_s, lon_w)]
    txt = "".join("%r %r\n" % c for c in corners)
    o = subprocess.run(["Planimeter", "-p", P], input=txt, capture_output=True,
                       text=True, check=True).stdout.split()
    assert o[0] == "4"
    area = o[2].lstrip("-")          # clockwise ring -> negative; absolute value
    rows.append("%s,%r,%r,%r,%r,%s" % (label, lon_w, lat_s, lon_e, lat_n, area))
    print("[make-oracles]   %-12s lat %r..%r lon %r..%r: %s m2 = %.4f ha"
          % (label, lat_s, lat_n, lon_w, lon_e, area, float(area) / 1e4))
with open(os.path.join(HERE, "cells.csv"), "w") as fh:
    fh.write("\n".join(rows) + "\n")
# Cross-checks against the values in the project's domain notes.
got = {r.split(",")[0]: float(r.split(",")[5]) / 1e4 for r in rows[1:]}
for label, want in (("30s_n-6.5", 84.94), ("30s_n+0", 85.48)):
    assert abs(got[label] - want) <= 0.005, (label, got[label], want)
    print("[make-oracles]   check %s: %.4f ha (expected %.2f +/- 0.005) OK" % (label, got[label], want))
PYEOF

# ---------------------------------------------------------------------------
# 3. cs2cs.csv  (coordinate transforms, PROJ)
# ---------------------------------------------------------------------------
log "computing cs2cs.csv with cs2cs"
"$PY" - <<'PYEOF'
import os, subprocess
HERE = os.environ["HERE"]
GEOG = {"EPSG:4326"}              # authority axis order lat, lon
# All projected CRSs used here (EPSG:326xx, 327xx, 3857, 6933) are easting, northing.
cases = [  # src, dst, x_in, y_in  (x = lon/easting, y = lat/northing)
    ("EPSG:4326", "EPSG:32630", -1.0, 12.0),
    ("EPSG:4326", "EPSG:32735", 29.22, -1.68),     # Goma
    ("EPSG:4326", "EPSG:32735", 28.86, -2.51),     # Bukavu
    ("EPSG:4326", "EPSG:32735", 29.14, -3.40),     # Uvira
    ("EPSG:4326", "EPSG:32735", 27.48, -11.66),    # Lubumbashi (central meridian 27 E)
    ("EPSG:4326", "EPSG:32736", 30.06, -1.95),     # Kigali (zone 36S)
    ("EPSG:4326", "EPSG:32735", 30.06, -1.95),     # Kigali, out of its zone in 35S
    ("EPSG:4326", "EPSG:32736", 29.22, -1.68),     # Goma, out of its zone in 36S
    ("EPSG:4326", "EPSG:3857", 29.22, -1.68),      # Goma, Web Mercator
    ("EPSG:4326", "EPSG:6933", 29.22, -1.68),      # Goma, EASE-Grid 2.0 global (equal area)
    ("EPSG:32735", "EPSG:4326", 700000.0, 9800000.0),        # inverse UTM 35S
    ("EPSG:32630", "EPSG:4326", 717758.854688, 1327344.064191),  # inverse of row 1
]
def fmt(crs, v):
    return ("%.9f" if crs in GEOG else "%.6f") % v

def run(src, dst, line, extra=()):
    f = "%.9f" if dst in GEOG else "%.6f"
    cmd = ["cs2cs", *extra, "-f", f, src, dst]
    out = subprocess.run(cmd, input=line + "\n", capture_output=True, text=True, check=True)
    assert out.stderr == "", out.stderr
    v = out.stdout.split()
    assert len(v) >= 2 and "*" not in v[0], (cmd, line, out.stdout)
    return cmd, v[0], v[1]

rows = ["src,dst,x_in,y_in,x_out,y_out"]
for src, dst, x, y in cases:
    xs, ys = fmt(src, x), fmt(src, y)
    # Authority order on input: EPSG:4326 wants "lat lon"; projected wants "E N".
    line = "%s %s" % ((ys, xs) if src in GEOG else (xs, ys))
    cmd, a, b = run(src, dst, line)
    xo, yo = (b, a) if dst in GEOG else (a, b)   # EPSG:4326 output is "lat lon"
    # Second, independent feed in traditional order with -r (input) / -s (output).
    extra = (["-r"] if src in GEOG else []) + (["-s"] if dst in GEOG else [])
    line2 = "%s %s" % (xs, ys)
    _, a2, b2 = run(src, dst, line2, extra)
    assert (a2, b2) == (xo, yo), ((a2, b2), (xo, yo))
    rows.append("%s,%s,%s,%s,%s,%s" % (src, dst, xs, ys, xo, yo))
    print("[make-oracles]   echo '%s' | %s  ->  x=%s y=%s" % (line, " ".join(cmd), xo, yo))
with open(os.path.join(HERE, "cs2cs.csv"), "w") as fh:
    fh.write("\n".join(rows) + "\n")
r1 = rows[1].split(",")
assert abs(float(r1[4]) - 717758.85) < 0.005 and abs(float(r1[5]) - 1327344.06) < 0.005, r1
print("[make-oracles]   check 12N 1W -> EPSG:32630 = %s E, %s N (expected 717758.85, 1327344.06) OK" % (r1[4], r1[5]))
PYEOF

# ---------------------------------------------------------------------------
# 4. geodesic-lines.csv and geodesic-polyline.csv  (GeodSolve -i)
# ---------------------------------------------------------------------------
log "computing geodesic-lines.csv and geodesic-polyline.csv with GeodSolve -i -p $GEODSOLVE_P"
"$PY" - <<'PYEOF'
import os, subprocess
from decimal import Decimal
HERE, P = os.environ["HERE"], os.environ["GEODSOLVE_P"]

def inverse(lon1, lat1, lon2, lat2):
    line = "%r %r %r %r\n" % (lat1, lon1, lat2, lon2)   # GeodSolve wants lat lon
    o = subprocess.run(["GeodSolve", "-i", "-p", P], input=line, capture_output=True,
                       text=True, check=True).stdout.split()
    return o[2]                                          # azi1 azi2 s12

# East end of a 1 km segment along the parallel 6.5 S: longitude reached by the
# geodesic of 1000 m heading east (GeodSolve direct), rounded to 1e-9 deg; the
# stored segment keeps lat2 = -6.5 exactly, so its length is only close to 1000 m.
o = subprocess.run(["GeodSolve", "-p", P], input="-6.5 27 90 1000\n",
                   capture_output=True, text=True, check=True).stdout.split()
lon_e = float("%.9f" % float(o[1]))

goma, bukavu, uvira, kigali = (29.22, -1.68), (28.86, -2.51), (29.14, -3.40), (30.06, -1.95)
lines = [
    ("goma-bukavu", goma, bukavu),
    ("bukavu-uvira", bukavu, uvira),
    ("goma-uvira", goma, uvira),
    ("goma-kigali", goma, kigali),
    ("ew-1km-6.5S", (27.0, -6.5), (lon_e, -6.5)),
    ("12N1W-0.1deg-diagonal", (-1.0, 12.0), (-0.9, 11.9)),
]
rows = ["label,lon1,lat1,lon2,lat2,geodsolve_m"]
for label, (lon1, lat1), (lon2, lat2) in lines:
    s = inverse(lon1, lat1, lon2, lat2)
    rows.append("%s,%r,%r,%r,%r,%s" % (label, lon1, lat1, lon2, lat2, s))
    print("[make-oracles]   %-22s %s m" % (label, s))
with open(os.path.join(HERE, "geodesic-lines.csv"), "w") as fh:
    fh.write("\n".join(rows) + "\n")

# 3-vertex polyline Goma -> Bukavu -> Uvira: cumulative length = exact decimal sum
# of the printed GeodSolve segment lengths.
poly = [goma, bukavu, uvira]
rows = ["polyline,seq,lon,lat,cum_geodsolve_m"]
cum = Decimal(0)
for i, (lon, lat) in enumerate(poly):
    if i:
        cum += Decimal(inverse(*poly[i - 1], lon, lat))
    rows.append("goma-bukavu-uvira,%d,%r,%r,%s" % (i, lon, lat, cum if i else "0"))
with open(os.path.join(HERE, "geodesic-polyline.csv"), "w") as fh:
    fh.write("\n".join(rows) + "\n")
# Cross-check with Planimeter in polyline mode (-l).
txt = "".join("%r %r\n" % (lat, lon) for lon, lat in poly)
o = subprocess.run(["Planimeter", "-l", "-p", P], input=txt, capture_output=True,
                   text=True, check=True).stdout.split()
assert abs(Decimal(o[1]) - cum) < Decimal("1e-6"), (o, cum)
print("[make-oracles]   polyline goma-bukavu-uvira: %s m (Planimeter -l: %s m) OK" % (cum, o[1]))
PYEOF

# ---------------------------------------------------------------------------
# 5. README.md
# ---------------------------------------------------------------------------
log "writing README.md"
TABLE="$("$PY" - <<'PYEOF'
import json, os
d = json.load(open(os.path.join(os.environ["HERE"], "admin-polygons.geojson")))
print("| name | level | geometry | parts | holes | vertices | valid | area (ha) | perimeter, all rings (km) |")
print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for f in d["features"]:
    p = f["properties"]
    print("| %s | %s | %s | %d | %d | %d | %d | %.2f | %.3f |" % (
        p["name"], p["level"], f["geometry"]["type"], p["parts"], p["holes"],
        p["vertices"], p["valid"], p["planimeter_m2"] / 1e4, p["planimeter_perimeter_m"] / 1e3))
PYEOF
)"
CELLS="$(awk -F, 'NR>1 {printf "| %s | %s | %s | %s | %s | %s | %.4f |\n", $1, $2, $3, $4, $5, $6, $6/10000}' "$HERE/cells.csv")"

cat >"$HERE/README.md" <<EOF
# Test oracles

Small fixture files whose expected values come from the reference tools
themselves (GeographicLib's \`Planimeter\`/\`GeodSolve\`, PROJ's \`cs2cs\`),
not from Placer code.  Tests read these files only; nothing here needs
\`/work/shared\` at test time.  Regenerate with

    bash tests/oracles/make-oracles.sh

which reads \`/work/shared/data/borders\` (override with \`PLACER_BORDERS_DIR\`),
prints every step, checks its own output and is deterministic (two runs give
byte-identical files).

Tool versions used:

- ${PLANIMETER_VERSION}
- ${GEODSOLVE_VERSION}
- cs2cs: PROJ ${PROJ_VERSION}
- ${GDAL_VERSION}
- Debian 12 packages: geographiclib-tools, proj-bin, gdal-bin, python3-gdal

## Files

| file | content |
| --- | --- |
| \`admin-polygons.geojson\` | 16 real and synthetic (multi)polygons, EPSG:4326, with geodesic areas and perimeters |
| \`cells.csv\` | geodesic areas of 30"x30", 15"x15" and 0.1 deg graticule cells |
| \`cs2cs.csv\` | pinned coordinate transforms |
| \`geodesic-lines.csv\` | geodesic distances (inverse problem) |
| \`geodesic-polyline.csv\` | a 3-vertex polyline with cumulative geodesic length |
| \`make-oracles.sh\` | the generator |
| \`compare.csv\` | areas and a border length for the shared-area comparison tests |
| \`make-compare-oracles.sh\` | its generator |

All oracles use the WGS 84 ellipsoid (a = 6378137 m, f = 1/298.257223563),
the tools' default.  Coordinates in the CSV files and in the GeoJSON are
written as the shortest decimal that round-trips to the binary double
(Python \`repr\`), and that exact text is what was fed to the tools, so
\`strtod\` of the stored value gives exactly the double the oracle used.

### Precision and tolerances

\`Planimeter -p N\` prints the perimeter with N decimals and the area with
N-5 decimals; \`GeodSolve -p N\` prints s12 with N decimals.  Both clamp N
to 10 in this (double precision) build (\`-p 12\` prints the same as
\`-p 10\`), so \`-p 10\` is used: perimeter/length to 1e-10 m, area to 1e-5 m2.
The trailing digits of large areas are below double precision
(a 1e10 m2 area has ~1e-6 m2 resolution).  PROJ's \`geod_polygonarea\` /
\`geod_inverse\` are C ports of the same GeographicLib algorithms (series
method, the default \`-G\`; \`-E\` exact variant not used); a relative
tolerance of 1e-9 on areas and 1e-9 m on lengths below 1000 km is safe,
agreement is normally far tighter.

## admin-polygons.geojson

RFC 7946 style GeoJSON (no \`crs\` member; GDAL reads it as WGS 84), axis
order lon, lat.  Features, in this order:

- from \`ne_10m_admin1_great_lakes.geojson\` (Natural Earth 1:10m admin-1):
  Nord-Kivu, Sud-Kivu, Maniema (COD); all five Rwandan provinces (Kigali City,
  Northern, Southern, Eastern, Western); Bujumbura Mairie, Bujumbura Rural,
  Cibitoke (BDI); Pwani (TZA, a MultiPolygon of 3 parts: the mainland,
  Mafia Island and a smaller island next to it);
- from \`ne_10m_admin0_from_admin1_great_lakes.geojson\` (the same admin-1
  data dissolved per country): Rwanda, Burundi (whole countries);
- \`synthetic-with-hole\`: a box 28.75..29.45 E, 2.60..1.55 S minus a rough
  13-vertex outline of Lake Kivu (one hole), because no source polygon has
  a hole;
- \`synthetic-multi-with-hole\`: a MultiPolygon of a 0.2 deg square with a
  0.1 deg square hole plus a triangle (sum over parts with a hole inside
  one part).

Selection commands (${SIMPLIFY_NOTE}):

    ogr2ogr -f GeoJSON admin1.geojson ne_10m_admin1_great_lakes.geojson \\
      -where "${ADMIN1_WHERE}"
    ogr2ogr -f GeoJSON admin0.geojson ne_10m_admin0_from_admin1_great_lakes.geojson \\
      -where "${ADMIN0_WHERE}"

Geometries are stored exactly as in the source (coordinates unchanged,
ring orientation unchanged: the sources are RFC 7946, outer rings
counter-clockwise).  The synthetic outer rings are counter-clockwise and
their holes clockwise.

Properties:

| property | meaning |
| --- | --- |
| \`name\` | province / country name as in the source (\`admin\` for the admin-0 file) |
| \`adm0_a3\`, \`iso_code\` | ISO codes from the source (\`iso_3166_2\` for admin-1, \`iso_a2\` for admin-0); null for synthetic |
| \`level\` | \`admin1\`, \`admin0\` or \`synthetic\` |
| \`source\` | source file |
| \`valid\` | 1 if GDAL/GEOS \`IsValid()\` is true for the stored geometry, else 0 (all are 1) |
| \`parts\` | number of polygons (1 for a Polygon) |
| \`holes\` | number of interior rings over all parts |
| \`vertices\` | number of vertices over all rings, **not** counting the repeated closing vertex |
| \`planimeter_m2\` | geodesic area, m2 |
| \`planimeter_perimeter_m\` | sum of the perimeters of **all** rings, outer and holes (the boundary length, same convention as PostGIS \`ST_Perimeter\`) |
| \`planimeter_outer_perimeter_m\` | sum of the perimeters of the outer rings only |
| \`planimeter_ring_signed_m2\` | the signed area of every ring as printed by Planimeter, in storage order (part 1 outer, its holes, part 2 outer, ...); positive = counter-clockwise |

How the area is computed.  Each ring's vertices are fed, latitude first,
one vertex per line, without repeating the closing vertex, to

    Planimeter -p 10 < ring.txt        # prints: count perimeter signed_area

The area of a polygon is |area(outer)| - sum |area(hole)|; a MultiPolygon's
is the sum over its parts.  Because absolute values are taken, ring
orientation does not matter.  Sums are done in exact decimal arithmetic on
the printed values, so a single-ring feature's \`planimeter_m2\` is
Planimeter's output verbatim.  The script then re-reads the written file
with GDAL and re-runs Planimeter on the rings as stored to confirm every
value.

${TABLE}

## cells.csv

Graticule cells \`[lat_s, lat_n] x [lon_w, lon_e]\`, \`lat_s = lat_n - size\`,
\`lon_e = lon_w + size\` (computed in double; the stored values are the
exact doubles used).  Labels: \`30s_n-6.5\` = 30"x30" (1/120 deg) cell whose
north edge is at 6.5 S; \`15s_...\` = 15"x15" (1/240 deg); \`0.1deg_n+12\` = a
0.1 x 0.1 deg cell, 11.9..12.0 N, 1.0..0.9 W.  The area of a graticule cell
does not depend on longitude.  For each cell the 4 corners NW, NE, SE, SW
(latitude first, not closed) go to \`Planimeter -p 10\`; the ring is
clockwise so Planimeter prints a negative area; \`planimeter_m2\` is its
absolute value, verbatim.

| label | lon_w | lat_s | lon_e | lat_n | planimeter_m2 | ha |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${CELLS}

## cs2cs.csv

Columns \`src,dst,x_in,y_in,x_out,y_out\` with x = longitude or easting and
y = latitude or northing (traditional GIS order), whatever the CRS's
authority axis order.  Degrees have 9 decimals, metres 6.

\`cs2cs\` with \`EPSG:\` codes uses authority axis order: EPSG:4326 is
latitude, longitude on input and output; the projected CRSs used
(EPSG:32630, 32735, 32736, 3857, 6933) are easting, northing.  Each row was
computed with the input in authority order, e.g.

    echo "12.000000000 -1.000000000" | cs2cs -f %.6f EPSG:4326 EPSG:32630
    # 717758.854688  1327344.064191 0.000000
    echo "700000.000000 9800000.000000" | cs2cs -f %.9f EPSG:32735 EPSG:4326
    # -1.808560478  28.797942753 0.000000000   (lat lon: swapped into x,y for the CSV)

(\`-f %.6f\` when the target is projected, \`-f %.9f\` when it is EPSG:4326)
and then a second time in traditional order with \`-r\` (reverse input axes,
when the source is EPSG:4326) and/or \`-s\` (reverse output axes, when the
target is EPSG:4326); both runs must agree.  Feeding lon, lat to EPSG:4326
without \`-r\` silently gives nonsense (for 1 W 12 N: 2188391.658318,
-114456.098855 in EPSG:32630).  EPSG:6933 is "WGS 84 / NSIDC EASE-Grid 2.0
Global" (\`+proj=cea +lat_ts=30 +datum=WGS84\`).  All these transforms are
pure projections on WGS 84 (no datum shift, no grids).

## geodesic-lines.csv

\`label,lon1,lat1,lon2,lat2,geodsolve_m\`: the inverse geodesic length from
(lat1, lon1) to (lat2, lon2):

    echo "lat1 lon1 lat2 lon2" | GeodSolve -i -p 10    # prints azi1 azi2 s12

\`ew-1km-6.5S\` runs along the parallel 6.5 S from 27 E; its east end is the
longitude reached by a 1000 m geodesic heading due east
(\`echo "-6.5 27 90 1000" | GeodSolve -p 10\`) rounded to 1e-9 deg, with
the latitude kept at exactly -6.5, so its length is close to, not exactly,
1000 m.

## geodesic-polyline.csv

\`polyline,seq,lon,lat,cum_geodsolve_m\`: the 3-vertex polyline Goma ->
Bukavu -> Uvira; \`cum_geodsolve_m\` is the length from the first vertex, the
exact decimal sum of the GeodSolve segment lengths (the same segments are
rows \`goma-bukavu\` and \`bukavu-uvira\` of geodesic-lines.csv); the last row
holds the total.  Checked against \`Planimeter -l -p 10\` (polyline mode).

## compare.csv

\`label,value,tool,ring\`: the areas behind the shared-area comparison tests
(\`tests/test-zones-compare.c\`, \`placer-cli compare\` in \`tests/test-cli.c\`).
Each ring is written by hand, as \`lon lat\` pairs separated by \`;\` (not
closed): the pieces the tests' two square countries (WST 29.0..29.2 E,
EST 29.2..29.4 E, both 2.1..1.9 S) are expected to give — each country's
part of the area, titles, zones, unallocated land, a cluster hull — fed
latitude first to \`Planimeter -p 10\` (absolute value of the printed area,
m2).  \`border_length\` is the common border, the meridian 29.2 E from 2.1 S
to 1.9 S, from \`GeodSolve -i -p 10\` (m).  Regenerate with

    bash tests/oracles/make-compare-oracles.sh

which needs only geographiclib-tools.

## Source and licence of the polygons

Natural Earth 1:10m Cultural Vectors, admin-1 states/provinces
(\`ne_10m_admin_1_states_provinces\`), via the regional subsets in
\`/work/shared/data/borders\` (see PROVENANCE-natural-earth-admin1.md there).
Natural Earth data is in the **public domain**
(https://www.naturalearthdata.com/about/terms-of-use/); the derived
geometries here may be committed and redistributed freely.  The synthetic
polygons are made up for these tests.  Note that NE admin-1 for the DRC
has the old 11 provinces; Nord-Kivu, Sud-Kivu and Maniema are unchanged.
EOF

total=$(du -cb "$HERE"/* | tail -n1 | cut -f1)
log "done: $(ls "$HERE" | tr '\n' ' ')"
log "total size of tests/oracles: $total bytes"
(( total < 1048576 )) || { echo "tests/oracles exceeds 1 MiB" >&2; exit 1; }
