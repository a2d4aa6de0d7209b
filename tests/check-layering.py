#!/usr/bin/env python3
"""Checks the house rules of STYLE.md on every C file, as TAP.

1. Arrows point down: app → ui → zones → gis. A file includes nothing from a layer above.
2. GDAL, PROJ, GEOS and Clipper headers appear only in gis/.
3. GTK and libadwaita appear only in ui/ and app/.
"""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
layers = ["gis", "zones", "ui", "app"]
rank = {name: i for i, name in enumerate(layers)}
foreign = re.compile(r'#\s*include\s*[<"](gdal[a-z_]*\.h|ogr_[a-z_]*\.h|cpl_[a-z_]*\.h|'
                     r'proj\.h|geodesic\.h|geos_c\.h|polyclipping/clipper\.hpp)[>"]')
gtk = re.compile(r'#\s*include\s*<(gtk/gtk\.h|adwaita\.h|gdk/gdk\.h)>')
local = re.compile(r'#\s*include\s*"([a-z]+)[-.]')

# The header prefix says which layer a local header belongs to.
prefix_layer = {"gis": "gis", "zones": "zones", "ui": "ui", "app": "app", "cli": "app"}

problems = []
checked = 0
for layer in layers:
    folder = os.path.join(root, layer)
    if not os.path.isdir(folder):
        continue
    for dirpath, _, files in os.walk(folder):
        for name in sorted(files):
            if not name.endswith((".c", ".h", ".cpp")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            checked += 1
            with open(path, encoding="utf-8") as f:
                for lineno, line in enumerate(f, 1):
                    if layer != "gis" and foreign.search(line):
                        problems.append(f"{rel}:{lineno}: GDAL/PROJ/GEOS header outside gis/: {line.strip()}")
                    if layer in ("gis", "zones") and gtk.search(line):
                        problems.append(f"{rel}:{lineno}: GTK below ui/: {line.strip()}")
                    m = local.search(line)
                    if m and m.group(1) in prefix_layer:
                        target = prefix_layer[m.group(1)]
                        if rank[target] > rank[layer]:
                            problems.append(f"{rel}:{lineno}: {layer}/ includes {target}/ (arrow points up): {line.strip()}")

print("1..2")
print(("ok" if checked > 0 else "not ok") + f" 1 - found {checked} C files in {', '.join(layers)}")
if problems:
    print("not ok 2 - layering")
    for p in problems:
        print("# " + p)
    sys.exit(1)
print("ok 2 - layering: arrows point down, foreign headers stay in gis/")
