"""Pilot tests: real key presses against the app, asserting on the engine state the screen shows."""
from __future__ import annotations

import numpy as np
import pytest
from helpers import SIZE, status_text, wait_for
from textual.widgets import OptionList, Static

from hnn_tui.app import HnnApp
from hnn_tui.engine import Session, bundled_names, load_scenario
from hnn_tui.engine.runner import SPEEDS
from hnn_tui.screens.help import HelpScreen
from hnn_tui.screens.picker import PickerScreen
from hnn_tui.screens.playground import PlaygroundScreen
from hnn_tui.widgets.boundary_view import BoundaryView
from hnn_tui.widgets.circuit_view import CircuitView

KEYS = {"random": "1", "numerical": "2", "analytic": "3"}


def text_rows(widget) -> dict[str, list[str]]:
    """A text table's rows by their first cell."""
    return {cells[0]: cells for cells in (ln.split() for ln in str(widget.render()).splitlines()) if cells}


@pytest.mark.parametrize("name", bundled_names())
async def test_every_scenario_opens_from_the_picker_and_steps_with_each_strategy(name):
    app = HnnApp()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, PickerScreen)
        listing = app.screen.query_one(OptionList)
        for _ in range(bundled_names().index(name)):
            await pilot.press("down")
        assert listing.highlighted == bundled_names().index(name)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PlaygroundScreen) and screen.session.scenario.name == name
        twin = Session(load_scenario(name))  # the same steps, taken directly on the engine
        for strategy, key in KEYS.items():
            await pilot.press(key, "s")
            twin.set_strategy(strategy)
            expected = twin.step()
            shown = screen.snapshot
            assert shown.strategy == strategy
            assert dict(shown.values) == pytest.approx(dict(expected.values), abs=1e-12)
            assert (shown.grads is None) == (strategy == "random")
            if shown.grads is not None:
                assert dict(shown.grads) == pytest.approx(dict(expected.grads), abs=1e-12)
            assert (shown.forward_passes, shown.backward_passes) == (expected.forward_passes, expected.backward_passes)
            assert shown.measures == expected.measures
        await pilot.pause()
        text = status_text(app)
        assert f"forward passes {expected.forward_passes:,}" in text
        assert f"backward passes {expected.backward_passes:,}" in text
        assert "strategy analytic" in text and "step 3" in text


async def test_circuit_screen_shows_the_guide_numbers_after_one_analytic_step():
    app = HnnApp("two_gates")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "s")
        await pilot.pause()
        tree = str(app.screen.query_one(CircuitView).render())
        # the gradients at the new point: d/dq = z = -3.97, d/dz = q = 2.92 (the guide's -4 and 3 were at the start)
        assert "f = -11.5924 ∇ 1" in tree
        assert "q = 2.9200 ∇ -3.9700" in tree and "z = -3.9700 ∇ 2.9200" in tree
        table = text_rows(app.screen.query_one("#inputs"))
        assert table["x"][:2] == ["x", "-2.0400"]
        assert table["x"][2:4] == ["-3.9700", "-3.9700"]  # backprop and numerical agree with the tree


async def test_classifier_screen_reflects_training():
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.advance(400)
        await pilot.pause()
        twin = Session(load_scenario("svm"))
        final = list(twin.run(400))[-1]
        assert dict(screen.snapshot.values) == pytest.approx(dict(final.values), abs=1e-12)
        assert screen.snapshot.measures == final.measures
        outputs = screen.panel.outputs
        assert len(outputs) == 401 and outputs.values[-1] == pytest.approx(final.output)
        table = text_rows(screen.query_one("#params"))
        assert table["parameter"][1:4] == ["a", "b", "c"]
        assert table["value"][1] == f"{final.values['a']:.4f}"
        boundary = screen.query_one(BoundaryView)
        rows, cols = boundary.grid_shape
        w, h = boundary.size
        assert (rows, cols) == (2 * (h - 1), w - 7)  # the grid fills the plot area exactly
        assert f"accuracy {final.measures['accuracy']:.3f}" in status_text(app)


