#!/usr/bin/env bash
# Runs the tests that need no display under Valgrind's memcheck, in the normal build:
#
#   build-aux/test-valgrind.sh [TEST NAME...]     e.g. build-aux/test-valgrind.sh test-modes
#
# With no names, every test of the build that is one of our programs and is not in the
# 'display' suite (test-modes, test-local-server, ...), run without a display. Fails on any invalid read or write,
# use of uninitialised memory, bad free, and any definite leak, unless build-aux/valgrind.supp
# (or GLib's and GTK's own suppression files) excuse it: those cover system libraries only.
# Children are not traced (--trace-children=no): the PostgreSQL server the tests start is not
# ours. Run it as an ordinary user (PostgreSQL refuses root). Environment:
#   UNFREEZE_BUILDDIR        the build directory (default: _build in the source tree; built here
#                            if needed)
#   UNFREEZE_VALGRIND_TIMEOUT_MULTIPLIER  meson's --timeout-multiplier (default 10)
#   UNFREEZE_VALGRIND_GEN_SUPPRESSIONS=1  print a suppression block after each error
# Ends with "valgrind: N passed, N failed"; each test's Valgrind log is in
# BUILDDIR/meson-logs/valgrind/.
set -euo pipefail

# shellcheck source=build-aux/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

refuse_root test-valgrind.sh "(build-aux/test.sh switches to one)"
if ! command -v valgrind >/dev/null; then
  echo "test-valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2
  echo "valgrind: 0 passed, 1 failed"
  exit 1
fi
private_runtime_dir valgrind

builddir=${UNFREEZE_BUILDDIR:-_build}
multiplier=${UNFREEZE_VALGRIND_TIMEOUT_MULTIPLIER:-10}
started=$(date +%s)

configure_and_build test-valgrind.sh "valgrind: 0 passed, 1 failed"
builddir=$(cd "$builddir" && pwd -P)
built=$(date +%s)

