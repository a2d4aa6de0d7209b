#!/usr/bin/env bash
# Regenerates tests/oracles/compare.csv: the geodesic areas behind the shared-area comparison
# tests (tests/test-zones-compare.c), from Planimeter and GeodSolve (GeographicLib) alone.
# The polygons are the pieces the test's hand-made world is expected to produce: each
# country's part of the area, the titles, zones and unallocated land inside it. Their
# vertices are written here by hand, not read from Placer.
#
# Usage:  bash tests/oracles/make-compare-oracles.sh
# Needs:  geographiclib-tools (Debian 12). Deterministic: two runs give identical files.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/compare.csv"
P=10   # Planimeter/GeodSolve clamp -p to 10 in a double build

# label, then the ring as "lon lat" pairs (not closed)
polygons=(
  "area|29.05 -2.08|29.35 -2.08|29.35 -1.85|29.05 -1.85"
  "part_wst|29.05 -2.08|29.2 -2.08|29.2 -1.9|29.05 -1.9"
  "part_est|29.2 -2.08|29.35 -2.08|29.35 -1.9|29.2 -1.9"
  "t1_wst|29.15 -2.0|29.2 -2.0|29.2 -1.95|29.15 -1.95"
  "t1_est|29.2 -2.0|29.25 -2.0|29.25 -1.95|29.2 -1.95"
  "t2|29.06 -2.07|29.09 -2.07|29.09 -2.06|29.06 -2.06"
  "zone_a|29.11 -2.04|29.14 -2.04|29.14 -2.0|29.11 -2.0"
  "zone_b_in|29.33 -2.0|29.35 -2.0|29.35 -1.98|29.33 -1.98"
  "zone_c|29.26 -2.07|29.28 -2.07|29.28 -2.06|29.26 -2.06"
  "free_wst|29.1 -2.05|29.2 -2.05|29.2 -2.0|29.15 -2.0|29.15 -1.95|29.1 -1.95"
  "free_est|29.2 -2.05|29.3 -2.05|29.3 -1.95|29.25 -1.95|29.25 -2.0|29.2 -2.0"
  # The convex hull of sites s1 (29.12 -2.02), s2 (29.16 -1.96), s3 (29.08 -1.93) and
  # s6 (29.1 -1.87), and its part south of 1.9 S: the edges s3-s6 and s6-s2 cross the
  # parallel at 29.09 E (half-way) and 29.12 E (a third of the way).
  "hull|29.12 -2.02|29.16 -1.96|29.1 -1.87|29.08 -1.93"
  "hull_wst|29.12 -2.02|29.16 -1.96|29.12 -1.9|29.09 -1.9|29.08 -1.93"
)

{
  echo "label,value,tool,ring"
  for p in "${polygons[@]}"; do
    IFS='|' read -r label rest <<<"$p"
    IFS='|' read -r -a vertices <<<"$rest"
    # Planimeter reads latitude first; the ring's orientation only flips the sign.
    area=$(for v in "${vertices[@]}"; do set -- $v; echo "$2 $1"; done |
           Planimeter -p $P | awk '{ print $3 }')
    echo "$label,${area#-},Planimeter -p $P (m2),$(IFS=';'; echo "${vertices[*]}")"
  done
  # The common border of the two countries: the meridian 29.2 E from 2.1 S to 1.9 S.
  s12=$(echo "-2.1 29.2 -1.9 29.2" | GeodSolve -i -p $P | awk '{ print $3 }')
  echo "border_length,$s12,GeodSolve -i -p $P (m),29.2 -2.1;29.2 -1.9"
} >"$OUT"
cat "$OUT"
