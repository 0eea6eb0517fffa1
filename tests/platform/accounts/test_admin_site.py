from __future__ import annotations

import pytest
from django.test import Client

from shuzhi.platform.accounts.models import LoginThrottle, User
from shuzhi.platform.accounts.services import login_attempt
from shuzhi.platform.audit.models import AuditEntry
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kecheng@2026-new"


def test_admin_login_page_redirects_to_the_accounts_sign_in(client: Client) -> None:
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_anonymous_back_office_visit_ends_at_the_accounts_sign_in(client: Client) -> None:
    response = client.get("/admin/accounts/user/", follow=True)
    assert response.redirect_chain[-1] == ("/accounts/login/?next=/admin/accounts/user/", 302)
    assert response.status_code == 200


def test_admin_login_keeps_a_local_next_only(client: Client) -> None:
    local = client.get("/admin/login/", {"next": "/admin/accounts/user/?q=li"})
    assert local["Location"] == "/accounts/login/?next=/admin/accounts/user/%3Fq%3Dli"
    for offsite in ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]:
        response = client.get("/admin/login/", {"next": offsite})
        assert response["Location"] == "/accounts/login/?next=/admin/", offsite


def test_posting_credentials_to_the_admin_login_never_signs_in(client: Client) -> None:
    UserFactory(username="root", roles=["system_admin"], is_staff=True, is_superuser=True)
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert not AuditEntry.objects.filter(action="login.success").exists()


def test_admin_login_does_not_bypass_a_locked_account(client: Client) -> None:
    UserFactory(username="root", roles=["system_admin"], is_staff=True, is_superuser=True)
    for _ in range(5):
        login_attempt(request=None, username="root", password="nope")
    client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert LoginThrottle.objects.get(username="root").locked_until is not None
    assert login_attempt(request=None, username="root", password=PASSWORD).reason == "locked"


def test_changing_ones_own_password_in_the_back_office_is_audited(
    back_office: Client, root: User
) -> None:
    response = back_office.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    root.refresh_from_db()
    assert root.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action="password.change")
    assert entry.actor == "root"
    assert entry.target_id == str(root.pk)
    assert entry.details == {"by_admin": False}


def test_a_wrong_old_password_changes_nothing_and_writes_no_entry(back_office: Client) -> None:
    response = back_office.post(
        "/admin/password_change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action="password.change").exists()


def test_signing_out_of_the_back_office_is_audited(client: Client) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    admin = UserFactory(username="boss", roles=["system_admin"], is_staff=True)
    device = TOTPDevice.objects.create(user=admin, name="t", confirmed=True)
    client.force_login(admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    response = client.post("/admin/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="logout", actor="boss").exists()
