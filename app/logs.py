"""The log file, kept free of personal data and SQL parameters.

``logs/towndesk.log`` in the data dir (rotating, 1 MB x 5, 0600). Every record goes through
:class:`RedactingFormatter`: tracebacks keep their frames (file, line, code) but the exception
messages lose anything that could be about a person — Chinese text (names, addresses), phone,
身份证 and other long digit runs, e-mail addresses, quoted values —, SQL parameter lists are
dropped (the engine is also made with ``hide_parameters``), and password hashes and keys (long
hex runs, URL-safe tokens) are cut out of every line.
"""
from __future__ import annotations

import logging
import os
import re
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "towndesk"
_PARAMS = re.compile(r"\[parameters: .*?\](?=\s*(\n|\(Background|$))", re.S)
_SECRETS = [
    (re.compile(r"scrypt\$[^\s'\"]+"), "scrypt$…"),
    (re.compile(r"x'[0-9a-fA-F]{16,}'"), "x'…'"),
    (re.compile(r"\b[0-9a-fA-F]{32,}\b"), "…hex…"),
    (re.compile(r"(?<![\w/.-])(?=[A-Za-z_-]*\d)(?=[\d_-]*[A-Za-z])[A-Za-z0-9_-]{40,}(?![\w/.-])"), "…token…"),
]
_PERSONAL = [
    (re.compile(r"\d{17}[\dXx]|\d{15}"), "＊身份证＊"),
    (re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"), "＊手机＊"),
    (re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"), "＊电话＊"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "＊邮箱＊"),
]
# In exception messages: every Chinese run (a name, an address, a description) and any quoted value.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
_QUOTED = re.compile(r"'[^'\n]{1,200}'|\"[^\"\n]{1,200}\"")
_DIGITS = re.compile(r"\d{7,}")


def scrub(text: str) -> str:
    """Secrets, SQL parameters and personal-data patterns out of any logged text."""
    text = _PARAMS.sub("[parameters: hidden]", text)
    for rx, repl in _SECRETS + _PERSONAL:
        text = rx.sub(repl, text)
    return text


def scrub_message(text: str) -> str:
    """An exception's message: also every Chinese run, quoted value and long digit run."""
    text = scrub(text)
    text = _QUOTED.sub("'＊'", text)
    text = _CJK.sub("＊", text)
    return _DIGITS.sub("＊", text)


def _is_frame_line(line: str) -> bool:
    return line.startswith("  ") or line.startswith("Traceback (most recent call last)") \
        or line.startswith("The above exception") or line.startswith("During handling") or not line.strip()


class RedactingFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatException(self, ei) -> str:  # noqa: N802 — logging's name
        lines = "".join(traceback.format_exception(*ei)).rstrip("\n").splitlines()
        out = []
        for line in lines:
            out.append(scrub(line) if _is_frame_line(line) else scrub_message(line))
        return "\n".join(out)

    def format(self, record: logging.LogRecord) -> str:
        # Not logging.Formatter.format: it would reuse a traceback another handler cached unscrubbed.
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        text = scrub(self.formatMessage(record))
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            text += "\n" + scrub(self.formatStack(record.stack_info))
        return text


def install(data_dir: Path | str) -> Path:
    """Log ``towndesk.*`` to ``logs/towndesk.log`` in the data dir through the redacting formatter."""
    logs = Path(data_dir) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        try:
            os.chmod(logs, 0o700)
        except PermissionError:
            pass
    path = logs / "towndesk.log"
    root = logging.getLogger(LOG_NAME)
    for h in root.handlers:
        if isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == path.resolve():
            return path
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(RedactingFormatter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    if os.name == "posix":
        try:
            os.chmod(path, 0o600)
        except PermissionError:
            pass
    return path


def log_path(data_dir: Path | str) -> Path:
    return Path(data_dir) / "logs" / "towndesk.log"
