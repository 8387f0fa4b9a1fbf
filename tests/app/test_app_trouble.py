"""Runs that go non-finite, in the app: the run stops at that step and names the wire, nothing
non-finite reaches a chart, and `r` recovers."""
from __future__ import annotations

import math

import pytest
from cases import TROUBLE, TROUBLE_IDS
from helpers import SIZE, status_text, wait_for

from hnn_tui.app import HnnApp
from hnn_tui.screens.playground import PlaygroundScreen
from hnn_tui.widgets.charts import HistoryChart


@pytest.fixture
def plotted(monkeypatch):
    """Every value any chart was asked to draw."""
    seen = []
    real = HistoryChart.show

    def spy(self, history, marks=(), second=None):
        seen.extend(history.values)
        if second is not None:
            seen.extend(second[2].values)
        return real(self, history, marks, second)

    monkeypatch.setattr(HistoryChart, "show", spy)
    return seen


@pytest.mark.parametrize("case,text,step,names", TROUBLE, ids=TROUBLE_IDS)
async def test_the_app_stops_the_run_names_the_step_and_resets(case, text, step, names, tmp_path, plotted, notices):
    path = tmp_path / "trouble.toml"
    path.write_text(text)
    app = HnnApp(str(path))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, PlaygroundScreen)
        start = dict(screen.snapshot.values)
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.snapshot.diverged is not None)
        await app.workers.wait_for_complete()
        await pilot.pause(0.15)
        assert not screen.running and screen.session.step_count == step  # stopped itself, at that step
        status = status_text(app)
        assert f"diverged at step {step}" in status and names in status and "press r to reset" in status
        assert f"diverged at step {step}: {names}. Press r to reset." in notices
        notices.clear()
        await pilot.press("space", "s")  # refused, with a message, while diverged
        assert screen.session.step_count == step
        assert notices == [f"diverged at step {step}: {names}; press r to reset"] * 2
        assert plotted and all(math.isfinite(v) for v in plotted)
        assert max(screen.panel.outputs.steps) == step - 1  # the divergent step is not on the chart
        await pilot.press("r")
        assert screen.snapshot.step == 0 and dict(screen.snapshot.values) == start
        assert screen.snapshot.diverged is None and screen.panel.outputs.steps == [0]
        await pilot.press("s")
        assert screen.snapshot.step == 1
    assert all(math.isfinite(v) for v in plotted)


async def test_h_cannot_be_turned_down_to_zero_in_the_app():
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", *["h"] * 30)
        assert app.screen.session.settings.h > 0
        await pilot.press("s")
        assert app.screen.snapshot.step == 1 and app.screen.snapshot.diverged is None
