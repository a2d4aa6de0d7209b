#!/usr/bin/env bash
# Builds the demo project sample-data/kivu-demo.gpkg from the source layers in sources/,
# with placer-cli itself: each layer is added with its role and the field mapping Placer
# proposes (checked by the tests). Reproducible: fixed timestamps, same bytes each time.
#
# Usage: sample-data/build-demo.sh [PLACER_CLI] [OUTPUT]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cli=${1:-"$here/../_build/app/placer-cli"}
out=${2:-"$here/kivu-demo.gpkg"}
src="$here/sources"

export SOURCE_DATE_EPOCH=1767225600   # 2026-01-01T00:00:00Z
export OGR_CURRENT_DATE=2026-01-01T00:00:00.000Z

tmp="$out.tmp.gpkg"
rm -f "$tmp"
"$cli" project new "$tmp" --crs EPSG:4326 --country COD --as-of 2026-01-01 \
  --title "Eastern DRC border region (demo)"
add() { "$cli" project add-layer "$tmp" "$@" >/dev/null; }
add "$src/borders.gpkg" --layer countries --role borders --name countries
add "$src/borders.gpkg" --layer provinces --role borders --name provinces
add "$src/borders.gpkg" --layer lakes --role water --name lakes
add "$src/rivers.geojson" --role water --name rivers
add "$src/streams.geojson" --role water --name streams
add "$src/deposits.gpkg" --role deposits --name deposits
add "$src/cadastre.gpkg" --role concessions --name cadastre
add "$src/landuse.gpkg" --role landuse --name landuse
add "$src/landcover.tif" --role landuse --name landcover --link
add "$src/ipis_sites.csv" --role sites --name ipis_sites --crs EPSG:4326
# Three candidate zones around well-known artisanal areas, snapped to whole 30" carrés.
zone() { "$cli" zone add "$tmp" --snap "$@" >/dev/null; }
zone --name "Nyabibwe" --mineral cassiterite --deposit-type hard_rock \
  --wkt 'POLYGON ((28.905 -2.085, 28.955 -2.085, 28.955 -2.045, 28.905 -2.045, 28.905 -2.085))'
zone --name "Rubaya" --mineral coltan --deposit-type eluvial \
  --wkt 'POLYGON ((28.90 -1.59, 28.96 -1.59, 28.96 -1.54, 28.90 -1.54, 28.90 -1.59))'
zone --name "Kamituga" --mineral gold --deposit-type alluvial \
  --wkt 'POLYGON ((28.15 -3.09, 28.22 -3.09, 28.22 -3.03, 28.15 -3.03, 28.15 -3.09))'
# Only a finished project replaces the old one.
mv -f "$tmp" "$out"
"$cli" project info "$out"
