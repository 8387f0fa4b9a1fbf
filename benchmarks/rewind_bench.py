"""Rewind (engine.rewind) on long runs: the memory a run's timeline takes, what it costs a step, and how long going
to a random step takes; headless through Session, then in the app (a scrub key -> the status line shows the step).

    python benchmarks/rewind_bench.py                      # 1,000,000 circuit steps, 100,000 neural_net steps
    python benchmarks/rewind_bench.py --steps 200000 --no-app

Each run is a child process of its own, so its peak RSS (VmHWM) is its own: "without" is the same session made
without rewind (what headless runs use: it keeps nothing, as every session did before rewind), "with" the
session as it is; the two alternate `--repeat` times and the fastest of each is shown (other processes on the
machine slow some runs). tracemalloc measures what the timeline itself holds at the end (its keyframes, the pool
and the recent snapshots) on a separate, shorter traced run, since tracing every allocation slows a run ~3x.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hnn_tui.engine import Session, load_scenario  # noqa: E402
from hnn_tui.engine.rewind import NoTimeline  # noqa: E402

LESSONS = {"circuit": ("neuron", "analytic"), "classifier": ("neural_net", "analytic")}


def peak_rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def pct(xs, q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def child(kind: str, steps: int, off: bool, targets: int) -> dict:
    """One run in this process: steps/s and peak RSS; with the timeline, goto latency over random targets."""
    name, strategy = LESSONS[kind]
    s = Session(load_scenario(name), strategy, rewind=not off)
    base = peak_rss_kb()
    t = time.perf_counter()
    for _ in range(steps):
        s.step()
    run = time.perf_counter() - t
    out = {"kind": kind, "lesson": name, "steps": steps, "timeline": not off, "steps_per_s": steps / run,
           "rss_start_kb": base, "peak_rss_kb": peak_rss_kb()}
    if off:
        return out
    tl = s.timeline
    rng = random.Random(0)
    lat, replayed = [], []
    for k in [rng.randrange(steps + 1) for _ in range(targets)]:
        t = time.perf_counter()
        s.goto(k)
        lat.append(time.perf_counter() - t)
        replayed.append(tl.replayed)
    s.goto(steps)
    back = []  # `<` from the newest step, 50 times
    for k in range(steps - 1, steps - 51, -1):
        t = time.perf_counter()
        s.goto(k)
        back.append(time.perf_counter() - t)
    out.update(keyframes=len(tl), stride=tl.stride, keyframe_bytes=tl.nbytes(), goto_p50_ms=pct(lat, 0.5) * 1e3,
               goto_p95_ms=pct(lat, 0.95) * 1e3, goto_max_ms=max(lat) * 1e3, replayed_max=max(replayed),
               back_p50_ms=pct(back, 0.5) * 1e3, back_max_ms=max(back) * 1e3, peak_rss_kb=peak_rss_kb())
    return out


def traced(kind: str, steps: int) -> dict:
    """What the timeline holds after `steps` steps, by tracemalloc (traced from the start): the memory given back
    when the session's timeline is dropped (the same run without one holds none of it)."""
    import gc
    name, strategy = LESSONS[kind]
    tracemalloc.start()
    s = Session(load_scenario(name), strategy, rewind=True)
    for _ in range(steps):
        s.step()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0]
    s.timeline = NoTimeline()
    gc.collect()
    freed = held - tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return {"kind": kind, "steps": steps, "timeline_bytes": freed}


