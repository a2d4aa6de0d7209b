#!/usr/bin/env bash
# The overlap areas that `placer-cli zone validate` reports for a zone drawn across several
# titles of the sample cadastre must agree with PostGIS (ST_Intersection, then ST_Area on
# geography) to 0.01 % (TAP). The titles in force on 2026-01-01 are selected in SQL here,
# independently of Placer's rules: statut 'Actif…', granted on or before and expiring on or
# after the date.
set -uo pipefail
root=$1
cli=$2
. "$(dirname "$0")/pg-cluster.sh"

work=$(mktemp -d /tmp/placer-zone-oracle-XXXXXX)
trap 'pg_stop; rm -rf "$work"' EXIT
mkdir -p "$work/sources"
cp "$root/sample-data/kivu-demo.gpkg" "$work/"
cp "$root/sample-data/sources/landcover.tif" "$work/sources/"
zone='POLYGON ((28.6 -2.9, 29.1 -2.9, 29.1 -2.1, 28.6 -2.1, 28.6 -2.9))'

echo "1..4"
if "$cli" zone add "$work/kivu-demo.gpkg" --wkt "$zone" --name oracle --id Z-ORACLE >/dev/null; then
  echo "ok 1 - zone added"
else
  echo "not ok 1 - zone add failed"
  exit 1
fi
"$cli" zone validate "$work/kivu-demo.gpkg" Z-ORACLE --json > "$work/findings.json"
if [ -s "$work/findings.json" ]; then
  echo "ok 2 - zone validated"
else
  echo "not ok 2 - zone validate printed nothing"
  exit 1
fi

ogr2ogr -f PostgreSQL "$PG_OGR" "$root/sample-data/sources/cadastre.gpkg" titres -nln titres \
  -lco GEOMETRY_NAME=geom -nlt PROMOTE_TO_MULTI >/dev/null 2>&1
psql -qXAt -F '|' -v ON_ERROR_STOP=1 > "$work/oracle.txt" <<SQL
WITH z AS (SELECT ST_GeomFromText('$zone', 4326) AS g)
SELECT code, round((ST_Area(ST_Intersection(t.geom, z.g)::geography) / 1e4)::numeric, 6)
  FROM titres t, z
 WHERE ST_Intersects(t.geom, z.g)
   AND statut LIKE 'Actif%'
   AND (coalesce(date_octroi, '') = '' OR date_octroi::date <= DATE '2026-01-01')
   AND (coalesce(date_expiration, '') = '' OR date_expiration::date >= DATE '2026-01-01')
   AND ST_Area(ST_Intersection(t.geom, z.g)::geography) >= 1
 ORDER BY code;
SQL
n=$(wc -l < "$work/oracle.txt")
if [ "$n" -ge 2 ]; then
  echo "ok 3 - PostGIS finds $n titles in force overlapping the zone"
else
  echo "not ok 3 - the oracle found $n overlapping titles; the test needs at least 2"
  exit 1
fi

if python3 - "$work/findings.json" "$work/oracle.txt" <<'PY'
import json, sys
findings = json.load(open(sys.argv[1]))["findings"]
placer = {f["ref"]: f["area_ha"] for f in findings if f["code"] in ("overlaps-title", "overlaps-title-with-consent")}
oracle = {}
for line in open(sys.argv[2]):
    code, ha = line.strip().split("|")
    oracle[code] = float(ha)
ok = True
for code, ha in sorted(oracle.items()):
    got = placer.get(code)
    if got is None:
        print(f"# title {code}: PostGIS {ha} ha, missing from Placer's findings"); ok = False; continue
    rel = abs(got - ha) / ha
    print(f"# {code}: Placer {got:.6f} ha, PostGIS {ha:.6f} ha, relative difference {rel:.1e}")
    ok &= rel <= 1e-4
extra = set(placer) - set(oracle)
if extra:
    print(f"# Placer lists titles PostGIS does not: {sorted(extra)}"); ok = False
sys.exit(0 if ok else 1)
PY
then
  echo "ok 4 - every overlap area agrees with PostGIS within 0.01 %"
else
  echo "not ok 4 - overlap areas differ from PostGIS"
  exit 1
fi
