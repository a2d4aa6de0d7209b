#!/usr/bin/env bash
# How long the app's UI thread is ever blocked while the map is drawn: the largest gap
# between two ticks of the window's frame clock, measured inside `placer` (win.frame-gap)
# while it is driven over D-Bus through zooms, pans, layer toggles and a zoom to the whole
# project. GTK draws a frame every 16.7 ms; a gap far above that is a stall the planner sees.
#
#   tests/ui/with-display.sh bench/ui-frames.sh PROJECT.gpkg [PLACER]
#
# PROJECT is opened as it is (use a copy: the app keeps its view in the project).
set -uo pipefail

PROJECT=$1
PLACER=${2:-_build/app/placer}
BUS=io.github.placer.Placer
WIN=/io/github/placer/Placer/window/1

state() {
  gdbus call --session --dest $BUS --object-path $WIN --method org.gtk.Actions.Describe "$1" \
    2>/dev/null | python3 -c '
import ast, re, sys
m = re.search(r"\[<(.*)>\]", sys.stdin.read(), re.S)
print(ast.literal_eval(m.group(1).replace("true", "True").replace("false", "False")) if m else "")'
}
act() {
  gdbus call --session --dest $BUS --object-path $WIN --method org.gtk.Actions.Activate \
    "$1" "${2:-[]}" '{}' >/dev/null
}
settle() {
  local deadline=$((SECONDS + 60))
  sleep 0.3
  while [ "$(state rendering)" != False ] && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
}

"$PLACER" "$PROJECT" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
deadline=$((SECONDS + 120))
until [[ $(state project) == *.gpkg ]] || [ $SECONDS -ge $deadline ]; do sleep 0.2; done
settle
layers=$(state visible-layers)
echo "project: $PROJECT"
echo "layers:  $layers"

act reset-frame-probe
t0=$(date +%s.%N)
for step in zoom-in zoom-in zoom-out zoom-in zoom-out zoom-out zoom-home; do
  act $step
  settle
done
first=$(python3 -c "import ast; print(ast.literal_eval('''$layers''')[0])")
act toggle-layer "[<'$first'>]"; settle
act toggle-layer "[<'$first'>]"; settle
act zoom-layer "[<'$first'>]"; settle
act zoom-home; settle
t1=$(date +%s.%N)
gap=$(state frame-gap)
echo "steps:   7 zooms, 2 toggles, zoom to a layer, whole project ($(python3 -c "print(round($t1 - $t0, 1))") s)"
echo "longest UI-thread stall (frame-clock gap): ${gap} ms"
