# SPDX-License-Identifier: GPL-3.0-or-later
"""Counts the results in meson's test logs (meson-logs/*.json: one JSON object a line, one line
a test) for build-aux/test.sh and its checkers, which all end with one line
"[NAME: ]N passed, N failed[, N skipped]"."""

import json
import sys


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def add_log(self, path, tag=None):
        """Adds the results in PATH; with TAG, says each test's result and time on standard
        error, after "TAG: ". False when there is no such file."""
        try:
            with open(path, encoding="utf-8") as log:
                for line in log:
                    line = line.strip()
                    if not line:
                        continue
                    entry = json.loads(line)
                    result = entry.get("result", "")
                    if tag:
                        print(f"{tag}: {entry.get('name')}: {result}, "
                              f"{entry.get('duration', 0):.0f} s", file=sys.stderr)
                    if result in ("OK", "EXPECTEDFAIL"):
                        self.passed += 1
                    elif result == "SKIP":
                        self.skipped += 1
                    else:  # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, INTERRUPT, ...
                        self.failed += 1
        except FileNotFoundError:
            return False
        return True

    def summary(self, name=None):
        line = f"{self.passed} passed, {self.failed} failed"
        if self.skipped:
            line += f", {self.skipped} skipped"
        return f"{name}: {line}" if name else line
