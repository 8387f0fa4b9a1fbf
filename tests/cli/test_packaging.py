"""What `pip install .` ships: every subpackage and the bundled scenarios."""
from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "hnn_tui").rglob("__init__.py")}
    assert on_disk <= listed, f"add {sorted(on_disk - listed)} to [tool.setuptools] packages"
    assert "hnn_tui.scenarios" in listed  # mapped from the top-level scenarios/ folder


def test_bundled_scenarios_are_package_data():
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setup["package-dir"]["hnn_tui.scenarios"] == "scenarios"
    assert "*.toml" in setup["package-data"]["hnn_tui.scenarios"]
    assert "*.tcss" in setup["package-data"]["hnn_tui"]
