"""The multiclass screen: the class map (winner, shade by margin, lines, the points by class), its colours in 16 and
256 colours and its characters under NO_COLOR, the confusion table, the step's inside, and 80x24.

The map's widget tests use three linear scores worked out by hand: s = (-x, x, 3y). Class 0 wins left of x = 0
(where 3y < -x), class 1 right of it, class 2 above both (3y > |x|); the margin is 1 or more away from the lines.
"""
from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest
from helpers import wait_for
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.color import Color, ColorSystem
from textual.app import App, ComposeResult
from textual.widgets import Static

from hnn_tui.app import HnnApp
from hnn_tui.engine.multiclass_objective import ClassPoint
from hnn_tui.panels.multiclass import MulticlassPanel, inside_lines, point_table
from hnn_tui.widgets.boundary_paint import line_mask
from hnn_tui.widgets.boundary_view import GUTTER
from hnn_tui.widgets.class_map import ClassMap
from hnn_tui.widgets.class_paint import (
    FULL,
    HELD_GLYPHS,
    LINE,
    MAX_CLASSES,
    PALE,
    PALETTE,
    POINT_GLYPHS,
    change_mask,
    paint,
    style_table,
    winners,
)
from hnn_tui.widgets.confusion_table import ConfusionTable, matrix_lines
from hnn_tui.widgets.number_tables import ParamTable

SIZE = (100, 30)
CLASSES = ("left", "right", "up")
POINTS = [((-3.0, -1.0), 0), ((3.0, -1.0), 1), ((0.5, 2.5), 2), ((-2.0, -2.5), 0), ((2.5, 2.5), 1)]
HELD = [((-2.5, 1.0), 0), ((2.0, -2.0), 1)]
LINES = set("│╲─╱┼")


def three(v, X, Y):
    X, Y = np.asarray(X, float), np.asarray(Y, float)
    return v["s"] * np.stack([-X, X, 3 * Y], axis=-1)


class OneMap(App):
    def compose(self) -> ComposeResult:
        yield ClassMap(three, [p for p, _ in POINTS], [k for _, k in POINTS], CLASSES, [p for p, _ in HELD],
                       [k for _, k in HELD], box=(-4.0, 4.0, -3.0, 3.0))


async def shown(pilot, scale: float = 1.0, **kwargs) -> ClassMap:
    classmap = pilot.app.query_one(ClassMap)
    classmap.show({"s": scale}, **kwargs)
    await pilot.pause()
    return classmap


def cells(view: ClassMap):
    w, h = view.size
    return [[(ch, seg.style) for seg in view.render_line(y) for ch in seg.text][GUTTER:w] for y in range(h - 1)]


def cell_of(view: ClassMap, x: float, y: float) -> tuple[int, int]:
    w, h = view.size
    rows, cols = h - 1, w - GUTTER
    x0, x1, y0, y1 = view.box
    return int((y1 - y) / (y1 - y0) * 2 * rows) // 2, int((x - x0) / (x1 - x0) * cols)


def samples(view: ClassMap, half: int = 0):
    """The scores at each cell's upper (half 0) or lower (1) half sample, worked out here from the box; the upper
    one is what a cell's fill shows."""
    w, h = view.size
    rows, cols = h - 1, w - GUTTER
    x0, x1, y0, y1 = view.box
    xs = x0 + (np.arange(cols) + 0.5) * (x1 - x0) / cols
    ys = y1 - (np.arange(half, 2 * rows, 2) + 0.5) * (y1 - y0) / (2 * rows)
    X, Y = np.meshgrid(xs, ys)
    return np.stack([-X, X, 3 * Y], axis=-1)


def marked(view: ClassMap) -> set:
    """The cells the points, held-out points and the brackets beside them may cover."""
    out = set()
    for (x, y), _ in POINTS + HELD:
        r, c = cell_of(view, x, y)
        out |= {(r, c - 1), (r, c), (r, c + 1)}
    return out


# ---- pure functions ------------------------------------------------------------------------------------------

def test_the_winner_is_the_highest_score_and_the_margin_its_lead():
    win, margin = winners([[1.0, 2.0, 0.5], [np.nan, 0.0, -1.0], [3.0, 3.0, 1.0], [np.nan, np.nan, np.nan]])
    assert win.tolist() == [1, 1, 0, 0]  # a NaN never wins; a tie goes to the first
    assert margin.tolist() == [1.0, 1.0, 0.0, 0.0]