# The tests to run: the names given, or every test that runs one of our own programs from the
# build directory (not a system tool such as desktop-file-validate) outside the 'display' suite.
tests=("$@")
if [[ ${#tests[@]} -eq 0 ]]; then
  mapfile -t tests < <(meson introspect --tests "$builddir" | python3 -c '
import json, sys
builddir = sys.argv[1]
for test in json.load(sys.stdin):
    command = test["cmd"][0] if test["cmd"] else ""
    # Suites come as "project:suite".
    suites = {suite.split(":")[-1] for suite in test["suite"]}
    if "display" in suites or not command.startswith(builddir + "/"):
        continue
    print(test["name"])
' "$builddir")
fi
if [[ ${#tests[@]} -eq 0 ]]; then
  echo "test-valgrind.sh: no test to run" >&2
  echo "valgrind: 0 passed, 1 failed"
  exit 1
fi

logs=$builddir/meson-logs/valgrind
rm -rf "$logs"
mkdir -p "$logs"

suppressions=(--suppressions="$root/build-aux/valgrind.supp")
# GLib's and GTK's own lists of their one-time allocations, shipped in their -dev packages.
for supp in /usr/share/glib-2.0/valgrind/glib.supp /usr/share/gtk-4.0/valgrind/gtk.supp; do
  if [[ -r $supp ]]; then
    suppressions+=(--suppressions="$supp")
  fi
done
gen=no
if [[ ${UNFREEZE_VALGRIND_GEN_SUPPRESSIONS:-} == 1 ]]; then
  gen=all
fi

# --error-exitcode=23: any error, or a definite leak, makes the test fail.
# --errors-for-leak-kinds=definite: "possibly lost" is common and harmless in GObject code
#   (pointers into the middle of blocks: GType instances, GSList nodes), and still reachable
#   memory at exit is GLib's caches; a definitely lost block is a real leak.
wrapper=(
  valgrind --tool=memcheck --trace-children=no --error-exitcode=23
  --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
  --num-callers=40 --gen-suppressions="$gen" "${suppressions[@]}"
  --log-file="$logs/%q{UNFREEZE_VALGRIND_TEST}.%p.log"
)

export G_SLICE=always-malloc
export G_DEBUG=gc-friendly
# No display for the tests found here: they need none (a case that could use one, such as
# test-meter's frame clock, skips), and GTK's display set-up (Mesa, fontconfig) is the ASan
# run's to check. Tests named on the command line keep the caller's display.
if [[ $# -eq 0 ]]; then
  unset DISPLAY WAYLAND_DISPLAY
fi
# Under Valgrind every instruction costs tens of times more: stall bounds would measure
# Valgrind (see unfreeze-test-fixture.h).
export UNFREEZE_TEST_NO_TIMING=1

# One meson run per test, so that each log file carries the test's name.
status=0
for name in "${tests[@]}"; do
  UNFREEZE_VALGRIND_TEST=$name meson test -C "$builddir" --no-rebuild --print-errorlogs \
    --timeout-multiplier "$multiplier" --wrapper "$(printf '%q ' "${wrapper[@]}")" \
    --logbase "valgrind-$name" "$name" || status=1
done
finished=$(date +%s)

echo "test-valgrind.sh: Valgrind logs are in $logs" >&2
PYTHONPATH="$root/build-aux" python3 - "$builddir/meson-logs" "$logs" "$root" "$status" \
  "$((built - started))" "$((finished - built))" "${tests[@]}" <<'PYTHON'
import glob
import os
import re
import sys

from meson_results import Tally

meson_logs, logs, root, status = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
build_s, test_s, names = int(sys.argv[5]), int(sys.argv[6]), sys.argv[7:]

tally = Tally()
for name in names:
    # Meson names the log after --logbase and the wrapper: valgrind-NAME-valgrind.json.
    paths = glob.glob(os.path.join(meson_logs, f"valgrind-{name}*.json")) or [name]
    if not tally.add_log(paths[0], "test-valgrind.sh"):
        print(f"test-valgrind.sh: no test log for {name}", file=sys.stderr)
        tally.failed += 1
passed, failed, skipped = tally.passed, tally.failed, tally.skipped

# Each Valgrind error or definite leak, with the first frame in our tree.
ours = re.compile(r"(?:by|at) 0x[0-9A-F]+: (\S+) \(([^)]*)\)")
n_errors = 0
for path in sorted(glob.glob(os.path.join(logs, "*.log"))):
    text = open(path, encoding="utf-8", errors="replace").read()
    summary = re.search(r"ERROR SUMMARY: (\d+) errors", text)
    if summary is None or summary.group(1) == "0":
        continue
    n_errors += int(summary.group(1))
    print(f"\n===== {os.path.basename(path)}: {summary.group(1)} error(s)", file=sys.stderr)
    for block in re.split(r"\n==\d+== \n", text):
        lines = [re.sub(r"^==\d+== ", "", l) for l in block.splitlines()]
        if not lines or not re.match(r"(Invalid|Conditional|Use of|Syscall|Mismatched|"
                                     r"Source and|Argument|.*definitely lost)", lines[0]):
            continue
        where = "[no frame in src/ or tests/]"
        for line in lines[1:]:
            m = ours.search(line)
            if m and re.match(r"(unfreeze-|test-|main\.c)", m.group(2)):
                where = f"[ours: {m.group(1)} {m.group(2)}]"
                break
        print(f"  {lines[0][:160]} {where}", file=sys.stderr)
        print("    " + "\n    ".join(lines[1:16]), file=sys.stderr)

print(f"test-valgrind.sh: build {build_s} s, tests {test_s} s; {n_errors} Valgrind error(s)",
      file=sys.stderr)
print(tally.summary("valgrind"))
if failed or n_errors or status or passed + skipped == 0:
    sys.exit(1)
PYTHON
