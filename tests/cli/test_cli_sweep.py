"""`hnn-tui sweep`: a grid of --set values trained in worker processes, ranked by held-out measures; K-fold
cross-validation; bad --set input refused before anything runs; Ctrl+C stops the workers; `run --engine`."""
from __future__ import annotations

import io
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import ROOT, cli, json_lines

from hnn_tui import cli as hnn_cli
from hnn_tui.engine import Session, load_scenario, sweep, sweep_grid
from hnn_tui.engine.scenario import bundled_file

SVM = bundled_file("svm").read_text("utf-8")
HELDOUT = bundled_file("heldout").read_text("utf-8")


def sweep_json(*args) -> tuple[list[dict], dict]:
    code, out = cli("sweep", *args, "--json")
    assert code == 0, out
    lines = json_lines(out)
    return lines[:-1], lines[-1]["summary"]


def summary_of_run(path: Path, steps: int) -> dict:
    code, out = cli("run", path, "--steps", steps, "--json")
    assert code == 0
    return json_lines(out)[-1]["summary"]


def with_values(text: str, **lines: str) -> str:
    """The scenario text with whole `key = value` lines replaced, e.g. reg="reg = 0.1"."""
    for key, line in lines.items():
        text, n = re.subn(rf"(?m)^{key} = .*$", line, text)
        assert n == 1, key
    return text


# --- a grid equals separate runs ------------------------------------------------------------------------------

def test_a_grid_equals_separate_runs_of_files_with_those_values(tmp_path):
    lines, summary = sweep_json("svm", "--set", "model.reg=0,0.1", "--set", "settings.step_size=0.01,0.1",
                                "--steps", 20, "--jobs", 2)
    assert summary["combinations"] == 4 and summary["processes"] == 2 and summary["held_out"] == "none"
    assert sorted(ln["combination"] for ln in lines) == [1, 2, 3, 4]
    for ln in lines:
        reg, step = ln["settings"]["model.reg"], ln["settings"]["settings.step_size"]
        path = tmp_path / f"svm_{reg}_{step}.toml"
        path.write_text(with_values(SVM, reg=f"reg = {reg}", step_size=f"step_size = {step}"))
        run = summary_of_run(path, 20)
        assert (ln["steps"], ln["output"], ln["accuracy"]) == (run["steps"], run["output"], run["accuracy"])
        assert ln["val_accuracy"] is ln["val_cost"] is None  # svm has no held-out set
    # no held-out set: ranked by training accuracy, ties by the (training) cost
    keys = [(-ln["accuracy"], ln["output"]) for ln in lines]
    assert keys == sorted(keys) and [ln["rank"] for ln in lines] == [1, 2, 3, 4]
    assert summary["sorted_by"] == [["accuracy", "desc"], ["output", "asc"]]


def test_held_out_measures_equal_a_run_and_rank_the_grid(tmp_path):
    lines, summary = sweep_json("heldout", "--set", "model.reg=0,0.1,1", "--steps", 10, "--jobs", 2)
    assert summary["held_out"] == "the scenario's held-out set"
    assert summary["sorted_by"] == [["val_accuracy", "desc"], ["val_cost", "asc"]]
    keys = [(-ln["val_accuracy"], ln["val_cost"]) for ln in lines]
    assert keys == sorted(keys)
    for ln in lines:
        path = tmp_path / f"h{ln['combination']}.toml"
        path.write_text(with_values(HELDOUT, reg=f"reg = {ln['settings']['model.reg']}"))
        run = summary_of_run(path, 10)
        assert [ln[k] for k in ("output", "accuracy", "val_accuracy", "val_cost")] == \
            [run[k] for k in ("output", "accuracy", "val_accuracy", "val_cost")]


def test_in_process_and_in_workers_give_the_same_lines():
    args = ("line_fit", "--set", "model.loss=squared,absolute,huber", "--steps", 30)
    one, _ = sweep_json(*args, "--jobs", 1)
    two, _ = sweep_json(*args, "--jobs", 2)
    assert one == two
    keys = [ln["rmse"] for ln in one]  # a regression without a held-out set: by rmse, lower first
    assert keys == sorted(keys)


