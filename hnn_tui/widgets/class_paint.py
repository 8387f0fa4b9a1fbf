"""The multiclass map as arrays: the winning class of each half cell, shaded by its margin, the lines where the winner
changes, neuron lines, the points; no widget here (class_map.ClassMap puts it on screen).

Each half-cell sample has K class scores. Its *winner* is the class with the highest score, its *margin* the winner's
score minus the runner-up's. The multiclass SVM stops pulling on a point once its class wins by 1 or more, so the
map shows that threshold too, by shade: a margin of 1 or more is the class's full colour, below 1 it is pale (the
class's colour as a light ░ texture). `paint` turns winners and shades into two arrays of character cells: the
glyph of each cell and the index of its style in `style_table(plain)`.

Colour is never the only carrier: each class's points have their own shape (● ▲ ■ ...), and with colour off
(NO_COLOR) each region is filled with its class's number (1 ... 9, then 0 for the tenth), every other cell where the
margin is 1 or more, every fourth cell where it is less.
"""
from __future__ import annotations

import numpy as np
from rich.style import Style

from .boundary_paint import NEURON_GLYPHS, ZERO_GLYPHS, label_cell, line_mask, neuron_number

MAX_CLASSES = 10
# One background per class, picked so that a 16-colour terminal (Rich's downgrade to the standard palette) shows
# ten different colours: blue 4, red 1, green 2, yellow 3, magenta 5, cyan 6, bright black 8, bright blue 12,
# bright red 9, bright green 10 (tests/app/test_multiclass_panel.py checks it, and for 256 colours too).
PALETTE = ("#1c3f94", "#962a1f", "#1b8a2a", "#9a6a00", "#8e3a9e", "#00838f", "#5a5a5a", "#5b7cf0", "#f06060",
           "#66d96b")
INK = ("#ffffff",) * 7 + ("#000000",) * 3  # a point's glyph on its class's colour: white on the dark, black on bright
LINE_FG = "#ffffff"  # a line over a pale cell (the screen's own background)
PALE_GLYPH = "░"  # a pale cell: the class's colour as a light texture
POINT_GLYPHS = "●▲■◆▼★◀▶✚✖"  # a training point of class k
HELD_GLYPHS = "○△□◇▽☆◁▷✛✕"  # a held-out point of class k: hollow
PLAIN_DIGITS = np.array(list("1234567890"))  # a region's fill under NO_COLOR: the class's number
_LINE, _NEURON = np.array(list(ZERO_GLYPHS)), np.array(list(NEURON_GLYPHS))

# Style ids. Fills: FULL + k, PALE + k. Overlays (a line where the winner changes, a neuron line, a neuron's label, a
# bracket round the step's point): the overlay's base + k on a full cell of class k, + MAX_CLASSES on a pale cell.
FULL, PALE = 0, MAX_CLASSES
LINE, NEURON, LABEL, BRACKET = (2 * MAX_CLASSES + i * (MAX_CLASSES + 1) for i in range(4))
POINT = BRACKET + MAX_CLASSES + 1  # + 2 * k + (1 in the batch)
HELD = POINT + 2 * MAX_CLASSES  # + k
N_STYLES = HELD + MAX_CLASSES


def winners(scores) -> tuple[np.ndarray, np.ndarray]:
    """(winner, margin) of scores shaped (..., K): the argmax and the top score minus the second. A NaN score (a
    diverged run) never wins; a sample with no finite score goes to class 0 with margin 0."""
    S = np.asarray(scores, float)
    with np.errstate(invalid="ignore"):
        S = np.where(np.isnan(S), -np.inf, S)
        win = np.argmax(S, axis=-1).astype(np.int8)
        top2 = np.partition(S, -2, axis=-1)[..., -2:] if S.shape[-1] > 1 else np.concatenate([S, S], axis=-1)
        margin = top2[..., 1] - top2[..., 0]
    return win, np.nan_to_num(margin, nan=0.0, posinf=np.inf)


