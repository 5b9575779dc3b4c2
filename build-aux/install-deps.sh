#!/usr/bin/env bash
# Installs the Debian 12 (bookworm) packages Unfreeze needs, if they are missing.
#
#   build-aux/install-deps.sh           build and run
#   build-aux/install-deps.sh --tests   also what the test suite needs
#   build-aux/install-deps.sh --list    print the packages it would check, and exit
#
# A warm run (everything installed) only asks dpkg, and touches neither apt nor the network.
set -euo pipefail

# Build: compiler, meson, the libraries (libsecret: your server's password in the keyring),
# and the tools data/ and po/ use.
build_pkgs=(
  meson ninja-build pkg-config gcc libc6-dev
  libglib2.0-dev libglib2.0-dev-bin libglib2.0-bin
  libgtk-4-dev libadwaita-1-dev libgtksourceview-5-dev libpq-dev libsecret-1-dev
  gettext desktop-file-utils appstream
)
# Run: the PostgreSQL server binaries the built-in private server uses
# (/usr/lib/postgresql/15/bin/initdb and postgres).
runtime_pkgs=(postgresql-15)
# Tests: a virtual X server (xvfb-run needs xauth), a private D-Bus session bus
# (dbus-run-session is in dbus-daemon), the accessibility bus and python bindings the UI tests
# drive the app with, ImageMagick for screenshots, procps (pgrep/pkill), python3 for test.sh,
# Weston for the window tests on Wayland (its headless backend), xdotool for real key presses
# through the X server (XTest) during runs, json-glib for the benchmark's JSON (bench/ is built
# beside the tests when it is found; the app does not need it), gnome-keyring for a keyring of
# test-password's own (gnome-keyring-daemon on the test's session bus).
test_pkgs=(
  xvfb xauth dbus dbus-daemon at-spi2-core python3 python3-pyatspi imagemagick procps valgrind
  weston xdotool libjson-glib-dev gnome-keyring
)

want_tests=false
list_only=false
for arg in "$@"; do
  case $arg in
    --tests) want_tests=true ;;
    --list) list_only=true ;;
    -h | --help)
      sed -n '2,8s/^# \{0,1\}//p' "$0"
      exit 0
      ;;
    *)
      echo "install-deps.sh: unknown argument: $arg" >&2
      exit 2
      ;;
  esac
done

pkgs=("${build_pkgs[@]}" "${runtime_pkgs[@]}")
if $want_tests; then
  pkgs+=("${test_pkgs[@]}")
fi

if $list_only; then
  printf '%s\n' "${pkgs[@]}"
  exit 0
fi

# One dpkg-query for all of them (it still prints the installed ones when some are unknown).
declare -A installed=()
while read -r name status; do
  if [[ $status == ii* ]]; then
    installed[${name%%:*}]=1
  fi
done < <(dpkg-query -W -f='${binary:Package} ${db:Status-Abbrev}\n' "${pkgs[@]}" 2>/dev/null || true)

missing=()
for pkg in "${pkgs[@]}"; do
  if [[ -z ${installed[$pkg]:-} ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps.sh: apt-get not found; please install: ${missing[*]}" >&2
  exit 1
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo --preserve-env=DEBIAN_FRONTEND)
  else
    echo "install-deps.sh: not root and sudo is missing; as root, run:" >&2
    echo "  apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps.sh: installing ${missing[*]}" >&2
apt_opts=(-y -q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300)
"${sudo[@]}" apt-get "${apt_opts[@]}" update
"${sudo[@]}" apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}"
