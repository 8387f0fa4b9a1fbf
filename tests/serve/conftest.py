"""A real `hnn-tui serve` process for the serve tests: started on a free port in its own process group, stopped
with SIGINT (Ctrl+C) at the end, and every process of its group (the server, each session's app) gone after."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from helpers import ROOT


class Served:
    """`python -m hnn_tui serve --port 0 ARGS`: its stdout lines as they come, its address, its stop."""

    def __init__(self, *args: str, env: dict[str, str] | None = None):
        self.process = subprocess.Popen([sys.executable, "-m", "hnn_tui", "serve", "--port", "0", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                        env=env, start_new_session=True)  # its own group: killpg finds them all
        self.lines: list[str] = []
        self.errors: list[str] = []
        for stream, into in ((self.process.stdout, self.lines), (self.process.stderr, self.errors)):
            threading.Thread(target=lambda s=stream, i=into: i.extend(iter(s.readline, "")), daemon=True).start()
        start = self.wait_line("listening on")
        self.port = int(re.search(r"http://127\.0\.0\.1:(\d+) ", start).group(1))
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_line(self, words: str, timeout: float = 15.0) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for line in self.lines:
                if words in line:
                    return line
            if self.process.poll() is not None and not any(words in ln for ln in self.lines):
                time.sleep(0.1)  # the readers' last lines
                if not any(words in ln for ln in self.lines):
                    raise AssertionError(f"the server exited ({self.process.returncode}) without {words!r}: "
                                         f"{self.lines} {self.errors}")
            time.sleep(0.02)
        raise AssertionError(f"{words!r} never printed: {self.lines} {self.errors}")

    def session_pids(self) -> list[int]:
        return [int(m.group(1)) for ln in self.lines if (m := re.search(r"opened: process (\d+)", ln))]

    def stop(self, timeout: float = 15.0) -> int:
        """Ctrl+C, as a teacher stops it; SIGKILL to the whole group if it has not ended in `timeout`."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill_group()
                self.process.wait()
        time.sleep(0.05)  # the readers' last lines
        return self.process.returncode

    def group_alive(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def kill_group(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture
def serve():
    """serve(*ARGS) starts a server; each one is stopped at the end, and none may leave a process behind."""
    started: list[Served] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Served:
        started.append(Served(*args, env=env))
        return started[-1]

    yield start
    left = []
    for s in started:
        s.stop()
        end = time.monotonic() + 5
        while s.group_alive() and time.monotonic() < end:
            time.sleep(0.05)
        if s.group_alive():
            left.append(s.process.pid)
            s.kill_group()
    assert not left, f"processes left behind in the group of server(s) {left}"
