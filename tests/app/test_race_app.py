"""The race screen (`A` on a lesson): its lanes' numbers are `hnn-tui race`'s for the same budget and line (the
fourth lane a lone run under the other update rule), no lane spends more than the budget, the line and budget keys
race again, escape goes back to the lesson as it was, and q mid-race quits at once."""
from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from helpers import SIZE, cli, json_lines, threads_inside

import hnn_tui.screens.race as race_screen
from hnn_tui.app import HnnApp
from hnn_tui.engine import load_scenario
from hnn_tui.engine.race import Lane, interleaved, lanes, rival
from hnn_tui.screens.playground import PlaygroundScreen
from hnn_tui.screens.race import RaceScreen

NAMES = ("random", "numerical", "analytic")


async def raced(pilot, screen: RaceScreen, limit: float = 10.0) -> None:
    """Wait until the race on `screen` has finished."""
    end = time.monotonic() + limit
    while not screen.done:
        assert time.monotonic() < end, "the race did not finish"
        await pilot.pause(0.02)


def on_screen(widget) -> list[str]:
    """The widget's lines as drawn."""
    return ["".join(segment.text for segment in strip) for strip in widget.render_lines(widget.region.reset_offset)]


def table_rows(screen: RaceScreen) -> list[list[str]]:
    return [line.split() for line in on_screen(screen.query_one("#race-table"))]


def the_cli_race(name: str, budget: int, target: float) -> dict:
    code, out = cli("race", name, "--budget", budget, "--target", repr(target), "--json")
    assert code == 0
    return json_lines(out)[-1]["race"]


def assert_the_cli_numbers(screen: RaceScreen, name: str) -> None:
    """The first three lanes equal `hnn-tui race --json`'s final line, the fourth a lone run of its lane; exactly."""
    final = the_cli_race(name, screen.budget, screen.target)
    assert [s.to_dict() for s in screen.standings[:3]] == [final[n] for n in NAMES]
    label, settings = rival(screen.scenario.settings)
    alone = Lane(replace(screen.scenario, settings=settings), "analytic", screen.budget, screen.target, label)
    list(alone.snapshots())
    assert screen.standings[3] == alone.standing() and screen.names[3] == label
    assert all(s.forward_passes <= screen.budget for s in screen.standings)
    assert all(p.forward_passes <= screen.budget for lane in screen.points for p in lane)
    # the chart's last sample of each lane is its standing's output, at the passes it spent (a lane whose step
    # diverged would differ: none here)
    for lane, s in zip(screen.points, screen.standings):
        assert (lane[-1].forward_passes, lane[-1].output) == (s.forward_passes, s.output)


@pytest.fixture
def unpaced(monkeypatch):
    monkeypatch.setattr(race_screen, "RACE_SECONDS", 0.0)


async def test_the_race_on_neuron_is_the_cli_race(unpaced):
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        screen = app.screen
        assert isinstance(screen, RaceScreen)
        await raced(pilot, screen)
        # the default: the analytic gradient's budget; the line 90% of its way (0.8808 -> 0.9565), to 0.005
        assert (screen.budget, screen.target, screen.notch, screen.lower) == (100, 0.945, 0.005, False)
        assert_the_cli_numbers(screen, "neuron")
        rows = table_rows(screen)
        assert rows[1] == ["x", "random", "1", "100", "0", "0.88711", "never"]
        assert rows[2] == ["+", "numerical", "16", "96", "0", "0.904441", "never"]
        assert rows[3] == ["•", "analytic", "70", "70", "70", "0.94533", "70", "2nd"]
        assert rows[4] == ["*", "analytic+momentum", "13", "13", "13", "0.948755", "13", "1st"]
        assert rows[5][:4] == ["won:", "analytic+momentum,", "across", "the"]
        first = screen.generation
        await pilot.press("plus")  # the line a notch up: a new race to 0.95
        assert screen.generation == first + 1
        await raced(pilot, screen)
        assert screen.target == 0.95
        assert_the_cli_numbers(screen, "neuron")
        assert screen.standings[2].crossed_at == 82
        await pilot.press("left_square_bracket")  # half the budget: 50 passes, only momentum reaches 0.95
        await raced(pilot, screen)
        assert (screen.budget, screen.target) == (50, 0.95)
        assert_the_cli_numbers(screen, "neuron")
        rows = table_rows(screen)
        assert [row[-1] for row in rows[1:4]] == ["never"] * 3 and rows[4][-1] == "1st"
        await pilot.press("minus", "minus", "minus", "minus", "minus",
                          "left_square_bracket", "left_square_bracket", "left_square_bracket")  # 0.925, 6 passes
        await raced(pilot, screen)
        assert (screen.budget, screen.target) == (6, 0.925)
        assert_the_cli_numbers(screen, "neuron")
        assert table_rows(screen)[5][:3] == ["no", "lane", "crossed"]


