#!/usr/bin/env bash
# Unallocated deposit land (deposits - union of titles and excluded land use), Placer
# against the tools a ministry could use instead, on the same data, in one run.
#
#   bench/run.sh S|L            all peers
#   bench/run.sh R              land use as a 10^8-pixel classified raster (S's deposits)
#   PEERS="placer postgis" bench/run.sh S     a subset (placer is always run: it is the reference)
#
# Environment: PLACER (default _build/app/placer-cli), THREADS (Placer's, default 2),
# PEERS (default: placer postgis postgis_naive geopandas sqlite qgis grass).
# Output: bench/out/SET/{runs.tsv,results.tsv,*.log,*.gpkg}.  See bench/README.md.
set -euo pipefail

SET=${1:-S}
case $SET in S|L|R) ;; *) echo "usage: $0 S|L|R" >&2; exit 2 ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
OUT=$HERE/out/$SET
PLACER=${PLACER:-$ROOT/_build/app/placer-cli}
THREADS=${THREADS:-2}
# With the raster (set R) the peers subtract some 280,000 pixel polygons: only PostGIS
# finishes in minutes (geopandas had not after 15), the others are left out unless asked for.
if [[ $SET == R ]]; then DEFAULT_PEERS="postgis"
else DEFAULT_PEERS="postgis postgis_naive geopandas sqlite qgis grass"; fi
PEERS=" placer ${PEERS:-$DEFAULT_PEERS} "
PY=/usr/bin/python3            # Debian's python, which has python3-gdal and geopandas
TIME=/usr/bin/time             # GNU time: %e wall seconds, %M peak RSS in KB
PGBIN=/usr/lib/postgresql/15/bin

# want PEER: asked for, and its tool is installed (else say so and skip it).
want() {
  [[ $PEERS == *" $1 "* ]] || return 1
  local tool
  case $1 in
    postgis*) tool=$PGBIN/postgres ;;
    geopandas) $PY -c 'import geopandas' 2>/dev/null && return 0; tool=python3-geopandas ;;
    sqlite) tool=ogr2ogr ;;
    qgis) tool=qgis_process.bin ;;
    grass) tool=grass ;;
    *) return 0 ;;
  esac
  command -v "$tool" > /dev/null && return 0
  echo "skipping $1: $tool is not installed (see bench/README.md)" >&2
  return 1
}
note() { printf '\n== %s\n' "$*"; }

[[ -x $PLACER ]] || { echo "no $PLACER: build with 'ninja -C $ROOT/_build'" >&2; exit 2; }
[[ -x $TIME ]] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }

# ---------------------------------------------------------------------------------------
# runs.tsv: name, seconds, peak KB, exit code, kind, output file, output layer, note.
mkdir -p "$OUT"
RUNS=$OUT/runs.tsv
: > "$RUNS"
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$RUNS"; }

# timed NAME CMD...: runs CMD under GNU time, its stdout to OUT/NAME.log and its stderr to
# OUT/NAME.err; sets SECS, KB, RC.
timed() {
  local name=$1; shift
  RC=0
  "$TIME" -f '%e %M' -o "$OUT/$name.time" "$@" > "$OUT/$name.log" 2> "$OUT/$name.err" || RC=$?
  read -r SECS KB < <(tail -n 1 "$OUT/$name.time")
  [[ $SECS =~ ^[0-9.]+$ ]] || { SECS=''; KB=''; }   # killed by a signal: no figures
  printf '  %-28s %8s s %8s KB  rc=%s\n' "$name" "$SECS" "$KB" "$RC"
}