async def app_scrub(steps: int, presses: int = 40) -> dict:
    """A scrub key in the app (headless): press -> the status line names the new step."""
    from hnn_tui.app import HnnApp
    app = HnnApp("neuron")
    lat = []
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await pilot.press("3")
        screen.advance(steps)
        await pilot.pause()
        moves = [("less_than_sign", -1)] * 20 + [("pageup", -10)] * 10 + [("greater_than_sign", 1)] * 5 + \
            [("pagedown", 10)] * 5
        for key, delta in moves[:presses]:
            want = screen.snapshot.step + delta
            t = time.perf_counter()
            await pilot.press(key)
            while screen.snapshot.step != want or not re.search(rf"step {want:,}\b", status(screen)):
                await asyncio.sleep(0.0005)
            lat.append(time.perf_counter() - t)
        work = []  # the UI thread's own work for a key: goto + every panel drawn from the snapshot
        for delta in [-1] * 20 + [-10] * 10 + [1] * 10:
            t = time.perf_counter()
            screen.action_scrub(delta)
            work.append(time.perf_counter() - t)
            await pilot.pause()
        knob = []  # the same round trip for a key that only changes a setting (the step size), for comparison
        for key, word in [("minus", "0.005"), ("equals_sign", "0.01")] * 10:
            t = time.perf_counter()
            await pilot.press(key)
            while f"step size {word}" not in status(screen):
                await asyncio.sleep(0.0005)
            knob.append(time.perf_counter() - t)
        await pilot.press("home")
        t = time.perf_counter()
        await pilot.pause()
        home = time.perf_counter() - t
    return {"app_steps": steps, "scrub_p50_ms": pct(lat, 0.5) * 1e3, "scrub_p95_ms": pct(lat, 0.95) * 1e3,
            "scrub_max_ms": max(lat) * 1e3, "home_ms": home * 1e3, "work_p50_ms": pct(work, 0.5) * 1e3,
            "work_p95_ms": pct(work, 0.95) * 1e3, "work_max_ms": max(work) * 1e3, "knob_p50_ms": pct(knob, 0.5) * 1e3,
            "knob_p95_ms": pct(knob, 0.95) * 1e3}


def status(screen) -> str:
    return str(screen.query_one("#status").render())


def spawn(*args) -> dict:
    out = subprocess.run([sys.executable, __file__, *map(str, args)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=1_000_000, help="circuit steps (neuron, analytic)")
    ap.add_argument("--classifier-steps", type=int, default=100_000, help="neural_net steps")
    ap.add_argument("--targets", type=int, default=200, help="random steps to go to")
    ap.add_argument("--traced-steps", type=int, default=100_000, help="the traced runs' steps")
    ap.add_argument("--app-steps", type=int, default=100_000, help="steps before scrubbing in the app")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each, alternating; the fastest of each is shown")
    ap.add_argument("--no-app", action="store_true")
    ap.add_argument("--child", nargs=3, metavar=("KIND", "STEPS", "OFF"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.child[0], int(a.child[1]), a.child[2] == "off", a.targets)), flush=True)
        return
    rows = []
    for kind, steps in (("circuit", a.steps), ("classifier", a.classifier_steps)):
        runs = [(spawn("--child", kind, steps, "off", "--targets", a.targets),
                 spawn("--child", kind, steps, "on", "--targets", a.targets)) for _ in range(a.repeat)]
        without = max((r[0] for r in runs), key=lambda r: r["steps_per_s"])  # the least disturbed of each
        with_ = max((r[1] for r in runs), key=lambda r: r["steps_per_s"])
        trace = traced(kind, min(steps, a.traced_steps))
        rows.append((without, with_, trace))
    print("| lesson | steps | peak RSS without / with timeline | timeline (tracemalloc) | steps/s without / with "
          "| keyframes (stride) | go to a random step p50 / p95 / max | steps replayed at most | `<` from the "
          "newest p50 / max |")
    print("|---|---|---|---|---|---|---|---|---|")
    for without, w, trace in rows:
        print(f"| {w['lesson']} | {w['steps']:,} | {without['peak_rss_kb'] / 1024:.1f} / {w['peak_rss_kb'] / 1024:.1f}"
              f" MB | {trace['timeline_bytes'] / 1e6:.2f} MB after {trace['steps']:,} steps | "
              f"{without['steps_per_s']:,.0f} / {w['steps_per_s']:,.0f} | {w['keyframes']:,} ({w['stride']:,}) | "
              f"{w['goto_p50_ms']:.1f} / {w['goto_p95_ms']:.1f} / {w['goto_max_ms']:.1f} ms | "
              f"{w['replayed_max']:,} | {w['back_p50_ms']:.2f} / {w['back_max_ms']:.2f} ms |")
    if not a.no_app:
        r = asyncio.run(app_scrub(a.app_steps))
        print(f"\napp (neuron, {r['app_steps']:,} steps, 120x40 headless): scrub key -> status line p50 "
              f"{r['scrub_p50_ms']:.1f} / p95 {r['scrub_p95_ms']:.1f} / max {r['scrub_max_ms']:.1f} ms (the same "
              f"harness for the step size key: p50 {r['knob_p50_ms']:.1f} / p95 {r['knob_p95_ms']:.1f} ms); the UI "
              f"thread's own work per scrub (goto + every panel drawn): p50 {r['work_p50_ms']:.1f} / p95 "
              f"{r['work_p95_ms']:.1f} / max {r['work_max_ms']:.1f} ms")


if __name__ == "__main__":
    main()
