"""One step that takes minutes (a wide mlp on thousands of points, numerical gradient): the status line says it
is working and how far it is, and quitting, going back or resetting abandons it within a second or two."""
from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from helpers import SIZE, status_text, wait_for

from hnn_tui.app import HnnApp
from hnn_tui.engine import Session, load_scenario
from hnn_tui.engine.objectives import Interrupted

# 2-32-32-1: 1,185 parameters; 2,000 points, full batch: one numerical step is 1,186 evaluations of 2,000 points
# (over two million forward passes, minutes of work); a single evaluation takes a fraction of a second.
WIDE = """
title = "a wide mlp on many points"
kind = "classifier"
strategy = "numerical"
[model]
type = "mlp"
layers = [32, 32]
batch = "full"
[data]
dataset = "moons"
n = 2000
"""


@pytest.fixture
def wide(tmp_path) -> Path:
    path = tmp_path / "wide.toml"
    path.write_text(WIDE)
    return path


def threads_in_a_step() -> list[str]:
    """Threads whose stack is inside Session.step."""
    names = {t.ident: t.name for t in threading.enumerate()}
    found = []
    for ident, frame in sys._current_frames().items():
        while frame is not None:
            if frame.f_code.co_name == "step" and frame.f_code.co_filename.endswith("session.py"):
                found.append(names.get(ident, str(ident)))
                break
            frame = frame.f_back
    return found


async def no_step_left(seconds: float) -> float:
    """Wait until no thread is inside a step; returns how long that took (fails after `seconds`)."""
    t0 = time.monotonic()
    while threads_in_a_step():
        assert time.monotonic() - t0 < seconds, f"a step still runs after {seconds} s: {threads_in_a_step()}"
        await asyncio.sleep(0.02)
    return time.monotonic() - t0


def test_interrupt_stops_a_step_between_forward_passes(wide):
    session = Session(load_scenario(wide))
    outcome = []

    def step():
        try:
            session.step()
        except Interrupted:
            outcome.append("interrupted")

    t = threading.Thread(target=step)
    t.start()
    time.sleep(0.5)
    assert session.progress() is not None and session.progress().done > 0  # under way, and counting
    t0 = time.monotonic()
    session.interrupt()
    t.join(5)
    assert not t.is_alive() and outcome == ["interrupted"]
    assert time.monotonic() - t0 < 0.5
    assert session.current.step == 0  # the abandoned step left no snapshot


async def test_a_long_step_says_it_is_working_and_quitting_ends_it(wide):
    app = HnnApp(str(wide))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await wait_for(pilot, lambda: "working on step 1:" in status_text(app), timeout=5)
        text = status_text(app)
        assert "% (" in text and "of 2,372,000 forward passes)" in text  # (1,185 + 1) x 2,000
        await pilot.press("q")
    assert app.return_code == 0
    assert await no_step_left(2.0) < 2.0


@pytest.mark.parametrize("key", ["r", "b"])
async def test_reset_or_back_abandons_a_long_step(wide, key):
    app = HnnApp(str(wide))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("s")
        await wait_for(pilot, lambda: screen.session.progress() is not None, timeout=5)
        await pilot.press(key)
        assert await no_step_left(2.0) < 2.0
        if key == "r":
            assert screen.snapshot.step == 0 and "working" not in status_text(app)
            await pilot.press("3", "s")  # the fresh session steps as usual (one analytic step: 2,000 points)
            await wait_for(pilot, lambda: screen.snapshot.step == 1, timeout=20)


HNN = Path(sys.executable).parent / "hnn-tui"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None or not HNN.exists(), reason="needs tmux and the hnn-tui script")
def test_q_during_a_long_step_ends_the_real_process_promptly(wide):
    session = f"hnn-{uuid.uuid4().hex[:8]}"
    status = wide.parent / "status"
    cmd = f"{HNN} {wide}; echo $? > {status}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "env",
                    "TERM=xterm-256color", "sh", "-c", cmd], check=True, timeout=10)
    try:
        def screen() -> str:
            return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True,
                                  timeout=10).stdout

        end = time.monotonic() + 20
        while "step 0" not in screen():
            assert time.monotonic() < end, screen()
            time.sleep(0.1)
        subprocess.run(["tmux", "send-keys", "-t", session, "s"], check=True, timeout=10)
        while "working on step 1:" not in screen():
            assert time.monotonic() < end, screen()
            time.sleep(0.1)
        t0 = time.monotonic()
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True, timeout=10)
        while not status.exists():
            assert time.monotonic() - t0 < 3.0, "the process did not end within 3 s of q"
            time.sleep(0.05)
        assert status.read_text().strip() == "0"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, timeout=10)
