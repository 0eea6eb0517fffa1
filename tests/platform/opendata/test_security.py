"""Side channels of open data found in review."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from shuzhi.platform.catalog.models import Dataset

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
