"""A session steps one scenario with one strategy and hands out an immutable snapshot per step."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np

from .circuit import CircuitObjective
from .expression import build_circuit
from .losses import cost
from .models import Classifier, ClassifierObjective, init_params, make_model
from .scenario import Scenario, ScenarioError
from .strategies import STRATEGIES, Settings


class Diverged(RuntimeError):
    """Raised by step() once a value became NaN or infinite; reset() recovers."""


@dataclass(frozen=True)
class Snapshot:
    """Everything a printer or a widget needs to show the state after one step."""

    step: int
    strategy: str
    output: float  # the circuit's output, or the classifier's cost on the training set
    values: MappingProxyType  # inputs (circuit) or parameters (classifier): name -> value
    grads: MappingProxyType | None  # the gradient the step used; None for random search and step 0
    forward_passes: int  # cumulative, what the strategies spent
    backward_passes: int
    accuracy: float | None = None  # classifiers: fraction of training points on the right side
    wires: tuple = ()  # circuits: (label, value, grad or None) for every wire, inputs first
    diverged: str | None = None  # set when this step produced a non-finite number

    def to_dict(self) -> dict:
        """The JSON line of `hnn-tui run --json` (wires and divergence are left to the UI)."""
        d = {"step": self.step, "strategy": self.strategy, "output": self.output, "values": dict(self.values),
             "grads": None if self.grads is None else dict(self.grads),
             "forward_passes": self.forward_passes, "backward_passes": self.backward_passes}
        if self.accuracy is not None:
            d["accuracy"] = self.accuracy
        return d


class Session:
    """Scenario -> engine objects -> step() -> Snapshot. One training loop for CLI, UI and tests."""

    def __init__(self, scenario: Scenario, strategy: str | None = None, seed: int | None = None):
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.strategy = strategy or scenario.strategy
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {self.strategy!r}; expected one of {', '.join(STRATEGIES)}")
        self.settings: Settings = replace(scenario.settings)
        self.reset()
        bad = self._non_finite(self.current)
        if bad:  # nothing to step from: the file itself is at fault
            key = "model.init" if self.is_classifier else "circuit.inputs"
            raise ScenarioError(scenario.source or scenario.name, key, f"the start is not finite ({bad} at step 0)")

    @property
    def is_classifier(self) -> bool:
        return self.scenario.kind == "classifier"

    def reset(self) -> Snapshot:
        """Back to the scenario's start: same parameters, same random stream, counters at zero."""
        sc = self.scenario
        self.rng = random.Random(self.seed)
        self.step_count = 0
        self.wire_grads_valid = False
        if self.is_classifier:
            self.model: Classifier = make_model(sc.model, sc.hidden, sc.loss, sc.layers)
            init_params(self.model, sc.init, sc.init_scale, self.rng)
            self.circuit = self.model.circuit
            self.objective = ClassifierObjective(self.model, sc.points, sc.labels, sc.reg)
            self._X = np.array(sc.points, float).reshape(-1, 2)
            self._y = np.array(sc.labels, float)
        else:
            self.circuit = build_circuit(sc.expression, sc.inputs, sc.wires)
            self.objective = CircuitObjective(self.circuit, list(sc.trainable))
        self.current = self._snapshot(None)
        return self.current

    def restarted(self) -> "Session":
        """A new session at the scenario's start with this one's strategy, seed and settings; this one is untouched."""
        fresh = Session(self.scenario, self.strategy, self.seed)
        fresh.settings = replace(self.settings)
        return fresh

    @property
    def alpha(self) -> float:
        """The cost's regularisation strength: reg * N / 2, under which per-point SGD descends the cost."""
        return self.scenario.reg * len(self.scenario.labels) / 2

    def set_strategy(self, name: str) -> None:
        if name not in STRATEGIES:
            raise ValueError(f"unknown strategy {name!r}; expected one of {', '.join(STRATEGIES)}")
        self.strategy = name

    def step(self) -> Snapshot:
        """Take one step with the current strategy and settings; returns the new snapshot."""
        if self.current.diverged:
            raise Diverged(self.current.diverged)
        if self.is_classifier:
            n = len(self.scenario.labels)
            self.objective.batch = list(range(n)) if self.scenario.batch == "full" else [self.rng.randrange(n)]
        result = STRATEGIES[self.strategy].step(self.objective, self.scheduled(), self.rng)
        self.wire_grads_valid = result.backward_passes > 0
        self.step_count += 1
        self.current = self._snapshot(result.grads)
        return self.current

    def forward_passes_per_step(self) -> int:
        """What the next step will spend in forward passes: per point, tries, P + 1 (2P centered), or 1."""
        st, p = self.settings, len(self.objective.names)
        batch = len(self.scenario.labels) if self.is_classifier and self.scenario.batch == "full" else 1
        per_point = {"random": st.tries, "numerical": 2 * p if st.centered else p + 1, "analytic": 1}[self.strategy]
        return batch * per_point

    def scheduled(self) -> Settings:
        """The settings for this step: with step_size_end, the step size falls linearly over the scenario's steps."""
        s = self.settings
        if s.step_size_end is None:
            return s
        frac = min(self.step_count, self.scenario.steps) / max(1, self.scenario.steps)
        return replace(s, step_size=s.step_size + (s.step_size_end - s.step_size) * frac)

    def run(self, steps: int):
        """Yield the snapshot after each of `steps` steps; stops early after a divergent one."""
        for _ in range(steps):
            snap = self.step()
            yield snap
            if snap.diverged:
                return

    def _snapshot(self, grads) -> Snapshot:
        obj = self.objective
        values = dict(zip(obj.names, obj.get())) if self.is_classifier else self.circuit.values()
        wires, accuracy = (), None
        if self.is_classifier:
            v = self.model.values()
            with np.errstate(all="ignore"):  # overflow is reported as divergence, not as a warning on stderr
                scores = self.model.scores(v, self._X[:, 0], self._X[:, 1])
                weights = [v[p] for p in self.model.regularized]
                output = cost(scores, self._y, weights, self.alpha, self.model.loss)
                accuracy = float(np.mean(np.where(scores > 0, 1.0, -1.0) == self._y))
        else:
            saved = [u.grad for u in self.circuit.units]  # the forward below must not erase the pulls
            output = self.circuit.forward()
            wires = tuple((u.name, u.value, g if self.wire_grads_valid else None)
                          for u, g in zip(self.circuit.units, saved))
        snap = Snapshot(self.step_count, self.strategy, output, MappingProxyType(values),
                        None if grads is None else MappingProxyType(dict(grads)),
                        obj.forward_passes, obj.backward_passes, accuracy, wires)
        bad = self._non_finite(snap)
        return replace(snap, diverged=f"diverged at step {self.step_count}: {bad}") if bad else snap

    def _non_finite(self, snap: Snapshot) -> str | None:
        """Name the first non-finite wire, parameter or gradient, or None when all is finite."""
        for label, value, grad in snap.wires:
            for what, x in (("value", value), ("gradient", grad)):
                if x is not None and not math.isfinite(x):
                    return f"wire {label!r} has {what} {x}"
        for kind, table in (("parameter", snap.values), ("gradient of", snap.grads or {})):
            for name, x in table.items():
                if not math.isfinite(x):
                    return f"{kind} {name!r} became {x}"
        if not math.isfinite(snap.output):
            return f"the {'cost' if self.is_classifier else 'output'} became {snap.output}"
        return None
