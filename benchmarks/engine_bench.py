"""Engine benchmarks: training throughput against micrograd, backward/forward cost, strategies per scenario."""
from __future__ import annotations

import math
import time
import timeit
from pathlib import Path

import numpy as np

from hnn_tui.engine import Session, bundled_names, load_scenario
from hnn_tui.engine.expression import build_circuit
from hnn_tui.engine.strategies import STRATEGIES
from hnn_tui.engine.vectorized import with_engine

HERE = Path(__file__).resolve().parent
MOONS = HERE / "moons_mlp.toml"


# ---- 1. training throughput -------------------------------------------------------------------
def hnn_train(steps: int = 100, engine: str = "python", scenario=MOONS) -> dict:
    """hnn-tui as a user runs it: a Session over the scenario, analytic strategy, snapshots and all; `engine`:
    the scenario run by the pure-Python engine or by numpy (engine.vectorized)."""
    session = Session(with_engine(load_scenario(scenario), engine))
    t0 = time.perf_counter()
    first = None
    for _ in session.run(steps):
        if first is None:
            first = time.perf_counter() - t0
    seconds = time.perf_counter() - t0
    return {"steps_per_s": steps / seconds, "seconds": seconds, "first_step_s": first,
            "accuracy": session.current.measures["accuracy"]}


def engine_alone(steps: int = 100, engine: str = "numpy", scenario=MOONS) -> dict:
    """The engine without the snapshots: each step draws its batch, the analytic strategy pulls and the update
    rule moves the parameters (the session's own objects, schedule and velocity), nothing measured between steps:
    the work the hand-written loop below does. The accuracy is measured once, at the end."""
    session = Session(with_engine(load_scenario(scenario), engine))
    lesson, strategy = session.lesson, STRATEGIES["analytic"]
    t0 = time.perf_counter()
    for _ in range(steps):
        settings = session.scheduled()
        lesson.before_step(session.rng, settings)
        strategy.step(lesson.objective, settings, session.rng, session.motion)
        session.step_count += 1
    seconds = time.perf_counter() - t0
    return {"steps_per_s": steps / seconds, "seconds": seconds, "accuracy": lesson.measure(False).measures["accuracy"]}


def numpy_train(steps: int = 100) -> dict:
    """The same workload written directly in numpy (full batch, same init, same schedule): the practical limit."""
    session = Session(load_scenario(MOONS))
    sc, spec, model = session.scenario, session.scenario.spec, session.lesson.model
    X, y = np.array(spec.points), np.array(spec.labels, float)
    Ws, bs = map(list, zip(*model.matrices(model.get())))
    t0 = time.perf_counter()
    for k in range(steps):
        lr = sc.settings.step_size + (sc.settings.step_size_end - sc.settings.step_size) * k / sc.steps
        hs = [X]
        for i, (W, b) in enumerate(zip(Ws, bs)):
            z = hs[-1] @ W.T + b
            hs.append(np.maximum(z, 0.0) if i < len(Ws) - 1 else z)
        score = hs[-1][:, 0]
        g = (np.where(1.0 - y * score > 0, -y, 0.0) / len(y))[:, None]  # d mean-hinge / d score
        for i in reversed(range(len(Ws))):
            gW, gb = g.T @ hs[i], g.sum(axis=0)
            if i:
                g = (g @ Ws[i]) * (hs[i] > 0)
            Ws[i] -= lr * (gW + spec.reg * Ws[i])
            bs[i] -= lr * gb
    seconds = time.perf_counter() - t0
    h = X
    for i, (W, b) in enumerate(zip(Ws, bs)):
        h = h @ W.T + b
        h = np.maximum(h, 0.0) if i < len(Ws) - 1 else h
    return {"steps_per_s": steps / seconds, "seconds": seconds, "accuracy": float(np.mean(np.sign(h[:, 0]) == y))}


