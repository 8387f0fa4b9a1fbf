"""Lesson kinds: one Lesson subclass per kind of spec. These tables are the one dispatch point: KINDS reads a
scenario file's tables by its `kind` (a classifier file may become one of two specs, by its loss), and
lesson_for builds the Lesson of a spec's type. The top-level `engine` key ("python" or "numpy": engine.vectorized)
is read here too: a classifier's spec carries it, any other kind refuses it."""
from __future__ import annotations

from dataclasses import replace

from ..objectives import LOSSES
from ..table import ScenarioError, Table
from ..vectorized import ENGINES
from .base import Lesson, Measured, first_non_finite
from .circuit import CircuitDetail, CircuitLesson, CircuitSpec, CircuitStage
from .classifier import ClassifierLesson, ClassifierSpec, ClassifierStage
from .multiclass import MulticlassDetail, MulticlassLesson, MulticlassSpec, MulticlassStage
from .regression import RegressionDetail, RegressionLesson, RegressionSpec, RegressionStage

LESSONS: tuple[type[Lesson], ...] = (CircuitLesson, ClassifierLesson, MulticlassLesson,
                                     RegressionLesson)  # every kind of lesson
Spec = CircuitSpec | ClassifierSpec | MulticlassSpec | RegressionSpec  # what a file's kind-specific tables become


def read_classifier_file(t: Table):
    """`kind = "classifier"`: the binary classifier's spec, or (by `[model] loss`) another classifier kind's, run
    by the top-level `engine` (default "python")."""
    engine = t.choice("engine", ENGINES, "python")
    spec = _read_classifier_spec(t)
    return spec if engine == "python" else replace(spec, engine=engine)


def _read_classifier_spec(t: Table):
    loss = t.data.get("model", {}).get("loss") if isinstance(t.data.get("model"), dict) else None
    for lesson in LESSONS:
        if lesson.kind == "classifier" and loss in getattr(lesson, "losses", ()):
            return lesson.read_spec(t)
    every = (*LOSSES, *(x for lesson in LESSONS if lesson.kind == "classifier" for x in getattr(lesson, "losses", ())))
    if isinstance(loss, str) and loss not in every:  # name them all, not only the binary classifier's
        raise ScenarioError(t.source, "model.loss", f"expected one of {', '.join(every)}, got {loss!r}")
    return ClassifierLesson.read_spec(t)  # the binary losses, and any other refusal, are its own


def python_only(kind: str, reader):
    """A kind's reader that refuses the top-level `engine` key in one line: only classifiers have a numpy engine."""
    def read(t: Table):
        if "engine" in t.data:
            raise ScenarioError(t.source, "engine", f"applies to classifier scenarios only; this is a {kind} "
                                                    "(it runs the pure-Python engine)")
        return reader(t)
    return read


KINDS = {"circuit": python_only("circuit", CircuitLesson.read_spec), "classifier": read_classifier_file,
         "regression": python_only("regression", RegressionLesson.read_spec)}  # file kind -> reader


def lesson_for(spec) -> type[Lesson]:
    """The Lesson class that builds `spec`."""
    for lesson in LESSONS:
        if isinstance(spec, lesson.spec_type):
            return lesson
    raise TypeError(f"no lesson kind builds a {type(spec).__name__}")


__all__ = ["KINDS", "LESSONS", "Lesson", "Measured", "Spec", "first_non_finite", "lesson_for", "CircuitDetail",
           "CircuitLesson", "CircuitSpec", "CircuitStage", "ClassifierLesson", "ClassifierSpec", "ClassifierStage",
           "MulticlassDetail", "MulticlassLesson", "MulticlassSpec", "MulticlassStage",
           "RegressionDetail", "RegressionLesson", "RegressionSpec", "RegressionStage"]
