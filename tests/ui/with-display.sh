#!/usr/bin/env bash
# Runs a command as a GUI test: its own session bus, its own X server (Xvfb), GTK's
# accessibility test backend, the cairo renderer and in-memory settings.
set -euo pipefail
for tool in dbus-run-session xvfb-run; do
  if ! command -v "$tool" >/dev/null; then
    echo "1..0 # SKIP $tool is missing (apt-get install dbus xvfb)"
    exit 0
  fi
done
export GSK_RENDERER=cairo GTK_A11Y=test GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1
exec dbus-run-session -- xvfb-run -a -s "-screen 0 1400x900x24 -nolisten tcp" "$@"
