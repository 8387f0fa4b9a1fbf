"""What every exported lesson shares (engine.export): the program's head, the strategies' settings, the step size's
schedule, the update rule and the three strategies, written out as the engine runs them (strategies.py,
updates.py, schedules.py): the same operations in the same order, so the numbers match the engine's; and the
program's main(): its arguments, the loop and the JSON lines it prints (hnn-tui run --json's), for every kind."""
from __future__ import annotations


def comment(text: str) -> str:
    """Text on one line, whatever a title or a label held, for a `#` comment."""
    return " ".join(str(text).split())


def wrap(head: str, items: list[str], tail: str, indent: str = "    ", width: int = 110) -> list[str]:
    """`head + ", ".join(items) + tail` cut into lines of at most about `width` (inside its brackets)."""
    lines, line = [], indent + head
    for i, item in enumerate(items):
        piece = item + (", " if i < len(items) - 1 else "")
        if len(line) + len(piece) > width and line.strip():
            lines.append(line.rstrip())
            line = indent + " " * len(head)
        line += piece
    lines.append(line + tail)
    return lines


def head(scenario, strategy: str) -> str:
    """The shebang, the docstring (what it is and how to run it), the lesson's words as comments, the imports."""
    lines = ["#!/usr/bin/env python3", f'"""{scenario.name}, exported from hnn-tui as plain Python (standard '
             'library only).', "",
             f"Runs the lesson with the {strategy} strategy and prints one JSON line per step, the same lines as",
             f"`hnn-tui run {scenario.name} --strategy {strategy} --json`.",
             "Usage: python THIS_FILE [--steps N] [--seed S]", '"""']
    lines += ["#", f"# {comment(scenario.title)}", "#"]
    lines += [f"# {comment(line)}".rstrip() for line in scenario.description.splitlines()]
    lines += ["", "import argparse", "import json", "import math", "import random", "import sys", "import time"]
    return "\n".join(lines)


def step_settings(scenario, strategy: str) -> list[str]:
    """The constants of the run and of its strategy: only those it uses."""
    s = scenario.settings
    lines = [f"STRATEGY = {strategy!r}",
             f"STEPS = {scenario.steps!r}  # the lesson's steps (--steps N runs N)",
             f"SEED = {scenario.seed!r}  # random.Random(SEED): every random draw of a run"]
    if strategy == "random":
        return lines + [f"TWEAK = {s.tweak!r}  # random search tries points up to +-TWEAK away in each parameter",
                        f"TRIES = {s.tries!r}  # ... this many a step, and moves to the best"]
    lines.append(f"STEP_SIZE = {s.step_size!r}")
    if s.schedule == "linear":
        lines.append(f"STEP_SIZE_END = {s.step_size_end!r}  # the linear schedule's step size at step STEPS")
    elif s.schedule in ("step", "exponential"):
        lines += [f"DECAY = {s.decay!r}  # the step size is multiplied by DECAY ...",
                  f"DECAY_EVERY = {s.decay_every!r}  # ... every DECAY_EVERY steps"]
    if s.update != "sgd":
        lines.append(f"MOMENTUM = {s.momentum!r}  # mu: the share of the velocity a step keeps ({s.update})")
    if strategy == "numerical":
        lines.append(f"H = {s.h!r}  # the numerical gradient's probe")
    return lines


SCHEDULES = {"constant": "return STEP_SIZE",
             "linear": "return STEP_SIZE + (STEP_SIZE_END - STEP_SIZE) * (min(k, STEPS) / max(1, STEPS))",
             "step": "return STEP_SIZE * DECAY ** (k // DECAY_EVERY)  # one drop every DECAY_EVERY steps",
             "exponential": "return STEP_SIZE * DECAY ** (k / DECAY_EVERY)  # the smooth curve through the stairs"}

RANDOM_SEARCH = '''
def random_search(x, rng, f):
    """TRIES random tweaks of up to +-TWEAK around x; returns the one where f is highest (a NaN never wins)."""
    best_out, best_x = -float("inf"), x
    for _ in range(TRIES):
        x_try = [p + TWEAK * (rng.random() * 2 - 1) for p in x]
        out = f(x_try)
        if out > best_out:
            best_out, best_x = out, x_try
    return best_x
'''

NUMERICAL = '''
def numerical_gradient(x, f):
    """Probe each parameter by H: (f(x + h) - f(x)) / h."""
    f0 = f(x)
    grads = []
    for i in range(len(x)):
        probe = list(x)
        probe[i] = x[i] + H
        grads.append((f(probe) - f0) / H)
    return grads
'''

CENTERED = '''
def numerical_gradient(x, f):
    """Probe each parameter by H both ways: (f(x + h) - f(x - h)) / 2h."""
    grads = []
    for i in range(len(x)):
        probe = list(x)
        probe[i] = x[i] + H
        f_plus = f(probe)
        probe[i] = x[i] - H
        grads.append((f_plus - f(probe)) / (2 * H))
    return grads
'''

