"""Scenario files (TOML, data only) loaded into a validated, frozen Scenario. The one gate for bad files:
every check happens here, the finite start included, so a Scenario that loads can always be opened."""
from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from .csvdata import DataPlace
from .lessons import KINDS, Spec, first_non_finite, lesson_for
from .schedules import SCHEDULES
from .strategies import STRATEGIES, Settings
from .table import ScenarioError, Table
from .updates import UPDATES

MAX_FILE_BYTES = 1_000_000
BUNDLED = "hnn_tui.scenarios"  # the package the bundled lessons ship in


@dataclass(frozen=True)
class Scenario:
    """One lesson: what every kind shares (words, strategy, steps, seed, settings) and the kind's own spec."""

    name: str
    title: str
    spec: Spec  # the kind's own tables, validated and frozen (see lessons.KINDS)
    description: str = ""
    strategy: str = "analytic"
    steps: int = 1
    seed: int = 0
    settings: Settings = field(default_factory=Settings)
    source: str = ""
    order: int = 1000

    @property
    def kind(self) -> str:
        return self.spec.kind


MAX_DECAY_EVERY = 10**8  # as many as a scenario's steps may be


def _settings(t: Table) -> Settings:
    d = Settings()
    given = set(t.data)
    # a file with step_size_end and no schedule falls linearly, as before there were schedules
    schedule = t.choice("schedule", SCHEDULES, "linear" if "step_size_end" in given else d.schedule)
    update = t.choice("update", UPDATES, d.update)
    s = Settings(
        step_size=t.number("step_size", d.step_size, minimum=0.0),
        step_size_end=t.number("step_size_end", None, minimum=0.0),
        h=t.number("h", d.h, positive=True),
        centered=t.get("centered", (bool,), d.centered, "true or false"),
        tweak=t.number("tweak", d.tweak, minimum=0.0),
        tries=t.integer("tries", d.tries, lo=1, hi=100_000),
        pull=t.number("pull", d.pull),
        update=update,
        momentum=t.number("momentum", d.momentum),
        schedule=schedule,
        decay=t.number("decay", d.decay),
        decay_every=t.integer("decay_every", d.decay_every, lo=1, hi=MAX_DECAY_EVERY),
    )
    if not 0 <= s.momentum < 1:
        t.fail("momentum", f"expected 0 <= momentum < 1, got {t.data['momentum']}")
    if not 0 < s.decay <= 1:
        t.fail("decay", f"expected 0 < decay <= 1, got {t.data['decay']}")
    # a key that would do nothing under the rule or schedule chosen is a mistake to point out, not to ignore
    if "momentum" in given and update == "sgd":
        t.fail("momentum", 'applies to update = "momentum" or "nesterov" only (this file\'s update is "sgd"); '
                           'add update = "momentum"')
    if schedule == "linear" and s.step_size_end is None:
        t.fail("step_size_end", 'missing; the linear schedule needs the step size it falls to')
    if "step_size_end" in given and schedule != "linear":
        t.fail("step_size_end", f'applies to schedule = "linear" only, not "{schedule}"')
    for key in ("decay", "decay_every"):
        if key in given and schedule not in ("step", "exponential"):
            t.fail(key, f'applies to schedule = "step" or "exponential" only, not "{schedule}"')
    t.finish()
    return s


def check_settings(s: Settings) -> None:
    """ValueError for settings no scenario file could hold (Session.set_settings: the keys, a sweep's values)."""
    if s.update not in UPDATES:
        raise ValueError(f"unknown update rule {s.update!r}; expected one of {', '.join(UPDATES)}")
    if s.schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {s.schedule!r}; expected one of {', '.join(SCHEDULES)}")
    if not 0 <= s.momentum < 1:
        raise ValueError(f"expected 0 <= momentum < 1, got {s.momentum!r}")
    if not 0 < s.decay <= 1:
        raise ValueError(f"expected 0 < decay <= 1, got {s.decay!r}")
    if isinstance(s.decay_every, bool) or not isinstance(s.decay_every, int) or \
            not 1 <= s.decay_every <= MAX_DECAY_EVERY:
        raise ValueError(f"expected decay_every a whole number from 1 to {MAX_DECAY_EVERY}, got {s.decay_every!r}")


def check_start(scenario: Scenario) -> None:
    """Refuse a scenario whose start (with its seed) already holds a number that is not finite."""
    lesson = lesson_for(scenario.spec)(scenario.spec, random.Random(scenario.seed))
    m = lesson.measure(False)
    bad = first_non_finite(lesson, m.output, m.values, None, m.detail)
    if bad:  # nothing to step from: the file itself is at fault
        raise ScenarioError(scenario.source or scenario.name, lesson.start_key,
                            f"the start is not finite ({bad} at step 0)")


class _ScenarioTable(Table):
    """A scenario file's top table, knowing where its data files are (read by lessons.classifier)."""

    def __init__(self, source: str, data: dict, place: DataPlace):
        super().__init__(source, data)
        self.place = place


