"""The sharing API: the keyed, scoped, masked, metered data API and its refusals."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.sharing.models import Grant, GrantUsage, ShareRequest
from shuzhi.platform.sharing.services import grant_revoke

from .conftest import credit_code, period

pytestmark = pytest.mark.django_db

Granted = Callable[..., tuple[Grant, str]]


def _rows(client: Client, grant: Grant, key: str | None = None, **params: Any) -> Any:
    headers = {"HTTP_X_APP_KEY": key} if key else {}
    return client.get(f"/api/v1/sharing/grants/{grant.pk}/rows", params, **headers)


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["status"] == status
    assert body["error"]["message"]
    return body["error"]


def _reads(outcome: str) -> int:
    return AuditEntry.objects.filter(action="sharing.read", outcome=outcome).count()


def test_app_key_reads_only_granted_fields_and_scoped_rows_masked(
    client: Client, granted: Granted
) -> None:
    grant, key = granted(fields=["credit_code", "kwh", "county", "contact"])
    response = _rows(client, grant, key)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["columns"] == ["credit_code", "kwh", "county", "contact"]
    assert body["total"] == 3  # only the Kecheng rows
    assert {row["county"] for row in body["rows"]} == {"330802"}
    assert all("month" not in row for row in body["rows"])
    contacts = {row["contact"] for row in body["rows"]}
    assert "张三" not in contacts
    assert all("*" in c for c in contacts)  # L3 masked
    usage = GrantUsage.objects.get(grant=grant)
    assert (usage.calls, usage.rows) == (1, 3)
    entry = AuditEntry.objects.get(action="sharing.read", outcome="success")
    assert entry.details["via"] == "app_key"
    assert entry.details["rows"] == 3


def test_unmasked_grant_returns_raw_values(
    client: Client, power: Dataset, requester: User, approver: User
) -> None:
    from shuzhi.platform.sharing.services import (
        grant_key_reissue,
        share_request_approve,
        share_request_create,
    )

    outcome = share_request_create(
        by=requester,
        dataset=power,
        fields=["county", "contact"],
        raw_fields=["contact"],
        purpose="核查",
        legal_basis="条例",
        period_end=period(),
        scope={"county": ["330802"]},
    )
    grant = share_request_approve(share_request=outcome.share_request, by=approver)
    key = grant_key_reissue(grant=grant, by=requester)
    body = _rows(client, grant, key).json()
    assert {row["contact"] for row in body["rows"]} == {"张三", "李四", "钱七"}


def test_filters_fields_sort_pages_and_search(client: Client, granted: Granted) -> None:
    grant, key = granted()
    body = _rows(client, grant, key, **{"filter.kwh": "200", "fields": "credit_code,kwh"}).json()
    assert body["columns"] == ["credit_code", "kwh"]
    assert body["rows"] == [{"credit_code": credit_code(2), "kwh": "200"}]
    body = _rows(client, grant, key, sort="-kwh", limit="2", offset="0", fields="kwh").json()
    assert [r["kwh"] for r in body["rows"]] == ["200", "100.5"]
    assert body["total"] == 3
    body = _rows(client, grant, key, sort="-kwh", limit="2", offset="2", fields="kwh").json()
    assert [r["kwh"] for r in body["rows"]] == ["50"]
    repeated = client.get(
        f"/api/v1/sharing/grants/{grant.pk}/rows?filter.kwh=200&filter.kwh=50&fields=kwh",
        HTTP_X_APP_KEY=key,
    ).json()
    assert sorted(r["kwh"] for r in repeated["rows"]) == ["200", "50"]
    assert _rows(client, grant, key, q=credit_code(5)[:12]).json()["total"] >= 0


def test_filter_outside_the_scope_returns_nothing(client: Client, granted: Granted) -> None:
    grant, key = granted()
    body = _rows(client, grant, key, **{"filter.county": "330803"}).json()
    assert body["rows"] == []
    assert body["total"] == 0


def test_field_outside_the_grant_is_absent_and_asking_for_it_is_refused(
    client: Client, granted: Granted
) -> None:
    grant, key = granted(fields=["kwh", "county"])
    assert _rows(client, grant, key).json()["columns"] == ["kwh", "county"]
    for params in ({"fields": "kwh,contact"}, {"filter.contact": "张三"}, {"sort": "month"}):
        error = _error(_rows(client, grant, key, **params), 400, "invalid_query")
        assert "张三" not in error["message"]
    assert _reads("failure") == 3


@pytest.mark.parametrize(
    "params",
    [
        {"filter.county": "330802' OR '1'='1"},
        {"filter.county": "330802; DROP TABLE enterprise_power_v1; --"},
        {"filter.county) OR 1=1 --": "x"},
        {"sort": "kwh; DROP TABLE enterprise_power_v1"},
        {"sort": "kwh desc, (select 1)"},
        {"fields": "kwh, * from enterprise_power_v1 --"},
        {"limit": "10; DROP TABLE x"},
        {"offset": "-1"},
    ],
)
def test_injection_attempts_are_refused_cleanly(
    client: Client, granted: Granted, params: dict[str, str]
) -> None:
    grant, key = granted()
    _error(_rows(client, grant, key, **params), 400, "invalid_query")
    assert _reads("failure") == 1
    assert _rows(client, grant, key).json()["total"] == 3  # the table is intact


def test_revoked_key_is_refused_at_once_and_audited(
    client: Client, granted: Granted, requester: User
) -> None:
    grant, key = granted()
    assert _rows(client, grant, key).status_code == 200
    grant_revoke(grant=grant, by=requester)
    error = _error(_rows(client, grant, key), 403, "grant_revoked")
    assert "已撤销" in error["message"]  # in the caller's language (Chinese by default)
    english = client.get(
        f"/api/v1/sharing/grants/{grant.pk}/rows", HTTP_X_APP_KEY=key, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "revoked" in english.json()["error"]["message"]
    assert _reads("denied") == 2  # each refused call
    assert GrantUsage.objects.get(grant=grant).calls == 1  # the refused call is not served


def test_expired_key_is_refused(client: Client, granted: Granted) -> None:
    grant, key = granted()
    Grant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _error(_rows(client, grant, key), 403, "grant_expired")
    assert _reads("denied") == 1


def test_old_key_stops_working_when_a_new_one_is_issued(
    client: Client, granted: Granted, requester: User
) -> None:
    from shuzhi.platform.sharing.services import grant_key_reissue

    grant, key = granted()
    new_key = grant_key_reissue(grant=grant, by=requester)
    _error(_rows(client, grant, key), 401, "unauthenticated")
    assert _rows(client, grant, new_key).status_code == 200
    assert AuditEntry.objects.filter(action="sharing.key_reject").count() == 1


@pytest.mark.parametrize("key", ["", "nonsense", "sg_abc_def", "sz_123_456"])
def test_unknown_keys_are_refused(client: Client, granted: Granted, key: str) -> None:
    grant, _ = granted()
    _error(_rows(client, grant, key or None), 401, "unauthenticated")


def test_a_key_cannot_read_another_grant_or_dataset(
    client: Client,
    granted: Granted,
    make_dataset: Callable[..., Dataset],
    requester: User,
    approver: User,
) -> None:
    _grant, key = granted()
    other = make_dataset("enterprise_gas", share="unconditional")
    from shuzhi.platform.sharing.services import share_request_create

    outcome = share_request_create(
        by=requester,
        dataset=other,
        fields=["kwh"],
        purpose="核算",
        legal_basis="办法",
        period_end=period(),
    )
    assert outcome.grant is not None
    _error(_rows(client, outcome.grant, key), 403, "wrong_grant")
    response = client.get("/api/v1/sharing/grants/999999/rows", HTTP_X_APP_KEY=key)
    _error(response, 403, "wrong_grant")
    response = client.get("/api/v1/sharing/datasets/enterprise_gas/rows", HTTP_X_APP_KEY=key)
    _error(response, 403, "wrong_dataset")
    response = client.get("/api/v1/sharing/datasets/enterprise_power/rows", HTTP_X_APP_KEY=key)
    assert response.json()["total"] == 3
    assert _reads("denied") == 3


def test_grantee_session_reads_others_cannot(
    client: Client,
    granted: Granted,
    requester: User,
    other_clerk: User,
    enterprise_user: User,
    approver: User,
) -> None:
    grant, _ = granted()
    _error(_rows(client, grant), 401, "unauthenticated")
    client.force_login(requester)
    assert _rows(client, grant).json()["total"] == 3
    for user in (other_clerk, enterprise_user, approver):
        client.force_login(user)
        _error(_rows(client, grant), 403, "forbidden")
    assert _reads("denied") == 3
    assert _error(client.get("/api/v1/sharing/grants/999999/rows"), 404, "not_found")


def _post(client: Client, path: str, payload: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(payload), content_type="application/json")


def test_request_approve_reject_through_the_api(
    client: Client,
    power: Dataset,
    requester: User,
    approver: User,
    other_approver: User,
) -> None:
    client.force_login(requester)
    payload = {
        "dataset": "enterprise_power",
        "fields": ["kwh", "county", "contact"],
        "purpose": "碳账户核算",
        "legal_basis": "办法",
        "period_end": period().isoformat(),
        "scope": {"county": ["330802"]},
    }
    response = _post(client, "/api/v1/sharing/requests", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["grant"] is None
    assert body["request"]["state"] == "pending"
    pk = body["request"]["id"]
    _error(_post(client, f"/api/v1/sharing/requests/{pk}/approve", {}), 403, "forbidden")
    client.force_login(other_approver)
    _error(_post(client, f"/api/v1/sharing/requests/{pk}/approve", {}), 403, "forbidden")
    _error(
        _post(client, f"/api/v1/sharing/requests/{pk}/reject", {"reason": "x"}), 403, "forbidden"
    )
    _error(client.get(f"/api/v1/sharing/requests/{pk}"), 404, "not_found")
    assert AuditEntry.objects.filter(actor="qj_approver", outcome="denied").count() == 2
    _error(_post(client, "/api/v1/sharing/requests/99999/approve", {}), 404, "not_found")
    client.force_login(approver)
    assert [r["id"] for r in client.get("/api/v1/sharing/inbox").json()] == [pk]
    response = _post(client, f"/api/v1/sharing/requests/{pk}/approve", {"fields": ["kwh"]})
    assert response.status_code == 200, response.content
    assert response.json()["fields"] == ["kwh"]
    assert "app_key" not in response.json()  # the key is for the grantee alone
    _error(_post(client, f"/api/v1/sharing/requests/{pk}/approve", {}), 409, "already_decided")
    _error(
        _post(client, f"/api/v1/sharing/requests/{pk}/reject", {"reason": "x"}),
        409,
        "already_decided",
    )
    consumers = client.get("/api/v1/sharing/consumers").json()
    assert consumers[0]["grant"]["purpose"] == "碳账户核算"
    grant_id = consumers[0]["grant"]["id"]
    client.force_login(requester)
    key = _post(client, f"/api/v1/sharing/grants/{grant_id}/key", {}).json()["app_key"]
    client.logout()
    assert (
        client.get(f"/api/v1/sharing/grants/{grant_id}/rows", HTTP_X_APP_KEY=key).json()["total"]
        == 3
    )
    client.force_login(approver)
    usage = client.get(f"/api/v1/sharing/grants/{grant_id}/usage").json()
    assert sum(usage["calls"]) == 1
    assert sum(usage["rows"]) == 3
    assert client.get("/api/v1/sharing/consumers").json()[0]["rows"] == 3
    response = _post(client, f"/api/v1/sharing/grants/{grant_id}/revoke", {"reason": "结束"})
    assert response.json()["status"] == "revoked"
    _error(
        client.get(f"/api/v1/sharing/grants/{grant_id}/rows", HTTP_X_APP_KEY=key),
        403,
        "grant_revoked",
    )


def test_not_shared_dataset_is_refused_through_the_api(
    client: Client, make_dataset: Callable[..., Dataset], requester: User
) -> None:
    make_dataset("secret_power", share="none", data=False)
    client.force_login(requester)
    payload = {
        "dataset": "secret_power",
        "fields": ["kwh"],
        "purpose": "p",
        "legal_basis": "b",
        "period_end": period().isoformat(),
    }
    error = _error(_post(client, "/api/v1/sharing/requests", payload), 403, "not_shared")
    assert "不予共享" in error["message"]
    assert not ShareRequest.objects.exists()
    entry = AuditEntry.objects.get(action="sharing.request")
    assert entry.outcome == "denied"
    assert entry.actor == "kc_clerk"
    payload["dataset"] = "enterprise_power_missing"
    _error(_post(client, "/api/v1/sharing/requests", payload), 404, "not_found")


@pytest.mark.parametrize("who", ["enterprise_user", "public_user"])
def test_wrong_roles_cannot_request_through_the_api(
    client: Client, power: Dataset, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    payload = {
        "dataset": "enterprise_power",
        "fields": ["kwh"],
        "purpose": "p",
        "legal_basis": "b",
        "period_end": period().isoformat(),
    }
    _error(_post(client, "/api/v1/sharing/requests", payload), 403, "forbidden")
    assert client.get("/api/v1/sharing/datasets").json() == []
    assert AuditEntry.objects.get(action="sharing.request").outcome == "denied"
    assert not ShareRequest.objects.exists()


def test_the_data_api_is_documented_with_the_app_key(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    rows = schema["paths"]["/api/v1/sharing/grants/{pk}/rows"]["get"]
    assert {"AppKeyAuth": []} in rows["security"]
    assert schema["components"]["securitySchemes"]["AppKeyAuth"]["name"] == "X-App-Key"


def test_refusal_messages_follow_the_users_language(client: Client, granted: Granted) -> None:
    grant, key = granted()
    response = client.get(
        f"/api/v1/sharing/grants/{grant.pk}/rows",
        {"fields": "nope"},
        HTTP_X_APP_KEY=key,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "No such field" in _error(response, 400, "invalid_query")["message"]


def test_a_dataset_turned_not_shared_stops_its_grants(client: Client, granted: Granted) -> None:
    grant, key = granted()
    Dataset.objects.filter(pk=grant.dataset_id).update(share_attribute="none")
    _error(_rows(client, grant, key), 403, "grant_inactive")
    assert _reads("denied") == 1
