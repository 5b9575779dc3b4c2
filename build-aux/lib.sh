# What the bash scripts in build-aux/ share. Source it first thing, do not run it:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# It sets $root, the source tree (absolute, links resolved), and changes into it; then the
# functions below are there for the script to call.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$root"

# Stops the script (status 2) when it runs as root: PostgreSQL refuses to run as root, and so
# do the tests' servers. $1: the script's name; $2 (optional): more words for the message.
refuse_root() {
  if [[ $(id -u) -eq 0 ]]; then
    echo "$1: run this as an ordinary user: PostgreSQL refuses to run as root${2:+ $2}" >&2
    exit 2
  fi
}

# Gives the script a private XDG_RUNTIME_DIR (GLib, dconf and the accessibility bus want one)
# when it has none it can write to, removed when the script exits. $1: a word for its name.
private_runtime_dir() {
  if [[ -z ${XDG_RUNTIME_DIR:-} || ! -w ${XDG_RUNTIME_DIR:-/nonexistent} ]]; then
    XDG_RUNTIME_DIR=$(mktemp -d "${TMPDIR:-/tmp}/unfreeze-$1-runtime.XXXXXX")
    export XDG_RUNTIME_DIR
    trap 'rm -rf "$XDG_RUNTIME_DIR"' EXIT
  fi
}

# Configures $builddir when it holds no build yet, with the meson options given after the
# first two arguments (an existing one gets them again through meson configure, so it stays
# incremental), and builds it. On a failure: with $2 empty, the script stops as `set -e`
# stops it; otherwise "$1: meson setup failed" or "$1: the build failed" goes to stderr (when
# $1 is not empty), the final line $2 to stdout, and the script exits with status 1.
configure_and_build() {
  local script=$1 failed_line=$2 status=0 step="the build failed"
  shift 2

  if [[ ! -f $builddir/meson-private/coredata.dat ]]; then
    meson setup "$@" "$builddir" || { status=$?; step="meson setup failed"; }
  elif (($# > 0)); then
    meson configure "$@" "$builddir" >/dev/null || exit
  fi
  if ((status == 0)); then
    meson compile -C "$builddir" || status=$?
  fi
  if ((status != 0)); then
    if [[ -n $failed_line ]]; then
      [[ -z $script ]] || echo "$script: $step" >&2
      echo "$failed_line"
      status=1
    fi
    exit "$status"
  fi
}
