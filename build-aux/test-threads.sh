#!/usr/bin/env bash
# Looks for data races in the threaded modes with ThreadSanitizer:
#
#   build-aux/test-threads.sh
#
# Builds Unfreeze with -fsanitize=thread in a build directory of its own, then runs the tests
# that start threads: test-modes' raw-thread and GTask cases (-p /unfreeze/Mode/thread,
# -p /unfreeze/Mode/gtask) and test-window's close-mid-run cases (a worker still running while
# the window goes). Debian's GLib and GTK are not instrumented, so their own synchronisation
# (futex-based GMutex, atomic reference counts, the thread pool's queue) is invisible to TSan;
# build-aux/tsan-glib-annotations.c, loaded with LD_PRELOAD into the test programs only (never
# into PostgreSQL), reports those hand-overs to TSan.
#
# A report fails the run when one of the two racing accesses was made by our code (its top
# frame, past the sanitizer's own interceptors such as memcpy or free, is in src/). Reports
# whose accesses are both inside libraries are counted and listed, not failed: GLib's internal
# hand-overs cannot all be annotated from outside. Reports in tests/ are listed as well.
#
# Run it as an ordinary user (PostgreSQL refuses root) with a display for test-window (as
# build-aux/test.sh provides; without DISPLAY the window cases are left out). Environment:
#   UNFREEZE_TSAN_BUILDDIR   the build directory (default: _build-tsan in the source tree)
#   UNFREEZE_TSAN_NO_ANNOTATIONS=1  run without the GLib annotations, to see what they hide
#                            (GLib's hand-overs then show up as races in src/, and this fails)
# Ends with "threads: N passed, N failed" (the test programs) and exits non-zero on a failed
# test or a race in src/.
set -euo pipefail

# shellcheck source=build-aux/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

refuse_root test-threads.sh

builddir=${UNFREEZE_TSAN_BUILDDIR:-_build-tsan}
options=(-Db_sanitize=thread -Db_lundef=false -Dbuildtype=debug)
started=$(date +%s)

configure_and_build "" "threads: 0 passed, 1 failed" "${options[@]}"
builddir=$(cd "$builddir" && pwd -P)

shim=$builddir/tsan-glib-annotations.so
helgrind=()
if [[ -r /usr/include/valgrind/helgrind.h ]]; then
  helgrind=(-DHAVE_HELGRIND)
fi
cc -O1 -g -fPIC -shared -Wall -Wextra -Wno-unused-parameter "${helgrind[@]}" \
  -o "$shim" "$root/build-aux/tsan-glib-annotations.c" -ldl
built=$(date +%s)

reports=$builddir/meson-logs/tsan-reports
rm -rf "$reports"
mkdir -p "$reports"
private_runtime_dir tsan

# The tests' own environment (tests/meson.build), for running them without meson.
export G_TEST_SRCDIR=$root/tests G_TEST_BUILDDIR=$builddir/tests
export GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=$builddir/data
export GSK_RENDERER=cairo NO_AT_BRIDGE=1 GTK_A11Y=none G_ENABLE_DIAGNOSTIC=1
export UNFREEZE_BINARY=$builddir/src/unfreeze
export G_SLICE=always-malloc
# Stall bounds measure TSan here, not the code (see unfreeze-test-fixture.h).
export UNFREEZE_TEST_NO_TIMING=1
# Keep going after a report, to list them all; exitcode 66 marks a run with reports.
tsan_options="halt_on_error=0:second_deadlock_stack=1:history_size=4:log_path=$reports/tsan"

preload=$shim
if [[ ${UNFREEZE_TSAN_NO_ANNOTATIONS:-} == 1 ]]; then
  preload=
fi

passed=0
failed=0
run() {
  local name=$1 status=0
  shift
  echo "test-threads.sh: $name $*" >&2
  env TSAN_OPTIONS="$tsan_options" LD_PRELOAD="$preload" "$builddir/tests/$name" --tap "$@" \
    >"$reports/$name.tap" 2>&1 || status=$?
  # 66: TSan's exit code for "reports were made"; they are judged below, not here.
  if [[ $status -eq 0 || $status -eq 66 ]] && ! grep -q '^not ok' "$reports/$name.tap"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "test-threads.sh: $name failed (status $status):" >&2
    tail -20 "$reports/$name.tap" >&2
  fi
}