def change_mask(win: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The character cells a line between two winners runs through, and each one's glyph index (see ZERO_GLYPHS).

    What boundary_paint.line_mask draws for a two-sided split, for K classes in one pass: a cell is on the line
    when its two halves have different winners, or when a neighbouring sample (left, right, above, below) has a
    lower winner than the cell; so the line is a cell thick, on the higher class's edge. Its direction comes from
    the split between the cell's class (the higher of its halves) and the classes below it, as line_mask's does
    from the sign: the same glyphs as K - 1 calls of line_mask, one per split, at about the cost of one."""
    rows, cols = win.shape[0] // 2, win.shape[1]
    on, kind = np.zeros((rows, cols), bool), np.zeros((rows, cols), np.int8)
    if rows == 0 or cols == 0:
        return on, kind
    top, bot = win[0: 2 * rows: 2], win[1: 2 * rows: 2]
    pad = np.pad(win[: 2 * rows], 1, mode="edge")  # edges repeat: no line along the frame
    above, below = pad[0: 2 * rows: 2, 1:-1], pad[3: 2 * rows + 2: 2, 1:-1]
    left = np.minimum(pad[1: 2 * rows + 1: 2, :-2], pad[2: 2 * rows + 2: 2, :-2])
    right = np.minimum(pad[1: 2 * rows + 1: 2, 2:], pad[2: 2 * rows + 2: 2, 2:])
    mixed = top != bot
    on = mixed | (np.minimum(np.minimum(above, below), np.minimum(left, right)) < top)
    if not on.any():
        return on, kind
    cls = np.maximum(top, bot)
    # The split's side (sample >= the cell's class) over each cell's block of samples: rows 2r-1 .. 2r+2 of the
    # grid, columns c-1 .. c+1; its gradient, as line_mask takes the sign's.
    side = [[pad[i: i + 2 * rows: 2, j: j + cols] >= cls for j in range(3)] for i in range(4)]
    gx = sum(side[i][2].astype(np.int8) - side[i][0] for i in range(4))
    gy = sum(side[i][j].astype(np.int8) for i in (0, 1) for j in range(3)) - \
        sum(side[i][j].astype(np.int8) for i in (2, 3) for j in range(3))
    angle = np.degrees(np.arctan2(gy, gx)) % 180
    turn = ((angle + 22.5) // 45).astype(np.int8) % 4
    flat = (gx == 0) & (gy == 0)
    kind = np.where(flat, np.where(mixed, 4, 5), turn).astype(np.int8)
    return on, kind


def paint(win: np.ndarray, full: np.ndarray, plain: bool, points=(), held=(), neurons=()):
    """The picture's character cells: (glyphs, style ids), each rows x columns.

    win, full: the winner and whether its margin is >= 1, on the half-cell grid (2 * rows x columns). points:
    (half-cell row, column, class, in the batch) per point in view; held: (half-cell row, column, class) per
    held-out point in view; neurons: (name, positive) per neuron line, positive being its a*x + b*y + c > 0 on the
    same grid. Layers, bottom to top: the fills, neuron lines, the lines where the winner
    changes, neuron labels, the batch's brackets, the held-out points, the points."""
    rows, cols = win.shape[0] // 2, win.shape[1]
    top, top_full = win[0: 2 * rows: 2], full[0: 2 * rows: 2]
    bot, bot_full = win[1: 2 * rows: 2], full[1: 2 * rows: 2]
    if plain:  # the class's number: every other cell where its margin is >= 1, every fourth where it is less
        r, c = np.indices((rows, cols))
        dense = (r + c) % 2 == 0
        sparse = (c % 4) == 2 * (r % 2)
        glyphs = np.where(np.where(top_full, dense, sparse), PLAIN_DIGITS[top], " ")
    else:
        glyphs = np.where(top_full, " ", PALE_GLYPH)
    sids = np.where(top_full, FULL + top, PALE + top).astype(np.int16)
    # An overlay on a cell takes the background of the higher winner of its halves (a line lies on that one's edge).
    line_class = np.maximum(top, bot)
    line_full = np.where(top == line_class, top_full, bot_full)
    shade = np.where(line_full, line_class, MAX_CLASSES)  # + an overlay's base: its style id

    labels = []
    for name, positive in neurons:
        on, kind = line_mask(positive)
        glyphs[on], sids[on] = _NEURON[kind[on]], NEURON + shade[on]
        labels.append((neuron_number(name), on))
    on, kind = change_mask(win)
    glyphs[on], sids[on] = _LINE[kind[on]], LINE + shade[on]
    taken = {(int(h) // 2, int(cc)) for h, cc, *_ in points}
    for text, on in labels:
        at = label_cell(on, text, taken)
        if at is not None:
            r0, c0 = at
            for i, ch in enumerate(text):
                glyphs[r0, c0 + i], sids[r0, c0 + i] = ch, LABEL + shade[r0, c0 + i]
            taken.update((r0, c0 + i) for i in range(-1, len(text) + 1))
    for h, c, _, batch in points:
        if batch:
            r = int(h) // 2
            for cc, ch in ((c - 1, "["), (c + 1, "]")):
                if 0 <= cc < cols:
                    glyphs[r, cc], sids[r, cc] = ch, BRACKET + shade[r, cc]
    for h, c, lab in held:
        glyphs[int(h) // 2, c], sids[int(h) // 2, c] = HELD_GLYPHS[lab], HELD + lab
    for h, c, lab, batch in points:
        glyphs[int(h) // 2, c], sids[int(h) // 2, c] = POINT_GLYPHS[lab], POINT + 2 * lab + int(bool(batch))
    return glyphs, sids


def style_table(plain: bool, base: Style | None = None) -> tuple[list[Style], np.ndarray]:
    """The Style of each style id, and for each id the first id with an equal style (cells in a run share it).

    Colour: a full cell is its class's background, a pale one the class's colour as the ░ texture's foreground; a
    point sits on its own class's colour (so a point in another class's region is a spot of the wrong colour). Plain
    (NO_COLOR): the widget's own style `base` everywhere, told by glyph, bold, dim and reverse only."""
    base = base or Style()
    table: list[Style] = [base] * N_STYLES
    bold = base + Style(bold=True)
    for k in range(MAX_CLASSES):
        on = f"{INK[k]} on {PALETTE[k]}"
        if plain:
            table[FULL + k] = table[PALE + k] = base + Style(dim=True)
        else:
            table[FULL + k] = Style.parse(f"on {PALETTE[k]}")
            table[PALE + k] = Style.parse(PALETTE[k])
        for over, words in ((LINE, "bold"), (NEURON, ""), (LABEL, "bold"), (BRACKET, "bold")):
            table[over + k] = (base + Style(bold=words == "bold", dim=over == NEURON)) if plain else \
                Style.parse(f"{words} {on}")
        for batch in (0, 1):
            style = bold if plain else Style.parse(f"bold {on}")
            table[POINT + 2 * k + batch] = style + Style(reverse=bool(batch))
        table[HELD + k] = base + Style(bold=True, dim=True) if plain else Style.parse(f"bold {on}")
    for over, words in ((LINE, "bold"), (NEURON, ""), (LABEL, "bold"), (BRACKET, "bold")):
        table[over + MAX_CLASSES] = (base + Style(bold=words == "bold", dim=over == NEURON)) if plain else \
            Style.parse(f"{words} {LINE_FG}")
    first: dict[Style, int] = {}
    canon = np.array([first.setdefault(s, i) for i, s in enumerate(table)], np.int16)
    return table, canon


def fit(parts: list[str], width: int | None, sep: str = " · ") -> str:
    """`parts` joined by `sep`, the last ones left out while the whole is wider than `width` (the first stays)."""
    parts = list(parts)
    while len(parts) > 1 and width is not None and len(sep.join(parts)) > width:
        parts.pop()
    return sep.join(parts)


def legend(classes, held: bool = False, width: int | None = None) -> str:
    """The map's border title, at most `width` columns where it can be: each class's point glyph and name, then
    the marks ('[ ] step', 'hollow: held out'); long names are cut before the marks go."""
    for cut in (12, 6, 3, 1):
        names = " ".join(f"{POINT_GLYPHS[k]}{name[:cut]}" for k, name in enumerate(classes))
        if width is None or len(names) <= width:
            break
    return fit([names, "[ ] step"] + (["hollow: held out"] if held else []), width)


def legend_sub(no_color: bool, k: int, neurons: bool = False, width: int | None = None) -> str:
    """The map's border subtitle, at most `width` columns where it can be: how the regions and their shades read
    (with colour off, which number fills which class's region), the lines."""
    if no_color:
        parts = ["regions " + " ".join(f"{PLAIN_DIGITS[i]}{POINT_GLYPHS[i]}" for i in range(k)), "dense: wins by ≥1"]
    else:
        parts = [f"solid: wins by ≥1, {PALE_GLYPH}: <1"]
    return fit(parts + (["1| neurons"] if neurons else []) + ["─ winner changes"], width)
