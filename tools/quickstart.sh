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
    echo "== Geodesic area of the titles in the sample cadastre (first and last lines) =="
    "$cli" area sample-data/sources/cadastre.gpkg --label code > _build/demo-area.txt
    head -n 6 _build/demo-area.txt
    echo "  …"
    tail -n 2 _build/demo-area.txt
    ;;
  test)
    meson test -C _build --print-errorlogs "${@:2}"
    ;;
  *)
    echo "usage: tools/quickstart.sh demo|test" >&2
    exit 2
    ;;
esac
