"""Redraw cost of the classifier screen, against plotext drawing the same boundary grid.

Run: python benchmarks/redraw.py [--repeat N] [--sizes 120x40,200x60] [--data FILE.csv]
Two screens: svm after 400 steps (bands, the 0 and ±1 lines, the points) and neural_net after 400 steps with its
neuron lines on and a batch point bracketed (the most the picture draws). Each redraw jitters the parameters, so
every line moves. The peer, measured in the same run, is the approach the shared notes measured: the boundary's
sign as a plotext scatter of grid cells in a textual-plotext PlotextPlot of the same size (no margins, no lines).
With --data, the svm screen on that CSV's points instead (e.g. 100,000 of them: the own-data issue's limit), and
the heldout lesson's screen (its charts draw a second, held-out curve each) is measured too.
"""
from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time

import numpy as np
from textual.geometry import Region
from textual_plotext import PlotextPlot

from hnn_tui.app import HnnApp
from hnn_tui.widgets.boundary_view import BoundaryView
from hnn_tui.widgets.charts import HistoryChart


def render(widget) -> None:
    """Render a widget's lines the way the compositor does (borders and all)."""
    widget.render_lines(Region(0, 0, widget.outer_size.width, widget.outer_size.height))


def plotext_boundary(plot: PlotextPlot, score, values, box) -> None:
    """The peer: the sign of the score on a grid of the plot's cells, as two plotext scatters."""
    w, h = plot.size
    x0, x1, y0, y1 = box
    X, Y = np.meshgrid(np.linspace(x0, x1, max(1, w - 8)), np.linspace(y0, y1, max(1, h - 4)))
    positive = score(values, X, Y) > 0
    plt = plot.plt
    plt.clear_data()
    plt.scatter(X[positive].tolist(), Y[positive].tolist(), marker="sd", color="blue")
    plt.scatter(X[~positive].tolist(), Y[~positive].tolist(), marker="sd", color="red")
    plot.refresh()


def neuron_lines(stage, values) -> tuple:
    """The net's first-layer neuron lines (name, a, b, c): the stage's own function when it has one, else read from
    the guide's parameter names a1, b1, c1 ... (the top neuron's a, b, c are weights, not a line)."""
    lines = tuple(getattr(stage, "neuron_lines", lambda v: ())(values))
    if lines:
        return lines
    idx = sorted({int(m) for p in values for m in re.findall(r"^a(\d+)$", p)})
    return tuple((f"n{i}", values[f"a{i}"], values[f"b{i}"], values[f"c{i}"]) for i in idx[:-1])


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


async def measure(size: tuple[int, int], repeat: int, scenario: str = "svm", neurons: bool = False,
                  data: str | None = None) -> dict:
    app = HnnApp(scenario, seed=0, data=data)
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        screen.advance(400)
        await pilot.pause()
        boundary = screen.query_one(BoundaryView)
        charts = list(screen.query(HistoryChart))
        rng = np.random.default_rng(0)
        base = dict(screen.snapshot.values)
        stage = screen.session.stage
        n = len(stage.labels)

        def boundary_redraw():
            values = {k: v + rng.normal(scale=0.05) for k, v in base.items()}
            lines = neuron_lines(stage, values) if neurons else ()
            boundary.show(values, batch=(int(rng.integers(n)),), neuron_lines=lines, show_neurons=neurons)
            render(boundary)

        panel = screen.panel
        held = [("training", "held-out", panel.seconds[k]) for k in panel.second_series] if stage.val_points \
            else [None, None]

        def screen_redraw():  # what one redraw tick of a running classifier costs at most
            boundary_redraw()
            for chart, history, second in zip(charts, [panel.outputs, panel.measures["accuracy"]], held):
                chart.show(history, second=second)
                render(chart)

        peer = PlotextPlot()
        await screen.mount(peer, before=boundary)
        boundary.display = False
        await pilot.pause()
        peer.styles.width, peer.styles.height = boundary.outer_size
        await pilot.pause()

        def peer_redraw():
            plotext_boundary(peer, screen.session.stage.score, base, boundary.box)
            render(peer)

        result = {"size": size, "grid": boundary.grid_shape, "points": n + len(stage.val_points),
                  "neurons": len(neuron_lines(stage, base)) if neurons else 0}
        boundary.display = True
        peer.display = False
        await pilot.pause()
        result["ours_boundary"] = timed(boundary_redraw, repeat)
        result["ours_screen"] = timed(screen_redraw, repeat)
        result["grid"] = boundary.grid_shape
        peer.display, boundary.display = True, False
        await pilot.pause()
        result["peer_boundary"] = timed(peer_redraw, repeat)
    return result


def summary(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=20)
    return f"median {statistics.median(ms):6.1f} ms  p95 {q[18]:6.1f} ms"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--repeat", type=int, default=40)
    p.add_argument("--sizes", default="120x40,200x60")
    p.add_argument("--data", metavar="FILE.csv", help="the svm on these points, and the heldout lesson")
    args = p.parse_args()
    screens = [("svm", False, None), ("neural_net", True, None)]
    if args.data:
        screens = [("svm", False, args.data), ("heldout", False, None)]
    for scenario, neurons, data in screens:
        for size in (tuple(map(int, s.split("x"))) for s in args.sizes.split(",")):
            report(scenario, size, asyncio.run(measure(size, args.repeat, scenario, neurons, data)))


def report(scenario: str, size: tuple[int, int], r: dict) -> None:
    ours, peer = statistics.median(r["ours_boundary"]), statistics.median(r["peer_boundary"])
    drawn = "bands, 0 and ±1 lines, points" + (f", {r['neurons']} neuron lines" if r["neurons"] else "")
    print(f"{scenario} {size[0]}x{size[1]}  {r['points']:,} points, boundary grid {r['grid'][0]}x{r['grid'][1]} "
          f"samples ({drawn})")
    print(f"  ratio plotext-scatter / ours (boundary): {peer / ours:5.1f}x")
    print(f"  boundary, ours          {summary(r['ours_boundary'])}")
    print(f"  boundary, plotext peer  {summary(r['peer_boundary'])}")
    print(f"  classifier screen (boundary + 2 charts) {summary(r['ours_screen'])}")


if __name__ == "__main__":
    main()
