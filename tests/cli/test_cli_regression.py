"""`hnn-tui run` on regression scenarios (issue 14): the JSON keys (rmse, val_rmse, the step's batch with residual
and pull), the table, `--data FILE.csv` with columns x and target, and every bad input refused with one line."""
from __future__ import annotations

import pytest
from helpers import assert_one_line, cli, json_lines, write

from hnn_tui.engine import load_scenario

BAD_XY = [
    ("a label column", "x,target,label\n1,2,1\n", "line 1, column label", "unknown column; expected only x and target"),
    ("no target", "x\n1\n2\n", "line 1", "no column target; the header must name x and target"),
    ("a classifier file", "x,y,label\n1,2,1\n", "line 1, column y", "unknown column; expected only x and target"),
    ("nan target", "x,target\n1,2\n# a comment\n3,nan\n", "line 4, column target", "expected a finite number, got nan"),
    ("inf x", "x,target\n-inf,2\n", "line 2, column x", "expected a finite number, got -inf"),
    ("a word", "target,x\n1,one\n", "line 2, column x", "expected a number, got 'one'"),
    ("a short row", "x,target\n1\n", "line 2", "expected 2 values (x,target), got 1"),
    ("no rows", "x,target\n", "", "no rows after the header; expected one point a line (x and its target"),
]
IDS = [b[0] for b in BAD_XY]
GOOD = "# x and its target\ntarget,x\n3,1\n5,2\n-1,0\n1.5,0.25\n"


def regression_toml(folder, data='dataset = "line"\nn = 10'):
    return write(folder, "fit.toml", f'title = "fit"\nkind = "regression"\nsteps = 3\n[model]\ntype = "line"\n'
                                     f'[data]\n{data}\n')


@pytest.mark.parametrize("why,content,key,words", BAD_XY, ids=IDS)
def test_a_bad_regression_csv_on_the_cli(why, content, key, words, tmp_path, capsys):
    path = write(tmp_path, "xy.csv", content)
    code, out = cli("run", "line_fit", "--data", path, "--json")
    assert (code, out) == (2, "")
    assert_one_line(capsys.readouterr().err, str(path), key, words)


@pytest.mark.parametrize("why,content,key,words", BAD_XY, ids=IDS)
def test_a_bad_regression_csv_named_by_a_scenario(why, content, key, words, tmp_path, capsys):
    write(tmp_path, "mine.csv", content)
    code, out = cli("run", regression_toml(tmp_path, 'csv = "mine.csv"'))
    assert (code, out) == (2, "")
    assert_one_line(capsys.readouterr().err, str(tmp_path / "mine.csv"), key, words)


def test_inline_points_of_different_lengths_and_a_nan_target(tmp_path, capsys):
    path = regression_toml(tmp_path, "xs = [1, 2, 3]\ntargets = [1, 2]")
    assert cli("run", path) == (2, "")
    assert_one_line(capsys.readouterr().err, str(path), "data.targets", "expected 3 targets (one per x), got 2")
    path = regression_toml(tmp_path, "xs = [1, 2]\ntargets = [nan, 2]")
    assert cli("run", path) == (2, "")
    assert_one_line(capsys.readouterr().err, str(path), "data.targets[0]", "expected a finite number, got nan")


def test_a_missing_csv_says_who_named_it(tmp_path, capsys):
    path = regression_toml(tmp_path, 'csv = "gone.csv"')
    assert cli("run", path) == (2, "")
    assert_one_line(capsys.readouterr().err, str(tmp_path / "gone.csv"), "",
                    f"no such file (named by data.csv in {path}); expected a CSV file of x,target rows")


