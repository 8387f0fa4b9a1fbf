"""How `hnn-tui run` writes steps in its own words (7,350; never in JSON), and its progress bar: drawn on a
terminal's stderr for runs of 1,000 steps or more, and left where the run stopped."""
from __future__ import annotations

import io
import sys

import pytest
from helpers import cli, json_lines

from hnn_tui import cli as hnn_cli
from hnn_tui import report
from hnn_tui.engine import Session

SLOW_BLOWUP = """
title = "exp blows up slowly"
kind = "circuit"
steps = 5000
[circuit]
expression = "exp(x)"
inputs = { x = 0.0 }
[settings]
step_size = 0.001
"""
# x <- x + 0.001 e^x from 0 creeps up for a thousand steps, then runs away: exp overflows at step 1006.


class Terminal(io.StringIO):
    """A stderr that says it is a terminal, so the CLI draws its progress bar there."""

    def isatty(self) -> bool:
        return True


def last_frame(text: str) -> str:
    """What a terminal shows of the bar at the end: the text after its last carriage return, up to the newline."""
    return text.rsplit("\r", 1)[-1].split("\n", 1)[0]


def interrupted_at(stop: int):
    """A Session whose run gets Ctrl+C right after step `stop`."""
    class Interrupted(Session):
        def run(self, steps):
            for snap in super().run(steps):
                yield snap
                if snap.step == stop:
                    raise KeyboardInterrupt
    return Interrupted


# --- the bar itself -------------------------------------------------------------------------------

@pytest.fixture
def frozen_clock(monkeypatch):
    """A clock that never moves: after the first drawing, only a forced one draws."""
    monkeypatch.setattr(report.time, "monotonic", lambda: 1000.0)


def test_the_bar_is_left_where_the_run_stopped(frozen_clock):
    stream = io.StringIO()
    bar = report.Progress(2_000_000, stream)
    bar.update(10)
    bar.update(63_391)  # not drawn: within a tenth of a second of the last drawing
    assert "63,391" not in stream.getvalue()
    bar.close()  # Ctrl+C: close shows the last step reported, not 100%
    assert stream.getvalue().endswith("\n")
    assert last_frame(stream.getvalue()) == f"[{'.' * 30}]   3%  step 63,391/2,000,000"


def test_a_finished_bar_is_full(frozen_clock):
    stream = io.StringIO()
    bar = report.Progress(5000, stream)
    bar.update(5000)
    bar.close()
    assert last_frame(stream.getvalue()) == f"[{'#' * 30}] 100%  step 5,000/5,000"


def test_a_bar_closed_before_any_step_is_empty(frozen_clock):
    stream = io.StringIO()
    report.Progress(1000, stream).close()
    assert stream.getvalue() == f"\r[{'.' * 30}]   0%  step 0/1,000\n"


# --- the CLI's own messages -------------------------------------------------------------------------

def test_ctrl_c_leaves_the_bar_at_its_step_and_says_it_with_a_separator(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(hnn_cli, "Session", interrupted_at(1234))
    code, out = cli("run", "neuron", "--steps", "5000")
    assert code == 130
    err = terminal.getvalue()
    frames, message = err.rsplit("\n", 2)[0], err.rsplit("\n", 2)[1]
    assert last_frame(frames) == f"[{'#' * 7}{'.' * 23}]  24%  step 1,234/5,000"  # 30 * 1234 / 5000 = 7.4
    assert "100%" not in frames and "5,000/5,000" not in frames
    assert message == "hnn-tui: interrupted after step 1,234; the last finite state is step 1,234"
    assert out.splitlines()[0].endswith("| 5,000 steps | seed 0 | every 250th step shown")


def test_ctrl_c_with_json_keeps_plain_integers_there(monkeypatch, capsys):
    monkeypatch.setattr(hnn_cli, "Session", interrupted_at(1234))
    code, out = cli("run", "neuron", "--steps", "5000", "--json")
    assert code == 130
    summary = json_lines(out)[-1]["summary"]
    assert (summary["steps"], summary["stopped"]) == (1234, "interrupted after step 1,234")  # words; numbers plain
    assert capsys.readouterr().err == "hnn-tui: interrupted after step 1,234; the last finite state is step 1,234\n"


def test_a_divergence_after_a_thousand_steps(tmp_path, capsys):
    # step numbers are written one way in words, the engine's included: 1,006
    path = tmp_path / "slow.toml"
    path.write_text(SLOW_BLOWUP)
    code, out = cli("run", path)
    assert code == 1
    assert capsys.readouterr().err == ("hnn-tui: diverged at step 1,006: wire 'exp(x)' has value inf; "
                                       "the last finite state is step 1,005\n")
    code, out = cli("run", path, "--json")
    assert json_lines(out)[-1]["summary"]["steps"] == 1005
