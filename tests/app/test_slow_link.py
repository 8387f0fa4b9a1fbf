"""A slow link: the app paints no faster than the terminal takes it in, so a key's effect never queues behind old
frames. The relay (benchmarks/slow_link.py) passes the app's output on at a set rate and answers its DSR questions
as a terminal does; benchmarks/slow_link.py measures the full table, these keep loose bounds."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT

from hnn_tui.terminal_link import LAG_BUDGET, LOST, WINDOW, LinkMeter

sys.path.insert(0, str(ROOT / "benchmarks"))
from slow_link import Relay, Screen, hnn_tui  # noqa: E402

HNN = Path(hnn_tui())


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


# --- the meter, on a fake clock ------------------------------------------------------------------------------

def test_one_question_at_a_time_and_behind_while_it_is_old():
    clock = Clock()
    m = LinkMeter(clock)
    assert m.should_ask() and not m.should_ask()  # one in flight
    clock.now += LAG_BUDGET * 2
    assert not m.behind()  # nothing waits before the terminal has answered once
    m.answered()
    assert m.rtt == pytest.approx(LAG_BUDGET * 2) and m.should_ask()
    assert not m.behind()  # just asked: not behind yet
    clock.now += LAG_BUDGET * 2
    assert m.behind()
    m.answered()
    assert not m.behind()


def test_a_terminal_that_never_answers_turns_the_pacing_off():
    clock = Clock()
    m = LinkMeter(clock)
    assert m.should_ask()
    clock.now += LOST + 0.1
    assert not m.behind()  # given up on
    assert not m.should_ask() and not m.enabled  # and never asked again: the app paints as it always did
    clock.now += 1
    assert not m.behind()


def test_a_lost_question_after_answers_is_asked_again():
    clock = Clock()
    m = LinkMeter(clock)
    m.should_ask()
    m.answered()
    assert m.should_ask()
    clock.now += LOST + 0.1
    assert m.should_ask() and m.enabled  # a very slow link, not a mute terminal: ask anew


def test_the_frame_rate_is_reported_only_while_the_link_holds_frames_back_and_it_fell():
    clock = Clock()
    m = LinkMeter(clock)
    for _ in range(6):
        m.painted()
        clock.now += 0.1
    assert m.slowed_to() is None
    m.held()
    assert m.slowed_to() == pytest.approx(6 / WINDOW)  # 3 frames/s
    clock.now += WINDOW + 0.1
    assert m.slowed_to() is None
    for _ in range(24):  # 12 frames/s, one held now and then: the rate did not fall, nothing to say
        m.painted()
        clock.now += 1 / 12
    m.held()
    assert m.slowed_to() is None


# --- the real app behind a relay ------------------------------------------------------------------------------

def run_and_press(rate: float | None, answer: bool, presses: int = 3, seconds: float = 3.0) -> tuple[list, str]:
    """neural_net at 120x30 at full speed behind the link; each key press's seconds until the far terminal's
    screen shows its effect; and every state line the screen showed during the run (sampled)."""
    screen = Screen(120, 30)
    relay = Relay([str(HNN), "neural_net"], 120, 30, rate, screen.feed)
    relay.answer = answer
    latencies = []
    try:
        def arrived(text: str, deadline: float) -> float:
            t0 = time.monotonic()
            while text not in screen.text():
                assert time.monotonic() - t0 < deadline, f"{text!r} not on screen within {deadline} s"
                relay.pump(0.005)
            return time.monotonic() - t0

        arrived("forward passes", 20)
        relay.send(b"....")
        arrived("speed max", 20)
        relay.send(b" ")
        end, seen = time.monotonic() + seconds, set()
        while time.monotonic() < end:
            relay.pump(0.01)
            seen.add(screen.text().splitlines()[2])  # the state line: running, and what the link allows
        for i in range(presses):
            key, want = [(b"=", "step size 0.02 "), (b"-", "step size 0.01 ")][i % 2]
            relay.send(key)
            latencies.append(arrived(want, 10))
        return latencies, "\n".join(sorted(seen))
    finally:
        relay.close()


@pytest.mark.slow
@pytest.mark.skipif(not HNN.exists(), reason="needs the installed hnn-tui")
@pytest.mark.parametrize("rate", [64_000, 16_000])
def test_behind_a_slow_link_a_key_shows_within_a_second(rate):
    latencies, status = run_and_press(rate, answer=True)
    assert max(latencies) < 1.0, latencies
    if rate == 16_000:  # well below what a full-speed run paints: frames are held back, and it says so
        assert "slow link:" in status and "frames/s" in status


@pytest.mark.slow
@pytest.mark.skipif(not HNN.exists(), reason="needs the installed hnn-tui")
def test_a_terminal_that_does_not_answer_still_gets_every_frame_on_a_fast_link():
    latencies, status = run_and_press(None, answer=False, presses=2, seconds=1.0)
    assert max(latencies) < 1.0, latencies
    assert "slow link:" not in status
