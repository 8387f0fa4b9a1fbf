"""The optimizer's keys in the app: M (update rule), j J (momentum coefficient), S (schedule): each works mid-run
from the next step and shows at once in the status line."""
from __future__ import annotations

import pytest
from cases import circuit_text
from helpers import SIZE, status_text, wait_for

from hnn_tui.app import HnnApp


def bowl(tmp_path, settings="step_size = 0.1", steps=10):
    """f = -(x * x) from x = 1: the pull is -2x (the hand-worked steps of tests/engine/test_updates.py)."""
    path = tmp_path / "bowl.toml"
    path.write_text(circuit_text(top=f'strategy = "analytic"\nsteps = {steps}', expression="-(x * x)",
                                 inputs="x = 1.0", settings=settings))
    return HnnApp(str(path))


def lines(app) -> list[str]:
    return status_text(app).splitlines()


async def test_M_cycles_the_update_rule_and_the_next_steps_use_it(tmp_path):
    app = bowl(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert "[M] sgd" in lines(app)[0] and "μ" not in lines(app)[2]
        await pilot.press("M")
        assert screen.session.settings.update == "momentum"
        assert "strategy analytic   [M] momentum   step 0" in lines(app)[0]
        assert lines(app)[2].startswith("[-+] step size 0.1   [jJ] μ 0.9   [hH] h")
        await pilot.press("s", "s")  # momentum by hand: x = 0.8, then v = -0.18 - 0.16 = -0.34, x = 0.46
        assert screen.snapshot.values["x"] == pytest.approx(0.46, abs=1e-12)
        await pilot.press("M", "s")  # Nesterov from zero velocity: look-ahead = x = 0.46, x = 0.46 - 0.092 = 0.368
        assert screen.session.settings.update == "nesterov" and "[M] nesterov" in lines(app)[0]
        assert screen.snapshot.values["x"] == pytest.approx(0.368, abs=1e-12)
        await pilot.press("M")
        assert screen.session.settings.update == "sgd" and "[M] sgd" in lines(app)[0] and "μ" not in lines(app)[2]


async def test_M_mid_run_takes_effect_from_the_next_step(tmp_path):
    app = bowl(tmp_path, steps=100_000)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.snapshot.step >= 2)
        await pilot.press("M")
        assert screen.running and "[M] momentum" in lines(app)[0]  # at once, mid-run
        step_then = screen.session.step_count  # a step may be under way with the old rule: wait for the one after
        await wait_for(pilot, lambda: screen.session.step_count >= step_then + 2)
        assert screen.session.motion.rule == "momentum" and screen.session.motion.velocity[0] != 0  # it moved x
        await pilot.press("space")


async def test_j_and_J_move_the_coefficient_along_its_rungs(tmp_path):
    app = bowl(tmp_path, 'step_size = 0.1\nupdate = "momentum"\nmomentum = 0.7')
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert "[jJ] μ 0.7" in lines(app)[2]
        await pilot.press("J")  # 0.7 is between rungs: up to 0.8
        assert screen.session.settings.momentum == 0.8 and "[jJ] μ 0.8 " in lines(app)[2]
        await pilot.press("J", "J", "J", "J")  # 0.9, 0.95, 0.99, and the top rung holds
        assert screen.session.settings.momentum == 0.99 and "μ 0.99" in lines(app)[2]
        await pilot.press("j", "j")
        assert screen.session.settings.momentum == 0.9
        await pilot.press("J", "s", "s")  # mu 0.95: x = 0.8, then v = 0.95 * -0.2 - 0.16 = -0.35, x = 0.45
        assert screen.snapshot.values["x"] == pytest.approx(0.45, abs=1e-12)
        await pilot.press("j", "j", "j", "j", "j", "j")
        assert screen.session.settings.momentum == 0.0 and "μ 0 " in lines(app)[2]


async def test_j_under_plain_steps_sets_the_coefficient_and_says_where_it_is_used(tmp_path):
    app = bowl(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        assert app.screen.session.settings.momentum == 0.8
        assert any("used by the momentum and nesterov update rules" in str(n.message) for n in app._notifications)
        await pilot.press("M")
        assert "μ 0.8" in lines(app)[2]


async def test_J_mid_run_keeps_running_and_shows_at_once(tmp_path):
    app = bowl(tmp_path, 'step_size = 0.01\nupdate = "nesterov"', steps=100_000)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.snapshot.step >= 2)
        await pilot.press("J")
        assert screen.running and screen.session.settings.momentum == 0.95 and "μ 0.95" in lines(app)[2]
        await pilot.press("space")


async def test_S_cycles_the_schedule_and_shows_it_beside_the_step_size(tmp_path):
    app = bowl(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        s = app.screen.session
        assert "[S]" not in lines(app)[2]
        await pilot.press("S")  # linear, to a tenth of the step size over the file's 10 steps
        assert (s.settings.schedule, s.settings.step_size_end) == ("linear", 0.01)
        assert lines(app)[2].startswith("[-+] step size 0.1 [S] linear → 0.01 at step 10   [hH]")
        await pilot.press("s", "s", "s", "s", "s")  # 0.1 + (0.01 - 0.1) * 5/10 = 0.055
        assert "step size 0.055 [S] linear" in lines(app)[2]
        await pilot.press("S")  # the step schedule from the base step size: 0.1 * 0.5 ** floor(5 / 100)
        assert (s.settings.schedule, s.settings.step_size_end) == ("step", None)
        assert lines(app)[2].startswith("[-+] step size 0.1 [S] step ×0.5 every 100   [hH]")
        await pilot.press("S")
        assert s.settings.schedule == "exponential" and "[S] exp ×0.5 per 100" in lines(app)[2]
        await pilot.press("S")
        assert s.settings.schedule == "constant" and "[S]" not in lines(app)[2]


async def test_S_mid_run_then_a_step_size_by_hand_ends_the_schedule(tmp_path):
    app = bowl(tmp_path, "step_size = 0.001", steps=100_000)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.snapshot.step >= 2)
        await pilot.press("S", "S")
        assert screen.running and screen.session.settings.schedule == "step" and "[S] step" in lines(app)[2]
        await pilot.press("minus")
        assert screen.session.settings.schedule == "constant" and "[S]" not in lines(app)[2]
        assert "step size 0.0005" in lines(app)[2]
        await pilot.press("space")


async def test_S_goes_back_to_the_files_own_linear_end(tmp_path):
    app = bowl(tmp_path, "step_size = 0.1\nstep_size_end = 0.05")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("S", "S", "S")
        assert app.screen.session.settings.schedule == "constant"
        await pilot.press("S")
        assert app.screen.session.settings.step_size_end == 0.05 and "linear → 0.05 at step 10" in lines(app)[2]


async def test_r_restores_the_files_rule_and_R_keeps_the_keys_with_zero_velocity(tmp_path):
    app = bowl(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("M", "J", "S", "s", "R")
        st = screen.session.settings
        assert (st.update, st.momentum, st.schedule) == ("momentum", 0.95, "linear")
        assert screen.session.motion.velocity == [] and "[M] momentum" in lines(app)[0]
        await pilot.press("r")
        st = screen.session.settings
        assert (st.update, st.momentum, st.schedule) == ("sgd", 0.9, "constant") and "[M] sgd" in lines(app)[0]
