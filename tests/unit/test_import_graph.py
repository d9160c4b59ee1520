"""The project's own modules import each other without cycles, and the layers hold.

Every .py file under app/, ui/ and server/ (Alembic's versions folders excepted) is parsed with
``ast``, nothing is imported. Every import statement counts, wherever it sits: module level, inside
functions and methods, under ``if``/``try``. ``from pkg import name`` is an edge to ``pkg.name``
when that is a module of ours, else to ``pkg``; a package's ``__init__`` is the package module.
Only the project's own modules are kept. Cycles are the strongly connected components of the
graph (plus any self-import).
"""
from __future__ import annotations

import ast
from collections.abc import Collection, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("app", "ui", "server")


def _is_skipped(rel: Path) -> bool:
    return "versions" in rel.parts or "__pycache__" in rel.parts


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every module of ours."""
    out: dict[str, Path] = {}
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            rel = path.relative_to(root)
            if _is_skipped(rel):
                continue
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def _package(module: str, path: Path) -> str:
    """The package a relative import in ``module`` is resolved against."""
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def imported_names(module: str, path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, base, names) for every import in the file; base is absolute, names are what
    ``from base import ...`` lists (empty for a plain ``import base``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package(module, path).split(".")
                base = base[: len(base) - (node.level - 1)]
                absolute = ".".join(base + ([node.module] if node.module else []))
            else:
                absolute = node.module or ""
            out.append((node.lineno, absolute, [alias.name for alias in node.names]))
    return out


def resolve(base: str, names: list[str], known: Collection[str]) -> set[str]:
    """The modules of ours an import statement loads (outside modules give nothing)."""
    targets = set()
    if not names:
        candidates = [base]
    else:
        candidates = [f"{base}.{n}" if f"{base}.{n}" in known else base for n in names]
    for name in candidates:
        # `import app.sync.pull` or a namespace package: the nearest module of ours
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name:
            targets.add(name)
    return targets


def build_graph(root: Path = ROOT) -> dict[str, set[str]]:
    files = module_files(root)
    graph: dict[str, set[str]] = {m: set() for m in files}
    for module, path in files.items():
        for _line, base, names in imported_names(module, path):
            graph[module] |= resolve(base, names, files)
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components of more than one module, or self-loops."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph[node]:
                        found.append(sorted(component))
    return sorted(found)


def describe(component: list[str], graph: dict[str, set[str]]) -> str:
    members = set(component)
    edges = [f"    {a} -> {b}" for a in component for b in sorted(graph[a] & members)]
    return "cycle among " + ", ".join(component) + ":\n" + "\n".join(edges)


def test_no_import_cycles():
    graph = build_graph()
    cycles = strongly_connected(graph)
    assert not cycles, "import cycles:\n" + "\n".join(describe(c, graph) for c in cycles)


# --- layer rules (over every import, function-level ones included) -------------------------------

def _imports_under(folder: str) -> Iterable[tuple[str, int, str]]:
    """(file, line, imported module) for every import in the files under ``folder``; for
    ``from pkg import name`` both ``pkg`` and ``pkg.name`` are reported."""
    files = module_files()
    for module, path in files.items():
        if module != folder and not module.startswith(folder + "."):
            continue
        rel = str(path.relative_to(ROOT))
        for line, base, names in imported_names(module, path):
            yield rel, line, base
            for name in names:
                yield rel, line, f"{base}.{name}"


def _offenders(folder: str, banned: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    def hit(name: str, prefixes: tuple[str, ...]) -> bool:
        return any(name == p or name.startswith(p + ".") for p in prefixes)

    return sorted({f"{rel}:{line}: {name}" for rel, line, name in _imports_under(folder)
                   if hit(name, banned) and not hit(name, allowed)})


def _assert_none(found: list[str]) -> None:
    assert not found, "\n".join(found)


def test_app_imports_no_qt_and_no_ui():
    _assert_none(_offenders("app", ("PySide6", "shiboken6", "PyQt5", "PyQt6", "ui")))


def test_ui_imports_no_sqlalchemy():
    _assert_none(_offenders("ui", ("sqlalchemy",)))


def test_server_imports_no_ui():
    _assert_none(_offenders("server", ("ui", "PySide6", "shiboken6")))


def test_domain_imports_only_domain_and_errors():
    _assert_none(_offenders("app.domain", ("app", "ui", "server"), allowed=("app.domain", "app.errors")))


# --- the checker itself --------------------------------------------------------------------------

def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_graph_sees_every_kind_of_import(tmp_path):
    _write(tmp_path, {
        "app/__init__.py": "",
        "app/a.py": "import os\nfrom app import b\n",
        "app/b.py": "def f():\n    from .c import thing\n",
        "app/c.py": "if True:\n    import app.pkg.d\n",
        "app/pkg/__init__.py": "",
        "app/pkg/d.py": "from .. import a\nfrom . import e\nfrom app.pkg import nothing_here\n",
        "app/pkg/e.py": "class K:\n    def m(self):\n        import app.pkg\n",
        "app/store/migrations/versions/x.py": "import app.a\n",
        "ui/__init__.py": "",
        "server/__init__.py": "",
    })
    graph = build_graph(tmp_path)
    assert "app.store.migrations.versions.x" not in graph
    assert graph["app.a"] == {"app.b"}
    assert graph["app.b"] == {"app.c"}
    assert graph["app.c"] == {"app.pkg.d"}
    assert graph["app.pkg.d"] == {"app.a", "app.pkg.e", "app.pkg"}
    assert graph["app.pkg.e"] == {"app.pkg"}
    assert strongly_connected(graph) == [["app.a", "app.b", "app.c", "app.pkg.d"]]


# The storage plumbing (app/store) and the Desk above it sit below every area package (cases,
# reference, sync, …): from app they reach only these.
BELOW_AREAS = ("app.errors", "app.config", "app.paths", "app.domain", "app.store")


def test_desk_and_store_import_no_area_package():
    graph = build_graph()
    low = [m for m in graph if m in ("app.desk", "app.store") or m.startswith("app.store.")]
    wrong = sorted(f"{m} -> {t}" for m in low for t in graph[m]
                   if t.split(".")[0] == "app" and not any(t == p or t.startswith(p + ".") for p in BELOW_AREAS))
    _assert_none(wrong)
