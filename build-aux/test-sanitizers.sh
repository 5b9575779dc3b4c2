#!/usr/bin/env bash
# Builds Unfreeze with AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer in a
# build directory of its own, and runs the whole test suite there:
#
#   build-aux/test-sanitizers.sh [MESON TEST ARGUMENTS...]   e.g. --suite database
#
# Any memory error (use after free, overflow, double free...), any undefined behaviour, and any
# leak that build-aux/lsan.supp does not excuse fails: the test whose process (or whose child:
# the app that test-program and test-a11y start) reported it, and this script. The
# suppressions cover system libraries only (fontconfig, pango, GTK, GLib's one-time set-up...),
# never src/ or tests/. Every report is also written to a file, so that a report from a child
# whose output a test captured is not lost; they are printed at the end.
#
# Run it as an ordinary user (PostgreSQL refuses root), from anywhere, with a display and a
# session bus, as build-aux/test.sh runs the normal tests; without DISPLAY it starts its own
# under xvfb-run and dbus-run-session. Ends with "sanitizers: N passed, N failed". Environment:
#   UNFREEZE_ASAN_BUILDDIR   the build directory (default: _build-asan in the source tree)
#   UNFREEZE_ASAN_TIMEOUT_MULTIPLIER  meson's --timeout-multiplier (default 4)
#   UNFREEZE_ASAN_STACK_DEPTH  frames kept per allocation (default 16; more to trace a leak
#                              further, at some cost in speed)
#   UNFREEZE_ASAN_LEAKS       1 (default): LeakSanitizer too, which needs the slow unwinder on
#                              every allocation (see below); 0: memory errors and undefined
#                              behaviour only, with the fast unwinder. Drawing windows allocates
#                              so much that the display suite with leak checking takes well over
#                              an hour on two cores; without it, a few times the normal run.
#                              build-aux/test.sh checks leaks on the suites without a display
#                              (and Valgrind does on those too), and the display suite with 0.
#
# PostgreSQL's own programs (initdb, postgres) are not instrumented and load no sanitizer (no
# LD_PRELOAD is used); the *SAN_OPTIONS variables they inherit mean nothing to them.
set -euo pipefail

# shellcheck source=build-aux/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

refuse_root test-sanitizers.sh "(build-aux/test.sh switches to one)"

# By hand, without a display: bring a virtual one and a session bus, as test.sh does.
if [[ -z ${DISPLAY:-} && -z ${UNFREEZE_SANITIZERS_NESTED:-} ]]; then
  if command -v xvfb-run >/dev/null && command -v dbus-run-session >/dev/null; then
    echo "test-sanitizers.sh: no DISPLAY; starting Xvfb and a D-Bus session" >&2
    exec env UNFREEZE_SANITIZERS_NESTED=1 dbus-run-session -- \
      xvfb-run -a -s "-screen 0 1280x800x24 -noreset" "$0" "$@"
  fi
  echo "test-sanitizers.sh: no DISPLAY and no xvfb-run: the display tests will skip" >&2
fi
private_runtime_dir asan

builddir=${UNFREEZE_ASAN_BUILDDIR:-_build-asan}
multiplier=${UNFREEZE_ASAN_TIMEOUT_MULTIPLIER:-4}
depth=${UNFREEZE_ASAN_STACK_DEPTH:-16}
leaks=${UNFREEZE_ASAN_LEAKS:-1}
# shellcheck disable=SC2054 # one meson option whose value is a comma-separated list
sanitize_options=(-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug)

started=$(date +%s)

# --- Build. --------------------------------------------------------------------------------
configure_and_build test-sanitizers.sh "sanitizers: 0 passed, 0 failed" "${sanitize_options[@]}"
builddir=$(cd "$builddir" && pwd -P)
built=$(date +%s)

# --- Test. ---------------------------------------------------------------------------------
reports=$builddir/meson-logs/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
testlog=$builddir/meson-logs/testlog.json
rm -f "$testlog"

# exitcode=23: a process with a report exits 23 (not 1, which the app uses for a failed run),
#   so meson marks the test as failed, and test-program's exit status assertions catch the
#   app's. abort_on_error=0 so that it is an exit, not a core dump.
# log_path + log_exe_name: each report also goes to a file REPORTS/asan.EXE.PID, kept even when
#   a test captured the child's stderr.
# fast_unwind_on_malloc=0: GLib and GTK are built without frame pointers, so the fast unwinder
#   stops at g_malloc and a leak could not be traced to its caller, neither to be suppressed as
#   a library's nor to be blamed on ours. Full unwinding makes every allocation a few times
#   slower (that is why the timeouts are multiplied), the more so the deeper it goes: 16
#   frames reach from malloc through GObject's constructors to the caller's caller.
# G_SLICE=always-malloc: GLib 2.74's slice allocator would hide slices from ASan.
# With UNFREEZE_ASAN_LEAKS=0 none of that is needed: a memory error's own stack is still
#   unwound in full (fast_unwind_on_fatal=0, the default); only the stacks it quotes of where
#   the memory was allocated and freed may stop at g_malloc/g_free.
common="halt_on_error=1:abort_on_error=0:exitcode=23:print_stacktrace=1:log_exe_name=1"
if [[ $leaks == 0 ]]; then
  unwind="detect_leaks=0:fast_unwind_on_malloc=1"
