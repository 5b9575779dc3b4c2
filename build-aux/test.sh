#!/usr/bin/env bash
# Builds Unfreeze and runs every test, under a virtual X server and a private D-Bus session:
#
#   build-aux/test.sh [MESON TEST ARGUMENTS...]     e.g. build-aux/test.sh --suite data
#
# Ends with one line "N passed, N failed[, N skipped]" (from meson's testlog.json), and exits
# non-zero when a test failed or none ran. Environment:
#   UNFREEZE_BUILDDIR    the build directory (default: _build in the source tree)
#   UNFREEZE_SKIP_DEPS=1 do not check for missing packages
#   UNFREEZE_SKIP_FLATPAK=1   leave out the Flatpak check (counted as skipped)
#   UNFREEZE_FLATPAK_CHECK=1  run the Flatpak check when not root too (through sudo)
#   UNFREEZE_FLATPAK_CHECK=0  do not run it, nor count it
#
# PostgreSQL refuses to run as root, so as root the build and the tests run as the system user
# 'unfreeze-ci' (created if needed), in a copy of the source tree if that user cannot read it.
#
# As root and with no arguments, one more test follows the meson tests: flatpak/check-offline
# builds the Flatpak manifest, installs it and runs the app in the sandbox (see
# flatpak/README.md; it needs root). It counts as one test in the final line.
set -euo pipefail

ci_user=unfreeze-ci
# shellcheck source=build-aux/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${UNFREEZE_SKIP_DEPS:-} != 1 ]]; then
  build-aux/install-deps.sh --tests
fi

builddir=${UNFREEZE_BUILDDIR:-_build}