async def test_run_and_pause_with_the_worker():
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("full_stop", "full_stop", "full_stop", "full_stop")  # speed up to max
        assert screen.speed == 7
        await pilot.press("space")
        assert screen.running
        await wait_for(pilot, lambda: screen.snapshot.step >= 200)
        await pilot.press("space")
        assert not screen.running
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        paused_at = screen.session.step_count
        await pilot.pause(0.2)
        assert screen.session.step_count == paused_at  # nothing steps while paused
        assert screen.snapshot.step == paused_at  # and the screen shows the last step taken
        assert screen.snapshot.forward_passes == paused_at == screen.snapshot.backward_passes


async def test_reset_restores_the_start_even_mid_run():
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        start = screen.snapshot
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.snapshot.step >= 5)
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.running
        assert screen.snapshot.step == 0 and dict(screen.snapshot.values) == dict(start.values)
        assert screen.snapshot.forward_passes == 0 and len(screen.panel.outputs) == 1


async def test_knobs_change_the_settings_live():
    app = HnnApp("single_gate")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("plus", "h", "T", "T", "comma")
        st = app.screen.session.settings
        assert (st.step_size, st.h, st.tweak) == (0.02, 5e-05, 0.05)
        assert app.screen.speed == 3
        await pilot.press("3", "s")
        assert dict(app.screen.snapshot.values) == pytest.approx({"x": -2 + 0.02 * 3, "y": 3 + 0.02 * -2})
        await pilot.pause()
        assert "step size 0.02" in status_text(app) and "h 5e-05" in status_text(app)


async def test_divergence_pauses_and_names_the_step(tmp_path):
    f = tmp_path / "blowup.toml"
    f.write_text('title = "blow up"\nkind = "circuit"\n[circuit]\nexpression = "exp(x * x)"\n'
                 'inputs = { x = 2.0 }\n[settings]\nstep_size = 1000.0\n')
    app = HnnApp(str(f))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.snapshot.diverged is not None)
        await app.workers.wait_for_complete()
        assert not screen.running
        assert "diverged at step" in screen.snapshot.diverged
        await pilot.pause()
        assert "press r to reset" in status_text(app)
        await pilot.press("r")
        assert screen.snapshot.diverged is None and screen.snapshot.values["x"] == 2.0


async def test_quitting_mid_run_exits_cleanly():
    app = HnnApp("neural_net")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await wait_for(pilot, lambda: app.screen.snapshot.step > 3)
        await pilot.press("q")
    assert app.return_code == 0
    assert all(w.is_finished for w in app.workers)


async def test_help_and_back_to_the_picker():
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, PlaygroundScreen)
        await pilot.press("b")
        assert isinstance(app.screen, PickerScreen)


async def test_too_small_terminal_says_so():
    app = HnnApp("svm")
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-too-small")
        assert "needs at least 60x18" in str(app.screen.query_one("#too-small", Static).render())
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not app.screen.has_class("-too-small")


