"""The district's check of the actors' signatures, done fast (server/signatures.py): a push's
signatures verified ahead in worker threads give exactly the verdict of the one-by-one check,
item by item (forged, altered, malformed, duplicated entries included), and libsodium (PyNaCl)
and OpenSSL (pyca/cryptography) agree."""
from __future__ import annotations

import base64

import pytest

from app.store.userkeys import Signer
from app.sync import protocol as P
from server import signatures
from server.db import ServerDB
from server.migrate import upgrade
from server.models import UserKey


def _entry(n: int, signer: Signer, actor: str = "intake", **over) -> P.PushEntry:
    payload = {"id": f"a{n:04d}", "case_id": "c1", "kind": "comment", "at": "2026-12-06T12:00:00+08:00",
               "actor": actor, "actor_name": actor, "actor_role": "intake", "actor_unit": None,
               "payload": {"note": f"备注{n}"}, "device_id": "dev-1"}
    sig = signer.sign(P.action_signed_text(payload))
    fields = {"id": f"e{n:04d}", "device_seq": n, "entity": "action", "entity_id": payload["id"],
              "payload": payload, "actor_key": signer.public_b64, "actor_sig": sig} | over
    return P.PushEntry.model_validate(fields)


def _batch(alice: Signer, bob: Signer) -> tuple[list[P.PushEntry], list[bool]]:
    """Entries and whether each one's signature is good."""
    entries, good = [], []
    for n in range(150):
        entries.append(_entry(n, alice))
        good.append(True)
    tampered = _entry(150, alice)
    tampered.payload["payload"]["note"] = "改过的备注"  # signed before, altered after
    other = _entry(151, alice)
    other.actor_sig = _entry(152, alice).actor_sig  # another action's signature
    by_bob = _entry(153, bob, actor="intake")  # a valid signature, but by another key
    short_key = _entry(154, alice, actor_key=base64.b64encode(b"k" * 31).decode())
    not_b64 = _entry(155, alice, actor_sig="@@@not-base64@@@")
    short_sig = _entry(156, alice, actor_sig=base64.b64encode(b"s" * 63).decode())
    same_id = _entry(0, alice)  # the first entry's id again, here with a forged signature
    same_id.actor_sig = other.actor_sig
    entries += [tampered, other, by_bob, short_key, not_b64, short_sig, same_id, _entry(157, bob, actor="bob")]
    good += [False, False, True, False, False, False, False, True]
    return entries, good


@pytest.fixture
def session(tmp_path):
    db = ServerDB(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    upgrade(db)
    with db.tx() as s:
        yield s
    db.close()


@pytest.mark.parametrize("threads", [0, 2])
def test_verified_ahead_gives_the_one_by_one_verdict_per_item(session, monkeypatch, threads):
    alice, bob = Signer.new(), Signer.new()
    session.add(UserKey(town="FS", username="intake", device_id="dev-1", public_key=alice.public_b64,
                        created_at="2026-12-06T00:00:00+00:00"))
    monkeypatch.setattr(signatures, "THREADS", threads)
    entries, good = _batch(alice, bob)
    keys = signatures.Keys(session, "FS")
    keys.prepare(entries)
    assert len(keys._ahead) == (len(entries) if threads else 0)
    texts = [keys.canonical(e) for e in entries]  # what ingest judges and keeps: spelled once
    assert texts == [P.canonical(e.payload) for e in entries]
    got = [keys.verifies(e, P.action_signed_text(e.payload)) for e in entries]
    assert got == good
    assert not keys._ahead  # every result taken
    # the registered keys of the batch's actors were read with it: intake's, and none for bob
    assert keys.user_key_device("intake", alice.public_b64) == "dev-1"
    assert keys.user_key_device("intake", bob.public_b64) is None
    assert keys.user_key_device("bob", bob.public_b64) is None


def test_a_payload_changed_after_the_verification_ahead_is_checked_again(session, monkeypatch):
    monkeypatch.setattr(signatures, "THREADS", 2)
    alice = Signer.new()
    entries = [_entry(n, alice) for n in range(3)]
    keys = signatures.Keys(session, "FS")
    keys.prepare(entries)
    entries[1].payload["payload"]["note"] = "之后改过"
    assert [keys.verifies(e, P.action_signed_text(e.payload)) for e in entries] == [True, False, True]


def test_libsodium_and_openssl_agree(monkeypatch):
    alice = Signer.new()
    entries, good = _batch(alice, Signer.new())
    assert signatures._sodium_open is not None  # the server extra installs PyNaCl
    sodium = [signatures.verify(signatures.load_key(e.actor_key), e.actor_sig, P.action_signed_text(e.payload))
              for e in entries]
    monkeypatch.setattr(signatures, "_sodium_open", None)
    openssl = [signatures.verify(signatures.load_key(e.actor_key), e.actor_sig, P.action_signed_text(e.payload))
               for e in entries]
    assert sodium == openssl
    # by_bob verifies as a signature (whose key it is, is the directory's question, not this one's)
    assert sodium == good
