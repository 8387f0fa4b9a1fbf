"""engine.csvdata: the CSV points format, read exactly, and where a scenario's `[data] csv` path starts.
(Every bad file through the CLI and load_scenario: tests/cli/test_cli_csv.py.)"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from helpers import write

from hnn_tui.engine import ScenarioError, load_scenario, parse_scenario
from hnn_tui.engine.csvdata import DataPlace, parse_points_csv, read_points_csv
from hnn_tui.engine.lessons.classifier import read_classifier
from hnn_tui.engine.table import Table


def test_the_plain_format():
    points, labels = parse_points_csv("x,y,label\n1.5,-2,1\n-0.25,3e-2,-1\n", "p.csv")
    assert points == ((1.5, -2.0), (-0.25, 0.03)) and labels == (1, -1)
    assert all(type(v) is float for p in points for v in p) and all(type(v) is int for v in labels)


def test_bom_comments_blank_lines_spaces_crlf_and_any_column_order():
    text = "# made by hand\r\n\r\n  label , x,y  \r\n\r\n+1, 1.0 ,2\r\n   # halfway\r\n-1.0,-3,.5\r\n\r\n\r\n"
    points, labels = parse_points_csv(text, "p.csv")
    assert points == ((1.0, 2.0), (-3.0, 0.5)) and labels == (1, -1)


def test_a_bom_is_fine(tmp_path):
    path = write(tmp_path, "bom.csv", b"\xef\xbb\xbfx,y,label\n1,2,1\n3,4,-1\n")
    assert read_points_csv(path) == (((1.0, 2.0), (3.0, 4.0)), (1, -1))


def test_labels_may_be_written_1_plus_1_or_1_point_0():
    _, labels = parse_points_csv("x,y,label\n0,0,1\n0,0,+1\n0,0,1.0\n0,0,-1\n0,0,-1.0\n0,0,-1e0\n", "p.csv")
    assert labels == (1, 1, 1, -1, -1, -1)


def test_line_numbers_count_every_line_and_only_newlines_end_one():
    # \x0c and \u2028 end a line for str.splitlines(); in a CSV file they do not
    for odd in ("\x0c", "\u2028", "\x1c", "\r"):
        with pytest.raises(ScenarioError) as e:
            parse_points_csv(f"# a comment with {odd} inside\n\nx,y,label\n1,2,1\n1,z,-1\n", "p.csv")
        assert e.value.key == "line 5, column y"


def test_the_error_names_the_file_the_line_and_the_column():
    with pytest.raises(ScenarioError) as e:
        parse_points_csv("x,y,label\n1,2,1\n3,4,0\n", "data/p.csv")
    assert str(e.value) == ("data/p.csv: line 3, column label: expected +1 or -1, got 0 "
                            "(for a 0/1 column, write 0 as -1)")
    with pytest.raises(ScenarioError) as e:  # a 0 label that is not alone: the hint still fits
        parse_points_csv("x,y,label\n3,4,0.0\n", "p.csv")
    assert "write 0 as -1" in e.value.problem


def test_an_encoding_error_names_its_line(tmp_path):
    path = write(tmp_path, "latin.csv", "x,y,label\n1,2,1\n# café\n3,4,-1\n".encode("latin-1"))
    with pytest.raises(ScenarioError) as e:
        read_points_csv(path)
    assert (e.value.source, e.value.key) == (str(path), "line 3") and "byte 0xe9" in e.value.problem


def test_a_relative_csv_starts_at_the_scenarios_folder_an_absolute_one_is_itself(tmp_path):
    write(tmp_path, "p.csv", "x,y,label\n1,2,1\n3,4,-1\n")
    text = 'title = "t"\nkind = "classifier"\n[model]\ntype = "svm"\n[data]\ncsv = "{}"\n'
    spec = parse_scenario(text.format("p.csv"), str(tmp_path / "s.toml")).spec
    assert spec.points == ((1.0, 2.0), (3.0, 4.0)) and spec.csv == str(tmp_path / "p.csv")
    elsewhere = parse_scenario(text.format(tmp_path / "p.csv"), "/nowhere/s.toml").spec
    assert elsewhere == spec
    with pytest.raises(ScenarioError) as e:  # from the folder given, not the cwd
        parse_scenario(text.format("p.csv"), "s.toml", folder=tmp_path / "other")
    assert e.value.source == str(tmp_path / "other" / "p.csv") and "no such file" in e.value.problem
    with pytest.raises(ScenarioError) as e:
        parse_scenario(text.format(" "), "s.toml")
    assert e.value.key == "data.csv"


def test_a_bundled_scenarios_csv_starts_at_the_packages_scenarios_folder():
    folder = Path(str(resources.files("hnn_tui.scenarios")))
    text = 'title = "t"\nkind = "classifier"\n[model]\ntype = "svm"\n[data]\ncsv = "not_there.csv"\n'
    with pytest.raises(ScenarioError) as e:
        parse_scenario(text, str(folder / "x.toml"))
    assert e.value.source == str(folder / "not_there.csv")
    assert str(load_scenario("svm").source) == str(folder / "svm.toml")  # what the folder is taken from


def test_a_plain_table_reads_from_the_working_folder(tmp_path, monkeypatch):
    write(tmp_path, "p.csv", "x,y,label\n1,2,1\n3,4,-1\n")
    monkeypatch.chdir(tmp_path)
    spec = read_classifier(Table("t", {"model": {"type": "svm"}, "data": {"csv": "p.csv"}}))
    assert spec.points == ((1.0, 2.0), (3.0, 4.0)) and DataPlace().folder == Path(".")


def test_data_replaces_every_source_key_but_keeps_validation_and_seed(tmp_path):
    path = write(tmp_path, "p.csv", "x,y,label\n" + "".join(f"{i},0,{1 - 2 * (i % 2)}\n" for i in range(10)))
    for data in ('dataset = "moons"\nn = 50\nnoise = 0.3', 'points = [[0, 0]]\nlabels = [1]', 'csv = "gone.csv"'):
        text = f'title = "t"\nkind = "classifier"\n[model]\ntype = "svm"\n[data]\n{data}\nvalidation = 0.3\n'
        spec = parse_scenario(text, "s.toml", data=path).spec
        assert (len(spec.points), len(spec.val_points), spec.csv) == (7, 3, str(path))
