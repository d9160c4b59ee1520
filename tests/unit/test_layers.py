"""Layer rules: app/ never imports Qt; ui/ never imports SQLAlchemy; server/ never imports ui/."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(folder: str):
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                yield path, [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                yield path, [node.module]


def offenders(folder: str, banned: tuple[str, ...]):
    return sorted({str(p.relative_to(ROOT)) for p, names in imported_modules(folder)
                   for n in names if n.split(".")[0] in banned})


def test_app_imports_no_qt():
    assert offenders("app", ("PySide6", "shiboken6", "PyQt5", "PyQt6")) == []


def test_importing_every_app_module_loads_no_qt():
    code = ("import pkgutil, importlib, sys, app\n"
            "for m in pkgutil.walk_packages(app.__path__, 'app.'):\n"
            "    if '.migrations' not in m.name: importlib.import_module(m.name)\n"
            "print(sorted(k for k in sys.modules if k.startswith(('PySide6', 'shiboken6'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_ui_imports_no_sqlalchemy():
    assert offenders("ui", ("sqlalchemy",)) == []


def test_server_imports_no_ui():
    assert offenders("server", ("ui", "PySide6")) == []