def test_paint_fills_by_winner_and_shade_draws_the_change_and_marks_the_points():
    win = np.zeros((8, 8), np.int8)
    win[:, 4:] = 2  # class 0 left, class 2 right
    full = np.zeros((8, 8), bool)
    full[:, [0, 1, 6, 7]] = True  # wins by >= 1 far from the change, less near it
    glyphs, sids = paint(win, full, plain=False)
    assert ["".join(row) for row in glyphs] == ["  ░░│░  "] * 4
    assert sids[0].tolist() == [FULL, FULL, PALE, PALE, LINE + MAX_CLASSES, PALE + 2, FULL + 2, FULL + 2]
    glyphs, _ = paint(win, full, plain=True)  # the class's number: every other cell full, every fourth pale
    assert ["".join(row) for row in glyphs] == ["1   │ 3 ", " 11 │  3", "1   │ 3 ", " 11 │  3"]
    glyphs, sids = paint(win, full, plain=True, points=[(2, 2, 1, True)], held=[(5, 6, 0)])
    assert "".join(glyphs[1]) == " [▲]│  3" and "".join(glyphs[2]) == "1   │ ○ "


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 10), st.integers(1, 8), st.integers(1, 12), st.integers(0, 2**32 - 1), st.booleans())
def test_the_change_lines_are_line_masks_lines_for_each_split_of_the_classes(k, rows, cols, seed, regions):
    """change_mask in one pass draws what boundary_paint.line_mask draws for each split (classes below s | the
    rest, s = 1 .. K-1), the later split's glyph on a cell two lines share: on random winners and on regions."""
    rng = np.random.default_rng(seed)
    if regions:  # the winner of K random linear scores: regions with straight borders, as a linear model makes
        X, Y = np.meshgrid(np.linspace(-1, 1, cols), np.linspace(1, -1, 2 * rows))
        w = rng.normal(size=(k, 3))
        win = np.argmax(w[:, 0] * X[..., None] + w[:, 1] * Y[..., None] + w[:, 2], axis=-1).astype(np.int8)
    else:
        win = rng.integers(0, k, size=(2 * rows, cols)).astype(np.int8)
    on, kind = np.zeros((rows, cols), bool), np.zeros((rows, cols), np.int8)
    for split in range(1, k):
        o, d = line_mask(win >= split)
        on |= o
        kind[o] = d[o]
    got_on, got_kind = change_mask(win)
    assert (got_on == on).all()
    assert (got_kind[on] == kind[on]).all()


def test_the_ten_class_colours_stay_apart_in_16_and_in_256_colours():
    for system in (ColorSystem.STANDARD, ColorSystem.EIGHT_BIT):
        numbers = [Color.parse(c).downgrade(system).number for c in PALETTE]
        assert len(set(numbers)) == MAX_CLASSES, (system, numbers)
    assert [Color.parse(c).downgrade(ColorSystem.STANDARD).number for c in PALETTE] == [4, 1, 2, 3, 5, 6, 8, 12, 9,
                                                                                          10]


def test_with_colour_off_no_style_carries_a_colour():
    table, _ = style_table(True)
    assert all(s.color is None and s.bgcolor is None for s in table)
    table, _ = style_table(False)
    assert [table[FULL + k].bgcolor for k in range(MAX_CLASSES)] == [Color.parse(c) for c in PALETTE]
    assert [table[PALE + k].color for k in range(MAX_CLASSES)] == [Color.parse(c) for c in PALETTE]


def test_the_confusion_matrix_lines():
    lines = matrix_lines(("cat", "dog"), [[3, 1], [0, 12]], {"cat": 0.75, "dog": 1.0})
    assert lines == ["true ↓ pred → ●  ▲ right",
                     "● cat         3  1  0.75",
                     "▲ dog         0 12  1.00"]


def point(label=1, probs=(0.2, 0.5, 0.3), pull=None):
    """A batch point with scores (0.25, 1.5, -0.125); softmax's pull [k = y] - p_k unless given."""
    pull = pull or tuple((1.0 if k == label else 0.0) - p for k, p in enumerate(probs))
    return ClassPoint(7, (0.5, -1.25), label, (0.25, 1.5, -0.125), probs, pull)


