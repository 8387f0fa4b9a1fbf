"""Long runs, headless, scaled down (the neuron for 100,000 steps, the net for 10,000): memory stays
bounded (the History keeps a fixed resolution) and the last tenth is not much slower than the first.
The full-size runs (1,000,000 and 100,000 steps) are `python tools/long_run.py`."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from long_run import long_run  # noqa: E402

KIB = 1024


@pytest.mark.slow
@pytest.mark.parametrize("name,steps", [("neuron", 100_000), ("neural_net", 10_000)])
def test_memory_stays_bounded_and_steps_do_not_slow_down(name, steps):
    r = long_run(name, steps)
    assert r["steps"] == steps
    # The history holds at most its capacity, sampled over the whole run (its last sample near the end).
    assert r["history"] < r["history_capacity"] and r["last_history_step"] > steps * 0.9
    # Memory: whatever the first fifth allocated, the other four fifths add (almost) nothing. (Not the first tenth:
    # the histories may still be filling to their capacity then; run alone, the net's grew 88 KiB in its second.)
    growth = r["memory"][-1] - r["memory"][1]
    assert growth < 64 * KIB, f"memory grew by {growth / KIB:.1f} KiB after the first fifth: {r['memory']}"
    assert r["peak"] < 4 * 1024 * KIB, f"peak {r['peak'] / KIB:.0f} KiB"
    # Time: the last tenth runs at least half as fast as the first (2 cores, other tests running: loose).
    first, last = max(r["rates"][:2]), max(r["rates"][-2:])
    assert last > first / 2, f"steps/s went from {first:,.0f} to {last:,.0f}"


def test_the_check_can_fail():
    # The same measurement catches a leak: a list that keeps every snapshot grows with the run.
    import tracemalloc

    from hnn_tui.engine import Session, load_scenario

    s = Session(load_scenario("neuron"))
    kept = []
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(2000):
        kept.append(s.step())
    first = tracemalloc.get_traced_memory()[0] - base
    for _ in range(18000):
        kept.append(s.step())
    last = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert last - first > 64 * KIB
