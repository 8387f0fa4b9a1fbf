"""The classifier screen's knobs and the step from the inside (panels.classifier): each knob's value on screen
changes, and the next step (or the rebuilt lesson) uses it; r brings back the scenario as loaded."""
from __future__ import annotations

import pytest
from helpers import SIZE, status_text, wait_for
from textual.widgets import Static

from hnn_tui.app import HnnApp
from hnn_tui.engine import Session, load_scenario


def knobs_line(app) -> str:
    return " ".join(str(app.screen.query_one("#classifier-keys", Static).render()).split())


def inside_text(app) -> str:
    return str(app.screen.query_one("#inside", Static).render())


async def test_the_spring_knob_changes_the_next_steps_spring_pull():
    app = HnnApp("neural_net")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "[kK] spring 0.1 " in knobs_line(app)
        await pilot.press("k")  # 0.1 -> 0.05
        await pilot.pause()
        assert "[kK] spring 0.05 " in knobs_line(app)
        before = dict(app.screen.snapshot.values)
        await pilot.press("s")
        await pilot.pause()
        inside = app.screen.snapshot.detail.inside
        for name, pull in inside.spring_pull.items():  # d/dw of -reg/2 w^2 = -reg w, on the weights
            assert pull == (-0.05 * before[name] if pull else 0.0)
        await pilot.press("K", "K", "K", "K", "K", "K", "K", "K", "K", "K", "K", "K", "k")
        await pilot.pause()
        assert "[kK] spring 5 " in knobs_line(app)  # up to 10, then one down
        await pilot.press(*["k"] * 20)
        await pilot.pause()
        assert "[kK] spring 0 " in knobs_line(app)  # down to no spring at all


async def test_loss_and_batch_apply_from_the_next_step():
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l", "a")
        await pilot.pause()
        assert "[l] squared hinge" in knobs_line(app) and "[a] all points" in knobs_line(app)
        await pilot.press("s")
        await pilot.pause()
        inside = app.screen.snapshot.detail.inside
        assert [p.index for p in inside.batch] == list(range(6))  # the full batch
        for p in inside.batch:  # squared hinge: 2 x label x the margin violated
            assert p.pull == pytest.approx(2 * p.label * max(0.0, 1 - p.label * p.score), abs=1e-15)
        assert "all 6 points:" in inside_text(app)


async def test_the_step_from_the_inside_names_the_point_its_pull_and_why():
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        snap = app.screen.snapshot
        (p,) = snap.detail.inside.batch
        twin = Session(load_scenario("svm"))
        assert twin.step().to_dict()["batch"][0]["index"] == p.index
        text = inside_text(app)
        assert f"point {p.index} ({p.point[0]:.2f}, {p.point[1]:.2f}), label {p.label:+d}" in text
        assert ("pull down (-1)" if p.pull < 0 else "pull up (+1)" if p.pull > 0 else "no pull") in text
        rows = {ln.split()[0] + (ln.split()[1] if ln.split()[0] == "from" else ""): ln.split()
                for ln in str(app.screen.query_one("#params").render()).splitlines() if ln.split()}
        assert {"fromdata", "fromspring", "pull"} <= set(rows)


async def test_random_search_says_there_is_no_split():
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "s")
        await pilot.pause()
        assert "only backprop (3) splits the pull" in inside_text(app)
        assert app.screen.snapshot.detail.inside is None


async def test_neurons_and_data_rebuild_the_lesson_and_say_so(notices):
    app = HnnApp("neural_net")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("N")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert "[nN] 4 neurons" in knobs_line(app)
        assert len(screen.session.stage.params) == 17  # 4 x (a, b, c) + 4 top weights + bias
        assert any("restarted: 4 hidden neurons" in n for n in notices)
        assert screen.snapshot.step == 0
        await pilot.press("d")  # guide_svm -> guide_cost
        await wait_for(pilot, lambda: "guide_cost" in knobs_line(app))
        await pilot.press("d")  # -> moons, 100 points
        await wait_for(pilot, lambda: "moons (100, noise 0.1)" in knobs_line(app))
        assert len(app.screen.session.stage.points) == 100
        await pilot.press("Z", "X")
        await wait_for(pilot, lambda: "moons (200, noise 0.2)" in knobs_line(app))
        assert len(app.screen.session.stage.points) == 200
        await pilot.press("o")
        await wait_for(pilot, lambda: "[o] seed 1" in knobs_line(app))
        await pilot.press("r")  # the scenario as loaded
        await wait_for(pilot, lambda: "[nN] 3 neurons" in knobs_line(app) and "guide_svm" in knobs_line(app))
        assert "[o] seed 0" in knobs_line(app) and len(app.screen.session.stage.params) == 13


async def test_a_fixed_dataset_has_no_size_to_change(notices):
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("Z", "n")
        await pilot.pause()
        assert any("fixed set" in n for n in notices) and any("the SVM has no hidden neurons" in n for n in notices)


async def test_tries_has_keys():
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("Y")
        await pilot.pause()
        assert "[yY] tries 200" in status_text(app) and app.screen.session.settings.tries == 200


async def test_the_gradient_check_on_demand():
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await wait_for(pilot, lambda: "largest relative difference" in inside_text(app))
        table = str(app.screen.query_one("#params").render())
        assert "backprop ∇" in table and "numeric ∇" in table
        check = app.screen.panel.check[1]
        assert check["max_rel_error"] < 1e-6 and set(check["analytic"]) == {"a", "b", "c"}
        assert app.screen.snapshot.forward_passes == 0  # the check is not the strategy's cost
        await pilot.press("g")
        await pilot.pause()
        assert "the start" in inside_text(app)


async def test_neuron_lines_toggle():
    app = HnnApp("neural_net")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        await pilot.pause()
        assert app.screen.panel.neurons
        assert "1| neurons" in str(app.screen.query_one("#boundary").border_subtitle)
        lines = app.screen.session.stage.neuron_lines(app.screen.snapshot.values)
        assert [name for name, *_ in lines] == ["n1", "n2", "n3"]


async def test_a_dead_neuron_is_flagged_with_how_long(tmp_path):
    # neuron 2 is 0 on every point of the positive quadrant (a2, b2, c2 all -3): dead from the start
    f = tmp_path / "dead.toml"
    f.write_text('title = "dead"\nkind = "classifier"\n[model]\ntype = "net"\nreg = 0.1\n'
                 "init = { a1 = 1.0, b1 = 0.5, c1 = 0.5, a2 = -3.0, b2 = -3.0, c2 = -3.0, a3 = 0.5, b3 = 1.0, "
                 "c3 = 0.2, a4 = 1.0, b4 = 1.0, c4 = -1.0, d4 = 0.0 }\n[data]\n"
                 "points = [[0.5, 1.0], [1.5, 0.5], [2.0, 2.0], [1.0, 0.2], [0.3, 0.4], [1.2, 1.8]]\n"
                 "labels = [1, -1, 1, -1, 1, -1]\n")
    app = HnnApp(str(f))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.advance(40)
        await pilot.pause()
        text = inside_text(app)
        assert "n2 dead for 40 steps" in text and "n1 " in text and " on" in text
