#!/bin/sh
# Checks the translations against the sources as they are now. For every language in po/LINGUAS:
# its po file exists and `msgfmt --check` accepts it (format strings, plural forms, header); and,
# merged with a template extracted from the current sources, no message is untranslated or fuzzy.
# So a new or changed translatable string fails this test until the translations catch up
# (`ninja -C BUILDDIR unfreeze-update-po` merges the new strings in; then translate them).
# The template comes from check-potfiles.sh, so both use the same xgettext keywords.
# Run by `meson test` (suite 'data').
# Usage: check-translations.sh SOURCE_ROOT WORK_DIR MODE_FILE...
# (the mode files as check-potfiles.sh takes them)
set -eu

srcroot=$1
work=$2
shift 2
status=0

# msgfmt's statistics line is parsed below: keep it in English.
LC_ALL=C
LANGUAGE=
export LC_ALL LANGUAGE

mkdir -p "$work"
sh "$srcroot/build-aux/check-potfiles.sh" "$srcroot" "$work/unfreeze.pot" "$@" >/dev/null

# The number before $2 ("translated messages", "fuzzy translations", "untranslated messages")
# in msgfmt's statistics line $1, or 0 when it is not there.
count() {
  printf '%s\n' "$1" | sed -n "s/.*\\b\\([0-9][0-9]*\\) $2.*/\\1/p" | head -n 1 | grep . || echo 0
}

languages=$(sed -e 's/#.*//' "$srcroot/po/LINGUAS" | tr -s ' \t' '\n' | sed '/^$/d')

for po in "$srcroot"/po/*.po; do
  [ -e "$po" ] || continue
  lang=$(basename "$po" .po)
  if ! printf '%s\n' "$languages" | grep -qxF "$lang"; then
    echo "po/$lang.po exists but po/LINGUAS does not list $lang: it would be neither built nor installed" >&2
    status=1
  fi
done

if [ -z "$languages" ]; then
  echo "po/LINGUAS lists no languages: nothing to check"
  exit "$status"
fi

for lang in $languages; do
  po=$srcroot/po/$lang.po
  merged=$work/$lang.po

  if [ ! -f "$po" ]; then
    echo "po/LINGUAS lists $lang, but po/$lang.po does not exist" >&2
    status=1
    continue
  fi

  # The file as it is in the tree.
  if ! msgfmt --check --statistics --output-file=/dev/null "$po" 2>"$work/$lang.msgfmt"; then
    cat "$work/$lang.msgfmt" >&2
    echo "po/$lang.po: msgfmt --check failed" >&2
    status=1
    continue
  fi
  echo "po/$lang.po: $(tail -n 1 "$work/$lang.msgfmt")"

  # The same translation against the current sources.
  msgmerge --quiet --output-file="$merged" "$po" "$work/unfreeze.pot"
  if ! msgfmt --check --statistics --output-file=/dev/null "$merged" 2>"$work/$lang.msgfmt"; then
    cat "$work/$lang.msgfmt" >&2
    echo "po/$lang.po merged with the current sources: msgfmt --check failed" >&2
    status=1
    continue
  fi
  stats=$(tail -n 1 "$work/$lang.msgfmt")
  translated=$(count "$stats" 'translated message')
  fuzzy=$(count "$stats" 'fuzzy translation')
  untranslated=$(count "$stats" 'untranslated message')
  obsolete=$(msgattrib --only-obsolete "$merged" | grep -c '^#~ msgid ' || true)
  echo "$lang against the current sources: $translated translated, $fuzzy fuzzy," \
    "$untranslated untranslated; $obsolete no longer used"

  if [ "$translated" -eq 0 ]; then
    echo "po/$lang.po: no translated messages (is the template empty?)" >&2
    status=1
  fi
  if [ "$fuzzy" -ne 0 ] || [ "$untranslated" -ne 0 ]; then
    echo "po/$lang.po is not complete for the current sources; these messages need a translation:" >&2
    # Each message's msgid lines; the first block is the header, not a message.
    msgattrib --untranslated --no-obsolete --no-location --no-wrap "$merged" |
      sed -e '1,/^$/d' | grep -E '^(msgid|")' | sed 's/^/  untranslated: /' >&2 || true
    msgattrib --only-fuzzy --no-obsolete --no-location --no-wrap "$merged" |
      sed -e '1,/^$/d' | grep -E '^(msgid|")' | sed 's/^/  fuzzy: /' >&2 || true
    status=1
  fi
done

exit "$status"
