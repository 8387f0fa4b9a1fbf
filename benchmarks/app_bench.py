"""The app under load: key latency and chart rate headless (run_test), and a real pty for bytes and cold start."""
from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import re
import select
import shutil
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from textual import events

from hnn_tui.app import HnnApp
from hnn_tui.widgets.charts import HistoryChart

SCENARIO = "neural_net"  # the bundled classifier with the most work per step (boundary + two charts)
MAX_SPEED = 7  # playground.SPEEDS[7] == 0: as fast as the engine goes
KEYS = [("equals_sign", "=", "0.02"), ("minus", "-", "0.01")]  # step size up and down the 1-2-5 ladder


def pct(xs, q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def status_text(screen) -> str:
    return str(screen.query_one("#status").render())


async def headless(size: tuple[int, int], presses: int = 30, run_seconds: float = 3.0) -> dict:
    """Key-press latency (press -> status line shows the new value) and chart refreshes/s during a full-speed run."""
    app = HnnApp(SCENARIO, seed=0)
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        shows = 0
        for chart in screen.query(HistoryChart):
            original = chart.show

            def counted(*a, _orig=original, **k):
                nonlocal shows
                shows += 1
                return _orig(*a, **k)
            chart.show = counted
        screen.speed = MAX_SPEED
        await pilot.press("space")
        await asyncio.sleep(0.5)
        s0, shows0, t0 = screen.snapshot.step, shows, time.perf_counter()
        await asyncio.sleep(run_seconds)
        dt = time.perf_counter() - t0
        charts_per_s = (shows - shows0) / 2 / dt  # two charts per rebuild
        steps_per_s = (screen.snapshot.step - s0) / dt
        latencies = []
        for i in range(presses):
            key, char, want = KEYS[i % 2]
            t0 = time.perf_counter()
            app.post_message(events.Key(key, char))  # as the driver posts it (pilot.press also waits for idle)
            while f"step size {want} " not in status_text(screen):
                if time.perf_counter() - t0 > 10:
                    raise TimeoutError(f"the status line never showed step size {want}")
                await asyncio.sleep(0.001)
            latencies.append((time.perf_counter() - t0) * 1000)
            await asyncio.sleep(0.05)
        running = screen.running
        await pilot.press("space")
    return {"latency_ms": latencies, "charts_per_s": charts_per_s, "steps_per_s": steps_per_s, "running": running}


# ---- through a real pseudo-terminal -----------------------------------------------------------
def hnn_tui_script() -> str:
    return str(Path(sys.executable).parent / "hnn-tui") if (Path(sys.executable).parent / "hnn-tui").exists() \
        else shutil.which("hnn-tui")


class Term:
    """hnn-tui in a pty of cols x rows, its output fed to a pyte screen."""

    def __init__(self, cols: int, rows: int, args=(SCENARIO,)):
        import pyte

        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen([hnn_tui_script(), *args], stdin=slave, stdout=slave, stderr=slave,
                                     env=env, close_fds=True, start_new_session=True)
        os.close(slave)
        self.bytes = 0

    def pump(self, timeout: float) -> int:
        """Read whatever arrives within `timeout` seconds; returns the bytes read."""
        r, _, _ = select.select([self.master], [], [], timeout)
        if not r:
            return 0
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:
            return 0
        self.bytes += len(data)
        self.stream.feed(data)
        return len(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = 10.0) -> float:
        t0 = time.perf_counter()
        while needle not in self.text():
            if time.perf_counter() - t0 > timeout:
                raise TimeoutError(f"{needle!r} never appeared:\n{self.text()}")
            self.pump(0.01)
        return time.perf_counter() - t0

    def wait_for_change(self, pattern: re.Pattern, was: str, timeout: float = 10.0) -> None:
        """Until `pattern`'s first group on the screen is something other than `was`."""
        t0 = time.perf_counter()
        while (m := pattern.search(self.text())) is None or m.group(1) == was:
            if time.perf_counter() - t0 > timeout:
                raise TimeoutError(f"{pattern.pattern!r} stayed {was!r}:\n{self.text()}")
            self.pump(0.01)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        self.send(b"q")
        try:
            self.proc.wait(3)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


def cold_start(runs: int = 5) -> list[float]:
    """Seconds from launching `hnn-tui neural_net` to the first frame with the status line painted."""
    out = []
    for _ in range(runs):
        t = Term(120, 40)
        t.wait_for("forward passes", 20)
        out.append(time.perf_counter() - t.t0)
        t.close()
    return out


STEP_SIZE = re.compile(r"step size (\S+) ")
STEPS_PER_S = re.compile(r"at ([\d,]+) steps/s")


def terminal_run(cols: int = 120, rows: int = 40, seconds: float = 5.0, presses: int = 20,
                 scenario: str = SCENARIO, data: str | None = None) -> dict:
    """Bytes/s written during a full-speed run (and the steps/s its status line shows meanwhile), then key ->
    painted-screen latency in the same run: `=` and `-` move the step size one notch up and back down, whatever
    the scenario's is; `data`: the scenario opened on that CSV file's points (--data)."""
    t = Term(cols, rows, args=(scenario,) + (("--data", data) if data else ()))
    try:  # whatever happens (a wait that times out), the app is closed: left alone it fills memory
        t.wait_for("forward passes", 20)
        for _ in range(3):  # speed 30/s -> max
            t.send(b".")
            time.sleep(0.05)
        t.wait_for("speed max")
        t.send(b" ")
        t.wait_for("running")
        time.sleep(0.5)
        while t.pump(0.0):
            pass
        b0, t0, shown = t.bytes, time.perf_counter(), []
        while time.perf_counter() - t0 < seconds:
            t.pump(0.05)
            m = STEPS_PER_S.search(t.text())
            if m:
                shown.append(int(m.group(1).replace(",", "")))
        rate = (t.bytes - b0) / (time.perf_counter() - t0)
        start = STEP_SIZE.search(t.text()).group(1)
        t.send(b"=")
        t.wait_for_change(STEP_SIZE, start)
        up = STEP_SIZE.search(t.text()).group(1)
        t.send(b"-")
        t.wait_for(f"step size {start} ")
        latencies = []
        for i in range(presses):
            key, want = [(b"=", up), (b"-", start)][i % 2]
            t0 = time.perf_counter()
            t.send(key)
            t.wait_for(f"step size {want} ")
            latencies.append((time.perf_counter() - t0) * 1000)
            end = time.perf_counter() + 0.05
            while time.perf_counter() < end:
                t.pump(0.01)
        still_running = "running" in t.text()
    finally:
        t.close()
    return {"bytes_per_s": rate, "latency_ms": latencies, "running": still_running,
            "steps_per_s": statistics.median(shown) if shown else None}


def summary(ms) -> tuple[float, float]:
    return statistics.median(ms), pct(ms, 0.95)


def main() -> None:
    """python benchmarks/app_bench.py [--sizes 80x24,120x40,200x60] [--scenario NAME] [--data FILE.csv]: the pty
    measures alone."""
    import argparse

    p = argparse.ArgumentParser(description=main.__doc__)
    p.add_argument("--sizes", default="80x24,120x40,200x60")
    p.add_argument("--scenario", default=SCENARIO)
    p.add_argument("--presses", type=int, default=40)
    p.add_argument("--data", metavar="FILE.csv", help="open the scenario on these points")
    args = p.parse_args()
    on = f" on {args.data}" if args.data else ""
    print(f"{args.scenario}{on} at speed max, through a pty ({args.presses} key presses after a 5 s run)")
    print("| size | bytes/s | steps/s (status line, median) | key -> screen median | p95 | still running |\n"
          "|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        cols, rows = map(int, size.split("x"))
        r = terminal_run(cols, rows, presses=args.presses, scenario=args.scenario, data=args.data)
        steps = "-" if r["steps_per_s"] is None else f"{r['steps_per_s']:,.0f}"
        print(f"| {size} | {r['bytes_per_s'] / 1000:.0f} KB/s | {steps} | {pct(r['latency_ms'], 0.5):.0f} ms | "
              f"{pct(r['latency_ms'], 0.95):.0f} ms | {r['running']} |")


if __name__ == "__main__":
    main()
