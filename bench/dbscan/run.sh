#!/usr/bin/env bash
# Clustering (DBSCAN) and the country of each site, Placer against scikit-learn and PostGIS,
# on the same points, in one run.  See the "Clustering" section of bench/README.md.
#
#   bench/dbscan/run.sh                     10^5 and 10^6 points, every peer
#   SIZES=100000 PEERS=sklearn bench/dbscan/run.sh
#
# Environment: BUILD (default _build), THREADS (Placer's, default 2), SIZES, PEERS (default
# "sklearn postgis"), EPS (300) and MIN (5), BORDERS/BORDERS_LAYER/BORDERS_ISO (the countries
# for the labelling step; default the OSM maritime borders of ../shared when present, else
# the sample project's land borders).  Output: bench/out/dbscan/.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$(dirname "$HERE")")
OUT=$ROOT/bench/out/dbscan
BUILD=${BUILD:-$ROOT/_build}
BENCH=$BUILD/bench/bench-clusters
THREADS=${THREADS:-2}
SIZES=${SIZES:-100000 1000000}
PEERS=" ${PEERS:-sklearn postgis} "
EPS=${EPS:-300}
MIN=${MIN:-5}
PY=/usr/bin/python3            # Debian's python: python3-sklearn, python3-gdal
PGBIN=/usr/lib/postgresql/15/bin
SHARED_BORDERS=$ROOT/../shared/data/borders/countries_maritime_10m_great_lakes.geojson
if [[ -z ${BORDERS:-} ]]; then
  # A local benchmark may read ../shared (never a test); without it, the committed sample.
  if [[ -f $SHARED_BORDERS ]]; then
    BORDERS=$SHARED_BORDERS BORDERS_LAYER=map.geo BORDERS_ISO=A3
  else
    BORDERS=$ROOT/sample-data/sources/borders.gpkg BORDERS_LAYER=countries BORDERS_ISO=iso3
  fi
fi
BORDERS_LAYER=${BORDERS_LAYER:?set BORDERS_LAYER for $BORDERS}
BORDERS_ISO=${BORDERS_ISO:?set BORDERS_ISO for $BORDERS}

want() { [[ $PEERS == *" $1 "* ]]; }
note() { printf '\n== %s\n' "$*"; }
[[ -x $BENCH ]] || { echo "no $BENCH: build with 'ninja -C $BUILD'" >&2; exit 2; }
if want sklearn && ! $PY -c 'import sklearn' 2>/dev/null; then
  echo "skipping scikit-learn: apt-get install python3-sklearn" >&2; PEERS=${PEERS/ sklearn / }
fi
if want postgis && ! [[ -x $PGBIN/postgres ]]; then
  echo "skipping PostGIS: apt-get install postgresql-15-postgis-3" >&2; PEERS=${PEERS/ postgis / }
fi
mkdir -p "$OUT"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores" | tee "$OUT/load.txt"

# ---------------------------------------------------------------------------------------
# PostgreSQL 15 in a temp dir, reachable only through a unix socket there, durability and
# JIT off (as bench/run.sh); deleted on exit.
PGTMP=''
pg_stop() {
  [[ -n $PGTMP ]] || return 0
  $AS "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate -w stop > /dev/null 2>&1 || true
  rm -rf "$PGTMP"
  PGTMP=''
}
trap pg_stop EXIT
pg_start() {
  PGTMP=$(mktemp -d /tmp/placer-bench-pg.XXXXXX)
  chmod 755 "$PGTMP"
  AS=''
  if [[ $(id -u) == 0 ]]; then          # initdb refuses to run as root
    chown postgres: "$PGTMP"
    AS='runuser -u postgres --'
  fi
  PGPORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  $AS "$PGBIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --no-locale \
    > "$OUT/pg_initdb.log" 2>&1
  $AS "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -o \
    "-k $PGTMP -p $PGPORT -c listen_addresses='' -c fsync=off -c full_page_writes=off \
     -c synchronous_commit=off -c wal_level=minimal -c max_wal_senders=0 -c jit=off \
     -c shared_buffers=1GB -c work_mem=256MB -c maintenance_work_mem=512MB" start > /dev/null
  PGCONN="host=$PGTMP port=$PGPORT user=postgres dbname=bench"
  "$PGBIN/createdb" -h "$PGTMP" -p "$PGPORT" -U postgres bench
  psql_ -c 'CREATE EXTENSION postgis' > /dev/null
}
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$PGTMP" -p "$PGPORT" -U postgres -d bench "$@"; }
# The statements' own times from \timing, summed, in seconds.
timing_sum() { awk '/^Time: / { s += $2 } END { printf "%.4f", s / 1000 }' "$1"; }

