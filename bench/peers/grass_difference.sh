#!/bin/bash
# GRASS peer, run inside a throwaway location:
#   grass --tmp-location EPSG:32735 --exec bash grass_difference.sh PEERS.gpkg OUTDIR
# Each step is timed on its own (wall seconds and peak RSS into OUTDIR/grass_STEP.time),
# because GRASS spends much of its time importing (building topology), which the other
# peers do not have to do.
set -euo pipefail
src=$1 out=$2
step() {
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$out/grass_$name.time" "$@" --quiet >>"$out/grass_steps.log" 2>&1
}
step import_deposits    v.in.ogr input="$src" layer=deposits output=dep
step import_constraints v.in.ogr input="$src" layer=constraints output=con
step overlay            v.overlay ainput=dep binput=con operator=not output=res
step export             v.out.ogr input=res type=area output="$out/grass.gpkg" format=GPKG \
                                  output_layer=unallocated --overwrite
# GRASS's own planar total, summed per category (a deposit's pieces share its category).
v.to.db -p map=res option=area units=meters --quiet 2>/dev/null |
  awk -F'|' 'NR > 1 { s += $2 } END { printf "%.3f\n", s }' > "$out/grass_planar_m2.txt"
v.info -t map=res > "$out/grass_topology.txt"
