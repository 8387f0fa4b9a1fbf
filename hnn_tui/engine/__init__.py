"""The hnn-tui engine: units, gates, circuits, lesson kinds and the guide's three strategies (no UI imports).

The data path: a scenario file -> `load_scenario` (the one place that validates) -> a frozen `Scenario` ->
`Session` (builds the lesson kind's engine objects, steps them) -> one frozen `Snapshot` per step.
"""
from .circuit import Circuit, CircuitBuilder
from .expression import ExpressionError, build_circuit
from .gates import GATES, Gate, Unit
from .lessons import KINDS
from .scenario import Scenario, bundled_names, load_scenario, parse_scenario
from .session import Session
from .snapshot import Diverged, Snapshot
from .strategies import STRATEGIES, Settings, StepResult
from .table import ScenarioError

__all__ = ["Circuit", "CircuitBuilder", "ExpressionError", "build_circuit", "GATES", "Gate", "Unit", "KINDS",
           "Scenario", "ScenarioError", "bundled_names", "load_scenario", "parse_scenario", "Diverged", "Session",
           "Snapshot", "STRATEGIES", "Settings", "StepResult"]
