"""How a model's parameters start (chapter 3's "initialization of weights and biases"): the guide's uniform draw,
Xavier/Glorot and He, each weight by its own fan-in and fan-out (models: `fans`), and the starting bias.

Pure Python: `init_params` reads only a model's `params`, `fans` (weights -> (fan_in, fan_out); the others are
biases) and `zero_start`, so every model (the circuits, the vector mlps) starts the same way.
"""
from __future__ import annotations

import math
import random

INIT_SCHEMES = ("uniform", "xavier", "he")


def init_params(model, init: dict[str, float] | None, scale: float, rng: random.Random,
                scheme: str = "uniform", bias_start: float | None = None) -> None:
    """Set parameters from `init`, drawing any it leaves out, in order, by `scheme` (one draw per weight):
    - "uniform": uniform in [-scale, scale] (guide: 0.5), the zero_start ones 0 and the others' biases drawn too;
    - "xavier" (Glorot): uniform in ±sqrt(6 / (fan_in + fan_out)), biases 0;
    - "he": normal with mean 0 and sd sqrt(2 / fan_in) (for ReLUs: half the units pass), biases 0.
    `bias_start` (a number) starts every bias there instead, with no draw; `init` wins over both."""
    values = []
    for p in model.params:
        fans = model.fans.get(p)  # None: a bias
        if init and p in init:
            values.append(float(init[p]))
        elif fans is None and bias_start is not None:
            values.append(float(bias_start))
        elif scheme == "uniform":
            values.append(0.0 if p in model.zero_start else (rng.random() * 2 - 1) * scale)
        elif fans is None:
            values.append(0.0)
        elif scheme == "xavier":
            values.append((rng.random() * 2 - 1) * math.sqrt(6.0 / (fans[0] + fans[1])))
        elif scheme == "he":
            values.append(rng.gauss(0.0, math.sqrt(2.0 / fans[0])))
        else:
            raise ValueError(f"unknown init scheme {scheme!r}; expected uniform, xavier or he")
    model.set(values)
