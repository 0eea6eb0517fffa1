"""The CKAN-compatible Action API: envelope, only open data, checked datastore queries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.opendata.selectors import stable_id

pytestmark = pytest.mark.django_db


def _post(client: Client, action: str, body: Any, prefix: str = "/api/3/action/") -> Any:
    return client.post(prefix + action, data=json.dumps(body), content_type="application/json")


def test_envelope_on_success_and_both_paths(client: Client, city: dict[str, Dataset]) -> None:
    for prefix in ("/api/3/action/", "/api/action/"):
        response = client.get(prefix + "package_list")
        assert response.status_code == 200
        body = response.json()
        assert body["success"] is True
        assert "help" in body
        assert body["result"] == ["open_power"]
    assert _post(client, "package_list", {}).json()["result"] == ["open_power"]


@pytest.mark.parametrize("code", ["restricted_power", "closed_power", "no_such"])
def test_restricted_and_closed_datasets_are_not_found(
    client: Client, city: dict[str, Dataset], code: str
) -> None:
    for action, key in (("package_show", "id"), ("resource_show", "id")):
        response = client.get(f"/api/3/action/{action}", {key: code})
        assert response.status_code == 404
        body = response.json()
        assert body["success"] is False
        assert body["error"]["__type"] == "Not Found Error"
    hidden = _post(client, "datastore_search", {"resource_id": code})
    assert hidden.status_code == 404
    resource_id = stable_id("resource", code)
    assert _post(client, "datastore_search", {"resource_id": resource_id}).status_code == 404
    search = client.get("/api/3/action/package_search", {"q": "用电", "rows": 100}).json()
    assert [p["name"] for p in search["result"]["results"]] == ["open_power"]


def test_package_show_search_and_organisations(client: Client, city: dict[str, Dataset]) -> None:
    package = client.get("/api/3/action/package_show", {"id": "open_power"}).json()["result"]
    assert package["organization"]["name"] == "330800-eib"
    assert package["groups"][0]["name"] == "energy"
    assert package["num_resources"] == 1
    assert package["resources"][0]["datastore_active"]
    by_id = client.get("/api/3/action/package_show", {"id": package["id"]}).json()
    assert by_id["result"]["name"] == "open_power"
    found = _post(
        client,
        "package_search",
        {
            "q": "*:*",
            "fq": "organization:330800-eib",
            "facet.field": ["organization", "groups", "tags"],
            "sort": "name asc",
            "rows": 5,
        },
    ).json()["result"]
    assert found["count"] == 1
    assert found["search_facets"]["organization"]["items"][0]["count"] == 1
    assert found["facets"]["tags"] == {"用电": 1, "能源": 1}
    bad_fq = client.get("/api/3/action/package_search", {"fq": "secret:1"})
    assert bad_fq.status_code == 409
    assert bad_fq.json()["error"]["__type"] == "Search Query Error"
    orgs = client.get("/api/3/action/organization_list").json()["result"]
    assert orgs == ["330800-eib"]
    org = client.get(
        "/api/3/action/organization_show", {"id": "330800-eib", "include_datasets": "true"}
    ).json()["result"]
    assert org["package_count"] == 1
    assert org["packages"][0]["name"] == "open_power"
    assert client.get("/api/3/action/group_list").json()["result"] == ["energy"]
    assert client.get("/api/3/action/organization_show", {"id": "x"}).status_code == 404
    status = client.get("/api/3/action/status_show").json()["result"]
    assert "datastore" in status["extensions"]


def test_datastore_search(client: Client, city: dict[str, Dataset]) -> None:
    result = _post(
        client,
        "datastore_search",
        {
            "resource_id": "open_power",
            "filters": {"county": "330802"},
            "fields": ["credit_code", "kwh", "contact"],
            "sort": "kwh desc",
            "limit": 2,
            "offset": 1,
        },
    ).json()["result"]
    assert result["total"] == 5
    assert len(result["records"]) == 2
    assert [f["id"] for f in result["fields"]] == ["credit_code", "kwh", "contact"]
    assert result["records"][0]["kwh"] == "1238.5"  # second largest of 1235.5 … 1239.5
    assert "三" not in result["records"][0]["contact"]  # masked
    via_get = client.get(
        "/api/3/action/datastore_search",
        {"resource_id": "open_power", "filters": '{"county": ["330803"]}', "q": "张"},
    ).json()["result"]
    assert via_get["total"] == 0
    assert via_get["records"] == []
    no_total = _post(
        client, "datastore_search", {"resource_id": "open_power", "include_total": False}
    ).json()["result"]
    assert "total" not in no_total
    assert len(no_total["records"]) == 5


@pytest.mark.parametrize(
    "body",
    [
        {"filters": {"county'; DROP TABLE x; --": "1"}},
        {"filters": {"county": "330802' OR '1'='1"}},
        {"filters": "{not json"},
        {"filters": ["county"]},
        {"sort": "kwh; DROP TABLE open_power"},
        {"sort": "kwh desc, (select 1)"},
        {"fields": ["credit_code", "1;DELETE FROM x"]},
        {"fields": "kwh,contact) --"},
        {"q": {"county": "330802"}},
        {"limit": "ten"},
        {"offset": -1},
        {"sort": "contact"},  # an encrypted field cannot be sorted
    ],
)
def test_malicious_or_bad_datastore_queries_are_validation_errors(
    client: Client, city: dict[str, Dataset], body: dict[str, Any]
) -> None:
    response = _post(client, "datastore_search", {"resource_id": "open_power", **body})
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["__type"] == "Validation Error"
    assert error["message"]
    still = _post(client, "datastore_search", {"resource_id": "open_power"}).json()
    assert still["result"]["total"] == 5  # nothing was executed against the table


def test_bad_json_unknown_action_and_methods(client: Client, city: dict[str, Dataset]) -> None:
    bad = client.post("/api/3/action/package_show", data="{oops", content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["success"] is False
    assert _post(client, "package_show", ["open_power"]).status_code == 400
    unknown = client.get("/api/3/action/package_delete", {"id": "open_power"})
    assert unknown.status_code == 400
    assert "not known" in unknown.json()["error"]["message"]
    assert client.delete("/api/3/action/package_list").status_code == 400
    missing = client.get("/api/3/action/package_show")
    assert missing.status_code == 409
    assert missing.json()["error"]["id"] == ["Missing value"]
