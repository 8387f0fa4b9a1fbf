"""The hnn-tui engine: units, gates, circuits, classifiers and the guide's three strategies (no UI imports)."""
from .circuit import Circuit, CircuitBuilder
from .expression import ExpressionError, build_circuit
from .gates import GATES, Gate, Unit
from .scenario import Scenario, ScenarioError, bundled_names, load_scenario, parse_scenario
from .session import Diverged, Session, Snapshot
from .strategies import STRATEGIES, Settings, StepResult

__all__ = ["Circuit", "CircuitBuilder", "ExpressionError", "build_circuit", "GATES", "Gate", "Unit", "Scenario",
           "ScenarioError", "bundled_names", "load_scenario", "parse_scenario", "Diverged", "Session", "Snapshot",
           "STRATEGIES", "Settings", "StepResult"]
