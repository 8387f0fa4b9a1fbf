"""All of hnn-tui's benchmarks in one run, ratios first.

Run: python benchmarks/run_all.py [--quick] [--vectorized]   (after: pip install -e '.[bench]')
--quick times micrograd over 10 steps instead of the demo's 100 (its accuracy is then not comparable).
--vectorized runs only the numpy engine's section (1b) and the vectorized_speed lesson in the app.
"""
from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import app_bench  # noqa: E402
import engine_bench  # noqa: E402
import redraw  # noqa: E402


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    import os
    from importlib.metadata import version
    vs = ", ".join(f"{p} {version(p)}" for p in ("textual", "plotext", "numpy", "micrograd", "pyte"))
    return f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}; {vs}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--vectorized", action="store_true", help="only the numpy engine's section")
    args = p.parse_args()
    steps = 10 if args.quick else 100
    print(f"machine: {machine()}\n")
    if args.vectorized:
        vectorized_section(app=True)
        return

    hnn = engine_bench.hnn_train()
    npy = engine_bench.numpy_train()
    mg = engine_bench.micrograd_train(steps, gc_off=False)
    mg_off = engine_bench.micrograd_train(steps, gc_off=True)
    bf = engine_bench.backward_forward()
    print("## 1. Training throughput: micrograd's demo (moons 100, 2-16-16-1 ReLU, hinge + L2, 100 full-batch steps)")
    print("| | steps/s | final training accuracy |\n|---|---|---|")
    print(f"| hnn-tui analytic (Session over benchmarks/moons_mlp.toml) | {hnn['steps_per_s']:.1f} "
          f"| {hnn['accuracy']:.2f} |")
    print(f"| micrograd 0.1.0 as published ({steps} steps) | {mg['steps_per_s']:.2f} | {mg['accuracy']:.2f} |")
    print(f"| micrograd 0.1.0, gc disabled ({steps} steps) | {mg_off['steps_per_s']:.2f} | {mg_off['accuracy']:.2f} |")
    print(f"| numpy, same workload | {npy['steps_per_s']:.0f} | {npy['accuracy']:.2f} |")
    print(f"\nratio hnn-tui / micrograd: {hnn['steps_per_s'] / mg['steps_per_s']:.0f}x (target >= 50x)")
    print(f"ratio hnn-tui / micrograd with gc off: {hnn['steps_per_s'] / mg_off['steps_per_s']:.0f}x")
    print(f"ratio numpy / hnn-tui: {npy['steps_per_s'] / hnn['steps_per_s']:.0f}x")
    print(f"first step (every point pulling): hnn-tui {hnn['first_step_s'] * 1000:.1f} ms; "
          f"same initial weights as micrograd: {mg['same_init']}\n")

    vectorized_section(app=False)

    print("## 2. Backward / forward time")
    print("| workload | forward | backward | backward / forward |\n|---|---|---|---|")
    for name, (f, b) in bf.items():
        print(f"| {name} | {f * 1e6:.2f} us | {b * 1e6:.2f} us | {b / f:.2f} |")
    print()

    print("## 3. Strategies on the bundled scenarios (cost to reach the target)")
    print("| scenario | target | strategy | reached | steps | forward passes | backward passes | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for name, target, strategy, r in engine_bench.strategies_table():
        print(f"| {name} | {target} | {strategy} | {'yes' if r['reached'] else 'no'} | {r['steps']} | "
              f"{r['forwards']:,} | {r['backwards']:,} | {r['seconds']:.4f} |")
    print()

    print("## 4. The app under load (scenario neural_net, run at speed max)")
    print("| measure | 120x40 | 200x60 | target |\n|---|---|---|---|")
    sizes = ((120, 40), (200, 60))
    red = {s: asyncio.run(redraw.measure(s, 40)) for s in sizes}
    head = {s: asyncio.run(app_bench.headless(s)) for s in sizes}
    term = {s: app_bench.terminal_run(*s) for s in sizes}

    def row(label: str, fn, target: str = "") -> None:
        print(f"| {label} | " + " | ".join(fn(s) for s in sizes) + f" | {target} |")

    def ms(xs, q: float) -> str:
        return f"{app_bench.pct(xs, q):.1f} ms"

    row("classifier screen redraw (boundary + 2 charts), median", lambda s: ms(red[s]["ours_screen"], 0.5),
        "<= 33 ms at 120x40")
    row("classifier screen redraw, p95", lambda s: ms(red[s]["ours_screen"], 0.95))
    row("key -> status line updated (run_test), median", lambda s: ms(head[s]["latency_ms"], 0.5))
    row("key -> status line updated (run_test), p95", lambda s: ms(head[s]["latency_ms"], 0.95), "<= 100 ms")
    row("chart rebuilds per second during the run", lambda s: f"{head[s]['charts_per_s']:.1f}", ">= 10")
    row("engine steps/s while the UI runs", lambda s: f"{head[s]['steps_per_s']:,.0f}")
    row("pty: bytes written per second", lambda s: f"{term[s]['bytes_per_s'] / 1000:.0f} KB/s", "<= 250 KB/s at 120x40")
    row("pty: key -> painted screen, median", lambda s: ms(term[s]["latency_ms"], 0.5))
    row("pty: key -> painted screen, p95", lambda s: ms(term[s]["latency_ms"], 0.95), "<= 100 ms")
    cold = app_bench.cold_start()
    print(f"| cold start: launch -> first painted frame (pty 120x40, median of 5) | {statistics.median(cold):.2f} s "
          "| | <= 1.0 s |")


def vectorized_section(app: bool) -> None:
    """The numpy engine (engine.vectorized) beside the hand-written numpy loop and the pure-Python engine, measured
    in one run (best of 3, interleaved); with `app`, the lesson vectorized_speed in the app through a pty too."""
    r = engine_bench.vectorized_table()
    print("## 1b. The vectorized engine: micrograd's demo (100 points, 100 full-batch steps) side by side")
    print("| | steps/s | final training accuracy |\n|---|---|---|")
    rows = [("hand-written numpy loop (engine_bench.numpy_train)", "hand"),
            ("numpy engine: Session over moons_mlp.toml, engine numpy (a snapshot a step)", "numpy"),
            ("numpy engine alone: the analytic step and update, no snapshot", "numpy_alone"),
            ("pure-Python engine: Session over moons_mlp.toml", "python"),
            ("pure-Python engine alone: the analytic step and update, no snapshot", "python_alone")]
    for label, key in rows:
        print(f"| {label} | {r[key]['steps_per_s']:,.0f} | {r[key]['accuracy']:.2f} |")
    ratio = {k: r[k]["steps_per_s"] for k in r}
    print(f"\nhand-written / numpy engine alone: {ratio['hand'] / ratio['numpy_alone']:.2f}x (target <= 2); "
          f"hand-written / numpy Session: {ratio['hand'] / ratio['numpy']:.2f}x")
    print(f"numpy engine / pure-Python engine, alone: {ratio['numpy_alone'] / ratio['python_alone']:.1f}x "
          f"(target >= 20); as Sessions: {ratio['numpy'] / ratio['python']:.1f}x")
    print("\n2,000-point spiral (vectorized_speed: 2-16-16-1 mlp, full batch), headless:")
    print("| | steps/s |\n|---|---|")
    for label, key in (("numpy engine, Session (200 steps)", "spiral_numpy"),
                       ("numpy engine alone (200 steps)", "spiral_numpy_alone"),
                       ("pure-Python engine, Session (5 steps)", "spiral_python")):
        print(f"| {label} | {r[key]['steps_per_s']:,.1f} |")
    print(f"\nnumpy / pure-Python on the spiral, as Sessions: {ratio['spiral_numpy'] / ratio['spiral_python']:.0f}x "
          "(target: >= 100 steps/s in the app)\n")
    if app:
        print("vectorized_speed in the app at speed max, through a pty (benchmarks/app_bench.py):")
        print("| size | bytes/s | steps/s (status line) | key -> screen median | p95 |\n|---|---|---|---|---|")
        for cols, rows_ in ((120, 40), (200, 60)):
            t = app_bench.terminal_run(cols, rows_, presses=40, scenario="vectorized_speed")
            steps = "-" if t["steps_per_s"] is None else f"{t['steps_per_s']:,.0f}"
            print(f"| {cols}x{rows_} | {t['bytes_per_s'] / 1000:.0f} KB/s | {steps} | "
                  f"{app_bench.pct(t['latency_ms'], 0.5):.0f} ms | {app_bench.pct(t['latency_ms'], 0.95):.0f} ms |")


if __name__ == "__main__":
    main()
