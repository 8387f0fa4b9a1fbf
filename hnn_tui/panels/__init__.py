"""One panel per lesson kind (engine.lessons.KINDS), keyed by the kind's type: the app's one dispatch on the kind."""
from __future__ import annotations

from ..engine.lessons import CircuitLesson, ClassifierLesson, Lesson
from .base import Panel
from .circuit import CircuitPanel
from .classifier import ClassifierPanel

PANELS: dict[type[Lesson], type[Panel]] = {CircuitLesson: CircuitPanel, ClassifierLesson: ClassifierPanel}

__all__ = ["PANELS", "Panel", "CircuitPanel", "ClassifierPanel"]
