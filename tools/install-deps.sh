#!/usr/bin/env bash
# Installs, from Debian 12's archive, what Placer needs to build and test. Installs only
# what is missing, so a second run is quick. Uses sudo when not run as root.
set -euo pipefail

packages=(
  # build
  meson ninja-build pkg-config gcc g++ python3
  libglib2.0-dev libjson-glib-dev libcairo2-dev libsqlite3-dev
  libgdal-dev libproj-dev libgeos-dev libpolyclipping-dev
  libgtk-4-dev libadwaita-1-dev
  # translations and desktop integration
  gettext desktop-file-utils appstream libglib2.0-bin libxml2-utils
  # tests: cmocka, the SQLite shell, and PostgreSQL + PostGIS + GDAL's tools for the oracles
  libcmocka-dev sqlite3 gdal-bin postgresql-15 postgresql-15-postgis-3
  # tests of the real app: a session bus, an X server, screenshots, fonts and icons
  dbus xvfb xauth imagemagick fonts-cantarell fonts-dejavu-core adwaita-icon-theme
  librsvg2-common
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "Installing: ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
