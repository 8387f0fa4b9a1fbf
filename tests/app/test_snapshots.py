"""Snapshot tests: each screen at a fixed seed and size, compared with the accepted SVG."""
from __future__ import annotations

from helpers import SIZE

from hnn_tui.app import HnnApp


def test_picker(snap_compare):
    assert snap_compare(HnnApp(), terminal_size=SIZE)


def test_two_gates_after_one_analytic_step(snap_compare):
    assert snap_compare(HnnApp("two_gates"), press=["3", "s"], terminal_size=SIZE)


def test_neuron_after_one_numerical_step(snap_compare):
    assert snap_compare(HnnApp("neuron"), press=["2", "s"], terminal_size=SIZE)


def test_svm_after_training(snap_compare):
    async def train(pilot):
        pilot.app.screen.advance(400)
        await pilot.pause()

    assert snap_compare(HnnApp("svm", seed=0), run_before=train, terminal_size=SIZE)


def test_neural_net_after_training_at_80x24(snap_compare):
    async def train(pilot):
        pilot.app.screen.advance(2000)
        await pilot.pause()

    assert snap_compare(HnnApp("neural_net", seed=0), run_before=train, terminal_size=(80, 24))


def test_help(snap_compare):
    assert snap_compare(HnnApp("neuron"), press=["question_mark"], terminal_size=SIZE)
