"""`F` on a lesson (screens.export_flow): the lesson as it is now (its edits, knobs and strategy; its start: the
parameters or inputs now) written as a program that a clean `python -I` runs from an empty folder; a file that
exists is only overwritten after a second question (no by default); a bad folder is a notice, nothing lost; served
to a browser, the program is a download."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import SIZE, run_exported, wait_for

import hnn_tui.scenarios as bundled
from hnn_tui.app import HnnApp
from hnn_tui.engine import Session, load_scenario
from hnn_tui.engine.export import NotExported
from hnn_tui.screens import export_flow
from hnn_tui.screens.playground import PlaygroundScreen
from hnn_tui.screens.prompt import Prompt


async def export_to(pilot, app, name: str) -> None:
    """Press F, replace the proposed name with `name`, press enter."""
    await pilot.press("F")
    await wait_for(pilot, lambda: isinstance(app.screen, Prompt))
    app.screen.query_one("#prompt-input").value = name
    await pilot.press("enter")
    await pilot.pause()


def run_program(path, steps: int) -> list[dict]:
    """The exported file run by a clean interpreter in its own (otherwise empty) folder."""
    p = run_exported(path, steps)
    assert p.returncode == 0, p.stderr
    return [json.loads(line) for line in p.stdout.splitlines()]


async def test_a_poked_circuit_exports_from_its_inputs_now(tmp_path, monkeypatch, notices):
    monkeypatch.chdir(tmp_path)
    app = HnnApp("two_gates")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("right_square_bracket", "right_square_bracket", "s")  # x nudged twice, then a step
        await wait_for(pilot, lambda: app.screen.session.step_count == 1)
        now = app.screen.session.current
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(app.screen, Prompt))
        assert app.screen.query_one("#prompt-input").value == "two_gates_export.py"  # in the current folder
        (tmp_path / "out").mkdir()
        app.screen.query_one("#prompt-input").value = str(tmp_path / "out" / "two.py")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PlaygroundScreen))
        assert any("wrote" in n and "two.py" in n for n in notices)
    lines = run_program(tmp_path / "out" / "two.py", 3)
    assert lines[0]["step"] == 0 and lines[0]["values"] == dict(now.values)  # the inputs as they were at F
    assert lines[0]["output"] == pytest.approx(now.output, abs=1e-9)
    text = (tmp_path / "out" / "two.py").read_text()
    assert "as it was at step 1" in text and "hnn-tui run two_gates --strategy" not in text
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["two.py"]  # no temporary file left


async def test_a_classifier_exports_with_its_knobs_and_runs_as_a_fresh_session_from_now(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s", "s", "right_square_bracket", "W")  # 2 steps, then L1 on and balanced class weights
        await wait_for(pilot, lambda: app.screen.session.step_count == 2 and app.screen.session.scenario.spec.l1 > 0
                       and app.screen.session.scenario.spec.class_weights_mode == "balanced")
        session = app.screen.session
        now, fresh = session.current, Session(export_flow.scenario_now(session))
        await export_to(pilot, app, "svm_now.py")
        await wait_for(pilot, lambda: (tmp_path / "svm_now.py").exists())
    lines = run_program(tmp_path / "svm_now.py", 4)
    assert lines[0]["values"] == dict(now.values) and lines[0]["output"] == pytest.approx(now.output, abs=1e-9)
    for line in lines[1:-1]:  # then the steps of a new session from there: with L1's shrink and the weights
        snap = fresh.step()
        assert line["values"] == dict(snap.values) and line["output"] == pytest.approx(snap.output, abs=1e-9)
    text = (tmp_path / "svm_now.py").read_text()
    assert "L1 = " in text and "CLASS_WEIGHTS = " in text


async def test_an_existing_file_is_not_overwritten_unless_you_say_y(tmp_path, notices):
    mine = tmp_path / "taken.py"
    mine.write_text("mine")
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await export_to(pilot, app, str(mine))
        await wait_for(pilot, lambda: isinstance(app.screen, Prompt) and "overwrite" in app.screen.question)
        assert app.screen.query_one("#prompt-input").value == "n"  # no, by default
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PlaygroundScreen))
        assert mine.read_text() == "mine" and any("not written" in n for n in notices)

        await export_to(pilot, app, str(mine))  # escape at the question: no either
        await wait_for(pilot, lambda: isinstance(app.screen, Prompt) and "overwrite" in app.screen.question)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, PlaygroundScreen))
        assert mine.read_text() == "mine"

        await export_to(pilot, app, str(mine))  # y: overwritten, atomically
        await wait_for(pilot, lambda: isinstance(app.screen, Prompt) and "overwrite" in app.screen.question)
        app.screen.query_one("#prompt-input").value = "y"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PlaygroundScreen))
    assert mine.read_text().startswith("#!/usr/bin/env python3\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.py"]


async def test_a_folder_that_does_not_exist_is_a_notice_and_loses_nothing(tmp_path, notices):
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        typed = str(tmp_path / "no" / "such" / "x.py")
        await export_to(pilot, app, typed)
        assert any("no folder" in n for n in notices)
        assert isinstance(app.screen, Prompt) and app.screen.query_one("#prompt-input").value == typed  # kept
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, PlaygroundScreen))
        await pilot.press("s")  # the app goes on
        await wait_for(pilot, lambda: app.screen.session.step_count == 1)
    assert list(tmp_path.iterdir()) == []


async def test_served_to_a_browser_the_program_is_a_download(tmp_path, monkeypatch, notices):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HNN_TUI_SERVED", "1")
    monkeypatch.setattr(HnnApp, "served", True, raising=False)  # whichever way the app reads it
    sent = []
    monkeypatch.setattr(HnnApp, "deliver_text", lambda self, f, **kw: sent.append((f.read(), kw)), raising=False)
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("F")
        await wait_for(pilot, lambda: sent)
        assert not isinstance(app.screen, Prompt)
        want = export_flow.program_now(app.screen.session)
    assert sent == [(want, {"save_filename": "svm_export.py"})]
    assert list(tmp_path.iterdir()) == [] and any("browser" in n for n in notices)


async def test_what_cannot_be_exported_is_one_notice(monkeypatch, notices):
    def refuse(scenario, strategy=None):
        raise NotExported("neuron: a thing is not exported")
    monkeypatch.setattr(export_flow, "export_program", refuse)
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("F")
        await wait_for(pilot, lambda: "neuron: a thing is not exported" in notices)
        assert isinstance(app.screen, PlaygroundScreen)


@pytest.mark.parametrize("name", sorted(p.stem for p in Path(bundled.__file__).parent.glob("*.toml")))
def test_every_lesson_exports_from_where_it_is(tmp_path, name):
    """What F writes for each bundled lesson a step in: its program starts from the values then, and its next step
    is a new session's from there (every kind: circuits, classifiers, multiclass, regression)."""
    session = Session(load_scenario(name))
    session.step()
    path = tmp_path / "lesson.py"
    path.write_text(export_flow.program_now(session))
    lines = run_program(path, 1)
    assert lines[0]["values"] == dict(session.current.values)
    assert lines[0]["output"] == pytest.approx(session.current.output, rel=1e-9, abs=1e-9)
    snap = Session(export_flow.scenario_now(session)).step()
    assert lines[1]["values"] == pytest.approx(dict(snap.values), rel=1e-9, abs=1e-9)
