from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.catalog.models import Dataset
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

PAYLOAD: dict[str, Any] = {
    "code": "enterprise_power",
    "name": "企业月度用电",
    "name_en": "Enterprise monthly electricity",
    "theme": "energy",
    "frequency": "monthly",
    "share_attribute": "conditional",
    "share_condition": "用于碳账户核算",
    "open_attribute": "closed",
    "grade": 2,
    "fields": [
        {
            "name": "credit_code",
            "label": "统一社会信用代码",
            "data_type": "string",
            "semantic_type": "credit_code",
            "grade": 1,
            "nullable": False,
            "is_key": True,
        },
        {
            "name": "month",
            "label": "月份",
            "data_type": "date",
            "grade": 1,
            "nullable": False,
            "is_key": True,
        },
        {
            "name": "kwh",
            "label": "用电量",
            "data_type": "decimal",
            "grade": 2,
            "unit": "kWh",
            "min_value": "0",
            "decimal_places": 2,
        },
        {
            "name": "county",
            "label": "县（市、区）",
            "data_type": "string",
            "semantic_type": "division_code",
            "grade": 1,
            "code_table": "gbt2260",
        },
    ],
}


def test_steward_registers_publishes_and_others_read(
    client: Client, steward: User, amr: Department
) -> None:
    client.force_login(steward)
    created = client.post("/api/v1/catalog/datasets", PAYLOAD, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["owner"] == "330800-AMR"
    assert [f["name"] for f in created.json()["fields"]] == [
        "credit_code",
        "month",
        "kwh",
        "county",
    ]
    assert [f["decimal_places"] for f in created.json()["fields"]] == [None, None, 2, None]
    published = client.post("/api/v1/catalog/datasets/enterprise_power/publish")
    assert published.status_code == 200
    assert published.json()["status"] == "published"

    reader = UserFactory(
        username="drc_clerk", roles=["clerk"], department=DepartmentFactory(code="330800-DRC")
    )
    client.force_login(reader)
    listed = client.get("/api/v1/catalog/datasets", {"theme": "energy"}).json()
    assert [d["code"] for d in listed] == ["enterprise_power"]


def test_refused_publication_lists_every_problem(client: Client, steward: User) -> None:
    client.force_login(steward)
    bad = {**PAYLOAD, "grade": 4, "open_attribute": "open", "share_condition": ""}
    assert (
        client.post("/api/v1/catalog/datasets", bad, content_type="application/json").status_code
        == 201
    )
    response = client.post("/api/v1/catalog/datasets/enterprise_power/publish")
    assert response.status_code == 409
    codes = {d["code"] for d in response.json()["error"]["details"]}
    assert {"l4_open", "share_basis_missing"} <= codes


def test_drafts_are_invisible_outside_the_owner_department(client: Client, steward: User) -> None:
    client.force_login(steward)
    client.post("/api/v1/catalog/datasets", PAYLOAD, content_type="application/json")
    outsider = UserFactory(
        username="x", roles=["clerk"], department=DepartmentFactory(code="330800-DRC")
    )
    client.force_login(outsider)
    assert client.get("/api/v1/catalog/datasets/enterprise_power").status_code == 404
    assert client.get("/api/v1/catalog/datasets").json() == []


def test_non_steward_cannot_register(client: Client, amr: Department) -> None:
    client.force_login(UserFactory(username="c", roles=["clerk"], department=amr))
    response = client.post("/api/v1/catalog/datasets", PAYLOAD, content_type="application/json")
    assert response.status_code == 403
    assert not Dataset.objects.exists()


def test_public_users_cannot_read_the_catalogue_api(client: Client) -> None:
    client.force_login(UserFactory(username="p", roles=["public"]))
    assert client.get("/api/v1/catalog/datasets").status_code == 403


@pytest.mark.parametrize(
    "change",
    [
        {"grade": 7},
        {"code": "Bad Code"},
        {"fields": [{"name": "x", "label": "x", "data_type": "string", "code_table": "nope"}]},
        {"fields": [{"name": "x", "label": "x", "data_type": "decimal", "decimal_places": 11}]},
        {"fields": [{"name": "x", "label": "x", "data_type": "string", "decimal_places": 2}]},
        {"theme": "nope"},
        {"share_attribute": "maybe"},
    ],
)
def test_bad_payloads_are_422_and_create_nothing(
    client: Client, steward: User, change: dict[str, Any]
) -> None:
    client.force_login(steward)
    response = client.post(
        "/api/v1/catalog/datasets", {**PAYLOAD, **change}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"]
    assert not Dataset.objects.exists()


def test_patch_by_another_departments_steward_is_403(client: Client, steward: User) -> None:
    client.force_login(steward)
    client.post("/api/v1/catalog/datasets", PAYLOAD, content_type="application/json")
    client.post("/api/v1/catalog/datasets/enterprise_power/publish")
    other = UserFactory(
        username="o", roles=["data_steward"], department=DepartmentFactory(code="330800-DRC")
    )
    client.force_login(other)
    response = client.patch(
        "/api/v1/catalog/datasets/enterprise_power", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Dataset.objects.get().name == "企业月度用电"
