"""The four circuit lessons after the first six: every number their descriptions claim, worked out by the engine.

bigger_step (the guide's "Bigger step is not always better" and its hill), backward_flow (its "Patterns in the
backward flow"), sigmoid_long_way (the sigmoid as the four gates it is made of) and svm_cost (chapter 2's cost
example). Each claim is checked twice: the number the engine gives is the one expected (the guide's, or worked out
by hand in the comment), and the description names exactly that number, so a changed file or engine fails here.
"""
from __future__ import annotations

import math

import pytest
from helpers import cli, json_lines

from hnn_tui.engine import GATES, STRATEGIES, Session, Unit, build_circuit, bundled_names, load_scenario
from hnn_tui.engine.datasets import GUIDE_COST
from hnn_tui.engine.objectives import hinge_pull, point_loss
from hnn_tui.engine.runner import ladder

NEW = {  # name: (order, title), in lesson order
    "bigger_step": (7, "A bigger step is not always better"),
    "backward_flow": (8, "Patterns in backward flow"),
    "sigmoid_long_way": (9, "Sigmoid the long way"),
    "svm_cost": (10, "The cost of the SVM's example"),
}


def description(name: str) -> str:
    return " ".join(load_scenario(name).description.split())


def session(name: str, strategy: str | None = None, **settings) -> Session:
    s = Session(load_scenario(name), strategy)
    if settings:
        s.set_settings(**settings)
    return s


def wire(snap, label: str) -> tuple[float, float | None]:
    """(value, grad) of the one wire called `label` in a circuit snapshot."""
    found = [(v, g) for name, v, g in snap.detail.wires if name == label]
    assert len(found) == 1, f"no single wire {label!r} in {[w[0] for w in snap.detail.wires]}"
    return found[0]


def grads_at(s: Session, pull: float | None = None) -> dict[str, float]:
    """Every wire's gradient at the values shown now, by backprop from the session's pull (what the circuit panel
    draws), by label; labels that are not unique (the constants) are left out."""
    labels = s.stage.labels
    grads = s.stage.wire_grads(s.current.values, s.settings.pull if pull is None else pull)
    return {label: g for label, g in zip(labels, grads) if labels.count(label) == 1}


def trace_at(s: Session):
    return s.stage.trace(s.current.values, s.settings.pull)


def backward_step(t, wire_label: str):
    """The backward pass's record of the gate whose output is `wire_label`."""
    found = [b for b in t.backward if b.wire == wire_label]
    assert len(found) == 1
    return found[0]


def presses(start: float, target: float) -> int:
    """How many presses of + take the step size from `start` to `target` (the 1-2-5 ladder)."""
    n, v = 0, start
    while v < target * 0.9999:
        v, n = ladder(v, True), n + 1
    assert v == pytest.approx(target, rel=1e-12)
    return n


# --- all four ---------------------------------------------------------------------------------------------------------

def test_the_four_lessons_list_after_the_first_six_in_the_guides_order():
    names = bundled_names()
    assert [n for n in names if n in NEW] == list(NEW)
    for name, (order, title) in NEW.items():
        sc = load_scenario(name)
        assert (sc.kind, sc.order, sc.title, sc.strategy) == ("circuit", order, title, "analytic")
    first, last = min(o for o, _ in NEW.values()), max(o for o, _ in NEW.values())
    before = [n for n in names if load_scenario(n).order < first]  # the guide's first six, then these four
    assert len(before) == 6 and names[len(before): len(before) + len(NEW)] == list(NEW)
    assert all(load_scenario(n).order > last for n in names[len(before) + len(NEW):])  # later lessons after


@pytest.mark.parametrize("strategy", list(STRATEGIES))
@pytest.mark.parametrize("name", list(NEW))
def test_every_strategy_runs_the_lessons_own_steps_without_diverging(name, strategy):
    sc = load_scenario(name)
    snaps = list(Session(sc, strategy).run(sc.steps))
    assert len(snaps) == sc.steps >= 1 and snaps[-1].step == sc.steps
    for snap in snaps:
        assert snap.diverged is None and math.isfinite(snap.output)
        assert all(math.isfinite(v) for v in snap.values.values())


