#!/bin/sh
# Checks the files xgettext reads: those in po/POTFILES.in and the mode files, which are not
# listed there but come from the list in src/meson.build (po/meson.build hands them to
# xgettext). Every file listed exists, no mode file is listed in POTFILES.in too, every source
# file under src/ with a translatable string is one or the other, and xgettext can extract from
# all of them (with the keywords of meson's i18n.gettext preset 'glib').
# Run by `meson test` (suite 'data').
# Usage: check-potfiles.sh SOURCE_ROOT OUTPUT_POT MODE_FILE...
# (each MODE_FILE from the source root: src/modes/unfreeze-mode-NAME.c)
set -eu

srcroot=$1
out=$2
shift 2
status=0

# Whether $1 is one of the mode files that follow it.
is_mode_file() {
  candidate=$1
  shift
  for mode_file in "$@"; do
    [ "$mode_file" = "$candidate" ] && return 0
  done
  return 1
}

if [ "$#" -eq 0 ]; then
  echo "No mode files given: pass the list from src/meson.build" >&2
  exit 1
fi

for file in "$@"; do
  if [ ! -f "$srcroot/$file" ]; then
    echo "The mode list in src/meson.build names $file, which does not exist" >&2
    status=1
  fi
  if grep -qxF "$file" "$srcroot/po/POTFILES.in"; then
    echo "po/POTFILES.in lists $file, a mode file: xgettext gets those from src/meson.build" >&2
    status=1
  fi
done

while IFS= read -r file || [ -n "$file" ]; do
  case $file in
    '' | '#'*) continue ;;
  esac
  if [ ! -f "$srcroot/$file" ]; then
    echo "po/POTFILES.in lists $file, which does not exist" >&2
    status=1
  fi
done < "$srcroot/po/POTFILES.in"

cd "$srcroot"
grep -rlE '(^|[^A-Za-z0-9_])(N|C|NC)?_ ?\("|translatable="yes"' \
  --include='*.c' --include='*.h' --include='*.ui' src 2>/dev/null | sort > "$out.sources" || true
while IFS= read -r file; do
  if ! grep -qxF "$file" po/POTFILES.in && ! is_mode_file "$file" "$@"; then
    echo "$file has translatable strings but is in neither po/POTFILES.in" \
      "nor the list of mode files in src/meson.build" >&2
    status=1
  fi
done < "$out.sources"
rm -f "$out.sources"
[ "$status" -eq 0 ] || exit "$status"

xgettext --package-name=unfreeze --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
  --flag=g_print:1:c-format --flag=g_printerr:1:c-format \
  --flag=g_printf:1:c-format --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format \
  --flag=g_snprintf:3:c-format \
  --files-from=po/POTFILES.in --output="$out" "$@"
echo "xgettext: $(grep -c '^msgid ' "$out") messages extracted into $out"