def snap(batch, step=3, strategy="analytic"):
    return SimpleNamespace(step=step, strategy=strategy, detail=SimpleNamespace(inside=SimpleNamespace(batch=batch)))


def test_the_inside_of_a_one_point_step():
    lines = inside_lines(snap((point(label=0),)), CLASSES, "softmax", short=False, width=100)
    assert lines == ["step 3 from the inside: point 7 (0.50, -1.25), class ● left, scored ▲ right",
                     "class    ● left  ▲ right    ■ up",
                     "score     0.250    1.500  -0.125",
                     "prob      0.200    0.500   0.300",
                     "pull     +0.800   -0.500  -0.300",
                     "softmax pulls each score by [k = y] - p_k: never quite zero"]
    hinge = inside_lines(snap((point(probs=None, pull=(-1.0, 2.0, -1.0)),)), CLASSES, "multiclass_hinge", short=True,
                         width=100)
    assert hinge == ["step 3: point 7, class ▲, pull: ● -1.00 ▲ +2.00 ■ -1.00"]
    assert "prob" not in "".join(point_table(point(probs=None, pull=(0, 0, 0)), CLASSES, 100))


def test_a_narrow_inside_splits_the_columns_and_never_cuts_a_number():
    table = point_table(point(), CLASSES, 26)
    assert table == ["class    ● left  ▲ right",  # 2 decimals, and the third class in a block of its own
                     "score      0.25     1.50",
                     "prob       0.20     0.50",
                     "pull      -0.20    +0.50",
                     "class     ■ up",
                     "score    -0.12",
                     "prob      0.30",
                     "pull     -0.30"]
    line = inside_lines(snap((point(),)), CLASSES, "softmax", short=True, width=42)[0]
    assert line == "step 3: point 7, class ▲, pull: ● -0.20 …"


def test_a_full_batch_in_one_line():
    right = point(label=1)  # scores (0.25, 1.5, -0.125): class 1 wins
    wrong = point(label=2, probs=None, pull=(0.0, -1.0, 1.0))
    safe = point(label=1, probs=None, pull=(0.0, 0.0, 0.0))
    assert inside_lines(snap((right, wrong, safe)), CLASSES, "multiclass_hinge", False, 200) == [
        "step 3: all 3 points: 2 scored right, 1 wrong; 2 pull, 1 past every margin; the data's pull is their mean"]


