#!/bin/bash
# po-check.sh - po/meshub.pot is up to date: xgettext over the files of
# po/POTFILES.in finds exactly the messages it holds (line references aside),
# and every file listed exists. After changing a translatable string run
# 'make update-po'. Skips (77) without xgettext.
set -u
srcdir=${srcdir:-.}
command -v xgettext >/dev/null 2>&1 || { echo "SKIP: xgettext missing"; exit 77; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/meshub-po.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
cd "$srcdir" || exit 99
rc=0
while read -r f; do
	case $f in '' | \#*) continue ;; esac
	[ -f "$f" ] || { echo "FAIL: po/POTFILES.in lists $f, which does not exist"; rc=1; }
done <po/POTFILES.in
[ "$rc" = 0 ] || exit 1
# the flags of 'make update-po' (Makefile.am, po_xgettext_flags) that decide the messages
xgettext --from-code=UTF-8 --add-comments=TRANSLATORS --keyword=_ --keyword=N_ \
	--files-from=po/POTFILES.in -o "$TMP/new.pot" || { echo "FAIL: xgettext failed"; exit 1; }
# the messages after the header entry, without line references
messages() { awk 'body; /^$/ { body = 1 }' "$1" | grep -v '^#:'; }
if ! diff -u <(messages po/meshub.pot) <(messages "$TMP/new.pot") >"$TMP/diff"; then
	echo "FAIL: po/meshub.pot is out of date; run 'make update-po' and commit it:"
	cat "$TMP/diff"
	exit 1
fi
echo "PASS: po/meshub.pot has the $(grep -c '^msgid ' po/meshub.pot) messages of $(grep -cv -e '^#' -e '^$' po/POTFILES.in) files"
