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


def threads_in_a_run() -> list[str]:
    """Names of threads whose stack is inside a run's loop (Runner.run). Textual runs thread workers in the
    event loop's executor, whose idle threads stay alive: what matters is that none is still stepping."""
    names = {t.ident: t.name for t in threading.enumerate()}
    found = []
    for ident, frame in sys._current_frames().items():
        while frame is not None:
            if frame.f_code.co_name == "run" and frame.f_code.co_filename.endswith("runner.py"):
                found.append(names.get(ident, str(ident)))
                break
            frame = frame.f_back
    return found
