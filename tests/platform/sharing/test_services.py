"""Sharing services: requests by share attribute, decisions, grants, revocation, permissions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.sharing.models import Grant, ShareRequest
from shuzhi.platform.sharing.selectors import approval_inbox, default_scope
from shuzhi.platform.sharing.services import (
    SharingRefused,
    app_key_authenticate,
    grant_revoke,
    share_request_approve,
    share_request_create,
    share_request_reject,
)
from shuzhi.platform.workdays.selectors import add_working_days

from .conftest import period

pytestmark = pytest.mark.django_db

ARGS = {
    "fields": ["credit_code", "kwh", "county"],
    "purpose": "碳账户核算",
    "legal_basis": "衢州市碳账户管理办法",
}


def _create(by: User, dataset: Dataset, **values: object) -> object:
    args = {**ARGS, "period_end": period(), **values}
    return share_request_create(by=by, dataset=dataset, **args)  # type: ignore[arg-type]


def test_working_days_skip_weekends() -> None:
    assert add_working_days(date(2026, 11, 27), 5) == date(2026, 12, 4)  # Fri → next Fri
    assert add_working_days(date(2026, 11, 23), 5) == date(2026, 11, 30)  # Mon → next Mon
    assert add_working_days(date(2026, 11, 29), 1) == date(2026, 11, 30)  # Sun → Mon


def test_conditional_request_waits_for_the_owner_approver_with_a_deadline(
    power: Dataset, requester: User, approver: User
) -> None:
    outcome = _create(requester, power)
    req = outcome.share_request  # type: ignore[attr-defined]
    assert outcome.grant is None
    assert outcome.app_key == ""
    assert req.state == ShareRequest.State.PENDING
    assert req.deadline == add_working_days(timezone.localdate(), 5)
    assert list(approval_inbox(by=approver)) == [req]
    assert AuditEntry.objects.filter(action="sharing.request", outcome="success").count() == 1


def test_unconditional_request_is_granted_at_once_with_a_key_shown_once(
    make_dataset: Callable[..., Dataset], requester: User
) -> None:
    dataset = make_dataset("open_power", share="unconditional")
    outcome = _create(requester, dataset)
    grant = outcome.grant  # type: ignore[attr-defined]
    assert grant is not None
    assert outcome.share_request.state == "approved"
    key = outcome.app_key  # type: ignore[attr-defined]
    assert key.startswith("sg_")
    assert key not in grant.key_hash
    assert len(grant.key_hash) == 64
    assert app_key_authenticate(raw=key, request=None) == grant
    assert AuditEntry.objects.filter(action="sharing.grant").count() == 1


def test_unconditional_request_for_unmasked_fields_needs_approval(
    make_dataset: Callable[..., Dataset], requester: User
) -> None:
    dataset = make_dataset("open_power", share="unconditional", data=False)
    outcome = _create(requester, dataset, fields=["county", "contact"], raw_fields=["contact"])
    assert outcome.grant is None  # type: ignore[attr-defined]
    assert outcome.share_request.raw_fields == ["contact"]  # type: ignore[attr-defined]


def test_not_shared_dataset_cannot_be_requested(
    make_dataset: Callable[..., Dataset], requester: User
) -> None:
    dataset = make_dataset("secret_power", share="none", data=False)
    with pytest.raises(SharingRefused) as caught:
        _create(requester, dataset)
    assert caught.value.code == "not_shared"
    assert caught.value.status == 403
    assert "不予共享" in caught.value.message
    assert not ShareRequest.objects.exists()
    entry = AuditEntry.objects.get(action="sharing.request")
    assert entry.outcome == "denied"
    assert entry.details["code"] == "not_shared"


@pytest.mark.parametrize("who", ["enterprise_user", "public_user"])
def test_enterprise_and_public_users_cannot_request(
    who: str, power: Dataset, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        _create(user, power)
    assert not ShareRequest.objects.exists()
    assert AuditEntry.objects.filter(action="sharing.request", outcome="denied").count() == 1


def test_own_department_needs_no_request(power: Dataset, approver: User) -> None:
    with pytest.raises(SharingRefused) as caught:
        _create(approver, power)
    assert caught.value.code == "own_dataset"


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"fields": []}, "at least one field"),
        ({"fields": ["kwh", "nope"]}, "nope"),
        ({"raw_fields": ["contact"]}, "must be among"),
        ({"scope": {"nope": ["1"]}}, "nope"),
        ({"scope": {"county": ["not a code"]}}, "county"),
        ({"period_end": timezone.localdate()}, "after today"),
        ({"purpose": "  "}, "purpose"),
    ],
)
def test_bad_requests_are_refused_with_the_reason(
    power: Dataset, requester: User, values: dict[str, object], needle: str
) -> None:
    with pytest.raises(ValueError, match=needle):
        _create(requester, power, **values)
    assert not ShareRequest.objects.exists()


@override_settings(SHARING_GRANT_DAYS=30)
def test_period_is_limited_by_the_setting(power: Dataset, requester: User) -> None:
    with pytest.raises(ValueError, match="30 days"):
        _create(requester, power, period_end=timezone.localdate() + timedelta(days=31))
    _create(requester, power, period_end=timezone.localdate() + timedelta(days=30))


def test_default_scope_is_the_requesters_county(
    power: Dataset, requester: User, approver: User
) -> None:
    assert default_scope(power, requester) == {"county": ["330802"]}
    assert default_scope(power, approver) == {}  # a city-level department: the whole city


def test_approve_narrows_fields_and_gives_a_grant(
    power: Dataset, requester: User, approver: User
) -> None:
    req = _create(requester, power, scope={"county": ["330802"]}).share_request  # type: ignore[attr-defined]
    grant = share_request_approve(share_request=req, by=approver, fields=["kwh", "county"])
    assert grant.fields == ["kwh", "county"]
    assert grant.scope == {"county": ["330802"]}
    assert grant.grantee == requester
    assert grant.is_active()
    assert grant.expires_at.date() >= period()
    assert grant.key_hash == ""  # no key until the grantee issues one
    req.refresh_from_db()
    assert req.state == "approved"
    assert req.decided_by == approver


def test_approve_cannot_widen_fields(power: Dataset, requester: User, approver: User) -> None:
    req = _create(requester, power).share_request  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="contact"):
        share_request_approve(share_request=req, by=approver, fields=["kwh", "contact"])


def test_approving_twice_is_refused_and_audited(
    power: Dataset, requester: User, approver: User
) -> None:
    req = _create(requester, power).share_request  # type: ignore[attr-defined]
    share_request_approve(share_request=req, by=approver)
    with pytest.raises(SharingRefused) as caught:
        share_request_approve(share_request=req, by=approver)
    assert caught.value.code == "already_decided"
    with pytest.raises(SharingRefused):
        share_request_reject(share_request=req, by=approver, reason="late")
    assert Grant.objects.count() == 1
    assert AuditEntry.objects.filter(action="sharing.approve", outcome="denied").count() == 1


def test_a_stale_copy_cannot_approve_twice(power: Dataset, requester: User, approver: User) -> None:
    req = _create(requester, power).share_request  # type: ignore[attr-defined]
    stale = ShareRequest.objects.get(pk=req.pk)
    share_request_approve(share_request=req, by=approver)
    with pytest.raises(SharingRefused):
        share_request_approve(share_request=stale, by=approver)
    assert Grant.objects.count() == 1


def test_wrong_department_or_role_cannot_decide(
    power: Dataset, requester: User, other_approver: User, steward: User
) -> None:
    req = _create(requester, power).share_request  # type: ignore[attr-defined]
    for user in (other_approver, steward, requester):
        with pytest.raises(PermissionDenied):
            share_request_approve(share_request=req, by=user)
        with pytest.raises(PermissionDenied):
            share_request_reject(share_request=req, by=user, reason="no")
    req.refresh_from_db()
    assert req.state == "pending"
    assert not Grant.objects.exists()
    assert list(approval_inbox(by=other_approver)) == []
    assert AuditEntry.objects.filter(action="sharing.approve", outcome="denied").count() == 3


def test_reject_needs_a_reason_and_records_it(
    power: Dataset, requester: User, approver: User
) -> None:
    req = _create(requester, power).share_request  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="reason"):
        share_request_reject(share_request=req, by=approver, reason=" ")
    share_request_reject(share_request=req, by=approver, reason="用途不明确")
    req.refresh_from_db()
    assert (req.state, req.reason) == ("rejected", "用途不明确")
    assert AuditEntry.objects.get(action="sharing.reject").outcome == "success"


def test_overdue_requests_are_marked(power: Dataset, requester: User) -> None:
    req = _create(requester, power).share_request  # type: ignore[attr-defined]
    assert not req.is_overdue()
    assert req.is_overdue(today=req.deadline + timedelta(days=1))


def test_grantee_and_owner_approver_revoke_others_cannot(
    granted: Callable[..., tuple[Grant, str]],
    requester: User,
    approver: User,
    other_approver: User,
    other_clerk: User,
) -> None:
    grant, _ = granted()
    for user in (other_approver, other_clerk):
        with pytest.raises(PermissionDenied):
            grant_revoke(grant=grant, by=user)
    grant_revoke(grant=grant, by=approver, reason="用途已结束")
    assert grant.revoked_at is not None
    assert not grant.is_active()
    with pytest.raises(SharingRefused):
        grant_revoke(grant=grant, by=requester)
    grant2, _ = granted()
    grant_revoke(grant=grant2, by=requester)
    assert grant2.status == "revoked"
    assert AuditEntry.objects.filter(action="sharing.revoke", outcome="success").count() == 2


def test_approve_may_narrow_the_row_scope_but_not_widen_it(
    power: Dataset, requester: User, approver: User
) -> None:
    req = _create(requester, power, scope={"county": ["330802", "330803"]}).share_request  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="county"):
        share_request_approve(share_request=req, by=approver, scope={"kwh": ["1"]})
    with pytest.raises(ValueError, match="county"):
        share_request_approve(
            share_request=req, by=approver, scope={"county": ["330802", "330899"]}
        )
    grant = share_request_approve(
        share_request=req, by=approver, scope={"county": ["330803"], "kwh": ["300"]}
    )
    assert grant.scope == {"county": ["330803"], "kwh": ["300"]}


def test_default_scope_prefers_a_county_field(
    make_dataset: Callable[..., Dataset], requester: User, steward: User
) -> None:
    from shuzhi.platform.catalog.models import CodeTable, Field

    dataset = make_dataset("town_power", share="conditional", data=False)
    Field.objects.filter(dataset=dataset, name="county").update(position=9)
    Field.objects.create(
        dataset=dataset,
        position=0,
        name="town_code",
        label="乡镇",
        data_type="string",
        semantic_type="division_code",
        grade=1,
        code_table=CodeTable.objects.get(code="gbt2260"),
    )
    Field.objects.filter(dataset=dataset, name="county").update(name="county_code")
    assert default_scope(dataset, requester) == {"county_code": ["330802"]}


def test_no_approval_once_the_dataset_is_not_shared_or_the_period_ended(
    power: Dataset, requester: User, approver: User
) -> None:
    first = _create(requester, power).share_request  # type: ignore[attr-defined]
    second = _create(requester, power).share_request  # type: ignore[attr-defined]
    ShareRequest.objects.filter(pk=second.pk).update(
        period_end=timezone.localdate() - timedelta(days=1)
    )
    second.refresh_from_db()
    with pytest.raises(SharingRefused) as caught:
        share_request_approve(share_request=second, by=approver)
    assert caught.value.code == "period_ended"
    Dataset.objects.filter(pk=power.pk).update(share_attribute="none")
    first.refresh_from_db()
    with pytest.raises(SharingRefused) as caught:
        share_request_approve(share_request=first, by=approver)
    assert caught.value.code == "not_shared"
    assert not Grant.objects.exists()


def test_the_grantee_alone_issues_the_key(
    power: Dataset, requester: User, approver: User, other_clerk: User
) -> None:
    from shuzhi.platform.sharing.services import grant_key_reissue

    req = _create(requester, power).share_request  # type: ignore[attr-defined]
    grant = share_request_approve(share_request=req, by=approver)
    assert app_key_authenticate(raw=f"sg_{grant.key_prefix}_", request=None) is None
    for user in (approver, other_clerk):
        with pytest.raises(PermissionDenied):
            grant_key_reissue(grant=grant, by=user)
    key = grant_key_reissue(grant=grant, by=requester)
    assert key.startswith(f"sg_{grant.key_prefix}_")
    assert app_key_authenticate(raw=key, request=None) == grant
    assert AuditEntry.objects.filter(action="sharing.key_issue", outcome="denied").count() == 2
