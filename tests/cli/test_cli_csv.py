"""Points from CSV files (issue 13): `hnn-tui run SCENARIO --data FILE.csv`, `[data] csv = "..."`, and every bad
file refused the same way: exit 2, one line on stderr naming the file, the line and the column, no traceback,
nothing half-loaded. Each bad case runs through the CLI, through load_scenario(data=...) and through `[data] csv`."""
from __future__ import annotations

import os
import random
import time
import tracemalloc
from pathlib import Path

import pytest
from cases import BAD_CSV, BAD_CSV_IDS, GOOD_ROWS, HEAD
from helpers import assert_one_line, cli, json_lines, process, write

from hnn_tui.engine import ScenarioError, load_scenario
from hnn_tui.engine.csvdata import MAX_CSV_BYTES, MAX_CSV_ROWS, read_points_csv
from hnn_tui.engine.save import points_csv


def csv_file(folder: Path, content, name="points.csv") -> Path:
    return write(folder, name, content)


def scenario_with_csv(folder: Path, csv_name: str) -> Path:
    return write(folder, "my.toml", f'title = "mine"\nkind = "classifier"\n[model]\ntype = "svm"\n'
                                    f'[data]\ncsv = "{csv_name}"\n')


# --- every bad file: the CLI, load_scenario and [data] csv ------------------------------------------

@pytest.mark.parametrize("why,content,key,words", BAD_CSV, ids=BAD_CSV_IDS)
def test_a_bad_csv_on_the_cli(why, content, key, words, tmp_path, capsys):
    path = csv_file(tmp_path, content)
    code, out = cli("run", "svm", "--data", path, "--json")
    assert (code, out) == (2, "")
    assert_one_line(capsys.readouterr().err, str(path), key, words)


@pytest.mark.parametrize("why,content,key,words", BAD_CSV, ids=BAD_CSV_IDS)
def test_a_bad_csv_through_load_scenario(why, content, key, words, tmp_path):
    path = csv_file(tmp_path, content)
    with pytest.raises(ScenarioError) as e:
        load_scenario("svm", data=path)
    assert (e.value.source, e.value.key) == (str(path), key) and words in e.value.problem


@pytest.mark.parametrize("why,content,key,words", BAD_CSV, ids=BAD_CSV_IDS)
def test_a_bad_csv_named_by_a_scenario(why, content, key, words, tmp_path, capsys):
    csv_file(tmp_path, content, "mine.csv")
    scenario = scenario_with_csv(tmp_path, "mine.csv")
    code, out = cli("run", scenario)
    assert (code, out) == (2, "")
    assert_one_line(capsys.readouterr().err, str(tmp_path / "mine.csv"), key, words)


def test_too_many_rows_and_too_many_bytes(tmp_path, capsys):
    rows = HEAD + "-1,-1,-1\n" + "1,1,1\n" * MAX_CSV_ROWS  # one row too many
    path = csv_file(tmp_path, rows)
    code, _ = cli("run", "svm", "--data", path)
    assert code == 2
    assert_one_line(capsys.readouterr().err, str(path), f"line {MAX_CSV_ROWS + 2}",
                    "more than 100,000 rows; expected at most 100,000 points")
    big = csv_file(tmp_path, HEAD + "-1,-1,-1\n1,1,1\n" + "#" * MAX_CSV_BYTES, "big.csv")  # legal, but too big
    code, _ = cli("run", "svm", "--data", big)
    assert code == 2
    assert_one_line(capsys.readouterr().err, str(big), "", "expected a CSV file of at most 10,000,000 bytes (10 MB)")
    exactly = csv_file(tmp_path, HEAD + "-1,-1,-1\n1,1,1\n", "exact.csv")
    with open(exactly, "a") as f:  # a file of exactly 10 MB is fine
        f.write("#" * (MAX_CSV_BYTES - exactly.stat().st_size - 1) + "\n")
    assert exactly.stat().st_size == MAX_CSV_BYTES
    assert len(load_scenario("svm", data=exactly).spec.points) == 2


