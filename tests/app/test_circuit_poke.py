"""The circuit made pokeable (panels.circuit): nudge and type inputs, pull on the output, walk through a pass gate
by gate, edit the expression; every number on the tree checked against a fresh engine pass."""
from __future__ import annotations

import re

import pytest
from helpers import SIZE, status_text
from textual.widgets import Input, Static

from hnn_tui.app import HnnApp
from hnn_tui.engine import Session, build_circuit, load_scenario
from hnn_tui.numbers import num
from hnn_tui.screens.playground import PlaygroundScreen
from hnn_tui.screens.prompt import Prompt
from hnn_tui.widgets.circuit_view import CircuitView

WIRE = re.compile(r"(?:[│├└─ ]*)(.+?) = (\S+)(?: ∇≈? (.+?))?\s*$")


def tree(app) -> dict[str, tuple[str, str | None]]:
    """Each wire on the tree: label -> (value, gradient) as shown."""
    rows = {}
    for line in str(app.screen.query_one(CircuitView).render()).splitlines()[2:]:  # below the legend
        m = WIRE.match(line.split("  ←")[0].split("  ◀")[0])
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3))
    return rows


def fresh_pass(expression: str, inputs: dict, wires: dict, pull: float = 1.0) -> dict[str, tuple[str, str]]:
    """What the tree must show: a new circuit, one forward and one backward pass started from `pull`."""
    c = build_circuit(expression, inputs, wires)
    c.forward()
    c.propagate(pull)
    return {u.name: (num(u.value), num(u.grad)) for u in c.units}


TWO_GATES = ("(x + y) * z", {"q": "x + y", "f": "(x + y) * z"})


async def test_nudging_an_input_reruns_both_passes_and_is_not_a_step():
    app = HnnApp("two_gates")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.panel.selected_input() == "x"  # the cursor starts on the first input
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        await pilot.pause()
        assert screen.session.current.values["x"] == -1.7  # three nudges of 0.1, exactly (no float dust)
        assert tree(app) == fresh_pass(*TWO_GATES[:1], {"x": -1.7, "y": 5, "z": -4}, TWO_GATES[1])
        snap = screen.snapshot
        assert (snap.step, snap.forward_passes, snap.backward_passes) == (0, 0, 0)  # nudges spend nothing
        assert "nudges 3 (not steps)" in status_text(app)
        assert [round(v, 9) for _, v in screen.panel.nudges] == [-12.4, -12.8, -13.2]  # the chart's new points

        await pilot.press("right_curly_bracket", "down", "left_square_bracket")  # nudge 0.2, on y: down
        await pilot.pause()
        assert screen.session.current.values["y"] == 4.8
        assert tree(app) == fresh_pass(*TWO_GATES[:1], {"x": -1.7, "y": 4.8, "z": -4}, TWO_GATES[1])

        twin = Session(load_scenario("two_gates"))  # a step after the nudges starts from the nudged values
        twin.set_input("x", -1.7)
        twin.set_input("y", 4.8)
        await pilot.press("s")
        await pilot.pause()
        assert dict(screen.snapshot.values) == pytest.approx(dict(twin.step().values), abs=1e-15)


async def test_a_wire_made_by_a_gate_cannot_be_nudged(notices):
    app = HnnApp("two_gates")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("up", "right_square_bracket")  # up from x: q = x + y
        await pilot.pause()
        assert app.screen.panel.selected_input() is None
        assert app.screen.session.pokes == 0
        assert any("q is computed by a gate" in n for n in notices)


async def test_the_pull_scales_and_flips_every_gradient_and_the_step():
    app = HnnApp("two_gates")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        at = {"x": -2, "y": 5, "z": -4}
        for key, pull in (("p", 2.0), ("p", -1.0), ("p", 0.0), ("p", 1.0), ("P", 0.0), ("P", -1.0)):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen.session.settings.pull == pull
            assert tree(app) == fresh_pass(*TWO_GATES[:1], at, TWO_GATES[1], pull)
            assert f"pull {'0' if pull == 0 else f'{pull:+g}'}" in str(app.screen.query_one(CircuitView).render())
        await pilot.press("s")  # with a pull of -1 backprop's step goes down: the output falls from -12
        await pilot.pause()
        twin = Session(load_scenario("two_gates"))
        twin.set_settings(pull=-1.0)
        expected = twin.step()
        assert dict(app.screen.snapshot.values) == pytest.approx(dict(expected.values), abs=1e-15)
        assert app.screen.snapshot.output < -12


