"""The update rules (plain steps, momentum, Nesterov) and L1's proximal shrink, against steps worked out by hand."""
from __future__ import annotations

import math
import random

import pytest
from cases import circuit_text
from hypothesis import given, settings
from hypothesis import strategies as st

from hnn_tui.engine import Session, Settings
from hnn_tui.engine.scenario import parse_scenario
from hnn_tui.engine.strategies import STRATEGIES
from hnn_tui.engine.updates import Motion, shrink


def bowl(update="sgd", more="", strategy="analytic", x=1.0):
    """f = -(x * x) from x = 1, step size 0.1: the pull is -2x, so every step goes toward the top at 0."""
    settings = f'step_size = 0.1\nupdate = "{update}"\n{more}' if update != "sgd" else f"step_size = 0.1\n{more}"
    text = circuit_text(top=f'strategy = "{strategy}"', expression="-(x * x)", inputs=f"x = {x}", settings=settings)
    return Session(parse_scenario(text, "bowl.toml"))


def xs(session, steps):
    return [session.step().values["x"] for _ in range(steps)]


def test_sgd_is_x_plus_step_size_times_the_pull():
    # x1 = 1 + 0.1 * -2 = 0.8; x2 = 0.8 + 0.1 * -1.6 = 0.64; x3 = 0.64 + 0.1 * -1.28 = 0.512
    assert xs(bowl(), 3) == pytest.approx([0.8, 0.64, 0.512], abs=1e-12)


def test_momentum_by_hand():
    # mu = 0.9, lr = 0.1, v0 = 0, x0 = 1, g = -2x:
    # step 1: g = -2;    v = 0.9 * 0     + 0.1 * -2    = -0.2;   x = 1    - 0.2   = 0.8
    # step 2: g = -1.6;  v = 0.9 * -0.2  + 0.1 * -1.6  = -0.34;  x = 0.8  - 0.34  = 0.46
    # step 3: g = -0.92; v = 0.9 * -0.34 + 0.1 * -0.92 = -0.398; x = 0.46 - 0.398 = 0.062
    s = bowl("momentum")
    assert xs(s, 3) == pytest.approx([0.8, 0.46, 0.062], abs=1e-12)
    assert s.motion.velocity == pytest.approx([-0.398], abs=1e-12)
    assert s.current.grads["x"] == pytest.approx(-0.92, abs=1e-12)


def test_nesterov_takes_the_gradient_at_the_look_ahead_point():
    # step 1: v = 0, so the look-ahead is x = 1: g = -2, v = -0.2, x = 0.8 (as momentum)
    # step 2: look-ahead 0.8 + 0.9 * -0.2 = 0.62: g = -1.24; v = -0.18 - 0.124 = -0.304; x = 0.8 - 0.304 = 0.496
    #         (the gradient at x itself, -1.6, would give momentum's 0.46)
    # step 3: look-ahead 0.496 + 0.9 * -0.304 = 0.2224: g = -0.4448; v = -0.2736 - 0.04448 = -0.31808;
    #         x = 0.496 - 0.31808 = 0.17792
    s = bowl("nesterov")
    snaps = [s.step() for _ in range(3)]
    assert [p.values["x"] for p in snaps] == pytest.approx([0.8, 0.496, 0.17792], abs=1e-12)
    assert [p.grads["x"] for p in snaps] == pytest.approx([-2.0, -1.24, -0.4448], abs=1e-12)  # the look-ahead's
    assert snaps[-1].forward_passes == 3 and snaps[-1].backward_passes == 3  # no extra pass for the look-ahead


@pytest.mark.parametrize("update,expected", [("sgd", [0.8, 0.64, 0.512]), ("momentum", [0.8, 0.46, 0.062]),
                                             ("nesterov", [0.8, 0.496, 0.17792])])
def test_the_numerical_gradient_moves_by_the_update_rule_too(update, expected):
    # centered differences of a quadratic are exact (up to rounding): the same numbers as backprop's
    s = bowl(update, "centered = true", strategy="numerical")
    assert xs(s, 3) == pytest.approx(expected, abs=1e-9)


