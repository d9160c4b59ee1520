"""Encryption at rest: the store's key, and sealed files (attachments, backups).

* The store's key is 32 random bytes made when the store is created. It is held by the operating
  system's credential store when ``keyring`` offers a real one (Windows Credential Manager/DPAPI,
  the Secret Service on Linux, the macOS keychain), else in a key file readable only by the OS
  user (0600, in a 0700 folder) *outside* the data folder: ``$TOWNDESK_KEY_DIR``, else the
  platform's user config folder ``towndesk-keys`` (~/.config/towndesk-keys, %LOCALAPPDATA%\towndesk-keys). The data folder holds only the key's name
  (``towndesk.keyid``), which is not secret.
* The database is SQLCipher 4 keyed with the raw key (no passphrase derivation per connection).
* Attachments and backups are sealed: chunked AES-256-GCM under a per-file key derived (HKDF) from
  the store's key and a random salt; each chunk's nonce carries its index and a "last chunk" flag,
  and the header is authenticated, so an edited, reordered, truncated or extended file is refused.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from app.errors import AppError

KEY_ID_FILE = "towndesk.keyid"
KEYRING_SERVICE = "towndesk"
SQLITE_MAGIC = b"SQLite format 3\x00"
SEAL_MAGIC = b"TDSEAL01"
CHUNK = 1 << 20
ATTACHMENT_PURPOSE = b"attachment"
_TAG = 16


class KeyMissing(AppError):
    code = "key_missing"
    english = "the store's key is missing"


def private_dir(path: Path) -> Path:
    """Create ``path`` if needed and make it 0700 on POSIX (when this user owns it)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        try:
            if path.stat().st_mode & 0o777 != 0o700:
                os.chmod(path, 0o700)
        except PermissionError:
            pass
    return path


def private_file(path: Path) -> None:
    """0600 on POSIX (no-op elsewhere: the user profile's ACL applies)."""
    if os.name == "posix" and path.exists():
        try:
            if path.stat().st_mode & 0o777 != 0o600:
                os.chmod(path, 0o600)
        except PermissionError:
            pass


def key_dir() -> Path:
    explicit = os.environ.get("TOWNDESK_KEY_DIR")
    if explicit:
        return Path(explicit).expanduser().resolve()
    import platformdirs  # light, but only the key look-up needs it

    # "towndesk-keys", not "towndesk": on Windows the config and data folders are the same place
    return Path(platformdirs.user_config_dir("towndesk-keys", appauthor=False))


def _keyring():
    """The OS credential store when ``keyring`` finds a real one, else None.

    ``TOWNDESK_KEYRING=0`` turns it off (tests, and machines where the keyring would prompt)."""
    if os.environ.get("TOWNDESK_KEYRING", "1") == "0":
        return None
    try:
        import keyring  # lazy: finding the backends takes ~0.1 s, only when a key is looked up
        from keyring.backends import fail

        kr = keyring.get_keyring()
        if isinstance(kr, fail.Keyring) or getattr(kr, "priority", 0) <= 0:
            return None
        if type(kr).__name__ == "ChainerBackend" and not getattr(kr, "backends", None):
            return None
        return kr
    except Exception:  # noqa: BLE001 — no usable credential store: the key file is used
        return None


def key_id(root: Path) -> str | None:
    path = Path(root) / KEY_ID_FILE
    try:
        value = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return value if value.isalnum() else None


def _key_file(kid: str) -> Path:
    return key_dir() / f"{kid}.key"


def load_key(root: Path) -> bytes | None:
    """The store's key, or None when the data folder has no key name (a new or plain store)."""
    kid = key_id(root)
    if kid is None:
        return None
    path = _key_file(kid)
    if path.is_file():
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    kr = _keyring()
    if kr is not None:
        try:
            value = kr.get_password(KEYRING_SERVICE, kid)
        except Exception:  # noqa: BLE001 — locked or unreachable: reported as missing below
            value = None
        if value:
            return bytes.fromhex(value)
    raise KeyMissing(f"找不到本机数据的密钥（{kid}）：数据库已加密，请在原用户账户下运行，"
                     f"或把密钥文件放回 {key_dir()}", field="data_dir")


def create_key(root: Path, key: bytes | None = None) -> bytes:
    """Make a new random key (or adopt ``key``, e.g. a restored backup's) for the store in
    ``root``, keep it, and write its name in ``root``."""
    key = key or secrets.token_bytes(32)
    kid = secrets.token_hex(16)
    where = None
    kr = _keyring()
    if kr is not None:
        try:
            kr.set_password(KEYRING_SERVICE, kid, key.hex())
            where = "keyring"
        except Exception:  # noqa: BLE001 — fall back to the key file
            where = None
    if where is None:
        path = _key_file(kid)
        private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key.hex())
            f.flush()
            os.fsync(f.fileno())
    marker = Path(root) / KEY_ID_FILE
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(kid + "\n", encoding="ascii")
    private_file(tmp)
    tmp.replace(marker)
    return key


def read_key_file(path: Path) -> bytes:
    """A key exported with ``towndesk key export`` (64 hex digits)."""
    try:
        text = Path(path).read_text(encoding="ascii").strip()
        key = bytes.fromhex(text.split()[-1] if text else "")
    except (OSError, ValueError, UnicodeDecodeError):
        key = b""
    if len(key) != 32:
        raise AppError(f"不是有效的密钥文件：{path}", field="key_file", code="invalid")
    return key


