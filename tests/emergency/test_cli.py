"""The CLI contract of ``towndesk emergency`` (through app.cli.main) and the summary PDF read back
with pdftotext."""
from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

from tests.emergency.conftest import run


def _due(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).astimezone().isoformat(timespec="seconds")


def test_the_whole_round(store, capsys, tmp_path):
    rc, out = run(capsys, store, "emergency", "status", "--json")
    assert rc == 0 and out == {"active": False, "id": None, "type": None, "level": None, "area": None, "tasks": []}

    rc, em = run(capsys, store, "emergency", "start", "--type", "typhoon", "--level", "1", "--area", "all",
                 "--reason", "台风“海葵”登陆", "--json")
    assert rc == 0 and set(em) == {"id", "type", "level", "area", "started_at", "started_by"}
    assert (em["type"], em["level"], em["area"], em["started_by"]) == ("typhoon", 1, "all", "admin")
    rc, _ = run(capsys, store, "emergency", "start", "--type", "flood", "--level", "2", "--area", "all",
                "--reason", "again", "--json")
    assert rc == 2

    grids = ["V01G01", "V02G01", "V03G01", "V04G01", "V05G01"]
    rc, task = run(capsys, store, "emergency", "task", "add", "--title", "转移低洼地带群众", "--instructions",
                   "18 点前完成", "--to", ",".join(grids), "--due", _due(3), "--json")
    assert rc == 0 and task["targets"] == grids and set(task) == {"id", "targets"}
    rc, late = run(capsys, store, "emergency", "task", "add", "--title", "上报灾情", "--to", "V01,V02",
                   "--due", _due(-1), "--json")
    assert rc == 0

    for target, status, extra in (("V01G01", "done", ["--count", "23", "--note", "已转移至安置点"]),
                                  ("V02G01", "in_progress", []), ("V03G01", "acknowledged", [])):
        rc, _ = run(capsys, store, "emergency", "receipt", task["id"], "--target", target, "--status", status, *extra)
        assert rc == 0
    rc, _ = run(capsys, store, "emergency", "receipt", late["id"], "--target", "V01", "--status", "done")
    assert rc == 0

    rc, st = run(capsys, store, "emergency", "status", "--json")
    assert rc == 0 and st["active"] is True and st["id"] == em["id"]
    assert (st["type"], st["level"], st["area"]) == ("typhoon", 1, "all")
    first, second = st["tasks"]
    assert set(first) == {"id", "title", "due_at", "targets", "receipts"}
    assert first["id"] == task["id"] and first["targets"] == 5
    assert first["receipts"] == {"acknowledged": 1, "in_progress": 1, "done": 1, "none": 2, "overdue": 0}
    assert second["receipts"] == {"acknowledged": 0, "in_progress": 0, "done": 1, "none": 1, "overdue": 1}

    rc, stop = run(capsys, store, "emergency", "stop", "--reason", "台风已过境，响应结束", "--json")
    assert rc == 0 and stop["id"] == em["id"]
    rc, _ = run(capsys, store, "emergency", "stop", "--reason", "again")
    assert rc == 2

    pdf = tmp_path / "总结.pdf"
    rc, out = run(capsys, store, "print", "emergency", em["id"], "-o", str(pdf), "--json")
    assert rc == 0 and out["paths"] == [str(pdf)]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "台风Ⅰ级应急响应总结" in text and "台风“海葵”登陆" in text and "台风已过境，响应结束" in text
    assert "转移低洼地带群众" in text and "上报灾情" in text and "已转移至安置点" in text
    assert "超时未完成" in text  # the late task's V02
    line = next(ln for ln in text.splitlines() if ln.strip().endswith("20%"))  # the first task: 1 of 5 done
    assert line.split()[-7:] == ["5", "1", "1", "1", "2", "0", "20%"]
    flat = "".join(text.split())  # wrapped lines joined
    assert "各村社回执报告转移23人次" in flat and "需转移人员" in flat


