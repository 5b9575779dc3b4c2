#!/usr/bin/env bash
# Builds Unfreeze and runs it from the build tree, with any arguments passed on to the app:
#
#   build-aux/run.sh [ARGUMENTS FOR UNFREEZE...]
#
# Installs the Debian packages it needs first (build-aux/install-deps.sh). Environment:
#   UNFREEZE_BUILDDIR    the build directory (default: _build in the source tree)
#   UNFREEZE_SKIP_DEPS=1 do not check for missing packages
#
# PostgreSQL refuses to run as root, and so does the app's private server; so when started as
# root, the app runs as $SUDO_USER, or else as the system user 'unfreeze-demo' (created if needed).
set -euo pipefail

# shellcheck source=build-aux/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${UNFREEZE_SKIP_DEPS:-} != 1 ]]; then
  build-aux/install-deps.sh
fi

builddir=${UNFREEZE_BUILDDIR:-_build}
configure_and_build run.sh ""
builddir=$(cd "$builddir" && pwd -P)

app=$builddir/src/unfreeze
schemas=$builddir/data
# The translations compiled in the build tree (e.g. LANGUAGE=de build-aux/run.sh).
export UNFREEZE_LOCALEDIR=${UNFREEZE_LOCALEDIR:-$builddir/po}

# The renderer: the app itself picks Cairo where OpenGL would be a software rasteriser
# (src/unfreeze-renderer.c); a user's own GSK_RENDERER wins.
if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
  echo "run.sh: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); to try it headless:" \
    "xvfb-run -a build-aux/run.sh" >&2
fi

# Without a session bus (a plain console, ssh -X, a container) GSettings can read but not
# write, so the app could not remember its mode, ticker, delay and window size: give it a
# private bus for its lifetime (dconf then writes ~/.config/dconf/user as usual).
have_session_bus() {
  [[ -n ${DBUS_SESSION_BUS_ADDRESS:-} || -S ${XDG_RUNTIME_DIR:-/nonexistent}/bus ]]
}

if [[ $(id -u) -ne 0 ]]; then
  export GSETTINGS_SCHEMA_DIR=$schemas
  if ! have_session_bus && command -v dbus-run-session >/dev/null 2>&1; then
    exec dbus-run-session -- "$app" "$@"
  fi
  exec "$app" "$@"
fi

# --- Started as root: run the app as an unprivileged user. -----------------------------------

user=${SUDO_USER:-}
if [[ -z $user || $user == root ]]; then
  user=unfreeze-demo
  if ! id -u "$user" >/dev/null 2>&1; then
    useradd --system --create-home --home-dir /var/lib/unfreeze-demo --shell /usr/sbin/nologin \
      --comment 'Unfreeze demo (runs the app when build-aux/run.sh is started as root)' "$user"
  fi
fi
uid=$(id -u "$user")
home=$(getent passwd "$user" | cut -d: -f6)
echo "run.sh: PostgreSQL cannot run as root, so Unfreeze runs as the user '$user'." >&2

as_user() {
  runuser -u "$user" -- "$@"
}

# A private scratch directory for whatever the user cannot reach in root's world.
scratch=$(mktemp -d /tmp/unfreeze-run.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
chown "$user:" "$scratch"
chmod 0700 "$scratch"

# The build tree must be readable by the user. If the user cannot even get to it (the source is
# under /root, say), run copies of the two files the app needs from the build tree.
chmod -R a+rX "$builddir" 2>/dev/null || true
if ! as_user test -x "$app" -a -r "$schemas/gschemas.compiled"; then
  install -o "$user" -m 0755 "$app" "$scratch/unfreeze"
  install -o "$user" -m 0644 "$schemas/gschemas.compiled" "$scratch/gschemas.compiled"
  app=$scratch/unfreeze
  schemas=$scratch
fi

# A clean environment: what the display, the locale, GLib/GTK and libpq need, nothing of root's.
env_vars=(
  "HOME=$home" "USER=$user" "LOGNAME=$user" "SHELL=/bin/sh"
  "PATH=/usr/local/bin:/usr/bin:/bin"
  "GSETTINGS_SCHEMA_DIR=$schemas"
)
while read -r name; do
  case $name in
    LANG | LANGUAGE | LC_* | TERM | DISPLAY | XDG_CURRENT_DESKTOP | XDG_SESSION_TYPE | \
      PG* | UNFREEZE_* | G_* | GTK_* | GDK_* | GSK_* | ADW_* | NO_AT_BRIDGE)
      env_vars+=("$name=${!name}")
      ;;
  esac
done < <(compgen -e)

runtime=/run/user/$uid
if [[ -d $runtime ]] && as_user test -w "$runtime"; then
  # A logged-in user ($SUDO_USER): use their session, their bus and their Wayland socket.
  env_vars+=("XDG_RUNTIME_DIR=$runtime")
  if [[ -S $runtime/bus ]]; then
    env_vars+=("DBUS_SESSION_BUS_ADDRESS=unix:path=$runtime/bus")
  fi
  if [[ -n ${WAYLAND_DISPLAY:-} && -S $runtime/${WAYLAND_DISPLAY##*/} ]]; then
    env_vars+=("WAYLAND_DISPLAY=${WAYLAND_DISPLAY##*/}")
  fi
else
  mkdir -m 0700 "$scratch/runtime"
  chown "$user:" "$scratch/runtime"
  env_vars+=("XDG_RUNTIME_DIR=$scratch/runtime")
fi

# X11: the user needs the cookie. Hand over a copy when they cannot read root's.
xauth_file=${XAUTHORITY:-}
if [[ -z $xauth_file && -r ${HOME:-/root}/.Xauthority ]]; then
  xauth_file=${HOME:-/root}/.Xauthority
fi
if [[ -n $xauth_file && -r $xauth_file ]]; then
  if ! as_user test -r "$xauth_file"; then
    install -o "$user" -m 0600 "$xauth_file" "$scratch/Xauthority"
    xauth_file=$scratch/Xauthority
  fi
  env_vars+=("XAUTHORITY=$xauth_file")
fi

if [[ -z ${DISPLAY:-} ]] && ! printf '%s\n' "${env_vars[@]}" | grep -q '^WAYLAND_DISPLAY='; then
  echo "run.sh: no display the user '$user' can use (DISPLAY is not set, and a root Wayland" \
    "socket is out of its reach); the app will probably fail to start." >&2
fi

# Without a session bus of its own, give the app a private one (GSettings and GApplication
# want one).
cmd=("$app" "$@")
if ! printf '%s\n' "${env_vars[@]}" | grep -q '^DBUS_SESSION_BUS_ADDRESS=' &&
  command -v dbus-run-session >/dev/null 2>&1; then
  cmd=(dbus-run-session -- "${cmd[@]}")
fi

cd "$home" 2>/dev/null || cd /
status=0
as_user env -i "${env_vars[@]}" "${cmd[@]}" || status=$?
exit "$status"
