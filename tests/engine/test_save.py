"""engine.save (issue 13): a scenario written back as TOML reads back to the same scenario; a session's values become
its start; points as CSV; files written atomically (whole or not at all, an existing one refused unless asked)."""
from __future__ import annotations

import os
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import write

from hnn_tui.engine import Session, bundled_names, load_scenario, parse_scenario
from hnn_tui.engine.csvdata import parse_points_csv
from hnn_tui.engine.save import data_rows, points_csv, scenario_toml, toml_string, write_atomically
from hnn_tui.engine.strategies import Settings


def round_trip(sc, **kw):
    back = parse_scenario(scenario_toml(sc, **kw), sc.source or "saved.toml", sc.name)
    return replace(back, source=sc.source)


@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_scenario_reads_back_equal(name):
    sc = load_scenario(name)
    assert round_trip(sc) == sc


ODD = 'a "quoted" \\back\\slash, tab\t, bell\x07, del\x7f, é, 😀, """ three'


def test_odd_strings_settings_and_an_mlp_with_a_split_read_back_equal():
    title, description = toml_string(ODD), toml_string("two\nlines " + ODD)
    text = f'''
title = {title}
kind = "classifier"
description = {description}
strategy = "numerical"
steps = 12
seed = 3
order = 77
[settings]
step_size = 0.1
step_size_end = 1e-05
h = 1e-7
centered = true
tweak = 0.3
tries = 7
[model]
type = "mlp"
layers = [3, 2]
loss = "squared_hinge"
reg = 0.0
batch = "full"
init_scale = 0.25
init = {{ "w1[0,1]" = 0.5, "b2[1]" = -1e-300 }}
[data]
dataset = "spiral"
n = 40
noise = 0.05
seed = 11
validation = 0.3
'''
    sc = parse_scenario(text, "odd.toml")
    assert sc.title == ODD and len(sc.spec.val_points) == 12
    back = round_trip(sc)
    assert back == sc
    assert back.spec.dataset == "inline" and (back.spec.data_n, back.spec.data_noise) == (None, None)  # provenance
    assert back.settings == Settings(0.1, 1e-05, 1e-7, True, 0.3, 7)


def test_a_circuit_with_odd_names_and_session_values():
    text = '''
title = "c"
kind = "circuit"
[settings]
pull = -2.5
[circuit]
expression = "α * x + max(x, y)"
inputs = { "α" = 1.5, x = -2.0, y = 3.0 }
trainable = ["x"]
wires = { ax = "α * x" }
'''
    sc = parse_scenario(text, "c.toml")
    assert round_trip(sc) == sc
    moved = round_trip(sc, session_values={"α": 0.1, "x": 7.0, "y": -1e-9})
    assert moved.spec.inputs == (("α", 0.1), ("x", 7.0), ("y", -1e-9)) and moved.spec.trainable == ("x",)
    assert moved.settings.pull == -2.5
    with pytest.raises(ValueError):
        scenario_toml(sc, {"z": 1.0})


@pytest.mark.parametrize("name", [n for n in bundled_names() if load_scenario(n).kind == "classifier"])
def test_session_values_become_the_saved_start(name):
    sc = load_scenario(name)
    s = Session(sc)
    for _ in s.run(25):
        pass
    values = dict(s.current.values)
    back = round_trip(sc, session_values=values)
    assert back.spec.init == tuple(values.items())
    assert dict(Session(back).current.values) == values  # bit for bit
    assert Session(back).current.output == s.current.output


def test_a_full_batch_run_from_the_saved_start_continues_the_run_exactly():
    sc = parse_scenario('title = "t"\nkind = "classifier"\nsteps = 10\n[model]\ntype = "net"\nbatch = "full"\n'
                        '[data]\ndataset = "moons"\nn = 30\nvalidation = 0.2\n', "t.toml")
    s = Session(sc)
    for _ in s.run(10):
        pass
    saved = round_trip(sc, session_values=dict(s.current.values))
    later = Session(saved)
    for a, b in zip(s.run(5), later.run(5)):  # a full batch draws nothing: the same steps
        assert dict(a.values) == dict(b.values) and a.output == b.output
        assert (a.extra["val_accuracy"], a.extra["val_cost"]) == (b.extra["val_accuracy"], b.extra["val_cost"])


