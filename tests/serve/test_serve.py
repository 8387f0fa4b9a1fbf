"""`hnn-tui serve` without a browser: its arguments, its start line, the page, the session cap, what a session
runs and with what environment, a session that will not quit, Ctrl+C, and the served app's refusals."""
from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from pathlib import Path

import pytest
from helpers import SIZE, cli, process, wait_for, write

pytest.importorskip("textual_serve", reason="hnn-tui serve needs textual-serve: pip install \".[serve]\"")

import aiohttp  # noqa: E402  (textual-serve's own dependency)

from hnn_tui.app import HnnApp  # noqa: E402
from hnn_tui.cli import parser  # noqa: E402
from hnn_tui.cli_args import EXIT_BAD_INPUT, EXIT_INTERRUPTED  # noqa: E402
from hnn_tui.cli_serve import is_loopback, start_lines  # noqa: E402
from hnn_tui.screens.prompt import Prompt  # noqa: E402
from hnn_tui.serve import KEPT, SERVE_KEYS, ClassroomServer, session_command, session_environment  # noqa: E402

FULL = "the classroom is full (1 session)"


async def read_until(ws, needle: bytes, timeout: float = 15.0) -> bytes:
    """The terminal bytes a session sends, until `needle` is among them."""
    seen = b""
    end = time.monotonic() + timeout
    while needle not in seen:
        assert time.monotonic() < end, f"{needle!r} never came; got {seen[-400:]!r}"
        msg = await ws.receive(timeout=end - time.monotonic())
        assert msg.type == aiohttp.WSMsgType.BINARY, f"the websocket ended: {msg}"
        seen += msg.data
    return seen