def test_momentum_on_two_parameters_of_a_bowl():
    # f = -(x*x) - 4*(y*y) from (1, 1), lr 0.1, mu 0.5: g = (-2x, -8y)
    # step 1: v = (-0.2, -0.8); (x, y) = (0.8, 0.2)
    # step 2: g = (-1.6, -1.6); v = (-0.1 - 0.16, -0.4 - 0.16) = (-0.26, -0.56); (x, y) = (0.54, -0.36)
    text = circuit_text(expression="-(x * x) - 4 * (y * y)", inputs="x = 1.0, y = 1.0",
                        settings='step_size = 0.1\nupdate = "momentum"\nmomentum = 0.5')
    s = Session(parse_scenario(text, "b.toml"))
    s.step()
    assert dict(s.step().values) == pytest.approx({"x": 0.54, "y": -0.36}, abs=1e-12)


def test_the_velocity_is_zero_again_after_a_reset_and_in_a_restart():
    s = bowl("momentum")
    first = xs(s, 2)
    s.reset()
    assert s.motion.velocity == []
    assert xs(s, 2) == first  # bit for bit: as from the start
    xs(s, 2)
    for fresh in (s.restarted(keep_controls=True), s.restarted()):
        assert fresh.motion.velocity == [] and xs(fresh, 2) == first


def test_a_new_update_rule_starts_from_zero_velocity():
    # two momentum steps: x = 0.46, v = -0.34. Then Nesterov from v = 0: look-ahead = x = 0.46, g = -0.92,
    # v = -0.092, x = 0.368. (Kept, v = -0.34 would look ahead to 0.154 and land at 0.1232.)
    s = bowl("momentum")
    xs(s, 2)
    s.set_settings(update="nesterov")
    assert s.motion.velocity == []
    assert xs(s, 1) == pytest.approx([0.368], abs=1e-12)
    assert s.motion.velocity == pytest.approx([-0.092], abs=1e-12)


def test_a_new_update_rule_zeroes_the_velocity_even_when_set_behind_the_sessions_back():
    # the Motion itself notices the rule changed (a key pressed while a step was under way)
    m, s = Motion(), Settings(step_size=0.1, update="momentum")
    m.moved([1.0], [-2.0], s)
    assert m.velocity == [-0.2]
    m.look_ahead([0.8], Settings(step_size=0.1, update="nesterov"))
    assert m.velocity == [0.0]


def test_a_new_coefficient_keeps_the_velocity():
    # two momentum steps: x = 0.46, v = -0.34; then mu = 0.5: v = 0.5 * -0.34 + 0.1 * -0.92 = -0.262,
    # x = 0.46 - 0.262 = 0.198 (zeroed it would be 0.368)
    s = bowl("momentum")
    xs(s, 2)
    s.set_settings(momentum=0.5)
    assert xs(s, 1) == pytest.approx([0.198], abs=1e-12)


def test_random_search_leaves_the_velocity_alone_and_another_strategy_keeps_it():
    s = bowl("momentum")
    xs(s, 1)  # x = 0.8, v = -0.2
    s.set_strategy("random")
    x_r = xs(s, 1)[0]
    assert s.motion.velocity == [pytest.approx(-0.2, abs=1e-15)]
    s.set_strategy("numerical")
    s.set_settings(centered=True)
    # v = 0.9 * -0.2 + 0.1 * -2 x_r; x = x_r + v
    v = 0.9 * -0.2 + 0.1 * (-2 * x_r)
    assert xs(s, 1) == pytest.approx([x_r + v], abs=1e-9)


def test_a_strategy_called_without_a_motion_takes_plain_first_steps():
    # old callers: STRATEGIES[...].step(obj, settings, rng) still works (a fresh Motion: the first step of any rule)
    s = bowl("nesterov")
    snap = STRATEGIES["analytic"].step(s.lesson.objective, s.settings, random.Random(0))
    assert snap.grads == {"x": -2.0} and s.lesson.objective.get() == [0.8]


