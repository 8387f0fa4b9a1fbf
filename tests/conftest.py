"""Fixtures for every test folder (engine, lesson, cli, app).

Plain helpers are in helpers.py and the tables of cases in cases.py (tests/ is on the tests' path).
"""
from __future__ import annotations

import pytest
from textual.app import App


@pytest.fixture
def notices(monkeypatch) -> list[str]:
    """Every message the app passes to notify() during the test (App.notify is public; its store is not)."""
    seen: list[str] = []
    real = App.notify

    def record(self, message, *args, **kwargs):
        seen.append(str(message))
        return real(self, message, *args, **kwargs)

    monkeypatch.setattr(App, "notify", record)
    return seen
