"""What the momentum valley's description claims, worked out from runs of the engine: plain steps zig-zag across the
valley and crawl along it, momentum overshoots and settles far lower, Nesterov flies off at the lesson's step size
and runs straight down the valley at half of it; and each update rule's step size limit on the steep side."""
from __future__ import annotations

import dataclasses

import pytest

from hnn_tui.engine import Session, load_scenario
from hnn_tui.engine.landscape import landscape_for


def text() -> str:
    return " ".join(load_scenario("momentum_valley").description.split())


def run(update: str = "sgd", step_size: float | None = None, steps: int = 100, momentum: float = 0.9):
    """The snapshots of a run from the lesson's start, step 0 first, with the update rule (and step size) given."""
    sc = load_scenario("momentum_valley")
    settings = dataclasses.replace(sc.settings, update=update, momentum=momentum,
                                   step_size=sc.settings.step_size if step_size is None else step_size)
    s = Session(dataclasses.replace(sc, settings=settings))
    return [s.current, *s.run(steps)]


def g(x: float, digits: int = 4) -> str:
    return f"{x:.{digits}g}"


def test_the_lesson_is_a_two_input_valley_walked_downhill_with_plain_steps():
    sc = load_scenario("momentum_valley")
    assert (sc.settings.update, sc.settings.step_size, sc.settings.pull, sc.steps) == ("sgd", 0.1, -1.0, 100)
    scape = landscape_for(sc.spec)
    assert scape.names == ("a", "b")  # two trainable inputs: the path map shows
    h = 1e-3  # the second derivatives across (b) and along (a): 18 and 0.2, 90 times apart
    across = (scape.height({}, 0.0, h) - 2 * scape.height({}, 0.0, 0.0) + scape.height({}, 0.0, -h)) / h**2
    along = (scape.height({}, h, 0.0) - 2 * scape.height({}, 0.0, 0.0) + scape.height({}, -h, 0.0)) / h**2
    assert (round(float(across), 6), round(float(along), 6)) == (18.0, 0.2) and "90 times steeper across" in text()
    snaps = run()
    assert snaps[0].output == 21.85 and "height 21.85" in text()
    assert "the floor is at a = b = 0" in text()


def test_plain_steps_zig_zag_across_and_crawl_along():
    snaps = run()
    bs = [round(s.values["b"], 2) for s in snaps[:4]]
    assert bs == [1.5, -1.2, 0.96, -0.77] and "b = 1.5, -1.2, 0.96, -0.77" in text()
    assert all(snaps[k].values["b"] * snaps[k + 1].values["b"] < 0 for k in range(30))  # across, every step
    assert round(snaps[100].values["a"], 2) == -0.53 and g(snaps[100].output, 3) == "0.0281"
    assert "after 100 steps a is still -0.53, height 0.0281" in text()


def test_momentum_overshoots_settles_and_ends_500_times_lower():
    snaps, plain = run("momentum"), run()
    a = [s.values["a"] for s in snaps]
    top = max(range(len(a)), key=a.__getitem__)
    assert (top, round(a[top], 2)) == (23, 1.18) and "past the floor to a = 1.18 at step 23" in text()
    assert g(snaps[50].output, 3) == "0.029" and "height 0.0290 after 50 steps" in text()
    assert f"{snaps[100].output:.3g}" == "5.66e-05" and "0.0000566 after 100" in text()
    assert round(plain[100].output / snaps[100].output, -2) == 500 and "500 times lower" in text()
    assert f"{snaps[2].output:.4g}" == "20.87" and f"{snaps[10].output:.4g}" == "12.37"
    assert "height 20.87 at step 2, 12.37 at step 10" in text()


def test_nesterov_flies_off_at_0_1_and_runs_down_the_valley_at_0_05():
    wild = run("nesterov")
    assert round(wild[5].output) == 3309 and f"{wild[100].output:.2g}" == "2.8e+56"
    assert "height 3309 at step 5 and 2.8e56 at step 100" in text()
    calm = run("nesterov", 0.05)
    assert round(calm[1].values["b"], 2) == 0.15 and "(b = 0.15 after one step)" in text()
    assert f"{calm[25].output:.2g}" == "8.8e-06" and "height 0.0000088 at step 25" in text()


@pytest.mark.parametrize("update, limit", [("sgd", 2 / 18), ("momentum", 3.8 / 18), ("nesterov", 1.3571 / 18)])
def test_each_update_rules_step_size_limit_on_the_steep_side(update, limit):
    # b's curvature is 18: a step size a little under the limit settles, a little over it blows up
    assert abs(run(update, limit * 0.98, 400)[-1].values["b"]) < 1e-2
    assert abs(run(update, limit * 1.02, 400)[-1].values["b"]) > 1e2
    assert "below 1.36/18 here, momentum below 3.8/18, plain steps below 2/18" in text()