# ---------------------------------------------------------------------------------------
# Data: generated once per set (seeded, so the same on every machine).
PREP_SECS=0    # time every peer spends before its own step (set R: polygonizing)
if [[ $SET == R ]]; then
  # S's deposits; land use is a classified land-cover raster where built-up (50) and open
  # water (80) are excluded with no buffer, nothing else counts.
  [[ -f $HERE/out/S/deposits.gpkg ]] || $PY "$HERE/gen.py" S --out "$HERE/out/S"
  [[ -f $OUT/landcover.tif ]] || { note "generating the land-cover raster"; $PY "$HERE/gen.py" --raster-only --out "$OUT"; }
  [[ -f $OUT/deposits.gpkg ]] || ogr2ogr -f GPKG "$OUT/deposits.gpkg" "$HERE/out/S/deposits.gpkg" deposits
  printf 'class,rule,buffer_m,note\nurban,excluded,0,benchmark\nwater,excluded,0,benchmark\n' > "$OUT/rules.csv"
  # Placer reads the raster through a project layer, whose mapping names the excluded
  # classes; adding it builds the raster's overviews, timed as Placer's import.
  note "Placer project (import of the raster, timed apart)"
  rm -f "$OUT/placer-project.gpkg"
  "$PLACER" project new "$OUT/placer-project.gpkg" --crs EPSG:32735 --as-of 2026-01-01 > /dev/null
  "$PLACER" project add-layer "$OUT/placer-project.gpkg" "$OUT/deposits.gpkg" --role deposits --link > /dev/null
  rm -f "$OUT"/landcover.tif.ovr
  timed placer_import "$PLACER" project add-layer "$OUT/placer-project.gpkg" "$OUT/landcover.tif" \
    --role landuse --map 'class:50=urban' --map 'class:80=water' --link
  record placer_import "$SECS" "$KB" "$RC" part '' '' 'project add-layer of the raster, overviews included'
  # The peers need the excluded cells as polygons: crop to the deposits' box, a 0/1 mask,
  # gdal_polygonize. Timed, and added to each peer's time.
  note "polygonize the excluded land cover (for the peers)"
  rm -f "$OUT/constraints.gpkg" "$OUT/peers.gpkg" "$OUT"/crop.tif "$OUT"/mask.tif
  read -r XMIN XMAX YMIN YMAX < <(ogrinfo -so -al "$OUT/deposits.gpkg" | sed -n 's/^Extent: (\([-0-9.]*\), \([-0-9.]*\)) - (\([-0-9.]*\), \([-0-9.]*\))/\1 \3 \2 \4/p')
  timed polygonize bash -c "
    gdal_translate -q -projwin $XMIN $YMAX $XMAX $YMIN -co TILED=YES '$OUT/landcover.tif' '$OUT/crop.tif' &&
    gdal_calc.py --quiet -A '$OUT/crop.tif' --outfile='$OUT/mask.tif' --calc='(A==50)|(A==80)' \
      --type=Byte --NoDataValue=0 --co TILED=YES &&
    gdal_polygonize.py -q '$OUT/mask.tif' -mask '$OUT/mask.tif' -f GPKG '$OUT/constraints.gpkg' constraints"
  record polygonize "$SECS" "$KB" "$RC" part '' '' 'gdal_translate crop + gdal_calc mask + gdal_polygonize (in every peer time)'
  [[ $RC == 0 ]] || { echo "polygonizing failed, see $OUT/polygonize.err" >&2; exit 1; }
  PREP_SECS=$SECS
elif ! [[ -f $OUT/deposits.gpkg && -f $OUT/concessions.gpkg && -f $OUT/landuse.gpkg &&
          -f $OUT/constraints.gpkg ]]; then
  note "generating set $SET"
  $PY "$HERE/gen.py" "$SET" --out "$OUT"
fi
# A peer's time with the preparation every peer needs (set R), and the note saying so.
with_prep() { [[ $PREP_SECS == 0 || -z $SECS ]] || SECS=$(echo "$SECS + $PREP_SECS" | bc); }
prep_note() { [[ $PREP_SECS == 0 ]] || printf '; + %s s polygonizing' "$PREP_SECS"; }
# The peers read deposits and constraints from one GeoPackage (the SQLite dialect can only
# join layers of one data source).  Copying is not timed.
PEERS_GPKG=$OUT/peers.gpkg
if ! [[ -f $PEERS_GPKG ]]; then
  ogr2ogr -f GPKG "$PEERS_GPKG" "$OUT/deposits.gpkg" deposits
  ogr2ogr -update -f GPKG "$PEERS_GPKG" "$OUT/constraints.gpkg" constraints
