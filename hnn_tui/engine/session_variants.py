"""New sessions made from a running one: the same lesson on an edited circuit, a knob that rebuilds the lesson,
edited or read points (undoable), a restart. Each carries this session's strategy, settings and origin (the
scenario as loaded, for `r`), and whether it keeps a rewind timeline; this session stays as it was (a step under
way on it can be dropped with Session.interrupt())."""
from __future__ import annotations

from dataclasses import replace

from . import heldout, knobs
from .csvdata import MAX_CSV_ROWS, read_points_csv
from .lessons.circuit import edited
from .lessons.classifier import MAX_POINTS
from .scenario import Scenario, check_start
from .table import ScenarioError


class Variants:
    """Mixed into Session (engine.session): the methods that hand out a new session."""

    def with_expression(self, text: str) -> Variants:
        """A new session on the circuit `text` (see lessons.circuit.edited), at this one's values, strategy and
        settings (update rule and schedule too; the velocity starts at zero, the schedule at step 0, as in every
        new session); ScenarioError (with the column) when it is refused, and this session stays as it is."""
        spec = edited(self.scenario.spec, text, dict(self.current.values))
        scenario = replace(self.scenario, spec=spec)
        check_start(scenario)
        fresh = type(self)(scenario, self._strategy, self.origin, self.rewind)
        fresh._settings = self._settings
        return fresh

    def rebuilt(self, knob: str, up: bool = True) -> tuple[Variants, str]:
        """A new session with a knob that rebuilds the lesson turned one notch (engine.knobs.rebuilt, or "seed":
        the next seed, so a new random start and other sampled points), its strategy and settings kept: (the
        session, what changed in words). ValueError when this lesson has no such knob, or the result is refused."""
        scenario, data = self.scenario, self.data
        if knob == "seed":
            scenario, what = replace(scenario, seed=scenario.seed + 1), f"seed {scenario.seed + 1}"
        else:
            o = self.origin.spec
            inline = o.dataset == knobs.INLINE and hasattr(o, "points")  # a regression's own xs are rebuilt in place
            own = (o.points, o.labels, o.val_points, o.val_labels) if inline else None
            spec, data, what = knobs.rebuilt(scenario.spec, knobs.data_of(scenario.spec, data), own, knob, up)
            scenario = replace(scenario, spec=spec)
        fresh = self._carried_to(scenario)
        fresh.data = data
        return fresh, what

    def _carried_to(self, scenario: Scenario) -> Variants:
        """A new session on `scenario` (its start checked: ValueError with the reader's words), this one's strategy,
        settings and origin kept: what a rebuilding knob and an edit of the data share."""
        try:
            check_start(scenario)
        except ScenarioError as e:
            raise ValueError(e.problem) from None
        fresh = type(self)(scenario, self._strategy, self.origin, self.rewind)
        fresh._settings = self._settings
        return fresh

    def with_points(self, points, labels) -> Variants:
        """A new session on a classifier's training data `points`/`labels` (edited by hand), starting from this
        one's parameters now (`[model] init`), seed, strategy and settings kept; the held-out points stay held out.
        The previous data goes on the new session's `edits` (see `undone`). ValueError when a class would have no
        training point left, there are too many points, or the start is refused."""
        spec = self.scenario.spec
        return self._with_data(points, labels, spec.val_points, spec.val_labels, MAX_POINTS)

    def with_csv(self, path) -> Variants:
        """A new session on the points of the CSV file at `path` in place of the data (the app's `i`), split into
        training and held-out points as `[data] validation` and `[data] seed` say, from this one's parameters now
        and undoable like an edit by hand. ScenarioError naming the file, line and column for a bad file;
        ValueError when the split leaves a class no training point or the start is refused."""
        spec = self.scenario.spec
        points, labels = read_points_csv(path)
        fraction = self.origin.spec.validation  # as loaded: edits by hand set the fraction their split needs
        train, train_labels, val, val_labels = heldout.split(points, labels, fraction, spec.data_seed)
        return self._with_data(train, train_labels, val, val_labels, MAX_CSV_ROWS, str(path))

    def _with_data(self, points, labels, val_points, val_labels, most: int, csv: str | None = None) -> Variants:
        points = tuple((float(x), float(y)) for x, y in points)
        labels = tuple(int(v) for v in labels)
        for c in (1, -1):
            if c not in labels:
                raise ValueError(f"that would leave no {c:+d} point to train on; every class needs at least one")
        if len(points) > most:
            raise ValueError(f"at most {most:,} points; this one would make {len(points):,}")
        n = len(points) + len(val_points)
        # the fraction that holds out exactly the held-out points of n (engine.heldout), so a saved file splits alike
        validation = len(val_points) / n if val_points else 0.0
        old = self.scenario.spec
        spec = replace(old, points=points, labels=labels, val_points=tuple(val_points), val_labels=tuple(val_labels),
                       init=tuple(self.current.values.items()), dataset=knobs.INLINE, csv=csv, data_n=None,
                       data_noise=None, validation=validation)
        fresh = self._carried_to(replace(self.scenario, spec=spec))
        fresh.edits = (*self.edits, (old.points, old.labels, old.val_points, old.val_labels))
        return fresh

    def undone(self) -> Variants:
        """The data before the last edit by hand (`with_points`) or CSV read (`with_csv`), at the parameters now;
        ValueError when there is no edit to undo."""
        if not self.edits:
            raise ValueError("no edit of the points to undo")
        fresh = self._with_data(*self.edits[-1], max(MAX_POINTS, MAX_CSV_ROWS))
        fresh.edits = self.edits[:-1]
        return fresh

    def restarted(self, keep_controls: bool = False) -> Variants:
        """A new session at the scenario's start, as loaded, or with this one's strategy and settings; this one is
        untouched (a step under way on it can be dropped with interrupt())."""
        if not keep_controls:
            return type(self)(self.origin, rewind=self.rewind)
        fresh = type(self)(self.scenario, self._strategy, self.origin, self.rewind)
        fresh._settings = self._settings
        fresh.data = self.data
        return fresh
