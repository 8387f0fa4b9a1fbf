"""The real `hnn-tui` console script in a real terminal (tmux): keys in, screen text out."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

HNN = Path(sys.executable).parent / "hnn-tui"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("tmux") is None or not HNN.exists(),
                                 reason="needs tmux and the installed hnn-tui script")]


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


@pytest.fixture
def session():
    name = f"hnn-{uuid.uuid4().hex[:8]}"
    yield name
    tmux("kill-session", "-t", name)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_two_gates_in_a_real_terminal(session, size):
    w, h = size
    # the exit status lands in a file once the app has quit
    status = Path(f"/tmp/{session}.status")
    cmd = f"{HNN} two_gates; echo $? > {status}"
    tmux("new-session", "-d", "-s", session, "-x", str(w), "-y", str(h), "env", "TERM=xterm-256color", "sh", "-c", cmd)
    shown = wait_for_text(session, "f = -12 ∇ 1  ← *")  # the gradients at the start: the guide's [-4, -4, 3]
    assert "q = 3 ∇ -4" in shown and "z = -4 ∇ 3" in shown
    tmux("send-keys", "-t", session, "3", "s")
    shown = wait_for_text(session, "f = -11.5924 ∇ 1")  # ... and at the values after one step
    assert "q = 2.9200 ∇ -3.9700" in shown and "z = -3.9700 ∇ 2.9200" in shown
    assert "forward passes 1" in shown and "backward passes 1" in shown
    tmux("send-keys", "-t", session, "space")
    wait_for_text(session, "running")
    tmux("send-keys", "-t", session, "q")
    end = time.monotonic() + 10
    while not status.exists() and time.monotonic() < end:
        time.sleep(0.1)
    assert status.read_text().strip() == "0"  # quitting mid-run exits cleanly
    status.unlink()


def test_picker_then_svm_in_a_real_terminal(session):
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", "env", "TERM=xterm-256color", str(HNN))
    wait_for_text(session, "choose a scenario")
    # the list is single_gate, two_gates, neuron, svm, neural_net: the description follows the highlight
    for title in ("Two gates", "A single neuron", "A linear SVM"):
        for _ in range(50):  # keys sent while the app still starts up may be dropped: press until it moves
            tmux("send-keys", "-t", session, "Down")
            try:
                wait_for_text(session, title, timeout=0.5)
                break
            except AssertionError:
                continue
    tmux("send-keys", "-t", session, "Enter")
    wait_for_text(session, "step 0 ")
    tmux("send-keys", "-t", session, "s")
    shown = wait_for_text(session, "step 1 ")
    assert "accuracy 0.667" in shown and "forward passes 1" in shown


def test_arrows_then_enter_typed_at_once_open_the_chosen_scenario(session):
    # A fast typist (or a pasted key sequence) sends the arrows and the enter in one burst; the
    # enter must open what the arrows chose, not what was highlighted before they arrived.
    tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", "env", "TERM=xterm-256color",
         str(HNN), "two_gates")
    wait_for_text(session, "f = -12")
    tmux("send-keys", "-t", session, "b")
    wait_for_text(session, "choose a scenario")
    tmux("send-keys", "-t", session, "Down", "Down", "Down", "Enter")
    shown = wait_for_text(session, "step 0 ")
    assert "— svm" in shown and "accuracy" in shown
