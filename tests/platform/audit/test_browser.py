from __future__ import annotations

import pytest
from django.test import Client

from shuzhi.platform.audit.services import audit_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_auditor_sees_entries_and_filters_them(client: Client) -> None:
    auditor = UserFactory(username="auditor", roles=["auditor"])
    audit_record(action="login.failure", actor_name="mallory", outcome="failure")
    audit_record(action="apikey.issue", actor_name="li")
    client.force_login(auditor)
    page = client.get("/audit/")
    assert page.status_code == 200
    assert "mallory" in page.content.decode()
    filtered = client.get("/audit/", {"outcome": "failure"}, HTTP_HX_REQUEST="true")
    body = filtered.content.decode()
    assert filtered.status_code == 200
    assert "mallory" in body
    assert "apikey.issue" not in body
    assert "<html" not in body  # HTMX gets the table alone


@pytest.mark.parametrize("role", ["clerk", "data_steward", "leader", "public"])
def test_other_roles_are_refused_the_audit_log(client: Client, role: str) -> None:
    user = UserFactory(username="li", roles=[role])
    client.force_login(user)
    assert client.get("/audit/").status_code == 403


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get("/audit/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_bad_filter_values_are_ignored_not_500(client: Client) -> None:
    client.force_login(UserFactory(username="auditor", roles=["auditor"]))
    audit_record(action="x", actor_name="li")
    response = client.get("/audit/", {"date_from": "not-a-date", "page": "zzz"})
    assert response.status_code == 200
    assert '<code class="small">x</code>' in response.content.decode()
