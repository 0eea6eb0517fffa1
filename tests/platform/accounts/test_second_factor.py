from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from shuzhi.platform.audit.models import AuditEntry
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def _sign_in(client: Client, username: str) -> None:
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302


def test_system_admin_is_sent_to_the_second_factor_before_any_page(client: Client) -> None:
    UserFactory(username="admin", roles=["system_admin"], is_staff=True)
    _sign_in(client, "admin")
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/")
    assert client.get("/admin/").status_code == 302


def test_admin_without_a_device_is_told_to_ask_and_reaches_the_back_office_once_enrolled(
    client: Client,
) -> None:
    admin = UserFactory(username="admin", roles=["system_admin"], is_staff=True)
    _sign_in(client, "admin")
    page = client.get("/accounts/otp/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="otp-no-device"' in html
    assert "shuzhi otp_enrol admin" in html
    assert "<svg" not in html
    assert 'name="token"' not in html
    assert not TOTPDevice.objects.filter(user=admin).exists()
    assert client.get("/").status_code == 302
    assert client.get("/admin/").status_code == 302
    call_command("otp_enrol", "admin", stdout=StringIO())
    device = TOTPDevice.objects.get(user=admin)
    response = client.post("/accounts/otp/", {"token": _code(device)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action="otp.enrol", target_id=str(admin.pk)).exists()


def test_admin_without_a_device_cannot_pass_with_any_code(client: Client) -> None:
    admin = UserFactory(username="admin", roles=["system_admin"], is_staff=True)
    TOTPDevice.objects.create(user=admin, name="left over", confirmed=False)
    _sign_in(client, "admin")
    unconfirmed = TOTPDevice.objects.get(user=admin)
    response = client.post("/accounts/otp/", {"token": _code(unconfirmed)})
    assert response.status_code == 200
    assert client.get("/").status_code == 302
    assert not TOTPDevice.objects.filter(user=admin, confirmed=True).exists()


def test_wrong_code_is_refused_and_audited(client: Client) -> None:
    admin = UserFactory(username="admin", roles=["system_admin"], is_staff=True)
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    _sign_in(client, "admin")
    response = client.post("/accounts/otp/", {"token": "000000"})
    assert response.status_code == 401
    assert client.get("/").status_code == 302
    assert AuditEntry.objects.filter(action="login.otp", outcome="failure").exists()


def test_api_refuses_an_unverified_admin_session(client: Client) -> None:
    UserFactory(username="admin", roles=["system_admin"], is_staff=True)
    _sign_in(client, "admin")
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "second_factor_required"


def test_other_roles_need_no_second_factor(client: Client) -> None:
    UserFactory(username="li", roles=["clerk"])
    _sign_in(client, "li")
    assert client.get("/").status_code == 200


def test_staff_flag_alone_does_not_open_the_back_office(client: Client) -> None:
    user = UserFactory(username="li", roles=["clerk"], is_staff=True)
    client.force_login(user)
    assert client.get("/admin/").status_code == 302
