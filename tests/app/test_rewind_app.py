"""Rewind in the app: scrub keys show a past step whole (the panels draw the snapshot a fresh session has at that
step), `end` comes back, training from a past step drops what came after (the charts too), a scrub key pauses a
run, and quitting while rewound is clean."""
from __future__ import annotations

from helpers import SIZE, status_text, wait_for

from hnn_tui.app import HnnApp
from hnn_tui.engine import Session, load_scenario
from hnn_tui.numbers import num
from hnn_tui.widgets.circuit_view import CircuitView


def rows(widget) -> dict[str, list[str]]:
    """A text table's rows by their first cell."""
    return {cells[0]: cells for cells in (ln.split() for ln in str(widget.render()).splitlines()) if cells}


def fresh(name: str, steps: int, strategy: str = "analytic"):
    s = Session(load_scenario(name), strategy)
    list(s.run(steps))
    return s.current


async def test_scrub_keys_show_the_step_a_fresh_session_has_and_end_comes_back():
    app = HnnApp("two_gates")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("3")
        screen.advance(30)
        await pilot.pause()
        newest = str(screen.query_one(CircuitView).render())
        for keys, k in ((("less_than_sign",), 29), (("pageup",), 19), (("greater_than_sign",) * 2, 21),
                        (("pagedown",), 30 - 0), (("home",), 0), (("pagedown", "less_than_sign"), 9)):
            await pilot.press(*keys)
            await pilot.pause()
            want = fresh("two_gates", k)
            assert screen.snapshot.to_dict() == want.to_dict()
            assert screen.session.current is screen.snapshot and screen.session.newest == 30
            table = rows(screen.query_one("#inputs"))
            for name in ("x", "y", "z"):
                assert table[name][1] == num(want.values[name])
            tree = str(screen.query_one(CircuitView).render())
            assert f"f = {num(want.output)}" in tree
            text = status_text(app)
            if k < 30:
                assert f"step {k:,} of 30" in text and "rewound: s / space go on from here and drop the rest" in text
            else:
                assert "rewound" not in text and "step 30" in text and "of 30" not in text
        await pilot.press("end")
        await pilot.pause()
        assert screen.snapshot.step == 30 and "rewound" not in status_text(app)
        assert str(screen.query_one(CircuitView).render()) == newest
        assert len(screen.panel.outputs) == 31  # scrubbing keeps the whole run on the chart


async def test_a_classifier_rewinds_its_parameters_table_and_status():
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.advance(40)
        await pilot.press("pageup", "pageup", "less_than_sign")
        await pilot.pause()
        want = fresh("svm", 19)
        assert screen.snapshot.to_dict() == want.to_dict()
        table = rows(screen.query_one("#params"))
        assert table["value"][1:4] == [f"{want.values[p]:.4f}" for p in "abc"]
        assert f"accuracy {want.measures['accuracy']:.3f}" in status_text(app)
        assert "step 19 of 40" in status_text(app)


async def test_training_from_a_past_step_drops_the_future_and_the_charts_follow():
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("3")
        screen.advance(30)
        await pilot.press("pageup", "pageup", "s")
        await pilot.pause()
        assert screen.session.newest == screen.snapshot.step == 11
        assert screen.snapshot.to_dict() == fresh("neuron", 11).to_dict()
        assert screen.panel.outputs.steps == list(range(12))  # the chart dropped steps 11 to 30 of the old run
        assert "rewound" not in status_text(app) and "step 11" in status_text(app)
        await pilot.press("less_than_sign", "left_square_bracket")  # a nudge at a past step drops the rest too
        await pilot.pause()
        assert screen.session.newest == 10 == screen.snapshot.step
        assert screen.panel.outputs.steps == list(range(11)) and screen.panel.nudges[-1][0] == 10


async def test_a_scrub_key_pauses_a_run_then_goes_back():
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("full_stop", "space")  # 100 steps/s
        await wait_for(pilot, lambda: screen.snapshot.step >= 10)
        await pilot.press("less_than_sign")
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: screen.rewound_at is not None)
        assert not screen.running
        newest = screen.session.newest
        assert screen.snapshot.step == newest - 1 == screen.session.step_count
        assert screen.panel.outputs.steps == list(range(newest + 1))  # the run's last report reached the chart
        assert f"of {newest:,}" in status_text(app)


async def test_quitting_while_rewound_exits_cleanly():
    app = HnnApp("neural_net")
    async with app.run_test(size=SIZE) as pilot:
        app.screen.advance(12)
        await pilot.press("home")
        await pilot.pause()
        assert app.screen.snapshot.step == 0
        await pilot.press("q")
    assert app.return_code == 0


async def test_the_path_map_keeps_the_run_while_scrubbing_and_drops_the_rest_on_resuming():
    app = HnnApp("momentum_valley")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.advance(25)
        path = screen.panel.path_map.path
        await pilot.press("pageup", "less_than_sign")
        await pilot.pause()
        assert list(path.steps) == list(range(26))  # scrubbing: the whole path, the point at step 14
        assert screen.panel.path_map.values == dict(fresh("momentum_valley", 14).values)
        await pilot.press("s")
        await pilot.pause()
        assert list(path.steps) == list(range(16))
