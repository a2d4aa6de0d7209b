#!/usr/bin/env bash
# Map rendering, Placer's renderer against Mapnik and QGIS, on the same data, in one run.
#
#   bench/render/run.sh small|full
#   PEERS="mapnik" bench/render/run.sh small     a subset of the peers (Placer always runs
#                                                 when its binary exists: it is the reference)
#
# Environment: PLACER_BENCH (default _build/bench/bench-render, relative to the repository
# root), REPEAT (renders per frame, default 3), PEERS (default: mapnik qgis).
# Output: bench/out/render/SET/{results.tsv,report.tsv,steps.tsv,*.log,*.err,*.time,png/}.
# See bench/render/README.md.
set -euo pipefail

SET=${1:-small}
case $SET in small|full) ;; *) echo "usage: $0 small|full" >&2; exit 2 ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$(dirname "$HERE")")
OUT=$ROOT/bench/out/render/$SET
PNG=$OUT/png
PLACER=${PLACER_BENCH:-_build/bench/bench-render}
[[ $PLACER == /* ]] || PLACER=$ROOT/$PLACER
REPEAT=${REPEAT:-3}
PEERS=" ${PEERS:-mapnik qgis} "
PY=/usr/bin/python3            # Debian's python: python3-gdal, python3-mapnik, python3-qgis
TIME=/usr/bin/time             # GNU time: %e wall seconds, %M peak RSS in KB
SIZE=1920x1080

[[ -x $TIME ]] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
note() { printf '\n== %s\n' "$*"; }

# ---------------------------------------------------------------------------------------
# Data: generated once per set (seeded); gen.py skips files that exist with the right size.
mkdir -p "$OUT" "$PNG"
note "data ($SET)"
$PY "$HERE/gen.py" "$OUT" $([[ $SET == small ]] && echo --small) | tee "$OUT/gen.log"
PARCELS=$OUT/parcels.gpkg
RASTER=$OUT/lc_big.tif
du -sh "$PARCELS" "$RASTER"
# Warm the page cache so that no tool pays for the first read of the files ("cold" below
# means the first render after a tool opened the layer, not a cold disk).
cat "$PARCELS" "$RASTER" > /dev/null

# ---------------------------------------------------------------------------------------
RESULTS=$OUT/results.tsv
STEPS=$OUT/steps.tsv
printf 'tool\tcase\textent\tcold_ms\tbest_ms\tcached_ms\n' > "$RESULTS"
printf 'step\tseconds\tpeak_kb\trc\n' > "$STEPS"
rm -f "$PNG"/*.png "$OUT"/placer_*.log

# step NAME CMD...: runs CMD under GNU time, stdout to OUT/NAME.log, stderr to OUT/NAME.err;
# appends the result lines (tab-separated, 6 fields, known tool) to results.tsv.
step() {
  local name=$1; shift
  local rc=0 secs kb
  "$TIME" -f '%e %M' -o "$OUT/$name.time" "$@" > "$OUT/$name.log" 2> "$OUT/$name.err" || rc=$?
  read -r secs kb < <(tail -n 1 "$OUT/$name.time") || true
  [[ ${secs:-} =~ ^[0-9.]+$ ]] || { secs=''; kb=''; }   # killed by a signal: no figures
  printf '%s\t%s\t%s\t%s\n' "$name" "$secs" "$kb" "$rc" >> "$STEPS"
  awk -F'\t' 'NF == 6 && $1 ~ /^(placer|mapnik|qgis_sequential|qgis_parallel)$/' \
    "$OUT/$name.log" >> "$RESULTS"
  printf '  %-26s %8s s %8s KB  rc=%s\n' "$name" "$secs" "$kb" "$rc"
  [[ $rc == 0 ]] || echo "  $name failed (rc=$rc): see $OUT/$name.err" >&2
  return 0
}

# ---------------------------------------------------------------------------------------
note "Placer ($PLACER)"
if [[ -x $PLACER ]]; then
  for case in parcels raster; do
    if [[ $case == parcels ]]; then input=(--vector "$PARCELS" --layer parcels)
    else input=(--raster "$RASTER"); fi
    for extent in full zoom16; do
      step "placer_${case}_$extent" "$PLACER" "${input[@]}" --size $SIZE --extent $extent \
        --repeat "$REPEAT" --png "$PNG/placer_${case}_$extent.png"
    done
    # Panning frame times, in a run of their own (not part of results.tsv).
    for extent in full zoom16; do
      rc=0
      "$PLACER" "${input[@]}" --size $SIZE --extent $extent --repeat "$REPEAT" \
        --png "$PNG/frames_${case}_$extent.png" --frame-times \
        > "$OUT/placer_frames_${case}_$extent.log" 2>&1 || rc=$?
      echo "  placer --frame-times $case $extent: rc=$rc, $OUT/placer_frames_${case}_$extent.log"
    done
  done
else
  echo "skipping Placer: $PLACER does not exist yet (build it: ninja -C $ROOT/_build)."
  echo "The peers still run; their images are then checked against each other, not Placer."
fi

# ---------------------------------------------------------------------------------------
if [[ $PEERS == *" mapnik "* ]]; then
  note "Mapnik"
  if $PY -c 'import mapnik' 2> /dev/null; then
    step mapnik $PY "$HERE/peer_mapnik.py" --parcels "$PARCELS" --raster "$RASTER" \
      --out "$PNG" --repeat "$REPEAT"
  else
    echo "skipping Mapnik: apt-get install -y python3-mapnik"
  fi
fi

if [[ $PEERS == *" qgis "* ]]; then
  note "QGIS"
  if $PY -c 'import qgis.core' 2> /dev/null; then
    export QT_QPA_PLATFORM=offscreen
    export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d /tmp/placer-bench-xdg.XXXXXX)}
    chmod 700 "$XDG_RUNTIME_DIR"
    step qgis $PY "$HERE/peer_qgis.py" --parcels "$PARCELS" --raster "$RASTER" \
      --out "$PNG" --repeat "$REPEAT"
  else
    echo "skipping QGIS: apt-get install -y qgis python3-qgis"
  fi
fi

# ---------------------------------------------------------------------------------------
note "versions"
{
  echo "placer: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '+dirty'); binary: $([[ -x $PLACER ]] && echo "$PLACER" || echo 'not built')"
  echo "GDAL: $($PY -c 'from osgeo import gdal; print(gdal.__version__)')"
  echo "Mapnik: $(dpkg-query -W -f '${Version}' libmapnik3.1 2>/dev/null || echo 'not installed')"
  echo "QGIS: $(dpkg-query -W -f '${Version}' qgis-providers 2>/dev/null || echo 'not installed')"
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ { print $2 }') GiB; load now: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/versions.txt"

note "results (set $SET)"
$PY "$HERE/report.py" "$OUT"
