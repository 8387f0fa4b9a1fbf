"""Regenerate the README's screenshots from the real app: python docs/screenshots.py"""
from __future__ import annotations

import asyncio
from pathlib import Path

from hnn_tui.app import HnnApp

HERE = Path(__file__).parent
SHOTS = [("svm.svg", "svm", 400, (120, 40), ()), ("neuron.svg", "neuron", 1, (120, 32), ()),
         ("picker.svg", None, 0, (100, 24), ()),
         # the walk-through mid-backward-pass: the 5 gates forward, then 4 of the 5 backward (b and y get theirs)
         ("walk.svg", "neuron", 0, (120, 32), ("w", *["right"] * 9))]


async def shoot(filename: str, scenario: str | None, steps: int, size: tuple[int, int], keys: tuple) -> None:
    app = HnnApp(scenario, seed=0)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if steps:
            app.screen.advance(steps)
        await pilot.press(*keys)
        await pilot.pause()
        app.save_screenshot(filename, path=str(HERE))


if __name__ == "__main__":
    for shot in SHOTS:
        asyncio.run(shoot(*shot))
        print("wrote", HERE / shot[0])
