"""What is signed for one action (the actor's, or for the workstation's own automatic work the
device's, Ed25519 signature): the action as pushed, as canonical JSON, under a fixed label. Shared by
the workstation (app/store/userkeys.py signs when the action is written) and the district server
(server/signatures.py verifies)."""
from __future__ import annotations

import json

LABEL = "towndesk-action-v1\n"


def canonical(value) -> str:
    """The one JSON spelling of a value (the same as app.sync.protocol.canonical)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


def action_signed_text(payload: dict) -> bytes:
    return (LABEL + canonical(payload)).encode()
