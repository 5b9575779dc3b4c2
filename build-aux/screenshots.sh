#!/usr/bin/env bash
# Renders the real window after a blocking, a raw-thread and a GTask run, and after a
# comparison of every mode, to PNG files in data/screenshots/ (used by README.md and the
# AppStream metainfo). Re-run it to refresh them.
#
#   build-aux/screenshots.sh            (builds first; uses Xvfb when there is no display)
#
# Each picture is the app's own rendering of its window (unfreeze --screenshot=FILE), taken
# 1.5 s after the run (or comparison) ended, with the built-in PostgreSQL server.
set -euo pipefail

# shellcheck source=build-aux/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

builddir=${UNFREEZE_BUILDDIR:-_build}
configure_and_build screenshots.sh ""
builddir=$(cd "$builddir" && pwd -P)
out=$root/data/screenshots
mkdir -p "$out"

# PostgreSQL will not run as root: take the pictures as an unprivileged user.
run_as=()
if [[ $(id -u) -eq 0 ]]; then
  user=${SUDO_USER:-unfreeze-demo}
  id -u "$user" >/dev/null 2>&1 ||
    useradd --system --create-home --home-dir "/var/lib/$user" --shell /usr/sbin/nologin "$user"
  chmod -R a+rX "$builddir"
  run_as=(runuser -u "$user" --)
fi

shots=$(mktemp -d /tmp/unfreeze-shots.XXXXXX)
trap 'rm -rf "$shots"' EXIT
chmod 0777 "$shots"

# take NAME ARGS...: ARGS start the run (--run ...) or the comparison (--compare ...).
take() {
  local name=$1
  shift
  "${run_as[@]}" env GSETTINGS_SCHEMA_DIR="$builddir/data" GSETTINGS_BACKEND=memory \
    GSK_RENDERER="${GSK_RENDERER:-cairo}" \
    "$builddir/src/unfreeze" --quit-after-run --screenshot="$shots/$name.png" "$@" || true
  install -m 0644 "$shots/$name.png" "$out/$name.png"
  echo "screenshots.sh: wrote data/screenshots/$name.png"
}

all() {
  take blocking --run --mode=blocking --delay=2
  take thread --run --mode=thread --delay=2
  take gtask --run --mode=gtask --delay=2
  take compare --compare --delay=1
}

if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
  export -f take all
  export builddir shots out
  export run_as_str="${run_as[*]}"
  # shellcheck disable=SC2016 # expanded by the inner bash, which gets run_as_str exported
  xvfb-run -a -s "-screen 0 1280x800x24" bash -c 'run_as=($run_as_str); all'
else
  all
fi
