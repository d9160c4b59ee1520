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


ORM_PROBE = """
import contextlib, io, json, sys
from app.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy' or m in ('app.store.models', 'alembic'))
print(json.dumps({"code": code, "loaded": loaded, "out": out.getvalue()}))
"""


def test_case_list_and_search_load_no_sqlalchemy_and_audit_their_use(demo_desk):
    """issue 19: ``case list`` (filters, paging, search) and ``case search`` run on plain SQL (app/cases/casesql.py):
    neither SQLAlchemy nor the mapped models are imported, and the ``cli.use`` audit entry is still
    written and chained."""
    root = str(demo_desk.root)
    demo_desk.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(*argv):
        r = subprocess.run([sys.executable, "-c", ORM_PROBE, "--data-dir", root, *argv], capture_output=True,
                           text=True, timeout=120, env=env, cwd=ROOT)
        assert r.returncode == 0, r.stderr[-3000:]
        return json.loads(r.stdout.strip().splitlines()[-1])

    first = run("case", "list", "--limit", "50", "--json")
    assert first["code"] == 0 and first["loaded"] == []
    page = json.loads(first["out"])
    assert page["total"] == 300 and len(page["items"]) == 50 and page["next"]
    second = run("case", "list", "--limit", "50", "--after", page["next"], "--state", "open", "--json")
    assert second["code"] == 0 and second["loaded"] == []
    assert run("case", "search", "张三", "--json")["loaded"] == []
    bad = run("case", "list", "--state", "nope", "--json")
    assert bad["code"] == 2 and bad["loaded"] == []
    # the audit entries of the three good commands are on the chain (audit verify reads with the ORM)
    from app.desk import open_desk
    from app.store.crypto import open_store_raw

    conn = open_store_raw(root)
    try:
        uses = conn.execute("SELECT detail, chain FROM audit_log WHERE action = 'cli.use' ORDER BY seq").fetchall()
    finally:
        conn.close()
    assert [json.loads(d)["command"] for d, _ in uses[-3:]] == ["case list", "case list", "case search"]
    assert all(c for _, c in uses)
    from app.store import chain

    again = open_desk(root, backup=False)
    try:
        with again.db.read() as s:
            assert chain.verify(s.connection())["ok"]
    finally:
        again.close()


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
