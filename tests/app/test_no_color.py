"""NO_COLOR: the real `hnn-tui` console script in a real terminal (tmux), every kind of screen, with colour off;
and a crash must end with a non-zero exit status, never 0.

NO_COLOR is a convention people set on servers: Textual reads it (App.__init__) and turns every colour on screen
into a grey, so each screen must carry its meaning in characters.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

HNN = Path(sys.executable).parent / "hnn-tui"
needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None or not HNN.exists(),
                                reason="needs tmux and the installed hnn-tui script")
pytestmark = pytest.mark.slow

LINE = set("│╲─╱┼")  # the score = 0 line
MARGIN = set("┆⋱┄⋰")  # the score = ±1 lines


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=10).stdout


def screen(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_for_text(session: str, text: str, timeout: float = 15.0) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        shown = screen(session)
        if text in shown:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen(session)}")


def wait_until_gone(session: str, text: str, timeout: float = 15.0) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        shown = screen(session)
        if text not in shown:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never went away; the screen was:\n{screen(session)}")


def wait_for_steps(session: str, steps: int, timeout: float = 30.0) -> str:
    """Wait until the status line's step count reaches `steps`."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        shown = screen(session)
        found = re.search(r"step ([\d,]+) ", shown)
        if found and int(found.group(1).replace(",", "")) >= steps:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"step {steps} never reached; the screen was:\n{screen(session)}")


def press_until(session: str, key: str, text: str, tries: int = 50) -> str:
    """Press `key` until `text` shows (keys sent while the app still starts up may be dropped)."""
    for _ in range(tries):
        tmux("send-keys", "-t", session, key)
        try:
            return wait_for_text(session, text, timeout=0.5)
        except AssertionError:
            continue
    raise AssertionError(f"{text!r} never appeared after {key!r}; the screen was:\n{screen(session)}")


def start(session: str, size: tuple[int, int], *args: str, pythonpath: str = "") -> Path:
    """Start `hnn-tui ARGS` in tmux with NO_COLOR set; returns the file its exit status will be written to.

    The tmux server may be older than this test, so the environment is given on the command line; PYTHONPATH
    is passed on (it runs a pristine copy of the code when set).
    """
    status = Path(f"/tmp/{session}.status")
    status.unlink(missing_ok=True)
    path = ":".join(p for p in (pythonpath, os.environ.get("PYTHONPATH", "")) if p)
    cmd = f"{HNN} {' '.join(args)}; echo $? > {status}; sleep 60"  # the pane stays to be read; the fixture ends it
    w, h = size
    tmux("new-session", "-d", "-s", session, "-x", str(w), "-y", str(h), "env", "NO_COLOR=1",
         "TERM=xterm-256color", f"PYTHONPATH={path}", "sh", "-c", cmd)
    return status


def exit_status(status: Path, timeout: float = 10.0) -> str:
    end = time.monotonic() + timeout
    while not (status.exists() and status.read_text().strip()) and time.monotonic() < end:
        time.sleep(0.1)
    text = status.read_text().strip() if status.exists() else "(no exit status)"
    status.unlink(missing_ok=True)
    return text


def boundary_box(shown: str) -> list[str]:
    """The text inside the boundary's border: the rows between its title line and its bottom corner."""
    lines = shown.splitlines()
    top = next(i for i, ln in enumerate(lines) if "─ boundary" in ln)
    left, right = lines[top].index("╭"), lines[top].index("╮")
    rows = []
    for ln in lines[top + 1:]:
        if ln[left:left + 1] == "╰":
            break
        rows.append(ln[left + 1:right])
    return rows


def check_boundary(shown: str, points: int) -> None:
    inside = "".join(boundary_box(shown))
    dotted, blank = inside.count("·"), inside.count(" ")
    assert dotted > 40 and blank > 40, f"the regions are not told apart by characters:\n{shown}"
    assert sum(inside.count(g) for g in LINE) > 5, f"no boundary line:\n{shown}"
    assert sum(inside.count(g) for g in MARGIN) > 5, f"no margin line:\n{shown}"
    plus, minus = inside.count("●") + inside.count("○"), inside.count("▲") + inside.count("△")  # pulling or safe
    assert plus >= 1 and minus >= 1
    assert plus + minus <= points
    assert "Traceback" not in shown and "Error" not in shown


@pytest.fixture
def session():
    name = f"hnn-nc-{uuid.uuid4().hex[:8]}"
    yield name
    tmux("kill-session", "-t", name)


