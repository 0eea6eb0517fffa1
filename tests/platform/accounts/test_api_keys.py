from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from shuzhi.platform.accounts.models import ApiKey
from shuzhi.platform.accounts.services import api_key_issue, api_key_revoke
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.security.sm import sm3_hex
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_issued_key_is_stored_hashed_and_works_once_shown(client: Client) -> None:
    owner = UserFactory(username="li", roles=["clerk"])
    key, secret = api_key_issue(by=owner, name="grid system")
    assert secret.startswith(f"sz_{key.prefix}_")
    stored = ApiKey.objects.get(pk=key.pk)
    assert secret.split("_", 2)[2] not in stored.secret_hash
    assert stored.secret_hash == sm3_hex(secret.split("_", 2)[2].encode())
    response = client.get("/api/v1/me", HTTP_X_API_KEY=secret)
    assert response.status_code == 200
    assert response.json()["username"] == "li"
    assert AuditEntry.objects.filter(action="apikey.issue", actor="li").exists()
    use = AuditEntry.objects.get(action="apikey.use")
    assert use.target_id == str(key.pk)
    assert use.details == {"path": "/api/v1/me"}


def test_revoked_key_is_refused_at_once_with_the_envelope(client: Client) -> None:
    owner = UserFactory(username="li", roles=["clerk"])
    key, secret = api_key_issue(by=owner, name="x")
    api_key_revoke(key=key, by=owner)
    response = client.get("/api/v1/me", HTTP_X_API_KEY=secret)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    entry = AuditEntry.objects.get(action="apikey.reject")
    assert entry.details == {"reason": "revoked", "key_id": key.prefix}
    assert entry.actor == ""


def test_expired_key_is_refused(client: Client) -> None:
    owner = UserFactory(username="li", roles=["clerk"])
    key, secret = api_key_issue(by=owner, name="x", days=1)
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        response = client.get("/api/v1/me", HTTP_X_API_KEY=secret)
    assert response.status_code == 401
    entry = AuditEntry.objects.get(action="apikey.reject")
    assert entry.details == {"reason": "expired", "key_id": key.prefix}


@pytest.mark.parametrize("raw", ["garbage", "sz__x", "sz_deadbeef_wrongsecret", "xx_a_b"])
def test_malformed_or_tampered_keys_are_refused(client: Client, raw: str) -> None:
    owner = UserFactory(username="li", roles=["clerk"])
    api_key_issue(by=owner, name="x")
    response = client.get("/api/v1/me", HTTP_X_API_KEY=raw)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert AuditEntry.objects.filter(action="apikey.reject").exists()


def test_key_of_a_deactivated_owner_is_refused(client: Client) -> None:
    owner = UserFactory(username="li", roles=["clerk"])
    _key, secret = api_key_issue(by=owner, name="x")
    owner.is_active = False
    owner.save()
    assert client.get("/api/v1/me", HTTP_X_API_KEY=secret).status_code == 401


def test_public_role_may_not_hold_keys() -> None:
    resident = UserFactory(username="resident", roles=["public"])
    with pytest.raises(PermissionDenied):
        api_key_issue(by=resident, name="x")
    assert not ApiKey.objects.exists()


def test_another_user_cannot_revoke_my_key() -> None:
    owner = UserFactory(username="li", roles=["clerk"])
    other = UserFactory(username="wang", roles=["clerk"])
    key, _secret = api_key_issue(by=owner, name="x")
    with pytest.raises(PermissionDenied):
        api_key_revoke(key=key, by=other)
    key.refresh_from_db()
    assert key.revoked_at is None


def test_keys_are_issued_over_the_api_with_a_session_and_shown_once(client: Client) -> None:
    owner = UserFactory(username="li", roles=["clerk"])
    client.force_login(owner)
    response = client.post(
        "/api/v1/keys", {"name": "bank", "days": 30}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["key"].startswith("sz_")
    listed = client.get("/api/v1/keys").json()
    assert [k["prefix"] for k in listed] == [body["prefix"]]
    assert "key" not in listed[0]
    revoke = client.post(f"/api/v1/keys/{body['prefix']}/revoke")
    assert revoke.status_code == 200
    assert revoke.json()["revoked_at"]


def test_a_key_cannot_issue_another_key(client: Client) -> None:
    owner = UserFactory(username="li", roles=["clerk"])
    _key, secret = api_key_issue(by=owner, name="x")
    response = client.post(
        "/api/v1/keys", {"name": "y"}, content_type="application/json", HTTP_X_API_KEY=secret
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "session_required"
    assert ApiKey.objects.count() == 1


def test_key_pages_show_the_secret_once(client: Client) -> None:
    owner = UserFactory(username="li", roles=["clerk"])
    client.force_login(owner)
    response = client.post("/api-keys/", {"name": "grid"})
    assert response.status_code == 200
    key = ApiKey.objects.get()
    assert f"sz_{key.prefix}_" in response.content.decode()
    again = client.get("/api-keys/")
    assert f"sz_{key.prefix}_" not in again.content.decode()
    assert key.prefix in again.content.decode()


def test_blank_key_name_is_refused_over_the_api(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    response = client.post("/api/v1/keys", {"name": "   "}, content_type="application/json")
    assert response.status_code == 422
    assert not ApiKey.objects.exists()
