"""The canonical bytes of an electronic licence (电子证照) and its e-seal signature (电子印章签名).

Pure functions, no Django: what is signed is the UTF-8 JSON of the licence's payload with sorted
keys and no whitespace::

    {"fields":[["名称","…"],…],"holder_id":"…","holder_name":"…","issued_on":"2026-01-05",
     "issuer":"330800-AMR","licence_type":"food_operation","number":"JY…","seal":3,
     "title":"食品经营许可证","valid_until":"2031-01-04"}

``holder_id`` is the enterprise's unified social credit code, or the token of a resident's ID
number (never the number itself). The signature is SM2 with SM3 over the default user id
(``shuzhi.platform.security.sm2``), so OpenSSL verifies it too::

    openssl dgst -sm3 -verify seal.pem -signature sig.der \\
        -sigopt distid:1234567812345678 payload.json

>>> from shuzhi.platform.security.sm2 import SM2KeyPair
>>> pair = SM2KeyPair.generate()
>>> payload = canonical_payload(number="JY1", licence_type="food_operation", title="食品经营许可证",
...     holder_name="甲", holder_id="9133", fields=[["名称", "甲"]], issuer="330800-AMR",
...     issued_on="2026-01-05", valid_until="2031-01-04", seal=1)
>>> signature = seal_sign(private_key_hex=pair.private_key_hex, payload=payload)
>>> seal_verify(public_key_hex=pair.public_key_hex, payload=payload, signature_hex=signature)
True
>>> seal_verify(public_key_hex=pair.public_key_hex, payload={**payload, "holder_name": "乙"},
...     signature_hex=signature)
False
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from shuzhi.platform.security.sm2 import SM2KeyPair, verify

__all__ = [
    "PAYLOAD_KEYS",
    "SEAL_SUFFIX",
    "MalformedPayload",
    "canonical_bytes",
    "canonical_payload",
    "normalise_payload",
    "seal_name",
    "seal_sign",
    "seal_verify",
]

SEAL_SUFFIX = "电子印章"  # a seal is named after its department: 衢州市市场监督管理局电子印章
PAYLOAD_KEYS = frozenset(
    {
        "number",
        "licence_type",
        "title",
        "holder_name",
        "holder_id",
        "fields",
        "issuer",
        "issued_on",
        "valid_until",
        "seal",
    }
)
MAX_TEXT = 500
MAX_FIELDS = 60
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SIGNATURE = re.compile(r"[0-9a-fA-F]{128}")


class MalformedPayload(ValueError):
    """The payload is not a licence payload (wrong keys, types or dates); ``key`` names the
    culprit when there is one."""

    def __init__(self, message: str, key: str = "") -> None:
        super().__init__(message)
        self.key = key


def seal_name(department_name: str) -> str:
    """The seal's name: the department's name and 电子印章."""
    return f"{department_name}{SEAL_SUFFIX}"


def canonical_payload(
    *,
    number: str,
    licence_type: str,
    title: str,
    holder_name: str,
    holder_id: str,
    fields: Sequence[Sequence[str]],
    issuer: str,
    issued_on: str | dt.date,
    valid_until: str | dt.date,
    seal: int,
) -> dict[str, Any]:
    """The payload (a plain dict of strings, lists and the seal id) that is signed."""
    return normalise_payload(
        {
            "number": number,
            "licence_type": licence_type,
            "title": title,
            "holder_name": holder_name,
            "holder_id": holder_id,
            "fields": [[str(label), str(value)] for label, value in fields],
            "issuer": issuer,
            "issued_on": issued_on.isoformat() if isinstance(issued_on, dt.date) else issued_on,
            "valid_until": (
                valid_until.isoformat() if isinstance(valid_until, dt.date) else valid_until
            ),
            "seal": seal,
        }
    )


def normalise_payload(data: Any) -> dict[str, Any]:
    """Check that ``data`` has exactly the shape of a licence payload and return a copy;
    ``MalformedPayload`` otherwise. Values are not otherwise changed (no trimming)."""
    if not isinstance(data, Mapping):
        raise MalformedPayload("the licence payload must be a JSON object")
    keys = set(data)
    if keys != PAYLOAD_KEYS:
        missing = sorted(PAYLOAD_KEYS - keys)
        extra = sorted(str(k) for k in keys - PAYLOAD_KEYS)
        raise MalformedPayload(
            f"keys missing {missing} or unexpected {extra}", (missing or extra)[0]
        )
    out: dict[str, Any] = {}
    for key in sorted(PAYLOAD_KEYS - {"fields", "seal"}):
        value = data[key]
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise MalformedPayload(f"{key} must be text of at most {MAX_TEXT} characters", key)
        out[key] = value
    for key in ("issued_on", "valid_until"):
        if not _DATE.fullmatch(out[key]):
            raise MalformedPayload(f"{key} must be a date YYYY-MM-DD", key)
        try:
            dt.date.fromisoformat(out[key])
        except ValueError:
            raise MalformedPayload(f"{key} is not a calendar date", key) from None
    seal = data["seal"]
    if isinstance(seal, bool) or not isinstance(seal, int) or seal < 1:
        raise MalformedPayload("seal must be a positive integer", "seal")
    out["seal"] = seal
    fields = data["fields"]
    if not isinstance(fields, list | tuple) or len(fields) > MAX_FIELDS:
        raise MalformedPayload(f"fields must be a list of at most {MAX_FIELDS} pairs", "fields")
    pairs = []
    for pair in fields:
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(part, str) and len(part) <= MAX_TEXT for part in pair)
        ):
            raise MalformedPayload("each field must be a [label, value] pair of text", "fields")
        pairs.append([pair[0], pair[1]])
    out["fields"] = pairs
    return out


def canonical_bytes(payload: Mapping[str, Any]) -> bytes:
    """UTF-8 JSON, keys sorted, no whitespace: the bytes the seal signs."""
    return json.dumps(
        normalise_payload(payload), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


def seal_sign(*, private_key_hex: str, payload: Mapping[str, Any]) -> str:
    """The SM2 signature (``r || s``, 128 hex characters) of the payload's canonical bytes."""
    return SM2KeyPair.from_private_key_hex(private_key_hex).sign(canonical_bytes(payload))


def seal_verify(*, public_key_hex: str, payload: Mapping[str, Any], signature_hex: str) -> bool:
    """True when ``signature_hex`` is the seal's signature of the payload; False (never an
    exception) for a malformed payload or signature."""
    if not isinstance(signature_hex, str) or not _SIGNATURE.fullmatch(signature_hex):
        return False
    try:
        data = canonical_bytes(payload)
    except MalformedPayload:
        return False
    return verify(public_key_hex=public_key_hex, data=data, signature_hex=signature_hex.lower())
