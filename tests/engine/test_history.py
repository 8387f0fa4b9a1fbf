"""The bounded history the charts draw: every step until full, then per bucket of steps its lowest and its highest
value, so a long run's single peak or dip survives both the history's thinning and the chart's downsampling."""
from __future__ import annotations

import random

import pytest

from hnn_tui.engine import Session, load_scenario
from hnn_tui.engine.history import History


def pairs(h: History) -> list[tuple[int, float]]:
    return list(zip(h.steps, h.values))


def test_history_keeps_everything_until_full():
    h = History(capacity=10)
    for step in range(7):
        h.add(step, step * 0.5)
    assert h.steps == list(range(7)) and h.values[-1] == 3.0 and h.stride == 1 and len(h) == 7


def test_history_ignores_repeated_and_older_steps():
    h = History()
    h.add(0, 1.0)
    h.add(0, 2.0)
    h.add(5, 3.0)
    h.add(4, 9.0)
    assert pairs(h) == [(0, 1.0), (5, 3.0)]
    h.clear()
    assert pairs(h) == [] and len(h) == 0 and h.stride == 1
    h.add(0, 7.0)
    assert pairs(h) == [(0, 7.0)]


def test_history_needs_some_room():
    with pytest.raises(ValueError):
        History(capacity=7)
    with pytest.raises(ValueError):
        History().sample(3)


def test_a_single_peak_and_dip_in_a_million_steps_are_kept():
    # evenly thinning (every other sample at capacity) keeps steps that are multiples of a power of 2: an odd step's
    # 1.0 is gone after the first halving
    h = History(capacity=100)
    for step in range(1_000_000):
        h.add(step, 1.0 if step == 333_333 else -1.0 if step == 777_777 else 0.5)
        if step % 9973 == 0:
            assert len(h) <= 100
    assert len(h) <= 100 and h.stride > 1000
    assert (333_333, 1.0) in pairs(h) and (777_777, -1.0) in pairs(h)
    assert h.steps[0] == 0 and h.steps[-1] == 999_999  # the first sample and the latest
    assert h.steps == sorted(set(h.steps))
    steps, values = h.sample(20)
    assert (333_333, 1.0) in zip(steps, values) and (777_777, -1.0) in zip(steps, values)
    assert (steps[0], steps[-1]) == (0, 999_999) and len(steps) <= 20


def test_every_bucket_keeps_its_exact_lowest_and_highest_value():
    rng = random.Random(0)
    raw = [(step, rng.gauss(0, 1)) for step in range(200_000)]
    h = History(capacity=1000)
    for step, value in raw:
        h.add(step, value)
    assert len(h) <= 1000
    kept = set(pairs(h))
    buckets: dict[int, list[tuple[int, float]]] = {}
    for step, value in raw:
        buckets.setdefault(step // h.stride, []).append((step, value))
    for bucket in buckets.values():
        assert min(bucket, key=lambda p: p[1]) in kept and max(bucket, key=lambda p: p[1]) in kept
    assert raw[0] in kept and raw[-1] in kept
    per_bucket = [sum(1 for s in h.steps if s // h.stride == k) for k in buckets]
    assert max(per_bucket[1:-1]) <= 2  # the first bucket also keeps step 0; the open one also the latest
    assert len(buckets) >= 1000 // 4  # the resolution: at least a quarter of the room, in buckets


def test_sample_keeps_each_buckets_lowest_and_highest_in_step_order():
    h = History(capacity=1000)
    for step in range(500):
        h.add(step, 1000.0 if step == 1 else -1000.0 if step == 300 else float(step))
    steps, values = h.sample(11)  # the first, the latest, and 4 buckets of 125 steps: (11 - 2) // 2
    assert steps == [0, 1, 2, 125, 249, 300, 374, 375, 498, 499]
    assert values == [0.0, 1000.0, 2.0, 125.0, 249.0, -1000.0, 374.0, 375.0, 498.0, 499.0]
    assert h.sample(500) == (h.steps, h.values) == (list(range(500)), [v for v in h.values])


def test_the_svm_lessons_perfect_steps_survive_a_long_run_and_the_charts_sample():
    # the guide's SVM is right on all six points at steps 366 and 368 only, in its first 454 steps
    h = History()
    s = Session(load_scenario("svm"))
    h.add(0, s.current.measures["accuracy"])
    for snap in s.run(100_000):
        h.add(snap.step, snap.measures["accuracy"])
    assert len(h) <= 1000
    early = [(step, v) for step, v in pairs(h) if step <= 454 and v == 1.0]
    assert early and {step for step, _ in early} <= {366, 368}
    steps, values = h.sample(200)
    assert any(v == 1.0 and step in (366, 368) for step, v in zip(steps, values))
