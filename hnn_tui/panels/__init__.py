"""One panel per lesson kind (engine.lessons.KINDS), keyed by the kind's type: the app's one dispatch on the kind."""
from __future__ import annotations

from ..engine.lessons import CircuitLesson, ClassifierLesson, Lesson, RegressionLesson
from ..engine.lessons.multiclass import MulticlassLesson
from .base import Panel
from .circuit import CircuitPanel
from .classifier import ClassifierPanel
from .multiclass import MulticlassPanel
from .regression import RegressionPanel

PANELS: dict[type[Lesson], type[Panel]] = {CircuitLesson: CircuitPanel, ClassifierLesson: ClassifierPanel,
                                           RegressionLesson: RegressionPanel, MulticlassLesson: MulticlassPanel}

__all__ = ["PANELS", "Panel", "CircuitPanel", "ClassifierPanel", "MulticlassPanel", "RegressionPanel"]
