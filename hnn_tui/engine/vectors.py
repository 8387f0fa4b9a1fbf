"""Gates over vectors (the guide's chapter 3, "vectorized implementations"): a wire carries a list.

The scalar gates in gates.py are the guide's picture; these do the same arithmetic a whole neuron (or a
whole layer of neurons) at a time, so Python runs one line per vector instead of one object per number.
"""
from __future__ import annotations

from operator import add, mul


class Vec:
    """A wire carrying a vector: values forward and one gradient (pull) per element back."""

    __slots__ = ("values", "grads", "name")

    def __init__(self, values, name: str = ""):
        self.values = [float(v) for v in values]
        self.grads = [0.0] * len(self.values)
        self.name = name

    def zero_grad(self) -> None:
        self.grads = [0.0] * len(self.values)

    def __repr__(self) -> str:
        return f"Vec({self.name or '?'}: {len(self.values)} values)"


class Linear:
    """A layer of dot-product neurons: out_i = w_i . x + b_i, one weight row w_i per neuron."""

    name = "linear"

    def __init__(self, x: Vec, rows: list[Vec], b: Vec, label: str = "", pull_input: bool = True):
        if len(b.values) != len(rows) or any(len(w.values) != len(x.values) for w in rows):
            raise ValueError(f"linear: {len(rows)} rows of {len(x.values)} weights and {len(rows)} biases expected")
        self.x, self.rows, self.b = x, rows, b
        self.pull_input = pull_input  # False on the data: nothing upstream wants its gradient
        self.utop = Vec([0.0] * len(rows), label or self.name)
        self.forward()

    def forward(self) -> Vec:
        xv = self.x.values
        self.utop.values = [sum(map(mul, w.values, xv)) + bi for w, bi in zip(self.rows, self.b.values)]
        return self.utop

    def backward(self) -> None:
        x, g = self.x, self.utop.grads
        self.b.grads = list(map(add, self.b.grads, g))  # d/db_i = 1
        xv, x_grads = x.values, x.grads
        for w, gi in zip(self.rows, g):
            if gi == 0.0:
                continue  # a neuron with no pull on it passes nothing back
            w.grads = [a + xj * gi for a, xj in zip(w.grads, xv)]  # d/dw_ij = x_j
            if self.pull_input:
                x_grads = [a + wj * gi for a, wj in zip(x_grads, w.values)]  # d/dx_j = w_ij
        x.grads = x_grads


class VecRelu:
    """max(0, x) on every element: a gradient switch per element."""

    name = "relu"

    def __init__(self, x: Vec, label: str = ""):
        self.x = x
        self.utop = Vec([0.0] * len(x.values), label or self.name)
        self.forward()

    def forward(self) -> Vec:
        self.utop.values = [v if v > 0.0 else 0.0 for v in self.x.values]
        return self.utop

    def backward(self) -> None:
        x = self.x
        x.grads = [a + g if v > 0.0 else a for a, v, g in zip(x.grads, x.values, self.utop.grads)]  # d/dx = [x > 0]
