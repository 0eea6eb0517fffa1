"""The API's envelope for every kind of bad input: a 4xx, never a 500, and nothing changes."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from shuzhi.platform.accounts.models import ApiKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _envelope(response: object, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["status"] == status
    assert body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


def test_unknown_route_gets_the_envelope_in_chinese_by_default(client: Client) -> None:
    error = _envelope(client.get("/api/v1/no-such-thing"), 404, "not_found")
    assert "地址" in str(error["message"])


def test_unknown_route_message_follows_accept_language(client: Client) -> None:
    error = _envelope(
        client.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE="en"), 404, "not_found"
    )
    assert error["message"] == "There is nothing at this address."


def test_anonymous_call_gets_401(client: Client) -> None:
    _envelope(client.get("/api/v1/me"), 401, "unauthenticated")


def test_malformed_json_is_a_4xx_and_issues_no_key(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    response = client.post("/api/v1/keys", "{not json", content_type="application/json")
    error = _envelope(response, 400, "bad_request")
    assert error["message"] == "无法解析该请求。"
    assert not ApiKey.objects.exists()


def test_missing_field_is_422_with_details(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    response = client.post("/api/v1/keys", {}, content_type="application/json")
    error = _envelope(response, 422, "invalid_input")
    assert error["details"]
    assert not ApiKey.objects.exists()


def test_out_of_range_field_is_422(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    response = client.post(
        "/api/v1/keys", {"name": "x", "days": 10_000}, content_type="application/json"
    )
    _envelope(response, 422, "invalid_input")
    assert not ApiKey.objects.exists()


def test_oversized_body_is_413(client: Client, settings: object) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    body = json.dumps({"name": "x" * 2_000_000})
    _envelope(
        client.post("/api/v1/keys", body, content_type="application/json"), 413, "body_too_large"
    )
    assert not ApiKey.objects.exists()


def test_wrong_csrf_token_is_refused_with_the_envelope() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    response = client.post(
        "/api/v1/keys",
        {"name": "x"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN="wrong",
    )
    assert response.status_code == 403
    assert "error" in response.json()
    assert not ApiKey.objects.exists()


def test_wrong_csrf_token_on_a_form_gets_a_page_not_a_500() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "li", "password": "x"})
    assert response.status_code == 403
    assert "csrf_failed" in response.content.decode()


def test_openapi_docs_are_served(client: Client) -> None:
    assert client.get("/api/v1/docs").status_code == 200
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/me" in schema["paths"]
    assert "/api/v1/keys" in schema["paths"]


def test_divisions_and_departments_are_listed(client: Client) -> None:
    user = UserFactory(username="li", roles=["clerk"])
    client.force_login(user)
    divisions = client.get("/api/v1/divisions").json()
    assert {
        "code": "330800",
        "name": "衢州市",
        "name_en": "Quzhou",
        "level": "city",
        "parent": None,
    } in divisions
    departments = client.get("/api/v1/departments", {"division": "330800"}).json()
    assert user.department.code in [d["code"] for d in departments]


def test_me_reports_roles_and_department(client: Client) -> None:
    user = UserFactory(username="li", roles=["clerk", "approver"])
    client.force_login(user)
    me = client.get("/api/v1/me").json()
    assert me["roles"] == ["approver", "clerk"]
    assert me["department"] == user.department.code


def test_wrong_method_gets_the_envelope(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    response = client.delete("/api/v1/me")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/departments?division=%00", None),
        ("post", "/api/v1/keys", '{"name": "\\u0000x"}'),
        ("post", "/api/v1/keys", '{"name": "a\x00b"}'),
    ],
)
def test_nul_characters_get_a_400_envelope_not_a_500(
    client: Client, method: str, path: str, body: str | None
) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    if method == "get":
        response = client.get(path)
    else:
        response = client.post(path, body, content_type="application/json")
    _envelope(response, 400, "bad_request")
    assert not ApiKey.objects.exists()


def test_nul_in_a_form_gets_a_400_page(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    response = client.post("/api-keys/", {"name": "a\x00b"})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_nul_in_an_api_key_header_is_just_a_bad_key(client: Client) -> None:
    response = client.get("/api/v1/me", HTTP_X_API_KEY="sz_a\x00_b")
    _envelope(response, 401, "unauthenticated")


def test_unparseable_body_message_follows_the_request_language(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    response = client.post(
        "/api/v1/keys",
        b"\xff\xfe{",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    error = _envelope(response, 400, "bad_request")
    assert "Cannot parse" not in str(error["message"])
