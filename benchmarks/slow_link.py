"""hnn-tui behind a slow link: key -> screen latency and bytes/s during a full-speed run.

    python benchmarks/slow_link.py                          # fast, 1 Mbit/s, 256 kbit/s x 80x24, 120x40, 200x60
    python benchmarks/slow_link.py --rates 32000 --sizes 120x40 --scenarios neural_net

The relay is this file's own (not ../shared): the app runs in a pseudo-terminal whose output is passed on at no
more than RATE bytes/s (125,000 is 1 Mbit/s, 32,000 is 256 kbit/s), as a slow SSH link does once its buffers are
full; keys go straight in. The far end is a terminal emulator (pyte, the `bench` extra) that answers the
cursor-position questions (DSR) the app asks, as a real terminal does once the question has reached it.
A key's latency is from writing its byte to the terminal's screen showing its effect (the step size).
"""
from __future__ import annotations

import argparse
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

from hnn_tui.engine.runner import ladder

PROBE = b"\x1b[6n"
ANSWER = b"\x1b[1;1R"
CSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]")


def hnn_tui() -> str:
    beside = Path(sys.executable).parent / "hnn-tui"
    return str(beside) if beside.exists() else shutil.which("hnn-tui") or "hnn-tui"


class Relay:
    """The app in a pty of cols x rows; its output reaches `sink` at no more than `rate` bytes/s (None: at once).

    Every DSR question in the output is answered once it has passed the link, as the terminal would. Call pump()
    often; it moves whatever the link allows.
    """

    def __init__(self, args: list[str], cols: int, rows: int, rate: float | None, sink=None, env=None):
        self.rate, self.sink = rate, sink
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = dict(os.environ if env is None else env, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                                     start_new_session=True)
        os.close(slave)
        self.start, self.passed, self.answers = time.monotonic(), 0, 0
        self.answer = True  # False: a terminal that ignores DSR questions
        self.tail = b""  # the last bytes passed, so a question split across two reads is still seen

    def pump(self, timeout: float = 0.01) -> int:
        """Pass on what the link allows within `timeout` seconds; returns the bytes passed."""
        r, _, _ = select.select([self.master], [], [], timeout)
        if not r:
            return 0
        allowed = 65536 if self.rate is None else int(self.rate * (time.monotonic() - self.start) - self.passed)
        if allowed < 256:  # the link is full: the bytes stay in the pty, and the app's writes block behind them
            time.sleep(min(timeout, (256 - allowed) / self.rate))
            return 0
        try:
            data = os.read(self.master, min(allowed, 4096))
        except OSError:
            return 0
        self.passed += len(data)
        if self.sink:
            self.sink(data)
        seen = self.tail + data
        for _ in range(seen.count(PROBE) - self.tail.count(PROBE) if self.answer else 0):
            os.write(self.master, ANSWER)
            self.answers += 1
        self.tail = seen[-(len(PROBE) - 1):]
        return len(data)

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> None:
        try:
            self.send(b"q")
            end = time.monotonic() + 5
            while self.proc.poll() is None and time.monotonic() < end:
                self.pump(0.02)  # let the link drain, so the app can write its last frames and exit
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            os.close(self.master)


class Screen:
    """What the far terminal shows (pyte), or, without pyte, the text passed since the last mark."""

    def __init__(self, cols: int, rows: int):
        import pyte

        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)

    def feed(self, data: bytes) -> None:
        self.stream.feed(data)

    def text(self) -> str:
        return "\n".join(self.screen.display)


def full_speed_run(relay: Relay, shows, seconds: float, presses: int) -> dict:
    """Speed max, run, measure bytes/s for `seconds`, then `presses` keys' latency (step size up and down)."""
    def wait_for(needle: str, timeout: float = 30.0, gone: bool = False) -> float:
        t0 = time.monotonic()
        while (needle in shows()) if gone else (needle not in shows()):
            if time.monotonic() - t0 > timeout:
                raise TimeoutError(f"{needle!r} never {'went' if gone else 'appeared'}:\n{shows()}")
            relay.pump(0.005)
        return time.monotonic() - t0

    first = wait_for("forward passes")
    for _ in range(4):
        relay.send(b".")
    wait_for("speed max")
    relay.send(b" ")
    wait_for("paused", gone=True)  # running (at 80 columns the word itself may be cut off)
    t0, b0 = time.monotonic(), relay.passed
    while time.monotonic() - t0 < seconds:
        relay.pump(0.01)
    rate = (relay.passed - b0) / (time.monotonic() - t0)
    latencies = []
    start = float(re.search(r"step size (\S+) ", shows()).group(1))  # the lesson's own, e.g. 0.01 or 0.1
    down = f"step size {ladder(start, False):g} "  # one notch down and back: up could make a lesson diverge
    for i in range(presses):
        key, want = [(b"-", down), (b"=", f"step size {start:g} ")][i % 2]
        relay.send(key)
        latencies.append(wait_for(want) * 1000)
        end = time.monotonic() + 0.1
        while time.monotonic() < end:
            relay.pump(0.005)
    slow = "slow link:" in shows()
    return {"first_frame_s": first, "bytes_per_s": rate, "latency_ms": latencies, "said_slow": slow}


def pct(xs, q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rates", default="fast,125000,32000", help="bytes/s of the link; fast = no limit")
    p.add_argument("--sizes", default="80x24,120x40,200x60")
    p.add_argument("--scenarios", default="neuron,neural_net")
    p.add_argument("--seconds", type=float, default=8.0, help="of the full-speed run before the keys")
    p.add_argument("--presses", type=int, default=20)
    args = p.parse_args()
    print("| scenario | size | link | first frame | bytes/s | key -> screen median | p95 | says slow link |")
    print("|---|---|---|---|---|---|---|---|")
    for scenario in args.scenarios.split(","):
        for size in args.sizes.split(","):
            cols, rows = map(int, size.split("x"))
            for rate_text in args.rates.split(","):
                rate = None if rate_text == "fast" else float(rate_text)
                screen = Screen(cols, rows)
                relay = Relay([hnn_tui(), scenario], cols, rows, rate, screen.feed)
                try:
                    r = full_speed_run(relay, screen.text, args.seconds, args.presses)
                finally:
                    relay.close()
                link = "fast" if rate is None else f"{rate * 8 / 1000:,.0f} kbit/s"
                ms = r["latency_ms"]
                print(f"| {scenario} | {size} | {link} | {r['first_frame_s']:.2f} s | "
                      f"{r['bytes_per_s'] / 1000:.0f} KB/s | {statistics.median(ms):.0f} ms | {pct(ms, 0.95):.0f} ms | "
                      f"{r['said_slow']} |", flush=True)


if __name__ == "__main__":
    main()
