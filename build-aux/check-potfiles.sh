#!/bin/sh
# Checks po/POTFILES.in: every file it lists exists, every source file under src/ with a
# translatable string is listed, and xgettext can extract from all of them (with the keywords of
# meson's i18n.gettext preset 'glib'). Run by `meson test` (suite 'data').
# Usage: check-potfiles.sh SOURCE_ROOT OUTPUT_POT
set -eu

srcroot=$1
out=$2
status=0

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
  if ! grep -qxF "$file" po/POTFILES.in; then
    echo "$file has translatable strings but is not listed in po/POTFILES.in" >&2
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
  --files-from=po/POTFILES.in --output="$out"
echo "xgettext: $(grep -c '^msgid ' "$out") messages extracted into $out"
