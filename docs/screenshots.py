"""Regenerate the README's screenshots from the real app: python docs/screenshots.py"""
from __future__ import annotations

import asyncio
from pathlib import Path

from hnn_tui.app import HnnApp

HERE = Path(__file__).parent
SHOTS = [("svm.svg", "svm", 400, (120, 40), ()), ("neuron.svg", "neuron", 1, (120, 32), ()),
         ("picker.svg", None, 0, (100, 24), ()),
         # the walk-through mid-backward-pass: the 5 gates forward, then 4 of the 5 backward (b and y get theirs)
         ("walk.svg", "neuron", 0, (120, 32), ("w", *["right"] * 9)),
         # your own data: four groups drawn at the cursor (an XOR), a run, the cursor left on the boundary
         ("own_data.svg", "draw_your_own", 0, (120, 40),
          ("right", *["up"] * 4, *["shift+left"] * 3, "p", "down", "p", *["shift+right"] * 6, "m", "up", "m",
           *["down"] * 8, "p", "up", "p", *["shift+left"] * 6, "m", "down", "m", 400, "up", "up", "up"))]


async def shoot(filename: str, scenario: str | None, steps: int, size: tuple[int, int], keys: tuple) -> None:
    app = HnnApp(scenario, seed=0)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if steps:
            app.screen.advance(steps)
        for key in keys:  # a number among the keys: that many steps, there
            if isinstance(key, int):
                app.screen.advance(key)
            else:
                await pilot.press(key)
            await pilot.pause()
        await pilot.pause()
        app.save_screenshot(filename, path=str(HERE))


if __name__ == "__main__":
    import sys
    for shot in SHOTS:
        if len(sys.argv) > 1 and shot[0] not in sys.argv[1:]:  # python docs/screenshots.py own_data.svg
            continue
        asyncio.run(shoot(*shot))
        print("wrote", HERE / shot[0])