@pytest.mark.parametrize("name", list(NEW))
def test_the_cli_runs_the_lesson_and_traces_its_circuit(name):
    sc = load_scenario(name)
    code, out = cli("run", name, "--json")
    rows = json_lines(out)
    assert code == 0 and len(rows) == sc.steps + 2  # step 0, every step, the summary
    assert rows[-1]["summary"]["stopped"] is None and rows[-1]["summary"]["steps"] == sc.steps
    assert rows[-1]["summary"]["output"] == list(Session(sc).run(sc.steps))[-1].output
    at = ",".join(f"{n}={v!r}" for n, v in sc.spec.inputs)
    code, out = cli("grad", sc.spec.expression, "--at", at, "--trace", "--pull", sc.settings.pull, "--json")
    result = json_lines(out)[0]
    assert code == 0 and result["kinks"] == [] and result["max_rel_error"] < 1e-6
    assert result["pull"] == sc.settings.pull and result["trace"]["backward"]
    first = Session(sc, "analytic").step()  # the lesson's own first backward pass: the same gradient
    assert result["analytic"] == pytest.approx(dict(first.grads), rel=1e-12, abs=1e-15)
    code, text = cli("grad", sc.spec.expression, "--at", at, "--trace", "--pull", sc.settings.pull)
    assert code == 0 and "backward pass, gate by gate" in text


# --- bigger_step: the hill --------------------------------------------------------------------------------------------

def climb(step_size: float, steps: int = 1, name: str = "bigger_step", strategy: str = "analytic"):
    """Snapshots of `steps` steps from the lesson's start with the step size changed (the app's + then R)."""
    s = session(name, strategy)
    s.set_step_size(step_size)
    return [s.current, *s.run(steps)]


def test_bigger_step_the_hill():
    sc = load_scenario("bigger_step")
    text = description("bigger_step")
    assert sc.spec.expression == "25 - (x*x + y*y)" and dict(sc.spec.inputs) == {"x": 3.0, "y": 4.0}
    assert build_circuit(sc.spec.expression, {"x": 0.0, "y": 0.0}).forward() == 25.0  # the top
    start = session("bigger_step").current
    assert start.output == 0.0
    assert ("the height of a round hill, 25 - (x*x + y*y), whose top, 25, is at x = y = 0. You start at its foot,"
            " x = 3, y = 4, height 0.") in text
    # d/dx (25 - x*x - y*y) = -2x: -6 and -8 at (3, 4)
    assert dict(session("bigger_step").step().grads) == {"x": -6.0, "y": -8.0}
    assert "The gradient [-2x, -2y] = [-6, -8] is the steepness at your feet" in text


def test_bigger_step_the_lessons_own_step_climbs():
    sc = load_scenario("bigger_step")
    assert (sc.settings.step_size, sc.steps, sc.strategy) == (0.1, 10, "analytic")
    snaps = climb(0.1, 10)
    # each step: x <- x + 0.1 * (-2x) = 0.8 x, so the distance to the top shrinks by a fifth: (2.4, 3.2), height 9;
    # after 10 steps the squared distance is 25 * 0.64^10 and the height 25 - 0.288 = 24.712
    one = snaps[1]
    assert (one.values["x"], one.values["y"], one.output) == pytest.approx((2.4, 3.2, 9.0), abs=1e-12)
    assert snaps[-1].output == pytest.approx(25 - 25 * 0.64**10, rel=1e-12)
    assert all(b.output > a.output for a, b in zip(snaps, snaps[1:]))
    text = description("bigger_step")
    assert (f"This lesson's step of 0.1 goes a fifth of the way: x = {one.values['x']:g}, y = {one.values['y']:g}, "
            f"height {one.output:g}, and ten such steps (press s ten times) climb to {snaps[-1].output:.2f}.") in text
    assert f"{snaps[-1].output:.2f}" == "24.71"


