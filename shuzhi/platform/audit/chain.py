"""The hash chain of the audit log: canonical form, entry hash, head seal and anchors.

Plain functions with no database access, so the rule can be read beside the code:

    entry_hash = HMAC-SM3(audit_key, prev_hash ‖ canonical(entry))
    seal       = HMAC-SM3(audit_key, "seq:entry_hash")

The chain is keyed: someone who can write to the database but does not hold the audit key
cannot recompute the hashes after changing an entry, so the first changed entry is the one
reported.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from shuzhi.platform.security.sm import hmac_sm3_hex

GENESIS_HASH = "0" * 64

CHAINED_FIELDS = (
    "seq",
    "at",
    "actor",
    "actor_id",
    "department",
    "action",
    "target_type",
    "target_id",
    "outcome",
    "client_ip",
    "details_json",
)


def details_text(details: dict[str, Any]) -> str:
    """Canonical JSON of an entry's details (sorted keys, no NaN or infinity).

    >>> details_text({"b": 1e20, "a": "柯城区", "z": None})
    '{"a":"柯城区","b":1e+20,"z":null}'
    """
    return json.dumps(
        details, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def canonical(values: dict[str, Any]) -> str:
    """Return the canonical JSON text of an entry's chained fields.

    >>> canonical({"seq": 1, "at": datetime(2026, 1, 1, tzinfo=UTC), "actor": "张三",
    ...            "actor_id": None, "department": "", "action": "login", "target_type": "",
    ...            "target_id": "", "outcome": "success", "client_ip": "",
    ...            "details_json": "{}"})[:41]
    '{"action":"login","actor":"张三","actor_id"'
    """
    data = {name: values[name] for name in CHAINED_FIELDS}
    at = data["at"]
    if isinstance(at, datetime):
        data["at"] = at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(key: bytes, prev_hash: str, values: dict[str, Any]) -> str:
    """Keyed hash of one entry, chained to the one before it."""
    return hmac_sm3_hex(key, (prev_hash + canonical(values)).encode("utf-8"))


def head_seal(key: bytes, seq: int, last_hash: str) -> str:
    """Keyed seal of the chain head (and of each anchor line): forging it needs the key."""
    return hmac_sm3_hex(key, f"{seq}:{last_hash}".encode("ascii"))