SGD = '''
def move(x, grads, lr, velocity):
    """A plain step along the pull: x <- x + lr * g."""
    return [p + lr * g for p, g in zip(x, grads)]
'''

MOMENTUM = '''
def move(x, grads, lr, velocity):
    """Momentum: v <- MOMENTUM * v + lr * g, then x <- x + v (velocity is changed in place)."""
    velocity[:] = [MOMENTUM * v + lr * g for v, g in zip(velocity, grads)]
    return [p + v for p, v in zip(x, velocity)]
'''

LOOK_AHEAD = {"sgd": "x", "momentum": "x", "nesterov": "[p + MOMENTUM * v for p, v in zip(x, velocity)]"}


def strategy_code(s, strategy: str) -> str:
    """The schedule, the strategy and the update rule, as functions."""
    if strategy == "random":
        return "# ---- the strategy: random local search (no step size: it moves to the best point it tried) " \
               "----\n\n\n" + RANDOM_SEARCH.strip("\n")
    parts = ["# ---- the strategy ----\n\n\ndef step_size_at(k):\n"
             f'    """The step size of the step taken after k steps ({s.schedule})."""\n'
             f"    {SCHEDULES[s.schedule]}"]
    if strategy == "numerical":
        parts.append((CENTERED if s.centered else NUMERICAL).strip("\n"))
    parts.append((SGD if s.update == "sgd" else MOMENTUM).strip("\n"))
    return "\n\n\n".join(parts)


def step_lines(s, strategy: str, f: str, per: str, analytic: list[str]) -> list[str]:
    """The loop's body up to the move: `f` is the function to make higher, `per` what a forward pass costs
    (" * len(batch)" or ""), `analytic` the lines that set `grads` for the analytic strategy (at `at`)."""
    if strategy == "random":
        return [f"x = random_search(x, rng, {f})", f"forward_passes += TRIES{per}"]
    at = LOOK_AHEAD[s.update]
    lines = ["lr = step_size_at(k)"]
    if at != "x":
        lines.append(f"at = {at}  # Nesterov: the pull is taken where the velocity is carrying x")
    at = "at" if at != "x" else "x"
    if strategy == "numerical":
        cost = "2 * len(x)" if s.centered else "(len(x) + 1)"
        lines += [f"grads = numerical_gradient({at}, {f})", f"forward_passes += {cost}{per}"]
    else:
        lines += [line.format(at=at) for line in analytic]
    return lines + ["x = move(x, grads, lr, velocity)"]


PRINT = 'print(json.dumps({}, allow_nan=False, separators=(", ", ": ")))'

MAIN = '''
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=STEPS, help="steps to take (default: the lesson's)")
    parser.add_argument("--seed", type=int, default=SEED, help="the random seed (default: the lesson's)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    __START__
    velocity = [0.0] * len(x)
    forward_passes = backward_passes = 0

__LINE__

    last, stopped, t0 = line(0, __NONE__), None, time.perf_counter()
    __PRINT_LAST__
    for k in range(args.steps):
__LOOP__
        now = line(k + 1, __NOW__)
        bad = diverged(__CHECK__)
        if bad:
            stopped = f"diverged at step {k + 1:,}: {bad}"
            break
        last = now
        __PRINT_NOW__
    summary = {"steps": last["step"], "strategy": STRATEGY, "output": last["output"],
               "forward_passes": last["forward_passes"], "backward_passes": last["backward_passes"],
__SUMMARY__}
    __PRINT_SUMMARY__
    if stopped:
        print(f"{stopped}; the last finite state is step {last['step']:,}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. `python lesson.py | head`: the reader has all it wanted
        sys.stdout = None  # nothing left to flush into the closed pipe at exit
'''


def main_code(start: str, line: str, loop: list[str], now: str, check: str, summary: list[str]) -> str:
    """The program's main(), the same for every kind: the arguments; `start`, the line that sets the parameters x;
    `line`, the nested function that makes a step's JSON line; the start's line (line(0, None, ...)); then each
    step's `loop` (its batch, the strategy's lines, the move), its line (line(k + 1, `now`)) and the stop at the
    first number that is not finite (diverged(`check`)); then the summary, `summary` its keys after the common ones,
    and the exit code (1: diverged)."""
    keys = ['"seconds": round(time.perf_counter() - t0, 6)', '"stopped": stopped', *summary]
    nones = ", ".join("None" for _ in now.split(", "))  # the start's line: no step taken, nothing inside
    return (MAIN.strip("\n").replace("__START__", start).replace("__LINE__", line.strip("\n"))
            .replace("__NONE__", nones).replace("__NOW__", now).replace("__CHECK__", check)
            .replace("__LOOP__", "\n".join(f"        {ln}".rstrip() for ln in loop))
            .replace("__SUMMARY__", "\n".join(wrap("", keys, "", indent=" " * 15)))
            .replace("__PRINT_LAST__", PRINT.format("last")).replace("__PRINT_NOW__", PRINT.format("now"))
            .replace("__PRINT_SUMMARY__", PRINT.format('{"summary": summary}')))
