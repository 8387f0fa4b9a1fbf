"""`hnn-tui run` on multiclass scenarios (issue 14): the JSON keys (accuracy, class_accuracy, confusion, the batch
with each point's class scores, probabilities and pull), the table, `--data` with class names, the held-out set,
and bad input: exit 2, one line naming the file and the key, or the line and the column."""
from __future__ import annotations

import math

import pytest
from helpers import assert_one_line, cli, json_lines, write

SCENARIO = """title = "mc"
kind = "classifier"
seed = 1
steps = 3
[model]
type = "{model}"
loss = "{loss}"
batch = "{batch}"
reg = 0.1
[data]
{data}
"""
BLOBS = 'dataset = "blobs"\nn = 12\nclasses = 3'


def scenario(tmp_path, model="svm", loss="softmax", batch="full", data=BLOBS):
    return write(tmp_path, "mc.toml", SCENARIO.format(model=model, loss=loss, batch=batch, data=data))


def run_json(*args):
    code, out = cli("run", *args, "--json")
    assert code == 0
    lines = json_lines(out)
    return lines[:-1], lines[-1]["summary"]


def test_json_lines_carry_the_multiclass_keys_in_order(tmp_path):
    lines, summary = run_json(scenario(tmp_path))
    first, step = lines[0], lines[1]
    assert list(first)[7:] == ["accuracy", "val_accuracy", "val_cost", "class_accuracy", "confusion", "batch",
                               "data_pull", "spring_pull"]
    assert first["batch"] is None and first["data_pull"] is None
    assert list(step["class_accuracy"]) == ["1", "2", "3"]
    confusion = step["confusion"]
    assert len(confusion) == 3 and all(len(row) == 3 for row in confusion)
    assert [sum(row) for row in confusion] == [4, 4, 4]  # 12 points, 4 a class
    assert step["accuracy"] == sum(confusion[j][j] for j in range(3)) / 12
    for name, row in zip("123", confusion):
        assert step["class_accuracy"][name] == row[int(name) - 1] / 4
    assert len(step["batch"]) == 12  # full batch
    for p in step["batch"]:
        assert set(p) == {"index", "point", "label", "scores", "probs", "pull"} and p["label"] in ("1", "2", "3")
        assert len(p["scores"]) == len(p["probs"]) == len(p["pull"]) == 3
        assert sum(p["probs"]) == pytest.approx(1.0)
        k = int(p["label"]) - 1
        assert p["pull"] == pytest.approx([(j == k) - q for j, q in enumerate(p["probs"])], abs=1e-15)
        expected = [math.exp(s) / sum(math.exp(t) for t in p["scores"]) for s in p["scores"]]
        assert p["probs"] == pytest.approx(expected, abs=1e-12)
    assert step["data_pull"].keys() == step["spring_pull"].keys() == step["grads"].keys()
    for name, g in step["grads"].items():
        assert g == pytest.approx(step["data_pull"][name] + step["spring_pull"][name], abs=1e-15)
    assert "hidden" not in step and "dead" not in step  # the linear model has no hidden neurons
    assert summary["accuracy"] == lines[-1]["accuracy"] and (summary["train_points"], summary["val_points"]) == (12, 0)


def test_the_hinge_batch_has_no_probabilities_and_a_net_has_hidden_neurons(tmp_path):
    lines, _ = run_json(scenario(tmp_path, model="net", loss="multiclass_hinge", batch="sgd"))
    step = lines[1]
    (p,) = step["batch"]
    assert set(p) == {"index", "point", "label", "scores", "pull"}
    k = int(p["label"]) - 1
    s = p["scores"]
    violators = [j for j in range(3) if j != k and s[j] - s[k] + 1 > 0]
    assert p["pull"] == [(-1.0 if j in violators else 0.0) + (len(violators) if j == k else 0) for j in range(3)]
    assert len(step["hidden"][0]) == 3 and isinstance(step["dead"], list)
    assert list(step["values"])[:4] == ["w1[0,0]", "w1[0,1]", "b1[0]", "w1[1,0]"]


