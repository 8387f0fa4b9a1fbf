"""What `pip install .` ships: every subpackage, the stylesheet and the bundled scenarios inside the package."""
from __future__ import annotations

import tomllib

from helpers import ROOT


def setuptools_table() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(setuptools_table()["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "hnn_tui").rglob("__init__.py")}
    assert on_disk <= listed, f"add {sorted(on_disk - listed)} to [tool.setuptools] packages"
    assert "hnn_tui.scenarios" in listed


def test_bundled_scenarios_and_the_stylesheet_are_package_data():
    setup = setuptools_table()
    assert "package-dir" not in setup  # the scenarios live in the package itself: hnn_tui/scenarios
    assert "*.toml" in setup["package-data"]["hnn_tui.scenarios"]
    assert "*.tcss" in setup["package-data"]["hnn_tui"]
    assert list((ROOT / "hnn_tui" / "scenarios").glob("*.toml")) and not (ROOT / "scenarios").exists()
