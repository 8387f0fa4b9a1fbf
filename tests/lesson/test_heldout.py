"""`[data] validation` (issue 13): the held-out split (seeded by `[data] seed`, the same for the same seed, disjoint
from the training set, of the fraction asked), its measures against a hand computation, and that training sees the
training set only."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from helpers import cli, json_lines, write

from hnn_tui.engine import ScenarioError, Session, knobs, load_scenario, parse_scenario
from hnn_tui.engine.heldout import held_out_count, held_out_indices, merge, split


def text(data: str, model: str = 'type = "svm"\ninit = { a = 1.0, b = -2.0, c = -1.0 }', top: str = "") -> str:
    return f'title = "t"\nkind = "classifier"\n{top}\n[model]\n{model}\n[data]\n{data}\n'


def spec_of(data: str, **kw):
    return parse_scenario(text(data, **kw), "t.toml").spec


def rows(points, labels) -> Counter:
    return Counter(zip(points, labels))


# --- the split ------------------------------------------------------------------------------------

def test_the_same_seed_gives_the_same_split_another_seed_another():
    assert held_out_indices(1000, 0.2, 3) == held_out_indices(1000, 0.2, 3)
    assert held_out_indices(1000, 0.2, 3) != held_out_indices(1000, 0.2, 4)
    # pinned: a change to the draw would move every saved scenario's held-out points
    assert held_out_indices(6, 0.5, 0) == [1, 3, 5] and held_out_indices(10, 0.2, 1) == [6, 7]


@pytest.mark.parametrize("n,fraction,m", [(100, 0.2, 20), (6, 0.5, 3), (10, 0.25, 3), (7, 0.01, 1), (50, 0.0, 0),
                                          (3, 0.99, 3), (200, 0.333, 67)])
def test_the_fraction_is_respected(n, fraction, m):
    assert held_out_count(n, fraction) == m
    out = held_out_indices(n, fraction, 0)
    assert len(out) == len(set(out)) == m and out == sorted(out) and all(0 <= i < n for i in out)


def test_the_two_sets_are_disjoint_cover_the_data_and_keep_its_order():
    points = [(float(i), float(-i)) for i in range(40)]
    labels = [1 if i % 3 else -1 for i in range(40)]
    train, train_labels, val, val_labels = split(points, labels, 0.3, 9)
    assert (len(train), len(val)) == (28, 12)
    assert not set(train) & set(val) and sorted(train + val) == sorted(points)
    assert list(train) == sorted(train, key=lambda p: p[0]) and list(val) == sorted(val, key=lambda p: p[0])
    assert all(labels[int(x)] == y for (x, _), y in zip(train + val, train_labels + val_labels))
    assert merge(train, train_labels, val, val_labels, 0.3, 9) == (points, labels)
    with pytest.raises(ValueError):
        merge(train, train_labels, val[:-1], val_labels[:-1], 0.3, 9)


def test_a_scenario_holds_out_its_fraction_seeded_by_data_seed():
    spec = spec_of('dataset = "moons"\nn = 200\nvalidation = 0.25\nseed = 5')
    full = spec_of('dataset = "moons"\nn = 200\nseed = 5')
    assert (len(spec.points), len(spec.val_points), spec.validation, spec.data_seed) == (150, 50, 0.25, 5)
    assert rows(spec.points, spec.labels) + rows(spec.val_points, spec.val_labels) == rows(full.points, full.labels)
    assert not set(spec.points) & set(spec.val_points)
    again = spec_of('dataset = "moons"\nn = 200\nvalidation = 0.25\nseed = 5')
    assert again.val_points == spec.val_points
    # the scenario's seed (and --seed) draws the start and the sampled points, never the split
    other_start = parse_scenario(text('dataset = "moons"\nn = 200\nvalidation = 0.25\nseed = 5'), "t.toml", seed=9)
    assert other_start.spec.val_points == spec.val_points
    inline = 'points = [[0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]\nlabels = [1, -1, -1, 1, 1, -1]\n' \
             'validation = 0.5\nseed = {}'
    assert spec_of(inline.format(0)).val_points == ((1.0, 1.0), (3.0, 3.0), (5.0, 5.0))  # seed 0: 1, 3, 5
    assert spec_of(inline.format(1)).val_points == ((3.0, 3.0), (4.0, 4.0), (5.0, 5.0))  # seed 1: 3, 4, 5


def test_without_validation_nothing_is_held_out():
    spec = load_scenario("svm").spec
    assert (spec.val_points, spec.val_labels, spec.validation) == ((), (), 0.0)


@pytest.mark.parametrize("data,key,words", [
    ("validation = 1", "data.validation", "0 <= validation < 1"),
    ("validation = 1.5", "data.validation", "0 <= validation < 1"),
    ("validation = -0.1", "data.validation", "expected a number >= 0.0"),
    ('validation = "a fifth"', "data.validation", "expected a number"),
    ("validation = nan", "data.validation", "finite"),
    # two points: holding one out leaves one class only
    ("points = [[0, 0], [1, 1]]\nlabels = [1, -1]\nvalidation = 0.1", "data.validation",
     "leaves no"),
    # seed 0 holds out points 1, 3, 5: every -1 of these six
    ("points = [[0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]\nlabels = [1, -1, 1, -1, 1, -1]\nvalidation = 0.5",
     "data.validation", "holding out 3 of 6 points leaves no -1 point to train on"),
])
def test_a_bad_validation_is_refused(data, key, words, tmp_path, capsys):
    with pytest.raises(ScenarioError) as e:
        spec_of(data + ("\ndataset = \"guide_svm\"" if "points" not in data else ""))
    assert e.value.key == key and words in e.value.problem
    path = write(tmp_path, "bad.toml", text(data + ("\ndataset = \"guide_svm\"" if "points" not in data else "")))
    code, out = cli("run", path)
    err = capsys.readouterr().err
    assert (code, out) == (2, "") and len(err.splitlines()) == 1 and words in err


# --- the measures, by hand ------------------------------------------------------------------------

def test_val_accuracy_and_val_cost_by_hand():
    # guide_svm, seed 0, validation 0.5: held out (-0.3, -0.5) -1, (-0.1, -1.0) -1, (2.1, -3.0) +1;
    # trained on (1.2, 0.7) +1, (3.0, 0.1) +1, (-1.0, 1.1) -1. At a = 1, b = -2, c = -1:
    # held-out scores -0.3, 0.9, 7.1 -> margins 0.7, 1.9, 0 -> 2 of 3 right, mean hinge 2.6 / 3
    sc = parse_scenario(text('dataset = "guide_svm"\nvalidation = 0.5'), "t.toml")
    assert sc.spec.val_points == ((-0.3, -0.5), (-0.1, -1.0), (2.1, -3.0)) and sc.spec.val_labels == (-1, -1, 1)
    s = Session(sc)
    d = s.current.to_dict()
    assert d["val_accuracy"] == pytest.approx(2 / 3) and d["val_cost"] == pytest.approx(2.6 / 3)
    assert (s.current.detail.val_accuracy, s.current.detail.val_cost) == (d["val_accuracy"], d["val_cost"])
    # the training cost is the training set's only: scores -1.2, 1.8, -4.2 -> hinge 2.2, spring 3/2 * (1 + 4)
    assert d["output"] == pytest.approx(2.2 + 7.5) and d["accuracy"] == pytest.approx(2 / 3)
    squared = Session(parse_scenario(text('dataset = "guide_svm"\nvalidation = 0.5',
                                          model='type = "svm"\nloss = "squared_hinge"\n'
                                                'init = { a = 1.0, b = -2.0, c = -1.0 }'), "t.toml"))
    assert squared.current.to_dict()["val_cost"] == pytest.approx((0.49 + 3.61) / 3)


def test_the_measures_follow_the_parameters_and_the_steps_train_on_the_training_set_only():
    sc = parse_scenario(text('dataset = "moons"\nn = 60\nvalidation = 0.5\nseed = 2', model='type = "net"',
                             top="seed = 3"), "t.toml")
    s = Session(sc)
    train = set(zip(sc.spec.points, sc.spec.labels))
    for snap in s.run(40):
        for b in snap.extra["batch"]:
            assert (b.point, b.label) in train and b.index < len(sc.spec.points)
        v = snap.values
        score = s.stage.score  # the panel's pure scorer, on the held-out points
        X = np.array(sc.spec.val_points)
        scores = score(dict(v), X[:, 0], X[:, 1])
        y = np.array(sc.spec.val_labels)
        assert snap.extra["val_accuracy"] == pytest.approx(float(np.mean(np.where(scores > 0, 1, -1) == y)))
        assert snap.extra["val_cost"] == pytest.approx(float(np.mean(np.maximum(0, 1 - y * scores))))
    assert s.stage.val_points == sc.spec.val_points and s.stage.val_labels == sc.spec.val_labels


def test_json_lines_and_summary(tmp_path):
    path = write(tmp_path, "v.toml", text('dataset = "guide_svm"\nvalidation = 0.5'))
    code, out = cli("run", path, "--steps", "3", "--json")
    assert code == 0
    lines = json_lines(out)
    assert lines[0]["val_accuracy"] == pytest.approx(2 / 3) and lines[0]["val_cost"] == pytest.approx(2.6 / 3)
    summary = lines[-1]["summary"]
    assert (summary["train_points"], summary["val_points"]) == (3, 3)
    assert (summary["val_accuracy"], summary["val_cost"]) == (lines[-2]["val_accuracy"], lines[-2]["val_cost"])


def test_a_held_out_cost_that_is_not_finite_is_refused_at_the_start():
    data = "points = [[1, 1], [-1, -1], [2, 2], [1e308, 1e308]]\nlabels = [1, -1, -1, -1]\nvalidation = 0.25\nseed = {}"
    seed = next(s for s in range(100) if held_out_indices(4, 0.25, s) == [3])
    with pytest.raises(ScenarioError) as e:
        spec_of(data.format(seed), model='type = "svm"\ninit = { a = 10.0, b = 10.0, c = 0.0 }')
    assert "the held-out cost became inf" in e.value.problem


# --- the knobs keep the split ---------------------------------------------------------------------

def test_data_of_knows_a_generated_sets_size_noise_and_seed():
    spec = spec_of('dataset = "moons"\nn = 300\nnoise = 0.2\nseed = 7\nvalidation = 0.1')
    assert (spec.data_n, spec.data_noise, spec.data_seed) == (300, 0.2, 7)
    assert knobs.data_of(spec, None) == knobs.Data("moons", 300, 0.2, 7)
    assert knobs.data_of(load_scenario("svm").spec, None) == knobs.Data("guide_svm", 6, 0.1, 0)
    fresh = knobs.with_data(spec, knobs.Data("moons", 300, 0.2, 7), None)
    assert fresh == spec and (fresh.data_n, fresh.data_noise) == (300, 0.2)  # drawn again: the same two sets
    more = knobs.with_data(spec, knobs.Data("moons", 500, 0.2, 7), None)
    assert (len(more.points), len(more.val_points)) == (450, 50)


def test_the_dataset_knob_comes_back_to_the_scenarios_own_split(tmp_path):
    write(tmp_path, "p.csv", "x,y,label\n" + "".join(f"{i},{i % 5},{1 - 2 * (i % 2)}\n" for i in range(20)))
    sc = parse_scenario(text('csv = "p.csv"\nvalidation = 0.25'), str(tmp_path / "t.toml"))
    s = Session(sc)
    seen = []
    for _ in range(len(knobs.datasets.DATASETS) + 1):  # every named set (one too small to split is skipped), back
        s, what = s.rebuilt("dataset")
        seen.append(s.scenario.spec)
        if s.scenario.spec.dataset == "inline":
            break
    back = seen[-1]
    assert back.dataset == "inline" and back == sc.spec  # the CSV's two sets again
    moons = next(sp for sp in seen if sp.dataset == "moons")
    assert (len(moons.points), len(moons.val_points)) == (75, 25)