@pytest.mark.parametrize("strategy,passes", [("numerical", 12 * 10), ("random", 12 * 100)])
def test_other_strategies_count_their_passes_and_have_no_batch(tmp_path, strategy, passes):
    lines, _ = run_json(scenario(tmp_path), "--strategy", strategy, "--steps", "2")
    assert [o["forward_passes"] for o in lines] == [0, passes, 2 * passes]
    assert [o["backward_passes"] for o in lines] == [0, 0, 0]
    assert all(o["batch"] is None for o in lines)
    assert (lines[1]["grads"] is None) == (strategy == "random")


def test_the_table_prints_cost_and_accuracy(tmp_path):
    code, out = cli("run", scenario(tmp_path, data=BLOBS + "\nvalidation = 0.25"))
    assert code == 0
    head, columns, *rows = out.splitlines()
    assert "9 training points, 3 held out" in head
    assert columns.split()[:5] == ["step", "cost", "accuracy", "val", "acc"]
    assert len(rows) == 4


def test_data_with_class_names(tmp_path):
    csv = write(tmp_path, "iris.csv", "x,y,label\n0,0,setosa\n1,1,virginica\n2,0,versicolor\n3,1,setosa\n")
    lines, summary = run_json(scenario(tmp_path), "--data", csv)
    assert list(lines[0]["class_accuracy"]) == ["setosa", "versicolor", "virginica"]
    assert summary["train_points"] == 4
    assert {p["label"] for p in lines[1]["batch"]} == {"setosa", "versicolor", "virginica"}


def test_held_out_measures_in_the_json(tmp_path):
    lines, summary = run_json(scenario(tmp_path, data=BLOBS + "\nvalidation = 0.25"))
    assert all(0 <= o["val_accuracy"] <= 1 and o["val_cost"] > 0 for o in lines)
    assert (summary["train_points"], summary["val_points"]) == (9, 3)
    assert summary["val_accuracy"] == lines[-1]["val_accuracy"]
    assert sum(map(sum, lines[0]["confusion"])) == 9  # the confusion counts training points only


ONE = 'points = [[0, 0], [1, 1]]\nlabels = ["red", "red"]'
ELEVEN = "points = [" + ", ".join(f"[{i}, 0]" for i in range(11)) + "]\nlabels = [" + \
    ", ".join(f'"c{i}"' for i in range(11)) + "]"


@pytest.mark.parametrize("data,key,words", [
    (ONE, "data.labels", "every point is class 'red'; expected 2 to 10 classes"),
    (ELEVEN, "data.labels[10]", "an 11th class 'c10'; expected at most 10 classes"),
])
def test_bad_inline_classes_exit_2_with_one_line(tmp_path, capsys, data, key, words):
    path = scenario(tmp_path, data=data)
    assert cli("run", path, "--json") == (2, "")
    assert_one_line(capsys.readouterr().err, str(path), key, words)


@pytest.mark.parametrize("content,key,words", [
    ("x,y,label\n0,0,red\n1,1,red\n", "line 3, column label", "every point (lines 2 to 3) is class 'red'"),
    ("x,y,label\n" + "".join(f"{i},0,{i}\n" for i in range(11)), "line 12, column label",
     "an 11th class '10'; expected at most 10 classes"),
])
def test_bad_csv_classes_exit_2_with_one_line(tmp_path, capsys, content, key, words):
    csv = write(tmp_path, "bad.csv", content)
    assert cli("run", scenario(tmp_path), "--data", csv) == (2, "")
    assert_one_line(capsys.readouterr().err, str(csv), key, words)
    named = scenario(tmp_path, data='csv = "bad.csv"')  # named by the scenario: the same refusal
    assert cli("run", named) == (2, "")
    assert_one_line(capsys.readouterr().err, str(csv), key, words)


def test_the_binary_losses_keep_requiring_plus_or_minus_one(tmp_path, capsys):
    csv = write(tmp_path, "names.csv", "x,y,label\n0,0,red\n1,1,blue\n")
    assert cli("run", "svm", "--data", csv) == (2, "")
    assert_one_line(capsys.readouterr().err, str(csv), "line 2, column label", "expected +1 or -1")