else
  unwind="detect_leaks=1:fast_unwind_on_malloc=0"
fi
export ASAN_OPTIONS="$common:$unwind:malloc_context_size=$depth:log_path=$reports/asan:strict_string_checks=1:detect_stack_use_after_return=1"
export LSAN_OPTIONS="suppressions=$root/build-aux/lsan.supp:print_suppressions=0"
# UndefinedBehaviorSanitizer checks only code compiled with it, i.e. ours: it needs no
# suppressions, and gets none.
export UBSAN_OPTIONS="$common:log_path=$reports/ubsan"
export G_SLICE=always-malloc
export G_DEBUG=gc-friendly
# Stall bounds measure the sanitizer, not the code, here (see unfreeze-test-fixture.h).
export UNFREEZE_TEST_NO_TIMING=1

status=0
meson test -C "$builddir" --no-rebuild --print-errorlogs --timeout-multiplier "$multiplier" \
  "$@" || status=$?
finished=$(date +%s)

# --- Report. -------------------------------------------------------------------------------
echo "test-sanitizers.sh: test logs are in $builddir/meson-logs, sanitizer reports in $reports" >&2
PYTHONPATH="$root/build-aux" python3 - "$testlog" "$reports" "$status" "$root" "$builddir" \
  "$((built - started))" "$((finished - built))" <<'PYTHON'
import os
import re
import sys

from meson_results import Tally

path, reports, meson_status, root, builddir = sys.argv[1:6]
meson_status, build_s, test_s = int(meson_status), int(sys.argv[6]), int(sys.argv[7])

tally = Tally()
if not tally.add_log(path, "test-sanitizers.sh"):
    print(f"test-sanitizers.sh: no test log at {path}", file=sys.stderr)
passed, failed, skipped = tally.passed, tally.failed, tally.skipped

# The compiler saw our files by paths relative to the build directory.
frame = re.compile(r"#\d+ 0x[0-9a-f]+ in (\S+) (\S+\.[ch]):(\d+)")
finding = re.compile(r"^(?:(?:Direct|Indirect) leak of .*|==\S+==ERROR: (?!LeakSanitizer)\w+Sanitizer: .*|"
                     r"\S+:\d+:\d+: runtime error: .*)$", re.M)


def first_own_frame(block):
    for function, source, line in frame.findall(block):
        full = os.path.normpath(os.path.join(builddir, source))
        for top in ("src", "tests"):
            if full.startswith(os.path.join(root, top) + os.sep):
                return f"{function} {os.path.relpath(full, root)}:{line}"
    return None


# Every non-empty report file fails the run, whether or not it parses. Each finding in it is
# listed with the first frame in our tree (src/ or tests/), then the file is printed.
n_files = n_findings = n_ours = 0
for name in sorted(os.listdir(reports)):
    with open(os.path.join(reports, name), encoding="utf-8", errors="replace") as f:
        text = f.read()
    if not text.strip():
        continue
    n_files += 1
    starts = [m.start() for m in finding.finditer(text)] + [len(text)]
    print(f"\n===== {name}: {len(starts) - 1} finding(s)", file=sys.stderr)
    for begin, end in zip(starts, starts[1:]):
        block = text[begin:end].split("SUMMARY:")[0]
        own = first_own_frame(block)
        n_findings += 1
        n_ours += own is not None
        print(f"  {block.splitlines()[0][:200]}\n"
              f"      [{'first frame of ours: ' + own if own else 'no frame in src/ or tests/'}]",
              file=sys.stderr)
    print(text if len(text) < 20000 else text[:20000] + "\n[... cut; see the file]",
          file=sys.stderr)

print(f"test-sanitizers.sh: build {build_s} s, tests {test_s} s; {n_findings} finding(s) "
      f"({n_ours} through src/ or tests/) from {n_files} process(es)", file=sys.stderr)
print(tally.summary("sanitizers"))

if failed or n_files or passed + skipped == 0 or meson_status != 0:
    sys.exit(1)
PYTHON