def test_data_replaces_the_curve(tmp_path):
    path = write(tmp_path, "xy.csv", GOOD)
    sc = load_scenario("line_fit", data=path)
    assert (sc.spec.xs, sc.spec.targets, sc.spec.csv) == ((1.0, 2.0, 0.0, 0.25), (3.0, 5.0, -1.0, 1.5), str(path))
    code, out = cli("run", "line_fit", "--data", path, "--steps", "2", "--json")
    lines = json_lines(out)
    assert code == 0 and lines[0]["values"] == {"a": 0.0, "b": 0.0}
    # a = b = 0: the cost is the sum of the targets squared, 9 + 25 + 1 + 2.25; rmse its mean's root
    assert lines[0]["output"] == 37.25 and lines[0]["rmse"] == pytest.approx((37.25 / 4) ** 0.5, rel=1e-15)
    assert lines[-1]["summary"]["train_points"] == 4 and lines[-1]["summary"]["val_points"] == 0
    validated = write(tmp_path, "held.toml", 'title = "t"\nkind = "regression"\n[model]\ntype = "line"\n'
                                             '[data]\ndataset = "sine"\nvalidation = 0.5\nseed = 2\n')
    assert len(load_scenario(validated, data=path).spec.val_xs) == 2  # the file's split applies to the CSV


def test_json_lines_carry_rmse_and_the_steps_inside(tmp_path):
    code, out = cli("run", "sine_fit", "--steps", "2", "--json")
    lines = json_lines(out)
    assert code == 0 and [o.get("step") for o in lines[:-1]] == [0, 1, 2]
    first, step = lines[0], lines[1]
    assert list(first)[:7] == ["step", "strategy", "output", "values", "grads", "forward_passes", "backward_passes"]
    assert list(first)[7:] == ["rmse", "val_rmse", "val_cost", "batch", "data_pull", "spring_pull"]
    assert first["batch"] is None and first["data_pull"] is None and isinstance(first["val_rmse"], float)
    (point,) = step["batch"]
    assert list(point) == ["index", "x", "target", "prediction", "residual", "pull"]
    assert point["residual"] == point["target"] - point["prediction"]
    assert point["pull"] == pytest.approx(2 * point["residual"], rel=1e-15)  # squared: -2 (p - t)
    assert step["data_pull"].keys() == step["spring_pull"].keys() == step["grads"].keys()
    summary = lines[-1]["summary"]
    assert summary["rmse"] == lines[2]["rmse"] and summary["val_rmse"] == lines[2]["val_rmse"]
    assert summary["val_cost"] == lines[2]["val_cost"]
    assert (summary["train_points"], summary["val_points"]) == (40, 10)
    assert "val_accuracy" not in summary and "accuracy" not in summary
    svm = json_lines(cli("run", "svm", "--steps", "1", "--json")[1])[-1]["summary"]
    assert "val_rmse" not in svm and {"val_accuracy", "val_cost"} <= svm.keys()  # a classifier's summary as before


@pytest.mark.parametrize("strategy", ["random", "numerical", "analytic"])
def test_every_strategy_runs_a_regression(strategy):
    code, out = cli("run", "line_fit", "--strategy", strategy, "--steps", "2", "--json")
    lines = json_lines(out)
    assert code == 0 and lines[2]["step"] == 2 and lines[2]["rmse"] < lines[0]["rmse"]
    assert (lines[2]["grads"] is None) == (strategy == "random")
    assert (lines[2]["batch"] is None) == (strategy != "analytic")
    assert lines[-1]["summary"]["val_rmse"] is None and lines[-1]["summary"]["train_points"] == 20


def test_the_table_shows_rmse_and_the_held_out_columns():
    code, out = cli("run", "sine_fit", "--steps", "0")
    head = out.splitlines()[1].split()
    assert code == 0 and head[:5] == ["step", "cost", "rmse", "val", "rmse"] and head[5:7] == ["val", "cost"]
    assert "| 40 training points, 10 held out" in out.splitlines()[0]
    code, out = cli("run", "line_fit", "--steps", "0")
    assert out.splitlines()[1].split() == ["step", "cost", "rmse", "a", "b", "da", "db", "forward", "backward"]


def test_data_on_a_circuit_is_still_refused(tmp_path, capsys):
    path = write(tmp_path, "xy.csv", GOOD)
    assert cli("run", "neuron", "--data", path)[0] == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "--data applies to classifier and regression scenarios only" in err
