"""The two regression lessons (issue 14): line_fit and sine_fit. Every number their descriptions claim is worked
out here by the engine from the lesson's own default run, and the description must name exactly that number."""
from __future__ import annotations

import numpy as np
import pytest

from hnn_tui.engine import Session, load_scenario


def description(name: str) -> str:
    return " ".join(load_scenario(name).description.split())


def run(name: str):
    """The snapshots of the lesson's default run, step 0 first (snaps[k] is after step k)."""
    sc = load_scenario(name)
    s = Session(sc)
    return [s.current, *s.run(sc.steps)]


def least_squares(spec) -> tuple[float, float, float, float]:
    """The best line for the training points: (a, b, its cost = sum of squared residuals, its rmse)."""
    X, T = np.array(spec.xs), np.array(spec.targets)
    A = np.c_[X, np.ones_like(X)]
    (a, b), *_ = np.linalg.lstsq(A, T, rcond=None)
    r = A @ (a, b) - T
    return float(a), float(b), float(np.sum(r * r)), float(np.sqrt(np.mean(r * r)))


@pytest.fixture(scope="module")
def line_run():
    return run("line_fit")


@pytest.fixture(scope="module")
def sine_run():
    return run("sine_fit")


def test_the_two_lessons_come_after_the_classifiers():
    for name, order, title in (("line_fit", 15, "Regression: fit a line a*x + b"),
                               ("sine_fit", 16, "Regression: an mlp fits a sine")):
        sc = load_scenario(name)
        assert (sc.kind, sc.order, sc.title, sc.strategy) == ("regression", order, title, "analytic")


# --- line_fit ---------------------------------------------------------------------------------------------------

def test_line_fit_is_what_its_description_says_it_is():
    sc = load_scenario("line_fit")
    spec, text = sc.spec, description("line_fit")
    assert (spec.model, spec.loss, spec.reg, spec.batch, spec.init) == ("line", "squared", 0.0, "sgd",
                                                                        (("a", 0.0), ("b", 0.0)))
    assert (spec.dataset, spec.data_n, spec.data_noise, len(spec.xs)) == ("line", 20, 0.1, 20)
    assert (sc.settings.step_size, sc.steps) == (0.1, 200)
    assert all(-1 <= x <= 1 for x in spec.xs)
    assert "the 20 points are the line t = 2x - 1 with noise (standard deviation 0.1), x drawn in [-1, 1]" in text
    assert "One random point a step, step size 0.1, from a = 0, b = 0." in text
    assert "each point pulls its prediction p towards its target t with -2(p - t)" in text


def test_line_fit_reaches_the_least_squares_line(line_run):
    snaps, text = line_run, description("line_fit")
    first, last = snaps[0], snaps[-1]
    assert f"Watch the cost fall from {first.output:.1f} to {last.output:.3f}" in text
    assert f"the rmse (the typical miss) from {first.measures['rmse']:.2f} to {last.measures['rmse']:.3f}" in text
    a, b, best, _ = least_squares(load_scenario("line_fit").spec)
    assert f"least squares gives a = {a:.3f}, b = {b:.3f} (cost {best:.4f})" in text
    assert abs(a - 2) > 0.02  # the noise moves the best line off the truth
    close = [abs(s.values["a"] - a) < 0.1 and abs(s.values["b"] - b) < 0.1 for s in snaps]
    since = next(k for k in range(len(snaps)) if all(close[k:]))
    assert since == 25 and not close[24]
    assert f"From step {since} on, a and b stay within 0.1 of it" in text
    assert f"the run ends at a = {last.values['a']:.3f}, b = {last.values['b']:.3f}" in text
    assert last.output >= best  # nothing beats least squares on the squared loss


# --- sine_fit ---------------------------------------------------------------------------------------------------

def test_sine_fit_is_what_its_description_says_it_is():
    sc = load_scenario("sine_fit")
    spec, text = sc.spec, description("sine_fit")
    assert (spec.model, spec.layers, spec.loss, spec.reg, spec.batch) == ("mlp", (8, 8), "squared", 0.0, "sgd")
    assert (spec.dataset, spec.data_n, spec.data_noise, len(spec.xs), len(spec.val_xs)) == ("sine", 50, 0.1, 40, 10)
    assert sc.settings.step_size == 0.05
    n_params = len(Session(sc).current.values)
    assert f"(1 -> 8 -> 8 -> 1, {n_params} parameters)" in text
    assert "50 points of t = sin(pi x) with noise 0.1; 10 are held out and only measured." in text
    assert "Squared loss, one random point a step, step size 0.05." in text
    assert f"least squares on these points leaves an rmse of {least_squares(spec)[3]:.3f}" in text


def test_sine_fit_bends_to_the_curve(sine_run):
    snaps, text = sine_run, description("sine_fit")
    rmse = [s.measures["rmse"] for s in snaps]
    line_rmse = least_squares(load_scenario("sine_fit").spec)[3]
    assert f"start almost flat (rmse {rmse[0]:.2f}, the sine's own spread)" in text
    first_03 = next(k for k, r in enumerate(rmse) if r < 0.3)
    stays_03 = 1 + max(k for k, r in enumerate(rmse) if r >= 0.3)
    stays_02 = 1 + max(k for k, r in enumerate(rmse) if r >= 0.2)
    assert (first_03, stays_03, stays_02) == (553, 1668, 6245)
    assert f"the rmse first dips under 0.3 at step {first_03} and stays under it from step {stays_03:,}, and " \
           f"under 0.2 from step {stays_02:,}" in text
    last = snaps[-1]
    assert f"The run ends at rmse {rmse[-1]:.3f} on the 40 training points and {last.extra['val_rmse']:.3f} on the " \
           "10 held out" in text
    assert rmse[-1] < line_rmse / 3 and last.extra["val_rmse"] < 0.15  # far better than any line, held out too
    assert min(rmse) > 0.1  # the noise of 0.1 that no model can remove
    assert last.step == 8000 and last.diverged is None
