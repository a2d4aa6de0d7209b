#!/usr/bin/env bash
# Every catalogue in po/LINGUAS compiles cleanly and translates every message of the
# template; prints TAP.
set -uo pipefail
src=$1
n=0; failed=0
langs=$(grep -v '^#' "$src/po/LINGUAS")
echo "1..$(( $(echo "$langs" | wc -w) * 2 ))"
for l in $langs; do
  po=$src/po/$l.po
  n=$((n + 1))
  if stats=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1); then
    echo "ok $n - $l.po compiles ($stats)"
  else
    echo "not ok $n - $l.po does not compile"; echo "# $stats"; failed=1
  fi
  n=$((n + 1))
  missing=$( (msgattrib --untranslated "$po"; msgattrib --only-fuzzy "$po") | grep -c '^msgid "[^"]' )
  if [ "$missing" -eq 0 ]; then
    echo "ok $n - $l.po translates every message"
  else
    echo "not ok $n - $l.po leaves $missing messages untranslated or fuzzy"; failed=1
  fi
done
exit $failed
