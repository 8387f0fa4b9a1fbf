"""A wide model in the app (micrograd's 2-16-16-1 mlp): the UI stays responsive and the knobs mean what they say."""
from __future__ import annotations

import time

import pytest
from helpers import wait_for

from hnn_tui.app import HnnApp
from hnn_tui.engine.runner import is_costly, ladder
from hnn_tui.widgets.number_tables import ParamTable

MLP = """
title = "a wide mlp"
kind = "classifier"
strategy = "analytic"
steps = 10
[model]
type = "mlp"
layers = [16, 16]
batch = "full"
init_scale = 1.0
[data]
dataset = "moons"
n = 60
[settings]
step_size = 1.0
step_size_end = 0.1
"""


@pytest.fixture
def mlp_file(tmp_path):
    path = tmp_path / "mlp.toml"
    path.write_text(MLP)
    return str(path)


async def test_the_parameter_table_shows_a_bounded_number_of_columns(mlp_file):
    app = HnnApp(mlp_file)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(ParamTable)
        n = len(app.screen.snapshot.values)
        assert n == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1  # 337 parameters
        await pilot.press("s")
        await pilot.pause()
        assert app.screen.snapshot.step == 1
        lines = str(table.render()).splitlines()
        names = [cell for ln in lines if ln.startswith("parameter") for cell in ln.split()[1:]]
        assert names == list(app.screen.snapshot.values)[:len(names)] and 10 < len(names) < 40  # two blocks
        assert lines[-1] == f"… and {n - len(names)} more parameters (hnn-tui run --json lists them all)"
        assert all(len(ln) <= table.content_size.width for ln in lines[:-1])  # no column cut off


async def test_a_costly_step_runs_off_the_ui_thread_and_reset_does_not_wait_for_it(mlp_file):
    app = HnnApp(mlp_file)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("2")  # the numerical gradient: 338 forwards of 60 points each, per step
        assert is_costly(screen.session)
        t0 = time.perf_counter()
        await pilot.press("s")
        await wait_for(pilot, lambda: screen.snapshot.step == 1, timeout=20)
        assert screen.snapshot.forward_passes == 60 * (337 + 1)
        await pilot.press("s")  # and while that second step is under way, reset
        await pilot.press("r")
        assert screen.snapshot.step == 0
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.snapshot.step == 0  # the step that was under way was dropped
        assert time.perf_counter() - t0 < 15


async def test_the_step_size_knob_takes_over_from_a_schedule(mlp_file):
    app = HnnApp(mlp_file)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.advance(5)
        now = screen.session.scheduled().step_size  # 1.0 falling to 0.1 over 10 steps: 0.55 at step 5
        assert now == pytest.approx(0.55)
        await pilot.press("minus")
        st = screen.session.settings
        assert st.step_size_end is None and st.step_size == ladder(now, False) == 0.5
        screen.advance(10)  # past the schedule's end the knob's value still holds
        assert screen.session.scheduled().step_size == 0.5
