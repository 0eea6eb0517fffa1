"""The canonical bytes of a licence and the e-seal signature over them (pure, no database)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shuzhi.domains.services.licence_seal import (
    MalformedPayload,
    canonical_bytes,
    canonical_payload,
    normalise_payload,
    seal_name,
    seal_sign,
    seal_verify,
)
from shuzhi.platform.security.sm2 import SM2KeyPair

PAIR = SM2KeyPair.generate()
OTHER = SM2KeyPair.generate()


def _payload() -> dict[str, Any]:
    return canonical_payload(
        number="JY3308000000001",
        licence_type="food_operation",
        title="食品经营许可证",
        holder_name="衢州市柯城区示范餐饮有限公司",
        holder_id="91330802MA2DEMO01X",
        fields=[["经营者名称", "衢州市柯城区示范餐饮有限公司"], ["经营场所", "荷花中路1号"]],
        issuer="330800-AMR",
        issued_on="2026-01-05",
        valid_until="2031-01-04",
        seal=7,
    )


def test_canonical_bytes_are_sorted_compact_utf8_json() -> None:
    data = canonical_bytes(_payload())
    assert data.startswith(b'{"fields":[["')
    assert b", " not in data
    assert b": " not in data
    decoded = json.loads(data)
    assert list(decoded) == sorted(decoded)
    assert "食品经营许可证".encode() in data  # not \\u-escaped


def test_round_trip() -> None:
    signature = seal_sign(private_key_hex=PAIR.private_key_hex, payload=_payload())
    assert len(signature) == 128
    assert seal_verify(
        public_key_hex=PAIR.public_key_hex, payload=_payload(), signature_hex=signature
    )
    assert seal_verify(
        public_key_hex=PAIR.public_key_hex, payload=_payload(), signature_hex=signature.upper()
    )


def test_wrong_seal_fails() -> None:
    signature = seal_sign(private_key_hex=OTHER.private_key_hex, payload=_payload())
    assert not seal_verify(
        public_key_hex=PAIR.public_key_hex, payload=_payload(), signature_hex=signature
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("number", "JY3308000000002"),
        ("licence_type", "signboard"),
        ("title", "食品经营许可证 "),
        ("holder_name", "衢州市柯城区示范餐饮有限公司。"),
        ("holder_id", "91330802MA2DEMO02Y"),
        ("fields", [["经营者名称", "衢州市柯城区示范餐饮有限公司"]]),
        ("fields", [["经营场所", "荷花中路1号"], ["经营者名称", "衢州市柯城区示范餐饮有限公司"]]),
        ("fields", [["经营者名称", "衢州市柯城区示范餐饮有限公司"], ["经营场所", "荷花中路2号"]]),
        ("issuer", "330802-AMR"),
        ("issued_on", "2026-01-06"),
        ("valid_until", "2031-01-05"),
        ("seal", 8),
    ],
)
def test_changing_any_field_fails(key: str, value: Any) -> None:
    signature = seal_sign(private_key_hex=PAIR.private_key_hex, payload=_payload())
    tampered = {**_payload(), key: value}
    assert not seal_verify(
        public_key_hex=PAIR.public_key_hex, payload=tampered, signature_hex=signature
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.pop("seal"),
        lambda p: p.update(extra="x"),
        lambda p: p.update(seal="7"),
        lambda p: p.update(seal=True),
        lambda p: p.update(issued_on="2026-02-30"),
        lambda p: p.update(valid_until="20310104"),
        lambda p: p.update(fields=[["only a label"]]),
        lambda p: p.update(fields="经营者名称"),
        lambda p: p.update(holder_name=5),
    ],
)
def test_malformed_payloads_are_refused(change: Any) -> None:
    payload = _payload()
    change(payload)
    with pytest.raises(MalformedPayload):
        normalise_payload(payload)
    assert not seal_verify(
        public_key_hex=PAIR.public_key_hex,
        payload=payload,
        signature_hex=seal_sign(private_key_hex=PAIR.private_key_hex, payload=_payload()),
    )


def test_malformed_signatures_fail_quietly() -> None:
    for signature in ("", "zz" * 64, "ab" * 63, None):
        assert not seal_verify(
            public_key_hex=PAIR.public_key_hex,
            payload=_payload(),
            signature_hex=signature,  # type: ignore[arg-type]
        )


def test_seal_name() -> None:
    assert seal_name("衢州市市场监督管理局") == "衢州市市场监督管理局电子印章"