def test_bad_input_exits_2_and_writes_nothing(store, capsys):
    bad = [
        ("emergency", "start", "--type", "storm", "--level", "2", "--area", "all", "--reason", "x"),
        ("emergency", "start", "--type", "flood", "--level", "9", "--area", "all", "--reason", "x"),
        ("emergency", "start", "--type", "flood", "--level", "two", "--area", "all", "--reason", "x"),
        ("emergency", "start", "--type", "flood", "--level", "2", "--area", "V01,ZZ9", "--reason", "x"),
        ("emergency", "task", "add", "--title", "x", "--to", "V01", "--due", _due(1)),  # none active
        ("emergency", "stop", "--reason", "x"),
        ("emergency", "people", "add", "--name", "李四", "--village", "ZZ9", "--kind", "dilapidated"),
        ("emergency", "team", "add", "--village", "V01", "--duty", "cook", "--name", "李四"),
    ]
    for argv in bad:
        rc, out = run(capsys, store, *argv, "--json")
        assert rc == 2, argv
        assert "error" in out, argv
    rc, _ = run(capsys, store, "emergency", "start", "--type", "fire", "--level", "3", "--area", "V01",
                "--reason", "厂房起火")
    assert rc == 0
    for argv in (("emergency", "task", "add", "--title", "x", "--to", "V01,NOPE", "--due", _due(1)),
                 ("emergency", "task", "add", "--title", "x", "--to", "V01", "--due", "2026-12-01T18:00:00"),
                 ("emergency", "task", "add", "--title", "x", "--to", "V01", "--due", "tomorrow")):
        rc, _ = run(capsys, store, *argv)
        assert rc == 2, argv
    rc, task = run(capsys, store, "emergency", "task", "add", "--title", "x", "--to", "V01G01", "--due", _due(1),
                   "--json")
    rc, _ = run(capsys, store, "emergency", "receipt", task["id"], "--target", "V02G01", "--status", "done")
    assert rc == 2
    rc, _ = run(capsys, store, "emergency", "receipt", task["id"], "--target", "V01G01", "--status", "done",
                "--count", "many")
    assert rc == 2
    rc, st = run(capsys, store, "emergency", "status", "--json")
    assert st["tasks"][0]["receipts"]["none"] == 1 and len(st["tasks"]) == 1


def test_prepared_lists_commands(store, capsys):
    rc, p = run(capsys, store, "emergency", "people", "add", "--name", "赵阿公", "--village", "V08", "--grid",
                "V08G01", "--kind", "geohazard", "--phone", "13900001234", "--address", "梅墅村后山 3 号", "--json")
    assert rc == 0 and p["status"] == "pending"
    rc, moved = run(capsys, store, "emergency", "people", "set", p["code"], "--status", "moved", "--json")
    assert rc == 0 and moved["status_label"] == "已转移"
    rc, listed = run(capsys, store, "emergency", "people", "list", "--village", "V08", "--status", "moved", "--json")
    assert [x["name"] for x in listed] == ["赵阿公"]
    rc, m = run(capsys, store, "emergency", "team", "add", "--village", "V08", "--duty", "logistics", "--name",
                "钱师傅", "--phone", "13900005678", "--json")
    assert rc == 0 and m["duty_label"] == "后勤"
    rc, teams = run(capsys, store, "emergency", "team", "list", "--village", "V08", "--json")
    assert "钱师傅" in [t["name"] for t in teams] and len(teams) == 5
    # text output: phones whole for the roles that see personal data, masked for the others
    rc, text = run(capsys, store, "emergency", "people", "list", "--village", "V08")
    assert rc == 0 and "13900001234" in text
    rc, text = run(capsys, store, "--as", "unit", "emergency", "people", "list", "--village", "V08")
    assert rc == 0 and "139****1234" in text and "13900001234" not in text
    rc, text = run(capsys, store, "--as", "unit", "emergency", "team", "list", "--village", "V08")
    assert rc == 0 and "139****5678" in text and "13900005678" not in text
    rc, listed = run(capsys, store, "--as", "unit", "emergency", "people", "list", "--village", "V08", "--json")
    assert "13900001234" in [x["phone"] for x in listed]  # JSON keeps the services' contract
    rc, _ = run(capsys, store, "emergency", "people", "set", p["code"], "--status", "gone")
    assert rc == 2
