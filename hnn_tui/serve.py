"""hnn-tui served to web browsers: textual-serve's server, with what a classroom needs put around it.

textual-serve 1.1.3 starts one app process per browser tab (one per websocket), but it has no session limit,
passes the server's whole environment to every app, runs the command through a shell, and on a disconnect sends
the app a quit message and waits for ever. Here (pinned to 1.1.3 in pyproject.toml: we override its internals):

- ClassroomServer refuses a tab beyond `max_sessions`: the page (GET /) is a short page that says why, and a tab
  that loaded the page before the room filled up gets the same words in its terminal instead of an app;
- Session runs the one command the server was given (`python -m hnn_tui [--scenarios DIR]`, no shell; the URL
  can set only the terminal's size and font), in a trimmed environment with HNN_TUI_SERVED=1, and a session that
  ends (the tab closed, the app quit, the server stopping) ends its process: the quit message, then SIGTERM after
  `quit_timeout` seconds, then SIGKILL after `kill_timeout` more (and on Linux, SIGTERM if the server dies);
- the page's websocket address comes from the address the browser used, not the one the server listens on
  (textual-serve writes ws://0.0.0.0:8000/ws into the page when it listens on 0.0.0.0, which no browser reaches).
"""
from __future__ import annotations

import asyncio
import ctypes
import html
import os
import shlex
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import aiohttp_jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

import hnn_tui

QUIT_TIMEOUT = 3.0  # seconds a session's app has to quit on its own before SIGTERM
KILL_TIMEOUT = 2.0  # seconds after SIGTERM before SIGKILL
RETRY_SECONDS = 15  # the full page loads itself again this often: a place freed is taken without a click

# What a session's app gets of the server's environment: where programs and the home folder are, the language,
# the time zone, the temporary folder, and what Python needs to find the same packages as the server (a venv,
# PYTHONPATH). Nothing else: no tokens, keys or proxies the teacher's shell happens to hold.
KEPT = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH",
        "PYTHONHOME", "PYTHONIOENCODING", "PYTHONUTF8", "SYSTEMROOT")
KEPT_PREFIXES = ("LC_",)
# What textual-serve itself sets for the app (AppService._build_environment): the web driver, the frame rate,
# the colours and the terminal's size.
SERVE_KEYS = ("TEXTUAL_DRIVER", "TEXTUAL_FPS", "TEXTUAL_COLOR_SYSTEM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION",
              "COLUMNS", "ROWS")
TERM = "xterm-256color"  # the browser's terminal (xterm.js); the server's own TERM says nothing about it

PR_SET_PDEATHSIG = 1  # linux/prctl.h
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def _end_with_the_server() -> None:
    """Run in a session's process before the app starts (Linux): SIGTERM to it when the server dies, even by
    SIGKILL, which gives the server no time to stop its sessions."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def session_command(folder: str | None = None) -> list[str]:
    """The one command every session runs: this Python, this package, the server's --scenarios folder."""
    return [sys.executable, "-m", "hnn_tui", *(["--scenarios", str(Path(folder).resolve())] if folder else [])]


def package_parent() -> Path:
    """The folder that holds the hnn_tui package: a session started there imports the same hnn_tui as the
    server (`python -m` looks in its working folder first), a development tree as well as an installed one."""
    return Path(hnn_tui.__file__).resolve().parent.parent


def session_environment(environ: Mapping[str, str], serve_keys: Mapping[str, str]) -> dict[str, str]:
    """The server's environment trimmed to KEPT (and LC_*), plus textual-serve's keys and HNN_TUI_SERVED=1."""
    env = {k: v for k, v in environ.items() if k in KEPT or k.startswith(KEPT_PREFIXES)}
    env.update({k: v for k, v in serve_keys.items() if k in SERVE_KEYS})
    env.update(TERM=TERM, COLORTERM="truecolor", HNN_TUI_SERVED="1")
    return env


def sessions_text(n: int) -> str:
    return f"{n} session{'' if n == 1 else 's'}"


