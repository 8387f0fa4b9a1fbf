"""`hnn-tui serve` in a real browser: Debian's chromium, headless, driven by Playwright. The page draws the terminal
on a canvas (its HTML holds no text), so the screen is read from the websocket: a script run before the page's
own wraps window.WebSocket and keeps every binary frame (textual-serve sends the app's terminal output as they
are), and pyte, a terminal emulator, plays them back at the size the page asked for."""
from __future__ import annotations

import base64
import re
import shutil
import time
from pathlib import Path

import pytest

pytest.importorskip("textual_serve", reason="hnn-tui serve needs textual-serve: pip install \".[serve]\"")
sync_api = pytest.importorskip("playwright.sync_api", reason="the browser test needs playwright: pip install "
                               "\".[test]\"")
import pyte  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="no chromium here (Debian: apt-get install chromium); "
                                 "Playwright's own browser download is not used")]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

RECORD = (Path(__file__).parent / "record_websocket.js").read_text()  # frames with their arrival times


class Terminal:
    """What the page's terminal shows, played back from the recorded frames."""

    def __init__(self, page):
        self.page = page
        self.screen: pyte.Screen | None = None
        self.stream: pyte.ByteStream | None = None

    def text(self) -> str:
        frames, size = self.page.evaluate("[window.__frames.splice(0), window.__size]")
        if size and self.screen is None:
            self.screen = pyte.Screen(*size)
            self.stream = pyte.ByteStream(self.screen)
        elif size and (self.screen.columns, self.screen.lines) != tuple(size):
            self.screen.resize(size[1], size[0])
        for frame in frames:
            self.stream.feed(base64.b64decode(frame[1]))  # [arrival time, bytes in base64]
        return "\n".join(self.screen.display) if self.screen else ""

    def wait_for(self, pattern: str, timeout: float = 15.0) -> str:
        """The screen once `pattern` (a regular expression) is on it."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            shown = self.text()
            if re.search(pattern, shown):
                return shown
            time.sleep(0.02)
        raise AssertionError(f"{pattern!r} never showed; the screen was:\n{self.text()}")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(RECORD)
    yield context.new_page()
    context.close()


def test_the_neuron_steps_in_a_real_browser(serve, page):
    server = serve()
    page.goto(server.url + "/")
    screen = Terminal(page)
    shown = screen.wait_for(r"choose a scenario")
    assert "single_gate" in shown and "neuron" in shown
    page.focus(".xterm-helper-textarea")  # where the page's terminal takes keys (a click on it does the same)
    for key in ("ArrowDown", "ArrowDown", "Enter"):  # the third entry of the picker
        page.keyboard.press(key)
    shown = screen.wait_for(r"step 0\s+output 0\.880797")
    assert "A single neuron: sigmoid(a*x + b*y + c)" in shown
    page.keyboard.press("s")
    shown = screen.wait_for(r"step 1\s+output 0\.88255")  # the guide's 0.8825 after one backprop step
    assert re.search(r"forward passes 1\s+backward passes 1", shown)


def test_the_session_cap_in_a_real_browser(serve, page, browser):
    server = serve("--max-sessions", "1")
    page.goto(server.url + "/")
    Terminal(page).wait_for(r"choose a scenario")
    context = browser.new_context()  # another browser's tab
    second = context.new_page()
    response = second.goto(server.url + "/")
    assert response.status == 503
    assert "the classroom is full (1 session)" in second.inner_text("body")  # words, not a blank canvas
    context.close()
