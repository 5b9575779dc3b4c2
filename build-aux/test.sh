#!/usr/bin/env bash
# Builds Unfreeze and runs every test, under a virtual X server and a private D-Bus session:
#
#   build-aux/test.sh [MESON TEST ARGUMENTS...]     e.g. build-aux/test.sh --suite data
#
# Ends with one line "N passed, N failed[, N skipped]" (from meson's testlog.json), and exits
# non-zero when a test failed or none ran. Environment:
#   UNFREEZE_BUILDDIR    the build directory (default: _build in the source tree)
#   UNFREEZE_SKIP_DEPS=1 do not check for missing packages
#
# PostgreSQL refuses to run as root, so as root the build and the tests run as the system user
# 'unfreeze-ci' (created if needed), in a copy of the source tree if that user cannot read it.
set -euo pipefail

ci_user=unfreeze-ci
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"

if [[ ${UNFREEZE_SKIP_DEPS:-} != 1 ]]; then
  build-aux/install-deps.sh --tests
fi

builddir=${UNFREEZE_BUILDDIR:-_build}

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
  )
  while read -r name; do
    case $name in
      LANG | LANGUAGE | LC_* | TERM | CI | MESON_* | PG* | UNFREEZE_* | G_* | GTK_* | GDK_* | \
        GSK_* | ADW_*)
        [[ $name == UNFREEZE_BUILDDIR || $name == UNFREEZE_SKIP_DEPS ]] ||
          env_vars+=("$name=${!name}")
        ;;
    esac
  done < <(compgen -e)

  cd "$srcdir"
  status=0
  as_ci env -i "${env_vars[@]}" bash "$srcdir/build-aux/test.sh" "$@" </dev/null || status=$?
  exit "$status"
fi

# --- Build and test. ---------------------------------------------------------------------------
if [[ ! -f $builddir/meson-private/coredata.dat ]] && ! meson setup "$builddir"; then
  echo "test.sh: meson setup failed" >&2
  echo "0 passed, 0 failed"
  exit 1
fi
if ! meson compile -C "$builddir"; then
  echo "test.sh: the build failed" >&2
  echo "0 passed, 0 failed"
  exit 1
fi

testlog=$builddir/meson-logs/testlog.json
rm -f "$testlog"

# The accessibility tests need the a11y bus: do not let the caller's environment turn it off.
unset GTK_A11Y NO_AT_BRIDGE
# The session bus comes from dbus-run-session, not from the caller.
unset DBUS_SESSION_BUS_ADDRESS
# GLib, dconf and the accessibility bus want a private runtime directory.
if [[ -z ${XDG_RUNTIME_DIR:-} || ! -w ${XDG_RUNTIME_DIR:-/nonexistent} ]]; then
  XDG_RUNTIME_DIR=$(mktemp -d "${TMPDIR:-/tmp}/unfreeze-test-runtime.XXXXXX")
  export XDG_RUNTIME_DIR
  trap 'rm -rf "$XDG_RUNTIME_DIR"' EXIT
fi
status=0
dbus-run-session -- \
  xvfb-run -a -s "-screen 0 1280x800x24 -noreset" \
  meson test -C "$builddir" --print-errorlogs "$@" || status=$?

echo "test.sh: test logs are in $builddir/meson-logs" >&2
python3 - "$testlog" "$status" <<'PYTHON'
import json
import sys

path, meson_status = sys.argv[1], int(sys.argv[2])
passed = failed = skipped = 0
try:
    with open(path, encoding="utf-8") as log:
        for line in log:
            line = line.strip()
            if not line:
                continue
            result = json.loads(line).get("result", "")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:  # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, INTERRUPT, ...
                failed += 1
except FileNotFoundError:
    print(f"test.sh: no test log at {path}", file=sys.stderr)

summary = f"{passed} passed, {failed} failed"
if skipped:
    summary += f", {skipped} skipped"
print(summary)

if failed or passed + skipped == 0:
    sys.exit(1)
if passed == 0:
    print("test.sh: every test was skipped", file=sys.stderr)
    sys.exit(1)
if meson_status != 0:
    print(f"test.sh: meson test exited with status {meson_status}", file=sys.stderr)
    sys.exit(1)
PYTHON