# ---------------------------------------------------------------------------------------
# The points: written once per size (seeded), read by every tool.
for n in $SIZES; do
  if ! [[ -f $OUT/pts-$n.bin && -f $OUT/gen-$n.txt ]] || ! grep -q "eps=$EPS\$" "$OUT/gen-$n.txt"; then
    note "generating $n points"
    "$BENCH" gen "$n" "$EPS" "$OUT/pts-$n.bin" | tee "$OUT/gen-$n.txt"
    rm -f "$OUT/pts-$n.csv"
  fi
  cat "$OUT/pts-$n.bin" > /dev/null
done

for n in $SIZES; do
  reps=5; peer_reps=3
  (( n >= 1000000 )) && peer_reps=1
  note "DBSCAN, $n points"
  "$BENCH" dbscan "$OUT/pts-$n.bin" "$EPS" "$MIN" "$THREADS" "$reps" "$OUT/placer-$n.lab" |
    sed "s/\$/ reps=$reps min_points=$MIN/" | tee "$OUT/placer-$n.txt"
  "$BENCH" dbscan "$OUT/pts-$n.bin" "$EPS" "$MIN" 1 3 "$OUT/placer1-$n.lab" | tee "$OUT/placer1-$n.txt"
  if want sklearn; then
    $PY "$HERE/peers/sk_dbscan.py" "$OUT/pts-$n.bin" "$EPS" "$MIN" "$peer_reps" \
      "$OUT/sklearn-$n.lab" | tee "$OUT/sklearn-$n.txt"
  fi
done

if want postgis; then
  note "PostGIS (throwaway PostgreSQL 15 cluster)"
  pg_start
  psql_ -At -c 'SELECT postgis_full_version()' > "$OUT/postgis_version.txt"
  for n in $SIZES; do
    [[ -f $OUT/pts-$n.csv ]] || $PY "$HERE/peers/points_csv.py" "$OUT/pts-$n.bin" "$OUT/pts-$n.csv"
    psql_ -c 'DROP TABLE IF EXISTS pts, cl, site_country' \
      -c 'CREATE TABLE pts (id integer PRIMARY KEY, x float8, y float8, lon float8, lat float8)' \
      -c "\\copy pts FROM '$OUT/pts-$n.csv' CSV"
    psql_ -f "$HERE/peers/pg_load.sql"
    psql_ -v eps="$EPS" -v minp="$MIN" -f "$HERE/peers/pg_dbscan.sql" > "$OUT/postgis-$n.log"
    echo "time=$(timing_sum "$OUT/postgis-$n.log")" | tee "$OUT/postgis-$n.txt"
    psql_ -At -F, -c "\\copy (SELECT id, cid FROM cl ORDER BY id) TO '$OUT/postgis-$n.csv' CSV"
    # The countries, on the smallest set (with its clusters in cl).
    if [[ $n == "${SIZES%% *}" ]]; then
      # In layer order (fid), the order Placer reads them; column names laundered to lower case.
      OGR_GEOJSON_MAX_OBJ_SIZE=0 ogr2ogr -f PostgreSQL PG:"$PGCONN" "$BORDERS" "$BORDERS_LAYER" \
        -nln countries_raw -lco GEOMETRY_NAME=geom -lco FID=fid -nlt PROMOTE_TO_MULTI -overwrite
      psql_ -v iso="${BORDERS_ISO,,}" -f "$HERE/peers/pg_countries_load.sql"
      psql_ -At -f "$HERE/peers/pg_countries.sql" > "$OUT/postgis-countries.log"
      echo "time=$(timing_sum "$OUT/postgis-countries.log") cross_border=$(grep -m1 -E '^[0-9]+$' "$OUT/postgis-countries.log")" |
        tee "$OUT/postgis-countries.txt"
      psql_ -At -F, -c "\\copy (SELECT id, idx FROM site_country) TO '$OUT/postgis-countries.csv' CSV"
    fi
  done
  pg_stop
fi

n=${SIZES%% *}
note "country of each site, $n points ($(basename "$BORDERS"))"
"$BENCH" countries "$OUT/pts-$n.bin" "$BORDERS" "$BORDERS_LAYER" "$BORDERS_ISO" \
  "$OUT/placer-$n.lab" "$THREADS" 5 "$OUT/countries-$n.bin" |
  sed "s|\$| borders=$(basename "$BORDERS")|" | tee "$OUT/countries-$n.txt"

note "versions"
{
  echo "placer: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '+dirty')"
  $PY -c 'import sklearn, numpy; print("scikit-learn", sklearn.__version__, "numpy", numpy.__version__)' 2>/dev/null || true
  [[ -f $OUT/postgis_version.txt ]] && echo "PostGIS: $(cat "$OUT/postgis_version.txt")"
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/versions.txt"

note "results"
$PY "$HERE/compare.py" "$OUT" "$EPS" $SIZES