fi
# Warm the page cache so that no tool pays for the first read of the inputs.
cat "$OUT"/*.gpkg > /dev/null


# ---------------------------------------------------------------------------------------
note "Placer ($PLACER, $THREADS threads)"
rm -f "$OUT/placer.gpkg"
if [[ $SET == R ]]; then
  INPUTS=("$OUT/placer-project.gpkg" --rules "$OUT/rules.csv")
else
  INPUTS=(--deposits "$OUT/deposits.gpkg" --concessions "$OUT/concessions.gpkg"
          --landuse "$OUT/landuse.gpkg" --as-of 2026-01-01)
fi
SCOPE=(--minerals gold,cassiterite,coltan,wolframite,copper,cobalt
       --confidence known,probable,possible)
timed placer "$PLACER" unallocated "${INPUTS[@]}" "${SCOPE[@]}" --threads "$THREADS" \
  --json --out "$OUT/placer.gpkg" --overwrite
cp "$OUT/placer.log" "$OUT/placer.json"    # --json: stdout is one JSON object
record placer "$SECS" "$KB" "$RC" main "$OUT/placer.gpkg" candidate_land \
  "$THREADS threads; file in, file out"
[[ $RC == 0 ]] || { echo "Placer failed, see $OUT/placer.err" >&2; exit 1; }
if [[ $THREADS != 1 ]]; then   # for context: how much the second thread buys
  timed placer_1thread "$PLACER" unallocated "${INPUTS[@]}" "${SCOPE[@]}" --threads 1 --json
  record placer_1thread "$SECS" "$KB" "$RC" info '' '' 'the same with --threads 1, no --out'
fi

# ---------------------------------------------------------------------------------------
# PostGIS: a throwaway PostgreSQL 15 cluster in a temp dir, reachable only through a unix
# socket in that dir (listen_addresses=''), so it cannot clash with another server.
# Durability is off (fsync, full_page_writes): the cluster is thrown away anyway, and a
# DBA tuning for this job would do the same.  JIT is off: PostGIS functions gain nothing
# from it and its compile time would only be counted against PostGIS.
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

# The SQL runs in the server, so GNU time on psql would only see psql.  The backend reads
# its own peak RSS (VmHWM) from /proc at the end of the same session (superuser may
# pg_read_file); that figure is reported.  Parallel workers would escape it, so run.sh
# checks the plan and says so if PostgreSQL chose one.
pg_query() {   # pg_query NAME SQLFILE
  local name=$1 sql=$2
  cat > "$OUT/$name.run.sql" <<EOF
\\i $sql
SELECT 'VmHWM', (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\\s+(\\d+)'))[1];
EOF
  timed "$name" psql -X -q -v ON_ERROR_STOP=1 -v tbl="$name" -At -F ' ' \
    -h "$PGTMP" -p "$PGPORT" -U postgres -d bench -f "$OUT/$name.run.sql"
  if [[ $RC == 0 ]]; then
    KB=$(awk '$1 == "VmHWM" { print $2 }' "$OUT/$name.log")
    ogr2ogr -f GPKG "$OUT/$name.gpkg" PG:"$PGCONN" -overwrite -nln unallocated \
      -nlt MULTIPOLYGON -sql "SELECT dep_id, geom FROM $name WHERE NOT ST_IsEmpty(geom)"
  fi
}

if want postgis || want postgis_naive; then
  note "PostGIS (throwaway PostgreSQL 15 cluster)"
  pg_start
  # Loading: ogr2ogr with its default GiST index, then ANALYZE; timed apart.
  timed postgis_load bash -c "
    for l in deposits constraints; do
      ogr2ogr -f PostgreSQL PG:'$PGCONN' '$PEERS_GPKG' \$l -nln \$l -lco GEOMETRY_NAME=geom \
        -nlt MULTIPOLYGON -lco SPATIAL_INDEX=GIST || exit 1
    done
    psql -X -q -h '$PGTMP' -p $PGPORT -U postgres -d bench -c 'ANALYZE deposits' -c 'ANALYZE constraints'"
  record postgis_load "$SECS" "$KB" "$RC" part '' '' 'ogr2ogr GPKG -> PostGIS + ANALYZE (not in the SQL times)'
  psql_ -c 'SELECT postgis_full_version()' -At > "$OUT/postgis_version.txt"
  psql_ -At -c "EXPLAIN $(sed -n '/^CREATE TABLE/,$p' "$HERE/peers/pg_difference.sql" |
                          sed 's/:tbl/x_plan/')" > "$OUT/postgis_plan.txt"
  par=''
  grep -q 'Gather' "$OUT/postgis_plan.txt" && par=' (plan is parallel: workers not in peak)'
  if want postgis; then
    pg_query postgis "$HERE/peers/pg_difference.sql"
    with_prep
    record postgis "$SECS" "$KB" "$RC" main "$OUT/postgis.gpkg" unallocated \
      "ST_ClipByBox2D inside the union; SQL only; peak = backend VmHWM$par$(prep_note)"
  fi
  if want postgis_naive; then
    pg_query postgis_naive "$HERE/peers/pg_difference_naive.sql"
    with_prep
    record postgis_naive "$SECS" "$KB" "$RC" info "$OUT/postgis_naive.gpkg" unallocated \
      "plain ST_Union (context); SQL only; peak = backend VmHWM$par"
  fi
  pg_stop
fi

# ---------------------------------------------------------------------------------------
if want geopandas; then
  note "geopandas overlay(how='difference')"
  rm -f "$OUT/geopandas.gpkg"
  timed geopandas $PY "$HERE/peers/gpd_difference.py" "$PEERS_GPKG" "$OUT/geopandas.gpkg"
  with_prep
  record geopandas "$SECS" "$KB" "$RC" main "$OUT/geopandas.gpkg" unallocated \
    "$(tail -n 1 "$OUT/geopandas.log" | cut -d';' -f1)$(prep_note)"
fi

# ---------------------------------------------------------------------------------------
if want sqlite; then
  note "ogr2ogr -dialect SQLite (SpatiaLite)"
  rm -f "$OUT/sqlite.gpkg"
  timed sqlite ogr2ogr -f GPKG "$OUT/sqlite.gpkg" "$PEERS_GPKG" -dialect SQLite \
    -sql @"$HERE/peers/sqlite_difference.sql" -nln unallocated -nlt MULTIPOLYGON
  with_prep
  record sqlite "$SECS" "$KB" "$RC" main "$OUT/sqlite.gpkg" unallocated \
    'MATERIALIZED CTE + CastToMultiPolygon; file in, file out'
fi

# ---------------------------------------------------------------------------------------
if want qgis; then
  note "QGIS native:difference"
  rm -f "$OUT/qgis.gpkg"
  # Debian 12's qgis_process wrapper adds --noversioncheck, which QGIS 3.22 rejects.
  export QT_QPA_PLATFORM=offscreen
  export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d /tmp/placer-bench-xdg.XXXXXX)}
  chmod 700 "$XDG_RUNTIME_DIR"
  # QGIS start-up alone is several seconds: time it on a one-feature subset, for context.
  rm -f "$OUT/qgis_startup.gpkg"
  timed qgis_startup qgis_process.bin run native:difference \
    --INPUT="$PEERS_GPKG|layername=deposits|subset=fid = 1" \
    --OVERLAY="$PEERS_GPKG|layername=constraints|subset=fid = 1" --OUTPUT="$OUT/qgis_startup.gpkg"
  record qgis_startup "$SECS" "$KB" "$RC" part '' '' 'the same on 1 deposit and 1 constraint: start-up cost'
  timed qgis qgis_process.bin run native:difference \
    --INPUT="$PEERS_GPKG|layername=deposits" --OVERLAY="$PEERS_GPKG|layername=constraints" \
    --OUTPUT="$OUT/qgis.gpkg"
  with_prep
  record qgis "$SECS" "$KB" "$RC" main "$OUT/qgis.gpkg" '' \
    'qgis_process.bin, includes QGIS start-up; file in, file out'
fi

# ---------------------------------------------------------------------------------------
if want grass; then
  note "GRASS v.overlay operator=not (steps timed one by one)"
  rm -f "$OUT"/grass_*.time "$OUT/grass.gpkg" "$OUT/grass_steps.log"
  timed grass_session grass --tmp-location EPSG:32735 --exec \
    bash "$HERE/peers/grass_difference.sh" "$PEERS_GPKG" "$OUT"
  total=0 peak=0 rc=$RC
  for s in import_deposits import_constraints overlay export; do
    if [[ -f $OUT/grass_$s.time ]] && read -r SECS KB < <(tail -n 1 "$OUT/grass_$s.time") &&
       [[ $SECS =~ ^[0-9.]+$ ]]; then
      record "grass_$s" "$SECS" "$KB" 0 part '' '' ''
      total=$(echo "$total + $SECS" | bc); (( KB > peak )) && peak=$KB
    else
      rc=1
    fi
  done
  SECS=$total; with_prep; total=$SECS
  record grass "$total" "$peak" "$rc" main "$OUT/grass.gpkg" unallocated \
    "import + overlay + export (session start-up excluded); planar total $(cat "$OUT/grass_planar_m2.txt" 2>/dev/null) m2"
fi

# ---------------------------------------------------------------------------------------
note "versions"
{
  echo "placer: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '+dirty')"
  echo "GEOS (OGR): $($PY -c 'from osgeo import gdal; print(gdal.VersionInfo("--version"))')"
  [[ -f $OUT/postgis_version.txt ]] && echo "PostGIS: $(cat "$OUT/postgis_version.txt")"
  want geopandas && $PY -c 'import geopandas, shapely; print("geopandas", geopandas.__version__, "shapely", shapely.__version__)'
  want qgis && echo "QGIS: $(dpkg-query -W -f '${Version}' qgis 2>/dev/null)"
  want grass && echo "GRASS: $(dpkg-query -W -f '${Version}' grass-core 2>/dev/null)"
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/versions.txt"

note "results (set $SET)"
if [[ $SET == R ]]; then
  REPORT_UNION=0 $PY "$HERE/report.py" "$OUT" "$PLACER"
else
  $PY "$HERE/report.py" "$OUT" "$PLACER"
fi