# ---- the widget ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("no_color", [False, True])
async def test_known_scores_on_known_cells_show_their_class_and_shade(monkeypatch, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    async with OneMap().run_test(size=SIZE) as pilot:
        view = await shown(pilot)
        win, margin = winners(samples(view))
        skip = marked(view)
        seen = {(k, f): 0 for k in range(3) for f in (False, True)}
        plain_styles = set()
        for r, row in enumerate(cells(view)):
            for c, (ch, style) in enumerate(row):
                if (r, c) in skip or ch in LINES:
                    continue
                k, full = int(win[r, c]), bool(margin[r, c] >= 1)
                seen[k, full] += 1
                if no_color:  # the class's number, every other cell (full) or every fourth (pale)
                    dense = (r + c) % 2 == 0 if full else c % 4 == 2 * (r % 2)
                    assert ch == (str(k + 1) if dense else " "), (r, c, ch)
                    plain_styles.add(style)
                elif full:
                    assert ch == " " and style.bgcolor == Color.parse(PALETTE[k]), (r, c)
                else:
                    assert ch == "░" and style.color == Color.parse(PALETTE[k]), (r, c)
        assert all(n > 20 for n in seen.values()), seen  # each class, full and pale, checked on many cells
        assert len(plain_styles) == (1 if no_color else 0)  # with colour off, one style for every class: characters


async def test_the_lines_run_where_the_winner_changes():
    async with OneMap().run_test(size=SIZE) as pilot:
        view = await shown(pilot)
        win, _ = winners(samples(view))
        skip = marked(view)
        text = ["".join(ch for ch, _ in row) for row in cells(view)]
        lower_win, _ = winners(samples(view, 1))
        changes = set()
        rows, cols = win.shape
        for r in range(rows):
            for c in range(cols):
                if (r, c) in skip:
                    continue
                near = {int(win[rr, cc]) for rr in (r - 1, r, r + 1) for cc in (c - 1, c, c + 1)
                        if 0 <= rr < rows and 0 <= cc < cols}
                if text[r][c] in LINES:  # a line only beside another winner
                    assert len(near) > 1, (r, c)
                if win[r, c] != lower_win[r, c]:  # the winner changes inside the cell: a line through it
                    assert text[r][c] in LINES, (r, c)
                    changes.add(frozenset((int(win[r, c]), int(lower_win[r, c]))))
        assert changes == {frozenset((0, 2)), frozenset((1, 2))}  # both slanted lines checked; the upright one below
        lower = text[rows - 2]  # low down, left and right of x = 0: one upright line between classes 0 and 1
        assert [ch for c, ch in enumerate(lower) if ch in LINES and (rows - 2, c) not in skip] == ["│"]


async def test_each_class_has_its_point_shape_held_out_hollow_the_batch_bracketed():
    async with OneMap().run_test(size=SIZE) as pilot:
        view = await shown(pilot, batch=(2,))
        text = ["".join(ch for ch, _ in row) for row in cells(view)]
        marks = [text[r][c] for r, c in (cell_of(view, x, y) for (x, y), _ in POINTS)]
        assert marks == ["●", "▲", "■", "●", "▲"]
        assert [text[r][c] for r, c in (cell_of(view, x, y) for (x, y), _ in HELD)] == ["○", "△"]
        r, c = cell_of(view, 0.5, 2.5)
        assert text[r][c - 1: c + 2] == "[■]"
        assert len(set(POINT_GLYPHS)) == len(set(HELD_GLYPHS)) == MAX_CLASSES


async def test_only_the_changed_cells_are_sent_again(monkeypatch):
    async with OneMap().run_test(size=SIZE) as pilot:
        view = await shown(pilot)
        sent = []
        monkeypatch.setattr(view, "refresh", lambda *regions, **kw: sent.extend(regions))
        view.show({"s": 1.0})  # the same picture: nothing to send
        assert sent == []
        view.show({"s": 1.0}, batch=(0,))  # a bracket round one point: one row, a few cells
        assert len(sent) == 1 and sent[0].height == 1 and sent[0].width <= 3


# ---- the panel in the app ------------------------------------------------------------------------------------

SCENARIO = """title = "three blobs"
kind = "classifier"
strategy = "analytic"
[settings]
step_size = 0.05
[model]
type = "svm"
loss = "{loss}"
reg = 0.001
[data]
dataset = "blobs"
classes = {k}
n = {n}
noise = 0.3
validation = 0.2
"""


def scenario(tmp_path, loss="softmax", k=3, n=60) -> str:
    path = tmp_path / f"{loss}{k}.toml"
    path.write_text(SCENARIO.format(loss=loss, k=k, n=n))
    return str(path)


def lines_of(widget) -> list[str]:
    return str(widget.render()).splitlines()


async def test_the_confusion_table_is_the_one_the_scores_give(tmp_path):
    app = HnnApp(scenario(tmp_path), seed=0)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen.panel, MulticlassPanel)
        screen.advance(10)  # 46 of 48 right (seed 0)
        await pilot.pause()
        stage, values = screen.session.stage, screen.snapshot.values
        X = np.array(stage.points)
        predicted = np.argmax(stage.scores(values, X[:, 0], X[:, 1]), axis=-1)
        k = len(stage.classes)
        labels = np.array(stage.labels)
        confusion = [[int(np.sum((labels == i) & (predicted == j))) for j in range(k)] for i in range(k)]
        right = {c: confusion[i][i] / sum(confusion[i]) for i, c in enumerate(stage.classes)}
        assert 0 < sum(confusion[i][i] for i in range(k)) < len(stage.labels)  # some right, some wrong: a real test
        table = screen.query_one(ConfusionTable)
        lines = lines_of(table)
        assert lines == matrix_lines(stage.classes, confusion, right)
        assert table.content_size.width >= max(map(len, lines))  # as wide as its lines, counts grown since step 0
        for i, line in enumerate(lines[1:]):  # read back: the row of true class i, its counts, its fraction right
            glyph, name, *counts, fraction = line.split()
            assert (glyph, name) == (POINT_GLYPHS[i], stage.classes[i])
            assert [int(n) for n in counts] == confusion[i] and fraction == f"{right[stage.classes[i]]:.2f}"


