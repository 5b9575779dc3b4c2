#!/usr/bin/env bash
# Runs window tests on Wayland, under a headless Weston of their own:
#
#   build-aux/test-wayland.sh [TEST NAME...]
#
# GNOME runs on Wayland; the app must run there and its measurements must stay true there
# (Weston's headless output reports 60 Hz and draws a window at 35-40 Hz: frames missed are
# counted at that rate). Starts `weston --backend=headless-backend.so` on a socket in a private
# runtime directory, then runs the named tests of the normal build (default: the window, the
# meter, the timeline, the Code view, the renderer, the translation, the program and the
# accessibility tests) with GDK_BACKEND=wayland and no X display, under a private session bus.
# Stops Weston on every way out. Run it as an ordinary user (PostgreSQL refuses root).
# Environment:
#   UNFREEZE_BUILDDIR   the build directory (default: _build in the source tree; built here
#                       if needed)
# Ends with "wayland: N passed, N failed".
set -euo pipefail

# shellcheck source=build-aux/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

refuse_root test-wayland.sh
if ! command -v weston >/dev/null; then
  echo "test-wayland.sh: weston is not installed (apt-get install weston)" >&2
  echo "wayland: 0 passed, 1 failed"
  exit 1
fi

builddir=${UNFREEZE_BUILDDIR:-_build}
configure_and_build test-wayland.sh ""
builddir=$(cd "$builddir" && pwd -P)

tests=("$@")
if [[ ${#tests[@]} -eq 0 ]]; then
  tests=(test-meter test-window test-timeline test-source-view test-renderer test-translation
    test-program test-a11y)
fi

runtime=$(mktemp -d "${TMPDIR:-/tmp}/unfreeze-wayland.XXXXXX")
chmod 0700 "$runtime"
weston_pid=
cleanup() {
  if [[ -n $weston_pid ]]; then
    kill "$weston_pid" 2>/dev/null || true
    wait "$weston_pid" 2>/dev/null || true
  fi
  rm -rf "$runtime"
}
trap cleanup EXIT

export XDG_RUNTIME_DIR=$runtime
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS
socket=wayland-unfreeze
weston --backend=headless-backend.so --socket="$socket" --width=1400 --height=900 \
  --idle-time=0 >"$builddir/meson-logs/weston.log" 2>&1 &
weston_pid=$!
for _ in $(seq 100); do
  [[ -S $runtime/$socket ]] && break
  if ! kill -0 "$weston_pid" 2>/dev/null; then
    echo "test-wayland.sh: weston did not start (log: $builddir/meson-logs/weston.log)" >&2
    echo "wayland: 0 passed, 1 failed"
    exit 1
  fi
  sleep 0.1
done
if [[ ! -S $runtime/$socket ]]; then
  echo "test-wayland.sh: no Wayland socket after 10 s (log: $builddir/meson-logs/weston.log)" >&2
  echo "wayland: 0 passed, 1 failed"
  exit 1
fi

# By its full path: tests give the app runtime directories of their own.
export WAYLAND_DISPLAY=$runtime/$socket GDK_BACKEND=wayland
status=0
dbus-run-session -- meson test -C "$builddir" --no-rebuild --print-errorlogs \
  --logbase wayland "${tests[@]}" || status=1

PYTHONPATH="$root/build-aux" python3 - "$builddir/meson-logs/wayland.json" "$status" <<'PYTHON'
import sys

from meson_results import Tally

tally = Tally()
if not tally.add_log(sys.argv[1], "test-wayland.sh"):
    tally.failed += 1
print(tally.summary("wayland"))
sys.exit(1 if tally.failed or int(sys.argv[2]) or tally.passed == 0 else 0)
PYTHON
