"""The lesson's output over the plane of its two trainable values, and the path a strategy takes across it.

A lesson with exactly two trainable values (a circuit with two trainable inputs, a regression's line a*x + b) has a
landscape: the output (a circuit's) or the cost (a regression's) at every point (u, v) of the plane of those two,
every other input held at its value now. `landscape_for(spec)` gives it as a pure function over numpy arrays; the
numbers are the engine's own, to the last bit: a circuit's gates run in their order over the whole grid at once
(the arithmetic gates as numpy's IEEE arithmetic, the others through the very scalar functions the gates call), and
a line's cost is the lesson's `cost()` summed point by point. No widget here: the path map (widgets.path_map)
draws it.

The view: a box that holds the origin and the start (`start_region`), made as wide as the picture's shape needs so
one unit is as long across as up (`fitted`); when a step lands outside it, it grows to hold the whole path with a
quarter of its size spare on every side (`grown`), and never shrinks until a reset.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from .expression import build_circuit
from .gates import _exp, _log, _pow, sigmoid
from .regression_losses import losses

Box = tuple[float, float, float, float]  # (u0, u1, v0, v1): the first name across, the second up
BANDS = 6  # the landscape's bands: each holds about a sixth of the picture (quantiles of the heights in view)
SPARE = 0.25  # a grown view's spare room on every side, as a fraction of what it holds
START_SPARE = 1.25  # the start's view: the origin and the start, a quarter more, at least ±1.25
FAR = 1e12  # points farther out than this (a diverging run) never grow the view
CHUNK = 2_000_000  # a line's cost: grid samples x points summed at once, at most


@dataclass(frozen=True)
class Landscape:
    """`height(values, U, V)`: the lesson's output at (names[0], names[1]) = (U, V), numpy arrays of one shape, the
    other inputs at `values`; `what` names that output."""

    names: tuple[str, str]
    what: str
    height: Callable[[Mapping[str, float], np.ndarray, np.ndarray], np.ndarray]


def landscape_for(spec) -> Landscape | None:
    """The landscape of a lesson whose spec has exactly two trainable values, else None."""
    kind = getattr(spec, "kind", "")
    if kind == "circuit" and len(spec.trainable) == 2:
        return Landscape(tuple(spec.trainable), "output", circuit_height(spec))
    if kind == "regression" and spec.model == "line":
        return Landscape(("a", "b"), "cost", line_cost(spec))
    return None


# ---- a circuit's output over the grid ------------------------------------------------------------------------

_SCALAR = {"sigmoid": sigmoid, "tanh": math.tanh, "exp": _exp, "log": _log}  # the gates' own functions


def _elementwise(f: Callable[..., float], *args) -> np.ndarray:
    """f (a gate's scalar function) at each element: the same floats the gate computes, not numpy's own exp."""
    out = np.frompyfunc(f, len(args), 1)(*args)
    return np.asarray(out, float) if isinstance(out, np.ndarray) else np.float64(out)


def _gate(name: str, ins: list, exponent: float | None):
    """One gate's forward over arrays (or numbers), bit for bit as gates.py computes it on one value."""
    if name == "add":
        return ins[0] + ins[1]
    if name == "sub":
        return ins[0] - ins[1]
    if name == "mul":
        return ins[0] * ins[1]
    if name == "div":
        return np.divide(ins[0], ins[1])  # IEEE: ±inf and nan where gates._div gives them
    if name == "neg":
        return -ins[0]
    if name == "relu":
        return np.where(ins[0] > 0.0, ins[0], 0.0)  # v if v > 0 else 0 (nan gives 0, as there)
    if name == "max":
        return np.where(ins[0] >= ins[1], ins[0], ins[1])  # u0 on a tie, as gates.Max
    if name == "pow":
        return _elementwise(lambda a: _pow(a, exponent), ins[0])
    return _elementwise(_SCALAR[name], ins[0])


def circuit_height(spec) -> Callable:
    """(values, U, V) -> the circuit's output with its two trainable inputs at U and V, the rest at `values`."""
    circuit = build_circuit(spec.expression, dict(spec.inputs), dict(spec.wires))
    u_name, v_name = spec.trainable
    gates = [(g.name, [id(u) for u in g.inputs], id(g.utop), getattr(g, "exponent", None)) for g in circuit.gates]
    constants = {id(u): u.value for u in circuit.constants}
    inputs = [(id(unit), name) for name, unit in circuit.inputs.items()]
    out = id(circuit.output)

    def height(values, U, V):
        U, V = np.asarray(U, float), np.asarray(V, float)
        wire = dict(constants)
        for key, name in inputs:
            wire[key] = U if name == u_name else V if name == v_name else float(values[name])
        with np.errstate(all="ignore"):
            for name, ins, top, exponent in gates:
                wire[top] = _gate(name, [wire[k] for k in ins], exponent)
        return np.broadcast_to(np.asarray(wire[out], float), np.broadcast(U, V).shape).copy()
    return height


# ---- a regression line's cost over the grid ------------------------------------------------------------------

def line_cost(spec) -> Callable:
    """(values, A, B) -> the cost of the line a*x + b at each (A, B), as the lesson measures it: the sum of the
    point losses over the training set plus alpha * a^2 (alpha = reg * N / 2; the spring pulls the weight a, not
    the bias b), plus l1 * N * |a| when the spec has an L1 strength. Point by point, bit for bit the lesson's sum,
    while samples x points stay under CHUNK a chunk; a squared loss over more points takes the closed form
    a^2 Sxx + 2ab Sx + N b^2 - 2a Sxt - 2b St + Stt (sums over the points: equal to about 1e-12 of Stt)."""
    X, T = np.asarray(spec.xs, float), np.asarray(spec.targets, float)
    n = len(T)
    alpha = spec.reg * n / 2
    l1 = float(getattr(spec, "l1", 0.0) or 0.0)
    sums = (X @ X, X.sum(), X @ T, T.sum(), T @ T)

    def data_cost(a, b):
        if spec.loss == "squared" and len(a) * n > CHUNK:
            sxx, sx, sxt, st, stt = sums
            return a * a * sxx + 2 * a * b * sx + n * b * b - 2 * a * sxt - 2 * b * st + stt
        data = np.empty(len(a))
        rows = max(1, CHUNK // max(1, n))
        for i in range(0, len(a), rows):  # (samples, points) a chunk at a time: the same sum as cost()'s
            P = a[i: i + rows, None] * X[None, :] + b[i: i + rows, None]  # the line's predictions, x*a + b
            data[i: i + rows] = np.sum(losses(P, T[None, :], spec.loss, spec.delta), axis=1)
        return data

    def height(values, A, B):
        A, B = np.broadcast_arrays(np.asarray(A, float), np.asarray(B, float))
        a, b = A.reshape(-1), B.reshape(-1)
        with np.errstate(all="ignore"):
            total = data_cost(a, b) + alpha * (a * a)
            if l1:
                total = total + l1 * n * np.abs(a)
        return total.reshape(A.shape)
    return height


# ---- the path ------------------------------------------------------------------------------------------------

class Path:
    """Every step's point (u, v) in order, from the start or the last poke: what the map joins up. Kept in numpy
    buffers that double when full, so a long run's path is read as arrays without a copy."""

    def __init__(self):
        self._steps = np.zeros(64, np.int64)
        self._uv = np.zeros((64, 2))
        self.n = 0

    def __len__(self) -> int:
        return self.n

    @property
    def steps(self) -> np.ndarray:
        return self._steps[: self.n]

    @property
    def us(self) -> np.ndarray:
        return self._uv[: self.n, 0]

    @property
    def vs(self) -> np.ndarray:
        return self._uv[: self.n, 1]

    def add(self, step: int, u: float, v: float) -> None:
        """The point after `step`; a step not after the last one on the path (the start shown again) is skipped."""
        if self.n and step <= self._steps[self.n - 1]:
            return
        if self.n == len(self._steps):
            self._steps = np.concatenate([self._steps, np.zeros_like(self._steps)])
            self._uv = np.concatenate([self._uv, np.zeros_like(self._uv)])
        self._steps[self.n] = step
        self._uv[self.n] = (u, v)
        self.n += 1

    def restart(self, step: int, u: float, v: float) -> None:
        """A poke moved the point (or changed the landscape): the path starts again from here."""
        self.clear()
        self.add(step, u, v)

    def clear(self) -> None:
        self.n = 0


# ---- the view ------------------------------------------------------------------------------------------------

def start_region(u: float, v: float) -> Box:
    """The region the first view holds: the origin and the start, a quarter more, and at least ±1.25: centred on
    the origin, where the guide's circuits keep their interest (x*y's saddle, the hill's top)."""
    m = START_SPARE * max(abs(u) if math.isfinite(u) else 1.0, abs(v) if math.isfinite(v) else 1.0, 1.0)
    m = min(m, FAR)
    return -m, m, -m, m


def fitted(region: Box, cols: int, rows2: int) -> Box:
    """The view of `region` on a picture of `cols` x `rows2` square samples: one scale across and up (so a circle
    stays round and the gradient crosses each contour at a right angle), the region centred, the short side
    widened."""
    u0, u1, v0, v1 = region
    scale = max((u1 - u0) / max(1, cols), (v1 - v0) / max(1, rows2))
    cu, cv = (u0 + u1) / 2, (v0 + v1) / 2
    hu, hv = scale * max(1, cols) / 2, scale * max(1, rows2) / 2
    return cu - hu, cu + hu, cv - hv, cv + hv


def grown(region: Box, view: Box, us, vs) -> Box:
    """`region` as it is while every finite point (us, vs) lies in `view`; else the box around the region and every
    such point, a quarter of its size spare on every side."""
    U, V = np.asarray(us, float), np.asarray(vs, float)
    ok = np.isfinite(U) & np.isfinite(V) & (np.abs(U) < FAR) & (np.abs(V) < FAR)
    U, V = U[ok], V[ok]
    u0, u1, v0, v1 = view
    if not len(U) or ((U >= u0) & (U <= u1) & (V >= v0) & (V <= v1)).all():
        return region
    lo_u, hi_u = min(region[0], U.min()), max(region[1], U.max())
    lo_v, hi_v = min(region[2], V.min()), max(region[3], V.max())
    pu, pv = SPARE * (hi_u - lo_u), SPARE * (hi_v - lo_v)
    return float(lo_u - pu), float(hi_u + pu), float(lo_v - pv), float(hi_v + pv)


def grid(view: Box, cols: int, rows2: int) -> tuple[np.ndarray, np.ndarray]:
    """The centres of the samples (U across, V up; the top row first), `rows2` x `cols`."""
    u0, u1, v0, v1 = view
    us = u0 + (np.arange(cols) + 0.5) * (u1 - u0) / cols
    vs = v1 - (np.arange(rows2) + 0.5) * (v1 - v0) / rows2
    return np.meshgrid(us, vs)


# ---- the bands -----------------------------------------------------------------------------------------------

def levels(heights, bands: int = BANDS) -> np.ndarray:
    """The edges between the bands: quantiles of the finite heights, so each band covers about as much of the
    picture (a narrow valley shows its shape, not one band for the whole floor); rounded to two digits of the
    heights' span for the legend, ascending, no two equal."""
    H = np.asarray(heights, float)
    H = H[np.isfinite(H)]
    if not len(H):
        return np.zeros(0)
    lo, hi = float(H.min()), float(H.max())
    edges = np.quantile(H, np.arange(1, bands) / bands)
    if hi > lo:  # to two digits of the span (-0.0055 in a span of 30 is 0)
        unit = 10.0 ** (math.floor(math.log10(hi - lo)) - 1)
        edges = np.array([float(f"{x:.12g}") for x in np.round(edges / unit) * unit])
    return np.unique(edges[(edges > lo) & (edges <= hi)])


def banded(heights, edges) -> np.ndarray:
    """The band of each height (0: below every edge, len(edges): above them all); not finite: band 0."""
    H = np.asarray(heights, float)
    band = np.searchsorted(np.asarray(edges, float), np.nan_to_num(H, nan=-np.inf), side="right")
    return np.where(np.isfinite(H), band, 0).astype(np.int8)