def test_bigger_step_the_ladder_of_step_sizes():
    # the app's + goes up the 1-2-5 ladder from the lesson's 0.1
    sizes = [0.1]
    for _ in range(4):
        sizes.append(ladder(sizes[-1], True))
    assert sizes == pytest.approx([0.1, 0.2, 0.5, 1.0, 2.0], rel=1e-12)
    assert "raise the step size with + (0.1, 0.2, 0.5, 1, 2) and press R to start again" in description("bigger_step")
    s = session("bigger_step")  # R: a new session at the start, with the knobs as they are
    s.set_step_size(2.0)
    again = s.restarted(keep_controls=True)
    assert again.settings.step_size == 2.0 and dict(again.current.values) == {"x": 3.0, "y": 4.0}


def test_bigger_step_larger_steps():
    text = description("bigger_step")
    # 0.2: x <- 0.6 x: (1.8, 2.4), squared distance 9, height 16
    assert climb(0.2)[1].output == pytest.approx(16.0, abs=1e-12)
    assert "At 0.2 one step reaches height 16." in text
    # 0.5: x <- 0 x: exactly the top
    top = climb(0.5)[1]
    assert dict(top.values) == {"x": 0.0, "y": 0.0} and top.output == 25.0
    assert "At 0.5 one step lands exactly on the top, 25." in text
    # 1: x <- -x: across the top to the same height, and back, forever
    bounce = climb(1.0, 10)
    assert [tuple(s.values.values()) for s in bounce] == [(3.0, 4.0), (-3.0, -4.0)] * 5 + [(3.0, 4.0)]
    assert {s.output for s in bounce} == {0.0}
    assert ("At 1 the step jumps right across the top to x = -3, y = -4, height 0 again, and the next one jumps back:"
            " it bounces forever.") in text
    # 2: x <- -3x: (-9, -12), height 25 - 225 = -200, and three times farther out every step
    fall = climb(2.0, 10)
    assert (fall[1].values["x"], fall[1].values["y"], fall[1].output) == (-9.0, -12.0, -200.0)
    assert "At 2 it lands at x = -9, y = -12, height -200: the big, overconfident step into a hole" in text
    dist = [math.hypot(*s.values.values()) for s in fall]
    assert [b / a for a, b in zip(dist, dist[1:])] == pytest.approx([3.0] * 10, rel=1e-12)
    assert all(b.output < a.output for a, b in zip(fall, fall[1:]))
    assert "and every step after it lands three times farther out." in text


def test_bigger_step_random_search_ignores_the_step_size():
    small, big = climb(0.1, 10, strategy="random"), climb(2.0, 10, strategy="random")
    assert [dict(s.values) for s in small] == [dict(s.values) for s in big]
    for a, b in zip(big, big[1:]):
        assert all(abs(b.values[n] - a.values[n]) <= 0.01 for n in a.values)
    assert load_scenario("bigger_step").settings.tweak == 0.01
    assert "(Random search, key 1, ignores the step size: it never moves more than the tweak, 0.01.)" in \
        description("bigger_step")


def test_bigger_step_the_guides_x_times_y():
    # single_gate, x * y at (-2, 3), gradient (3, -2): one step of size e gives (-2 + 3e)(3 - 2e) = -6 + 13e - 6e^2:
    # +1 at e = 1 (the guide printed -1), and -91 at e = 5, below the start's -6
    one, five = climb(1.0, name="single_gate")[1], climb(5.0, name="single_gate")[1]
    assert (one.values["x"], one.values["y"], one.output) == (1.0, 1.0, 1.0)
    assert (five.values["x"], five.values["y"], five.output) == (13.0, -7.0, -91.0)
    assert session("single_gate").current.output == -6.0 and load_scenario("single_gate").settings.step_size == 0.01
    assert (presses(0.01, 1.0), presses(0.01, 5.0)) == (6, 8)
    assert ("One step of 1 from x = -2, y = 3 does give x = y = 1 and output +1 (the guide printed -1), but a step of"
            " 5 gives x = 13, y = -7 and -91, far below the start's -6: try it in the lesson single_gate (press + six"
            " times for 1, eight times for 5).") in description("bigger_step")