def test_set_settings_refuses_what_no_file_could_hold():
    s = bowl()
    for bad in ({"update": "adam"}, {"momentum": 1.0}, {"momentum": -0.1}, {"schedule": "cosine"}, {"decay": 0.0},
                {"decay": 1.5}, {"decay_every": 0}):
        with pytest.raises(ValueError):
            s.set_settings(**bad)
    assert s.settings == Settings(step_size=0.1)


# ---- L1 as a proximal step -------------------------------------------------------------------------


class Tilted:
    """A fake objective: f = c * w - b^2 / 2 - l1 * |w|; L1 on w only (the weight), not b (the bias). The smooth
    pull on w is the constant c; the pull the objective reports holds L1's subgradient: c - l1 * sign(w)."""

    def __init__(self, w, b, c, l1):
        self.names, self.x, self.c, self.l1, self.l1_idx = ["w", "b"], [w, b], c, l1, [0]
        self.forward_passes = self.backward_passes = 0

    def get(self):
        return list(self.x)

    def set(self, values):
        self.x = list(values)

    def evaluate(self):
        self.forward_passes += 1
        w, b = self.x
        return self.c * w - b * b / 2 - getattr(self, "l1", 0.0) * abs(w)

    def pull(self):
        self.forward_passes += 1
        self.backward_passes += 1
        w, b = self.x
        return [self.c - getattr(self, "l1", 0.0) * ((w > 0) - (w < 0)), -b]


def steps(obj, n, strategy="analytic", **settings):
    s, m = Settings(**{"step_size": 0.125, **settings}), Motion()
    out = []
    for _ in range(n):
        STRATEGIES[strategy].step(obj, s, random.Random(0), m)
        out.append(obj.get())
    return out


def test_l1_shrinks_a_weight_to_exactly_zero_and_keeps_it_there():
    # lr = 0.125, l1 = 0.5 (the shrink: lr * l1 = 0.0625), smooth pull c = 0.25 (<= l1), w0 = 0.0625, b0 = 1:
    # step 1: w = 0.0625 + 0.125 * 0.25 = 0.09375, shrunk by 0.0625: 0.03125;   b = 1 - 0.125 * 1 = 0.875
    # step 2: w = 0.03125 + 0.03125 = 0.0625, shrunk: exactly 0;              b = 0.875 - 0.109375 = 0.765625
    # step 3 on: w = 0 + 0.03125 = 0.03125 < 0.0625: 0 again. (The bias is not shrunk.)
    # Plain steps along the subgradient would jitter: from 0, 0 + 0.125 * (0.25 - 0) = 0.03125, then back...
    out = steps(Tilted(0.0625, 1.0, 0.25, 0.5), 6)
    assert out[:2] == [[0.03125, 0.875], [0.0, 0.765625]]
    assert [w for w, _ in out[1:]] == [0.0] * 5


def test_l1_zero_is_positive_zero_from_either_side():
    out = steps(Tilted(-0.0625, 1.0, -0.25, 0.5), 3)
    assert [w for w, _ in out] == [-0.03125, 0.0, 0.0]
    assert all(math.copysign(1.0, w) == 1.0 for w, _ in out[1:])  # 0.0, not -0.0


def test_a_pull_stronger_than_l1_moves_the_weight_off_zero():
    # c = 0.75 > l1 = 0.5: from 0, w = 0.125 * 0.75 = 0.09375, shrunk by 0.0625: 0.03125, then 0.03125 + 0.03125
    out = steps(Tilted(0.0, 1.0, 0.75, 0.5), 2)
    assert [w for w, _ in out] == [0.03125, 0.0625]


