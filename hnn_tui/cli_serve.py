"""`hnn-tui serve`: the app for a room of web browsers, one app per tab (hnn_tui/serve.py, over textual-serve).
This is the command's arguments, its start and stop lines, and the signals that stop it."""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import signal
import socket
import sys
from pathlib import Path

from .cli_args import EXIT_BAD_INPUT, EXIT_INTERRUPTED, BadInput, positive_int

DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_SESSIONS = "127.0.0.1", 8000, 20

SERVE_HELP = """\
Serve the app to web browsers (textual-serve; pip install "hnn-tui[serve]"): each tab that opens the address gets
its own app, starting at the picker (the bundled lessons, plus DIR's). The browser cannot choose the command, a
file or a folder, and a served app neither saves nor reads files on the server (w and i refuse). A tab closed ends
its app. Ctrl+C stops the server and every session."""

SERVE_EPILOG = """\
--host: 127.0.0.1 (the default) serves this machine only; 0.0.0.0 every network it is on (a classroom: students
open http://THIS-MACHINE'S-ADDRESS:PORT). There is no authentication: anyone who can reach the port gets an app.
--max-sessions N: at most N apps at once (default 20); a tab beyond them gets a page that says the classroom is
full, and tries again every 15 seconds.
Example: hnn-tui serve --host 0.0.0.0 --port 8000 --max-sessions 30 --scenarios lessons/"""


def port(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {text!r}") from None
    if not 0 <= v <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {v}")
    return v


def add_parser(sub) -> None:
    p = sub.add_parser("serve", help="serve the app to web browsers (a classroom: one app per tab)",
                       description=SERVE_HELP, epilog=SERVE_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default=DEFAULT_HOST, help=f"the address to listen on (default {DEFAULT_HOST}: this "
                   "machine only; 0.0.0.0: every network)")
    p.add_argument("--port", type=port, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0: any free port "
                   "(the start line says which)")
    p.add_argument("--max-sessions", type=positive_int, default=DEFAULT_MAX_SESSIONS, metavar="N",
                   help=f"at most N apps at once (default {DEFAULT_MAX_SESSIONS})")
    p.add_argument("--scenarios", metavar="DIR", help="also list every *.toml in DIR in each app's picker")


def is_loopback(host: str) -> bool:
    """Only this machine can reach `host`: localhost, 127.x.x.x, ::1. A name other than localhost is taken to be
    reachable from elsewhere (the warning errs on the side of saying so)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url(host: str, port_number: int) -> str:
    return f"http://[{host}]:{port_number}" if ":" in host else f"http://{host}:{port_number}"


def room_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback, best first (the one its default route leaves by): what
    students type. Best effort: an empty list when none can be found."""
    found: list[str] = []
    try:  # connecting a UDP socket sends nothing: it only picks the interface a packet would leave by
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: never a real host
            found.append(s.getsockname()[0])
    except OSError:
        pass
    try:
        found += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        pass
    return [a for a in dict.fromkeys(found) if not ipaddress.ip_address(a).is_loopback and a != "0.0.0.0"]


def start_lines(host: str, bound_port: int, max_sessions: int) -> tuple[list[str], list[str]]:
    """(stdout lines, stderr lines) the command prints once it listens."""
    out = []
    if is_loopback(host):
        out.append(f"hnn-tui serve: listening on {url(host, bound_port)} (this machine only; --host 0.0.0.0 to let "
                   f"the room in)")
        err = []
    else:
        if host in ("0.0.0.0", "::", ""):
            rooms = room_addresses()
            where = ", ".join(url(a, bound_port) for a in rooms) or f"http://THIS-MACHINE'S-ADDRESS:{bound_port}"
            out.append(f"hnn-tui serve: listening on {url(host, bound_port)} (every network of this machine: "
                       f"students open {where})")
        else:
            out.append(f"hnn-tui serve: listening on {url(host, bound_port)} (reachable from other machines)")
        err = [f"hnn-tui serve: warning: no authentication: anyone who can reach port {bound_port} of this "
               f"machine gets an app (up to {max_sessions} at once); serve on a network you trust"]
    out.append(f"hnn-tui serve: at most {max_sessions} session{'' if max_sessions == 1 else 's'} at once; "
               "Ctrl+C stops the server and every session")
    return out, err


def cmd_serve(args, out) -> int:
    if args.scenarios is not None and not Path(args.scenarios).is_dir():
        raise BadInput(f"--scenarios {args.scenarios}: not a folder; expected a folder of scenario .toml files")
    try:
        from .serve import ClassroomServer  # textual-serve loads only for this command
    except ImportError as e:
        raise BadInput(f"serve needs textual-serve ({e}): pip install \"hnn-tui[serve]\"") from None
    server = ClassroomServer(args.host, args.port, args.max_sessions, args.scenarios,
                             say=lambda line: print(f"hnn-tui serve: {line}", file=out, flush=True))
    return asyncio.run(serve_until_stopped(server, out))


async def serve_until_stopped(server, out) -> int:
    """Listen until SIGINT (Ctrl+C), SIGTERM or SIGHUP, then stop every session and the server: exit 130 (as every
    command interrupted), or 2 when the address cannot be had."""
    try:
        runner, addresses = await server.listen()
    except OSError as e:
        print(f"hnn-tui: serve: cannot listen on {url(server.host, server.port)}: {e.strerror or e} (try another "
              "--port or --host)", file=sys.stderr)
        return EXIT_BAD_INPUT
    lines, warnings = start_lines(server.host, addresses[0][1] if addresses else server.port, server.max_sessions)
    for line in lines:
        print(line, file=out, flush=True)
    for line in warnings:
        print(line, file=sys.stderr, flush=True)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    handled = []
    for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):  # SIGHUP: its terminal closed
        if sig is None:
            continue
        try:
            loop.add_signal_handler(sig, stop.set)  # a second Ctrl+C while stopping: the same stop, bounded in time
            handled.append(sig)
        except NotImplementedError:  # Windows: Ctrl+C cancels the wait below instead
            pass
    try:
        await stop.wait()
    finally:
        print(f"hnn-tui serve: stopping {len(server.sessions)} session{'' if len(server.sessions) == 1 else 's'}",
              file=out, flush=True)
        stopped = await server.close(runner)
        for sig in handled:
            loop.remove_signal_handler(sig)
    print(f"hnn-tui serve: stopped ({stopped} session{'' if stopped == 1 else 's'} ended)", file=out, flush=True)
    return EXIT_INTERRUPTED
