#!/bin/bash
# Checks the desktop integration data in data/desktop/: desktop entry,
# AppStream metainfo, GSettings schema and application icons.
#
# Usage: tests/check-desktop-data.sh SOURCE_ROOT [BUILD_ROOT]
# Output: TAP. Exit status: 0 when every check passes, 1 otherwise.
#
# Tools (Debian 12 packages): desktop-file-validate (desktop-file-utils),
# appstreamcli (appstream), glib-compile-schemas (libglib2.0-bin),
# xmllint (libxml2-utils).

set -u

srcdir=${1:-$(dirname "$0")/..}
# BUILD_ROOT ($2) is accepted for meson's benefit; nothing is built here.

app_id=io.github.placer.Placer
app_path=/io/github/placer/Placer/
datadir=$srcdir/data/desktop
desktop_in=$datadir/$app_id.desktop.in
metainfo_in=$datadir/$app_id.metainfo.xml.in
gschema=$datadir/$app_id.gschema.xml
icon=$datadir/icons/hicolor/scalable/apps/$app_id.svg
symbolic=$datadir/icons/hicolor/symbolic/apps/$app_id-symbolic.svg

planned=17
n=0
failed=0

echo "1..$planned"

pass() {
    n=$((n + 1))
    echo "ok $n - $1"
}

fail() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
}

# Prints its standard input as TAP diagnostics.
diag() {
    sed 's/^/# /'
}

# have TOOL: true if TOOL is on PATH.
have() {
    command -v "$1" >/dev/null 2>&1
}

# package_of TOOL: the Debian package that ships TOOL.
package_of() {
    case $1 in
        desktop-file-validate) echo desktop-file-utils ;;
        appstreamcli) echo appstream ;;
        glib-compile-schemas) echo libglib2.0-bin ;;
        xmllint) echo libxml2-utils ;;
        *) echo "$1" ;;
    esac
}

# check_ready DESCRIPTION TOOL FILE...: reports "not ok" and returns 1 if
# TOOL is missing or one of the FILEs does not exist.
check_ready() {
    local what=$1 tool=$2 f
    shift 2
    if ! have "$tool"; then
        fail "$what: tool $tool missing (install package $(package_of "$tool"))"
        return 1
    fi
    for f in "$@"; do
        if [ ! -f "$f" ]; then
            fail "$what: file ${f#"$srcdir"/} missing"
            return 1
        fi
    done
    return 0
}

# xpath FILE EXPR: the string value of EXPR in FILE (namespace-free XML).
xpath() {
    xmllint --xpath "$2" "$1" 2>/dev/null
}

# expect_equal DESCRIPTION ACTUAL EXPECTED
expect_equal() {
    if [ "$2" = "$3" ]; then
        pass "$1"
    else
        fail "$1"
        echo "expected: '$3'" | diag
        echo "found:    '$2'" | diag
    fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/placer-desktop-data.XXXXXX") || {
    echo "Bail out! cannot create a temporary directory"
    exit 1
}
trap 'rm -rf "$tmp"' EXIT

# --- validators -------------------------------------------------------------

what="desktop entry passes desktop-file-validate"
if check_ready "$what" desktop-file-validate "$desktop_in"; then
    cp "$desktop_in" "$tmp/$app_id.desktop"
    out=$(desktop-file-validate "$tmp/$app_id.desktop" 2>&1)
    rc=$?
    if [ $rc -eq 0 ] && ! grep -qE '(error|warning):' <<<"$out"; then
        pass "$what"
    else
        fail "$what"
    fi
    [ -n "$out" ] && diag <<<"$out"
fi

what="metainfo passes appstreamcli validate --no-net"
if check_ready "$what" appstreamcli "$metainfo_in"; then
    cp "$metainfo_in" "$tmp/$app_id.metainfo.xml"
    out=$(cd "$tmp" && appstreamcli validate --no-net "$app_id.metainfo.xml" 2>&1)
    rc=$?
    if [ $rc -eq 0 ] && ! grep -qE '^[EW]:' <<<"$out"; then
        pass "$what"
    else
        fail "$what"
        diag <<<"$out"
    fi
fi

what="GSettings schema passes glib-compile-schemas --strict --dry-run"
if check_ready "$what" glib-compile-schemas "$gschema"; then
    if out=$(glib-compile-schemas --strict --dry-run "$datadir" 2>&1); then
        pass "$what"
    else
        fail "$what"
    fi
    [ -n "$out" ] && diag <<<"$out"