@pytest.mark.parametrize("loss", ["softmax", "multiclass_hinge"])
async def test_the_inside_shows_the_snapshots_batch_numbers(tmp_path, loss):
    app = HnnApp(scenario(tmp_path, loss), seed=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s", "s")
        await pilot.pause()
        snap = app.screen.snapshot
        p = snap.extra["batch"][0]
        lines = lines_of(app.screen.query_one("#inside", Static))
        assert lines[0].startswith(f"step 2 from the inside: point {p['index']} ")
        rows = {ln.split()[0]: [float(x) for x in ln.split()[1:]] for ln in lines[2:] if ln.split()[0] != "softmax"
                and ln.split()[0] != "hinge:"}
        assert rows["score"] == [round(x, 3) for x in p["scores"]]
        assert rows["pull"] == [round(x, 3) for x in p["pull"]]
        if loss == "softmax":
            assert rows["prob"] == [round(x, 3) for x in p["probs"]]
        else:
            assert "prob" not in rows


async def test_a_full_batch_step_is_summed_up(tmp_path):
    app = HnnApp(scenario(tmp_path), seed=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("a", "s")
        await pilot.pause()
        batch = app.screen.snapshot.extra["batch"]
        right = sum(1 for p in batch if np.argmax(p["scores"]) == app.screen.session.stage.classes.index(p["label"]))
        line = lines_of(app.screen.query_one("#inside", Static))[0]
        assert line.startswith(f"step 1: all {len(batch)} points: {right} scored right, {len(batch) - right} wrong")


@pytest.mark.parametrize("k", [3, 10])
async def test_80x24_fits_nothing_cut_inside_a_number(tmp_path, k):
    app = HnnApp(scenario(tmp_path, k=k, n=100), seed=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        panel = app.screen.panel
        for widget in (panel.query_one("#inside"), panel.query_one(ConfusionTable), panel.query_one(ParamTable),
                       panel.query_one("#multiclass-keys")):
            assert widget.region.height > 0
            for line in lines_of(widget):
                assert len(line) <= widget.content_size.width, line
        inside = lines_of(panel.query_one("#inside"))
        assert len(inside) == 1
        numbers = re.findall(r"[+-]\d\.\d\d", inside[0])
        pull = app.screen.snapshot.extra["batch"][0]["pull"]
        assert [float(x) for x in numbers] == [round(x, 2) for x in pull[:len(numbers)]] and numbers
        assert len(numbers) == k or inside[0].endswith(" …")
        right = lines_of(panel.query_one(ConfusionTable))  # per-class accuracy only, wrapped between classes
        assert right[0].startswith("right: ● 1 ") and len(right) == (1 if k == 3 else 2)
        classmap = panel.query_one(ClassMap)
        assert len(classmap.border_title) <= classmap.outer_size.width - 6


async def test_g_checks_the_gradient_and_shows_its_numbers(tmp_path):
    app = HnnApp(scenario(tmp_path), seed=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s", "g")
        panel = app.screen.panel
        await wait_for(pilot, lambda: panel.check is not None and bool(panel.check[1]))
        await pilot.pause()
        result = panel.check[1]
        head = lines_of(panel.query_one("#inside"))[0]
        assert head == f"gradient check at step 1: largest relative difference {result['max_rel_error']:.1e}"
        rows = [ln.split()[0] for ln in lines_of(panel.query_one(ParamTable))]
        assert rows[:4] == ["parameter", "backprop", "numeric", "|diff|"]
        await pilot.press("g")  # back to the step's inside
        await pilot.pause()
        assert lines_of(panel.query_one("#inside"))[0].startswith("step 1 from the inside: point ")


async def test_u_draws_the_neuron_lines_of_a_net_and_the_spring_and_batch_keys_turn(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(SCENARIO.format(loss="softmax", k=3, n=60).replace('type = "svm"', 'type = "net"\nhidden = 4'))
    app = HnnApp(str(path), seed=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        view = app.screen.query_one(ClassMap)
        neuron_glyphs = set("|\\~/*")
        before = sum(ch in neuron_glyphs for row in cells(view) for ch, _ in row)
        await pilot.press("u")
        await pilot.pause()
        after = sum(ch in neuron_glyphs for row in cells(view) for ch, _ in row)
        assert before == 0 and after > 10 and "1| neurons" in view.border_subtitle
        await pilot.press("K", "a")
        await pilot.pause()
        spec = app.screen.session.scenario.spec
        assert (spec.reg, spec.batch) == (0.002, "full")
        assert "[kK] spring 0.002" in str(app.screen.query_one("#multiclass-keys").render())


async def test_the_confusion_table_widens_as_its_counts_grow_digits():
    app = HnnApp("softmax_blobs")  # at the start every point scores class 1: columns of "20 0 0"; then "4 14 2"
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one(ConfusionTable)
        await pilot.pause()
        assert lines_of(table)[2] == "▲ 2           20 0 0  0.00"
        await pilot.press("s")
        await pilot.pause()
        lines = lines_of(table)
        assert lines[2] == "▲ 2            4 14  2  0.70"
        assert table.content_size.width >= max(map(len, lines))


async def test_resizing_during_a_run_of_ten_classes(tmp_path):
    app = HnnApp(scenario(tmp_path, k=10, n=100), seed=0)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await pilot.press("space")
        for w, h in [(80, 24), (40, 12), (160, 50)]:
            await pilot.resize_terminal(w, h)
            await pilot.pause(0.05)
            app.export_screenshot()  # renders every visible widget at this size: must not raise
            classmap = screen.query_one(ClassMap)
            if classmap.region.area:
                assert len(classmap.border_title) <= classmap.outer_size.width - 6, (w, h)
        assert screen.running and screen.snapshot.step > 0
        await pilot.press("space")


async def test_o_restarts_on_another_seed_with_a_multiclass_panel_again(tmp_path):
    app = HnnApp(scenario(tmp_path), seed=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s", "o")
        await wait_for(pilot, lambda: app.screen.session.scenario.seed == 1 and app.screen.panel is not None)
        await pilot.pause()
        panel = app.screen.panel
        assert isinstance(panel, MulticlassPanel) and app.screen.snapshot.step == 0
        assert "[o] seed 1" in str(panel.query_one("#multiclass-keys").render())


async def test_random_search_and_the_numerical_gradient_say_what_only_backprop_shows(tmp_path):
    app = HnnApp(scenario(tmp_path), seed=0)
    async with app.run_test(size=(120, 40)) as pilot:
        inside = app.screen.query_one("#inside")
        await pilot.press("1", "s")
        await pilot.pause()
        assert lines_of(inside) == ["step 1 by random search: no gradient, it kept the best try",
                                    "only backprop (3) shows the pull on each class score"]
        await pilot.press("2", "s")
        await pilot.pause()
        assert lines_of(inside)[0] == "step 2 by the numerical gradient: one estimate of the whole pull"
        rows = [ln.split()[0] for ln in lines_of(app.screen.query_one(ParamTable))]
        assert rows[:3] == ["parameter", "value", "pull"]  # no split into the data's part and the spring's


async def test_l_turns_the_loss_between_softmax_and_the_multiclass_hinge_keeping_the_parameters():
    from hnn_tui.engine import Session

    app = HnnApp("softmax_blobs")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await wait_for(pilot, lambda: app.screen.snapshot.step == 1)
        values = dict(app.screen.snapshot.values)
        await pilot.press("l")
        await wait_for(pilot, lambda: app.screen.session.scenario.spec.loss == "multiclass_hinge")
        await pilot.pause()
        snap = app.screen.snapshot
        assert dict(snap.values) == values and snap.step == 1  # measured again, not a step
        assert "[l] multiclass hinge, 3 classes" in str(app.screen.query_one("#multiclass-keys").render())
        # the cost shown is the hinge cost at these parameters: a session started there measures the same
        from dataclasses import replace
        sc = app.screen.session.scenario
        fresh = Session(replace(sc, spec=replace(sc.spec, init=tuple(values.items()))))
        assert snap.output == pytest.approx(fresh.current.output, rel=1e-12)
        await pilot.press("s")
        await wait_for(pilot, lambda: app.screen.snapshot.step == 2)
        assert app.screen.snapshot.extra["batch"][0].get("probs") is None  # a hinge step: no probabilities
        await pilot.press("l")
        await wait_for(pilot, lambda: app.screen.session.scenario.spec.loss == "softmax")