def parse_scenario(text: str, source: str, name: str = "", seed: int | None = None, data: str | Path | None = None,
                   folder: str | Path | None = None) -> Scenario:
    """Validate the TOML text of a scenario; every problem names `source` and the key. `seed` replaces the file's;
    `data`, a CSV file, replaces a classifier's points (`--data`); a relative `[data] csv` path starts at `folder`
    (default: the folder of `source`)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(source, "", f"not valid TOML: {e}") from None
    except RecursionError:  # tomllib recurses once per nested [ or {
        raise ScenarioError(source, "", "not valid TOML: arrays or tables nested too deeply") from None
    place = DataPlace(Path(source).parent if folder is None else Path(folder), None if data is None else str(data))
    t = _ScenarioTable(source, doc, place)
    kind = t.choice("kind", tuple(KINDS))
    if place.override is not None and kind not in ("classifier", "regression"):
        raise ScenarioError(source, "", f"--data {place.override}: a {kind} has no data; --data applies to "
                                        "classifier and regression scenarios only")
    title = t.get("title", (str,), what="a short title")
    description = t.get("description", (str,), "", "text")
    strategy = t.choice("strategy", tuple(STRATEGIES), "analytic")
    steps = t.integer("steps", 1, lo=0, hi=10**8)
    file_seed = t.integer("seed", 0, lo=0, hi=2**32 - 1)
    order = t.integer("order", 1000, lo=0, hi=10**6)
    settings = _settings(t.table("settings", {}))
    if settings.pull != 1.0 and kind != "circuit":
        raise ScenarioError(source, "settings.pull", "applies to circuits only (the pull on a circuit's output)")
    spec = KINDS[kind](t)
    t.finish()
    scenario = Scenario(name=name or Path(source).stem, title=title, spec=spec, description=description.strip(),
                        strategy=strategy, steps=steps, seed=file_seed if seed is None else seed,
                        settings=settings, source=source, order=order)
    check_start(scenario)
    return scenario


def _bundled() -> Traversable:
    return resources.files(BUNDLED)


def bundled_file(name: str) -> Traversable | None:
    """The bundled scenario called `name`, or None."""
    f = _bundled() / f"{name}.toml"
    return f if "/" not in name and not name.endswith(".toml") and f.is_file() else None


def load_scenario(ref: str | Path, seed: int | None = None, data: str | Path | None = None) -> Scenario:
    """A bundled scenario by name (as `hnn-tui list` shows it) or a path to a .toml file; `seed` replaces the file's,
    `data` (a CSV file: `--data`) a classifier's points. A bundled scenario's `[data] csv` starts at the package's
    scenarios folder, a file's at the file's folder."""
    ref = str(ref)
    bundled = bundled_file(ref)
    if bundled is not None:
        return parse_scenario(bundled.read_text("utf-8"), str(bundled), ref, seed, data)
    path = Path(ref)
    if not path.exists():
        known = ", ".join(bundled_names())
        raise ScenarioError(ref, "", f"no such scenario or file (bundled scenarios: {known})")
    if path.is_dir():
        raise ScenarioError(ref, "", "is a folder; expected a scenario .toml file")
    if not path.is_file():  # a FIFO or a device would block or never end
        raise ScenarioError(ref, "", "is not a regular file; expected a scenario .toml file")
    try:
        with path.open("rb") as f:  # read at most one byte past the limit: a file growing meanwhile cannot fill memory
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:  # vanished since the check above, unreadable, ...
        raise ScenarioError(str(path), "", f"cannot read it: {e.strerror or e}") from None
    if len(raw) > MAX_FILE_BYTES:
        size = max(len(raw), _size(path))
        raise ScenarioError(str(path), "", f"file is {size} bytes; expected a scenario of at most {MAX_FILE_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(str(path), "", "not a text file (expected UTF-8 TOML)") from None
    if not text.strip():
        raise ScenarioError(str(path), "", "the file is empty; expected a scenario (see hnn_tui/scenarios/README.md)")
    return parse_scenario(text, str(path), path.stem, seed, data)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


DEFAULT_ORDER = 1000  # a file without a readable `order` key lists after the lessons, by name


def order_of(text: str) -> int:
    """The `order` key of a scenario's TOML text as parse_scenario would accept it, else DEFAULT_ORDER (a broken
    file still gets a place in the list)."""
    try:
        order = tomllib.loads(text).get("order", DEFAULT_ORDER)
    except (ValueError, RecursionError):  # not TOML, or nested too deeply
        return DEFAULT_ORDER
    ok = isinstance(order, int) and not isinstance(order, bool) and 0 <= order <= 10**6
    return order if ok else DEFAULT_ORDER


def _file_order(f: Traversable) -> int:
    """order_of a file's text, reading nothing that is not a regular file (a FIFO would block) or is too big."""
    try:
        if not f.is_file():
            return DEFAULT_ORDER
        with f.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
        return order_of(raw.decode("utf-8")) if len(raw) <= MAX_FILE_BYTES else DEFAULT_ORDER
    except (OSError, UnicodeDecodeError):
        return DEFAULT_ORDER


def lesson_order(files: list) -> list:
    """Files (bundled Traversables or Paths) sorted as the lessons run: by `order`, then by name."""
    return sorted(files, key=lambda f: (_file_order(f), f.name.removesuffix(".toml"), f.name))


def bundled_names() -> list[str]:
    """Bundled scenario names in lesson order (each file's `order`, then by name)."""
    files = [f for f in _bundled().iterdir() if f.name.endswith(".toml") and f.is_file()]
    return [f.name.removesuffix(".toml") for f in lesson_order(files)]


def folder_files(folder: str | Path) -> list[Path]:
    """Every *.toml in `folder` (broken ones, folders and FIFOs named so too: loading them says why), in the
    bundled lessons' order: by `order`, then by name; one whose order cannot be read sits at DEFAULT_ORDER."""
    return lesson_order(list(Path(folder).glob("*.toml")))
