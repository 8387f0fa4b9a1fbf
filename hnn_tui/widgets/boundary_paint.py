"""The boundary picture as arrays: bands of the score, its 0 and ±1 lines, neuron lines, points; no widget here.

The plane is sampled on a grid of half cells (2 samples per character cell, top row first). Each sample falls in one
of four bands of the score s, the ones the hinge loss tells apart (its margin is |s| = 1):
    0: s <= -1 (negative, beyond the margin)   1: -1 < s <= 0 (negative, inside)
    2: 0 < s < 1 (positive, inside)             3: s >= 1 (positive, beyond)
`paint` turns the bands and the marks into two arrays of character cells: the glyph of each cell and the index of
its style in `style_table(plain)`. A cell whose two halves lie in different bands always has a line through it (a
band changes only across a line), so in colour every other cell is a space on its band's colour (1 byte, where a
half block would be 3). Everything here is numpy over the whole grid; only the few points and labels are placed one
by one.
"""
from __future__ import annotations

import re

import numpy as np
from rich.style import Style

# Band colours (backgrounds), indexed by band. Blue is positive, red negative; the margin (the "street" the SVM
# widens) is paler. 256 colours: 88, 167, 68, 24. 16 colours: red (1), bright red (9), bright blue (12), blue (4):
# still four, and on an 8-colour terminal, where bright turns base, the two sides stay red and blue.
NEG_BG, NEG_IN_BG, POS_IN_BG, POS_BG = "#962a1f", "#d75f5f", "#5f87d7", "#1c3f94"
BAND_BG = (NEG_BG, NEG_IN_BG, POS_IN_BG, POS_BG)
POINT_STYLES = {1: ("●", "bold #b8e0ff"), -1: ("▲", "bold #ffd2a8")}  # 16 colours: bright white, bright yellow
SAFE_GLYPHS = {1: "○", -1: "△"}  # a point beyond its margin (label * score >= 1): it pulls nothing
HELD_GLYPHS = {1: "◇", -1: "▽"}  # a held-out point (`[data] validation`): measured, never trained on
CURSOR_GLYPH = "+"  # the cursor for placing points, in reverse video (on a point: the point's glyph reversed)
ZERO_FG, MARGIN_FG, NEURON_FG = "#ffffff", "#bcbcbc", "#5fd75f"  # 16 colours: 15, 7, 10 (green: off every band)

# Line glyphs, by the line's direction: the side where the function is larger lies right, upper right, above, upper
# left of it; then a stripe one sample thin, then a lone spot.
ZERO_GLYPHS = "│╲─╱─┼"  # score = 0: solid
MARGIN_GLYPHS = "┆⋱┄⋰┄┄"  # score = ±1: dotted
NEURON_GLYPHS = "|\\~/~*"  # a hidden neuron's a*x + b*y + c = 0: thin
# Without colour the bands are patterns: positive dotted ("·", and "+·" alternating beyond the margin), negative
# blank (and "- " alternating beyond it). Beyond-margin patterns take a cell's (row + column) parity.
PLAIN_EVEN = np.array(["-", " ", "·", "+"])
PLAIN_ODD = np.array([" ", " ", "·", "·"])
_ZERO, _MARGIN, _NEURON = (np.array(list(g)) for g in (ZERO_GLYPHS, MARGIN_GLYPHS, NEURON_GLYPHS))

# Style ids: each kind of cell + the band of its background (the larger of its two halves' bands for a line).
FILL, ZERO, MARGIN, NEURON, LABEL, BRACKET, POINT = 0, 4, 8, 12, 16, 20, 24
HELD = POINT + 2 * 2 * 2 * 4  # points: label (+1, -1) x pulling x in the batch x band
CURSOR = HELD + 2 * 4  # held-out points: label x band; then the cursor, one style
N_STYLES = CURSOR + 1


def point_style_id(label: int, pull: bool, batch: bool, band: int) -> int:
    return POINT + (((0 if label == 1 else 1) * 2 + int(pull)) * 2 + int(batch)) * 4 + int(band)


def bands(scores) -> np.ndarray:
    """The band (0-3) of each score; NaN (a diverged run) counts as far negative."""
    S = np.asarray(scores, float)
    with np.errstate(invalid="ignore"):
        return ((S > -1).astype(np.int8) + (S > 0) + (S >= 1)).astype(np.int8)


