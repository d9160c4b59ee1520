"""Fixtures of the supervision tests: window contexts for demo users (synchronous tasks)."""
from __future__ import annotations

import pytest

from tests.conftest import load_actors


def make_ctx(desk, username, tmp_path):
    from ui.bus import EventBridge
    from ui.context import UiContext, make_settings
    from ui.tasks import TaskManager

    return UiContext(desk, load_actors(desk)[username], TaskManager(synchronous=True), EventBridge(),
                     make_settings(str(tmp_path / f"{username}.ini")))


@pytest.fixture
def contexts(desk, tmp_path):
    """contexts("director") -> a UiContext for that user; all closed after the test."""
    made = []

    def make(username):
        made.append(make_ctx(desk, username, tmp_path))
        return made[-1]

    yield make
    for c in made:
        c.bus.close()
        c.tasks.shutdown()
