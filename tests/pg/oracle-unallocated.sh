#!/usr/bin/env bash
# The unallocated land of the sample sources, computed independently in PostGIS and by
# placer-cli, must agree to 0.01 % (TAP). PostGIS does the overlay with ST_Difference of
# the unions in EPSG:4326 and measures with ST_Area on geography (the ellipsoid); buffers
# with ST_Buffer on geography. The rules are written out here in SQL, not taken from Placer:
#   titles: statut 'Actif…' in force on 2026-01-01 (granted on or before, expiring on or
#           after), and 'En instruction' (pending) whatever its dates
#   land use: 'Aire protégée', 'Plan d''eau' excluded as they are; 'Agglomération' and
#           'Site sacré' excluded with 100 m around them (Placer's default rules)
#   deposits: confidence Known or Probable, every mineral
set -uo pipefail
root=$1
cli=$2
src=$root/sample-data/sources
. "$(dirname "$0")/pg-cluster.sh"

echo "1..4"
load() {
  ogr2ogr -f PostgreSQL "$PG_OGR" "$1" "$2" -nln "$3" -lco GEOMETRY_NAME=geom \
    -nlt PROMOTE_TO_MULTI -lco SPATIAL_INDEX=GIST >/dev/null 2>&1
}
if load "$src/deposits.gpkg" deposits deposits && load "$src/cadastre.gpkg" titres titres &&
   load "$src/landuse.gpkg" occupation_sol landuse; then
  echo "ok 1 - sample sources loaded into PostGIS"
else
  echo "not ok 1 - loading the sample sources with ogr2ogr"
  exit 1
fi

oracle=$(psql -qXAt -v ON_ERROR_STOP=1 <<'SQL'
WITH dep AS (
  SELECT ST_Union(geom) AS g FROM deposits WHERE conf IN ('Known', 'Probable')
), blocking AS (
  SELECT geom FROM titres
   WHERE (statut LIKE 'Actif%'
          AND (coalesce(date_octroi, '') = '' OR date_octroi::date <= DATE '2026-01-01')
          AND (coalesce(date_expiration, '') = '' OR date_expiration::date >= DATE '2026-01-01'))
      OR statut = 'En instruction'
  UNION ALL
  SELECT geom FROM landuse WHERE classe IN ('Aire protégée', 'Plan d''eau')
  UNION ALL
  SELECT ST_Buffer(geom::geography, 100, 'quad_segs=32')::geometry FROM landuse
   WHERE classe IN ('Agglomération', 'Site sacré')
), cut AS (
  SELECT ST_Union(geom) AS g FROM blocking
)
SELECT round((ST_Area(ST_Difference(dep.g, cut.g)::geography) / 1e4)::numeric, 4)
  FROM dep, cut;
SQL
)
if [ -n "$oracle" ]; then
  echo "ok 2 - PostGIS oracle: $oracle ha"
else
  echo "not ok 2 - the PostGIS oracle query failed"
  exit 1
fi

json=$("$cli" unallocated --deposits "$src/deposits.gpkg" --concessions "$src/cadastre.gpkg" \
  --landuse "$src/landuse.gpkg" --as-of 2026-01-01 --confidence known,probable --json)
placer=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_ha"])')
if [ -n "$placer" ]; then
  echo "ok 3 - placer-cli unallocated: $placer ha"
else
  echo "not ok 3 - placer-cli unallocated failed"
  exit 1
fi

if python3 - "$placer" "$oracle" <<'PY'
import sys
p, o = float(sys.argv[1]), float(sys.argv[2])
rel = abs(p - o) / o
print(f"# relative difference {rel:.2e} ({p - o:+.4f} ha)")
sys.exit(0 if rel <= 1e-4 else 1)
PY
then
  echo "ok 4 - Placer and PostGIS agree within 0.01 %"
else
  echo "not ok 4 - Placer ($placer ha) and PostGIS ($oracle ha) differ by more than 0.01 %"
  exit 1
fi
