"""Licence pages: the printable licence, its PDF and verification data, revocation, the public
verification page and the seals page — with the negatives around each."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from shuzhi.domains.services.licence_seal import canonical_bytes
from shuzhi.domains.services.models.licences import Licence, SealKey
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.security.sm2 import public_key_from_pem, verify
from tests.domains.services.test_licences import FOOD_FACTS, World, issue_food, make_world


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def world(db: None, settings: Any) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


def _as(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_holder_sees_the_printable_licence(client: Client, world: World) -> None:
    licence = issue_food(world)
    page = _as(client, world.enterprise).get(reverse("services:licence", args=[licence.number]))
    assert page.status_code == 200
    html = page.content.decode()
    assert licence.number in html
    assert "衢州市市场监督管理局电子印章" in html
    assert "<svg" in html
    assert "@media print" in html
    assert licence.signature_hex[:32] in html
    assert FOOD_FACTS["premises_address"] in html
    assert 'id="revoke"' not in html  # the holder cannot revoke
    assert AuditEntry.objects.filter(action="services.licence_view", outcome="success").exists()


def test_issuer_staff_see_the_revoke_form_and_revoke(client: Client, world: World) -> None:
    licence = issue_food(world)
    client = _as(client, world.clerk)
    page = client.get(reverse("services:licence", args=[licence.number]))
    assert page.status_code == 200
    assert 'id="revoke"' in page.content.decode()
    empty = client.post(reverse("services:licence_revoke", args=[licence.number]), {"reason": ""})
    assert empty.status_code == 302
    licence.refresh_from_db()
    assert licence.status == Licence.Status.VALID
    done = client.post(
        reverse("services:licence_revoke", args=[licence.number]), {"reason": "停业"}
    )
    assert done.status_code == 302
    licence.refresh_from_db()
    assert licence.status == Licence.Status.REVOKED


def test_resident_holder_sees_own_licence(client: Client, world: World) -> None:
    licence = issue_food(world, holder_credit_code="", holder_resident=world.resident)
    page = _as(client, world.resident_user).get(reverse("services:licence", args=[licence.number]))
    assert page.status_code == 200


@pytest.mark.parametrize("who", ["other_enterprise", "fire_clerk", "resident_user"])
def test_others_are_refused_and_audited(client: Client, world: World, who: str) -> None:
    licence = issue_food(world)
    for name in ("licence", "licence_pdf", "licence_data"):
        answer = _as(client, getattr(world, who)).get(
            reverse(f"services:{name}", args=[licence.number])
        )
        assert answer.status_code == 403
    denied = AuditEntry.objects.filter(action="services.licence_view", outcome="denied")
    assert denied.count() == 3


def test_other_department_cannot_revoke(client: Client, world: World) -> None:
    licence = issue_food(world)
    answer = _as(client, world.fire_clerk).post(
        reverse("services:licence_revoke", args=[licence.number]), {"reason": "x"}
    )
    assert answer.status_code == 403
    licence.refresh_from_db()
    assert licence.status == Licence.Status.VALID


def test_anonymous_is_sent_to_sign_in(client: Client, world: World) -> None:
    licence = issue_food(world)
    for name in ("licence", "licence_pdf", "licence_data"):
        answer = client.get(reverse(f"services:{name}", args=[licence.number]))
        assert answer.status_code == 302
        assert "login" in answer["Location"]


def test_unknown_number_is_404(client: Client, world: World) -> None:
    answer = _as(client, world.enterprise).get(reverse("services:licence", args=["NOPE"]))
    assert answer.status_code == 404


def test_pdf_is_a_pdf_with_the_number(client: Client, world: World) -> None:
    licence = issue_food(world)
    answer = _as(client, world.enterprise).get(
        reverse("services:licence_pdf", args=[licence.number])
    )
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    assert answer.content.rstrip().endswith(b"%%EOF")
    assert licence.number.encode() in answer.content
    assert len(answer.content) > 5000  # the font subset and the QR image are embedded


def test_pdf_without_its_font_says_so(client: Client, world: World, settings: Any) -> None:
    settings.CARBON_PDF_FONT = "/nonexistent/font.ttc"
    licence = issue_food(world)
    answer = _as(client, world.enterprise).get(
        reverse("services:licence_pdf", args=[licence.number])
    )
    assert answer.status_code == 503


def test_verification_data_checks_out(client: Client, world: World) -> None:
    licence = issue_food(world)
    answer = _as(client, world.enterprise).get(
        reverse("services:licence_data", args=[licence.number])
    )
    assert answer.status_code == 200
    data = json.loads(answer.content)
    assert data["canonical"].encode() == canonical_bytes(data["licence"])
    public = public_key_from_pem(data["seal_public_key_pem"])
    assert verify(
        public_key_hex=public, data=data["canonical"].encode(), signature_hex=data["signature"]
    )
    assert "distid:1234567812345678" in data["openssl"]


def test_public_verify_page_from_the_qr_code(client: Client, world: World) -> None:
    licence = issue_food(world)
    url = reverse("services:verify")
    good = client.get(url, {"number": licence.number, "sig": licence.signature_hex})
    assert good.status_code == 200
    html = good.content.decode()
    assert 'id="authentic"' in html
    assert 'id="forged"' not in html
    assert FOOD_FACTS["enterprise_name"] in html
    bad = client.get(url, {"number": licence.number, "sig": "1" * 128})
    assert 'id="forged"' in bad.content.decode()
    assert FOOD_FACTS["enterprise_name"] not in bad.content.decode()
    assert AuditEntry.objects.filter(action="services.licence_forgery").count() == 1


def test_public_verify_page_with_pasted_data(client: Client, world: World) -> None:
    licence = issue_food(world)
    data = (
        _as(Client(), world.enterprise)
        .get(reverse("services:licence_data", args=[licence.number]))
        .content.decode()
    )
    good = client.post(reverse("services:verify"), {"pasted": data})
    assert 'id="authentic"' in good.content.decode()
    altered = data.replace(FOOD_FACTS["business_scope"], "热食类食品制售、生食类食品制售")
    assert altered != data
    bad = client.post(reverse("services:verify"), {"pasted": altered})
    assert 'id="forged"' in bad.content.decode()


def test_public_verify_page_refuses_malformed_input(client: Client, world: World) -> None:
    answer = client.post(
        reverse("services:verify"),
        {"number": "JY1", "signature": "not hex"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert answer.status_code == 422
    assert "128 hexadecimal characters" in answer.content.decode()
    assert 'id="verify-error"' in answer.content.decode()


def test_public_verify_page_is_rate_limited(client: Client, world: World) -> None:
    url = reverse("services:verify")
    # the limit counts per clock minute: hold the clock so a slow machine cannot cross a minute
    with time_machine.travel(datetime(2026, 11, 26, 10, 0, 30, tzinfo=UTC), tick=False):
        statuses = [
            client.get(url, {"number": "JY1", "sig": "1" * 128}).status_code for _ in range(31)
        ]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


def test_steward_sees_and_rotates_seals(client: Client, world: World) -> None:
    issue_food(world)
    client = _as(client, world.steward)
    page = client.get(reverse("services:seals"))
    assert page.status_code == 200
    assert "BEGIN PUBLIC KEY" in page.content.decode()
    assert client.post(reverse("services:seal_rotate")).status_code == 302
    assert SealKey.objects.filter(department=world.amr).count() == 2


@pytest.mark.parametrize("who", ["clerk", "enterprise"])
def test_non_stewards_cannot_see_or_rotate_seals(client: Client, world: World, who: str) -> None:
    client = _as(client, getattr(world, who))
    assert client.get(reverse("services:seals")).status_code == 403
    assert client.post(reverse("services:seal_rotate")).status_code == 403
    assert not SealKey.objects.filter(department=world.amr).count() > 1


def test_face_labels_are_translated_for_english_readers_only(client: Client, world: World) -> None:
    licence = issue_food(world)
    client = _as(client, world.enterprise)
    url = reverse("services:licence", args=[licence.number])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "(Premises)" in english
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "经营场所" in chinese
    assert "(Premises)" not in chinese
