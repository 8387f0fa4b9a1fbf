"""Chapter 2's force specification, step by step: the point(s) the step used, each one's score and the pull on it
and why, the hidden neurons at the step's point, and the rows that split each parameter's pull into the part from
the data and the part from the spring. Pure functions of a snapshot (the panel puts them on screen).
"""
from __future__ import annotations

from ..numbers import num

MAX_POINT_LINES = 4  # a batch of more points is summed up in one line


def why(score: float, label: int, pull: float, loss: str) -> str:
    """The force specification for one point: 'score 0.40 < 1: pull up (+1)'. Hinge: +1 pulls a positive point
    whose score is under 1 up, -1 pulls a negative point whose score is over -1 down; past its margin, nothing.
    Squared hinge: the pull is 2 x the margin violated, in the label's direction."""
    s = num(score, 3)
    if pull == 0:
        return f"score {s} {'≥ 1' if label > 0 else '≤ -1'}: past the margin, no pull"
    side = "< 1" if label > 0 else "> -1"
    way = "up" if pull > 0 else "down"
    size = f"{pull:+g}" if loss == "hinge" else f"{pull:+.3g} = 2 × {abs(pull) / 2:.3g} short of the margin"
    return f"score {s} {side}: pull {way} ({size})"


def batch_lines(inside, loss: str, limit: int = MAX_POINT_LINES) -> list[str]:
    """One line per point of the step's batch, or one line counting them when there are more than `limit`."""
    pts = inside.batch
    if len(pts) <= limit:
        return [f"point {p.index} ({p.point[0]:.2f}, {p.point[1]:.2f}), label {p.label:+d}: "
                f"{why(p.score, p.label, p.pull, loss)}" for p in pts]
    up = sum(1 for p in pts if p.pull > 0)
    down = sum(1 for p in pts if p.pull < 0)
    return [f"all {len(pts):,} points: {up:,} pulled up, {down:,} pulled down, {len(pts) - up - down:,} past "
            f"their margin (no pull); the data's pull is the mean of theirs"]


def neuron_line(hidden, dead, dead_since, step: int, at: str) -> str:
    """The hidden neurons at a point: 'n1 0.53 on · n2 -0.20 off · n3 dead for 40 steps', with the dead ones
    (0 on every training point) named whatever the point."""
    parts = []
    for name, pre, out in hidden:
        if dead and name in dead:
            since = dead_since.get(name, step) if dead_since else step
            parts.append(f"{name} dead for {step - since:,} step{'' if step - since == 1 else 's'}"
                         if step > since else f"{name} dead")
        else:
            parts.append(f"{name} {num(pre, 3)} {'on' if out > 0 else 'off'}")
    return f"neurons at {at}: " + " · ".join(parts)


def inside_lines(snap, stage, loss: str, short: bool) -> list[str]:
    """The words above the parameter rows: what the step did, from the inside. `short`: a terminal with few rows
    (the batch in one line, no neuron line)."""
    detail = snap.detail
    inside = getattr(detail, "inside", None)
    lines: list[str] = []
    if snap.step == 0:
        lines.append("the start: the first step shows which point(s) it used, the pull on each and why")
    elif inside is None:
        how = "random search: no gradient, it kept the best try" if snap.strategy == "random" else \
            "the numerical gradient: one estimate of the whole pull"
        lines.append(f"step {snap.step:,} by {how}; only backprop (3) splits the pull into the data's part and "
                     "the spring's")
    elif short:  # one line: the step and its point (or its count of points)
        lines.append(f"step {snap.step:,}: {batch_lines(inside, loss, 1)[0]}")
    else:
        lines.append(f"step {snap.step:,} from the inside:")
        lines += batch_lines(inside, loss, MAX_POINT_LINES)
    if not short and stage.hidden_names:
        point = inside.batch[0] if inside is not None and len(inside.batch) == 1 else None
        x, y = point.point if point else stage.points[0]
        at = f"point {point.index}" if point else "point 0"
        lines.append(neuron_line(stage.hidden_at(snap.values, x, y), detail.dead if detail else None,
                                 detail.dead_since if detail else None, snap.step, at))
    return lines


def pull_rows(snap, short: bool = False) -> list | None:
    """The parameter table's rows for an analytic step: value, from the data, from the spring, their sum (`short`:
    without the value, so the picture above keeps its rows)."""
    inside = getattr(snap.detail, "inside", None)
    if inside is None:
        return None
    rows = [("from data", inside.data_pull), ("from spring", inside.spring_pull), ("pull used", snap.grads)]
    return rows if short else [("value", snap.values)] + rows


def check_rows(check: dict) -> list:
    """The parameter table's rows for a gradient check: backprop, the numerical estimate, their difference."""
    diff = {n: abs(check["analytic"][n] - check["numerical"][n]) for n in check["analytic"]}
    return [("backprop ∇", check["analytic"]), ("numeric ∇", check["numerical"]), ("|diff|", diff)]
