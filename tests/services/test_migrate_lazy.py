"""Fast command start (issue 19): Alembic is imported only when a migration is due.

app/store/migrate.py reads the scripts' head from their text; these tests hold that reading to
Alembic's own, and check in fresh interpreters which big packages a command loads.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from app.store import migrate

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("alembic", "mako", "PySide6", "reportlab", "requests", "openpyxl", "fastapi", "uvicorn", "psycopg")

PROBE = """
import contextlib, io, json, sys
from app.cli import main
HEAVY = sys.argv.pop(1).split(",")
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
heavy = sorted({m.split('.')[0] for m in sys.modules} & set(HEAVY))
print(json.dumps({"code": code, "heavy": heavy, "out": out.getvalue()}))
"""


def _run(*argv) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", PROBE, ",".join(HEAVY), *argv], capture_output=True, text=True, timeout=120,
                       env=env, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_the_scripts_head_and_graph_read_from_text_match_alembic():
    script = ScriptDirectory.from_config(migrate.alembic_config())
    alembic_graph = {rev.revision: tuple(rev._all_down_revisions) for rev in script.walk_revisions()}
    assert migrate.script_revisions() == alembic_graph
    assert migrate.head_revision() == script.get_current_head()


def test_current_revision_of_a_blank_file_is_none(tmp_path):
    from app.store.db import make_engine

    engine = make_engine(tmp_path / "blank.sqlite3")
    assert migrate.current_revision(engine) is None
    engine.dispose()


def test_a_command_on_a_store_at_head_loads_no_alembic_gui_or_documents(tmp_path):
    data = tmp_path / "data"
    first = _run("--data-dir", str(data), "init", "--town", "FS", "--name", "府山街道", "--workstation", "01", "--json")
    assert first["code"] == 0
    assert "alembic" in first["heavy"], "a new store is migrated: Alembic must have run"
    again = _run("--data-dir", str(data), "--json", "case", "list", "--limit", "50")
    assert again["code"] == 0 and json.loads(again["out"])["total"] == 0
    assert again["heavy"] == []


def test_a_store_one_revision_behind_is_still_backed_up_and_migrated(tmp_path):
    data = tmp_path / "data"
    assert _run("--data-dir", str(data), "init", "--town", "FS", "--name", "府山街道", "--workstation", "01", "--json")["code"] == 0
    head = migrate.head_revision()
    previous = migrate.script_revisions()[head][0]
    from alembic import command

    from app.store.crypto import load_key, open_store_raw
    from app.store.db import make_engine

    engine = make_engine(data / "towndesk.sqlite3", load_key(data))  # the store is encrypted
    cfg = migrate.alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, previous)
    engine.dispose()
    out = _run("--data-dir", str(data), "--json", "case", "list", "--limit", "5")
    assert out["code"] == 0 and "alembic" in out["heavy"]
    assert list((data / "backups").glob("pre-migrate-*"))
    conn = open_store_raw(data)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (head,)
    finally:
        conn.close()
