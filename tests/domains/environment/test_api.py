"""POST /api/v1/environment/aqi and /water-class, the issue's API contracts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shuzhi.platform.accounts.models import User
from shuzhi.platform.accounts.services import api_key_issue

pytestmark = pytest.mark.django_db

AQI = "/api/v1/environment/aqi"
WATER = "/api/v1/environment/water-class"
WORKED = {"PM2.5": 80, "PM10": 120, "SO2": 20, "NO2": 45, "CO": 1.0, "O3_8h": 130}


def _post(client: Client, url: str, body: Any, **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", **headers)


@pytest.fixture
def user_client(logged_in: Callable[[User], Client], clerk: User) -> Client:
    return logged_in(clerk)


def test_aqi_worked_example(user_client: Client) -> None:
    body = {"period": "daily", "date": "2025-06-01", "concentrations": WORKED}
    response = _post(user_client, AQI, body)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "aqi": 107,
        "level": 3,
        "category": "轻度污染",
        "color": "#FF7E00",
        "primary_pollutants": ["PM2.5"],
        "exceeding_pollutants": ["PM2.5"],
        "iaqi": {"PM2.5": 107, "PM10": 85, "SO2": 20, "NO2": 57, "CO": 25, "O3_8h": 75},
        "edition": "HJ 633-2012",
    }


def test_aqi_edition_by_date_and_hourly_limits(user_client: Client) -> None:
    body = {"period": "hourly", "date": "2026-03-01", "concentrations": {"PM10": 150, "SO2": 200}}
    data = _post(user_client, AQI, body).json()
    assert data["edition"] == "HJ 633-2026"
    assert data["iaqi"] == {"PM10": 112, "SO2": 58}  # SO2 on its 1-hour limits
    body["period"] = "daily"
    body["date"] = "2026-02-28"
    data = _post(user_client, AQI, body).json()
    assert data["edition"] == "HJ 633-2012"
    assert data["iaqi"] == {"PM10": 100, "SO2": 108}
    assert data["primary_pollutants"] == ["SO2"]


def test_aqi_leaves_out_what_is_not_given(user_client: Client) -> None:
    body = {"period": "daily", "date": "2025-01-01", "concentrations": {"CO": 1.0, "O3_1h": None}}
    data = _post(user_client, AQI, body).json()
    assert data["iaqi"] == {"CO": 25}
    assert (data["aqi"], data["category"], data["primary_pollutants"]) == (25, "优", [])


def test_water_class_river(user_client: Client) -> None:
    body = {
        "water_body": "river",
        "measurements": {"DO": 6.5, "CODMn": 3.2, "NH3-N": 0.6, "TP": 0.12, "TN": 3.0},
    }
    response = _post(user_client, WATER, body)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "class": "III",
        "limiting_factors": ["NH3-N", "TP"],
        "factor_classes": {"DO": "II", "CODMn": "II", "NH3-N": "III", "TP": "III"},
    }


def test_water_class_lake_counts_nitrogen(user_client: Client) -> None:
    body = {"water_body": "lake", "measurements": {"DO": 8, "TP": 0.12, "TN": 2.5}}
    data = _post(user_client, WATER, body).json()
    assert data["class"] == "劣V"
    assert data["limiting_factors"] == ["TN"]
    assert data["factor_classes"] == {"DO": "I", "TP": "V", "TN": "劣V"}


def test_api_key_and_anonymous(client: Client, clerk: User) -> None:
    body = {"period": "daily", "date": "2025-06-01", "concentrations": WORKED}
    assert _post(client, AQI, body).status_code == 401
    assert (
        _post(client, WATER, {"water_body": "lake", "measurements": {"DO": 8}}).status_code == 401
    )
    _, secret = api_key_issue(by=clerk, name="environment")
    assert _post(client, AQI, body, HTTP_X_API_KEY=secret).json()["aqi"] == 107


def _error(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["status"] == 422
    return dict(error)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period": "daily", "date": "2025-06-01", "concentrations": {"PM2.5": -1}}, "PM2.5"),
        ({"period": "daily", "date": "2025-06-01", "concentrations": {"PM10": "lots"}}, "PM10"),
        ({"period": "daily", "date": "2025-06-01", "concentrations": {"CO": True}}, "CO"),
        ({"period": "daily", "date": "2025-06-01", "concentrations": {"PM1": 3}}, "PM1"),
        ({"period": "hourly", "date": "2025-06-01", "concentrations": {"O3": 3}}, "O3"),
        ({"period": "daily", "date": "2025-06-01", "concentrations": {"SO2": 10**400}}, "SO2"),
        ({"period": "daily", "date": "2025-06-01", "concentrations": {"NO2": [1]}}, "NO2"),
    ],
)
def test_aqi_bad_concentration_names_the_field(
    user_client: Client, body: dict[str, Any], field: str
) -> None:
    error = _error(_post(user_client, AQI, body))
    assert error["code"] == "invalid_field"
    assert error["details"] == {"field": f"concentrations.{field}"}
    assert f"concentrations.{field}" in error["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period": "daily", "concentrations": {"PM2.5": 1}}, "date"),
        ({"period": "daily", "date": "01/06/2025", "concentrations": {"PM2.5": 1}}, "date"),
        ({"period": "daily", "date": "20250601", "concentrations": {"PM2.5": 1}}, "date"),
        ({"period": "daily", "date": "2025-02-30", "concentrations": {"PM2.5": 1}}, "date"),
        ({"period": "weekly", "date": "2025-06-01", "concentrations": {"PM2.5": 1}}, "period"),
        ({"date": "2025-06-01", "concentrations": {"PM2.5": 1}}, "period"),
        ({"period": "daily", "date": "2025-06-01"}, "concentrations"),
        ({"period": "daily", "date": "2025-06-01", "concentrations": {}}, "concentrations"),
    ],
)
def test_aqi_bad_request_names_the_field(
    user_client: Client, body: dict[str, Any], field: str
) -> None:
    error = _error(_post(user_client, AQI, body))
    assert error["details"] == {"field": field}
    assert field in error["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"water_body": "river", "measurements": {"DO": -0.5}}, "measurements.DO"),
        ({"water_body": "river", "measurements": {"COD": "15"}}, "measurements.COD"),
        ({"water_body": "lake", "measurements": {"Hg": 0.0001}}, "measurements.Hg"),
        ({"water_body": "lake", "measurements": {"TN": 10**400}}, "measurements.TN"),
        ({"water_body": "sea", "measurements": {"DO": 8}}, "water_body"),
        ({"measurements": {"DO": 8}}, "water_body"),
        ({"water_body": "lake"}, "measurements"),
        ({"water_body": "lake", "measurements": {}}, "measurements"),
    ],
)
def test_water_bad_request_names_the_field(
    user_client: Client, body: dict[str, Any], field: str
) -> None:
    error = _error(_post(user_client, WATER, body))
    assert error["code"] == "invalid_field"
    assert error["details"] == {"field": field}
    assert field in error["message"]


def test_message_in_the_request_language(user_client: Client) -> None:
    body = {"period": "daily", "date": "2025-06-01", "concentrations": {"PM2.5": -1}}
    error = _error(_post(user_client, AQI, body, HTTP_ACCEPT_LANGUAGE="en"))
    assert error["message"] == "concentrations.PM2.5 must not be negative."


def test_body_that_is_not_an_object(user_client: Client) -> None:
    error = _error(_post(user_client, AQI, [1, 2]))
    assert error["code"] in {"invalid_input", "invalid_field"}
