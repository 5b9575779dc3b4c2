#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Drives Unfreeze through the accessibility tree, as an assistive technology would.

Starts the real program (built-in PostgreSQL, a private XDG home), finds it over AT-SPI,
finds the list of modes by its accessible name, picks a mode, presses Run and reads the
status until the run has ended. Needs a display, a D-Bus session bus and the AT-SPI bus
(build-aux/test.sh provides them). Exits 77 (skipped) only when pyatspi is missing.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

try:
    import gi

    gi.require_version("Atspi", "2.0")
    import pyatspi
except (ImportError, ValueError) as error:
    print(f"SKIP: pyatspi is not available: {error}")
    sys.exit(77)

TIMEOUT = 90


def log(text):
    print(f"# {text}", flush=True)


def walk(node, depth=0):
    """Yields every accessible below node (depth-first)."""
    if node is None or depth > 60:
        return
    yield node
    try:
        count = node.childCount
    except Exception:
        return
    for i in range(count):
        try:
            child = node.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child, depth + 1)


def find(root, predicate, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for node in walk(root):
            try:
                if predicate(node):
                    return node
            except Exception:
                pass
        time.sleep(0.2)
    return None


def role(node):
    return node.getRoleName()


def text_of(node):
    try:
        text = node.queryText()
        return text.getText(0, text.characterCount)
    except NotImplementedError:
        return node.name


def end_group(app):
    """SIGTERM to the app's process group (the app quits and stops its server), then SIGKILL."""
    for sig, wait_s in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        try:
            os.killpg(app.pid, sig)
        except ProcessLookupError:
            break
        try:
            app.wait(timeout=wait_s)
            break
        except subprocess.TimeoutExpired:
            pass


def exit_on_signal(signum, frame):
    # Runs the finally blocks, which end the app.
    raise SystemExit(128 + signum)


def main():
    binary = os.environ["UNFREEZE_BINARY"]
    home = tempfile.mkdtemp(prefix="unfreeze-a11y-")
    runtime = os.path.join(home, "run")
    os.mkdir(runtime, 0o700)
    env = dict(os.environ)
    for name in ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"):
        env.pop(name, None)
    # A Wayland socket named relative to the runtime directory, which changes here.
    wayland = env.get("WAYLAND_DISPLAY")
    if wayland and not os.path.isabs(wayland) and env.get("XDG_RUNTIME_DIR"):
        env["WAYLAND_DISPLAY"] = os.path.join(env["XDG_RUNTIME_DIR"], wayland)
    env.update(
        XDG_CACHE_HOME=os.path.join(home, "cache"),
        XDG_CONFIG_HOME=os.path.join(home, "config"),
        XDG_RUNTIME_DIR=runtime,
        GSETTINGS_BACKEND="memory",
    )
    env.pop("GTK_A11Y", None)
    env.pop("NO_AT_BRIDGE", None)

    # Its own process group, ended on every way out (also meson's SIGTERM at the time limit):
    # an app left behind would keep meson's output pipe open, and meson would wait for it.
    app = subprocess.Popen([binary, "--delay=0.5"], env=env, start_new_session=True)
    try:
        desktop = pyatspi.Registry.getDesktop(0)
        unfreeze = find(desktop, lambda n: role(n) == "application" and n.name == "unfreeze")
        assert unfreeze is not None, "Unfreeze did not appear in the accessibility tree"
        log("found the application")

        modes = find(unfreeze, lambda n: n.name == "Modes" and role(n) in ("list", "list box"))
        assert modes is not None, "no list named 'Modes'"
        log(f"found the mode list ({modes.childCount} modes)")

        # Pick a mode as a screen reader user would: select its item in the list.
        names = [modes.getChildAtIndex(i).name for i in range(modes.childCount)]
        index = next(i for i, name in enumerate(names) if "GTask" in name)
        assert modes.querySelection().selectChild(index), "the mode list refused the selection"
        deadline = time.monotonic() + 10
        while not modes.querySelection().isChildSelected(index) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert modes.querySelection().isChildSelected(index), "the GTask item is not selected"
        log(f"picked {names[index]!r}")

        # The status line has the status role: screen readers announce its changes.
        status = find(unfreeze, lambda n: role(n) == "status bar")
        assert status is not None, "no accessible with the status role"

        # Run is enabled once the built-in database is ready.
        run = find(unfreeze, lambda n: role(n) == "push button" and n.name == "Run"
                   and n.getState().contains(pyatspi.STATE_SENSITIVE))
        assert run is not None, "no enabled 'Run' button"
        run.queryAction().doAction(0)
        log("pressed Run")

        deadline = time.monotonic() + TIMEOUT
        outcome = ""
        while time.monotonic() < deadline:
            outcome = text_of(status)
            if outcome.startswith("Loaded") or outcome.startswith("Error"):
                break
            time.sleep(0.2)
        log(f"status: {outcome}")
        assert outcome.startswith("Loaded "), f"unexpected status: {outcome!r}"
        assert "for MSFT" in outcome, outcome
    finally:
        end_group(app)
        shutil.rmtree(home, ignore_errors=True)

    print("1..1")
    print("ok 1 /unfreeze/A11y/pick-mode-run-read-status")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, exit_on_signal)
    signal.signal(signal.SIGINT, exit_on_signal)
    try:
        main()
    except AssertionError as error:
        print("1..1")
        print(f"not ok 1 /unfreeze/A11y/pick-mode-run-read-status # {error}")
        sys.exit(1)