@needs_tmux
@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_classifiers_without_colour_in_a_real_terminal(session, size):
    status = start(session, size, "svm")
    shown = wait_for_text(session, "step 0 ")
    check_boundary(shown, 6)
    tmux("send-keys", "-t", session, "s")
    check_boundary(wait_for_text(session, "step 1 "), 6)
    tmux("send-keys", "-t", session, ".", ".", "space")  # 100 then 1000 steps/s, and run
    wait_for_steps(session, 400)
    tmux("send-keys", "-t", session, "space")
    shown = wait_for_text(session, "paused")
    check_boundary(shown, 6)
    press_until(session, "?", "hnn-tui keys")
    tmux("send-keys", "-t", session, "Escape")  # alone: an escape followed at once by a key reads as alt+key
    check_boundary(wait_until_gone(session, "hnn-tui keys"), 6)
    tmux("send-keys", "-t", session, "b")
    wait_for_text(session, "choose a scenario")
    press_until(session, "Down", "A 2-layer neural net")
    tmux("send-keys", "-t", session, "Enter")
    wait_for_text(session, "— neural_net")
    wait_for_text(session, "step 0 ")
    tmux("send-keys", "-t", session, ".", ".", ".", ".", "space")  # as fast as it goes, and run
    wait_for_steps(session, 5000)  # the net has bent the boundary round the points by then
    tmux("send-keys", "-t", session, "space")
    check_boundary(wait_for_text(session, "paused"), 6)
    tmux("send-keys", "-t", session, "q")
    assert exit_status(status) == "0", screen(session)


@needs_tmux
def test_circuit_lessons_without_colour_in_a_real_terminal(session):
    status = start(session, (100, 30), "neuron")
    wait_for_text(session, "step 0 ")
    tmux("send-keys", "-t", session, "3", "s")
    shown = wait_for_text(session, "step 1 ")
    assert "s = 0.8826 ∇ 1  ← sigmoid" in shown  # the gradient marked by ∇, the gate by ←: not by colour
    assert "backprop ∇" in shown and "numeric ∇" in shown
    press_until(session, "?", "hnn-tui keys")
    tmux("send-keys", "-t", session, "Escape")
    wait_until_gone(session, "hnn-tui keys")
    tmux("send-keys", "-t", session, "b")
    wait_for_text(session, "choose a scenario")
    press_until(session, "Up", "Two gates")
    tmux("send-keys", "-t", session, "Enter")
    wait_for_text(session, "— two_gates")
    tmux("send-keys", "-t", session, "3", "s")
    shown = wait_for_text(session, "f = -11.5924 ∇ 1")
    assert "Traceback" not in shown
    tmux("send-keys", "-t", session, "q")
    assert exit_status(status) == "0", screen(session)


@needs_tmux
def test_a_crash_in_a_real_terminal_exits_non_zero(session, tmp_path):
    # The boundary's drawing is made to raise (through sitecustomize, which Python imports at start-up):
    # Textual shows the traceback, and the exit status must say the app failed.
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent("""
        from hnn_tui.widgets.boundary_view import BoundaryView

        def render_line(self, y):
            raise RuntimeError("injected crash")

        BoundaryView.render_line = render_line
    """))
    status = start(session, (120, 40), "svm", pythonpath=str(tmp_path))
    code = exit_status(status, timeout=20)
    assert "RuntimeError: injected crash" in screen(session)
    assert code == "1"


HEADLESS = """
import sys
from hnn_tui.app import HnnApp
from hnn_tui.cli import main
from hnn_tui.widgets.boundary_view import BoundaryView

def run(self, **kwargs):  # no terminal needed: a headless app, and an autopilot that quits
    async def quit_soon(pilot):
        await pilot.pause(0.5)
        await pilot.press("q")
    return HnnApp.real_run(self, headless=True, size=(120, 40), auto_pilot=None if CRASH else quit_soon)

def render_line(self, y):
    raise RuntimeError("injected crash")

CRASH = sys.argv[1] == "crash"
HnnApp.real_run, HnnApp.run = HnnApp.run, run
if CRASH:
    BoundaryView.render_line = render_line
sys.exit(main(["svm"]))
"""


@pytest.mark.parametrize("how,code", [("crash", 1), ("quit", 0)])
def test_the_app_exit_status_after_a_crash_and_after_a_quit(how, code):
    p = subprocess.run([sys.executable, "-c", HEADLESS, how], capture_output=True, text=True, timeout=60)
    assert p.returncode == code, p.stderr[-2000:]
    assert ("injected crash" in p.stderr) == (how == "crash")
