"""Lean client (issue 19): the desktop client needs none of the district server's packages.

pyproject.toml keeps FastAPI, uvicorn and psycopg in the ``server`` extra; here, in a fresh
interpreter where those packages (and the ``server`` package itself) cannot be imported, every
module of ``app`` and ``ui`` (files, so namespace packages such as app/sync count) imports, a demo store is made and the headless tour runs (window pages
rendered offscreen, a dossier printed).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER_ONLY = ("fastapi", "starlette", "uvicorn", "psycopg", "psycopg_binary", "psycopg_c", "psycopg_pool",
               "server", "httpx")

PROBE = r"""
import importlib, importlib.abc, json, sys

HIDDEN = set(sys.argv[1].split(","))
tried = []


class HideServerPackages(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            tried.append(name)
            raise ModuleNotFoundError(f"No module named {name!r} (hidden by the lean-client test)", name=name)
        return None


sys.meta_path.insert(0, HideServerPackages())
from pathlib import Path

root = Path(sys.argv[4])
modules = []
for path in sorted([*root.joinpath("app").rglob("*.py"), *root.joinpath("ui").rglob("*.py")]):
    rel = path.relative_to(root).with_suffix("")
    if "migrations" in rel.parts or rel.name == "__main__":
        continue  # Alembic's scripts run under Alembic; a __main__ would start the program
    name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
    importlib.import_module(name)
    modules.append(name)

from app.cli import main

data, out = sys.argv[2], sys.argv[3]
assert main(["--data-dir", data, "demo", "--cases", "30"]) == 0
from ui.tour import run_tour

code = run_tour(data, out)
loaded = sorted({m.split(".")[0] for m in sys.modules} & HIDDEN)
print(json.dumps({"modules": modules, "tour": code, "tried": tried, "loaded": loaded}))
"""


def test_pyproject_keeps_server_packages_in_the_server_extra():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(reqs):
        return {r.split("[")[0].split(">")[0].split("<")[0].split("=")[0].strip().lower() for r in reqs}

    base = names(meta["dependencies"])
    assert not base & {"fastapi", "uvicorn", "psycopg", "starlette"}
    assert {"fastapi", "uvicorn", "psycopg"} <= names(meta["optional-dependencies"]["server"])
    assert "pydantic" in base  # app/sync's protocol models run on the client


def test_every_client_module_imports_and_the_tour_runs_without_server_packages(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    out = tmp_path / "tour"
    r = subprocess.run([sys.executable, "-c", PROBE, ",".join(SERVER_ONLY), str(tmp_path / "data"), str(out), str(ROOT)],
                       capture_output=True, text=True, timeout=600, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-4000:]
    result = json.loads(r.stdout.strip().splitlines()[-1])
    assert result["tour"] == 0 and result["loaded"] == []
    assert {"app.sync.wire", "app.sync.transport", "app.cli", "ui.main", "ui.tour"} <= set(result["modules"])
    pngs = list(out.glob("*.png"))
    assert len(pngs) >= 5 and all(p.stat().st_size > 10_000 for p in pngs)
    assert list(out.glob("*.pdf")) or list((tmp_path / "data").rglob("*.pdf"))
