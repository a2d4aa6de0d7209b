#!/usr/bin/env bash
# Placer's clusters of the sample IPIS sites must match PostGIS ST_ClusterDBSCAN run on a
# projected copy (UTM 35S) of the same latest visits (TAP). Planar UTM distances differ from
# ground distances by the scale factor (up to 0.04 % here), so the comparison is only exact
# when no pair of sites lies that close to eps; the test checks that first.
set -uo pipefail
root=$1
cli=$2
. "$(dirname "$0")/pg-cluster.sh"

work=$(mktemp -d /tmp/placer-dbscan-oracle-XXXXXX)
trap 'pg_stop; rm -rf "$work"' EXIT
eps=3000
min=3

echo "1..4"
"$cli" project new "$work/p.gpkg" >/dev/null &&
  "$cli" sites import "$work/p.gpkg" "$root/sample-data/sources/ipis_sites.csv" >/dev/null
"$cli" sites list "$work/p.gpkg" --json > "$work/sites.json"
"$cli" clusters "$work/p.gpkg" --eps-m $eps --min-sites $min --members --json > "$work/clusters.json"
if [ -s "$work/clusters.json" ] && [ -s "$work/sites.json" ]; then
  echo "ok 1 - Placer clustered the sample sites"
else
  echo "not ok 1 - placer-cli sites/clusters failed"
  exit 1
fi

python3 - "$work/sites.json" > "$work/sites.csv" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
sites = doc["sites"] if isinstance(doc, dict) else doc
print("site_id,lon,lat")
for s in sites:
    lon, lat = s["x"], s["y"]
    print(f'{s["site_id"]},{lon!r},{lat!r}')
PY
psql -qX -v ON_ERROR_STOP=1 >/dev/null <<SQL
CREATE TABLE s (site_id text, lon double precision, lat double precision);
\copy s FROM '$work/sites.csv' CSV HEADER
ALTER TABLE s ADD COLUMN g geometry(Point, 32735);
UPDATE s SET g = ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 32735);
SQL
ambiguous=$(psql -qXAt -c "SELECT count(*) FROM s a JOIN s b ON a.site_id < b.site_id
  AND ST_DWithin(a.g, b.g, $eps * 1.01)
  WHERE (ST_Distance(a.g, b.g) <= $eps) <>
        (ST_Distance(ST_Transform(a.g, 4326)::geography, ST_Transform(b.g, 4326)::geography) <= $eps)")
if [ "$ambiguous" = "0" ]; then
  echo "ok 2 - planar UTM and ground distances put every pair on the same side of eps"
else
  echo "not ok 2 - $ambiguous pairs are within eps by one metric and not the other"
  exit 1
fi
psql -qXAt -F ',' -c "SELECT site_id, ST_ClusterDBSCAN(g, $eps, $min) OVER () FROM s" > "$work/pg.csv"
if [ -s "$work/pg.csv" ]; then
  echo "ok 3 - PostGIS ST_ClusterDBSCAN ran"
else
  echo "not ok 3 - ST_ClusterDBSCAN failed"
  exit 1
fi

if python3 - "$work/clusters.json" "$work/pg.csv" <<'PY'
import json, sys
placer = json.load(open(sys.argv[1]))["clusters"]
mine = {}
for c in placer:
    for m in c["members"]:
        mine[m] = c["id"]
pg = {}
for line in open(sys.argv[2]):
    sid, cid = line.strip().split(",")
    if cid != "":
        pg[sid] = int(cid)
def partition(labels):
    groups = {}
    for s, c in labels.items():
        groups.setdefault(c, set()).add(s)
    return sorted(sorted(g) for g in groups.values())
a, b = partition(mine), partition(pg)
print(f"# Placer: {len(a)} clusters of {len(mine)} sites; PostGIS: {len(b)} clusters of {len(pg)} sites")
# Border points may join either of two clusters in DBSCAN; compare the sets of clustered
# sites and the clusters themselves, and report any border point assigned differently.
if set(mine) != set(pg):
    print(f"# sites clustered by one only: {sorted(set(mine) ^ set(pg))[:10]}")
    sys.exit(1)
if a != b:
    diff = [g for g in a if g not in b]
    print(f"# clusters that differ: {diff[:3]}")
    sys.exit(1)
PY
then
  echo "ok 4 - identical clusters"
else
  echo "not ok 4 - the clusters differ from PostGIS"
  exit 1
fi
