"""`hnn-tui serve` measured: how long a tab takes to show the picker, how long a key takes to come back, what each
session costs in memory and CPU, and how that holds with many tabs at once. It starts its own server
(`python -m hnn_tui serve --port 0`, the port read from the start line) and always stops it, and chromium, at the
end: on success, on an error, on Ctrl+C or SIGTERM.

    pip install -e '.[test]'   # playwright, pyte and textual-serve (aiohttp comes with textual-serve)
    python benchmarks/serve_bench.py browser --tabs 10        # real tabs in headless chromium (Debian: apt-get
                                                              # install chromium; Playwright's download is unused)
    python benchmarks/serve_bench.py load --sessions 1,10,20  # websocket sessions at once, no browser (aiohttp)
    python benchmarks/serve_bench.py shot --out docs/browser.png   # the README's screenshot (1280x800)

`load` needs only textual-serve (`pip install -e '.[serve]'`); `browser` and `shot` also need playwright and pyte.
Add --json for one JSON object instead of the labelled lines.

The page draws its terminal on a canvas (its HTML holds no text), so `browser` and `shot` read the screen from the
websocket: a script run before the page's own wraps window.WebSocket and keeps every binary frame with its arrival
time (textual-serve sends the app's terminal output as is), and pyte, a terminal emulator, plays them back. A key's
latency is from its keydown in the page to the arrival of the frame after which its effect is on the screen (the
canvas paint after that is not counted). The recording script is tests/serve/record_websocket.js, the browser
test's own; Terminal and Server are small copies of tests/serve's (which import pytest), with arrival times.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this tree's hnn_tui, also when run from elsewhere
from hnn_tui.engine import bundled_names  # noqa: E402

PICKER = "choose a scenario"
NEURON_START = r"step 0\s+output 0\.880797"  # the neuron as opened: the guide's 0.8808
VIEWPORT = {"width": 1280, "height": 800}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
RECORD = (ROOT / "tests" / "serve" / "record_websocket.js").read_text()  # shared with the browser test


class Server:
    """`python -m hnn_tui serve --port 0 ARGS` in its own process group: its address from the start line, the
    sessions it says it opened, and a stop that leaves no process of the group behind."""

    def __init__(self, *args: str):
        self.process = subprocess.Popen([sys.executable, "-m", "hnn_tui", "serve", "--port", "0", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
                                        start_new_session=True)  # Ctrl+C reaches us only; stop() passes it on
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(iter(self.process.stdout.readline, "")), daemon=True).start()
        end = time.monotonic() + 30
        while not (found := [m for ln in self.lines if (m := re.search(r"listening on http://[^:]+:(\d+) ", ln))]):
            if self.process.poll() is not None or time.monotonic() > end:
                self.stop()
                raise SystemExit(f"serve_bench: the server did not start: {''.join(self.lines)[-600:]}")
            time.sleep(0.02)
        self.url = f"http://127.0.0.1:{found[0].group(1)}/"

    def session_pids(self) -> list[int]:
        """The app processes of the sessions open now (from the server's 'opened' and 'closed' lines)."""
        opened = {m[1]: int(m[2]) for ln in list(self.lines) if (m := re.search(r"session (\d+) opened: process (\d+)",
                                                                                ln))}
        closed = {m[1] for ln in list(self.lines) if (m := re.search(r"session (\d+) closed", ln))}
        return [pid for number, pid in opened.items() if number not in closed]

    def wait_sessions(self, n: int, timeout: float = 60) -> list[int]:
        """The open sessions' processes once there are n of them (or after `timeout`, however many there are)."""
        end = time.monotonic() + timeout
        while len(pids := self.session_pids()) != n and time.monotonic() < end:
            time.sleep(0.05)
        return pids

    def stop(self, timeout: float = 20) -> None:
        """Ctrl+C to the server (it stops every session), then SIGKILL to whatever is left of its group."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        end = time.monotonic() + 5
        while group_alive(self.process.pid) and time.monotonic() < end:
            time.sleep(0.05)
        if group_alive(self.process.pid):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@contextmanager
def served(*args: str):
    server = Server(*args)
    try:
        yield server
    finally:
        server.stop()


# ---- what a process costs (Linux /proc) ----------------------------------------------------------------------------

def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def median(xs) -> float:
    return statistics.median(xs) if xs else float("nan")


class Report:
    """Figures as labelled lines as they come, or one JSON object at the end (--json)."""

    def __init__(self, as_json: bool):
        self.as_json, self.figures = as_json, {}

    def __call__(self, key: str, value, label: str) -> None:
        self.figures[key] = value
        if not self.as_json:
            shown = " ".join(map(str, value)) if isinstance(value, list) else value
            print(f"{label}: {shown}", flush=True)

    def done(self) -> None:
        if self.as_json:
            print(json.dumps(self.figures))


def machine(report: Report) -> None:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    report("machine", f"{os.cpu_count()} cores, {cpu}, Linux {platform.release()}, Python {platform.python_version()}"
           f", textual {version('textual')}, textual-serve {version('textual-serve')}", "machine")


# ---- in a browser -------------------------------------------------------------------------------------------------

class Terminal:
    """What one tab's terminal shows, played back from the frames its page recorded."""

    def __init__(self, page):
        import pyte
        self.pyte, self.page, self.screen, self.stream = pyte, page, None, None

    def frames(self) -> list:
        frames, size = self.page.evaluate("[window.__frames.splice(0), window.__size]")
        if size and self.screen is None:
            self.screen = self.pyte.Screen(*size)
            self.stream = self.pyte.ByteStream(self.screen)
        elif size and (self.screen.columns, self.screen.lines) != tuple(size):
            self.screen.resize(size[1], size[0])
        return frames

    def shown(self) -> str:
        return "\n".join(self.screen.display) if self.screen else ""

    def text(self) -> str:
        for _, frame in self.frames():
            self.stream.feed(base64.b64decode(frame))
        return self.shown()

    def wait_for(self, pattern: str, timeout: float = 60) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if re.search(pattern, shown := self.text()):
                return shown
            time.sleep(0.01)
        raise SystemExit(f"serve_bench: {pattern!r} never showed; the screen was:\n{self.text()}")

    def latency_ms(self, key: str, pattern: str, timeout: float = 10) -> float:
        """From `key`'s keydown in the page to the arrival of the frame after which `pattern` is on the screen."""
        self.text()
        self.page.evaluate("window.__keys.splice(0)")
        self.page.keyboard.press(key)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for arrived, frame in self.frames():
                self.stream.feed(base64.b64decode(frame))
                if re.search(pattern, self.shown()):
                    return round(arrived - self.page.evaluate("window.__keys[0]"), 1)
            time.sleep(0.005)
        raise SystemExit(f"serve_bench: {pattern!r} never showed after {key}; the screen was:\n{self.shown()}")

    def open_scenario(self, name: str) -> None:
        """From the picker: down to `name` (the bundled lessons' order), then enter."""
        self.page.focus(".xterm-helper-textarea")  # where the page's terminal takes keys
        for key in ["ArrowDown"] * bundled_names().index(name) + ["Enter"]:
            self.page.keyboard.press(key)
            time.sleep(0.05)


@contextmanager
def chromium(path: str | None):
    try:
        import pyte  # noqa: F401
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        raise SystemExit(f"serve_bench: {e}: pip install -e '.[test]'") from None
    path = path or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise SystemExit("serve_bench: no chromium (Debian: apt-get install chromium; or --chromium PATH)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            try:
                browser.close()
            except Exception:  # the driver already gone (Ctrl+C reached it too): it took chromium with it
                pass


def tab(browser, url: str, wait_until: str = "load") -> Terminal:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(RECORD)
    page = context.new_page()
    page.goto(url, wait_until=wait_until)
    return Terminal(page)


def steps(term: Terminal, first: int, n: int) -> list[float]:
    """The latency of `s` (one step) n times in the neuron, from step `first` on."""
    return [term.latency_ms("s", rf"step {i}\s+output") for i in range(first, first + n)]


def cmd_browser(args, report: Report) -> None:
    machine(report)
    with served("--max-sessions", str(args.tabs + 2)) as server, chromium(args.chromium) as browser:
        report("chromium", browser.version, "chromium")
        loads = []
        for _ in range(args.repeats):  # one tab at a time
            start = time.perf_counter()
            term = tab(browser, server.url)
            term.wait_for(PICKER)
            loads.append(round(time.perf_counter() - start, 2))
            term.page.context.close()
            time.sleep(0.5)
        report("page_to_picker_s", loads, f"page -> picker, s, {args.repeats} loads one at a time")
        report("page_to_picker_s_median", median(loads), "  median")
        server.wait_sessions(0, 15)

        term = tab(browser, server.url)
        term.wait_for(PICKER)
        term.open_scenario("neuron")
        term.wait_for(NEURON_START)
        time.sleep(0.5)
        lat = steps(term, 1, args.keys)
        report("key_s_ms", lat, f"key s -> step shown, ms, {args.keys} presses, one tab open")
        report("key_s_ms_median", median(lat), "  median")
        pids = server.session_pids()
        report("session_rss_mb_neuron", round(rss_mb(pids[-1]), 1), "RSS of that session's app (the neuron), MB")
        report("server_rss_mb", round(rss_mb(server.process.pid), 1), "RSS of the server, MB")
        term.page.context.close()
        server.wait_sessions(0, 15)
        time.sleep(1.0)

        n = args.tabs
        start = time.perf_counter()
        terms = [tab(browser, server.url, wait_until="commit") for _ in range(n)]
        shown = [False] * n
        end = time.monotonic() + 120
        while not all(shown) and time.monotonic() < end:
            for i, t in enumerate(terms):
                shown[i] = shown[i] or PICKER in t.text()
            time.sleep(0.05)
        report("tabs_all_show_picker", all(shown), f"{n} tabs opened at once: all show the picker")
        report("tabs_seconds_until_all", round(time.perf_counter() - start, 2), f"  seconds until all {n} do")
        rss = [rss_mb(p) for p in server.wait_sessions(n, 30)]
        report("sessions_open", len(rss), "  sessions open")
        report("session_rss_mb_picker_median", round(median(rss), 1), "  RSS per session at the picker, median, MB")
        first = terms[0]
        first.open_scenario("neuron")
        first.wait_for(NEURON_START)
        time.sleep(0.5)
        lat = steps(first, 1, 5)
        report("key_s_ms_others_idle", lat, f"key s -> step shown, ms, in one tab, {n - 1} others at the picker")
        for t in terms[1:]:
            t.open_scenario("neuron")
        time.sleep(3)
        for t in terms[1:]:
            t.page.keyboard.press(" ")  # run: 30 steps/s each
        time.sleep(3)
        lat = steps(first, 6, 5)
        report("key_s_ms_others_running", lat, f"key s -> step shown, ms, in one tab, {n - 1} others running the "
               "neuron")
        report("loadavg_1min", float(Path("/proc/loadavg").read_text().split()[0]), "  load average (1 min)")
    report.done()


def cmd_shot(args, report: Report) -> None:
    with served() as server, chromium(args.chromium) as browser:
        term = tab(browser, server.url)
        term.wait_for(PICKER)
        term.open_scenario(args.scenario)
        term.wait_for(r"step 0\s")
        term.page.keyboard.press(".")  # faster: 100 steps/s
        term.page.keyboard.press(" ")
        end = time.monotonic() + 120
        while max(map(int, re.findall(r"step (\d+)\s", term.text())), default=0) < args.steps:
            if time.monotonic() > end:
                raise SystemExit(f"serve_bench: step {args.steps} never came:\n{term.shown()}")
            time.sleep(0.02)
        term.page.keyboard.press(" ")
        shown = term.wait_for(r"paused", 10)
        time.sleep(1.0)  # the page paints the last frames
        term.page.screenshot(path=args.out)
        step = re.search(r"step (\d+)\s", shown)
        report("shot", args.out, "wrote")
        report("shot_step", int(step.group(1)) if step else None, f"  {args.scenario}, paused at step")
    report.done()


# ---- websockets without a browser ---------------------------------------------------------------------------------

ESCAPE = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


class BareTab:
    """One websocket session, a tab without a browser: every byte it is sent, counted, and the highest 'step N'
    among them."""

    def __init__(self, ws):
        self.ws, self.bytes, self.step, self._tail = ws, 0, 0, b""

    async def read(self, until: bytes | None = None) -> None:
        """Read until `until` is among the bytes (then return), or until the socket closes."""
        import aiohttp
        seen = b""
        while True:
            msg = await self.ws.receive()
            if msg.type != aiohttp.WSMsgType.BINARY:
                if until is not None:
                    raise SystemExit(f"serve_bench: a session ended before {until!r}: {msg}")
                return
            self.bytes += len(msg.data)
            text = ESCAPE.sub(b"", self._tail + msg.data)  # a step number split over two frames still counts
            self._tail = msg.data[-64:]
            self.step = max([self.step, *map(int, re.findall(rb"step (\d+)", text))])
            if until is not None:
                seen += msg.data
                if until in seen:
                    return


async def load_once(url: str, n: int, width: int, height: int, seconds: float, server: Server, report: Report):
    import aiohttp
    async with aiohttp.ClientSession() as http:
        start = time.perf_counter()

        async def one() -> tuple[BareTab, float]:
            session = BareTab(await http.ws_connect(f"{url}ws?width={width}&height={height}"))
            await asyncio.wait_for(session.read(until=bundled_names()[0].encode()), 120)
            return session, time.perf_counter() - start

        opened = await asyncio.gather(*(one() for _ in range(n)))
        sessions = [s for s, _ in opened]
        shown = [t for _, t in opened]
        report(f"{n}_all_show_picker_s", round(max(shown), 2),
               f"{n} session{'' if n == 1 else 's'} at once: all show the picker after, s")
        report(f"{n}_first_picker_s", round(min(shown), 2), "  the first after, s")
        readers = [asyncio.create_task(s.read()) for s in sessions]
        pids = server.wait_sessions(n, 30)
        report(f"{n}_startup_cpu_s_median", round(median([cpu_s(p) for p in pids]), 2),
               "  CPU each app used to start, median, s")
        report(f"{n}_rss_mb_picker_median", round(median([rss_mb(p) for p in pids]), 1),
               "  RSS per app at the picker, median, MB")
        before = {p: cpu_s(p) for p in pids}
        await asyncio.sleep(seconds)
        report(f"{n}_idle_cpu_pct_max", round(max(100 * (cpu_s(p) - before[p]) / seconds for p in pids), 1),
               f"  CPU per app idle at the picker over {seconds:g} s, highest, %")
        down = "\x1b[B" * bundled_names().index("neuron")
        for s in sessions:
            await s.ws.send_json(["stdin", down + "\r"])  # open the neuron
        await asyncio.sleep(3)
        for s in sessions:
            await s.ws.send_json(["stdin", " "])  # run it: 30 steps/s
        await asyncio.sleep(2)
        before = {p: cpu_s(p) for p in pids}
        sent = [(s.bytes, s.step) for s in sessions]
        await asyncio.sleep(seconds)
        cpu = [100 * (cpu_s(p) - before[p]) / seconds for p in pids]
        rate = [(s.step - step0) / seconds for s, (_, step0) in zip(sessions, sent)]
        report(f"{n}_running_steps_per_s_min", round(min(rate), 1), "  each app running the neuron: steps/s, lowest")
        report(f"{n}_running_cpu_pct_median", round(median(cpu), 1), "  CPU per app, median, %")
        report(f"{n}_running_cpu_pct_total", round(sum(cpu), 1), "  CPU of all apps, %")
        report(f"{n}_running_kb_per_s_median", round(median([(s.bytes - b0) / seconds / 1024 for s, (b0, _)
                                                             in zip(sessions, sent)]), 1),
               "  bytes sent to each tab, median, KB/s")
        report(f"{n}_rss_mb_running_median", round(median([rss_mb(p) for p in pids]), 1),
               "  RSS per app running, median, MB")
        report(f"{n}_server_rss_mb", round(rss_mb(server.process.pid), 1), "  RSS of the server, MB")
        for s in sessions:
            await s.ws.close()
        for r in readers:
            r.cancel()
        await asyncio.gather(*readers, return_exceptions=True)


def cmd_load(args, report: Report) -> None:
    try:
        import aiohttp  # noqa: F401
    except ImportError as e:
        raise SystemExit(f"serve_bench: {e}: pip install -e '.[serve]'") from None
    machine(report)
    for n in args.sessions:
        with served("--max-sessions", str(n)) as server:
            asyncio.run(load_once(server.url, n, args.width, args.height, args.seconds, server, report))
        time.sleep(2)  # the last apps' exit settles before the next server
    report.done()


def counts(text: str) -> list[int]:
    try:
        ns = [int(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected counts like 1,10,20, got {text!r}") from None
    if not ns or min(ns) < 1:
        raise argparse.ArgumentTypeError(f"expected counts of 1 or more, got {text!r}")
    return ns


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("browser", help="page -> picker, key latency, RSS, N tabs at once, in headless chromium")
    b.add_argument("--tabs", type=int, default=10, help="tabs opened at once (default 10)")
    b.add_argument("--repeats", type=int, default=5, help="page loads timed one at a time (default 5)")
    b.add_argument("--keys", type=int, default=10, help="key presses timed in one tab (default 10)")
    load = sub.add_parser("load", help="N websocket sessions at once, no browser: start time, RSS, CPU")
    load.add_argument("--sessions", type=counts, default=[1, 10, 20], help="counts to run, one server each "
                      "(default 1,10,20)")
    load.add_argument("--width", type=int, default=142, help="terminal columns (default 142: chromium's at 1280x800)")
    load.add_argument("--height", type=int, default=44, help="terminal rows (default 44)")
    load.add_argument("--seconds", type=float, default=5.0, help="each CPU measurement's window (default 5)")
    shot = sub.add_parser("shot", help="a screenshot of a lesson after some steps, 1280x800")
    shot.add_argument("--out", required=True, help="the PNG to write, e.g. docs/browser.png")
    shot.add_argument("--scenario", default="neural_net", choices=bundled_names(), help="default neural_net")
    shot.add_argument("--steps", type=int, default=250, help="pause once the step counter reaches this (default 250)")
    for s in (b, load, shot):
        s.add_argument("--json", action="store_true", help="one JSON object at the end instead of labelled lines")
    for s in (b, shot):
        s.add_argument("--chromium", help="the browser to drive (default: chromium on PATH)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    signals: list[int] = []

    def interrupted(signum, frame):
        signals.append(signum)
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM):  # SIGTERM as Ctrl+C: the finally blocks stop the server, chromium
        signal.signal(sig, interrupted)
    try:
        {"browser": cmd_browser, "load": cmd_load, "shot": cmd_shot}[args.command](args, Report(args.json))
    except Exception:
        if not signals:
            raise
        # a Ctrl+C in a terminal reaches Playwright's driver too: it closes chromium, and the page we were
        # reading says so (TargetClosedError) before our own KeyboardInterrupt does
        return stopped_by(signals)
    except KeyboardInterrupt:
        return stopped_by(signals)
    return 0


def stopped_by(signals: list[int]) -> int:
    print("serve_bench: interrupted; the server and the browser are stopped", file=sys.stderr)
    return 128 + (signals[0] if signals else signal.SIGINT)


if __name__ == "__main__":
    sys.exit(main())
