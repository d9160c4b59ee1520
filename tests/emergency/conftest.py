"""Emergency fixtures: the CLI in-process on a copy of the demo store."""
from __future__ import annotations

import json
import shutil

import pytest

# the real district server and enrolled workstations, for test_sync.py and test_board.py
from tests.sync.conftest import server, stations  # noqa: F401


@pytest.fixture
def store(_template_empty, tmp_path):
    """A data dir holding the demo town (reference data and prepared lists, no cases)."""
    root = tmp_path / "cli-store"
    shutil.copytree(_template_empty, root)
    return root


def run(capsys, store, *argv) -> tuple[int, object]:
    from app.cli import main

    rc = main(["--data-dir", str(store), *argv])
    captured = capsys.readouterr()
    out = captured.out if captured.out.strip() else captured.err
    try:
        return rc, json.loads(out)
    except ValueError:
        return rc, out
