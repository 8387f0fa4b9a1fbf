"""Helpers shared by the test folders: the CLI in-process and in a real process, JSON checks, waiting on the app."""
from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
import threading
from pathlib import Path

from hnn_tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
SIZE = (120, 40)


# ---- the CLI ---------------------------------------------------------------------------------------

def cli(*args) -> tuple[int, str]:
    """Run `hnn-tui ARGS` in-process; returns (exit code, stdout text)."""
    out = io.StringIO()
    code = main([str(a) for a in args], out=out)
    return code, out.getvalue()


def process(*args, timeout=120) -> subprocess.CompletedProcess:
    """Run `python -m hnn_tui ARGS` as a real process."""
    return subprocess.run([sys.executable, "-m", "hnn_tui", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)


def strict_json(line: str):
    """json.loads that refuses NaN and Infinity (which are not JSON)."""
    def refuse(name):
        raise AssertionError(f"{name} in JSON output: {line[:80]}")
    return json.loads(line, parse_constant=refuse)


def json_lines(text: str) -> list:
    return [strict_json(ln) for ln in text.splitlines() if ln.strip()]


def numbers(obj):
    """Every number inside a parsed JSON value."""
    if isinstance(obj, dict):
        for v in obj.values():
            yield from numbers(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from numbers(v)
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        yield obj


def write(folder: Path, name: str, content) -> Path:
    """A file of text or bytes."""
    p = folder / name
    (p.write_bytes if isinstance(content, bytes) else p.write_text)(content)
    return p


def assert_one_line(err: str, source: str, key: str, words: str) -> None:
    """The bad-input contract on stderr: one line, `hnn-tui: FILE: KEY: ...` holding `words`, no traceback."""
    assert len(err.splitlines()) == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    head = f"hnn-tui: {source}: {key}: " if key else f"hnn-tui: {source}: "
    assert err.startswith(head), err
    assert words in err, err


# ---- exported programs (hnn-tui export) -------------------------------------------------------------

STDLIB_IMPORTS = [f"import {m}" for m in ("argparse", "json", "math", "random", "sys", "time")]


def run_json(*argv) -> tuple[int, list[dict]]:
    """`hnn-tui run ARGV --json` in-process: the exit code and the JSON lines."""
    code, text = cli("run", *argv, "--json")
    return code, [json.loads(ln) for ln in text.splitlines()]


def run_exported(path: Path, steps: int) -> subprocess.CompletedProcess:
    """An exported program run by a clean interpreter in its own folder: `python -I -S` (no PYTHONPATH, no current
    folder, no site-packages: the standard library alone, so not even an installed hnn_tui or numpy is in reach)."""
    return subprocess.run([sys.executable, "-I", "-S", path.name, "--steps", str(steps)], cwd=path.parent,
                          capture_output=True, text=True, timeout=60)


def export_and_run(tmp_path: Path, scenario, *options, steps: int) -> tuple[int, list[dict], str]:
    """`hnn-tui export SCENARIO OPTIONS` into a new empty folder (tmp_path/empty), its imports checked (the standard
    library's six, nothing else), then run there (run_exported): the exit code, the JSON lines, stderr."""
    folder = tmp_path / "empty"
    folder.mkdir()
    assert main(["export", str(scenario), "-o", str(folder / "lesson.py"), *options], io.StringIO()) == 0
    text = (folder / "lesson.py").read_text()
    assert [ln for ln in text.splitlines() if ln.lstrip().startswith(("import ", "from "))] == STDLIB_IMPORTS
    p = run_exported(folder / "lesson.py", steps)
    return p.returncode, [json.loads(ln) for ln in p.stdout.splitlines()], p.stderr


def same(a, b) -> bool:
    """Equal keys in the same order everywhere, equal numbers to 1e-9 (relative above 1), all else equal."""
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) <= 1e-9 * max(1, abs(b))
    return type(a) is type(b) and a == b


def assert_same_lines(program: list[dict], engine: list[dict]) -> None:
    """An exported program's JSON lines are `hnn-tui run --json`'s (same); the summaries' seconds may differ."""
    assert len(program) == len(engine)
    for got, want in zip(program[:-1], engine[:-1]):
        assert same(got, want), (got, want)
    got, want = dict(program[-1]["summary"]), dict(engine[-1]["summary"])
    assert got.pop("seconds") >= 0 and want.pop("seconds") >= 0
    assert same(got, want), (got, want)


# ---- the app ---------------------------------------------------------------------------------------

async def wait_for(pilot, condition, timeout: float = 10.0) -> None:
    """Let the app run until `condition()` holds (a worker thread needs real time)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        assert loop.time() < end, "timed out waiting for the app"
        await pilot.pause(0.02)


def status_text(app) -> str:
    return str(app.screen.query_one("#status").render())


def threads_inside(function: str, module: str) -> list[str]:
    """Names of threads whose stack is inside `function` of the file ending in `module`. Textual runs thread
    workers in the event loop's executor, whose idle threads stay alive: what matters is that none is working."""
    names = {t.ident: t.name for t in threading.enumerate()}
    found = []
    for ident, frame in sys._current_frames().items():
        while frame is not None:
            if frame.f_code.co_name == function and frame.f_code.co_filename.endswith(module):
                found.append(names.get(ident, str(ident)))
                break
            frame = frame.f_back
    return found


def threads_in_a_run() -> list[str]:
    """Threads still stepping a run (Runner.run)."""
    return threads_inside("run", "runner.py")
