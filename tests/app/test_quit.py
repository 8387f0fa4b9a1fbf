"""Quitting mid-run: no worker thread is left behind, and Ctrl+C (SIGINT) to a real headless run exits
with 130 promptly, one line on stderr, no traceback."""
from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time

import pytest
from helpers import ROOT, SIZE, threads_in_a_run

from hnn_tui.app import HnnApp


@pytest.mark.parametrize("name,key", [("neuron", "q"), ("neural_net", "q"), ("svm", "ctrl+q")])
async def test_quitting_mid_run_leaves_no_thread(name, key):
    app = HnnApp(name)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("full_stop", "full_stop", "full_stop", "space")
        loop = asyncio.get_running_loop()
        end = loop.time() + 10
        while screen.snapshot.step < 50:
            assert loop.time() < end
            await pilot.pause(0.02)
        assert screen.running and any(not w.is_finished for w in app.workers)
        assert threads_in_a_run(), "the run's thread was not found"
        await pilot.press(key)
    assert app.return_code == 0  # (an exception in the app would have been raised by run_test)
    assert all(w.is_finished for w in app.workers)
    deadline = time.monotonic() + 5
    while threads_in_a_run() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not threads_in_a_run()


@pytest.mark.slow
@pytest.mark.parametrize("extra", [[], ["--json"]], ids=["table", "json"])
def test_ctrl_c_in_the_headless_runner(extra):
    p = subprocess.Popen([sys.executable, "-m", "hnn_tui", "run", "neuron", "--steps", "100000000", *extra],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # even if pytest ignores it
    try:
        assert p.stdout.readline()  # running: the header (table) or step 0 (json) is out
        time.sleep(0.5)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
        took = time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130
    assert took < 2.0, f"took {took:.1f} s to stop"
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("hnn-tui: interrupted after step ") and "the last finite state is step" in err
    if extra:
        assert '"summary"' in out.splitlines()[-1] and "interrupted" in out.splitlines()[-1]
