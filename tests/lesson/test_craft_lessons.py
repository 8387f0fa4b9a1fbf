"""The chapter 3 craft lessons (issue 15): every number in the descriptions of dying_relus, l1_sparsity and
unbalanced is worked out here from a run, with the keys the descriptions name (V, +, [, W)."""
from __future__ import annotations

import dataclasses

import pytest

from hnn_tui.engine import Session, load_scenario


def description(name: str) -> str:
    return " ".join(load_scenario(name).description.split())


def snaps_of(session: Session, steps: int) -> list:
    return [session.current, *session.run(steps)]


def first(snaps, test) -> int | None:
    return next((s.step for s in snaps if test(s)), None)


# ---- dying_relus ----------------------------------------------------------------------------------------------

def test_dying_relus_a_start_that_kills_every_neuron():
    sc = load_scenario("dying_relus")
    assert (sc.spec.model, sc.spec.layers, sc.spec.bias_start, sc.settings.step_size, sc.steps) == \
        ("mlp", (16,), -1.0, 0.2, 2000)
    snaps = snaps_of(Session(sc), sc.steps)
    dead = [len(s.extra["dead"]) for s in snaps]
    assert dead[0] == 14 and first(snaps, lambda s: len(s.extra["dead"]) == 16) == 43
    assert all(d == 16 for d in dead[43:])  # once all are dead, none comes back
    assert all(s.measures["accuracy"] == 0.5 for s in snaps[43:])
    assert round(snaps[-1].output) == 100 and 100 <= snaps[-1].output < 100.02
    text = description("dying_relus")
    for claim in ("14 of the 16 hidden neurons are dead at step 0", "by step 43 all 16 are",
                  "accuracy stays at 0.5 and the cost at 100"):
        assert claim in text


def test_dying_relus_V_brings_them_back():
    s = Session(load_scenario("dying_relus"))
    once, what = s.rebuilt("bias", up=True)
    assert what == "biases start at -0.5"
    snaps = snaps_of(once, 2000)
    assert (len(snaps[0].extra["dead"]), len(snaps[-1].extra["dead"])) == (9, 12)
    assert first(snaps, lambda x: x.measures["accuracy"] == 1.0) == 1133
    assert snaps[-1].measures["accuracy"] == 1.0 and round(snaps[-1].output, 3) == 0.463
    twice, what = once.rebuilt("bias", up=True)
    assert what == "biases start at 0"
    snaps = snaps_of(twice, 2000)
    assert (len(snaps[0].extra["dead"]), len(snaps[-1].extra["dead"])) == (0, 5)
    assert first(snaps, lambda x: x.measures["accuracy"] == 1.0) == 1112
    text = description("dying_relus")
    for claim in ("at -0.5, 9 start dead and 12 are dead at the end", "accuracy 1.0 (first at step 1,133; cost 0.463",
                  "none start dead, 5 die on the way, accuracy 1.0 from step 1,112"):
        assert claim in text


def test_dying_relus_a_big_step_kills_them_too():
    sc = load_scenario("dying_relus")
    big = dataclasses.replace(sc, spec=dataclasses.replace(sc.spec, bias_start=0.0),
                              settings=dataclasses.replace(sc.settings, step_size=1.0))
    last = snaps_of(Session(big), 2000)[-1]
    assert len(last.extra["dead"]) == 13 and last.measures["accuracy"] == pytest.approx(0.73)
    assert "13 of 16 are dead by step 2,000 and the accuracy is stuck near 0.73" in description("dying_relus")


# ---- l1_sparsity ----------------------------------------------------------------------------------------------

def zeros(snap, prefix: str) -> int:
    return sum(v == 0.0 for p, v in snap.values.items() if p.startswith(prefix))


def test_l1_sparsity_weights_reach_exactly_zero():
    sc = load_scenario("l1_sparsity")
    assert (sc.spec.l1, sc.spec.reg, sc.spec.batch, sc.settings.step_size, sc.steps) == (0.01, 0.0, "full", 0.3, 1000)
    snaps = snaps_of(Session(sc), sc.steps)
    assert first(snaps, lambda s: zeros(s, "w1[") > 0) == 3
    assert [zeros(snaps[k], "w1[") for k in (100, 500, 1000)] == [18, 29, 30]
    last = snaps[-1]
    alive = {p: round(v, 3) for p, v in last.values.items() if p.startswith("w1[") and v != 0.0}
    assert alive == {"w1[8,0]": -0.418, "w1[8,1]": 1.473}
    assert zeros(last, "w2[") == 15 and last.measures["accuracy"] == 0.87
    text = description("l1_sparsity")
    for claim in ("the first weight is 0.0 at step 3",
                  "18 of the 32 first-layer weights are 0.0 by step 100, 29 by step 500 and 30 at step 1,000",
                  "w1[8,0] = -0.418, w1[8,1] = 1.473", "15 of the 16 output weights", "The accuracy is 0.87",
                  "reaches 0.88"):
        assert claim in text


def test_l1_sparsity_without_l1_no_weight_is_zero():
    s = Session(load_scenario("l1_sparsity"))
    for _ in range(7):  # [ seven times: 0.005, 0.002, 0.001, 0.0005, 0.0002, 0.0001, 0
        s.retuned("l1", up=False)
    assert s.scenario.spec.l1 == 0.0
    last = snaps_of(s, 1000)[-1]
    assert zeros(last, "w1[") == zeros(last, "w2[") == 0 and last.measures["accuracy"] == 0.88


# ---- unbalanced -----------------------------------------------------------------------------------------------

def test_unbalanced_accuracy_looks_fine_while_one_class_is_always_wrong():
    sc = load_scenario("unbalanced")
    spec = sc.spec
    assert (spec.labels.count(-1), spec.labels.count(1)) == (190, 10)
    s = Session(sc)
    snaps = snaps_of(s, sc.steps)
    assert first(snaps, lambda x: x.measures["accuracy"] == 0.95) == 27
    assert all(x.measures["accuracy"] == 0.95 and x.extra["class_accuracy"] == {"+1": 0.0, "-1": 1.0}
               for x in snaps[27:])
    last = snaps[-1]
    assert {p: round(v, 3) for p, v in last.values.items()} == {"a": 0.114, "b": 0.06, "c": -1.173}
    assert round(last.output, 2) == 19.86
    at_w = s.retuned("weights")  # W
    assert dict(s.scenario.spec.class_weights) == {1: 10.0, -1: 200 / 380}
    assert round(at_w.output, 2) == 192.66 and at_w.values == last.values
    after = [at_w, *s.run(500)]
    assert first(after, lambda x: x.extra["class_accuracy"]["+1"] > 0) == 506
    assert first(after, lambda x: x.extra["class_accuracy"]["+1"] == 1.0) == 541
    end = after[-1]
    assert end.measures["accuracy"] == 0.895 and end.extra["class_accuracy"] == {"+1": 1.0, "-1": 169 / 190}
    text = description("unbalanced")
    for claim in ("From step 27 the accuracy reads 0.95", "a = 0.114, b = 0.060, c = -1.173", "cost 19.86",
                  "count 10 and each -1 point's 0.526", "The cost jumps to 192.66", "right 6 steps later",
                  "all 10 are 41 steps after W", "the accuracy is 0.895", "10 of 10 +1s and 169 of 190 -1s"):
        assert claim in text
