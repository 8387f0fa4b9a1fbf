"""`hnn-tui run --json` on classifiers (issue 12): after the old keys, each line carries the step's batch, the
data's and the spring's part of its pull, and for the net and the mlp the hidden outputs and the dead neurons."""
from __future__ import annotations

import pytest
from helpers import cli, json_lines, write

OLD_KEYS = ["step", "strategy", "output", "values", "grads", "forward_passes", "backward_passes", "accuracy"]
VAL_KEYS = ["val_accuracy", "val_cost"]  # issue 13: the held-out set's measures, null without one
CLASS_KEYS = ["class_accuracy"]  # issue 15: each class's fraction right (unbalanced data)
FORCE_KEYS = ["batch", "data_pull", "spring_pull"]
POINT_KEYS = ["index", "point", "label", "score", "pull"]


def run_json(*args) -> tuple[list[dict], dict]:
    code, out = cli("run", *args, "--json")
    assert code == 0
    lines = json_lines(out)
    return lines[:-1], lines[-1]["summary"]


def test_svm_lines_add_the_force_keys_after_the_old_ones():
    lines, summary = run_json("svm", "--steps", "3")
    assert [ln["step"] for ln in lines] == [0, 1, 2, 3]
    for ln in lines:
        assert list(ln) == OLD_KEYS + VAL_KEYS + CLASS_KEYS + FORCE_KEYS  # the svm: no hidden, no dead
    assert all(lines[0][k] is None for k in FORCE_KEYS)
    for prev, ln in zip(lines, lines[1:]):
        (b,) = ln["batch"]
        assert list(b) == POINT_KEYS and b["label"] in (1, -1) and len(b["point"]) == 2
        assert b["pull"] == (b["label"] if b["label"] * b["score"] < 1 else 0)
        x, y = b["point"]
        v = prev["values"]
        assert b["score"] == v["a"] * x + v["b"] * y + v["c"]  # the svm's score before the step, the same floats
        assert list(ln["data_pull"]) == list(ln["spring_pull"]) == list(ln["grads"]) == ["a", "b", "c"]
        for p, g in ln["grads"].items():  # JSON floats round-trip: still exact
            assert g == ln["data_pull"][p] + ln["spring_pull"][p]
            assert ln["values"][p] == v[p] + 0.01 * g
        assert ln["spring_pull"] == {"a": -v["a"], "b": -v["b"], "c": 0.0}  # reg = 1; the bias feels no spring
    assert set(summary) >= {"steps", "accuracy"} and not set(summary) & set(FORCE_KEYS)


def test_svm_step_1_is_the_guides_force_spec():
    # At a=1, b=-2, c=-1 the seed-0 stream picks point 3, (-0.1, -1.0), label -1: score 0.9 > -1, so it pulls -1.
    lines, _ = run_json("svm", "--steps", "1")
    one = lines[1]
    assert one["batch"] == [{"index": 3, "point": [-0.1, -1.0], "label": -1, "score": pytest.approx(0.9),
                             "pull": -1.0}]
    assert one["data_pull"] == {"a": pytest.approx(0.1), "b": 1.0, "c": -1.0}  # pull * (x, y, 1)
    assert one["spring_pull"] == {"a": -1.0, "b": 2.0, "c": 0.0}


def test_net_lines_carry_hidden_and_dead_on_every_line():
    lines, _ = run_json("neural_net", "--steps", "3")
    for ln in lines:
        assert list(ln) == OLD_KEYS + VAL_KEYS + CLASS_KEYS + FORCE_KEYS + ["hidden", "dead"]
        assert isinstance(ln["dead"], list) and all(n in ("n1", "n2", "n3") for n in ln["dead"])
    assert lines[0]["hidden"] is None
    for ln in lines[1:]:
        assert len(ln["hidden"]) == 1 and len(ln["hidden"][0]) == 3 and min(ln["hidden"][0]) >= 0.0


@pytest.mark.parametrize("strategy", ["random", "numerical"])
def test_non_analytic_strategies_give_null(strategy):
    for name in ("svm", "neural_net"):
        lines, _ = run_json(name, "--strategy", strategy, "--steps", "2")
        for ln in lines:
            assert all(ln[k] is None for k in FORCE_KEYS)
            assert ln.get("hidden", "absent") == ("absent" if name == "svm" else None)


def test_full_batch_lists_every_point_and_no_hidden(tmp_path):
    path = write(tmp_path, "full.toml", """
title = "full batch"
kind = "classifier"
[model]
type = "net"
batch = "full"
[data]
dataset = "guide_svm"
""")
    lines, _ = run_json(path, "--steps", "2")
    for ln in lines[1:]:
        assert [b["index"] for b in ln["batch"]] == list(range(6)) and ln["hidden"] is None
        for p, g in ln["grads"].items():
            assert g == ln["data_pull"][p] + ln["spring_pull"][p]
