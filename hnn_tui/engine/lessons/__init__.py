"""Lesson kinds: one Lesson subclass per `kind` a scenario file may name. This table is the one dispatch point."""
from __future__ import annotations

from .base import Lesson, Measured, first_non_finite
from .circuit import CircuitDetail, CircuitLesson, CircuitSpec, CircuitStage
from .classifier import ClassifierLesson, ClassifierSpec, ClassifierStage

KINDS: dict[str, type[Lesson]] = {k.kind: k for k in (CircuitLesson, ClassifierLesson)}
Spec = CircuitSpec | ClassifierSpec  # what a scenario file's kind-specific tables become


def lesson_for(spec: Spec) -> type[Lesson]:
    """The Lesson class that builds `spec`'s kind."""
    return KINDS[spec.kind]


__all__ = ["KINDS", "Lesson", "Measured", "Spec", "first_non_finite", "lesson_for", "CircuitDetail",
           "CircuitLesson", "CircuitSpec", "CircuitStage", "ClassifierLesson", "ClassifierSpec", "ClassifierStage"]
