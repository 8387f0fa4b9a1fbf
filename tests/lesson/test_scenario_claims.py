"""What the bundled classifier lessons' descriptions claim about their default runs, computed by the engine: every
step and count in a description is worked out here from a run and must be the one the description names."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from hnn_tui.engine import Session, load_scenario
from hnn_tui.widgets.boundary_view import extent


def description(name: str) -> str:
    return " ".join(load_scenario(name).description.split())


def run(name: str, seed: int | None = None):
    """The snapshots of the lesson's default run, step 0 first (snaps[k] is after step k)."""
    sc = load_scenario(name) if seed is None else load_scenario(name, seed)
    s = Session(sc)
    return [s.current, *s.run(sc.steps)]


def right(snap) -> int:
    """How many of the six points the snapshot gets right."""
    return round(snap.measures["accuracy"] * 6)


def steps_where(snaps, test) -> list[int]:
    return [snap.step for snap in snaps if test(snap)]


# --- svm: the guide's run ------------------------------------------------------------------------------------------

def test_svm_is_the_guides_run():
    sc = load_scenario("svm")
    assert (sc.seed, sc.steps, sc.spec.reg, sc.spec.batch, sc.settings.step_size) == (0, 400, 1.0, "sgd", 0.01)


def test_svm_description_accuracy():
    snaps = run("svm")
    text = description("svm")
    perfect = steps_where(snaps, lambda s: right(s) == 6)
    five_from = min(steps_where(snaps, lambda s: right(s) == 5))
    assert right(snaps[0]) == 4 and right(snaps[1]) == 4  # the guide printed 0.33 after its first iteration
    assert "this start already classifies 4 of 6 points (0.67) and one step of 0.01 changes no sign" in text
    assert all(right(s) >= 5 for s in snaps[five_from:])  # never below 5 again
    assert f"4 of the 6 points are right at the start and 5 of 6 from step {five_from}," in text
    assert perfect == [366, 368]
    assert "All six are right only at steps 366 and 368, and each time the next step loses one again" in text
    assert [right(snaps[k + 1]) for k in perfect] == [5, 5]
    assert right(snaps[-1]) == 5 and snaps[-1].step == 400
    assert "the run ends at step 400 with 5 of 6 (0.83)" in text


def test_svm_description_the_spring_alone_tips_a_point_back_at_step_369():
    snaps = run("svm")
    before, after = snaps[368].values, snaps[369].values
    assert after["c"] == before["c"]  # c moves only by the sampled point's pull (no spring on c): it pulled 0
    assert (after["a"], after["b"]) != (before["a"], before["b"])
    assert (right(snaps[368]), right(snaps[369])) == (6, 5)
    assert "(at step 369 the spring alone does it: that step's point pulls nothing)" in description("svm")


def test_svm_description_cost():
    snaps = run("svm")
    under_3 = 1 + max(steps_where(snaps, lambda s: s.output >= 3))
    assert under_3 == 156
    assert all(2.8 <= s.output < 3 for s in snaps[under_3:])
    assert f"cost falls from {snaps[0].output:.1f} to under 3 at step {under_3} and stays between 2.8 and 3 from" \
           " there" in description("svm")


# --- neural_net: the net with reg = 0.1 ----------------------------------------------------------------------------

def test_neural_net_is_the_guides_net_with_a_tenth_of_its_spring():
    net, guide = load_scenario("neural_net"), load_scenario("neural_net_guide")
    assert (net.spec.reg, guide.spec.reg) == (0.1, 1.0)
    assert dataclasses.replace(net.spec, reg=1.0) == guide.spec  # otherwise the same net, data and settings
    assert (net.settings, net.seed, net.steps, net.strategy) == (guide.settings, guide.seed, guide.steps,
                                                                 guide.strategy)
    assert "with strength 0.1 (reg = 0.1 under [model]), a tenth of the guide's" in description("neural_net")


def test_neural_net_description_seed_0():
    snaps = run("neural_net")
    text = description("neural_net")
    first = min(steps_where(snaps, lambda s: right(s) == 6))
    for_good = 1 + max(steps_where(snaps, lambda s: right(s) < 6))
    slips = [(a.step, right(b)) for a, b in zip(snaps, snaps[1:]) if right(a) == 6 and right(b) < 6]
    assert right(snaps[0]) == 3 and "Seed 0 starts with 3 of the 6 points right" in text
    assert (first, for_good) == (43, 58)
    assert slips == [(48, 5), (56, 5)]  # slips back to 5 of 6 twice
    assert (f"first gets all six right at step {first}, slips back to 5 of 6 twice, and from step {for_good} on keeps"
            " all six right to step 400") in text
    assert snaps[-1].step == 400 and right(snaps[-1]) == 6
    assert f"the cost falls from {snaps[0].output:.2f} to {snaps[-1].output:.2f}." in text
    assert (f"{snaps[0].output:.2f}", f"{snaps[-1].output:.2f}") == ("6.09", "0.98")


