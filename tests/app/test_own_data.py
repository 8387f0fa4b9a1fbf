"""Your own data (issue 13): a cursor on the boundary, points added (p, m), deleted (backspace), undone (U), the
parameters kept; the scenario saved (w) as a file that runs the same; held-out points drawn with their own marks."""
from __future__ import annotations

from pathlib import Path

import pytest
from cases import BAD_CSV, HEAD
from helpers import SIZE, cli, json_lines, wait_for, write
from textual.widgets import Input

from hnn_tui.app import HnnApp
from hnn_tui.engine import Session, heldout, load_scenario
from hnn_tui.engine.csvdata import MAX_CSV_ROWS
from hnn_tui.engine.scenario import parse_scenario
from hnn_tui.screens.lesson_controls import saved_note, saved_title
from hnn_tui.screens.prompt import Prompt
from hnn_tui.widgets.boundary_paint import CURSOR_GLYPH, HELD_GLYPHS, legend
from hnn_tui.widgets.boundary_view import BoundaryView


def boundary(app) -> BoundaryView:
    return app.screen.query_one(BoundaryView)


def cell_size(view) -> tuple[float, float]:
    """A cell's width and height in data units."""
    rows, cols = view.cells
    x0, x1, y0, y1 = view.box
    return (x1 - x0) / cols, (y1 - y0) / rows


async def edited(pilot, app, keys, count) -> None:
    """Press `keys`, then wait until the session holds `count` training points and its panel is shown."""
    await pilot.press(*keys)
    await wait_for(pilot, lambda: len(app.screen.session.stage.points) == count and app.screen.panel is not None
                   and app.screen.panel.stage is app.screen.session.stage)
    await pilot.pause()