fi

# --- one application ID everywhere ------------------------------------------

what="desktop entry Icon= is $app_id"
if check_ready "$what" grep "$desktop_in"; then
    expect_equal "$what" "$(sed -n 's/^Icon=//p' "$desktop_in")" "$app_id"
fi

what="metainfo <id> is $app_id"
if check_ready "$what" xmllint "$metainfo_in"; then
    expect_equal "$what" "$(xpath "$metainfo_in" 'string(/component/id)')" "$app_id"
fi

what="metainfo <launchable type=\"desktop-id\"> is $app_id.desktop"
if check_ready "$what" xmllint "$metainfo_in"; then
    expect_equal "$what" \
        "$(xpath "$metainfo_in" 'string(/component/launchable[@type="desktop-id"])')" \
        "$app_id.desktop"
fi

what="GSettings schema id is $app_id"
if check_ready "$what" xmllint "$gschema"; then
    expect_equal "$what" "$(xpath "$gschema" 'string(/schemalist/schema/@id)')" "$app_id"
fi

what="GSettings schema path is $app_path"
if check_ready "$what" xmllint "$gschema"; then
    expect_equal "$what" "$(xpath "$gschema" 'string(/schemalist/schema/@path)')" "$app_path"
fi

what="every GSettings key has a summary and a description"
if check_ready "$what" xmllint "$gschema"; then
    bare=$(xpath "$gschema" '//key[not(normalize-space(summary)) or not(normalize-space(description))]/@name' |
        sed 's/ *name="\([^"]*\)"/\1 /g')
    if [ -z "$bare" ]; then
        pass "$what"
    else
        fail "$what"
        echo "keys without summary or description: $bare" | diag
    fi
fi

what="scalable icon is named $app_id.svg"
if [ -f "$icon" ]; then
    pass "$what"
else
    fail "$what"
    echo "missing: ${icon#"$srcdir"/}" | diag
fi

what="symbolic icon is named $app_id-symbolic.svg"
if [ -f "$symbolic" ]; then
    pass "$what"
else
    fail "$what"
    echo "missing: ${symbolic#"$srcdir"/}" | diag
fi

# --- icons --------------------------------------------------------------------

what="scalable icon is well-formed XML"
if check_ready "$what" xmllint "$icon"; then
    if out=$(xmllint --noout "$icon" 2>&1); then pass "$what"; else fail "$what"; diag <<<"$out"; fi
fi

what="symbolic icon is well-formed XML"
if check_ready "$what" xmllint "$symbolic"; then
    if out=$(xmllint --noout "$symbolic" 2>&1); then pass "$what"; else fail "$what"; diag <<<"$out"; fi
fi

svg_viewbox='string(/*[local-name()="svg"]/@viewBox)'

what="scalable icon has a 128x128 viewBox"
if check_ready "$what" xmllint "$icon"; then
    vb=$(xpath "$icon" "$svg_viewbox" | tr -s ', ' '  ')
    expect_equal "$what" "$vb" "0 0 128 128"
fi

what="symbolic icon has a 16x16 viewBox"
if check_ready "$what" xmllint "$symbolic"; then
    vb=$(xpath "$symbolic" "$svg_viewbox" | tr -s ', ' '  ')
    expect_equal "$what" "$vb" "0 0 16 16"
fi

what="symbolic icon is drawn in #241f31 only"
if check_ready "$what" grep "$symbolic"; then
    others=$(grep -oiE '#[0-9a-f]{3}([0-9a-f]{3})?\b' "$symbolic" | tr 'A-F' 'a-f' | grep -vx '#241f31' | sort -u)
    if [ -z "$others" ]; then
        pass "$what"
    else
        fail "$what"
        echo "other colours: $(echo $others)" | diag
    fi
fi

what="icons embed no bitmaps and no editor metadata"
if check_ready "$what" grep "$icon" "$symbolic"; then
    found=$(grep -nE '<image|data:image|sodipodi|inkscape:|<metadata' "$icon" "$symbolic")
    if [ -z "$found" ]; then
        pass "$what"
    else
        fail "$what"
        diag <<<"$found"
    fi
fi

# --- summary --------------------------------------------------------------------

if [ "$n" -ne "$planned" ]; then
    echo "# ran $n checks, planned $planned"
    exit 1
fi
echo "# $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