@pytest.mark.parametrize("centered", [False, True])
def test_the_numerical_gradient_takes_out_its_own_measure_of_l1(centered):
    # at w = 0 the forward probe sees |w|'s slope as 1 (it measures the pull as c - l1: -0.75 for c = -0.25,
    # stronger than l1), the centered one as 0: taking out what each measured leaves the smooth pull c, and w stays
    # at exactly 0; away from 0 the steps match backprop's to rounding
    for c in (0.25, -0.25):
        assert [w for w, _ in steps(Tilted(0.0, 1.0, c, 0.5), 3, "numerical", centered=centered)] == [0.0] * 3
    out = steps(Tilted(0.0625, 1.0, 0.25, 0.5), 2, "numerical", centered=centered)
    tol = 1e-9 if centered else 1e-4  # the forward probe of -b^2/2 is off by about h/2 a step
    assert out == [pytest.approx([0.03125, 0.875], abs=tol), pytest.approx([0.0, 0.765625], abs=tol)]


@pytest.mark.parametrize("update", ["sgd", "momentum", "nesterov"])
def test_l1_zero_is_the_plain_update_bit_for_bit(update):
    x0, c = 0.3, 0.7
    with_l1 = steps(Tilted(x0, 1.0, c, 0.0), 4, update=update)
    without = Tilted(x0, 1.0, c, 0.0)
    del without.l1, without.l1_idx  # an objective with no L1 at all
    assert steps(without, 4, update=update) == with_l1
    if update == "sgd":  # and that is p + lr * g, as before there were update rules
        assert with_l1[0] == [x0 + 0.125 * c, 1.0 + 0.125 * -1.0]


def test_nesterov_with_l1_takes_out_the_subgradient_at_the_look_ahead_point():
    # lr = 0.125, mu = 0.5, l1 = 0.5 (shrink 0.0625), smooth pull c = -0.25, w0 = 0.0625:
    # step 1: look-ahead = w0 > 0, pull -0.25 - 0.5 = -0.75, smooth -0.25: v = -0.03125, w = 0.03125, shrunk: 0
    # step 2: look-ahead 0 + 0.5 * -0.03125 = -0.015625 < 0: the pull there is -0.25 + 0.5 = 0.25; taking out
    #         -l1 * sign(look-ahead) leaves the smooth -0.25: v = -0.015625 - 0.03125 = -0.046875, w = -0.046875,
    #         shrunk: 0. (Taking out sign(w) = sign(0) = 0 would leave +0.25: v = +0.015625.)
    obj, s, m = Tilted(0.0625, 1.0, -0.25, 0.5), Settings(step_size=0.125, update="nesterov", momentum=0.5), Motion()
    STRATEGIES["analytic"].step(obj, s, random.Random(0), m)
    assert (obj.get()[0], m.velocity[0]) == (0.0, -0.03125)
    STRATEGIES["analytic"].step(obj, s, random.Random(0), m)
    assert (obj.get()[0], m.velocity[0]) == (0.0, -0.046875)


def test_shrink():
    assert (shrink(0.5, 0.125), shrink(-0.5, 0.125), shrink(0.1, 0.125), shrink(-0.125, 0.125)) == (0.375, -0.375,
                                                                                                    0.0, 0.0)


finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(x=st.lists(finite, min_size=1, max_size=4), pulls=st.lists(st.lists(finite, min_size=4, max_size=4),
                                                                   min_size=1, max_size=4),
       lr=st.floats(0, 10), update=st.sampled_from(["momentum", "nesterov"]))
def test_a_coefficient_of_zero_is_plain_steps_bit_for_bit(x, pulls, lr, update):
    # mu = 0: v = 0 * v + lr * g = lr * g and the look-ahead is x itself, so x + v is sgd's x + lr * g exactly
    plain, heavy = Motion(), Motion()
    a, b = list(x), list(x)
    for g in pulls:
        g = g[:len(x)]
        a = plain.moved(a, g, Settings(step_size=lr))
        s = Settings(step_size=lr, update=update, momentum=0.0)
        assert heavy.look_ahead(b, s) == b  # Nesterov's look-ahead x + 0 * v is x
        b = heavy.moved(b, g, s)
        assert b == a
