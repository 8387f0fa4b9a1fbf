"""Redraw cost of the classifier screen, against plotext drawing the same boundary grid.

Run: python benchmarks/redraw.py [--repeat N]
The peer, measured in the same run, is the approach the shared notes measured: the boundary as a
plotext scatter of grid cells in a textual-plotext PlotextPlot of the same size.
"""
from __future__ import annotations

import argparse
import asyncio
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


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


async def measure(size: tuple[int, int], repeat: int) -> dict:
    app = HnnApp("svm", seed=0)
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        screen.advance(400)
        await pilot.pause()
        boundary = screen.query_one(BoundaryView)
        charts = list(screen.query(HistoryChart))
        rng = np.random.default_rng(0)
        base = dict(screen.snapshot.values)

        def boundary_redraw():
            boundary.show({k: v + rng.normal(scale=0.05) for k, v in base.items()})
            render(boundary)

        def screen_redraw():  # what one redraw tick of a running classifier costs at most
            boundary_redraw()
            for chart in charts:
                chart.show(screen.panel.outputs)
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

        result = {"size": size, "grid": boundary.grid_shape}
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
    args = p.parse_args()
    for size in ((120, 40), (200, 60)):
        r = asyncio.run(measure(size, args.repeat))
        ours, peer = statistics.median(r["ours_boundary"]), statistics.median(r["peer_boundary"])
        print(f"{size[0]}x{size[1]}  boundary grid {r['grid'][0]}x{r['grid'][1]} samples")
        print(f"  ratio plotext-scatter / ours (boundary): {peer / ours:5.1f}x")
        print(f"  boundary, ours          {summary(r['ours_boundary'])}")
        print(f"  boundary, plotext peer  {summary(r['peer_boundary'])}")
        print(f"  classifier screen (boundary + 2 charts) {summary(r['ours_screen'])}")


if __name__ == "__main__":
    main()