def test_a_circuit_ranks_by_its_output_and_the_table_says_so():
    code, out = cli("sweep", "neuron", "--set", "settings.step_size=0.01,0.1,1", "--jobs", 1)
    assert code == 0
    head, sort_line, columns, *rows = out.splitlines()
    assert "3 combinations" in head and "sorted by output (higher first)" in sort_line
    assert columns.split() == ["rank", "settings.step_size", "output", "steps"]
    assert [r.split()[1] for r in rows] == ["1", "0.1", "0.01"]  # a bigger step climbs further in one step
    assert [float(r.split()[2]) for r in rows] == pytest.approx([0.976684, 0.897389, 0.88255], abs=1e-6)


def test_a_run_that_diverges_ranks_last_with_its_last_finite_state(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text('title = "exp"\nkind = "circuit"\nsteps = 10\n[circuit]\nexpression = "exp(x)"\n'
                    'inputs = { x = 1.0 }\n')
    lines, summary = sweep_json(path, "--set", "settings.step_size=100,0.001", "--jobs", 1)
    best, last = lines
    assert best["settings"] == {"settings.step_size": 0.001} and best["stopped"] is None and best["steps"] == 10
    # step 1 takes x to 1 + 100e and exp(x) = 1.1e118, higher than the other's output; step 2 overflows
    assert last["stopped"] == "diverged at step 2: wire 'exp(x)' has value inf" and last["steps"] == 1
    assert last["output"] > 1e118 > best["output"] and summary["stopped_early"] == 1


# --- folds ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n,k", [(6, 2), (7, 3), (30, 20), (20, 20)])
def test_folds_cover_every_point_once_in_near_equal_parts(n, k):
    folds = sweep.fold_indices(n, k, seed=3)
    assert sorted(i for f in folds for i in f) == list(range(n))
    assert {len(f) for f in folds} <= {n // k, n // k + 1} and all(f == sorted(f) for f in folds)
    assert folds == sweep.fold_indices(n, k, seed=3) != sweep.fold_indices(n, k, seed=4)


def test_two_folds_equal_training_on_each_half_by_hand():
    lines, summary = sweep_json("heldout", "--folds", 2, "--steps", 15, "--jobs", 2)
    assert summary["held_out"] == "2-fold cross-validation" and len(lines) == 1
    line = lines[0]
    scenario = load_scenario("heldout")
    spec = scenario.spec
    halves = sweep.fold_indices(len(spec.points), 2, spec.data_seed)
    assert sorted(halves[0] + halves[1]) == list(range(30))  # the 30 training points; the 10 held out take no part
    by_hand = []
    for held in halves:
        keep = [i for i in range(30) if i not in held]
        fold = replace(spec, points=tuple(spec.points[i] for i in keep), labels=tuple(spec.labels[i] for i in keep),
                       val_points=tuple(spec.points[i] for i in held), val_labels=tuple(spec.labels[i] for i in held))
        session = Session(replace(scenario, spec=fold))
        *_, last = session.run(15)
        by_hand.append(last)
    for got, last in zip(line["folds"], by_hand):
        assert [got[k] for k in ("output", "accuracy", "val_accuracy", "val_cost")] == \
            [last.output, last.measures["accuracy"], last.extra["val_accuracy"], last.extra["val_cost"]]
    accs = [s.extra["val_accuracy"] for s in by_hand]
    assert line["val_accuracy"] == pytest.approx(sum(accs) / 2, abs=1e-15)
    assert line["sd"]["val_accuracy"] == pytest.approx(abs(accs[0] - accs[1]) / 2, abs=1e-15)


def test_folds_table_shows_the_spread():
    code, out = cli("sweep", "line_fit", "--set", "model.reg=0,1", "--folds", 4, "--steps", 20, "--jobs", 1)
    assert code == 0
    lines = out.splitlines()
    assert "2 combinations x 4 folds" in lines[0] and "held out: 4-fold cross-validation" in lines[1]
    assert lines[2].split() == ["rank", "model.reg", "cost", "rmse", "val", "rmse", "±", "sd", "val", "cost", "±",
                                "sd", "steps"]


# --- bad input: exit 2, one line, nothing trained -------------------------------------------------------------

BAD = [
    (["svm", "--set", "model.nope=1"], "--set model.nope=1: ", "model.nope: unknown key"),
    (["svm", "--set", "settings.reg=0,1"], "--set settings.reg=0: ", "settings.reg: unknown key"),
    (["svm", "--set", "model.reg=0,-1"], "--set model.reg=-1: ", "model.reg: expected a number >= 0.0, got -1"),
    (["svm", "--set", "model.reg="], "--set model.reg=: ", "value 1 is empty"),
    (["svm", "--set", "model.reg=0,,1"], "--set model.reg=0,,1: ", "value 2 is empty"),
    (["svm", "--set", "model.reg"], "--set model.reg: ", "expected KEY=VALUE"),
    (["svm", "--set", "model reg=1"], "--set model reg=1: ", "expected a dotted key"),
    (["svm", "--set", "steps.x=1"], "--set steps.x=1: ", "steps holds 400, not a table"),
    (["svm", "--set", "kind=circuit"], "--set kind=circuit: ", "not a value to search over"),
    (["svm", "--set", "model.reg=0", "--set", "model.reg=1"], "--set model.reg: ", "given twice"),
    (["svm", "--set", "model.loss=hinge,bogus"], "--set model.loss=bogus: ", "expected one of hinge"),
    (["svm", "--set", "model.reg=0", "--jobs", "0"], "argument --jobs: ", "expected 1 or more, got 0"),
    (["svm", "--folds", "1"], "argument --folds: ", "from 2 to 20, got 1"),
    (["svm", "--folds", "7"], "--folds 7: ", "6 training points; expected at least one per fold"),
    (["neuron", "--folds", "2"], "--folds 2: ", "a circuit has no data to fold"),
    (["svm", "--seed", "1", "--set", "seed=1,2"], "--seed and --set seed: ", "expected one of the two"),
    (["svm", "--set", "model.type=svm,net"], "--set model.type=net: ", "model.init.a: unknown parameter"),
    (["svm", "--engine", "numpy", "--set", "engine=python"], "--engine and --set engine: ", "one of the two"),
    (["line_fit", "--engine", "numpy"], "--engine numpy: ", "line_fit.toml: engine: "),
]


@pytest.mark.parametrize("argv,head,words", BAD, ids=[" ".join(b[0]) for b in BAD])
def test_bad_input_exits_2_with_one_line_before_anything_runs(argv, head, words, capsys, monkeypatch):
    trained = []
    monkeypatch.setattr(sweep, "train", lambda job: trained.append(job))
    code, out = cli("sweep", *argv, *([] if "--jobs" in argv else ["--jobs", "1"]))
    err = capsys.readouterr().err
    assert (code, out, trained) == (2, "", [])
    assert len(err.splitlines()) == 1 and err.startswith(f"hnn-tui: {head}"), err
    assert words in err and "Traceback" not in err


def test_a_fold_whose_training_points_miss_a_class_is_refused(capsys, tmp_path):
    path = tmp_path / "three.toml"
    path.write_text('title = "t"\nkind = "classifier"\n[model]\ntype = "svm"\n[data]\n'
                    'points = [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]\nlabels = [1, 1, -1]\n')
    code, _ = cli("sweep", path, "--set", "model.reg=0,1", "--folds", 2, "--jobs", 1)
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith("hnn-tui: combination model.reg=0: --folds 2: fold "), err
    assert "leaves no training point of class -1" in err


def test_a_refused_combination_is_named_by_all_its_values(capsys):
    # 4 moons, and holding out 0.8 of 40, are each fine; holding out 3 of 4 leaves a class no training point
    code, _ = cli("sweep", "heldout", "--set", "data.n=40,4", "--set", "data.validation=0.25,0.8", "--jobs", 1)
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith("hnn-tui: --set data.validation=0.8 (with data.n=4): "), err
    assert "data.validation: holding out 3 of 4 points leaves no +1 point to train on" in err


def test_a_value_refused_alone_may_be_fine_in_its_combination(tmp_path):
    # an svm has no `hidden`; a net does: model.hidden=2 alone is refused, with model.type=net it is fine
    path = tmp_path / "svm.toml"
    path.write_text(SVM.replace("init = { a = 1.0, b = -2.0, c = -1.0 }\n", ""))
    lines, _ = sweep_json(path, "--set", "model.type=net", "--set", "model.hidden=2,4", "--steps", 2, "--jobs", 1)
    assert sorted(ln["settings"]["model.hidden"] for ln in lines) == [2, 4]


def test_a_combination_no_single_key_explains_is_named_whole(capsys):
    # 3 moons (seed 0) and [data] seed 1 (40 moons) are each fine; 3 moons of seed 1 hold out their one -1 point
    code, _ = cli("sweep", "heldout", "--set", "data.n=3", "--set", "data.seed=0,1", "--jobs", 1)
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith("hnn-tui: combination data.n=3, data.seed=1: "), err
    assert "data.validation: holding out 1 of 3 points leaves no -1 point to train on" in err


def test_values_are_toml_or_bare_words():
    assert sweep_grid.split_values('0, 1e-3,"a,b",[8, 8],hinge') == ["0", "1e-3", '"a,b"', "[8, 8]", "hinge"]
    assert [sweep_grid.parse_value(t) for t in ("0", "1e-3", "true", '"a,b"', "[8, 8]", "hinge")] == \
        [0, 1e-3, True, "a,b", [8, 8], "hinge"]
    doc = {"title": 't"x', "model": {"init": {"a": 1.0}}, "data": {"points": [[0.5, -1e300]]}, "steps": 3}
    assert tomllib.loads(sweep_grid.toml_text(doc)) == doc


def test_a_list_value_sets_an_mlp_s_layers(tmp_path):
    path = tmp_path / "mlp.toml"
    path.write_text(with_values(HELDOUT, type='type = "mlp"', hidden=""))
    lines, _ = sweep_json(path, "--set", "model.layers=[4],[3, 3]", "--steps", 2, "--jobs", 1)
    assert sorted(ln["settings"]["model.layers"] for ln in lines) == [[3, 3], [4]]


# --- progress and Ctrl+C --------------------------------------------------------------------------------------

class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_counts_runs_on_a_terminal(monkeypatch):
    stderr = Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    code, _ = cli("sweep", "svm", "--set", "model.reg=0,1", "--folds", 2, "--steps", 3, "--jobs", 1)
    assert code == 0
    assert stderr.getvalue().rsplit("\r", 1)[-1] == f"[{'#' * 30}] 100%  run 4/4\n"


def test_ctrl_c_in_process_says_how_many_finished(monkeypatch, capsys):
    real, calls = sweep.train, []

    def train(job):
        calls.append(job)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(job)
    monkeypatch.setattr(sweep, "train", train)
    code, out = cli("sweep", "svm", "--set", "model.reg=0,0.1,1", "--folds", 2, "--steps", 2, "--jobs", 1)
    assert (code, out) == (130, "")
    assert capsys.readouterr().err == "hnn-tui: interrupted: 1 of 3 combinations finished; the workers are stopped\n"


def test_ctrl_c_stops_and_reaps_the_pool_s_workers_at_once():
    svm = load_scenario("svm")
    jobs = [sweep.Job(0, None, svm, None, 10), sweep.Job(1, None, svm, None, 10**8)]  # the second runs on
    workers = []

    def done(result):
        workers.extend(p.pid for p in multiprocessing.active_children())
        raise KeyboardInterrupt  # as Ctrl+C would, while the long job is under way
    with pytest.raises(sweep.Interrupted) as stopped:
        sweep.run_jobs(jobs, 2, done)
    assert (stopped.value.finished, stopped.value.total) == (1, 2) and len(workers) >= 2
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()] if Path("/proc/self").exists() else \
        [p.pid for p in multiprocessing.active_children() if p.pid in workers]
    assert alive == []


def test_a_real_ctrl_c_is_noted_then_acted_on_and_the_old_handler_comes_back():
    """The signal only sets a flag (raised inside the pool's waits, KeyboardInterrupt could leave a pool lock held
    and terminate() waiting for ever); the loop stops the pool, and the handler before the sweep is back."""
    svm = load_scenario("svm")
    jobs = [sweep.Job(0, None, svm, None, 10), sweep.Job(1, None, svm, None, 10**8)]
    handlers = []

    def done(result):
        handlers.append(signal.getsignal(signal.SIGINT))
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C, as the terminal sends it
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(sweep.Interrupted) as stopped:
        sweep.run_jobs(jobs, 2, done)
    assert (stopped.value.finished, stopped.value.total) == (1, 2)
    assert handlers[0] is not before and signal.getsignal(signal.SIGINT) is before


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, read from /proc (Linux)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_ctrl_c_stops_the_workers_and_exits_130():
    p = subprocess.Popen([sys.executable, "-m", "hnn_tui", "sweep", "svm", "--set", "steps=10,100000000",
                          "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        end = time.monotonic() + 20
        while len(workers := _children(p.pid)) < 2:
            assert time.monotonic() < end and p.poll() is None, "no workers started"
            time.sleep(0.05)
        time.sleep(1.0)  # the 10-step combination finishes; the other runs on
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
    finally:
        p.kill()
    assert (p.returncode, out) == (130, "")
    assert err == "hnn-tui: interrupted: 1 of 2 combinations finished; the workers are stopped\n"
    assert [pid for pid in workers if Path(f"/proc/{pid}").exists()] == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_workers_end_themselves_when_the_sweep_is_killed_outright():
    """SIGKILL leaves no chance to stop the pool: each worker sees its parent gone and exits."""
    p = subprocess.Popen([sys.executable, "-m", "hnn_tui", "sweep", "svm", "--set", "steps=99999999,100000000",
                          "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        end = time.monotonic() + 20
        while len(workers := _children(p.pid)) < 2:
            assert time.monotonic() < end and p.poll() is None, "no workers started"
            time.sleep(0.05)
        p.kill()
        p.wait()
        end = time.monotonic() + 5
        while (alive := [pid for pid in workers if _running(pid)]) and time.monotonic() < end:
            time.sleep(0.05)
    finally:
        for pid in workers:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
    assert alive == []


def _running(pid: int) -> bool:
    """Alive and not a zombie (an exited orphan waits to be reaped by whoever adopted it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# --- help, and run --engine ------------------------------------------------------------------------------------

def test_help_says_it_all(capsys):
    with pytest.raises(SystemExit):
        hnn_cli.main(["--help"])
    assert "sweep" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        hnn_cli.main(["sweep", "--help"])
    text = capsys.readouterr().out
    for words in ("--set KEY=V1,V2,...", "--folds K", "--jobs J", "--json", "Ctrl+C", "exits 130", "best first",
                  "held-out accuracy", "TOML value"):
        assert words in " ".join(text.split()), words


def test_run_engine_numpy_gives_the_python_numbers():
    pytest.importorskip("hnn_tui.engine.vectorized")
    numbers = {}
    for engine in ("python", "numpy"):
        code, out = cli("run", "svm", "--steps", 5, "--engine", engine, "--json")
        assert code == 0
        numbers[engine] = json_lines(out)[-2]["values"]
    assert numbers["numpy"] == pytest.approx(numbers["python"], abs=1e-9)


def test_run_engine_on_a_circuit_is_refused(capsys):
    pytest.importorskip("hnn_tui.engine.vectorized")
    code, _ = cli("run", "neuron", "--engine", "numpy")
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1 and "engine" in err
