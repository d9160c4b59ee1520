"""app.domain must stay pure: no database, GUI, network, file or process I/O.

Every module under app/domain is parsed with ``ast``; its imports must avoid the forbidden
libraries, first-party imports may only reach app.domain and app.errors, and the I/O builtins
``open``/``print``/``input``/``exec``/``eval``/``__import__`` must not be called.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "app" / "domain"

FORBIDDEN_TOP_LEVEL = {
    # persistence / GUI / network
    "sqlalchemy", "alembic", "psycopg", "psycopg2", "sqlite3", "dbm", "shelve",
    "PySide6", "PyQt5", "PyQt6", "shiboken6", "tkinter",
    "requests", "httpx", "urllib", "urllib3", "http", "socket", "ssl", "aiohttp",
    "fastapi", "uvicorn", "smtplib", "ftplib",
    # files, processes, OS
    "os", "io", "pathlib", "shutil", "tempfile", "glob", "subprocess", "multiprocessing",
    "threading", "asyncio", "signal", "platformdirs", "pickle", "logging",
    # document writers
    "openpyxl", "reportlab",
}
FIRST_PARTY_ALLOWED = ("app.domain", "app.errors")
FORBIDDEN_CALLS = {"open", "print", "input", "exec", "eval", "__import__", "breakpoint"}

MODULES = sorted(DOMAIN.rglob("*.py"))


def _package_of(path: Path) -> str:
    rel = path.relative_to(DOMAIN.parent.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    else:
        parts.pop()  # module -> its package
    return ".".join(parts)


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the package
                base = _package_of(path).split(".")
                base = base[: len(base) - (node.level - 1)]
                names.append(".".join(base + ([node.module] if node.module else [])))
            else:
                names.append(node.module or "")
    return names


def test_domain_modules_exist():
    names = {p.stem for p in MODULES}
    assert {"validation", "calendar", "deadlines", "routing", "repeats"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_io_imports(path):
    for name in _imports(path):
        top = name.split(".")[0]
        assert top not in FORBIDDEN_TOP_LEVEL, f"{path.name} imports {name}"
        if top in {"app", "ui", "server"}:
            assert name.startswith(FIRST_PARTY_ALLOWED), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_io_builtins(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {node.func.id}()"


def test_checker_catches_violations(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy.orm\nfrom PySide6 import QtCore\nimport requests\n", encoding="utf-8")
    tops = {n.split(".")[0] for n in _imports(bad)}
    assert {"sqlalchemy", "PySide6", "requests"} <= tops & FORBIDDEN_TOP_LEVEL