async def test_the_numerical_estimate_is_pulled_too():
    app = HnnApp("two_gates")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p", "2", "s")  # pull +2, one numerical step
        await pilot.pause()
        shown = tree(app)
        values = app.screen.snapshot.values
        expected = fresh_pass(*TWO_GATES[:1], dict(values), TWO_GATES[1], 2.0)
        for name in "xyz":  # the estimate of 2 x d f / d input, to the display's 4 decimals
            assert float(shown[name][1]) == pytest.approx(float(expected[name][1]), abs=1e-4)
        assert "∇≈" in str(app.screen.query_one(CircuitView).render())


def walk_text(app) -> str:
    return str(app.screen.query_one("#walk", Static).render())


def products(text: str) -> list[tuple[str, float, float, float]]:
    """Each 'name += local × upstream = added' the walk shows."""
    return [(m[0], float(m[1]), float(m[2]), float(m[3]))
            for m in re.findall(r"(\w+) \+= (\S+) × (\S+) = (\S+?)(?:;|$)", text, re.M)]


async def test_walking_the_two_gate_circuit_shows_each_product_of_the_chain_rule():
    app = HnnApp("two_gates")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w")
        await pilot.pause()
        assert tree(app)["f"] == ("?", None) and tree(app)["q"] == ("?", None)  # nothing computed yet
        assert tree(app)["x"] == ("-2", None)
        await pilot.press("right")
        await pilot.pause()
        assert tree(app)["q"] == ("3", None) and tree(app)["f"] == ("?", None)
        assert "q = (x = -2) + (y = 5) = 3" in walk_text(app)
        await pilot.press("right")
        await pilot.pause()
        assert tree(app)["f"] == ("-12", None)
        assert "f = (q = 3) * (z = -4) = -12" in walk_text(app)

        await pilot.press("right")  # backward 1: the * gate
        await pilot.pause()
        text = walk_text(app)
        assert "gradient from above: ∇ f = 1" in text
        assert "∂f/∂q = -4, ∂f/∂z = 3" in text
        assert products(text) == [("q", -4, 1, -4), ("z", 3, 1, 3)]
        shown = tree(app)
        assert shown["f"][1] == "1" and shown["q"][1] == "-4" and shown["z"][1] == "3" and shown["x"][1] is None

        await pilot.press("right")  # backward 2: the + gate, the end of the pass
        await pilot.pause()
        text = walk_text(app)
        assert "gradient from above: ∇ q = -4" in text and "∂q/∂x = 1, ∂q/∂y = 1" in text
        assert products(text) == [("x", 1, -4, -4), ("y", 1, -4, -4)]
        assert tree(app) == fresh_pass(*TWO_GATES[:1], {"x": -2, "y": 5, "z": -4}, TWO_GATES[1])
        await pilot.press("right")  # the end holds
        await pilot.pause()
        assert products(walk_text(app)) == [("x", 1, -4, -4), ("y", 1, -4, -4)]

        await pilot.press("left")
        await pilot.pause()
        assert products(walk_text(app)) == [("q", -4, 1, -4), ("z", 3, 1, 3)]
        await pilot.press("escape")  # leaves the walk, not the screen
        await pilot.pause()
        assert isinstance(app.screen, PlaygroundScreen) and app.screen.panel.walk is None
        assert not app.screen.query_one("#walk").display
        assert tree(app)["x"] == ("-2", "-4")


async def test_a_wire_that_feeds_two_gates_shows_both_contributions_and_their_sum():
    app = HnnApp("two_gates")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one(Input).value = "x*y + x; y=3"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        await pilot.press("w", *["right"] * 4)  # 2 gates forward, 2 backward
        await pilot.pause()
        shown = tree(app)
        assert shown["x"][1] == "1 + 3 = 4"  # from + (1 x 1), then from * (y = 3 x 1)
        assert "x feeds 2 gates: ∇ 1 + 3 = 4" in walk_text(app)


async def test_editing_the_expression_keeps_the_values_and_refuses_a_bad_one():
    app = HnnApp("two_gates")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket", "e")  # x = -1.9 first: the edit keeps it
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, Prompt) and prompt.query_one(Input).value == "(x + y) * z"
        prompt.query_one(Input).value = "x * (y"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is prompt  # refused: the question stays, with the column
        refusal = str(prompt.query_one("#prompt-error", Static).render())
        assert "column" in refusal, refusal
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.session.stage.expression == "(x + y) * z"  # the old circuit, as it was
        assert app.screen.session.current.values["x"] == -1.9

        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one(Input).value = "x*y + x; w=2"
        await pilot.press("enter")
        await pilot.pause()
        assert "w is not an input of 'x*y + x'" in str(app.screen.query_one("#prompt-error").render())
        app.screen.query_one(Input).value = "x*y + x"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PlaygroundScreen) and screen.session.stage.expression == "x*y + x"
        assert dict(screen.session.current.values) == {"x": -1.9, "y": 5.0}
        assert tree(app) == fresh_pass("x*y + x", {"x": -1.9, "y": 5.0}, {})
        await pilot.press("3", "s")  # the new circuit steps
        await pilot.pause()
        assert screen.snapshot.step == 1 and screen.snapshot.values["x"] == pytest.approx(-1.9 + 0.01 * 6)


