"""The multiclass map: the plane coloured by the winning class, shaded by how much it wins by, the lines where the
winner changes, the points by class (their own shape each), the step's point(s) in brackets.

It is a BoundaryView (boundary_view.py) drawing another picture: the same grid of half cells, the same axes, the same
partial repaint (only the cells that changed since the last `show()` go to the terminal), the same neuron lines. The
picture is computed in class_paint; this widget only samples the K scores and hands them over.
"""
from __future__ import annotations

import numpy as np

from .boundary_view import BoundaryView, drawn
from .class_paint import paint as paint_classes
from .class_paint import style_table, winners


class ClassMap(BoundaryView):
    """Each character cell is two samples of the K scores (upper and lower half), as in BoundaryView."""

    def __init__(self, scores, points, labels, classes, val_points=(), val_labels=(), box=None, **kwargs):
        """`scores(values, X, Y)`: the lesson's pure K-class scoring function over numpy arrays (shape X.shape +
        (K,)); `labels` class indices into `classes` (the names, in order); `val_points`/`val_labels` held out."""
        super().__init__(scores, points, labels, val_points, val_labels, box, **kwargs)
        self.class_names = tuple(classes)
        self.winner = self.full = None  # the half-cell grid's winners and margin >= 1, as last drawn

    def _picture(self, width: int, height: int):
        """(winner grid, glyphs, style ids) for the values, batch and neuron lines last shown."""
        X, Y, r2, c = self._mesh(width, height)
        with np.errstate(all="ignore"):
            win, margin = winners(self.score(self.values, X, Y))
        full = margin >= 1
        rows2, cols = win.shape
        batch = set(self.batch)
        points = [(r2[i], c[i], self._lab[i], i in batch) for i in drawn(r2, c, rows2, cols, batch)]
        vr2, vc = self._held_cells
        held = [(vr2[i], vc[i], self._vlab[i]) for i in drawn(vr2, vc, rows2, cols)]
        neurons = []
        if self.show_neurons:
            with np.errstate(all="ignore"):
                neurons = [(name, a * X + b * Y + cc > 0) for name, a, b, cc in self.neuron_lines]
        glyphs, sids = paint_classes(win, full, self.colour_off, points, held, neurons)
        self.winner, self.full = win, full
        return win * 2 + full, glyphs, sids  # one grid for BoundaryView's bookkeeping (`_band`)

    def _paint_all(self, width: int, height: int) -> None:
        super()._paint_all(width, height)
        self._table, self._canon = style_table(self.colour_off, self.rich_style)
