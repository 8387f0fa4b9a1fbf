"""The landscape over two trainable values (engine.landscape): the heights are the lesson's own output at every
sampled point, bit for bit; the path keeps every step; the view holds the start and grows to hold the path."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from hnn_tui.engine import Session, build_circuit, load_scenario, parse_scenario
from hnn_tui.engine import landscape as land
from hnn_tui.engine.landscape import (
    Path,
    banded,
    fitted,
    grid,
    grown,
    landscape_for,
    levels,
    start_region,
)

TWO_INPUT_LESSONS = ("single_gate", "bigger_step", "sigmoid_long_way", "momentum_valley")
EVERY_GATE = "tanh(x) * log(y) + max(x, y) / relu(x - 1) + x**1.5 + y**-2 + (x*y)**3 - exp(-x) + sigmoid(y) - c"


def circuit_file(expression: str, inputs: str, trainable: str = "") -> str:
    return (f'title = "t"\nkind = "circuit"\n[circuit]\nexpression = "{expression}"\ninputs = {{ {inputs} }}\n'
            + (f"trainable = {trainable}\n" if trainable else ""))


def same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def sample_points(view, n=12, seed=0):
    """A grid over `view` with the points where gates bend or break (0, 1, ties) among them."""
    U, V = grid(view, n, n)
    rng = np.random.default_rng(seed)
    U, V = U + rng.normal(0, 0.01, U.shape), V + rng.normal(0, 0.01, V.shape)
    U[0, :4], V[0, :4] = [0.0, 1.0, 0.0, 2.0], [0.0, 0.0, 1.0, 2.0]  # zero, a kink, a tie
    return U, V


@pytest.mark.parametrize("name", TWO_INPUT_LESSONS)
def test_a_circuits_heights_are_its_output_at_every_sampled_point_exactly(name):
    session = Session(load_scenario(name))
    spec = session.scenario.spec
    scape = landscape_for(spec)
    u, v = scape.names
    values = dict(session.current.values)
    U, V = sample_points((-5, 5, -5, 5))
    H = scape.height(values, U, V)
    for i, j in np.ndindex(U.shape):  # each point poked into the lesson itself: its snapshot's output
        session.set_input(u, float(U[i, j]))
        session.set_input(v, float(V[i, j]))
        assert session.current.output == H[i, j], (name, U[i, j], V[i, j])


def test_every_gate_over_the_grid_is_the_gates_own_arithmetic_with_a_held_input():
    spec = parse_scenario(circuit_file(EVERY_GATE, "x = 2.0, y = 3.0, c = 0.25", '["x", "y"]'), "t.toml").spec
    scape = landscape_for(spec)
    assert scape.names == ("x", "y")
    circuit = build_circuit(EVERY_GATE)
    U, V = sample_points((-3, 3, -3, 3), 16)
    for held in (0.25, -7.0):
        H = scape.height({"x": 9.0, "y": 9.0, "c": held}, U, V)  # x and y come from the grid, c is held
        for i, j in np.ndindex(U.shape):
            circuit.set_inputs({"x": U[i, j], "y": V[i, j], "c": held})
            assert same(circuit.forward(), H[i, j]), (U[i, j], V[i, j], held)
    assert np.isnan(H).any() and np.isinf(H).any()  # the grid crossed log's and the division's trouble


@pytest.mark.parametrize("loss, reg", [("squared", 0.0), ("squared", 0.4), ("absolute", 0.1), ("huber", 0.3)])
def test_a_lines_heights_are_its_cost_at_every_sampled_point_exactly(loss, reg):
    sc = load_scenario("line_fit")
    spec = dataclasses.replace(sc.spec, loss=loss, reg=reg)
    if hasattr(spec, "l1"):  # the L1 strength, where the spec has one (chapter 3's regularizers)
        spec = dataclasses.replace(spec, l1=0.05 if loss == "absolute" else 0.0)
    session = Session(dataclasses.replace(sc, spec=spec))
    scape = landscape_for(spec)
    assert (scape.names, scape.what) == (("a", "b"), "cost")
    U, V = sample_points((-3, 4, -3, 2), 10)
    H = scape.height({}, U, V)
    for i, j in np.ndindex(U.shape):
        session.lesson.objective.set([float(U[i, j]), float(V[i, j])])
        measured = session.lesson.measure(False)
        assert measured.output == H[i, j], (loss, reg, U[i, j], V[i, j])


def test_many_points_take_the_closed_form_for_a_squared_loss(monkeypatch):
    spec = load_scenario("line_fit").spec
    U, V = sample_points((-3, 4, -3, 2), 10)
    exact = landscape_for(spec).height({}, U, V)
    monkeypatch.setattr(land, "CHUNK", 50)  # as if the points were many: the sums' formula
    closed = landscape_for(spec).height({}, U, V)
    assert not np.array_equal(closed, exact)  # another sum: the formula really ran
    assert np.allclose(closed, exact, rtol=1e-12, atol=1e-12 * float(np.dot(spec.targets, spec.targets)))


def test_only_two_trainable_values_have_a_landscape():
    assert landscape_for(load_scenario("neuron").spec) is None  # five inputs, all trainable
    assert landscape_for(load_scenario("two_gates").spec) is None  # three
    assert landscape_for(load_scenario("svm_cost").spec) is None  # three
    assert landscape_for(load_scenario("sine_fit").spec) is None  # an mlp
    assert landscape_for(load_scenario("svm").spec) is None  # a classifier
    pegged = parse_scenario(circuit_file("(x + y) * z", "x = 1.0, y = 2.0, z = 3.0", '["x", "z"]'), "t.toml").spec
    assert landscape_for(pegged).names == ("x", "z")  # y held: a peg


def test_the_path_keeps_every_step_in_order_and_starts_again_after_a_poke():
    path = Path()
    for k in range(200):  # past the first buffer's 64
        path.add(k, k * 0.5, -k)
    path.add(199, 9.0, 9.0)  # the same step shown again: not a new point
    path.add(3, 9.0, 9.0)
    assert len(path) == 200 and path.steps.tolist() == list(range(200))
    assert path.us.tolist() == [k * 0.5 for k in range(200)] and path.vs.tolist() == [-k for k in range(200)]
    path.restart(199, 1.0, 2.0)
    assert (path.steps.tolist(), path.us.tolist(), path.vs.tolist()) == ([199], [1.0], [2.0])
    path.clear()
    assert len(path) == 0


def test_the_first_view_holds_the_origin_and_the_start_with_one_scale():
    assert start_region(-2.0, 3.0) == (-3.75, 3.75, -3.75, 3.75)
    assert start_region(0.1, 0.0) == (-1.25, 1.25, -1.25, 1.25)  # never smaller than ±1.25
    u0, u1, v0, v1 = fitted((-3.75, 3.75, -3.75, 3.75), 60, 40)  # 60 samples across, 40 up
    assert (u1 - u0) / 60 == pytest.approx((v1 - v0) / 40)  # one scale: a circle stays round
    assert (v0, v1) == (-3.75, 3.75) and u0 < -3.75 and u1 > 3.75  # the short side widened, centred


def test_the_view_grows_to_hold_the_whole_path_with_a_quarter_spare():
    region = (-1.0, 1.0, -1.0, 1.0)
    view = fitted(region, 20, 20)
    assert grown(region, view, [0.5, -0.9], [0.2, 0.9]) == region  # inside: as it was
    new = grown(region, view, [0.5, 3.0], [0.2, -2.0])
    # the box around the region and the points (-1..3, -2..1), a quarter of its size on every side
    assert new == (-2.0, 4.0, -2.75, 1.75)
    assert grown(region, view, [np.nan, np.inf, 1e13], [0.0, 0.0, 0.0]) == region  # never for a diverged point


def test_the_bands_cover_about_equal_parts_and_rise_with_the_height():
    H = np.add.outer(np.linspace(-3, 3, 60) ** 2, 10 * np.linspace(-1, 1, 40) ** 2)
    edges = levels(H)
    assert len(edges) == 5 and np.all(np.diff(edges) > 0)
    band = banded(H, edges)
    counts = np.bincount(band.ravel(), minlength=6)
    assert counts.min() > 0.6 * H.size / 6 and counts.max() < 1.4 * H.size / 6
    order = np.argsort(H.ravel(), kind="stable")
    assert np.all(np.diff(band.ravel()[order]) >= 0)  # a higher point never sits in a lower band
    assert banded(np.array([np.nan, -np.inf]), edges).tolist() == [0, 0]
    assert levels(np.array([[-0.0055, 30.0], [-15.0, -0.004]]), 2).tolist() == [0.0]  # to 2 digits of the span


def test_a_snapshots_sample_is_still_four_and_carries_the_values():
    s = Session(load_scenario("single_gate"))
    sample = s.step().sample()
    step, output, measures, extra = sample
    assert (step, output) == (1, s.current.output) and len(sample) == 4
    assert dict(sample.values) == dict(s.current.values)
