"""A multiclass classifier's data (issue 14): class names and their order, the K-class generators, inline labels,
CSV files with class names, the held-out split, and the refusals (one line naming the file and the key, or the
line and the column of a CSV file)."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from hnn_tui.engine import ScenarioError, Session, datasets, load_scenario, parse_scenario
from hnn_tui.engine.lessons import ClassifierSpec, MulticlassSpec
from hnn_tui.engine.lessons.class_data import class_key, class_order


def text(data: str, model: str = 'type = "svm"', loss: str = "softmax") -> str:
    return f'title = "t"\nkind = "classifier"\n[model]\n{model}\nloss = "{loss}"\n[data]\n{data}\n'


def spec_of(data: str, **kw) -> MulticlassSpec:
    return parse_scenario(text(data, **kw), "t.toml").spec


def refused(data: str, **kw) -> ScenarioError:
    with pytest.raises(ScenarioError) as e:
        parse_scenario(text(data, **kw), "t.toml")
    return e.value


# --- class names -------------------------------------------------------------------------------------

def test_numbers_name_one_class_however_written():
    assert [class_key(s) for s in ("2", "+2", "2.0", "0.50", "-1", "+1", "red", "1e1")] == \
        ["2", "2", "2", "0.5", "-1", "1", "red", "10"]


def test_classes_sort_numerically_when_all_are_numbers_else_as_text():
    assert class_order(["10", "9", "2", "9"]) == ("2", "9", "10")
    assert class_order(["red", "blue", "green", "red"]) == ("blue", "green", "red")
    assert class_order(["10", "9", "b"]) == ("10", "9", "b")  # not all numbers: as text


def test_inline_labels_may_be_strings_or_whole_numbers():
    spec = spec_of('points = [[0, 0], [1, 1], [2, 2], [3, 3]]\nlabels = ["red", "blue", "red", "green"]')
    assert spec.classes == ("blue", "green", "red") and spec.labels == (2, 0, 2, 1)
    spec = spec_of('points = [[0, 0], [1, 1], [2, 2]]\nlabels = [10, 2, "+2"]')
    assert spec.classes == ("2", "10") and spec.labels == (1, 0, 0)


def test_the_loss_picks_the_kind():
    binary = parse_scenario(text('dataset = "guide_svm"', loss="hinge"), "t.toml").spec
    assert type(binary) is ClassifierSpec
    assert type(spec_of('dataset = "blobs"')) is MulticlassSpec


# --- the generators ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["blobs", "spiral"])
def test_generators_draw_n_points_in_k_classes_seeded(name):
    points, labels = datasets.load_classes(name, 11, 4, 0.1, 5)
    assert len(points) == 11 and labels == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3]  # 11 // 4, the first 3 one more
    assert datasets.load_classes(name, 11, 4, 0.1, 5) == (points, labels)
    assert datasets.load_classes(name, 11, 4, 0.1, 6)[0] != points


def test_blobs_are_centred_on_the_unit_circle_class_1_at_the_top():
    points, labels = datasets.load_classes("blobs", 3000, 3, 0.1, 0)
    X, y = np.array(points), np.array(labels)
    for j, (cx, cy) in enumerate([(0, 1), (-3**0.5 / 2, -0.5), (3**0.5 / 2, -0.5)]):
        assert X[y == j].mean(axis=0) == pytest.approx([cx, cy], abs=0.01)
        assert X[y == j].std(axis=0) == pytest.approx([0.1, 0.1], abs=0.01)


def test_spiral_arms_are_one_turn_each_turned_by_360_over_k():
    points, labels = datasets.load_classes("spiral", 12, 3, 0.0, 0)
    X = np.array(points)
    # arm j's last point: r = 1, angle t = 2*pi + 2*pi*j/3 measured from the y axis: (sin t, cos t)
    for j, last in enumerate((3, 7, 11)):
        t = 2 * np.pi + 2 * np.pi * j / 3
        assert X[last] == pytest.approx([np.sin(t), np.cos(t)], abs=1e-12)
    assert np.hypot(*X[0]) == pytest.approx(0.25)  # the first point of an arm of 4: r = 1/4


def test_a_generated_set_names_its_classes_1_to_k():
    spec = spec_of('dataset = "spiral"\nclasses = 5\nn = 50')
    assert spec.classes == ("1", "2", "3", "4", "5") and Counter(spec.labels) == {j: 10 for j in range(5)}
    assert (spec.dataset, spec.data_n, spec.data_noise) == ("spiral", 50, 0.1)


def test_the_binary_sets_are_two_classes_minus_1_and_1():
    spec = spec_of('dataset = "guide_svm"')
    assert spec.classes == ("-1", "1") and spec.labels == (1, 0, 1, 0, 0, 1)  # the guide's +1, -1, +1, -1, -1, +1
    assert spec.points == ((1.2, 0.7), (-0.3, -0.5), (3.0, 0.1), (-0.1, -1.0), (-1.0, 1.1), (2.1, -3.0))
    moons = spec_of('dataset = "moons"\nn = 20\nnoise = 0.2')
    assert moons.classes == ("-1", "1") and (moons.data_n, moons.data_noise) == (20, 0.2)
    assert refused('dataset = "moons"\nclasses = 3').key == "data.classes"


# --- CSV with class names, and the held-out split -------------------------------------------------------

def test_a_csv_file_with_class_names(tmp_path):
    path = tmp_path / "iris.csv"
    path.write_text("label,x,y\n# a comment\nsetosa,1,2\nvirginica,0.5,-1\n\nversicolor,3,3\nsetosa,2,2\n")
    sc = load_scenario_text(tmp_path, 'csv = "iris.csv"')
    assert sc.spec.classes == ("setosa", "versicolor", "virginica")
    assert sc.spec.points == ((1.0, 2.0), (0.5, -1.0), (3.0, 3.0), (2.0, 2.0)) and sc.spec.labels == (0, 2, 1, 0)
    assert sc.spec.csv == str(path)
    other = load_scenario(tmp_path / "my.toml", data=path)  # --data: the same points
    assert other.spec == sc.spec


def load_scenario_text(folder, data: str):
    (folder / "my.toml").write_text(text(data))
    return load_scenario(folder / "my.toml")


def test_the_held_out_split_keeps_every_class_and_the_data():
    full = spec_of('dataset = "blobs"\nn = 30\nseed = 2')
    spec = spec_of('dataset = "blobs"\nn = 30\nvalidation = 0.3\nseed = 2')
    assert (len(spec.points), len(spec.val_points)) == (21, 9)
    assert Counter(zip(spec.points, spec.labels)) + Counter(zip(spec.val_points, spec.val_labels)) == \
        Counter(zip(full.points, full.labels))
    assert set(spec.labels) == {0, 1, 2}
    snap = Session(parse_scenario(text('dataset = "blobs"\nn = 30\nvalidation = 0.3\nseed = 2'), "t.toml")).current
    assert snap.extra["val_accuracy"] is not None and snap.extra["val_cost"] > 0


def test_a_split_that_leaves_a_class_no_training_point_is_refused():
    e = refused('points = [[0, 0], [1, 1], [2, 2], [3, 3]]\nlabels = ["a", "b", "c", "c"]\nvalidation = 0.5')
    assert e.key == "data.validation" and "leaves no point of class" in e.problem


# --- refusals --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data,model,key,words", [
    ('points = [[0, 0], [1, 1]]\nlabels = ["red", "red"]', 'type = "svm"', "data.labels",
     "every point is class 'red'; expected 2 to 10 classes"),
    ("points = [" + ", ".join(f"[{i}, 0]" for i in range(11)) + "]\nlabels = [" + ", ".join(map(str, range(11)))
     + "]", 'type = "svm"', "data.labels[10]", "an 11th class '10'; expected at most 10 classes"),
    ('points = [[0, 0], [1, 1]]\nlabels = ["a", 1.5]', 'type = "svm"', "data.labels[1]", "expected a class name"),
    ('points = [[0, 0], [1, 1]]\nlabels = ["a", " "]', 'type = "svm"', "data.labels[1]", "expected a class name"),
    ('dataset = "blobs"\nclasses = 11', 'type = "svm"', "data.classes", "from 2 to 10"),
    ('dataset = "blobs"\nclasses = 4\nn = 3', 'type = "svm"', "data.n", "at least one point per class"),
    ('dataset = "mnist"', 'type = "svm"', "data.dataset", "expected one of blobs, spiral, guide_intro"),
    ('points = [[0, 0], [1, 1]]\nlabels = [1, 2]\nclasses = 2', 'type = "svm"', "data.classes",
     "applies to a generated dataset only"),
    ('dataset = "blobs"', 'type = "svm"\ninit = { a = 1.0 }', "model.init.a", "expected some of a1, b1, c1"),
    ('dataset = "blobs"', 'type = "svm"\nhidden = 3', "model.hidden", 'applies to type = "net" only'),
])
def test_bad_multiclass_data_is_refused_by_key(data, model, key, words):
    e = refused(data, model=model)
    assert (e.source, e.key) == ("t.toml", key) and words in e.problem, str(e)


@pytest.mark.parametrize("content,key,words", [
    ("x,y,label\n0,0,red\n1,1,red\n# no other\n2,2,red\n", "line 5, column label",
     "every point (lines 2 to 5) is class 'red'; expected 2 to 10 classes"),
    ("x,y,label\n" + "".join(f"{i},0,c{i}\n" for i in range(12)), "line 12, column label",
     "an 11th class 'c10'; expected at most 10 classes"),
    ("x,y,label\n0,0,red\n1,1,\n", "line 3, column label", "empty; expected a class name"),
    ("x,y,label\n0,0,red\n1,zz,blue\n", "line 3, column y", "expected a number"),
    ("x,y,label,z\n0,0,red\n", "line 1, column z", "unknown column"),
])
def test_bad_multiclass_csv_is_refused_by_line_and_column(tmp_path, content, key, words):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(ScenarioError) as e:
        parse_scenario(text('dataset = "blobs"'), "t.toml", data=path)
    assert (e.value.source, e.value.key) == (str(path), key) and words in e.value.problem, str(e.value)