def test_a_huge_file_is_refused_without_being_read_whole(tmp_path, capsys):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:
        f.write(HEAD.encode())
        f.truncate(1_000_000_000)  # sparse: 1 GB on paper, nothing on disk
    tracemalloc.start()
    code, _ = cli("run", "svm", "--data", path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 2 and peak < 3 * MAX_CSV_BYTES  # it read at most 10 MB and a byte
    assert_one_line(capsys.readouterr().err, str(path), "", "file is 1,000,000,000 bytes")


def test_a_folder_a_missing_file_a_fifo_and_an_unreadable_file(tmp_path, capsys, monkeypatch):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)  # reading it would block forever
    for target, words in [(tmp_path, "is a folder; expected a CSV file"), (tmp_path / "gone.csv", "no such file"),
                          (fifo, "is not a regular file")]:
        code, out = cli("run", "svm", "--data", target)
        assert (code, out) == (2, "")
        assert_one_line(capsys.readouterr().err, str(target), "", words)
    locked = csv_file(tmp_path, HEAD + GOOD_ROWS, "locked.csv")
    real_open = Path.open

    def refuse(self, *args, **kwargs):  # root reads any file: simulate EACCES
        if self == locked:
            raise PermissionError(13, "Permission denied", str(locked))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    code, _ = cli("run", "svm", "--data", locked)
    assert code == 2
    assert_one_line(capsys.readouterr().err, str(locked), "", "cannot read it: Permission denied")


def test_a_missing_file_named_by_a_scenario_says_where_it_was_named(tmp_path, capsys):
    scenario = scenario_with_csv(tmp_path, "gone.csv")
    code, _ = cli("run", scenario)
    assert code == 2
    assert_one_line(capsys.readouterr().err, str(tmp_path / "gone.csv"), "",
                    f"no such file (named by data.csv in {scenario})")


