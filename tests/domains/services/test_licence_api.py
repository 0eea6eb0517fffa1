"""The public licence API: POST /api/v1/services/licences/verify and the seal key."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from shuzhi.domains.services.selectors.licences import licence_payload
from shuzhi.domains.services.services.licences import licence_revoke
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.security.sm2 import public_key_from_pem
from tests.domains.services.test_licences import FOOD_FACTS, World, issue_food, make_world

URL = "/api/v1/services/licences/verify"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def world(db: None, settings: Any) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


def _post(client: Client, body: Any, language: str = "en") -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, raw, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)


def test_verify_by_number_and_signature_without_signing_in(client: Client, world: World) -> None:
    licence = issue_food(world)
    answer = _post(client, {"number": licence.number, "signature": licence.signature_hex})
    assert answer.status_code == 200
    assert answer.json() == {
        "authentic": True,
        "status": "valid",
        "number": licence.number,
        "holder_name": FOOD_FACTS["enterprise_name"],
        "title": "食品经营许可证",
        "issuer": "衢州市市场监督管理局",
        "valid_until": licence.valid_until.isoformat(),
        "reasons": [],
        "reason_codes": [],
    }


def test_verify_by_payload(client: Client, world: World) -> None:
    licence = issue_food(world)
    payload = licence_payload(licence)
    good = _post(client, {"licence": payload, "signature": licence.signature_hex})
    assert good.json()["authentic"] is True
    payload["valid_until"] = "2099-12-31"
    bad = _post(client, {"licence": payload, "signature": licence.signature_hex})
    body = bad.json()
    assert bad.status_code == 200
    assert body["authentic"] is False
    assert body["holder_name"] is None
    assert "altered" in body["reason_codes"]
    assert any("registry" in reason for reason in body["reasons"])
    entry = AuditEntry.objects.filter(action="services.licence_forgery").get()
    assert entry.outcome == "failure"
    assert licence.number in entry.details_json


def test_revoked_and_unknown(client: Client, world: World) -> None:
    licence = issue_food(world)
    licence_revoke(licence=licence, by=world.clerk, reason="注销")
    revoked = _post(client, {"number": licence.number, "signature": licence.signature_hex})
    assert revoked.json()["authentic"] is True
    assert revoked.json()["status"] == "revoked"
    unknown = _post(client, {"number": "JY0", "signature": licence.signature_hex})
    assert unknown.json()["status"] == "unknown"
    assert unknown.json()["authentic"] is False


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        {"number": "JY1"},
        {"number": "JY1", "signature": "abc"},
        {"number": 5, "signature": "a" * 128},
        {"signature": "a" * 128},
        {"licence": "JY1", "signature": "a" * 128},
        {"licence": {"number": "JY1"}, "signature": "a" * 128},
        {"number": "JY1", "signature": "a" * 128, "extra": 1},
    ],
)
def test_malformed_body_is_422_with_a_message(client: Client, world: World, body: Any) -> None:
    answer = _post(client, body)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["status"] == 422
    assert error["message"]
    assert not AuditEntry.objects.filter(action="services.licence_forgery").exists()


def test_422_message_is_in_the_request_language(client: Client, world: World) -> None:
    body = {"number": "JY1", "signature": "abc"}
    english = _post(client, body, "en").json()["error"]["message"]
    chinese = _post(client, body, "zh-hans").json()["error"]["message"]
    assert "128 hexadecimal characters" in english
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "The signature must be 128 hexadecimal characters (as printed on the licence)."
        )
    assert chinese == expected


def test_oversized_body_is_refused_in_chinese(client: Client, world: World) -> None:
    answer = _post(client, {"number": "JY1", "signature": "a" * 128, "x": "y" * 70000}, "zh-hans")
    assert answer.status_code == 413
    assert answer.json()["error"]["message"] == "请求体过大。"


def test_anonymous_callers_are_rate_limited(client: Client, world: World) -> None:
    body = {"number": "JY1", "signature": "1" * 128}
    with time_machine.travel(datetime(2026, 11, 26, 10, 0, 30, tzinfo=UTC), tick=False):
        statuses = [_post(client, body).status_code for _ in range(31)]  # within one minute
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


def test_seal_key_is_public(client: Client, world: World) -> None:
    licence = issue_food(world)
    answer = client.get(f"/api/v1/services/licences/{licence.number}/seal-key")
    assert answer.status_code == 200
    assert public_key_from_pem(answer.json()["public_key_pem"]) == licence.seal.public_key_hex
    missing = client.get("/api/v1/services/licences/NOPE/seal-key")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