async def test_add_delete_and_undo_points_at_the_cursor_keeping_the_parameters():
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = boundary(app)
        assert view.cursor is None  # no cursor until an arrow is pressed
        await pilot.press("right")  # the first press shows it in the middle
        await pilot.pause()
        rows, cols = view.cells
        assert view.cursor == (rows // 2, cols // 2)
        await pilot.press("right", "right", "shift+up")  # 2 cells right, 5 up
        await pilot.pause()
        assert view.cursor == (rows // 2 - 5, cols // 2 + 2)
        r, c = view.cursor
        assert view._glyphs[r, c] == CURSOR_GLYPH  # drawn, in reverse video
        assert view._table[view._sids[r, c]].reverse
        x, y = view.data_of(r, c)
        before = app.screen.session
        values = dict(before.current.values)
        await edited(pilot, app, ["p"], 7)
        st = app.screen.session.stage
        w, h = cell_size(boundary(app))
        assert st.labels[-1] == 1
        assert st.points[-1][0] == pytest.approx(x, abs=w) and st.points[-1][1] == pytest.approx(y, abs=h)
        assert dict(app.screen.session.current.values) == values  # the parameters stay
        assert app.screen.session.step_count == 0
        assert boundary(app).box == view.box and boundary(app).cursor == (r, c)  # the view stays

        await pilot.press("down", "down", "left")
        await pilot.pause()
        await edited(pilot, app, ["m"], 8)
        st = app.screen.session.stage
        x2, y2 = boundary(app).data_of(r + 2, c - 1)
        assert st.labels[-1] == -1 and st.points[-1] == pytest.approx((x2, y2))

        # the cost shown is the cost of a fresh session on the edited scenario
        fresh = Session(app.screen.session.scenario)
        assert app.screen.snapshot.output == fresh.current.output
        assert app.screen.snapshot.output != before.current.output
        assert "cost" in str(app.screen.query_one("#status").render())

        await edited(pilot, app, ["backspace"], 7)  # the nearest to the cursor: the -1 point just added
        st = app.screen.session.stage
        assert st.labels[-1] == 1 and (x2, y2) not in st.points
        await edited(pilot, app, ["U"], 8)  # undone: back
        assert app.screen.session.stage.points[-1] == pytest.approx((x2, y2))
        await edited(pilot, app, ["U", "U"], 6)  # back to the scenario's own six
        assert app.screen.session.stage.points == before.stage.points
        assert dict(app.screen.session.current.values) == values


async def test_the_last_point_of_a_class_is_not_deleted(notices):
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        session = app.screen.session
        st = session.stage
        keep = [i for i, lab in enumerate(st.labels) if lab == 1][:1] + [i for i, lab in enumerate(st.labels)
                                                                            if lab == -1]
        with pytest.raises(ValueError, match="no \\+1 point"):
            session.with_points([st.points[i] for i in keep[1:]], [st.labels[i] for i in keep[1:]])
        pts, labs = [st.points[i] for i in keep], [st.labels[i] for i in keep]
        app.screen._take_edit(session.with_points(pts, labs))
        await wait_for(pilot, lambda: app.screen.panel is not None and app.screen.panel.stage.points == tuple(pts))
        await pilot.press("right")
        x, y = pts[0]  # the only +1 point: the cursor onto it, then delete
        app.screen.panel.cursor = (x, y)
        await pilot.press("delete")
        await pilot.pause()
        assert app.screen.session.stage.points == tuple(pts)
        assert any("no +1 point to train on" in n for n in notices)


async def test_a_run_goes_on_through_an_edit():
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await wait_for(pilot, lambda: app.screen.snapshot.step >= 3)
        await edited(pilot, app, ["p"], 7)
        assert app.screen.running
        await wait_for(pilot, lambda: app.screen.snapshot.step >= 2 and len(app.screen.session.stage.points) == 7)
        await pilot.press("space")


async def test_save_writes_a_scenario_that_runs_the_same(tmp_path, monkeypatch, notices):
    monkeypatch.chdir(tmp_path)
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "s", "s", "left", "shift+down")
        await edited(pilot, app, ["m"], 7)  # the start saved: the parameters after those 3 steps
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, Prompt))
        assert app.screen.query_one("#prompt-input").value == "svm-edited.toml"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, Prompt))
        session = app.screen.session
        assert any("svm-edited.toml" in n and "svm-edited.csv" in n for n in notices)
        saved = tmp_path / "svm-edited.toml"
        scenario = parse_scenario(saved.read_text(), str(saved))
        assert scenario.spec.points == session.stage.points and scenario.spec.labels == session.stage.labels
        assert dict(scenario.spec.init) == dict(session.current.values)
        own = load_scenario("svm")
        assert scenario.title == f"{own.title} (saved)"
        assert scenario.description == (
            "Saved by hnn-tui from svm: 7 training points; it starts from the parameters as they were then (0 steps "
            "after the last change of the data). The lesson's own words follow; their numbers are for its original "
            "start and data.\n\n"
            + own.description)
        again = Session(scenario)  # saved again from the saved file: one note, the newest; one "(saved)"
        assert saved_note(again, 9).count("Saved by hnn-tui") == 1 and "svm-edited: 7 training" in saved_note(again, 9)
        assert saved_title(scenario.title) == scenario.title
        csv = (tmp_path / "svm-edited.csv").read_text().splitlines()
        assert csv[0] == "x,y,label" and len(csv) == 8 and csv[-1].endswith(",-1")

        code, out = cli("run", saved, "--steps", 5, "--json")
        assert code == 0
        ran = [r for r in json_lines(out) if "step" in r]  # the last line is the summary
        mine = [session.current] + list(session.run(5))
        assert [r["step"] for r in ran] == list(range(6))
        assert [r["output"] for r in ran] == pytest.approx([s.output for s in mine], rel=1e-6)
        for r, snap in zip(ran, mine):
            assert r["values"] == pytest.approx(dict(snap.values), rel=1e-6)
            inside = snap.detail.inside
            assert [p["index"] for p in r["batch"] or ()] == [p.index for p in (inside.batch if inside else ())]
        assert mine[0].values != load_scenario("svm").spec.init  # not the scenario's own start

        # once more: the proposal is a new name; an existing one is refused and the prompt stays
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, Prompt))
        field = app.screen.query_one("#prompt-input")
        assert field.value == "svm-edited-2.toml"
        text = saved.read_text()
        field.value = "svm-edited.toml"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, Prompt)
        assert "already exists" in str(app.screen.query_one("#prompt-error").render())
        assert saved.read_text() == text  # not overwritten
        app.screen.query_one("#prompt-input").value = "svm-edited-2.toml"
        await pilot.press("enter")  # after those 5 steps: the start saved is the parameters now
        await wait_for(pilot, lambda: not isinstance(app.screen, Prompt))
        again = tmp_path / "svm-edited-2.toml"
        assert dict(parse_scenario(again.read_text(), str(again)).spec.init) == dict(mine[-1].values)
    assert parse_scenario(saved.read_text(), str(saved)).spec.points == scenario.spec.points


def test_save_refuses_the_bundled_folder(tmp_path):
    import hnn_tui.scenarios as bundled
    from hnn_tui.screens.playground import PlaygroundScreen

    screen = PlaygroundScreen(load_scenario("svm"))
    folder = Path(bundled.__file__).parent
    mine = folder / "zz-test-own-data-never-written.toml"
    try:
        assert "bundled" in screen._save(str(mine))
        assert not mine.exists() and not mine.with_suffix(".csv").exists()
    finally:  # should the check ever break, leave nothing behind in the package
        mine.unlink(missing_ok=True)
        mine.with_suffix(".csv").unlink(missing_ok=True)
    (tmp_path / "taken.csv").write_text("x")
    assert "already exists" in screen._save(str(tmp_path / "taken.toml"))
    assert not (tmp_path / "taken.toml").exists()


HELD_TOML = """
title = "held out"
kind = "classifier"
strategy = "analytic"
steps = 10
seed = 0

[model]
type = "svm"
init = { a = 1.0, b = -2.0, c = -1.0 }

[data]
dataset = "guide_svm"
validation = 0.34
seed = 3
"""


