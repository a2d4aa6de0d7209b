#!/usr/bin/env bash
# The README's two commands:
#   tools/quickstart.sh demo   install what is missing, build, run Placer on the sample project
#   tools/quickstart.sh test   install what is missing, build, run the tests
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
what=${1:-demo}

tools/install-deps.sh
if [ ! -f _build/build.ninja ]; then
  meson setup _build --buildtype=debugoptimized
fi
ninja -C _build

case "$what" in
  demo)
    cli=_build/app/placer-cli
    echo
    echo "== The sample project: layers, roles and field mappings =="
    "$cli" project info sample-data/kivu-demo.gpkg
    echo
    echo "== Unallocated deposit land on the project's as-of date (guidance step 2.3.1) =="
    # Run on a copy so the bundled project stays as shipped; the run is recorded in the copy.
    rm -rf _build/demo && mkdir -p _build/demo/sources
    cp sample-data/kivu-demo.gpkg _build/demo/
    cp sample-data/sources/landcover.tif _build/demo/sources/
    "$cli" unallocated _build/demo/kivu-demo.gpkg --deposit-total --out _build/demo/unallocated.gpkg --overwrite
    echo
    echo "== A map of the project (the renderer the app draws with) =="
    "$cli" render _build/demo/kivu-demo.gpkg --out _build/demo/map.png --overwrite
    echo
    echo "Open the project in the desktop app:   _build/app/placer _build/demo/kivu-demo.gpkg"
    echo "The candidate land, in QGIS or Placer: _build/demo/unallocated.gpkg"
    ;;
  test)
    meson test -C _build --print-errorlogs "${@:2}"
    ;;
  *)
    echo "usage: tools/quickstart.sh demo|test" >&2
    exit 2
    ;;
esac