# --- The Flatpak check: one more test after the meson tests. ----------------------------------
# Not with arguments: those ask for some of the meson tests only.
flatpak_check_wanted() {
  if (($# > 0)); then
    return 1
  elif [[ $(id -u) -eq 0 ]]; then
    [[ ${UNFREEZE_FLATPAK_CHECK:-} != 0 ]]
  else
    [[ ${UNFREEZE_FLATPAK_CHECK:-} == 1 ]]
  fi
}

# Runs flatpak/check-offline (unless UNFREEZE_SKIP_FLATPAK=1) and prints the summary line
# "$1" with it counted in. "$2" is the status so far; returns the status with it counted in.
flatpak_check() {
  local summary=$1 status=$2 passed=0 failed=0 skipped=0
  local check=("$root/flatpak/check-offline")

  if [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
    passed=${BASH_REMATCH[1]} failed=${BASH_REMATCH[2]} skipped=${BASH_REMATCH[4]:-0}
  fi
  if [[ ${UNFREEZE_SKIP_FLATPAK:-} == 1 ]]; then
    echo "test.sh: skipping the Flatpak check (flatpak/check-offline): UNFREEZE_SKIP_FLATPAK=1" >&2
    skipped=$((skipped + 1))
  else
    local result=OK started=$SECONDS
    echo "test.sh: the Flatpak check: flatpak/check-offline" >&2
    if [[ $(id -u) -ne 0 ]]; then
      # shellcheck disable=SC2054 # sudo takes a comma-separated list
      check=(sudo --preserve-env=UNFREEZE_FLATPAK_CACHE,UNFREEZE_SKIP_DEPS "${check[@]}")
    fi
    if "${check[@]}" </dev/null; then
      passed=$((passed + 1))
    else
      result=FAIL
      failed=$((failed + 1))
      status=1
    fi
    echo "test.sh: the Flatpak check: $result in $((SECONDS - started)) s" >&2
  fi

  summary="$passed passed, $failed failed"
  if ((skipped > 0)); then
    summary+=", $skipped skipped"
  fi
  echo "$summary"
  return "$status"
}

# --- As root: hand over to the unprivileged user. ---------------------------------------------
if [[ $(id -u) -eq 0 ]]; then
  if ! id -u "$ci_user" >/dev/null 2>&1; then
    useradd --system --create-home --home-dir "/var/lib/$ci_user" --shell /bin/sh \
      --comment 'Unfreeze tests (build-aux/test.sh run as root)' "$ci_user"
  fi
  ci_home=$(getent passwd "$ci_user" | cut -d: -f6)
  echo "test.sh: PostgreSQL cannot run as root, so the build and the tests run as '$ci_user'." >&2

  as_ci() {
    runuser -u "$ci_user" -- "$@"
  }

  # Can the user read the whole source tree (build directories and .git aside)?
  readable() {
    # shellcheck disable=SC2016 # expanded by the inner sh
    as_ci sh -c 'cd "$1" 2>/dev/null && test -r meson.build &&
      test -z "$(find . \( -name .git -o -name "$2" -o -path ./"$2" -o -name meson-private \) \
        -prune -o ! -readable -print -quit 2>/dev/null)"' sh "$root" "${builddir%/}"
  }

  srcdir=$root
  if ! readable; then
    # One copy per source tree, refreshed on each run; its build directory is kept, so that
    # builds stay incremental.
    srcdir=$ci_home/trees/$(printf '%s' "$root" | md5sum | cut -c1-12)
    echo "test.sh: '$ci_user' cannot read $root; testing a copy in $srcdir" >&2
    mkdir -p "$srcdir"
    find "$srcdir" -mindepth 1 -maxdepth 1 ! -name "${builddir%%/*}" -exec rm -rf {} +
    # Everything but VCS data and build directories (anything holding meson-private).
    tar -C "$root" --exclude=./.git --exclude="./${builddir%/}" --exclude-tag-all=meson-private \
      -cf - . | tar -C "$srcdir" -xf -
    chown -R "$ci_user:" "$srcdir"
  fi

  # The build directory belongs to the user (made by root first: the source tree may not be
  # writable by the user). A relative $UNFREEZE_BUILDDIR is relative to the tested tree.
  if [[ $builddir != /* ]]; then
    builddir=$srcdir/$builddir
  fi
  mkdir -p "$builddir"
  chown -R "$ci_user:" "$builddir"

  # A clean environment for the user; keep what the caller set for GLib, GTK, libpq and the app.
  env_vars=(
    "HOME=$ci_home" "USER=$ci_user" "LOGNAME=$ci_user" "SHELL=/bin/sh"
    "PATH=/usr/local/bin:/usr/bin:/bin"
    "UNFREEZE_BUILDDIR=$builddir" "UNFREEZE_SKIP_DEPS=1"
    # The Flatpak check needs root: it runs here, after the user's run.
    "UNFREEZE_FLATPAK_CHECK=0"
  )
  while read -r name; do
    case $name in
      LANG | LANGUAGE | LC_* | TERM | CI | MESON_* | PG* | UNFREEZE_* | G_* | GTK_* | GDK_* | \
        GSK_* | ADW_*)
        [[ $name == UNFREEZE_BUILDDIR || $name == UNFREEZE_SKIP_DEPS ||
          $name == UNFREEZE_FLATPAK_CHECK ]] ||
          env_vars+=("$name=${!name}")
        ;;
    esac
  done < <(compgen -e)

  cd "$srcdir"
  status=0
  if ! flatpak_check_wanted "$@"; then
    as_ci env -i "${env_vars[@]}" bash "$srcdir/build-aux/test.sh" "$@" </dev/null || status=$?
    exit "$status"
  fi

  # Hold the user's summary line back, to print it with the Flatpak check counted in.
  summary=
  while IFS= read -r line; do
    if [[ $line =~ ^[0-9]+\ passed,\ [0-9]+\ failed ]]; then
      summary=$line
    else
      printf '%s\n' "$line"
    fi
  done < <(as_ci env -i "${env_vars[@]}" bash "$srcdir/build-aux/test.sh" "$@" </dev/null)
  wait $! || status=$?
  flatpak_check "$summary" "$status" || status=$?
  exit "$status"
fi

# --- Build and test. ---------------------------------------------------------------------------
configure_and_build test.sh "0 passed, 0 failed"

testlog=$builddir/meson-logs/testlog.json
rm -f "$testlog"

# The accessibility tests need the a11y bus: do not let the caller's environment turn it off.
unset GTK_A11Y NO_AT_BRIDGE
# The session bus comes from dbus-run-session, not from the caller; the display from xvfb-run
# (a caller's Wayland socket would win over it).
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY
# GLib, dconf and the accessibility bus want a private runtime directory.
private_runtime_dir test
status=0
dbus-run-session -- \
  xvfb-run -a -s "-screen 0 1280x800x24 -noreset" \
  meson test -C "$builddir" --print-errorlogs "$@" || status=$?

# --- The checkers: memory and threads (each counts as one test in the final line). ------------
# Valgrind memcheck on the tests that need no display, ThreadSanitizer on the threaded modes,
# and ASan+UBSan on the whole suite, in two passes over one build: with LeakSanitizer on the
# suites that need no display, then without it on the display suite (leak checking needs the
# slow unwinder on every allocation, and drawing windows allocates so much that the display
# suite would take over an hour on two cores; see build-aux/test-sanitizers.sh).
# Not with arguments (those ask for some meson tests only), nor with UNFREEZE_SKIP_CHECKERS=1.
run_checker() {
  local name=$1 result=OK started=$SECONDS
  shift
  echo "test.sh: checker $name: $*" >&2
  if ! "$@" </dev/null >"$builddir/meson-logs/$name.log" 2>&1; then
    result=FAIL
    tail -n 40 "$builddir/meson-logs/$name.log" >&2
    # The failed assertions themselves are printed far above the tail.
    grep -E 'Bail out!|^not ok|ERROR:.*(assertion|failed)' "$builddir/meson-logs/$name.log" \
      | tail -n 20 | sed 's/^/test.sh: checker failure: /' >&2 || true
  fi
  echo "test.sh: checker $name: $result in $((SECONDS - started)) s (log: $builddir/meson-logs/$name.log)" >&2
  printf '{"name": "%s", "result": "%s"}\n' "$name" "$result" >>"$testlog"
}

if (($# == 0)) && [[ ${UNFREEZE_SKIP_CHECKERS:-} != 1 ]]; then
  export UNFREEZE_ASAN_BUILDDIR=$builddir/checkers-asan UNFREEZE_TSAN_BUILDDIR=$builddir/checkers-tsan
  run_checker valgrind env UNFREEZE_BUILDDIR="$builddir" build-aux/test-valgrind.sh
  # The window tests again on Wayland, under a headless Weston of their own.
  run_checker wayland env UNFREEZE_BUILDDIR="$builddir" build-aux/test-wayland.sh
  # Its window cases (a worker still running while the window goes) need a display.
  run_checker threads dbus-run-session -- \
    xvfb-run -a -s "-screen 0 1280x800x24 -noreset" build-aux/test-threads.sh
  # Each under its own Xvfb and session bus, like the main suites: never the caller's display
  # (windows on the user's desktop, or no accessibility bus for test-a11y).
  run_checker sanitizers dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24 -noreset" \
    build-aux/test-sanitizers.sh --suite data --suite database --suite meter
  run_checker sanitizers-display dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24 -noreset" \
    env UNFREEZE_ASAN_LEAKS=0 build-aux/test-sanitizers.sh --suite display
fi

echo "test.sh: test logs are in $builddir/meson-logs" >&2
# Prints the summary line from meson's log; fails when a test failed or none ran.
summarize() {
  PYTHONPATH="$root/build-aux" python3 - "$testlog" "$status" <<'PYTHON'
import sys

from meson_results import Tally

path, meson_status = sys.argv[1], int(sys.argv[2])
tally = Tally()
if not tally.add_log(path):
    print(f"test.sh: no test log at {path}", file=sys.stderr)
print(tally.summary())
passed, failed, skipped = tally.passed, tally.failed, tally.skipped

if failed or passed + skipped == 0:
    sys.exit(1)
if passed == 0:
    print("test.sh: every test was skipped", file=sys.stderr)
    sys.exit(1)
if meson_status != 0:
    print(f"test.sh: meson test exited with status {meson_status}", file=sys.stderr)
    sys.exit(1)
PYTHON
}

if flatpak_check_wanted "$@"; then
  summary_status=0
  summary=$(summarize) || summary_status=$?
  flatpak_check "$summary" "$summary_status"
else
  summarize
fi
