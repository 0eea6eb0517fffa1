"""Sharing pages: request form, inbox with overdue marks, decisions, grant, rows, consumers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.sharing.models import Grant, ShareRequest

from .conftest import period

pytestmark = pytest.mark.django_db

Granted = Callable[..., tuple[Grant, str]]


def _form(**values: object) -> dict[str, object]:
    data: dict[str, object] = {
        "columns": ["kwh", "county"],
        "purpose": "碳账户核算",
        "legal_basis": "衢州市碳账户管理办法",
        "scope_field": "county",
        "scope_values": "330802",
        "period_end": period().isoformat(),
    }
    data.update(values)
    return data


def test_index_lists_requests_and_grants(client: Client, granted: Granted, requester: User) -> None:
    granted()
    client.force_login(requester)
    response = client.get(reverse("sharing:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="grants"' in html
    assert "企业月度用电" in html
    assert 'id="usage-data"' in html


@pytest.mark.parametrize("who", ["enterprise_user", "public_user"])
def test_pages_refuse_enterprise_and_public_users(
    client: Client, power: Dataset, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    for name, args in (("sharing:index", []), ("sharing:request_new", [power.code])):
        assert client.get(reverse(name, args=args)).status_code == 403
    assert client.get(reverse("sharing:inbox")).status_code == 403


def test_request_form_offers_the_requesters_county(
    client: Client, power: Dataset, requester: User
) -> None:
    client.force_login(requester)
    html = client.get(reverse("sharing:request_new", args=[power.code])).content.decode()
    assert 'value="330802"' in html
    assert "contact" in html


def test_conditional_request_from_the_page_goes_to_the_inbox(
    client: Client, power: Dataset, requester: User, approver: User
) -> None:
    client.force_login(requester)
    response = client.post(reverse("sharing:request_new", args=[power.code]), _form())
    req = ShareRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sharing:request", args=[req.pk])
    assert req.scope == {"county": ["330802"]}
    client.force_login(approver)
    html = client.get(reverse("sharing:inbox")).content.decode()
    assert f">{req.pk}<" in html
    assert "table-danger" not in html
    ShareRequest.objects.filter(pk=req.pk).update(deadline=timezone.localdate())
    assert "table-warning" in client.get(reverse("sharing:inbox")).content.decode()  # due soon
    ShareRequest.objects.filter(pk=req.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    html = client.get(reverse("sharing:inbox")).content.decode()
    assert "table-danger" in html  # overdue marked


def test_form_errors_keep_the_typed_input(client: Client, power: Dataset, requester: User) -> None:
    client.force_login(requester)
    response = client.post(
        reverse("sharing:request_new", args=[power.code]),
        _form(scope_values="999999", purpose="我的用途"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "我的用途" in html
    assert not ShareRequest.objects.exists()


def test_unconditional_request_shows_the_key_once(
    client: Client, make_dataset: Callable[..., Dataset], requester: User
) -> None:
    dataset = make_dataset("open_power", share="unconditional")
    client.force_login(requester)
    response = client.post(reverse("sharing:request_new", args=[dataset.code]), _form())
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    grant = Grant.objects.get()
    assert f"sg_{grant.key_prefix}_" in html


def test_not_shared_dataset_page_refuses(
    client: Client, make_dataset: Callable[..., Dataset], requester: User
) -> None:
    dataset = make_dataset("secret_power", share="none", data=False)
    client.force_login(requester)
    html = client.get(reverse("sharing:request_new", args=[dataset.code])).content.decode()
    assert 'id="refusal"' in html
    assert 'id="request-form"' not in html
    response = client.post(reverse("sharing:request_new", args=[dataset.code]), _form())
    assert response.status_code == 403
    assert not ShareRequest.objects.exists()
    assert AuditEntry.objects.filter(action="sharing.request", outcome="denied").count() == 1


def test_approve_and_reject_from_the_request_page(
    client: Client, power: Dataset, requester: User, approver: User, other_approver: User
) -> None:
    client.force_login(requester)
    client.post(reverse("sharing:request_new", args=[power.code]), _form())
    client.post(reverse("sharing:request_new", args=[power.code]), _form())
    first, second = ShareRequest.objects.order_by("pk")
    assert (
        'id="approve-form"'
        not in client.get(reverse("sharing:request", args=[first.pk])).content.decode()
    )
    client.force_login(other_approver)
    assert client.get(reverse("sharing:request", args=[first.pk])).status_code == 404
    assert (
        client.post(reverse("sharing:approve", args=[first.pk]), {"columns": ["kwh"]}).status_code
        == 403
    )
    assert (
        client.post(reverse("sharing:reject", args=[first.pk]), {"reason": "x"}).status_code == 403
    )
    assert AuditEntry.objects.filter(outcome="denied", actor="qj_approver").count() == 2
    client.force_login(approver)
    assert (
        'id="approve-form"'
        in client.get(reverse("sharing:request", args=[first.pk])).content.decode()
    )
    client.post(reverse("sharing:approve", args=[first.pk]), {"columns": ["kwh"]})
    client.post(reverse("sharing:reject", args=[second.pk]), {"reason": "用途不明确"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == "approved"
    assert first.grant.fields == ["kwh"]
    client.force_login(requester)
    html = client.get(reverse("sharing:grant", args=[first.grant.pk])).content.decode()
    assert 'id="no-key"' in html
    client.force_login(approver)
    assert (second.state, second.reason) == ("rejected", "用途不明确")
    client.post(reverse("sharing:approve", args=[first.pk]), {"columns": ["kwh"]})
    assert Grant.objects.count() == 1


def test_grant_page_rows_browser_and_revoke(
    client: Client, granted: Granted, requester: User
) -> None:
    grant, key = granted()
    client.force_login(requester)
    html = client.get(reverse("sharing:grant", args=[grant.pk])).content.decode()
    assert 'id="usage-chart"' in html
    assert 'id="history"' in html
    assert "sharing.grant" not in html  # actions by their names
    assert key not in html
    response = client.get(reverse("sharing:rows", args=[grant.pk]), {"filter.kwh": "200"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="rows"' in html
    assert "200" in html
    assert "330803" not in html
    response = client.get(reverse("sharing:rows", args=[grant.pk]), {"sort": "nope"})
    assert response.status_code == 400
    assert 'id="query-error"' in response.content.decode()
    response = client.get(reverse("sharing:rows", args=[grant.pk]), {"limit": "2"})
    assert 'id="next-page"' in response.content.decode()
    client.post(reverse("sharing:revoke", args=[grant.pk]), {"reason": "done"})
    grant.refresh_from_db()
    assert grant.status == "revoked"
    assert client.get(reverse("sharing:rows", args=[grant.pk])).status_code == 400


def test_new_key_page(client: Client, granted: Granted, requester: User) -> None:
    grant, old = granted()
    client.force_login(requester)
    html = client.post(reverse("sharing:key", args=[grant.pk])).content.decode()
    grant.refresh_from_db()
    assert f"sg_{grant.key_prefix}_" in html
    assert old not in html


def test_consumers_page_and_dataset_tab_for_the_owner(
    client: Client, granted: Granted, approver: User, requester: User
) -> None:
    grant, key = granted()
    client.get(f"/api/v1/sharing/grants/{grant.pk}/rows", HTTP_X_APP_KEY=key)
    client.force_login(approver)
    html = client.get(reverse("sharing:consumers")).content.decode()
    assert "柯城区发改局" in html
    assert "碳账户核算" in html
    assert 'id="department-data"' in html
    html = client.get(reverse("catalog:detail", args=["enterprise_power"])).content.decode()
    assert 'id="sharing-tab"' in html
    assert "柯城区发改局" in html
    client.force_login(requester)
    html = client.get(reverse("catalog:detail", args=["enterprise_power"])).content.decode()
    assert 'id="request-dataset"' in html
    assert client.get(reverse("sharing:consumers")).status_code == 403


def test_approver_narrows_the_row_scope_on_the_page(
    client: Client, power: Dataset, requester: User, approver: User
) -> None:
    client.force_login(requester)
    client.post(
        reverse("sharing:request_new", args=[power.code]), _form(scope_values="330802, 330803")
    )
    req = ShareRequest.objects.get()
    client.force_login(approver)
    assert (
        'name="scope.county"'
        in client.get(reverse("sharing:request", args=[req.pk])).content.decode()
    )
    client.post(
        reverse("sharing:approve", args=[req.pk]), {"columns": ["kwh"], "scope.county": "330803"}
    )
    assert Grant.objects.get().scope == {"county": ["330803"]}


def test_rows_export_as_csv_is_scoped_masked_and_metered(
    client: Client, granted: Granted, requester: User, other_clerk: User
) -> None:
    from shuzhi.platform.sharing.models import GrantUsage

    grant, _ = granted()
    client.force_login(requester)
    response = client.get(
        reverse("sharing:rows", args=[grant.pk]), {"export": "csv", "sort": "-kwh"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "credit_code,month,kwh,county,contact"
    assert len(lines) == 4  # the three Kecheng rows
    assert "330803" not in text
    assert "张三" not in text  # masked
    assert GrantUsage.objects.get(grant=grant).rows == 3
    client.force_login(other_clerk)
    assert (
        client.get(reverse("sharing:rows", args=[grant.pk]), {"export": "csv"}).status_code == 404
    )
