"""Long headless runs: memory stays bounded and steps do not slow down over time.

    python tools/long_run.py                       # the neuron for 1,000,000 steps, the net for 100,000
    python tools/long_run.py --neuron 100000 --net 10000

Each run goes through Session.step() and keeps the output (and each measure) in a History, as the app does.
Prints, per scenario: steps, seconds, steps/s in the first and last tenth, the traced memory after the
first tenth and at the end, the traced peak (tracemalloc) and the process's max RSS.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hnn_tui.engine import Session, load_scenario  # noqa: E402
from hnn_tui.engine.history import History  # noqa: E402


def long_run(name: str, steps: int, chunks: int = 10, strategy: str | None = None) -> dict:
    """Step `name` for `steps` steps in `chunks` pieces; memory is traced from just before the first step."""
    session = Session(load_scenario(name), strategy)
    outputs, measures = History(), {m: History() for m in session.current.measures}
    per_chunk = steps // chunks
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    rates, memory = [], []
    snap = session.current
    for _ in range(chunks):
        t0 = time.perf_counter()
        for _ in range(per_chunk):
            snap = session.step()
            outputs.add(snap.step, snap.output)
            for m, value in snap.measures.items():
                measures[m].add(snap.step, value)
            if snap.diverged:
                raise RuntimeError(snap.diverged)
        rates.append(per_chunk / (time.perf_counter() - t0))
        memory.append(tracemalloc.get_traced_memory()[0] - base)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return {"name": name, "steps": snap.step, "rates": rates, "memory": memory, "peak": peak,
            "history": len(outputs), "history_capacity": outputs.capacity, "last_history_step": outputs.steps[-1]}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--neuron", type=int, default=1_000_000, help="steps of the neuron")
    p.add_argument("--net", type=int, default=100_000, help="steps of the neural net")
    args = p.parse_args()
    if min(args.neuron, args.net) < 10 or args.neuron % 10 or args.net % 10:
        p.error("step counts must be multiples of 10 (the run is measured in tenths), at least 10")
    t_all = time.perf_counter()
    for name, steps in (("neuron", args.neuron), ("neural_net", args.net)):
        t0 = time.perf_counter()
        r = long_run(name, steps)
        dt = time.perf_counter() - t0
        print(f"{name}: {r['steps']:,} steps in {dt:.1f} s (traced); steps/s first tenth {r['rates'][0]:,.0f}, "
              f"last tenth {r['rates'][-1]:,.0f} (ratio {r['rates'][-1] / r['rates'][0]:.2f})")
        print(f"  traced memory after the first tenth {r['memory'][0] / 1024:.1f} KiB, at the end "
              f"{r['memory'][-1] / 1024:.1f} KiB, peak {r['peak'] / 1024:.1f} KiB; history {r['history']} "
              f"samples (capacity {r['history_capacity']}), last at step {r['last_history_step']:,}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"process max RSS {rss / 1024:.1f} MiB; total {time.perf_counter() - t_all:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