async def test_typing_a_value():
    app = HnnApp("two_gates")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await pilot.pause()
        prompt = app.screen
        prompt.query_one(Input).value = "abc"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is prompt and "expected a number for x" in str(prompt.query_one("#prompt-error").render())
        prompt.query_one(Input).value = "[1]x[/b] {2"  # brackets typed are shown as typed, never read as markup
        await pilot.press("enter")
        await pilot.pause()
        assert "got '[1]x[/b] {2'" in str(prompt.query_one("#prompt-error").render())
        prompt.query_one(Input).value = "2.5"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlaygroundScreen)
        assert app.screen.session.current.values["x"] == 2.5
        assert tree(app) == fresh_pass(*TWO_GATES[:1], {"x": 2.5, "y": 5, "z": -4}, TWO_GATES[1])


async def test_a_tall_tree_follows_the_cursor_and_the_walk():
    app = HnnApp("svm_cost")  # 58 tree lines: more than 40 rows hold
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*["down"] * 30)
        await pilot.pause()
        text = str(app.screen.query_one(CircuitView).render())
        assert "◀" in text and "more above (↑)" in text and "more below (↓)" in text
        view = app.screen.query_one(CircuitView)
        assert len(text.splitlines()) <= view.content_size.height
        await pilot.press("w", *["right"] * 33)  # deep in the backward pass: its gate is in view
        await pilot.pause()
        assert "◀ here" in str(view.render())


async def test_the_table_follows_a_nudge_taken_during_a_walk():
    app = HnnApp("two_gates")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", "right_square_bracket")
        await pilot.pause()
        rows = {r.split()[0]: r.split() for r in str(app.screen.query_one("#inputs").render()).splitlines()[1:]}
        assert rows["x"][1] == "-1.9000"
        await pilot.press("w")
        await pilot.pause()
        assert tree(app)["x"] == ("-1.9000", "-4")


async def test_a_value_that_breaks_the_circuit_is_refused_and_the_circuit_stays():
    app = HnnApp("sigmoid_long_way")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await pilot.pause()
        prompt = app.screen
        prompt.query_one(Input).value = "-710"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is prompt
        assert "refused: wire 'exp(-x)' has value inf there" in str(prompt.query_one("#prompt-error").render())
        await pilot.press("escape", "right_square_bracket")
        await pilot.pause()
        assert app.screen.session.current.values["x"] == 3.1 and not app.screen.snapshot.diverged


async def test_a_constant_is_not_an_input(notices):
    app = HnnApp("backward_flow")  # (x*y + max(z, w)) * 2: the line after q is the constant 2
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = app.screen.query_one(CircuitView).lines_to_wires
        labels = app.screen.session.stage.labels
        target = next(n for n, i in enumerate(lines) if labels[i] == "2")
        await pilot.press(*["up"] * 20, *["down"] * target, "right_square_bracket")
        await pilot.pause()
        assert any("2 is a constant of the expression" in n for n in notices)
        assert "∇" not in next(ln for ln in str(app.screen.query_one(CircuitView).render()).splitlines()
                               if ln.rstrip(" ◀").endswith("2 = 2"))


async def test_the_line_starts_a_step_from_where_the_nudges_left_the_output(monkeypatch):
    from plotext._figure import _figure_class as Plot
    seen = {}
    real = Plot.plot

    def spy(self, *args, **kwargs):
        seen["line"] = list(zip(*args[:2]))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Plot, "plot", spy)
    app = HnnApp("two_gates")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket", "right_square_bracket", "s")
        await pilot.pause()
        (s0, v0), (s1, v1) = seen["line"]
        assert (s0, round(v0, 9)) == (0, -12.8) and s1 == 1 and v1 > v0  # the step went up from -12.8


async def test_r_undoes_an_edit_and_the_nudge_size_R_keeps_the_edited_circuit():
    app = HnnApp("two_gates")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_curly_bracket", "right_square_bracket", "e")
        await pilot.pause()
        app.screen.query_one(Input).value = "x*y + x"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        await pilot.press("R")
        await pilot.pause()
        assert screen.session.stage.expression == "x*y + x" and screen.session.current.values["x"] == -1.8
        await pilot.press("r")
        await pilot.pause()
        assert screen.session.stage.expression == "(x + y) * z" and screen.session.current.values["x"] == -2
        assert screen.panel.nudge_size == 0.1
