from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuzhi.platform.accounts.models import LoginThrottle
from shuzhi.platform.accounts.services import login_attempt
from shuzhi.platform.audit.models import AuditEntry
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _post_login(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_right_password_signs_in_and_writes_audit_entry(client: Client) -> None:
    UserFactory(username="li", roles=["clerk"])
    response = _post_login(client, "li", PASSWORD)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")
    entry = AuditEntry.objects.get(action="login.success")
    assert entry.actor == "li"
    assert entry.outcome == "success"
    assert entry.client_ip == "127.0.0.1"


def test_wrong_password_is_refused_with_401_and_audited_as_failure(client: Client) -> None:
    user = UserFactory(username="li")
    response = _post_login(client, "li", "wrong-Password1")
    assert response.status_code == 401
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="login.failure")
    assert entry.actor == ""  # the typed name is untrusted: it is a detail, not the actor
    assert entry.details == {"username": "li", "locked": False}
    assert entry.target_id == str(user.pk)
    assert entry.outcome == "failure"


def test_fifth_wrong_password_locks_the_account_even_for_the_right_password() -> None:
    UserFactory(username="li")
    results = [login_attempt(request=None, username="li", password="nope") for _ in range(5)]
    assert [r.reason for r in results] == ["invalid"] * 4 + ["locked"]
    locked = login_attempt(request=None, username="li", password=PASSWORD)
    assert locked.user is None
    assert locked.reason == "locked"
    assert 1 <= locked.locked_minutes <= 15
    assert AuditEntry.objects.filter(action="login.locked", outcome="denied").count() == 1


def test_lock_lifts_after_fifteen_minutes() -> None:
    UserFactory(username="li")
    for _ in range(5):
        login_attempt(request=None, username="li", password="nope")
    with time_machine.travel(timezone.now() + timedelta(minutes=14), tick=False):
        assert login_attempt(request=None, username="li", password=PASSWORD).reason == "locked"
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert login_attempt(request=None, username="li", password=PASSWORD).user is not None
    assert not LoginThrottle.objects.filter(username="li").exists()


def test_success_resets_the_failure_count() -> None:
    UserFactory(username="li")
    for _ in range(4):
        login_attempt(request=None, username="li", password="nope")
    assert login_attempt(request=None, username="li", password=PASSWORD).user is not None
    for _ in range(4):
        assert login_attempt(request=None, username="li", password="nope").reason == "invalid"


def test_lockout_page_says_the_account_is_locked(client: Client) -> None:
    UserFactory(username="li")
    for _ in range(4):
        assert _post_login(client, "li", "nope").status_code == 401
    response = _post_login(client, "li", "nope")
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_unknown_user_name_fails_like_a_wrong_password(client: Client) -> None:
    response = _post_login(client, "nobody", "whatever-1A")
    assert response.status_code == 401
    entry = AuditEntry.objects.get(action="login.failure")
    assert entry.details["username"] == "nobody"
    assert entry.target_id == ""


def test_inactive_user_cannot_sign_in() -> None:
    UserFactory(username="li", is_active=False)
    assert login_attempt(request=None, username="li", password=PASSWORD).user is None


def test_empty_form_is_a_400_and_changes_nothing(client: Client) -> None:
    response = client.post(reverse("accounts:login"), {})
    assert response.status_code == 400
    assert not AuditEntry.objects.exists()


def test_login_ignores_an_offsite_next_url(client: Client) -> None:
    UserFactory(username="li")
    response = client.post(
        reverse("accounts:login"),
        {"username": "li", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_logout_is_audited_and_ends_the_session(client: Client) -> None:
    user = UserFactory(username="li")
    client.force_login(user)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="logout", actor="li").exists()


def test_logout_by_get_is_refused(client: Client) -> None:
    user = UserFactory(username="li")
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_session_expires_after_the_idle_timeout(client: Client, settings: Any) -> None:
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60
    user = UserFactory(username="li", roles=["clerk"])
    client.force_login(user)
    assert client.get("/").status_code == 200
    later = timezone.now() + timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        response = client.get("/")
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_passwords_are_hashed_with_argon2() -> None:
    user = UserFactory(username="li")
    assert user.password.startswith("argon2$")


def test_login_page_states_the_configured_lockout_rule(client: Client, settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_LOCKOUT_MINUTES = 30
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "After 3 wrong passwords in a row the account is locked for 30 minutes." in (
        page.content.decode()
    )