async def test_held_out_points_are_drawn_apart_and_kept_through_an_edit(tmp_path, monkeypatch):
    path = tmp_path / "held.toml"
    path.write_text(HELD_TOML)
    monkeypatch.chdir(tmp_path)
    app = HnnApp(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        st = app.screen.session.stage
        assert len(st.val_points) == 2
        view = boundary(app)
        glyphs = "".join(view._glyphs.ravel().tolist())
        for lab in st.val_labels:
            assert HELD_GLYPHS[lab] in glyphs
        assert view.border_title == legend(False, held=True) and "◇▽ held out" in view.border_title
        assert "· held-out" in str(app.screen.query_one("#acc-chart").render()).splitlines()[0]
        await edited(pilot, app, ["right", "p"], len(st.points) + 1)
        new = app.screen.session.stage
        assert new.val_points == st.val_points  # still held out, not trained on
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, Prompt))
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, Prompt))
        saved = tmp_path / "held-edited.toml"
        spec = parse_scenario(saved.read_text(), str(saved)).spec
        assert spec.points == new.points and spec.val_points == new.val_points


# --- i: points read from a CSV file inside the app ----------------------------------------------------------------

async def read_csv(pilot, app, path) -> Prompt:
    """Press i, put `path` on the prompt's line, press enter; returns the prompt (gone when the file was taken)."""
    await pilot.press("i")
    await wait_for(pilot, lambda: isinstance(app.screen, Prompt))
    prompt = app.screen
    prompt.query_one(Input).value = str(path)
    await pilot.press("enter")
    await pilot.pause()
    return prompt


async def test_every_bad_csv_read_in_the_app_is_a_notice_and_the_points_stay(tmp_path, notices):
    cases = [(why, write(tmp_path, f"{i:02d}.csv", content), key, words)
             for i, (why, content, key, words) in enumerate(BAD_CSV)]
    (tmp_path / "folder.csv").mkdir()
    cases += [("a folder", tmp_path / "folder.csv", "", "is a folder"),
              ("no file", tmp_path / "missing.csv", "", "no such file"),
              ("too many rows", write(tmp_path, "rows.csv", HEAD + "-1,-1,-1\n" + "1,1,1\n" * MAX_CSV_ROWS),
               "", f"more than {MAX_CSV_ROWS:,} rows")]
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s")  # a step taken: the parameters at step 1 must stay
        await wait_for(pilot, lambda: app.screen.snapshot.step == 1)
        session, step = app.screen.session, app.screen.snapshot
        for why, path, key, words in cases:
            notices.clear()
            prompt = await read_csv(pilot, app, path)
            assert app.screen is prompt, why  # still asking: the name can be corrected
            head = f"{path}: {key}: " if key else f"{path}: "
            refusal = str(prompt.query_one("#prompt-error").render())
            assert refusal.startswith(head) and words in refusal, (why, refusal)
            assert len(notices) == 1 and notices[0] == f"not read: {refusal}", (why, notices)
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, Prompt))
            assert app.screen.session is session and app.screen.snapshot is step, why  # nothing half-loaded
        assert session.scenario.spec.points == load_scenario("svm").spec.points


async def test_a_csv_read_in_the_app_replaces_the_points_split_as_the_scenario_says_and_U_undoes(tmp_path,
                                                                                                   monkeypatch):
    path = tmp_path / "held.toml"
    path.write_text(HELD_TOML)  # validation 0.34, [data] seed 3
    rows = [(float(x), float(y), 1 if x + y > 0 else -1) for x, y in ((1, 2), (2, 1), (-1, -2), (-2, -1), (3, 3),
                                                                       (-3, -3), (1, 0.5), (-0.5, -1), (2, 2))]
    csv = write(tmp_path, "nine.csv", HEAD + "".join(f"{x},{y},{lab}\n" for x, y, lab in rows))
    app = HnnApp(str(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = app.screen.session.scenario.spec
        values = dict(app.screen.session.current.values)
        await read_csv(pilot, app, csv)
        await wait_for(pilot, lambda: app.screen.session.scenario.spec.csv == str(csv))
        spec = app.screen.session.scenario.spec
        expected = heldout.split(tuple((x, y) for x, y, _ in rows), tuple(lab for *_, lab in rows), 0.34, 3)
        assert (spec.points, spec.labels, spec.val_points, spec.val_labels) == expected
        assert len(spec.val_points) == 3  # 0.34 of 9, rounded
        assert dict(app.screen.session.current.values) == values  # the parameters stay
        assert "nine.csv (6)" in str(app.screen.query_one("#classifier-keys").render())
        fresh = Session(app.screen.session.scenario)  # the screen shows the same cost as a session on that data
        assert app.screen.snapshot.output == fresh.current.output
        await pilot.press("U")
        await wait_for(pilot, lambda: app.screen.session.scenario.spec.csv is None)
        back = app.screen.session.scenario.spec
        assert (back.points, back.labels, back.val_points, back.val_labels) == \
            (before.points, before.labels, before.val_points, before.val_labels)


async def test_a_bad_csv_on_the_apps_command_line_brings_up_the_picker_with_the_reason(tmp_path, notices):
    from hnn_tui.screens.picker import PickerScreen

    bad = write(tmp_path, "bad.csv", HEAD + "1,2,1\n1,abc,-1\n")
    app = HnnApp("svm", data=str(bad))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert notices == [f"{bad}: line 3, column y: expected a number, got 'abc'"]