def test_bad_values_are_refused():
    sc = load_scenario("svm")
    for values, words in [({"a": float("nan"), "b": 1.0, "c": 0.0}, "finite"), ({"a1": 1.0}, "not a parameter")]:
        with pytest.raises(ValueError, match=words):
            scenario_toml(sc, values)
    with pytest.raises(ValueError, match="surrogate"):
        scenario_toml(replace(sc, title="bad \ud800"))


def test_the_toml_is_valid_and_data_only():
    t = scenario_toml(load_scenario("neural_net"))
    doc = tomllib.loads(t)
    assert set(doc) == {"title", "kind", "strategy", "steps", "seed", "order", "description", "settings", "model",
                        "data"}
    assert doc["data"]["points"] == [list(p) for p in load_scenario("neural_net").spec.points]


def test_points_as_csv_read_back_exactly_and_a_csv_scenario(tmp_path):
    sc = parse_scenario('title = "t"\nkind = "classifier"\n[model]\ntype = "svm"\n[data]\ndataset = "xor"\n'
                        'n = 500\nnoise = 0.3\nvalidation = 0.1\nseed = 2\n', "t.toml")
    points, labels = data_rows(sc.spec)
    text = points_csv(points, labels)
    assert text.startswith("x,y,label\n") and parse_points_csv(text, "p.csv") == (tuple(points), tuple(labels))
    write(tmp_path, "points.csv", text)
    toml = scenario_toml(sc, csv="points.csv")
    assert 'csv = "points.csv"' in toml and "points =" not in toml
    back = parse_scenario(toml, str(tmp_path / "saved.toml"))
    assert back.spec == sc.spec and back.spec.csv == str(tmp_path / "points.csv")
    with pytest.raises(ValueError):
        points_csv([(0.0, 0.0)], [0])


def test_too_many_points_to_inline_is_refused_with_what_to_do(tmp_path):
    rows = [(i * 1.000000001, -i * 1.000000001) for i in range(60_000)]
    path = write(tmp_path, "big.csv", points_csv(rows, [1 - 2 * (i % 2) for i in range(60_000)]))
    sc = load_scenario("svm", data=path)
    with pytest.raises(ValueError, match="csv="):
        scenario_toml(sc)
    assert "csv =" in scenario_toml(sc, csv="big.csv")


# --- write_atomically ---------------------------------------------------------------------------

def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_new_file_is_written_and_an_existing_one_refused(tmp_path):
    path = tmp_path / "new.toml"
    write_atomically(path, "title = 'é'\n")
    assert path.read_bytes() == "title = 'é'\n".encode()
    with pytest.raises(FileExistsError):
        write_atomically(path, "other")
    assert path.read_text() == "title = 'é'\n" and leftovers(tmp_path) == []
    write_atomically(path, "other", overwrite=True)
    assert path.read_text() == "other" and leftovers(tmp_path) == []


def test_the_refusal_holds_without_hard_links(tmp_path, monkeypatch):
    path = write(tmp_path, "old.toml", "old")

    def no_links(*_):
        raise PermissionError(1, "Operation not permitted")
    monkeypatch.setattr(os, "link", no_links)
    with pytest.raises(FileExistsError):
        write_atomically(path, "new")
    assert path.read_text() == "old" and leftovers(tmp_path) == []
    write_atomically(tmp_path / "fresh.toml", "new")
    assert (tmp_path / "fresh.toml").read_text() == "new" and leftovers(tmp_path) == []


@pytest.mark.parametrize("broken", ["replace", "fsync", "write"])
def test_a_failure_midway_leaves_the_old_file_and_no_temporary_one(broken, tmp_path, monkeypatch):
    path = write(tmp_path, "old.toml", "old contents")
    real_fdopen = os.fdopen

    def fail(*_, **__):
        raise OSError(28, "No space left on device")

    class FailingFile:  # a file whose write fails halfway: some bytes went out
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            self.f.write(data[:3])
            fail()

    if broken == "write":
        monkeypatch.setattr(os, "fdopen", lambda *a, **k: FailingFile(real_fdopen(*a, **k)))
    else:
        monkeypatch.setattr(os, broken, fail)
    with pytest.raises(OSError, match="No space left"):
        write_atomically(path, "new contents", overwrite=True)
    assert path.read_text() == "old contents" and leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.toml"]


def test_a_folder_or_a_missing_folder_is_an_error_with_nothing_left(tmp_path):
    (tmp_path / "dir.toml").mkdir()
    with pytest.raises(OSError):
        write_atomically(tmp_path / "dir.toml", "x", overwrite=True)
    assert leftovers(tmp_path) == []
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "no" / "x.toml", "x")
