"""One keys table (hnn_tui/keys.py) makes every screen's BINDINGS, the help screen and the README's key table."""
from __future__ import annotations

import pytest
from helpers import ROOT

from hnn_tui import keys
from hnn_tui.app import HnnApp
from hnn_tui.panels import CircuitPanel, ClassifierPanel, MulticlassPanel, RegressionPanel
from hnn_tui.screens.help import TEXT as HELP_TEXT
from hnn_tui.screens.help import HelpScreen
from hnn_tui.screens.picker import PickerScreen, ScenarioList
from hnn_tui.screens.playground import PlaygroundScreen


def test_the_readme_shows_the_keys_table():
    readme = (ROOT / "README.md").read_text()
    for rows in (keys.PLAYGROUND, keys.CIRCUIT, keys.CLASSIFIER, keys.MULTICLASS, keys.REGRESSION):
        assert keys.markdown(rows) in readme, "update the README's key tables: python -m hnn_tui.keys"


def test_the_help_screen_shows_the_same_table():
    assert keys.markdown(keys.PLAYGROUND) in HELP_TEXT
    assert keys.markdown(keys.CIRCUIT) in HELP_TEXT
    assert keys.markdown(keys.CLASSIFIER) in HELP_TEXT
    assert keys.markdown(keys.MULTICLASS) in HELP_TEXT
    assert keys.markdown(keys.REGRESSION) in HELP_TEXT
    for row in keys.PICKER:
        assert f"{row.shown} {row.does}" in HELP_TEXT


@pytest.mark.parametrize("owner,table", [(PlaygroundScreen, keys.PLAYGROUND), (CircuitPanel, keys.CIRCUIT),
                                         (ClassifierPanel, keys.CLASSIFIER), (MulticlassPanel, keys.MULTICLASS),
                                         (RegressionPanel, keys.REGRESSION),
                                         (PickerScreen, keys.PICKER),
                                         (ScenarioList, keys.LIST), (HelpScreen, keys.HELP), (HnnApp, keys.APP)])
def test_every_binding_comes_from_the_table_and_has_its_action(owner, table):
    flat = [k for r in table for k in (r.keys if isinstance(r, keys.Row) else (r,))]
    assert [(b.key, b.action) for b in owner.BINDINGS] == [(k.keys, k.action) for k in flat]
    for k in flat:
        target, _, name = k.action.rpartition(".")
        method = name.split("(")[0]
        where = HnnApp if target == "app" else owner
        assert hasattr(where, f"action_{method}") or method in ("dismiss", "select", "quit"), k.action


def test_every_key_the_help_names_is_bound():
    shown = {part.strip("`") for r in keys.PLAYGROUND for part in r.shown.split()}
    bound = {name for b in PlaygroundScreen.BINDINGS for name in b.key.split(",")} | {"ctrl+q"}
    names = {"-": "minus", "+": "plus", ",": "comma", ".": "full_stop", "?": "question_mark", "<": "less_than_sign",
             ">": "greater_than_sign"}
    assert {names.get(s, s) for s in shown} <= bound


def test_every_circuit_key_the_help_names_is_bound():
    shown = {part.strip("`") for r in keys.CIRCUIT for part in r.shown.split()}
    bound = {name for b in CircuitPanel.BINDINGS for name in b.key.split(",")}
    names = {"[": "left_square_bracket", "]": "right_square_bracket", "{": "left_curly_bracket",
             "}": "right_curly_bracket"}
    assert {names.get(s, s) for s in shown} <= bound
    playground = {name for b in PlaygroundScreen.BINDINGS for name in b.key.split(",")}
    assert not bound & playground, "a circuit key hides a playground key"


def test_every_classifier_key_is_bound_once():
    shown = {part.strip("`") for r in keys.CLASSIFIER for part in r.shown.split()}
    bound = {name for b in ClassifierPanel.BINDINGS for name in b.key.split(",")}
    assert shown <= bound
    playground = {name for b in PlaygroundScreen.BINDINGS for name in b.key.split(",")}
    assert not bound & playground, "a classifier key hides a playground key"