def gone(pid: int) -> bool:
    """No such process, or a zombie (ended, not yet reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


# ---- the command's arguments and its start line --------------------------------------------------------------

def test_the_default_host_is_this_machine_only():
    args = parser().parse_args(["serve"])
    assert (args.host, args.port, args.max_sessions, args.scenarios) == ("127.0.0.1", 8000, 20, None)
    out, err = start_lines(args.host, 8000, 20)
    assert out[0] == ("hnn-tui serve: listening on http://127.0.0.1:8000 (this machine only; --host 0.0.0.0 to "
                      "let the room in)")
    assert err == []  # no warning for this machine alone
    out, err = start_lines("0.0.0.0", 8000, 20)
    assert out[0].startswith("hnn-tui serve: listening on http://0.0.0.0:8000 (every network of this machine")
    assert len(err) == 1 and "warning: no authentication" in err[0] and "up to 20 at once" in err[0]
    assert [is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "127.0.1.1", "0.0.0.0", "10.0.0.5", "pc")] \
        == [True, True, True, True, False, False, False]


@pytest.mark.parametrize("args, words", [
    (["--port", "http"], "--port: expected a port number from 0 to 65535, got 'http'"),
    (["--port", "70000"], "--port: expected a port number from 0 to 65535, got 70000"),
    (["--max-sessions", "0"], "--max-sessions: expected 1 or more, got 0"),
    (["--scenarios", "no/such/folder"], "--scenarios no/such/folder: not a folder"),
])
def test_bad_input_is_one_line_and_exit_2(args, words):
    done = process("serve", *args, timeout=20)  # a real process: taken as good input, it would serve (and time out)
    assert done.returncode == EXIT_BAD_INPUT and done.stdout == ""
    assert done.stderr.startswith("hnn-tui: ") and words in done.stderr and len(done.stderr.splitlines()) == 1, \
        done.stderr


def test_a_port_in_use_is_one_line_and_exit_2(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code, out = cli("serve", "--port", taken.getsockname()[1])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT and out == ""
    assert err.startswith("hnn-tui: serve: cannot listen on http://127.0.0.1:") and len(err.splitlines()) == 1


# ---- the page and the cap (a real server process) ------------------------------------------------------------

@pytest.mark.slow
async def test_the_page_and_the_session_cap(serve):
    server = serve("--max-sessions", "1")
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url + "/") as page:
            text = await page.text()
            assert page.status == 200 and f'data-session-websocket-url="ws://127.0.0.1:{server.port}/ws"' in text
        # the websocket's address is the one the browser used (a server on 0.0.0.0 is reached by its address)
        async with http.get(server.url + "/", headers={"Host": "192.168.7.9:8000"}) as page:
            assert 'data-session-websocket-url="ws://192.168.7.9:8000/ws"' in await page.text()
        first = await http.ws_connect(server.url + "/ws?width=120&height=40")
        await read_until(first, b"single_gate")  # the picker
        async with http.get(server.url + "/") as page:  # a new tab: a page that says why, in words
            text = await page.text()
            assert page.status == 503 and FULL in text and "data-session-websocket-url" not in text
        # a tab whose page came before the room filled: the words in its terminal, and no app started
        late = await http.ws_connect(server.url + "/ws")
        assert FULL.encode() in await read_until(late, b"full")
        await late.close()
        assert len(server.session_pids()) == 1
        [pid] = server.session_pids()
        await first.close()  # the tab closed: its app ends, and its place is free again
        server.wait_line("session 1 closed: the app quit (0 of 1 in use)")
        assert gone(pid)
        async with http.get(server.url + "/") as page:
            assert page.status == 200
    assert server.stop() == EXIT_INTERRUPTED


@pytest.mark.slow
async def test_each_session_runs_the_servers_command_in_a_trimmed_environment(serve, tmp_path):
    lessons = tmp_path / "my lessons"  # a space: no shell between the server and the command
    lessons.mkdir()
    write(lessons, "own_gate.toml", 'title = "Our own gate"\nkind = "circuit"\n[circuit]\nexpression = "x * y"\n'
          'inputs = { x = 2.0, y = 3.0 }\n')
    env = dict(os.environ, CLASS_SECRET="not for students", TEXTUAL="debug")
    server = serve("--scenarios", str(lessons), env=env)
    async with aiohttp.ClientSession() as http:
        # the URL asks for a command and a file: only the width and height count
        ws = await http.ws_connect(server.url + "/ws?width=120&height=40&command=sh&scenario=/etc/passwd")
        await read_until(ws, b"own_gate")  # the picker lists the bundled lessons and DIR's
        [pid] = server.session_pids()
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
        assert argv == [sys.executable, "-m", "hnn_tui", "--scenarios", str(lessons)]
        environ = dict(kv.split("=", 1) for kv in Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
                       if "=" in kv)
        assert environ["HNN_TUI_SERVED"] == "1" and environ["PATH"] == os.environ["PATH"]
        assert "CLASS_SECRET" not in environ and "TEXTUAL" not in environ
        assert environ["TEXTUAL_DRIVER"] == "textual.drivers.web_driver:WebDriver"
        await ws.close()
    server.wait_line("session 1 closed")


@pytest.mark.slow
async def test_ctrl_c_stops_every_session(serve):
    server = serve()
    async with aiohttp.ClientSession() as http:
        tabs = [await http.ws_connect(server.url + "/ws?width=100&height=30") for _ in range(2)]
        for ws in tabs:
            await read_until(ws, b"single_gate")
        pids = server.session_pids()
        assert len(pids) == 2
        assert server.stop() == EXIT_INTERRUPTED
    assert "hnn-tui serve: stopped (2 sessions ended)" in server.lines[-1]
    assert all(gone(pid) for pid in pids) and not server.group_alive()


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a session learns of its server's death by "
                    "Linux's PR_SET_PDEATHSIG")
async def test_a_session_ends_when_its_server_is_killed(serve):
    server = serve()
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(server.url + "/ws?width=100&height=30")
        await read_until(ws, b"single_gate")
        [pid] = server.session_pids()
        server.process.kill()  # SIGKILL: the server cannot stop its sessions itself
        server.process.wait()
        end = time.monotonic() + 10
        while not gone(pid):
            assert time.monotonic() < end, "the session's app outlived its server"
            await asyncio.sleep(0.02)


def test_the_environment_kept_and_the_command():
    environ = {"PATH": "/bin", "HOME": "/home/t", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "VIRTUAL_ENV": "/v",
               "AWS_SECRET_ACCESS_KEY": "x", "SSH_AUTH_SOCK": "/tmp/a", "TERM": "screen", "TEXTUAL": "devtools",
               "NO_COLOR": "1", "HNN_TUI_SERVED": "0"}
    serve_keys = dict(environ, TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver", COLUMNS="100", ROWS="30")
    assert session_environment(environ, serve_keys) == {
        "PATH": "/bin", "HOME": "/home/t", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "VIRTUAL_ENV": "/v",
        "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver", "COLUMNS": "100", "ROWS": "30",
        "TERM": "xterm-256color", "COLORTERM": "truecolor", "HNN_TUI_SERVED": "1"}
    assert set(KEPT).isdisjoint(SERVE_KEYS)
    assert session_command() == [sys.executable, "-m", "hnn_tui"]
    assert session_command("lessons") == [sys.executable, "-m", "hnn_tui", "--scenarios",
                                          str(Path("lessons").resolve())]


# ---- a session that will not quit (in-process server, stand-in apps) ------------------------------------------

READY = "import signal, sys, time; sys.stdout.write('__GANGLION__\\n'); sys.stdout.flush(); "
WONT_QUIT = READY + "time.sleep(60)"  # never reads the quit message; SIGTERM ends it
WONT_DIE = READY + "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"  # only SIGKILL ends it
QUITS = READY + "sys.stdin.buffer.read(1)"  # ends at the first byte it is sent: the quit message


@pytest.mark.parametrize("script, ended, least, most", [
    (QUITS, "the app quit", 0.0, 3.0),
    (WONT_QUIT, "the app did not quit in 0.3 s: terminated", 0.3, 3.0),
    (WONT_DIE, "the app ignored SIGTERM: killed", 0.6, 3.0),
], ids=["quits", "terminated", "killed"])
async def test_a_closed_tab_ends_its_app_even_one_that_will_not_quit(script, ended, least, most):
    said: list[str] = []
    server = ClassroomServer(port=0, argv=[sys.executable, "-c", script], quit_timeout=0.3, kill_timeout=0.3,
                             say=said.append)
    runner, [(_, port)] = await server.listen()
    try:
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(f"http://127.0.0.1:{port}/ws")
            while not server.sessions:
                await asyncio.sleep(0.01)
            [session] = server.sessions
            await asyncio.sleep(0.2)  # the stand-in is past its signal line
            t0 = time.monotonic()
            await ws.close()
            while server.sessions:
                assert time.monotonic() - t0 < most, "the session's app is still there"
                await asyncio.sleep(0.01)
            took = time.monotonic() - t0
        assert session._process.returncode is not None and gone(session.pid)
        assert said[-1] == f"session 1 closed: {ended} (0 of 20 in use)"
        assert least <= took < most, took
    finally:
        await server.close(runner)


# ---- the served app: no file of the server is read or written for a browser -----------------------------------

@pytest.mark.parametrize("key, words", [("w", "not saved: this app is served"), ("i", "not read: this app is served")])
async def test_served_app_refuses_to_save_or_read_files(key, words, notices, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HNN_TUI_SERVED", "1")
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        assert app.served
        await pilot.press(key)
        await wait_for(pilot, lambda: any(words in n for n in notices))
        await pilot.pause(0.1)
        assert not isinstance(app.screen, Prompt) and "on the server" in notices[-1]
    assert list(tmp_path.iterdir()) == []


async def test_the_terminal_app_still_saves(monkeypatch):
    monkeypatch.delenv("HNN_TUI_SERVED", raising=False)
    app = HnnApp("svm")
    async with app.run_test(size=SIZE) as pilot:
        assert not app.served
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, Prompt))


def test_served_reads_the_environment(monkeypatch):
    for value, served in (("1", True), ("0", False), ("", False)):
        monkeypatch.setenv("HNN_TUI_SERVED", value)
        assert HnnApp().served is served