def line_mask(positive) -> tuple[np.ndarray, np.ndarray]:
    """The character cells a boundary runs through and each one's glyph index (0-5, see ZERO_GLYPHS).

    `positive` is a grid of half-cell samples (2 rows per character row). A cell is on the line when its two halves
    differ, or when it is positive and a neighbouring sample (left, right, above, below) is not: so the line is about
    one cell thick and on the positive side's edge. The direction comes from the sign's gradient around the cell (a
    half-cell sample is about as tall as a cell is wide, so angles hold).
    """
    P = np.asarray(positive, bool)
    n2, cols = P.shape
    rows = n2 // 2
    if rows == 0 or cols == 0:
        return np.zeros((rows, cols), bool), np.zeros((rows, cols), np.int8)
    top, bot = P[0: 2 * rows: 2], P[1: 2 * rows: 2]
    pad = np.pad(P[: 2 * rows], 1, mode="edge").astype(np.int8)  # edges repeat: no boundary at the frame
    mixed = top != bot
    above, below = pad[0: 2 * rows: 2, 1:-1], pad[3: 2 * rows + 2: 2, 1:-1]
    left = pad[1:-1, :-2].reshape(rows, 2, cols).min(axis=1)  # 0 if either half of the neighbour is negative
    right = pad[1:-1, 2:].reshape(rows, 2, cols).min(axis=1)
    edge = top & bot & ((above == 0) | (below == 0) | (left == 0) | (right == 0))
    on = mixed | edge
    if not on.any():
        return on, np.zeros((rows, cols), np.int8)
    # The sign's gradient over each cell's block of samples (rows 2r-1 .. 2r+2, columns c-1 .. c+1 of P).
    across = pad[:, 2:] - pad[:, :-2]  # right minus left, per sample row
    gx = (across[:-3] + across[1:-2] + across[2:-1] + across[3:])[0::2][:rows]
    wide = pad[:, :-2] + pad[:, 1:-1] + pad[:, 2:]  # three columns, per sample row
    pairs = wide[:-1] + wide[1:]
    gy = (pairs[:-2] - pairs[2:])[0::2][:rows]  # the upper two sample rows minus the lower two
    angle = np.degrees(np.arctan2(gy, gx)) % 180  # the gradient points to the positive side
    turn = ((angle + 22.5) // 45).astype(np.int8) % 4
    flat = (gx == 0) & (gy == 0)
    kind = np.where(flat, np.where(mixed, 4, 5), turn).astype(np.int8)
    return on, kind


def line_cells(positive, glyphs: str = ZERO_GLYPHS) -> dict[tuple[int, int], str]:
    """`line_mask` as {(row, column): glyph}."""
    on, kind = line_mask(positive)
    return {(int(r), int(c)): glyphs[kind[r, c]] for r, c in zip(*np.nonzero(on))}


def neuron_number(name: str) -> str:
    """The label drawn at a neuron line's end: the last number in its name ("n2" -> "2"), else its first letter."""
    found = re.findall(r"\d+", str(name))
    return found[-1] if found else (str(name)[:1] or "?")


def label_cell(on: np.ndarray, text: str, taken: set) -> tuple[int, int] | None:
    """Where a neuron's label goes: the line's first cell (top row, leftmost), else its last, else further in;
    never on a taken cell (a point or another label). The text runs right from there (left if at the right edge)."""
    cells = np.argwhere(on)
    if len(cells) == 0:
        return None
    cols = on.shape[1]
    order = [i for k in range(len(cells)) for i in (k, len(cells) - 1 - k)][: min(len(cells), 16)]
    for i in order:
        r, c = int(cells[i][0]), int(cells[i][1])
        c = max(0, min(c, cols - len(text)))
        if not any((r, c + k) in taken for k in range(len(text))):
            return r, c
    return None


def paint(band: np.ndarray, plain: bool, points=(), neurons=(), held=(),
          cursor: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The picture's character cells: (glyphs, style ids), each rows x columns.

    band: the half-cell band grid (2 * rows x columns). points: (half-cell row, column, label, pulls, in the batch)
    for each point in view. neurons: (name, positive) per neuron line, positive being its a*x + b*y + c > 0 on the
    same grid. held: (half-cell row, column, label) for each held-out point in view. cursor: the (row, column) cell
    of the cursor, or None. Layers, bottom to top: the bands, neuron lines, the margin lines (-1, +1), the score = 0
    line, neuron labels, the batch's brackets, the held-out points, the points, the cursor.
    """
    rows = band.shape[0] // 2
    cols = band.shape[1]
    top, bot = band[0: 2 * rows: 2], band[1: 2 * rows: 2]
    if plain:
        even = (np.add.outer(np.arange(rows), np.arange(cols)) % 2) == 0
        glyphs = np.where(even, PLAIN_EVEN[top], PLAIN_ODD[top])
    else:
        glyphs = np.full((rows, cols), " ")
    sids = (FILL + top).astype(np.int16)
    bg = np.maximum(top, bot)  # a line lies on its larger side's edge: the cell takes that side's colour
    labels = []
    for name, positive in neurons:
        on, kind = line_mask(positive)
        glyphs[on] = _NEURON[kind[on]]
        sids[on] = NEURON + bg[on]
        labels.append((neuron_number(name), on))
    for threshold, base, glyph_set in ((1, MARGIN, _MARGIN), (3, MARGIN, _MARGIN), (2, ZERO, _ZERO)):
        on, kind = line_mask(band >= threshold)
        glyphs[on] = glyph_set[kind[on]]
        sids[on] = base + bg[on]
    marks = [(int(r2) // 2, int(c), int(lab), bool(pull), bool(batch), int(band[r2, c]))
             for r2, c, lab, pull, batch in points]
    taken = {(r, c) for r, c, *_ in marks}
    for text, on in labels:
        at = label_cell(on, text, taken)
        if at is not None:
            r, c = at
            for k, ch in enumerate(text):
                glyphs[r, c + k], sids[r, c + k] = ch, LABEL + bg[r, c + k]
            taken.update((r, c + k) for k in range(-1, len(text) + 1))  # a gap: "1" and "3" never read as "13"
    for r, c, _, _, batch, _ in marks:
        if batch:
            for cc, ch in ((c - 1, "["), (c + 1, "]")):
                if 0 <= cc < cols:
                    glyphs[r, cc], sids[r, cc] = ch, BRACKET + bg[r, cc]
    for r2, c, lab in held:
        r = int(r2) // 2
        glyphs[r, c] = HELD_GLYPHS[int(lab)]
        sids[r, c] = HELD + (0 if lab == 1 else 4) + int(band[r2, c])
    for r, c, lab, pull, batch, b in marks:
        glyphs[r, c] = POINT_STYLES[lab][0] if pull else SAFE_GLYPHS[lab]
        sids[r, c] = point_style_id(lab, pull, batch, b)
    if cursor is not None and 0 <= cursor[0] < rows and 0 <= cursor[1] < cols:
        r, c = cursor
        if (r, c) not in {(m[0], m[1]) for m in marks} and glyphs[r, c] not in HELD_GLYPHS.values():
            glyphs[r, c] = CURSOR_GLYPH
        sids[r, c] = CURSOR
    return glyphs, sids


def style_table(plain: bool, base: Style | None = None) -> tuple[list[Style], np.ndarray]:
    """The Style of each style id, and for each id the first id with an equal style (cells in a run share it).

    Colour: bands as backgrounds, the marks in their own colours. Plain (under
    NO_COLOR): the widget's own style `base` everywhere, marks told by glyph, bold, dim and reverse only.
    """
    base = base or Style()
    table: list[Style] = [base] * N_STYLES
    for b in range(4):
        if plain:
            table[FILL + b] = base + Style(dim=True)
            table[ZERO + b] = base + Style(bold=True)
            table[MARGIN + b] = base
            table[NEURON + b] = base + Style(dim=True)
            table[LABEL + b] = table[BRACKET + b] = base + Style(bold=True)
        else:
            table[FILL + b] = Style.parse(f"on {BAND_BG[b]}")
            table[ZERO + b] = Style.parse(f"bold {ZERO_FG} on {BAND_BG[b]}")
            table[MARGIN + b] = Style.parse(f"{MARGIN_FG} on {BAND_BG[b]}")
            table[NEURON + b] = Style.parse(f"{NEURON_FG} on {BAND_BG[b]}")
            table[LABEL + b] = Style.parse(f"bold {NEURON_FG} on {BAND_BG[b]}")
            table[BRACKET + b] = Style.parse(f"bold {ZERO_FG} on {BAND_BG[b]}")
        for lab in (1, -1):
            for pull in (False, True):
                for batch in (False, True):
                    style = base + Style(bold=True) if plain else Style.parse(f"{POINT_STYLES[lab][1]} on {BAND_BG[b]}")
                    table[point_style_id(lab, pull, batch, b)] = style + Style(reverse=batch)
            table[HELD + (0 if lab == 1 else 4) + b] = (base + Style(dim=True, bold=True) if plain else
                                                        Style.parse(f"{POINT_STYLES[lab][1]} on {BAND_BG[b]}"))
    table[CURSOR] = base + Style(bold=True, reverse=True) if plain else Style.parse(f"bold {ZERO_FG} reverse")
    first: dict[Style, int] = {}
    canon = np.array([first.setdefault(s, i) for i, s in enumerate(table)], np.int16)
    return table, canon


def legend(no_color: bool, held: bool = False) -> str:
    """The boundary's border title (41 columns: it fits the border at 80x24; the same with colour off): the points.
    Filled: inside its margin (label * score < 1), so the point pulls; hollow: safe; in brackets: the point(s) the
    last step used; with `held`, the held-out points' marks (longer: cut short on a narrow border)."""
    return "boundary: ●+1 ▲-1 pull, ○△ safe, " + ("◇▽ held out, " if held else "") + "[ ] step"


def legend_sub(no_color: bool, neurons: bool = False) -> str:
    """The boundary's border subtitle (at most 54 columns): the bands, the lines, and with `neurons` the neuron lines
    (a thin line with the neuron's number at one end)."""
    if no_color:
        return "+· ≥1, · >0, blank ≤0, - ≤-1; ─ 0 ┄ ±1" + ("; 1| neurons" if neurons else "")
    return "blue >0 red ≤0, pale |score|<1 · ─ 0 ┄ ±1" + (" · 1| neurons" if neurons else "")
