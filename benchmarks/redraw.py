"""Redraw cost of the classifier screen, against plotext drawing the same boundary grid.

Run: python benchmarks/redraw.py [--repeat N] [--sizes 120x40,200x60] [--data FILE.csv]
Two screens: svm after 400 steps (bands, the 0 and ±1 lines, the points) and neural_net after 400 steps with its
neuron lines on and a batch point bracketed (the most the picture draws). Each redraw jitters the parameters, so
every line moves. The peer, measured in the same run, is the approach the shared notes measured: the boundary's
sign as a plotext scatter of grid cells in a textual-plotext PlotextPlot of the same size (no margins, no lines).
With --data, the svm screen on that CSV's points instead (e.g. 100,000 of them: the own-data issue's limit), and
the heldout lesson's screen (its charts draw a second, held-out curve each) is measured too.
With --regression, the regression screen instead: sine_fit after 400 steps (the mlp's curve over x, 40 points and
10 held out, the step's point and its residual; the cost and rmse charts with their held-out curves).
With --multiclass, the multiclass screen instead: softmax on five blobs (160 points and 40 held out) after 400
steps, with a linear score per class, then with a net of 8 hidden neurons and its neuron lines on (the map of five
classes, their lines, a batch point bracketed; the cost and accuracy charts with their held-out curves).
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


async def measure_regression(size: tuple[int, int], repeat: int, scenario: str = "sine_fit") -> dict:
    """The regression screen's redraw: the fit chart and the two history charts, the parameters jittered."""
    from hnn_tui.widgets.fit_chart import FitChart
    app = HnnApp(scenario, seed=0)
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        screen.advance(400)
        await pilot.pause()
        fit, panel = screen.query_one(FitChart), screen.panel
        charts = [c for c in screen.query(HistoryChart) if c.display]
        rng = np.random.default_rng(0)
        base = dict(screen.snapshot.values)
        n = len(screen.session.stage.xs)
        held = [("training", "held-out", panel.seconds[k]) for k in panel.second_series]

        def fit_redraw():
            fit.show({k: v + rng.normal(scale=0.05) for k, v in base.items()}, (int(rng.integers(n)),))
            render(fit)

        def screen_redraw():
            fit_redraw()
            for chart, history, second in zip(charts, [panel.outputs, panel.measures["rmse"]], held):
                chart.show(history, second=second)
                render(chart)

        return {"size": size, "points": n + len(screen.session.stage.val_xs), "charts": len(charts),
                "fit": timed(fit_redraw, repeat), "screen": timed(screen_redraw, repeat)}


MULTICLASS = """title = "five blobs (benchmarks/redraw.py)"
kind = "classifier"
strategy = "analytic"
[settings]
step_size = 0.1
[model]
{model}
loss = "softmax"
reg = 0.001
[data]
dataset = "blobs"
classes = 5
n = 200
noise = 0.3
validation = 0.2
"""


async def measure_multiclass(size: tuple[int, int], repeat: int, net: bool) -> dict:
    """The multiclass screen's redraw: the map of five classes (a batch point bracketed; with `net`, the net's
    neuron lines on) and the two history charts with their held-out curves, every parameter jittered each time
    (every line moves)."""
    import tempfile
    from pathlib import Path

    from hnn_tui.widgets.class_map import ClassMap
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "five_blobs.toml"
        path.write_text(MULTICLASS.format(model='type = "net"\nhidden = 8' if net else 'type = "svm"'))
        app = HnnApp(str(path), seed=0)
        async with app.run_test(size=size) as pilot:
            screen = app.screen
            screen.advance(400)
            await pilot.pause()
            classmap, panel, stage = screen.query_one(ClassMap), screen.panel, screen.session.stage
            charts = [c for c in screen.query(HistoryChart) if c.display]
            rng = np.random.default_rng(0)
            base = dict(screen.snapshot.values)
            n = len(stage.labels)
            held = [("training", "held-out", panel.seconds[k]) for k in panel.second_series]

            def map_redraw():
                values = {k: v + rng.normal(scale=0.05) for k, v in base.items()}
                classmap.show(values, batch=(int(rng.integers(n)),), neuron_lines=stage.neuron_lines(values),
                              show_neurons=net)
                render(classmap)

            def screen_redraw():
                map_redraw()
                for chart, history, second in zip(charts, [panel.outputs, panel.measures["accuracy"]], held):
                    chart.show(history, second=second)
                    render(chart)

            return {"size": size, "points": n + len(stage.val_points), "grid": classmap.grid_shape,
                    "charts": len(charts), "map": timed(map_redraw, repeat), "screen": timed(screen_redraw, repeat)}


def summary(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=20)
    return f"median {statistics.median(ms):6.1f} ms  p95 {q[18]:6.1f} ms"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--repeat", type=int, default=40)
    p.add_argument("--sizes", default="120x40,200x60")
    p.add_argument("--data", metavar="FILE.csv", help="the svm on these points, and the heldout lesson")
    p.add_argument("--regression", action="store_true", help="the regression screen (sine_fit) instead")
    p.add_argument("--multiclass", action="store_true", help="the multiclass screen (five classes) instead")
    args = p.parse_args()
    if args.multiclass:
        for net, model, drawn in ((False, "linear scores", ""), (True, "net of 8", ", 8 neuron lines")):
            for size in (tuple(map(int, s.split("x"))) for s in args.sizes.split(",")):
                r = asyncio.run(measure_multiclass(size, args.repeat, net))
                print(f"five blobs, {model}, {size[0]}x{size[1]}  {r['points']} points, map grid {r['grid'][0]}x"
                      f"{r['grid'][1]} samples (5 classes, their lines{drawn})")
                print(f"  class map                                {summary(r['map'])}")
                print(f"  multiclass screen (map + {r['charts']} charts)       {summary(r['screen'])}")
        return
    if args.regression:
        for size in (tuple(map(int, s.split("x"))) for s in args.sizes.split(",")):
            r = asyncio.run(measure_regression(size, args.repeat))
            print(f"sine_fit {size[0]}x{size[1]}  {r['points']} points, the mlp's curve, the step's residual")
            print(f"  fit chart                                {summary(r['fit'])}")
            print(f"  regression screen (fit + {r['charts']} charts)       {summary(r['screen'])}")
        return
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
