"""Units (wires) and gates: each gate's local derivative sits right under its forward."""
from __future__ import annotations

import math


class Unit:
    """A wire: the value carried forward and the gradient (pull) flowing back."""

    __slots__ = ("value", "grad", "name")

    def __init__(self, value: float, grad: float = 0.0, name: str = ""):
        self.value = float(value)
        self.grad = float(grad)
        self.name = name

    def __repr__(self) -> str:
        return f"Unit({self.name or '?'}: value={self.value:.6g}, grad={self.grad:.6g})"


def _exp(x: float) -> float:
    """exp that overflows to inf instead of raising."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def sigmoid(x: float) -> float:
    """1 / (1 + e^-x), computed without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _div(a: float, b: float) -> float:
    """a / b with IEEE results (inf, nan) instead of ZeroDivisionError."""
    if b == 0.0:
        return math.nan if a == 0.0 or a != a else math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _pow(a: float, p: float) -> float:
    """a ** p that returns inf/nan where Python would raise or go complex."""
    try:
        r = a**p
    except (OverflowError, ZeroDivisionError):
        odd = float(p).is_integer() and p % 2 == 1
        return math.copysign(math.inf, a) if odd else math.inf  # (-big)^3 overflows to -inf, as in IEEE
    return r if isinstance(r, float) else math.nan


def _log(a: float) -> float:
    """Natural log; -inf at 0 and nan below, instead of ValueError."""
    if a > 0:
        return math.log(a)
    return -math.inf if a == 0 else math.nan


class Gate:
    """A gate reads its input units, writes its output unit `utop`, and pulls back on its inputs."""

    name = "gate"
    arity = 1

    def __init__(self, *inputs: Unit, label: str = ""):
        if len(inputs) != self.arity:
            raise ValueError(f"{self.name} takes {self.arity} input(s), got {len(inputs)}")
        self.inputs = inputs
        self.utop = Unit(0.0, 0.0, label or self.name)
        self.forward()

    def forward(self) -> Unit:
        raise NotImplementedError  # every concrete gate defines its forward

    def backward(self) -> None:
        raise NotImplementedError  # every concrete gate defines its backward

    def local(self) -> tuple[float, ...]:
        """Each input's local derivative d(utop)/d(input) at the values now: what backward multiplies the pull by."""
        raise NotImplementedError  # every concrete gate states its own, right under its backward

    def __repr__(self) -> str:
        ins = ", ".join(u.name or "?" for u in self.inputs)
        return f"{type(self).__name__}({ins}) -> {self.utop!r}"


class Add(Gate):
    name, arity = "add", 2

    def forward(self):
        u0, u1 = self.inputs
        self.utop.value = u0.value + u1.value
        return self.utop

    def backward(self):
        u0, u1 = self.inputs
        g = self.utop.grad  # the pull on the output
        u0.grad += g  # d/du0 = 1
        u1.grad += g  # d/du1 = 1

    def local(self):
        return 1.0, 1.0  # d/du0, d/du1


class Sub(Gate):
    name, arity = "sub", 2

    def forward(self):
        u0, u1 = self.inputs
        self.utop.value = u0.value - u1.value
        return self.utop

    def backward(self):
        u0, u1 = self.inputs
        g = self.utop.grad
        u0.grad += g  # d/du0 = 1
        u1.grad += -g  # d/du1 = -1

    def local(self):
        return 1.0, -1.0


class Mul(Gate):
    name, arity = "mul", 2

    def forward(self):
        u0, u1 = self.inputs
        self.utop.value = u0.value * u1.value
        return self.utop

    def backward(self):
        u0, u1 = self.inputs
        g = self.utop.grad
        u0.grad += u1.value * g  # d/du0 = u1
        u1.grad += u0.value * g  # d/du1 = u0

    def local(self):
        u0, u1 = self.inputs
        return u1.value, u0.value  # each input's derivative is the other input


class Div(Gate):
    name, arity = "div", 2

    def forward(self):
        u0, u1 = self.inputs
        self.utop.value = _div(u0.value, u1.value)
        return self.utop

    def backward(self):
        u0, u1 = self.inputs
        u0.grad += _div(1.0, u1.value) * self.utop.grad  # d/du0 = 1/u1
        u1.grad += _div(-u0.value, u1.value * u1.value) * self.utop.grad  # d/du1 = -u0/u1^2

    def local(self):
        u0, u1 = self.inputs
        return _div(1.0, u1.value), _div(-u0.value, u1.value * u1.value)