run test-modes -p /unfreeze/Mode/thread -p /unfreeze/Mode/gtask
if [[ -n ${DISPLAY:-} ]]; then
  run test-window -p /unfreeze/Window/close-mid-run
else
  echo "test-threads.sh: no DISPLAY: test-window's close-mid-run cases are left out" >&2
fi
finished=$(date +%s)

python3 - "$reports" "$root" "$builddir" "$passed" "$failed" "$((built - started))" \
  "$((finished - built))" <<'PYTHON'
import collections
import glob
import os
import re
import sys

reports, root, builddir = sys.argv[1:4]
passed, failed, build_s, test_s = (int(a) for a in sys.argv[4:8])

# TSan prints a frame as "#0 function file:line (module+0xoffset)".
frame = re.compile(r"#\d+ (\S+) (\S+?)(?::(\d+))?(?::\d+)? \(")
access = re.compile(r"^  (?:Previous )?(?:[Aa]tomic )?(?:[Rr]ead|[Ww]rite) of size \d+", re.M)


def where(function, source):
    """'src', 'tests' or None (a library), for a frame's source path."""
    if source.startswith("/usr/") or "libsanitizer" in source:
        return None
    full = os.path.normpath(os.path.join(builddir, source))
    for top in ("src", "tests"):
        if full.startswith(os.path.join(root, top) + os.sep):
            return top
    return None


def top_frame(stack):
    """The first frame past TSan's interceptors (memcpy, free, strlen...)."""
    for function, source, line in frame.findall(stack):
        if "libsanitizer" in source:
            continue
        return function, source, line
    return None


counts = collections.Counter()
listed = collections.defaultdict(list)
for path in sorted(glob.glob(os.path.join(reports, "tsan.*"))):
    text = open(path, encoding="utf-8", errors="replace").read()
    for report in text.split("==================\n"):
        head = re.search(r"WARNING: ThreadSanitizer: ([^(\n]+)", report)
        if head is None:
            continue
        owners = set()
        tops = []
        # Each access's stack runs from its header to the next blank line.
        for m in access.finditer(report):
            stack = report[m.end():].split("\n\n")[0]
            top = top_frame(stack)
            if top is not None:
                tops.append(top)
                owner = where(top[0], top[1])
                if owner:
                    owners.add(owner)
        if not access.search(report):
            # Not a race on memory (a lock-order inversion, a thread leak...): ours if any
            # frame at all is in src/.
            for function, source, line in frame.findall(report):
                owner = where(function, source)
                if owner:
                    owners.add(owner)
        kind = "src" if "src" in owners else "tests" if "tests" in owners else "library"
        counts[kind] += 1
        summary = re.search(r"SUMMARY: ThreadSanitizer: (.*)", report)
        label = (summary.group(1) if summary else head.group(1)).replace(root + "/", "")
        label = re.sub(r"(?<!\S)\S*/(src|tests)/", r"\1/", label)
        listed[kind].append((label, report))

print(f"test-threads.sh: {sum(counts.values())} TSan report(s): {counts['src']} with an access "
      f"in src/, {counts['tests']} in tests/, {counts['library']} inside libraries only",
      file=sys.stderr)
for kind in ("library", "tests"):
    for label, n in collections.Counter(l for l, _ in listed[kind]).most_common():
        print(f"  [{kind}] {n} x {label}", file=sys.stderr)
seen = set()
for label, report in listed["src"]:
    if label in seen:
        continue
    seen.add(label)
    print(f"\n===== race in src/: {label}\n{report}", file=sys.stderr)
print(f"test-threads.sh: build {build_s} s, tests {test_s} s", file=sys.stderr)

print(f"threads: {passed} passed, {failed} failed")
sys.exit(1 if failed or counts["src"] or passed == 0 else 0)
PYTHON
