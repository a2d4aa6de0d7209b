#!/usr/bin/env bash
# The real app, driven over D-Bus as the desktop would: start `placer` on a copy of the
# demo project, activate its exported actions (org.gtk.Actions), check what the window
# says it shows, and take a screenshot of the screen.
#
#   tests/ui/with-display.sh tests/ui/app-dbus.sh SOURCE_ROOT PLACER [SCREENSHOT]
#
# Prints TAP.
set -uo pipefail

SRC=$1
PLACER=$2
SHOT=${3:-}
BUS=io.github.placer.Placer
APP=/io/github/placer/Placer
WIN=$APP/window/1
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && echo "# $2"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1" "${3:-}"; fi; }

for tool in gdbus import python3; do
  if ! command -v $tool >/dev/null; then
    echo "1..0 # SKIP $tool is missing"
    exit 0
  fi
done

work=$(mktemp -d)
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  # The sources folder is a link into the source tree: remove the link, not what it points to.
  rm -f "$work/sources"
  rm -rf "$work"
}
trap cleanup EXIT
cp "$SRC/sample-data/kivu-demo.gpkg" "$work/demo.gpkg"
ln -s "$SRC/sample-data/sources" "$work/sources"

echo "1..10"
"$PLACER" "$work/demo.gpkg" >"$work/placer.log" 2>&1 &
pid=$!

# The state of a window action, as GVariant text.
# (gdbus prints "((true, '', [<STATE>]),)"; STATE is printed as the Python literal of the
# value, so Python reads it back: a string as itself, a list one item per line.)
state() {
  gdbus call --session --dest $BUS --object-path $WIN \
    --method org.gtk.Actions.Describe "$1" 2>/dev/null |
    python3 -c '
import ast, re, sys
m = re.search(r"\[<(.*)>\]", sys.stdin.read(), re.S)
if m:
    v = ast.literal_eval(m.group(1).replace("true", "True").replace("false", "False"))
    print("\n".join(v) if isinstance(v, list) else v)'
}
activate() {
  gdbus call --session --dest $BUS --object-path "$1" \
    --method org.gtk.Actions.Activate "$2" "$3" '{}' >/dev/null 2>&1
}
wait_for() {
  local deadline=$((SECONDS + ${2:-30}))
  while [ $SECONDS -lt $deadline ]; do
    eval "$1" && return 0
    sleep 0.2
  done
  return 1
}

check "placer owns $BUS on the session bus" \
  "wait_for 'gdbus call --session --dest $BUS --object-path $WIN --method org.gtk.Actions.List >/dev/null 2>&1' 30" \
  "$(tail -5 "$work/placer.log")"
check "the demo project opens" "wait_for '[[ \$(state project) == *demo.gpkg* ]]' 30" "project: $(state project)"
wait_for '[[ $(state view-extent) == *,*,*,* ]]' 20
check "all eleven layers are shown" "[ \$(state visible-layers | wc -l) -eq 11 ]" \
  "$(state visible-layers | tr '\n' ',')"

activate $WIN toggle-layer "[<'deposits'>]"
check "win.toggle-layer('deposits') hides the deposits" \
  "wait_for '[[ \$(state visible-layers) != *deposits* ]]' 10" "$(state visible-layers)"
activate $WIN toggle-layer "[<'deposits'>]"
check "toggled again, they show" "wait_for '[[ \$(state visible-layers) == *deposits* ]]' 10"

# The zone register's extent (ogrinfo -so): 28.150000–28.958333 E, 3.091667–1.541667 S.
activate $WIN zoom-layer "[<'ASM zones'>]"
zoomed() {
  python3 - "$(state view-extent)" <<'EOF'
import sys
v = [float(x) for x in sys.argv[1].split(",")]
inside = v[0] <= 28.15 and v[2] >= 28.958333 and v[1] <= -3.091667 and v[3] >= -1.541667
tight = (v[3] - v[1]) < 1.55 * 1.06 or (v[2] - v[0]) < 0.81 * 1.06
sys.exit(0 if inside and tight else 1)
EOF
}
check "win.zoom-layer('ASM zones') frames the three zones" "wait_for zoomed 10" \
  "view-extent: $(state view-extent)"

activate $APP about "[]"
check "app.about opens the about window" \
  "wait_for 'gdbus call --session --dest $BUS --object-path $APP --method org.gtk.Actions.List >/dev/null' 5"

# Wait for the frame, then look at the screen: the map is drawn (not a blank canvas).
wait_for '[[ $(state rendering) == False ]]' 20
sleep 1
activate $WIN close-inspector "[]"
if [ -n "$SHOT" ]; then
  import -window root "$SHOT" 2>/dev/null
  check "a screenshot was taken" "[ -s '$SHOT' ]"
  colours=$(convert "$SHOT" -crop 600x500+500+150 -format %k info: 2>/dev/null || echo 0)
  check "the map area is drawn in many colours ($colours)" "[ \"$colours\" -gt 200 ]"
else
  ok "# SKIP no screenshot asked for"
  ok "# SKIP no screenshot asked for"
fi

kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
# The project is intact after the app (integrity check of the SQLite file).
if command -v sqlite3 >/dev/null; then
  check "the project file is intact after the app (PRAGMA integrity_check)" \
    "[ \"\$(sqlite3 '$work/demo.gpkg' 'PRAGMA integrity_check')\" = ok ]"
else
  ok "# SKIP sqlite3 is missing"
fi
exit $((failed > 0))
