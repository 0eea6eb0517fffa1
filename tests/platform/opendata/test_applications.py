"""Applications for 受限开放 data: apply, decide, de-identified delivery (GB/T 37964), audit."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.opendata.models import Application
from shuzhi.platform.opendata.services import (
    ApplicationRefused,
    application_decide,
    application_submit,
    delivery_open,
)

pytestmark = pytest.mark.django_db
PURPOSE = "研究全市企业用电结构，用于学术论文"


def _apply(user: User, dataset: Dataset) -> Application:
    return application_submit(dataset=dataset, by=user, purpose=PURPOSE, agreed=True)


def test_applying_needs_a_signed_in_user(client: Client, city: dict[str, Dataset]) -> None:
    response = client.post(
        "/open/datasets/restricted_power/apply", {"purpose": PURPOSE, "agree": "on"}
    )
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]
    assert not Application.objects.exists()


def test_a_registered_user_applies_through_the_page(
    client: Client, city: dict[str, Dataset], citizen: User
) -> None:
    client.force_login(citizen)
    form = client.get("/open/datasets/restricted_power/apply")
    assert form.status_code == 200
    assert 'id="agreement"' in form.content.decode()
    refused = client.post("/open/datasets/restricted_power/apply", {"purpose": PURPOSE})
    assert refused.status_code == 400
    assert PURPOSE in refused.content.decode()
    sent = client.post("/open/datasets/restricted_power/apply", {"purpose": PURPOSE, "agree": "on"})
    assert sent.status_code == 302
    application = Application.objects.get()
    assert (application.applicant, application.status) == (citizen, "pending")
    assert application.agreement
    entry = AuditEntry.objects.get(action="opendata.apply")
    assert entry.details["dataset"] == "restricted_power"


def test_only_restricted_datasets_take_applications_and_staff_may_not_apply(
    city: dict[str, Dataset], citizen: User, approver: User
) -> None:
    for dataset in (city["open"], city["closed"]):
        with pytest.raises(ApplicationRefused):
            _apply(citizen, dataset)
    with pytest.raises(PermissionDenied):
        _apply(approver, city["restricted"])
    with pytest.raises(ApplicationRefused):
        application_submit(dataset=city["restricted"], by=citizen, purpose="x", agreed=True)


def test_an_approver_of_another_department_may_not_decide(
    client: Client, city: dict[str, Dataset], citizen: User, other_approver: User
) -> None:
    application = _apply(citizen, city["restricted"])
    with pytest.raises(PermissionDenied):
        application_decide(application=application, by=other_approver, approve=True)
    client.force_login(other_approver)
    response = client.post(f"/open/applications/{application.pk}/decide", {"decision": "approve"})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "pending"
    assert AuditEntry.objects.filter(action="opendata.decide", outcome="denied").count() == 2


def test_the_owner_departments_approver_decides(
    client: Client, city: dict[str, Dataset], citizen: User, enterprise: User, approver: User
) -> None:
    first = _apply(citizen, city["restricted"])
    second = _apply(enterprise, city["restricted"])
    client.force_login(approver)
    queue = client.get("/open/applications/").content.decode()
    assert PURPOSE in queue
    client.post(f"/open/applications/{first.pk}/decide", {"decision": "approve"})
    with pytest.raises(ApplicationRefused):  # a rejection needs a reason
        application_decide(application=second, by=approver, approve=False)
    application_decide(application=second, by=approver, approve=False, comment="用途不明确")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.decided_by) == ("approved", approver)
    assert second.status == "rejected"
    with pytest.raises(ApplicationRefused):
        application_decide(application=first, by=approver, approve=False, comment="x")
    decisions = AuditEntry.objects.filter(action="opendata.decide", outcome="success")
    assert sorted(e.details["decision"] for e in decisions) == ["approved", "rejected"]


def test_the_delivery_is_de_identified(
    client: Client, settings: Any, city: dict[str, Dataset], citizen: User, approver: User
) -> None:
    settings.OPERATION_MIN_GROUP = 3
    application = _apply(citizen, city["restricted"])
    application_decide(application=application, by=approver, approve=True)
    client.force_login(citizen)
    response = client.get(f"/open/applications/{application.pk}/delivery.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(body)))
    # four rows share (330802, 2026-03); the two of 330803 form a group smaller than k=3
    assert len(rows) == 4
    assert {r["county"] for r in rows} == {"330802"}
    assert {r["month"] for r in rows} == {"2026-03"}  # generalised to the month
    assert {r["kwh"] for r in rows} == {"1200"}  # rounded to two significant figures
    assert all(r["contact"].startswith("张") and "三" not in r["contact"] for r in rows)
    entry = AuditEntry.objects.get(action="opendata.delivery", outcome="success")
    assert entry.details["suppressed_rows"] == 2
    assert entry.details["k"] == 3
    data = json.loads(
        b"".join(client.get(f"/open/applications/{application.pk}/delivery.json").streaming_content)  # type: ignore[attr-defined]
    )
    assert len(data) == 4


def test_nobody_else_downloads_a_delivery(
    client: Client, city: dict[str, Dataset], citizen: User, enterprise: User, approver: User
) -> None:
    application = _apply(citizen, city["restricted"])
    with pytest.raises(ApplicationRefused):  # not approved yet
        delivery_open(application=application, by=citizen)
    application_decide(application=application, by=approver, approve=True)
    with pytest.raises(PermissionDenied):
        delivery_open(application=application, by=enterprise)
    client.force_login(enterprise)
    assert client.get(f"/open/applications/{application.pk}/delivery.csv").status_code == 403
    client.logout()
    anonymous = client.get(f"/open/applications/{application.pk}/delivery.csv")
    assert anonymous.status_code == 302
    # the early try (not approved) and the two others
    assert AuditEntry.objects.filter(action="opendata.delivery", outcome="denied").count() == 3
    assert not AuditEntry.objects.filter(action="opendata.delivery", outcome="success").exists()


def test_a_delivery_never_mixes_two_versions(
    tmp_path: Any, city: dict[str, Dataset], citizen: User, approver: User, steward: User
) -> None:
    from shuzhi.platform.opendata.selectors import VersionChanged
    from tests.platform.opendata.conftest import load, power_rows

    application = _apply(citizen, city["restricted"])
    application = application_decide(application=application, by=approver, approve=True)
    prepared = delivery_open(application=application, by=citizen)
    load(city["restricted"], steward, tmp_path, power_rows(1, county="330803"))
    with pytest.raises(VersionChanged):
        list(prepared.rows())