class Neg(Gate):
    name = "neg"

    def forward(self):
        self.utop.value = -self.inputs[0].value
        return self.utop

    def backward(self):
        self.inputs[0].grad += -1.0 * self.utop.grad  # d/du0 = -1

    def local(self):
        return (-1.0,)


class Pow(Gate):
    """u0 ** p for a constant exponent p."""

    name = "pow"

    def __init__(self, u0: Unit, exponent: float, label: str = ""):
        self.exponent = float(exponent)
        super().__init__(u0, label=label)

    def forward(self):
        self.utop.value = _pow(self.inputs[0].value, self.exponent)
        return self.utop

    def backward(self):
        u0, p = self.inputs[0], self.exponent
        local = p * _pow(u0.value, p - 1.0) if p != 0.0 else 0.0  # d/du0 = p * u0^(p-1)
        u0.grad += local * self.utop.grad

    def local(self):
        u0, p = self.inputs[0], self.exponent
        return (p * _pow(u0.value, p - 1.0) if p != 0.0 else 0.0,)

    def __repr__(self) -> str:
        return f"Pow({self.inputs[0].name}, {self.exponent:g}) -> {self.utop!r}"


class Sigmoid(Gate):
    name = "sigmoid"

    def forward(self):
        self.utop.value = sigmoid(self.inputs[0].value)
        return self.utop

    def backward(self):
        s = self.utop
        self.inputs[0].grad += s.value * (1.0 - s.value) * s.grad  # d/du0 = s(1-s)

    def local(self):
        s = self.utop.value
        return (s * (1.0 - s),)


class Tanh(Gate):
    name = "tanh"

    def forward(self):
        self.utop.value = math.tanh(self.inputs[0].value)
        return self.utop

    def backward(self):
        t = self.utop.value
        self.inputs[0].grad += (1.0 - t * t) * self.utop.grad  # d/du0 = 1 - tanh^2

    def local(self):
        t = self.utop.value
        return (1.0 - t * t,)


class Relu(Gate):
    name = "relu"

    def forward(self):
        v = self.inputs[0].value
        self.utop.value = v if v > 0.0 else 0.0
        return self.utop

    def backward(self):
        u0 = self.inputs[0]
        u0.grad += (1.0 if u0.value > 0.0 else 0.0) * self.utop.grad  # d/du0 = [u0 > 0]

    def local(self):
        return (1.0 if self.inputs[0].value > 0.0 else 0.0,)


class Exp(Gate):
    name = "exp"

    def forward(self):
        self.utop.value = _exp(self.inputs[0].value)
        return self.utop

    def backward(self):
        self.inputs[0].grad += self.utop.value * self.utop.grad  # d/du0 = e^u0

    def local(self):
        return (self.utop.value,)


class Log(Gate):
    name = "log"

    def forward(self):
        self.utop.value = _log(self.inputs[0].value)
        return self.utop

    def backward(self):
        u0 = self.inputs[0]
        u0.grad += _div(1.0, u0.value) * self.utop.grad  # d/du0 = 1/u0

    def local(self):
        return (_div(1.0, self.inputs[0].value),)


class Max(Gate):
    """A gradient switch: the pull goes to whichever input was larger (the first on a tie)."""

    name, arity = "max", 2

    def forward(self):
        u0, u1 = self.inputs
        self.utop.value = u0.value if u0.value >= u1.value else u1.value
        return self.utop

    def backward(self):
        u0, u1 = self.inputs
        if u0.value >= u1.value:
            u0.grad += 1.0 * self.utop.grad  # d/du0 = 1 where u0 won
        else:
            u1.grad += 1.0 * self.utop.grad  # d/du1 = 1 where u1 won

    def local(self):
        u0, u1 = self.inputs
        return (1.0, 0.0) if u0.value >= u1.value else (0.0, 1.0)  # the larger input takes it all (u0 on a tie)


GATES: dict[str, type[Gate]] = {
    g.name: g for g in (Add, Sub, Mul, Div, Neg, Pow, Sigmoid, Tanh, Relu, Exp, Log, Max)
}
SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "neg": "-", "pow": "**"}