def vectorized_table(spiral_steps: int = 200, python_steps: int = 5, repeats: int = 3) -> dict:
    """The numpy engine side by side with the hand-written numpy loop and the pure-Python engine in one run, on
    micrograd's moons demo (100 full-batch steps; best of `repeats` for each, interleaved so a busy moment hits
    all alike), and on the 2,000-point spiral of the lesson vectorized_speed (a 2-16-16-1 mlp, full batch)."""
    runs: dict[str, list[dict]] = {k: [] for k in ("hand", "numpy", "numpy_alone", "python", "python_alone")}
    for _ in range(repeats):
        runs["hand"].append(numpy_train())
        runs["numpy"].append(hnn_train(engine="numpy"))
        runs["numpy_alone"].append(engine_alone(engine="numpy"))
        runs["python"].append(hnn_train(engine="python"))
        runs["python_alone"].append(engine_alone(engine="python"))
    out = {k: max(v, key=lambda r: r["steps_per_s"]) for k, v in runs.items()}
    out["spiral_numpy"] = hnn_train(spiral_steps, "numpy", "vectorized_speed")
    out["spiral_numpy_alone"] = engine_alone(spiral_steps, "numpy", "vectorized_speed")
    out["spiral_python"] = hnn_train(python_steps, "python", "vectorized_speed")
    return out


def micrograd_train(steps: int, gc_off: bool) -> dict:
    import peer_micrograd as peer

    sc = load_scenario(MOONS)
    model = peer.make_model(sc.seed)
    same = [p.data for p in model.parameters()] == Session(sc).lesson.model.get()
    r = peer.train(model, sc.spec.points, sc.spec.labels, steps, gc_off=gc_off)
    return dict(r, same_init=same)


# ---- 2. backward / forward --------------------------------------------------------------------
def best(fn, number: int, repeat: int = 7) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def backward_forward() -> dict:
    """Seconds of a forward and of a backward pass (zero grads, pull through every gate, read grads)."""
    out = {}
    c = build_circuit("sigmoid(a*x + b*y + c)", dict(a=1.0, b=2.0, c=-3.0, x=-1.0, y=3.0), {})
    out["neuron"] = (best(c.forward, 20000), best(c.backward, 20000))
    session = Session(load_scenario(MOONS))
    model, pts = session.lesson.model, session.scenario.spec.points

    def forward():
        for x, y in pts:
            model.score(x, y)

    def forward_backward():  # a pull of 1 on every point: every neuron that fires passes it back
        for x, y in pts:
            model.score(x, y)
            model.backward(1.0)
    f = best(forward, 20)
    out["mlp (100 points)"] = (f, best(forward_backward, 20) - f)
    try:
        import peer_micrograd as peer
        m = peer.make_model(session.scenario.seed)
        out["micrograd mlp (100 points)"] = peer.forward_backward_times(m, pts, session.scenario.spec.labels)
    except ImportError:
        pass
    return out


# ---- 3. strategies per scenario ---------------------------------------------------------------
# What "reached" means for each bundled scenario (circuits: an output; classifiers: an accuracy).
TARGETS = {
    "single_gate": ("output", ">=", -5.0),
    "two_gates": ("output", ">=", -6.0),
    "neuron": ("output", ">=", 0.95),
    "svm": ("accuracy", ">=", 1.0),
    "neural_net": ("accuracy", ">=", 1.0),
}


def reach(name: str, strategy: str, max_steps: int = 20000, max_seconds: float = 10.0) -> dict:
    key, _, target = TARGETS.get(name, ("output", ">=", math.inf))
    session = Session(load_scenario(name), strategy)
    t0 = time.perf_counter()
    snap = session.current
    while True:
        value = getattr(snap, key)
        if value is not None and value >= target:
            return {"reached": True, "steps": snap.step, "forwards": snap.forward_passes,
                    "backwards": snap.backward_passes, "seconds": time.perf_counter() - t0}
        if snap.step >= max_steps or time.perf_counter() - t0 > max_seconds or snap.diverged:
            return {"reached": False, "steps": snap.step, "forwards": snap.forward_passes,
                    "backwards": snap.backward_passes, "seconds": time.perf_counter() - t0, "best": value}
        snap = session.step()


def strategies_table() -> list[tuple]:
    rows = []
    for name in bundled_names():
        if name not in TARGETS:
            continue
        key, op, target = TARGETS[name]
        for strategy in ("random", "numerical", "analytic"):
            rows.append((name, f"{key} {op} {target:g}", strategy, reach(name, strategy)))
    return rows

