"""`hnn-tui export`: a lesson as one standalone Python program (engine.export writes it), printed or written to a
file that did not exist before (atomically: a reader never sees half of it)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .cli_args import BadInput, nonneg_int
from .engine import STRATEGIES, load_scenario
from .engine.export import export_program

EXPORT_HELP = """\
Write SCENARIO as one Python program that needs only the standard library (no hnn-tui): a circuit's gates
written out, each gate's local derivative beside its forward and the backward pass gate by gate; or a
classifier's or a regression's data, model (the svm, the ReLU net, the mlp's layers) and force specification (the
pull on the score, backpropagated; the spring; L1 and its shrink, dropout, class weights when the lesson has
them); then the strategy and the settings. Run it with python FILE [--steps N] [--seed S]: it prints the same
JSON lines as hnn-tui run SCENARIO --json. What cannot be written out plainly is refused in one line (exit 2)."""


def add_parser(sub) -> None:
    e = sub.add_parser("export", help="write a lesson as a standalone Python program", description=EXPORT_HELP)
    e.add_argument("scenario", help="a bundled scenario name (see hnn-tui list) or a path to a .toml file")
    e.add_argument("-o", "--output", metavar="FILE", help="write to FILE (never over an existing file); "
                   "default: stdout")
    e.add_argument("--strategy", choices=list(STRATEGIES), help="the strategy written out; default: the scenario's")
    e.add_argument("--seed", type=nonneg_int, help="the program's default seed; default: the scenario's")


def write_new(path: Path, text: str) -> None:
    """Write `text` to `path` atomically, refusing (BadInput) if `path` exists: a temporary file in the same folder,
    hard-linked to its name (link never replaces an existing file), then removed."""
    if path.exists() or path.is_symlink():
        raise BadInput(f"-o {path}: the file exists; export never writes over a file (choose another name)")
    if not path.parent.is_dir():
        raise BadInput(f"-o {path}: no folder {str(path.parent)!r}")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise BadInput(f"-o {path}: the file exists; export never writes over a file (choose another "
                           "name)") from None
    finally:
        os.unlink(tmp)


def cmd_export(args, out) -> int:
    scenario = load_scenario(args.scenario, args.seed)
    text = export_program(scenario, args.strategy)
    if args.output is None:
        out.write(text)
    else:
        write_new(Path(args.output), text)
    return 0
