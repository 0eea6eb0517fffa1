"""Side channels of the data API: a masked value cannot be told by filtering on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shuzhi.platform.sharing.models import Grant

pytestmark = pytest.mark.django_db

Granted = Callable[..., tuple[Grant, str]]


def _rows(client: Client, grant: Grant, key: str, **params: Any) -> Any:
    return client.get(f"/api/v1/sharing/grants/{grant.pk}/rows", params, HTTP_X_APP_KEY=key)


def test_a_masked_field_cannot_be_filtered_to_confirm_its_values(
    client: Client, granted: Granted
) -> None:
    grant, key = granted()  # contact (L3) granted masked
    response = _rows(client, grant, key, **{"filter.contact": "张三"})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid_query"
    assert "张三" not in response.content.decode()
    for params in ({"sort": "contact"}, {"q": "张"}):
        body = _rows(client, grant, key, **params)
        assert body.status_code in (200, 400)
        if body.status_code == 200:
            assert body.json()["total"] in (0, 3)  # not narrowed by the masked value


def test_an_unmasked_grant_may_filter_its_raw_field(
    client: Client, granted: Granted, power: Any, requester: Any, approver: Any
) -> None:
    from shuzhi.platform.sharing.services import (
        grant_key_reissue,
        share_request_approve,
        share_request_create,
    )

    from .conftest import period

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
    body = _rows(client, grant, key, **{"filter.contact": "张三"}).json()
    assert [row["contact"] for row in body["rows"]] == ["张三"]


def test_the_row_browser_offers_no_filter_on_a_masked_field_and_skips_empty_boxes(
    client: Client, granted: Granted, requester: Any
) -> None:
    from django.urls import reverse

    grant, _key = granted()
    client.force_login(requester)
    url = reverse("sharing:rows", args=[grant.pk])
    response = client.get(url, {"q": "", "filter.kwh": "200", "filter.county": "", "sort": ""})
    assert response.status_code == 200, response.content
    html = response.content.decode()
    assert 'name="filter.kwh"' in html
    assert 'name="filter.contact"' not in html
    assert client.get(url, {"filter.contact": "张三"}).status_code == 400