def export_key(key: bytes, target: Path) -> Path:
    """Write the key to ``target`` (0600, never overwriting) for safekeeping away from the laptop."""
    target = Path(target)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise AppError(f"文件已存在：{target}", field="output", code="invalid") from None
    except OSError as e:
        raise AppError(f"无法写入：{target}（{e.strerror}）", field="output", code="invalid") from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write("# towndesk store key: whoever holds it and a backup can read the backup\n" + key.hex() + "\n")
    return target


def key_location(root: Path) -> str:
    kid = key_id(root)
    if kid is None:
        return "none"
    return "file:" + str(_key_file(kid)) if _key_file(kid).is_file() else "keyring"


def is_plain_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == SQLITE_MAGIC
    except OSError:
        return False


# -- SQLCipher ----------------------------------------------------------------------------------
def key_pragma(key: bytes) -> str:
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect_raw(path: Path | str, key: bytes | None, readonly: bool = False, timeout: float = 30):
    """A DB-API connection to a store file: SQLCipher with ``key``, plain sqlite3 without one.

    For tools and tests that hold the key (``towndesk`` itself goes through app.store.db)."""
    if key is None:
        import sqlite3 as driver
    else:
        import sqlcipher3 as driver
    ro = "" if Path(f"{path}-wal").exists() else "&immutable=1"
    target = f"file:{path}?mode=ro{ro}" if readonly else f"file:{path}"
    conn = driver.connect(target, uri=True, timeout=timeout, check_same_thread=False)
    if key is not None:
        conn.execute(key_pragma(key))
    return conn


def open_store_raw(root: Path | str, readonly: bool = False):
    """A raw connection to the store in data folder ``root`` with its own key (test helper)."""
    root = Path(root)
    return connect_raw(root / "towndesk.sqlite3", load_key(root), readonly=readonly)


# -- sealed files -------------------------------------------------------------------------------
def _subkey(key: bytes, salt: bytes, purpose: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"towndesk-seal:" + purpose).derive(key)


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class SealError(AppError):
    code = "bad_sealed_file"
    english = "not a valid sealed file"


def seal_stream(key: bytes, purpose: bytes, source: BinaryIO, target: BinaryIO, meta: dict | None = None) -> dict:
    """Encrypt ``source`` into ``target``. ``meta`` (not secret) is stored in the authenticated
    header. Returns the header dict (with the plaintext's sha256 and size)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt = secrets.token_bytes(16)
    header = dict(meta or {}, v=1, alg="AES-256-GCM", chunk=CHUNK)
    head = json.dumps(header, ensure_ascii=False, sort_keys=True).encode()
    prefix = SEAL_MAGIC + salt + struct.pack(">I", len(head)) + head
    target.write(prefix)
    aead = AESGCM(_subkey(key, salt, purpose))
    digest, size, index = hashlib.sha256(), 0, 0
    chunk = source.read(CHUNK)
    while True:
        nxt = source.read(CHUNK) if len(chunk) == CHUNK else b""
        last = not nxt
        digest.update(chunk)
        size += len(chunk)
        target.write(aead.encrypt(_nonce(index, last), chunk, prefix))
        if last:
            break
        chunk, index = nxt, index + 1
    return dict(header, sha256=digest.hexdigest(), size=size)


def read_header(source: BinaryIO) -> tuple[dict, bytes]:
    magic = source.read(len(SEAL_MAGIC))
    if magic != SEAL_MAGIC:
        raise SealError("不是镇街指挥台的加密文件", field="file")
    salt = source.read(16)
    raw_len = source.read(4)
    if len(salt) != 16 or len(raw_len) != 4:
        raise SealError("文件不完整", field="file")
    (n,) = struct.unpack(">I", raw_len)
    if n > 1 << 16:
        raise SealError("文件头损坏", field="file")
    head = source.read(n)
    try:
        header = json.loads(head)
    except ValueError:
        raise SealError("文件头损坏", field="file") from None
    if not isinstance(header, dict) or header.get("v") != 1:
        raise SealError("文件头损坏", field="file")
    return header, magic + salt + raw_len + head


def open_stream(key: bytes, purpose: bytes, source: BinaryIO) -> Iterator[bytes]:
    """Decrypt a sealed file chunk by chunk; raises SealError on any change or truncation."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header, prefix = read_header(source)
    aead = AESGCM(_subkey(key, prefix[8:24], purpose))
    size = int(header.get("chunk", CHUNK)) + _TAG
    index = 0
    block = source.read(size)
    while True:
        nxt = source.read(size) if len(block) == size else b""
        last = not nxt
        try:
            yield aead.decrypt(_nonce(index, last), block, prefix)
        except InvalidTag:
            raise SealError("文件已损坏、被改动或不完整（校验失败）", field="file") from None
        if last:
            return
        block, index = nxt, index + 1


def seal_bytes(key: bytes, purpose: bytes, data: bytes, meta: dict | None = None) -> bytes:
    import io

    out = io.BytesIO()
    seal_stream(key, purpose, io.BytesIO(data), out, meta)
    return out.getvalue()


def open_bytes(key: bytes, purpose: bytes, data: bytes) -> bytes:
    import io

    return b"".join(open_stream(key, purpose, io.BytesIO(data)))


def is_sealed(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(SEAL_MAGIC)) == SEAL_MAGIC
    except OSError:
        return False