async def test_a_broken_file_in_the_folder_is_shown_and_the_rest_still_works(tmp_path, notices):
    (tmp_path / "broken.toml").write_text('title = "x"\nkind = "circuit"\n[circuit]\nexpression = "x.y"\n')
    app = HnnApp(folder=str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        listing = app.screen.query_one(OptionList)
        broken = len(bundled_names())
        assert str(listing.get_option_at_index(broken).prompt).startswith("⚠ broken.toml")
        for _ in range(broken):
            await pilot.press("down")
        await pilot.pause()
        assert "circuit.expression" in str(app.screen.query_one("#description", Static).render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)  # it refused, and said so
        assert any("circuit.expression" in n for n in notices)
        await pilot.press("up", "enter")
        assert isinstance(app.screen, PlaygroundScreen)


def test_region_and_point_colours_stay_apart_in_16_and_8_colour_terminals():
    from rich.color import Color, ColorSystem

    from hnn_tui.widgets.boundary_view import NEG_BG, POINT_STYLES, POS_BG

    standard = [Color.parse(c).downgrade(ColorSystem.STANDARD).number for c in (POS_BG, NEG_BG)]
    assert standard == [4, 1]  # blue and red, not two greys
    glyph_colours = {lab: style.split()[-1] for lab, (glyph, style) in POINT_STYLES.items()}
    points = {Color.parse(c).downgrade(ColorSystem.STANDARD).number % 8 for c in glyph_colours.values()}
    assert len(points) == 2 and not points & {4, 1}  # without bright colours, still two and off the regions
    assert POINT_STYLES[1][0] != POINT_STYLES[-1][0]  # and each class has its own glyph


async def test_huge_but_finite_outputs_do_not_break_the_chart():
    app = HnnApp("single_gate")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        app.screen.session.set_settings(step_size=1e100)  # x * y explodes to ~1e300 in a few steps
        app.screen.advance(2)
        await pilot.pause()
        assert abs(app.screen.snapshot.output) > 1e200 and app.screen.snapshot.diverged is None
        await pilot.pause(0.2)
        shot = app.export_screenshot()  # renders every widget: must not raise
        assert "clipped" in shot and "cannot draw" not in shot


async def test_a_run_keeps_the_set_speed_and_follows_a_change():
    # The run's pace is the runner's (engine/test_runner.py checks it on a fake clock); here, that the screen
    # hands it the speed the keys set, at the start and while it runs.
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("comma")  # 30/s -> 10/s
        assert SPEEDS[screen.speed] == 10
        await pilot.press("space")
        await pilot.pause(1.0)
        slow = screen.snapshot.step
        assert 3 <= slow <= 14, f"{slow} steps in a second at 10 steps/s"
        await pilot.press("full_stop", "full_stop", "full_stop")  # 100/s, 1000/s, max: while running
        await pilot.pause(1.0)
        assert screen.snapshot.step - slow > 200
        await pilot.press("space")
        await app.workers.wait_for_complete()


async def test_a_step_key_during_a_run_pauses_it_then_takes_one_step():
    # `s` mid-run: the run stops, its last steps still reach the chart, then exactly one more step is taken,
    # and the screen shows the session's newest state (not a late report of the run's).
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("full_stop")  # 100 steps/s
        for _ in range(5):
            await pilot.press("space")
            await wait_for(pilot, lambda: screen.snapshot.step >= 10)
            await pilot.press("s")
            await app.workers.wait_for_complete()
            await pilot.pause(0.1)
            assert not screen.running
            last = screen.session.step_count
            assert screen.snapshot is screen.session.current and screen.snapshot.step == last
            assert screen.panel.outputs.steps == list(range(last + 1))  # every step on the chart, no gap
            await pilot.press("r")


async def test_keys_after_a_divergence_the_screen_has_not_shown_yet_are_refused(tmp_path, notices):
    # The run's last report may still be on its way when a key arrives: the session's state decides.
    f = tmp_path / "blowup.toml"
    f.write_text('title = "blow up"\nkind = "circuit"\n[circuit]\nexpression = "exp(x)"\n'
                 'inputs = { x = 1.0 }\n[settings]\nstep_size = 100\n')
    app = HnnApp(str(f))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        list(screen.session.run(5))  # diverges at step 2, behind the screen's back
        assert screen.snapshot.step == 0 and screen.session.current.diverged
        await pilot.press("s", "space")
        assert screen.session.step_count == 2 and not screen.running
        assert notices == ["diverged at step 2: wire 'exp(x)' has value inf; press r to reset"] * 2
        await pilot.press("r")
        assert screen.snapshot.step == 0 and screen.snapshot.diverged is None


def test_every_lesson_kind_has_its_panel():
    from hnn_tui.engine.lessons import LESSONS
    from hnn_tui.panels import PANELS

    assert set(PANELS) == set(LESSONS)


async def test_the_boundary_shows_the_newest_values_after_two_steps_between_repaints():
    # Two snapshots shown before one repaint: the picture is the second's, not a grid scored for the first.
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        boundary = app.screen.query_one(BoundaryView)
        first, second = {"a": 1.0, "b": 0.0, "c": 0.5}, {"a": -1.0, "b": 0.0, "c": -0.5}  # opposite half-planes
        boundary.show(first)
        boundary.show(second)
        await pilot.pause()
        w, h = boundary.size
        boundary.render_line(0)  # builds the grid the screen shows
        expected = boundary._signs(w, h)
        assert boundary.values == second and np.array_equal(boundary._positive, expected)
