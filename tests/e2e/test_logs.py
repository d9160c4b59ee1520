"""The log holds no personal data or SQL parameters (issue 13 item 5): a real intake fails inside
SQLite (a trigger aborts the insert) after the reporter's name, phone and 身份证 were bound as
parameters; the CLI logs the traceback and the test scans every byte of the log."""
from __future__ import annotations

import json
import logging

from app.cli import main
from app.logs import RedactingFormatter, scrub
from app.store.crypto import open_store_raw

NAME, PHONE, ID_NO, ADDRESS = "欧阳锦绣", "13912345678", "330602199001011231", "解放北路88号"


def test_a_failing_intake_leaves_a_log_without_personal_data(desk, capsys):
    root = desk.root
    desk.close()
    con = open_store_raw(root)
    con.execute("CREATE TRIGGER boom BEFORE INSERT ON cases BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
    con.commit()
    con.close()
    case = {"channel": "visit", "title": "日志测试", "description": f"{NAME}来访，电话{PHONE}，住{ADDRESS}",
            "category": "PA0101", "reporter": {"name": NAME, "phone": PHONE, "id_no": ID_NO},
            "location": {"village": "V01", "address": ADDRESS}}
    path = root / "case.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    code = main(["--data-dir", str(root), "--as", "intake", "case", "add", "--json", str(path)])
    out = capsys.readouterr()
    assert code == 1, out
    assert "意外问题" in out.err and "Traceback" not in out.err
    assert json.loads(out.out)["error"]["code"] == "unexpected"
    logging.getLogger("towndesk").handlers.clear()
    log = (root / "logs" / "towndesk.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "IntegrityError" in log and "INSERT INTO cases" in log  # still useful
    for secret in (NAME, PHONE, ID_NO, ADDRESS, "欧阳", PHONE[3:], "scrypt$"):
        assert secret not in log, secret
    assert "[parameters:" not in log or "[parameters: hidden]" in log


def test_the_formatter_scrubs_messages_hashes_and_keys():
    rec = logging.LogRecord("towndesk.x", logging.ERROR, __file__, 1, "user %s phone %s", ("zhang", PHONE), None)
    try:
        raise ValueError(f"bad row ('{NAME}', 'scrypt$16384$8$1$abc$def', x'{'ab' * 32}') id {ID_NO}")
    except ValueError as e:
        rec.exc_info = (type(e), e, e.__traceback__)
    text = RedactingFormatter().format(rec)
    for secret in (PHONE, NAME, "scrypt$16384", "ab" * 32, ID_NO):
        assert secret not in text, secret
    assert "ValueError" in text and "test_logs.py" in text
    assert scrub("[parameters: ('张三', '13800001111')]\n(Background") == "[parameters: hidden]\n(Background"