# --- backward_flow: + distributes, max routes, * swaps and scales -----------------------------------------------------

FLOW = "(x*y + max(z, w)) * 2"


def test_backward_flow_forward():
    sc = load_scenario("backward_flow")
    assert sc.spec.expression == FLOW and dict(sc.spec.inputs) == {"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0}
    snap = session("backward_flow").current
    xy, m, q = (wire(snap, w)[0] for w in ("xy", "m", "q"))
    assert (xy, m, q, snap.output) == (-12.0, 2.0, -10.0, -20.0)  # 3 * -4, max(2, -1), -12 + 2, -10 * 2
    assert wire(snap, "f")[0] == snap.output
    assert (f"at x = 3, y = -4, z = 2, w = -1, so xy = {xy:g}, m = max(z, w) = {m:g}, q = xy + m = {q:g} and "
            f"f = {snap.output:g}.") in description("backward_flow")


def test_backward_flow_each_gate_does_its_pattern():
    s = session("backward_flow")
    g, t = grads_at(s), trace_at(s)
    text = description("backward_flow")
    assert s.settings.pull == 1.0 and g["f"] == 1.0
    assert "Backprop starts with a pull of +1 on f" in text
    # * 2 scales: q gets 2 x 1
    assert dict(backward_step(t, "f").local)["q"] == 2.0 and g["q"] == 2.0
    assert "The * gate with the constant 2 scales it: q gets 2." in text
    # + distributes: local derivatives 1 and 1
    assert dict(backward_step(t, "q").local) == {"xy": 1.0, "m": 1.0} and g["xy"] == g["m"] == g["q"]
    assert "The + gate distributes: xy and m both get that 2, unchanged." in text
    # max routes: all to the larger input z
    assert dict(backward_step(t, "m").local) == {"z": 1.0, "w": 0.0} and (g["z"], g["w"]) == (2.0, 0.0)
    assert "The max gate routes: z was the larger, so z gets all 2 and w gets 0" in text
    for nudge in (-0.1, 0.1):  # [ and ] on w: the output does not change
        assert session("backward_flow").set_input("w", -1.0 + nudge).output == -20.0
    assert "(nudge w with [ and ] and f does not notice)" in text
    # * swaps and scales: x gets y x 2, y gets x x 2
    assert dict(backward_step(t, "xy").local) == {"x": -4.0, "y": 3.0} and (g["x"], g["y"]) == (-8.0, 6.0)
    assert "The * gate of x*y swaps and scales: x gets y × 2 = -8 and y gets x × 2 = 6." in text
    assert [g[n] for n in "xyzw"] == [-8.0, 6.0, 2.0, 0.0]
    assert "The gradient on x, y, z, w is [-8, 6, 2, 0];" in text


def test_backward_flow_one_step():
    # 3 - 0.08, -4 + 0.06, 2 + 0.02, -1 + 0: 2 * (2.92 * -3.94 + 2.02) = -18.9696
    snap = session("backward_flow").step()
    v = snap.values
    assert (v["x"], v["y"], v["z"], v["w"]) == pytest.approx((2.92, -3.94, 2.02, -1.0), abs=1e-12)
    assert snap.output == pytest.approx(-18.9696, abs=1e-12)
    assert (f"one step of 0.01 gives x = {v['x']:.2f}, y = {v['y']:.2f}, z = {v['z']:.2f}, w = {v['w']:g} and "
            f"f = {snap.output:.2f}, up from -20.") in description("backward_flow")


def test_backward_flow_a_tie():
    text = description("backward_flow")
    s = session("backward_flow")
    tie = s.set_input("w", 2.0)  # v on w, 2
    assert wire(tie, "m")[0] == 2.0 and tie.values["z"] == tie.values["w"]
    g = grads_at(s)
    assert (g["z"], g["w"]) == (2.0, 0.0)  # the engine's max: all to its first input on a tie
    gate = GATES["max"](Unit(2.0), Unit(2.0))
    assert gate.local() == (1.0, 0.0)
    assert ("This engine's max sends the whole pull to its first input on a tie, so z still gets 2 and w 0; the "
            "guide's snippet (a === x ? dx : 0) would give both 2.") in text
    dx, out = 2.0, max(2.0, 2.0)  # the guide's snippet, with the pull of 2 that reaches the max
    assert (dx if tie.values["z"] == out else 0.0, dx if tie.values["w"] == out else 0.0) == (2.0, 2.0)
    # key 2: the forward difference the strategy steps with and the panel shows (settings.centered is false)
    assert s.settings.centered is False
    check = s.stage.check_gradient(tie.values, s.settings.h, s.settings.centered, s.settings.pull)
    assert (check["numerical"]["z"], check["numerical"]["w"]) == pytest.approx((2.0, 2.0), abs=1e-6)
    s.set_strategy("numerical")
    step = s.step()
    assert (step.grads["z"], step.grads["w"]) == pytest.approx((2.0, 2.0), abs=1e-6)
    assert ("The numerical gradient (key 2) says 2 for both: its probe raises one input by h, and the raised one "
            "wins.") in text
    # the CLI: a centered difference, half a slope of 0 and half of 2 on each side
    code, out = cli("grad", FLOW, "--at", "x=3,y=-4,z=2,w=2", "--json")
    result = json_lines(out)[0]
    assert code == 0 and (result["analytic"]["z"], result["analytic"]["w"]) == (2.0, 0.0)
    assert (result["numerical"]["z"], result["numerical"]["w"]) == pytest.approx((1.0, 1.0), abs=1e-6)
    assert result["kinks"] == ["max(z, w) at a tie"]
    assert (f'hnn-tui grad "{FLOW}" --at x=3,y=-4,z=2,w=2 (a centered difference) says 1 for both, the average of '
            "the slopes on either side of the tie.") in text


# --- sigmoid_long_way: four gates or one, the same gradient -----------------------------------------------------------

def sig(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_sigmoid_long_way_forward():
    sc = load_scenario("sigmoid_long_way")
    assert sc.spec.expression == "1/(1+exp(-x)) + sigmoid(y)" and dict(sc.spec.inputs) == {"x": 3.0, "y": 3.0}
    snap = session("sigmoid_long_way").current
    long, short = wire(snap, "long")[0], wire(snap, "short")[0]
    assert long == pytest.approx(sig(3), rel=1e-15) and short == pytest.approx(sig(3), rel=1e-15)
    assert snap.output == pytest.approx(2 * sig(3), rel=1e-15)
    gates = [g.name for g in build_circuit("1/(1+exp(-x))").gates]
    assert gates == ["neg", "exp", "add", "div"]  # a minus, an exp, a + and a /
    text = description("sigmoid_long_way")
    assert "is four gates in a line (a minus, an exp, a + and a /)" in text
    assert (f"long = 1/(1+exp(-x)) and short = sigmoid(y) are both {long:.4f} at x = y = 3, and f = long + short = "
            f"{snap.output:.4f}.") in text
    assert (f"{long:.4f}", f"{snap.output:.4f}") == ("0.9526", "1.9051")


def test_sigmoid_long_way_the_backward_pass_gate_by_gate():
    s = session("sigmoid_long_way")
    t = trace_at(s)
    den = 1 + math.exp(-3)
    div = backward_step(t, "long")
    assert div.upstream == 1.0 and dict(div.local)["1 + exp(-x)"] == pytest.approx(-1 / den**2, rel=1e-14)
    plus = backward_step(t, "1 + exp(-x)")
    assert dict(plus.local)["exp(-x)"] == 1.0 and plus.upstream == dict(div.added)["1 + exp(-x)"]
    ex = backward_step(t, "exp(-x)")
    assert dict(ex.local)["-x"] == pytest.approx(math.exp(-3), rel=1e-14)
    neg = backward_step(t, "-x")
    assert dict(neg.local)["x"] == -1.0
    g = grads_at(s)
    text = description("sigmoid_long_way")
    assert (f"the pull of 1 on long becomes -1/(1 + e^-3)^2 = {-1 / den**2:.4f} through the / gate, passes the + "
            f"gate unchanged, is multiplied by exp(-3) = {math.exp(-3):.4f} at the exp gate "
            f"({dict(ex.added)['-x']:.4f}) and flipped by the minus: x gets {g['x']:.4f}.") in text
    assert (f"{-1 / den**2:.4f}", f"{math.exp(-3):.4f}", f"{g['-x']:.4f}") == ("-0.9074", "0.0498", "-0.0452")


def test_sigmoid_long_way_the_same_gradient():
    s = session("sigmoid_long_way")
    g = grads_at(s)
    exact = sig(3) * (1 - sig(3))  # 0.04517666
    assert g["x"] == pytest.approx(g["y"], rel=1e-12, abs=0)
    assert g["x"] == pytest.approx(exact, rel=1e-12) and g["y"] == pytest.approx(exact, rel=1e-12)
    assert dict(backward_step(trace_at(s), "short").local) == {"y": pytest.approx(exact, rel=1e-12)}
    assert round(0.95 * (1 - 0.95), 4) == 0.0475  # the guide's number, from s rounded to 0.95
    assert (f"The sigmoid gate gives y the same {g['y']:.4f} in one local derivative, s(1 - s); the two agree to 12 "
            "digits (the guide's 0.0475 came from rounding s to 0.95 first).") in description("sigmoid_long_way")


def test_sigmoid_long_way_one_step_and_other_points():
    snap = session("sigmoid_long_way").step()
    x, y = snap.values["x"], snap.values["y"]
    assert x == pytest.approx(y, rel=1e-15) and x == pytest.approx(3 + 0.01 * sig(3) * (1 - sig(3)), rel=1e-15)
    assert snap.output == pytest.approx(2 * sig(x), rel=1e-14)
    text = description("sigmoid_long_way")
    assert (f"One step of 0.01 moves x and y alike, to {x:.6f}, and f to {snap.output:.4f}.") in text
    assert (f"{x:.6f}", f"{snap.output:.4f}") == ("3.000452", "1.9052")
    s = session("sigmoid_long_way")
    s.set_input("x", 0.0)
    s.set_input("y", 0.0)
    g = grads_at(s)
    assert (g["x"], g["y"]) == (0.25, 0.25)
    assert "Type other equal values for x and y (v): at 0 both gradients are 0.25." in text


def test_sigmoid_long_way_where_floats_part_them():
    text = description("sigmoid_long_way")
    s = session("sigmoid_long_way")
    s.set_input("x", 37.0)
    s.set_input("y", 37.0)
    assert wire(s.current, "short")[0] == 1.0  # s rounds to exactly 1
    g = grads_at(s)
    assert g["y"] == 0.0 and g["x"] == pytest.approx(math.exp(-37), rel=1e-12)
    assert ("at x = y = 37 s rounds to exactly 1, so the gate's s(1 - s) is 0 while the long way still gives "
            f"{g['x']:.1e};") in text
    assert math.log(1.7976931348623157e308) == pytest.approx(709.7827, abs=1e-4)  # where exp overflows
    assert session("sigmoid_long_way").set_input("x", -709.78).diverged is None
    broken = session("sigmoid_long_way")
    with pytest.raises(ValueError, match=r"x = -709\.79 is refused: wire 'exp\(-x\)' has value inf there"):
        broken.set_input("x", -709.79)  # refused, and the circuit stays where it was
    assert broken.current.values["x"] == 3.0 and broken.current.diverged is None
    fine = session("sigmoid_long_way").set_input("y", -709.79)
    assert fine.diverged is None and 0 < wire(fine, "short")[0] < 1e-300
    assert ("below x = -709.78, exp(-x) overflows to inf and the long way breaks, while sigmoid(y) stays finite."
            ) in text


# --- svm_cost: chapter 2's cost example -------------------------------------------------------------------------------

def test_svm_cost_is_the_guides_example():
    # guide: X = [[1.2, 0.7], [-0.3, 0.5], [3, 2.5]], y = [1, -1, 1], w = [0.1, 0.2, 0.3], alpha = 0.1
    sc = load_scenario("svm_cost")
    assert dict(sc.spec.inputs) == {"w0": 0.1, "w1": 0.2, "w2": 0.3} and sc.spec.trainable == ("w0", "w1", "w2")
    points, labels = GUIDE_COST
    assert points == [[1.2, 0.7], [-0.3, 0.5], [3.0, 2.5]] and labels == [1, -1, 1]
    hinge = " + ".join(f"max(0, {-y} * (w0*{a:g} + w1*{b:g} + w2) + 1)" for (a, b), y in zip(points, labels))
    assert sc.spec.expression == hinge + " + 0.1 * (w0*w0 + w1*w1)"  # max(0, -y_i * score_i + 1) + alpha * ...
    assert ("the guide's examples (1.2, 0.7) labelled +1, (-0.3, 0.5) labelled -1 and (3, 2.5) labelled +1, weights "
            "w0 = 0.1, w1 = 0.2 and the bias w2 = 0.3, alpha = 0.1.") in description("svm_cost")


def test_svm_cost_the_guides_numbers():
    snap = session("svm_cost").current
    scores = [wire(snap, f"score{i}")[0] for i in range(3)]
    costs = [wire(snap, f"cost{i}")[0] for i in range(3)]
    reg, total = wire(snap, "reg")[0], snap.output
    assert scores == pytest.approx([0.56, 0.37, 1.1], abs=1e-12)
    assert costs == pytest.approx([0.44, 1.37, 0.0], abs=1e-12) and costs[2] == 0.0
    assert costs == pytest.approx([point_loss(sc, y) for sc, y in zip(scores, GUIDE_COST[1])], abs=1e-15)
    assert reg == pytest.approx(0.005, abs=1e-12) and total == pytest.approx(1.815, abs=1e-12)
    assert wire(snap, "data")[0] + reg == pytest.approx(total, abs=1e-15)
    # the guide prints them with toFixed(3): 0.440, 1.370, 0.000, 0.005, 1.815
    assert [f"{c:.3f}" for c in costs] + [f"{reg:.3f}", f"{total:.3f}"] == ["0.440", "1.370", "0.000", "0.005", "1.815"]
    assert (f"scores {scores[0]:.2f}, {scores[1]:.2f} and {scores[2]:.1f} give cost0 = {costs[0]:.3f}, cost1 = "
            f"{costs[1]:.3f} and cost2 = {costs[2]:g} (its max picks the 0), the regularization alpha*(w0*w0 + w1*w1) "
            f"is {reg:.3f}, and the total cost is {total:.3f}: the guide's numbers") in description("svm_cost")


def test_svm_cost_pulls_the_cost_down():
    sc = load_scenario("svm_cost")
    assert sc.settings.pull == -1.0
    assert "this lesson pulls on its output with -1 (pull = -1 under [settings])" in description("svm_cost")
    for strategy in STRATEGIES:  # every strategy makes pull x output higher: the cost lower
        snaps = [Session(sc, strategy).current, Session(sc, strategy).step()]
        assert snaps[1].output < snaps[0].output, strategy


def test_svm_cost_the_force_specification_is_its_gradient():
    s = session("svm_cost")
    g, t = grads_at(s), trace_at(s)
    text = description("svm_cost")
    assert g["cost"] == -1.0 and [g[f"cost{i}"] for i in range(3)] == [-1.0, -1.0, -1.0]
    assert dict(backward_step(t, "cost0").local)["-y0 * score0 + 1"] == 1.0
    assert dict(backward_step(t, "cost1").local)["-y1 * score1 + 1"] == 1.0
    cost2 = backward_step(t, "cost2")
    (zero, to_zero), (margin, to_margin) = zip(cost2.to, (d for _, d in cost2.local))  # max(0, margin)
    assert (t.values[zero], to_zero) == (0.0, 1.0)  # all of it to the constant 0
    assert (t.labels[margin], to_margin) == ("-y2 * score2 + 1", 0.0)
    assert "the max gates of cost0 and cost1 pass it on, cost2's sends it to its constant 0." in text
    pulls = [g[f"score{i}"] for i in range(3)]
    assert pulls == [1.0, -1.0, 0.0]
    snap = s.current
    scores = [wire(snap, f"score{i}")[0] for i in range(3)]
    assert pulls == [hinge_pull(score, y) for score, y in zip(scores, GUIDE_COST[1])]  # the SVM lesson's force spec
    assert ("So score0 gets +1 (a positive example under 1: up), score1 gets -1 (a negative over -1: down) and "
            "score2 0 (past its margin: no pull).") in text


def test_svm_cost_the_spring_and_the_weights_gradient():
    s = session("svm_cost")
    t = trace_at(s)
    text = description("svm_cost")
    index = {label: i for i, label in enumerate(t.labels) if t.labels.count(label) == 1}
    spring = {n: dict(t.contributions(index[n]))[f"{n} * {n}"] for n in ("w0", "w1")}
    assert spring == pytest.approx({"w0": -2 * 0.1 * 0.1, "w1": -2 * 0.1 * 0.2}, abs=1e-15)
    assert (f"With the spring, -2*alpha*w ({spring['w0']:.2f} on w0, {spring['w1']:.2f} on w1), the weights get "
            "[1.48, 0.16, 0]") in text
    g = grads_at(s)
    # w0: 1.2 * 1 + -0.3 * -1 + 3 * 0 - 0.02; w1: 0.7 - 0.5 - 0.04; w2: 1 - 1 + 0
    assert (g["w0"], g["w1"], g["w2"]) == pytest.approx((1.48, 0.16, 0.0), abs=1e-12) and g["w2"] == 0.0
    assert dict(t.contributions(index["w2"])) == {"score0": 1.0, "score1": -1.0, "score2": 0.0}
    assert "the bias feels +1 from example 0 and -1 from example 1, and stays put." in text
    assert session("svm_cost").step().values["w2"] == 0.3


def test_svm_cost_steps():
    text = description("svm_cost")
    sc = load_scenario("svm_cost")
    s = Session(sc)
    snaps = [s.current, *s.run(30)]
    assert (sc.settings.step_size, sc.strategy) == (0.01, "analytic")
    # w0 0.1148, w1 0.2016: 0.42112 + 1.36636 + 0 + 0.00538216
    assert snaps[1].output == pytest.approx(1.79286216, abs=1e-12)
    assert f"One step of 0.01 lowers the cost to {snaps[1].output:.3f};" in text
    out_of_margin = [snap.step for snap in snaps if wire(snap, "cost0")[0] == 0.0]
    assert out_of_margin[0] == 24
    past = Session(sc)
    for _ in range(24):
        past.step()
    assert grads_at(past)["score0"] == 0.0
    assert "at step 24 example 0 first gets past its margin (cost0 = 0, no pull on score0)." in text


def test_svm_cost_other_pulls():
    start = session("svm_cost").current
    for strategy in ("analytic", "numerical"):  # pull 0: every gradient is 0, a gradient step moves nothing
        snap = session("svm_cost", strategy, pull=0.0).step()
        assert dict(snap.values) == dict(start.values) and set(snap.grads.values()) == {0.0}
    for strategy in STRATEGIES:  # pull +1: the strategies make the cost itself higher
        assert session("svm_cost", strategy, pull=1.0).step().output > start.output, strategy
    assert ("Press p until the pull is 0 (every gradient is 0: a gradient step moves nothing), then +1 (the "
            "strategies raise the cost).") in description("svm_cost")
