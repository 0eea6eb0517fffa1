"""POST /api/v1/carbon/calculate, and the factor sets it reads."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shuzhi.domains.carbon.factor_table import (
    active_factor_table,
    factor_set_seed_default,
    factor_table,
)
from shuzhi.domains.carbon.models import FactorSet, FuelFactor, GridFactor
from shuzhi.domains.carbon.standard import DEFAULT_FACTORS
from shuzhi.platform.accounts.models import User
from shuzhi.platform.accounts.services import api_key_issue
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/carbon/calculate"


def _post(client: Client, body: dict[str, Any], **headers: str) -> Any:
    return client.post(URL, body, content_type="application/json", **headers)


@pytest.fixture
def user_client(logged_in: Callable[[User], Client], clerk: User) -> Client:
    return logged_in(clerk)


def test_hundred_tonnes_of_raw_coal(user_client: Client) -> None:
    response = _post(
        user_client,
        {
            "year": 2023,
            "region": "330800",
            "activities": [{"source": "raw_coal", "quantity": 100, "unit": "t"}],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total_tco2"] == pytest.approx(190.03, abs=0.01)
    assert body["by_source"]["raw_coal"] == pytest.approx(190.03, abs=0.01)
    assert body["factor_version"] == "default-2024"  # no set in the database yet


def test_electricity_reports_the_grid_factor_used(user_client: Client) -> None:
    response = _post(
        user_client,
        {
            "year": 2023,
            "region": "330800",
            "activities": [
                {"source": "electricity", "quantity": 1000, "unit": "MWh"},
                {"source": "electricity", "quantity": 500_000, "unit": "kWh"},
                {"source": "natural_gas", "quantity": 10_000, "unit": "Nm3"},
                {"source": "exported_heat", "quantity": 100, "unit": "GJ"},
            ],
        },
    )
    body = response.json()
    assert body["by_source"]["electricity"] == pytest.approx(1500 * 0.5153, abs=0.01)
    assert body["by_source"]["natural_gas"] == pytest.approx(21.62, abs=0.01)
    assert body["by_source"]["exported_heat"] == pytest.approx(-11.0)
    assert body["total_tco2"] == pytest.approx(sum(body["by_source"].values()), abs=0.02)
    grid = body["grid_factor"]
    assert (grid["region"], grid["year"], grid["fallback"]) == ("330000", 2022, "province")


def test_api_key_works(client: Client, clerk: User) -> None:
    _, secret = api_key_issue(by=clerk, name="calculator")
    response = _post(
        client,
        {
            "year": 2022,
            "region": "330800",
            "activities": [{"source": "lpg", "quantity": 1, "unit": "t"}],
        },
        HTTP_X_API_KEY=secret,
    )
    assert response.status_code == 200
    assert response.json()["total_tco2"] == pytest.approx(3.10, abs=0.01)


def test_anonymous_is_refused(client: Client) -> None:
    response = _post(
        client,
        {"year": 2023, "activities": [{"source": "raw_coal", "quantity": 1, "unit": "t"}]},
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("activity", "code"),
    [
        ({"source": "peat", "quantity": 1, "unit": "t"}, "unknown_source"),
        ({"source": "natural_gas", "quantity": 1, "unit": "m3"}, "unknown_unit"),
        ({"source": "diesel", "quantity": -1, "unit": "t"}, "negative_quantity"),
    ],
)
def test_bad_activities_are_422_listing_what_is_valid(
    user_client: Client, activity: dict[str, Any], code: str
) -> None:
    response = _post(
        user_client,
        {
            "year": 2023,
            "activities": [{"source": "raw_coal", "quantity": 1, "unit": "t"}, activity],
        },
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_activities"
    assert error["details"]["problems"][0]["code"] == code
    assert error["details"]["problems"][0]["index"] == 1
    assert "natural_gas (10^4Nm3, Nm3)" in error["message"]
    assert error["details"]["valid"]["electricity"] == ["MWh", "kWh"]


def test_error_message_in_the_request_language(user_client: Client) -> None:
    body = {"year": 2023, "activities": [{"source": "peat", "quantity": 1, "unit": "t"}]}
    english = _post(user_client, body, HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert english.startswith("Activity 1 has an unknown source")
    chinese = _post(user_client, body, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["error"]
    assert chinese["code"] == "invalid_activities"  # the message is translated once .po is done


def test_malformed_body_is_the_platform_422(user_client: Client) -> None:
    response = _post(user_client, {"year": 2023, "activities": [{"source": "raw_coal"}]})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


@pytest.fixture
def drc_steward() -> User:
    department = DepartmentFactory(code="330800-DRC", name="市发改委")
    return UserFactory(username="drc_steward", roles=["data_steward"], department=department)


def test_seed_default_is_idempotent_and_round_trips(drc_steward: User) -> None:
    created = factor_set_seed_default(by=drc_steward)
    assert created is not None
    assert created.state == FactorSet.State.ACTIVE
    assert factor_set_seed_default(by=drc_steward) is None
    assert FactorSet.objects.count() == 1
    table = factor_table(created)
    assert table.version == "default-2024"
    for fuel, params in DEFAULT_FACTORS.fuels.items():
        assert table.fuel_factor(fuel) == pytest.approx(params.factor)
    assert sorted(table.grid, key=str) == sorted(DEFAULT_FACTORS.grid, key=str)
    assert len(table.activities) == len(DEFAULT_FACTORS.activities)
    assert table.heat_factor == pytest.approx(0.11)


def test_the_active_database_set_is_used(user_client: Client, drc_steward: User) -> None:
    seeded = factor_set_seed_default(by=drc_steward)
    assert seeded is not None
    seeded.state = FactorSet.State.RETIRED
    seeded.save()
    own = FactorSet.objects.create(
        version="qz-2025",
        title="衢州 2025",
        source="test",
        heat_factor=Decimal("0.12"),
        state=FactorSet.State.ACTIVE,
        activated_at=timezone.now(),
    )
    FuelFactor.objects.create(
        factor_set=own,
        fuel="raw_coal",
        ncv=Decimal("20"),
        ncv_unit="GJ/t",
        carbon_content=Decimal("25"),
        oxidation=Decimal("1"),
        source="test",
    )
    GridFactor.objects.create(
        factor_set=own, year=2023, region="330800", value=Decimal("0.5"), source="city"
    )
    assert active_factor_table().version == "qz-2025"
    response = _post(
        user_client,
        {
            "year": 2023,
            "region": "330800",
            "activities": [
                {"source": "raw_coal", "quantity": 100, "unit": "t"},
                {"source": "electricity", "quantity": 10, "unit": "MWh"},
                {"source": "heat", "quantity": 10, "unit": "GJ"},
            ],
        },
    )
    body = response.json()
    assert body["factor_version"] == "qz-2025"
    assert body["by_source"]["raw_coal"] == pytest.approx(100 * 20 * 25 / 1000 * 44 / 12, abs=0.01)
    assert body["by_source"]["electricity"] == pytest.approx(5.0)
    assert body["by_source"]["heat"] == pytest.approx(1.2)
    assert body["grid_factor"]["fallback"] == "exact"
    # a fuel the active set lacks is unknown
    response = _post(
        user_client,
        {"year": 2023, "activities": [{"source": "diesel", "quantity": 1, "unit": "t"}]},
    )
    assert response.status_code == 422