def test_neural_net_description_seeds_0_to_9():
    perfect = sum(right(run("neural_net", seed)[-1]) == 6 for seed in range(10))
    assert perfect == 8
    assert f"Seeds 0-9 end step 400 with all six right on {perfect} of 10." in description("neural_net")


# --- neural_net_guide: the guide's code, reg = 1 -------------------------------------------------------------------

def test_neural_net_guide_description_seed_0():
    snaps = run("neural_net_guide")
    text = description("neural_net_guide")
    perfect = steps_where(snaps, lambda s: right(s) == 6)
    back_at_3 = 1 + max(steps_where(snaps, lambda s: right(s) != 3))
    assert right(snaps[0]) == 3 and "Seed 0 starts with 3 of the 6 points right" in text
    assert (perfect[0], perfect[-1], back_at_3) == (171, 302, 332)
    assert (f"first gets all six right at step {perfect[0]}, has all six right for the last time at step "
            f"{perfect[-1]}, and from step {back_at_3} on is back at 3 of 6") in text
    assert snaps[-1].step == 400 and right(snaps[-1]) == 3
    assert f"The cost falls only from {snaps[0].output:.2f} to {snaps[-1].output:.2f}." in text
    assert (f"{snaps[0].output:.2f}", f"{snaps[-1].output:.2f}") == ("7.54", "5.70")


def test_neural_net_guide_ends_with_the_whole_plane_blue():
    sc = load_scenario("neural_net_guide")
    s = Session(sc)
    snaps = [s.current, *s.run(sc.steps)]
    x0, x1, y0, y1 = extent(s.stage.points)  # the boundary picture's box
    X, Y = np.meshgrid(np.linspace(x0, x1, 300), np.linspace(y0, y1, 300))
    positive_everywhere = [snap.step for snap in snaps if (s.stage.score(snap.values, X, Y) > 0).all()]
    assert set(range(332, 401)) <= set(positive_everywhere) and 331 not in positive_everywhere
    assert sorted(s.stage.labels) == [-1, -1, -1, 1, 1, 1]  # score > 0 everywhere: exactly the 3 positives right
    assert ("from step 332 on is back at 3 of 6: the score is positive everywhere on the picture (the whole plane"
            " blue), so only the three positive points are right") in description("neural_net_guide")


def test_neural_net_guide_is_the_sixth_lesson():
    sc = load_scenario("neural_net_guide")
    assert sc.order == 6 and "The lesson neural_net is the same net with reg = 0.1." in description(sc.name)


# --- the README says the same --------------------------------------------------------------------------------------

def test_the_readme_scenarios_table_and_the_2_layer_net_bullet():
    readme = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text().split())
    svm, net, guide = run("svm"), run("neural_net"), run("neural_net_guide")
    svm_perfect = steps_where(svm, lambda s: right(s) == 6)
    five_from = min(steps_where(svm, lambda s: right(s) == 5))
    net_for_good = 1 + max(steps_where(net, lambda s: right(s) < 6))
    guide_first = min(steps_where(guide, lambda s: right(s) == 6))
    guide_back = 1 + max(steps_where(guide, lambda s: right(s) != 3))
    assert (f"SGD with step 0.01 for 400 steps: 5 of 6 right from step {five_from}, all six only at steps "
            f"{svm_perfect[0]} and {svm_perfect[1]}, {right(svm[-1])} of 6 at step 400 |") in readme
    assert f"spring reg = 0.1: all six right from step {net_for_good} to step 400 |" in readme
    assert (f"| `neural_net_guide` | the same net with the guide's spring, reg = 1: all six right first at step "
            f"{guide_first}, back at 3 of 6 from step {guide_back} (the score positive everywhere) |") in readme
    assert (f"seed 0 first gets all six points right at step {guide_first} and from step {guide_back} on is back at "
            "3 of 6, its score positive everywhere. The bundled `neural_net` sets `reg = 0.1` in its `[model]`: seed "
            f"0 keeps all six right from step {net_for_good} to step 400, and 8 of seeds 0-9 end step 400 with all six"
            " right") in readme
