"""The CLI's one home (app/cli/): every reference list prints, ``python -m app.cli`` works, and
every command the README's table documents is registered."""
import argparse
import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import AREAS, build_parser

ROOT = Path(__file__).resolve().parents[2]
KINDS = ["categories", "units", "villages", "grids", "users", "rules"]
# Every command of the contract (README "Command line", docs/SUPERVISION.md, PRINTING.md, SYNC.md).
COMMANDS = ["init", "demo", "case add", "case list", "case show", "case act", "case search", "ref list", "user add",
            "user set", "user passwd", "user lock", "check", "backup", "restore", "status", "report", "indicators", "ranking",
            "deadlines", "urge", "print", "enroll", "sync", "conflicts",
            "ref template", "ref import", "ref export", "case export", "calendar list", "calendar set",
            "setting set", "setting list", "audit verify", "key export",
            "emergency start", "emergency stop", "emergency status", "emergency task add", "emergency receipt",
            "emergency people add", "emergency people list", "emergency people set", "emergency team add",
            "emergency team list"]
COMMANDS += ["dispute open", "dispute assign", "dispute session", "dispute close", "dispute list", "dispute show",
             "dispute extend", "dispute doc", "dispute visit", "dispute judicial", "dispute schedule", "backlog add",
             "backlog progress", "backlog resolve", "backlog list", "mediation indicators", "mediation workload"]
COMMANDS += ["risk add", "risk act", "risk list", "risk show", "risk proposals", "risk accept", "risk dismiss",
             "risk villages", "assessment add", "assessment opinion", "assessment score", "assessment conclude",
             "assessment list", "assessment show", "assessment template", "inspection add", "inspection result",
             "inspection rectified", "inspection stats", "inspection list", "inspection show",
             "inspection checklist"]  # issue 18
COMMANDS += ["grid report", "grid stats", "grid admission", "points ledger", "points board", "points rules",
             "points award", "points reverse", "feed import"]  # 一网格 (issue 17)
COMMANDS += ["lan serve"]  # 局域网中继 (issue 15)


def run(*args, data_dir=None):
    cmd = [sys.executable, "-m", "app.cli"] + (["--data-dir", str(data_dir)] if data_dir else [])
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=120, cwd=ROOT)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli_home")
    r = run("demo", "--cases", "20", data_dir=d)
    assert r.returncode == 0, r.stderr
    return d


@pytest.fixture(scope="module")
def refs(store):
    """Every kind's JSON, read once."""
    out = {}
    for kind in KINDS:
        r = run("ref", "list", kind, "--json", data_dir=store)
        assert r.returncode == 0, r.stderr
        out[kind] = json.loads(r.stdout)
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_ref_list_every_kind_as_json_and_text(store, refs, kind):
    rows = refs[kind]
    assert rows and all(isinstance(r, dict) for r in rows)
    global_json = run("--json", "ref", "list", kind, data_dir=store)  # --json before the command
    assert global_json.returncode == 0, global_json.stderr
    assert json.loads(global_json.stdout) == rows
    text = run("ref", "list", kind, data_dir=store)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.strip().splitlines()
    assert len(lines) == len(rows) and "Traceback" not in text.stderr
    if kind != "rules":
        assert all({"code", "name"} <= set(r) for r in rows)
        assert lines[0] == f"{rows[0]['code']}  {rows[0]['name']}"


def test_ref_list_rules_name_a_category_and_a_unit(refs, store):
    rules = refs["rules"]
    categories = {c["code"]: c["name"] for c in refs["categories"]}
    units = {u["code"]: u["name"] for u in refs["units"]}
    assert set(rules[0]) == {"category", "unit", "village", "grid", "note"}
    assert all(r["category"] in categories and r["unit"] in units for r in rules)
    lines = run("ref", "list", "rules", data_dir=store).stdout.strip().splitlines()
    for rule, line in zip(rules, lines, strict=True):
        assert line.startswith(f"{rule['category']} {categories[rule['category']]} → "
                               f"{rule['unit']} {units[rule['unit']]}（适用：")
    town_wide = next(i for i, r in enumerate(rules) if not r["village"] and not r["grid"])
    assert "（适用：全镇）" in lines[town_wide]
    villages = {v["code"]: v["name"] for v in refs["villages"]}
    local = next(i for i, r in enumerate(rules) if r["village"])
    assert f"（适用：{villages[rules[local]['village']]}" in lines[local]


def test_python_m_app_cli_version():
    r = run("--version")
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(r"towndesk \S+\n", r.stdout)


def readme_table_commands() -> list[str]:
    """The backticked commands in the first column of README's "Command line" table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Command line", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [span.replace("\\|", "|") for row in rows for span in re.findall(r"`([^`]+)`", row.split(" | ")[0])]


def subparsers(p: argparse.ArgumentParser) -> argparse._SubParsersAction | None:
    return next((a for a in p._actions if isinstance(a, argparse._SubParsersAction)), None)


def test_every_command_in_the_readme_table_is_registered():
    commands = readme_table_commands()
    assert len(commands) >= 12 and "ref list categories|units|villages|grids|users|rules" in commands
    top = build_parser()
    for command in commands:
        parser, words = top, []
        for word in command.split():
            sub = subparsers(parser)
            if sub is None:  # a leaf: the rest are its arguments
                break
            assert word in sub.choices, f"README documents `{command}` but `{' '.join(words + [word])}` is not a command"
            parser, words = sub.choices[word], words + [word]
        assert words, command
        assert subparsers(parser) is None and callable(parser.get_default("handler")), command


def test_every_leaf_command_has_a_handler():
    def leaves(p, path):
        sub = subparsers(p)
        if sub is None:
            yield path, p
            return
        for name, child in sub.choices.items():
            yield from leaves(child, path + [name])

    found = list(leaves(build_parser(), []))
    assert sorted(" ".join(path) for path, _ in found) == sorted(COMMANDS)
    for path, p in found:
        assert callable(p.get_default("handler")), " ".join(path)


def test_cli_area_modules_import_only_output_from_each_other():
    """The area modules import nothing of app.cli but app.cli.output, so the package has no cycle."""
    for path in sorted((ROOT / "app" / "cli").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if path.stem in {m.__name__.rsplit(".", 1)[1] for m in AREAS} | {"output"}:
            own = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                   and (n.module or "").startswith("app.cli")}
            assert not any(isinstance(n, ast.ImportFrom) and n.level for n in ast.walk(tree)), path.name
            assert own <= {"app.cli.output"}, path.name


def test_starting_the_cli_loads_no_documents_network_or_window():
    """Handlers import their services when they run: building the parser (every command's start)
    loads neither ReportLab, requests, the demo generator nor Qt."""
    probe = ("import sys; from app.cli import build_parser; build_parser(); "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'reportlab', 'requests', 'PySide6', 'openpyxl'})"
             " + sorted(m for m in sys.modules if m.startswith(('app.demo', 'app.dossier', 'app.sync.engine'))))")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