def full_words(max_sessions: int) -> str:
    return (f"the classroom is full ({sessions_text(max_sessions)}): every place on this hnn-tui server is taken. "
            f"A place frees up when someone closes their tab or quits the app (q).")


def full_page(max_sessions: int) -> str:
    """The page a tab gets instead of the app when every place is taken (plain HTML: words a browser shows)."""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="{RETRY_SECONDS}">
<title>hnn-tui: the classroom is full</title>
<style>body {{ background: #0c181f; color: #eee; font: 18px/1.5 monospace; margin: 3em auto; max-width: 46em; }}
</style></head>
<body><h1>hnn-tui</h1><p id="full">{html.escape(full_words(max_sessions))}</p>
<p>This page tries again every {RETRY_SECONDS} seconds.</p></body></html>
"""


class Session(AppService):
    """One browser tab's app: textual-serve's AppService with a fixed command run without a shell, a trimmed
    environment, and a stop that does not wait for ever."""

    def __init__(self, argv: Sequence[str], cwd: str | Path | None, number: int,
                 quit_timeout: float = QUIT_TIMEOUT, kill_timeout: float = KILL_TIMEOUT, **kwargs):
        super().__init__(shlex.join(argv), **kwargs)
        self.argv, self.cwd, self.number = list(argv), cwd, number
        self.quit_timeout, self.kill_timeout = quit_timeout, kill_timeout
        self.how_it_ended = ""  # "quit", "terminated" or "killed", once stopped
        self._stopping: asyncio.Task | None = None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        return session_environment(os.environ, super()._build_environment(width, height))

    async def _open_app_process(self, width: int = 80, height: int = 24):
        """As textual-serve's, but the argument list itself (no shell between: a folder's spaces stay in its
        name) in the folder that holds this hnn_tui."""
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self._build_environment(width, height), cwd=self.cwd,
            preexec_fn=_end_with_the_server if _prctl else None)
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        """End the app: ask it to quit, then SIGTERM, then SIGKILL; the process is reaped when this returns.
        Called again (textual-serve's handler stops twice), it waits for the same stop."""
        if self._process is None:
            return
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
        await asyncio.shield(self._stopping)

    async def _stop(self) -> None:
        process = self._process
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        if process.returncode is None:
            await self.send_meta({"type": "quit"})  # False (and no harm) when its stdin is already closed
        self.how_it_ended = "quit"
        if not await self._exited_within(self.quit_timeout):
            self.how_it_ended = "terminated"
            process.terminate()
            if not await self._exited_within(self.kill_timeout):
                self.how_it_ended = "killed"
                process.kill()
                await process.wait()
        if self._task is not None:  # the reader of its output: ends at the end of the output
            task, self._task = self._task, None
            try:
                await asyncio.wait_for(task, self.kill_timeout)
            except TimeoutError:  # a grandchild holding the pipe open: the reader is given up
                task.cancel()

    async def _exited_within(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._process.wait(), seconds)
        except TimeoutError:
            return False
        return True


class ClassroomServer(Server):
    """textual-serve's Server with a session cap, a fixed session command, sessions that end with their tab, and
    a stop that ends every session. `say` prints the server's own lines (sessions opened, closed, refused)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8000, max_sessions: int = 20,
                 folder: str | None = None, argv: Sequence[str] | None = None, cwd: str | Path | None = None,
                 quit_timeout: float = QUIT_TIMEOUT, kill_timeout: float = KILL_TIMEOUT,
                 say: Callable[[str], None] | None = None):
        self.argv = list(argv) if argv is not None else session_command(folder)  # never from a request
        super().__init__(shlex.join(self.argv), host=host, port=port, title="hnn-tui")
        self.cwd = package_parent() if argv is None and cwd is None else cwd
        self.max_sessions = max_sessions
        self.quit_timeout, self.kill_timeout = quit_timeout, kill_timeout
        self.say = say or (lambda line: print(line, flush=True))
        self.sessions: dict[Session, web.WebSocketResponse] = {}
        self.refused = 0  # tabs turned away, for the tests
        self._numbered = 0
        self._said_full = False  # the log says once that the room is full, not at each retry of each full page

    @property
    def full(self) -> bool:
        return len(self.sessions) >= self.max_sessions

    def in_use(self) -> str:
        return f"{len(self.sessions)} of {self.max_sessions} in use"

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints its logo and address here; the command prints its own start line."""

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The app's page, with the websocket at the address the browser used (Host), or the full page."""
        if self.full:
            self.refused += 1
            if not self._said_full:
                self._said_full = True
                self.say(f"the classroom is full ({self.in_use()}): new tabs get a page that says so, and retry "
                         f"every {RETRY_SECONDS} s")
            return web.Response(status=503, text=full_page(self.max_sessions), content_type="text/html",
                                headers={"Retry-After": str(RETRY_SECONDS)})
        here = f"{request.scheme}://{request.host}"
        ws = ("wss" if request.scheme == "https" else "ws") + f"://{request.host}"
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{ws}{request.app.router['websocket'].url_for()}",
            "config": {"static": {"url": f"{here}{request.app.router['static'].url_for(filename='/')}"
                                  .rstrip("/") + "/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One tab's terminal: a new Session for it, or (every place taken) the full page's words in it."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)
        if self.full:  # the page was served before the last place went: the words go in its terminal
            self.refused += 1
            self.say(f"a tab was refused ({self.in_use()})")
            await websocket.send_bytes(f"\x1b[2J\x1b[H\x1b[1mhnn-tui\x1b[0m\r\n\r\n{full_words(self.max_sessions)}"
                                       f"\r\n\r\nReload the page to try again.\r\n".encode())
            async for _ in websocket:  # held open (no process): closing it would cover the words
                pass
            return websocket
        self._numbered += 1
        session = Session(self.argv, self.cwd, self._numbered, self.quit_timeout, self.kill_timeout,
                          write_bytes=websocket.send_bytes, write_str=websocket.send_str, close=websocket.close,
                          download_manager=self.download_manager, debug=self.debug)
        self.sessions[session] = websocket  # counted from here, before any await: no two tabs take one place
        try:
            await session.start(width, height)
            self.say(f"session {session.number} opened: process {session.pid} ({self.in_use()})")
            await self._process_messages(websocket, session)
        except (asyncio.CancelledError, ConnectionResetError):
            pass
        except Exception as e:  # e.g. the command could not start: this tab ends, the server goes on
            self.say(f"session {session.number} failed: {e}")
        finally:
            await session.stop()
            del self.sessions[session]
            self._said_full = self.full
            self.say(f"session {session.number} closed: the app {self._ended(session)} ({self.in_use()})")
            await websocket.close()
        return websocket

    def _ended(self, session: Session) -> str:
        return {"quit": "quit", "terminated": f"did not quit in {self.quit_timeout:g} s: terminated",
                "killed": "ignored SIGTERM: killed"}.get(session.how_it_ended, "never started")

    async def stop_sessions(self) -> int:
        """End every session at once (quit, SIGTERM, SIGKILL) and close their tabs; how many there were."""
        sessions = list(self.sessions.items())
        await asyncio.gather(*(s.stop() for s, _ in sessions), return_exceptions=True)
        await asyncio.gather(*(ws.close() for _, ws in sessions), return_exceptions=True)
        return len(sessions)

    async def listen(self) -> tuple[web.AppRunner, list[tuple[str, int]]]:
        """Start listening; the runner (for `close`) and the addresses bound (port 0: the port the system
        chose). OSError when the address cannot be had (a port in use, a host not on this machine)."""
        runner = web.AppRunner(await self._make_app(), handle_signals=False, access_log=None,
                               shutdown_timeout=self.kill_timeout)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        return runner, [a[:2] for a in runner.addresses]

    async def close(self, runner: web.AppRunner) -> int:
        """Stop every session, then the server; how many sessions were stopped."""
        stopped = await self.stop_sessions()
        await runner.cleanup()
        return stopped