async def test_a_line_behind_the_start_is_a_tie_at_zero(unpaced):
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        screen = app.screen
        await raced(pilot, screen)
        await pilot.press(*["minus"] * 13)  # 0.945 - 13 x 0.005 = 0.88: the start (0.8808) is past it
        await raced(pilot, screen)
        assert screen.target == 0.88
        assert_the_cli_numbers(screen, "neuron")
        rows = table_rows(screen)
        assert [row[-2:] for row in rows[1:5]] == [["0", "1st"]] * 4
        assert " ".join(rows[5]).startswith("a tie: random, numerical, analytic, analytic+momentum, across the line "
                                            "after 0 forward passes")


async def test_a_cost_is_raced_downwards(unpaced):
    app = HnnApp("svm")
    async with app.run_test(size=(80, 24)) as pilot:  # the smallest usable layout
        await pilot.press("A")
        screen = app.screen
        await raced(pilot, screen)
        assert (screen.budget, screen.target, screen.lower) == (400, 5.0, True)
        assert_the_cli_numbers(screen, "svm")
        assert [s.crossed_at for s in screen.standings] == [None, 352, 88, 13]
        rows = table_rows(screen)  # a classifier: each lane's accuracy after its last step
        assert rows[0][-4:] == ["accuracy", "crossed", "at", "place"]
        assert [row[-4:] if i else row[-3:] for i, row in enumerate(rows[1:5])] == \
            [["19.2008", "0.667", "never"], ["4.90546", "0.833", "352", "3rd"], ["4.90537", "0.833", "88", "2nd"],
             ["4.90139", "0.833", "13", "1st"]]
        assert "the line: cost <= 5 |" in on_screen(screen.query_one("#race-head"))[0]


async def test_the_knobs_as_they_are_are_raced(unpaced):
    # on a lesson whose update rule is momentum (M), the lanes use it and the fourth takes plain steps
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M", "T", "A")  # momentum; random search's tweak up a notch
        screen = app.screen
        await raced(pilot, screen)
        assert screen.scenario.settings.update == "momentum" and screen.scenario.settings.tweak == 0.02
        assert screen.names[3] == "analytic sgd"
        field = lanes(screen.scenario, screen.budget, screen.target)
        for lane, s in zip(field, screen.standings):
            list(lane.snapshots())
            assert lane.standing() == s
        # the fourth lane is the analytic lane of the loaded neuron's race (sgd, tweak irrelevant)
        assert screen.standings[3] == replace(the_lane("neuron", screen.budget, screen.target), strategy="analytic")


def the_lane(name: str, budget: int, target: float):
    lane = Lane(load_scenario(name), "analytic", budget, target)
    list(lane.snapshots())
    return lane.standing()


def test_the_lanes_stepped_together_are_lone_runs():
    scenario = load_scenario("neuron")
    together = lanes(scenario, 100, 0.95)
    order = [(lane.strategy, snap.forward_passes) for lane, snap in interleaved(together)]
    alone = lanes(scenario, 100, 0.95)
    for lane in alone:
        list(lane.snapshots())
    assert [lane.standing() for lane in together] == [lane.standing() for lane in alone]
    # the lane whose next step ends soonest goes first: random's one step (100 passes) comes after the others' 78
    ends = [passes for _, passes in order[3:]]
    assert ends == sorted(ends) and order[-1] == ("random", 100)


async def test_escape_goes_back_to_the_lesson_as_it_was(unpaced):
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        lesson = app.screen
        await pilot.press("s", "s", "space")  # two steps, then a run
        await pilot.pause(0.2)
        await pilot.press("A")
        race = app.screen
        assert isinstance(race, RaceScreen) and not lesson.running
        await raced(pilot, race)
        step = lesson.session.current.step
        assert step >= 2 and lesson.snapshot.step == step
        await pilot.press("escape")
        assert app.screen is lesson and isinstance(lesson, PlaygroundScreen)
        await pilot.pause(0.2)
        assert lesson.session.current.step == step and lesson.snapshot.step == step and not lesson.running
        await pilot.press("A", "b")
        assert app.screen is lesson and lesson.session.current.step == step


def race_threads() -> list[str]:
    """Threads whose stack is inside a race's loop (RaceScreen._race)."""
    return threads_inside("_race", "race.py")


async def test_q_mid_race_quits_at_once(monkeypatch):
    monkeypatch.setattr(race_screen, "RACE_SECONDS", 60.0)  # a race paced to last a minute
    app = HnnApp("neuron")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        screen = app.screen
        end = time.monotonic() + 10
        while not any(screen.points[2][1:]):  # the analytic lane has stepped
            assert time.monotonic() < end
            await pilot.pause(0.02)
        assert not screen.done and race_threads()
        rows = table_rows(screen)  # mid-race: random search's first step (100 passes) has not ended yet
        assert rows[1] == ["x", "random", "0", "0", "0", "0.880797", "not", "yet"] and rows[5][0] == "racing..."
        t0 = time.monotonic()
        await pilot.press("q")
    took = time.monotonic() - t0
    assert app.return_code == 0 and took < 1.0, f"took {took:.2f} s to quit"
    deadline = time.monotonic() + 1
    while race_threads() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert not race_threads()
