"""What the bundled scenarios' descriptions claim about runs of the guide's code, computed by the engine."""
from __future__ import annotations

import dataclasses

from hnn_tui.engine import Session, load_scenario


def accuracies(reg: float | None, seed: int, steps: int = 400) -> list[float]:
    sc = load_scenario("neural_net", seed)
    if reg is not None:
        sc = dataclasses.replace(sc, spec=dataclasses.replace(sc.spec, reg=reg))
    return [snap.measures["accuracy"] for snap in Session(sc).run(steps)]


def test_neural_net_seed_0_is_perfect_at_step_171_and_back_at_half_by_400():
    accs = accuracies(None, 0)
    first = accs.index(1.0) + 1  # accs[k] is after step k + 1
    assert f"at step {first} and is back at 3 of 6 by step 400" in " ".join(
        load_scenario("neural_net").description.split())
    assert accs[-1] == 0.5


def test_neural_net_with_a_weaker_spring_ends_perfect_on_8_of_seeds_0_to_9():
    finals = [accuracies(0.1, seed)[-1] for seed in range(10)]
    perfect = sum(a == 1.0 for a in finals)
    text = " ".join(load_scenario("neural_net").description.split())
    assert "Set reg = 0.1" in text and f"all six right on {perfect} of 10" in text
    assert perfect >= 6  # and the advice is worth giving
