"""Side channels of open data found in review."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.opendata.services import (
    ApplicationRefused,
    application_decide,
    application_submit,
    delivery_open,
)

pytestmark = pytest.mark.django_db


def test_datastore_search_cannot_filter_on_a_masked_field(
    client: Client, city: dict[str, Dataset]
) -> None:
    response = client.post(
        "/api/3/action/datastore_search",
        data=json.dumps({"resource_id": "open_power", "filters": {"contact": "张三1"}}),
        content_type="application/json",
    )
    assert response.status_code == 409, response.content  # CKAN's Validation Error
    body = response.json()
    assert body["success"] is False
    assert "records" not in json.dumps(body)


def test_a_refused_delivery_is_audited(
    city: dict[str, Dataset], citizen: User, approver: User
) -> None:
    application = application_submit(
        dataset=city["restricted"],
        by=citizen,
        purpose="研究全市企业用电结构，用于学术论文",
        agreed=True,
    )
    with pytest.raises(ApplicationRefused):
        delivery_open(application=application, by=citizen)
    entry = AuditEntry.objects.get(action="opendata.delivery")
    assert (entry.outcome, entry.details["code"]) == ("denied", "not_approved")
    application_decide(application=application, by=approver, approve=True)
    Dataset.objects.filter(pk=city["restricted"].pk).update(open_attribute="closed")
    application.refresh_from_db()
    with pytest.raises(ApplicationRefused):
        delivery_open(application=application, by=citizen)
    codes = [
        e.details["code"]
        for e in AuditEntry.objects.filter(action="opendata.delivery", outcome="denied")
    ]
    assert codes.count("not_restricted") == 1