def test_data_on_a_circuit_and_without_a_scenario(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("hnn_tui.app.run_app", lambda *args: 0)  # never open the real app
    path = csv_file(tmp_path, HEAD + GOOD_ROWS)
    code, _ = cli("run", "neuron", "--data", path)
    assert code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "--data applies to classifier and regression scenarios only" in err
    code, _ = cli("--data", path)  # the app with no scenario to put the points in
    assert code == 2 and "--data needs a classifier or regression scenario" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("why,content,key,words", [BAD_CSV[14], BAD_CSV[23]], ids=["label 0", "not UTF-8"])
def test_a_bad_csv_in_a_real_process(why, content, key, words, tmp_path):
    path = csv_file(tmp_path, content)
    p = process("run", "svm", "--data", path)
    assert (p.returncode, p.stdout) == (2, "")
    assert "Traceback" not in p.stderr and len(p.stderr.splitlines()) == 1
    assert p.stderr.startswith(f"hnn-tui: {path}: {key}: ") and words in p.stderr


# --- good files ---------------------------------------------------------------------------------

def test_a_good_csv_replaces_the_scenarios_points(tmp_path):
    messy = "\ufeff# the guide's svm points, columns shuffled\r\nlabel, y ,x\r\n\r\n" + "".join(
        f"{lab},{y}, {x} \r\n   # a comment\n" for x, y, lab in (r.split(",") for r in GOOD_ROWS.split()))
    path = write(tmp_path, "messy.csv", messy.encode("utf-8"))
    code, out = cli("run", "svm", "--data", path, "--steps", "3", "--json")
    assert code == 0
    code, plain = cli("run", "svm", "--steps", "3", "--json")  # the same six points from guide_svm
    lines, expected = json_lines(out), json_lines(plain)
    assert lines[:-1] == expected[:-1]  # every step's numbers, bit for bit
    summary = lines[-1]["summary"]
    assert (summary["train_points"], summary["val_points"]) == (6, 0)
    assert summary["val_accuracy"] is summary["val_cost"] is None


def test_a_scenario_names_its_csv_from_its_own_folder(tmp_path, monkeypatch):
    sub = tmp_path / "lessons"
    sub.mkdir()
    csv_file(sub, HEAD + GOOD_ROWS, "six.csv")
    scenario = scenario_with_csv(sub, "six.csv")
    monkeypatch.chdir(tmp_path)  # not the scenario's folder: the path still starts at the scenario's
    spec = load_scenario(Path("lessons") / "my.toml").spec
    assert spec.csv == str(Path("lessons") / "six.csv") and spec.dataset == "inline"
    assert spec.points == load_scenario("svm").spec.points and spec.labels == load_scenario("svm").spec.labels
    assert load_scenario(scenario).spec == spec


def test_csv_and_another_source_are_refused_together(tmp_path, capsys):
    csv_file(tmp_path, HEAD + GOOD_ROWS)
    path = write(tmp_path, "two.toml", 'title = "t"\nkind = "classifier"\n[model]\ntype = "svm"\n'
                                       '[data]\ncsv = "points.csv"\ndataset = "moons"\n')
    code, _ = cli("run", path)
    assert code == 2
    assert_one_line(capsys.readouterr().err, str(path), "data.dataset", "expected one source of points")


def test_data_keeps_the_scenarios_validation_and_seed(tmp_path):
    path = csv_file(tmp_path, HEAD + "".join(f"{i},{i % 7},{1 if i % 2 else -1}\n" for i in range(50)))
    scenario = write(tmp_path, "split.toml", 'title = "t"\nkind = "classifier"\n[model]\ntype = "svm"\n'
                                             '[data]\ndataset = "moons"\nn = 300\nvalidation = 0.2\nseed = 4\n')
    spec = load_scenario(scenario, data=path).spec
    assert (len(spec.points), len(spec.val_points), spec.data_seed, spec.csv) == (40, 10, 4, str(path))
    code, out = cli("run", scenario, "--data", path, "--steps", "2", "--json")
    assert code == 0
    lines = json_lines(out)
    assert all(0 <= ln["val_accuracy"] <= 1 and ln["val_cost"] >= 0 for ln in lines[:-1])
    assert (lines[-1]["summary"]["train_points"], lines[-1]["summary"]["val_points"]) == (40, 10)
    code, table = cli("run", scenario, "--data", path, "--steps", "2")
    assert code == 0 and "| 40 training points, 10 held out" in table
    assert "val acc" in table.splitlines()[1] and "val cost" in table.splitlines()[1]


def test_the_app_takes_data_too(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr("hnn_tui.app.run_app", lambda *args: seen.append(args) or 0)
    path = csv_file(tmp_path, HEAD + GOOD_ROWS)
    assert cli("svm", "--data", path, "--seed", "3")[0] == 0
    assert seen == [("svm", None, 3, str(path))]


async def test_the_app_opens_the_scenario_on_the_csv(tmp_path):
    from hnn_tui.app import HnnApp

    path = csv_file(tmp_path, HEAD + "1,1,1\n-1,-1,-1\n2,2,1\n")
    app = HnnApp("svm", data=str(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        spec = app.screen.session.scenario.spec
        assert spec.points == ((1.0, 1.0), (-1.0, -1.0), (2.0, 2.0)) and spec.csv == str(path)


# --- the limit: 100,000 rows load, in well under a second or two ----------------------------------

def test_a_100000_row_csv_loads(tmp_path):
    rng = random.Random(7)
    rows = [(rng.uniform(-3, 3), rng.uniform(-3, 3)) for _ in range(MAX_CSV_ROWS)]
    labels = [1 if x * y > 0 else -1 for x, y in rows]
    path = write(tmp_path, "big.csv", points_csv(rows, labels))
    assert path.stat().st_size < MAX_CSV_BYTES
    tracemalloc.start()
    t0 = time.perf_counter()
    points, read_labels = read_points_csv(path)
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert points == tuple(rows) and read_labels == tuple(labels)  # repr floats: read back exactly
    print(f"\n100,000 rows ({path.stat().st_size:,} bytes): read in {seconds:.2f} s, peak {peak / 1e6:.0f} MB traced")
    assert seconds < 10 and peak < 200e6  # generous: the figures on the project's machine are in the report
    sc = load_scenario("svm", data=path)  # the whole path: the spec, the lesson's start
    assert len(sc.spec.points) == MAX_CSV_ROWS


async def test_the_app_opens_a_regression_on_a_csv(tmp_path):
    from hnn_tui.app import HnnApp

    path = write(tmp_path, "fit.csv", "x,target\n0,1\n1,3\n2,5\n-1,-1\n")
    app = HnnApp("line_fit", data=str(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        spec = app.screen.session.scenario.spec
        assert (spec.xs, spec.targets, spec.csv) == ((0.0, 1.0, 2.0, -1.0), (1.0, 3.0, 5.0, -1.0), str(path))
