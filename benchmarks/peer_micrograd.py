"""The peer: micrograd 0.1.0's own demo (demo.ipynb), run the way its users run it."""
from __future__ import annotations

import gc
import random
import time

from micrograd.engine import Value
from micrograd.nn import MLP

STEPS = 100


def make_model(seed: int) -> MLP:
    """MLP(2, [16, 16, 1]) with micrograd's own init (random.uniform(-1, 1) weights, zero biases)."""
    random.seed(seed)
    return MLP(2, [16, 16, 1])


def loss(model: MLP, X, y):
    """The demo's loss: mean max-margin loss + 1e-4 * sum of squared parameters, and the accuracy."""
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
    return total_loss, sum(accuracy) / len(accuracy)


def train(model: MLP, X, y, steps: int = STEPS, gc_off: bool = False) -> dict:
    """The demo's loop: full batch, SGD with the learning rate falling from 1.0 to 0.1."""
    was = gc.isenabled()
    if gc_off:
        gc.disable()
    try:
        t0 = time.perf_counter()
        for k in range(steps):
            total_loss, acc = loss(model, X, y)
            model.zero_grad()
            total_loss.backward()
            learning_rate = 1.0 - 0.9 * k / 100
            for p in model.parameters():
                p.data -= learning_rate * p.grad
        seconds = time.perf_counter() - t0
    finally:
        if was:
            gc.enable()
    final_loss, final_acc = loss(model, X, y)
    return {"seconds": seconds, "steps_per_s": steps / seconds, "loss": final_loss.data, "accuracy": final_acc}


def forward_backward_times(model: MLP, X, y, repeat: int = 3) -> tuple[float, float]:
    """Best-of seconds for building the graph (forward) and for backward() on it."""
    fwd = bwd = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        total_loss, _ = loss(model, X, y)
        t1 = time.perf_counter()
        model.zero_grad()
        total_loss.backward()
        t2 = time.perf_counter()
        fwd, bwd = min(fwd, t1 - t0), min(bwd, t2 - t1)
    return fwd, bwd
