"""Where a full-speed run's terminal output goes: bytes per second and per frame, by region of the screen.

    python benchmarks/regions.py neural_net 200x60
    python benchmarks/regions.py neuron 120x40 --seconds 5

The app runs in a pty behind a fast link (benchmarks/slow_link.py's relay); its output is split at each
cursor move (ESC [ row ; col H) and each piece counted to the region it lands in: the status lines, the
left and right halves of the upper panes, the rows below them. A frame is counted at each cursor-position
question the app asks after painting.
"""
from __future__ import annotations

import argparse
import re
import time
from collections import Counter

from slow_link import CSI, PROBE, Relay, hnn_tui

MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")


def region(row: int, col: int, cols: int, rows: int) -> str:
    if row <= 1:
        return "title"
    if row <= 4:
        return "status"
    if row >= rows:
        return "footer"
    side = "left" if col < cols * 0.45 else "right"
    return f"{side}, {'upper' if row < rows * 0.75 else 'lower'}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scenario")
    p.add_argument("size", help="COLSxROWS")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--rate", type=float, default=None, help="bytes/s of the link (default: no limit)")
    args = p.parse_args()
    cols, rows = map(int, args.size.split("x"))
    out = bytearray()
    relay = Relay([hnn_tui(), args.scenario], cols, rows, args.rate, out.extend)
    try:
        while b"forward passes" not in CSI.sub(b"", bytes(out)):
            relay.pump(0.01)
        relay.send(b"....")
        relay.send(b" ")
        end = time.monotonic() + 1.0  # let the run settle
        while time.monotonic() < end:
            relay.pump(0.01)
        start, t0 = len(out), time.monotonic()
        while time.monotonic() - t0 < args.seconds:
            relay.pump(0.01)
        dt = time.monotonic() - t0
        run = bytes(out[start:])
    finally:
        relay.close()
    by, here = Counter(), "status"
    last = 0
    for m in MOVE.finditer(run):
        by[here] += m.start() - last
        here, last = region(int(m.group(1)), int(m.group(2)), cols, rows), m.start()
    by[here] += len(run) - last
    frames = max(1, run.count(PROBE))
    print(f"{args.scenario} at {args.size}: {len(run) / dt / 1000:.0f} KB/s, {frames / dt:.1f} frames/s, "
          f"{len(run) / frames / 1000:.1f} KB a frame")
    for name, n in by.most_common():
        print(f"  {name:<14} {n / dt / 1000:6.1f} KB/s  {n / frames:7.0f} bytes a frame")


if __name__ == "__main__":
    main()
