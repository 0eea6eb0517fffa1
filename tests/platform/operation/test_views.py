"""The pages and the API: workspace, results only after release, 404 for others, bureau only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuzhi.platform.accounts.models import User
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.operation.models import Analysis, Authorisation, Operator
from shuzhi.platform.operation.services import analysis_review, analysis_submit
from tests.factories import UserFactory

from .conftest import credit_code, make_operator

pytestmark = pytest.mark.django_db

BY_COUNTY = "SELECT county, COUNT(*) AS n FROM enterprise_power GROUP BY county"


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_workspace_shows_datasets_fields_and_runs_an_analysis(
    analyst: User, grant: Authorisation
) -> None:
    client = _as(analyst)
    page = client.get(reverse("operation:workspace"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "enterprise_power" in html
    assert "kwh" in html
    assert "contact" not in html  # an L3 field is not offered
    response = client.post(
        reverse("operation:workspace"),
        {"action": "submit", "title": "按县统计", "language": "sql", "text": BY_COUNTY},
    )
    analysis = Analysis.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("operation:analysis", args=[analysis.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "330802" not in detail  # awaiting review: no result yet
    assert 'id="result"' not in detail


def test_the_result_shows_as_table_and_chart_after_release(
    analyst: User, reviewer: User, grant: Authorisation
) -> None:
    analysis = analysis_submit(by=analyst, title="t", language="sql", text=BY_COUNTY)
    analysis_review(by=reviewer, analysis=analysis, decision="release", comment="可发布")
    html = _as(analyst).get(reverse("operation:analysis", args=[analysis.pk])).content.decode()
    assert 'id="result-table"' in html
    assert 'id="operation-chart"' in html
    assert "echarts" in html
    assert "330802" in html
    assert "330881" not in html  # the suppressed group never shows


def test_a_refused_query_shows_its_reason(analyst: User, grant: Authorisation) -> None:
    client = _as(analyst)
    client.post(
        reverse("operation:workspace"),
        {"action": "submit", "language": "sql", "text": "SELECT * FROM enterprise_power"},
    )
    analysis = Analysis.objects.get()
    assert analysis.status == "refused"
    html = client.get(reverse("operation:analysis", args=[analysis.pk])).content.decode()
    assert 'id="analysis-reason"' in html


def test_another_operators_analysis_is_404_on_page_and_api(
    analyst: User, reviewer: User, grant: Authorisation
) -> None:
    analysis = analysis_submit(by=analyst, title="t", language="sql", text=BY_COUNTY)
    analysis_review(by=reviewer, analysis=analysis, decision="release")
    other = make_operator(reviewer, "ent_b", 2).users.get()
    client = _as(other)
    assert client.get(reverse("operation:analysis", args=[analysis.pk])).status_code == 404
    assert client.get(f"/api/v1/operation/analyses/{analysis.pk}").status_code == 404
    assert client.get("/api/v1/operation/analyses").json() == []
    stranger = UserFactory(username="resident", roles=["public"])
    assert _as(stranger).get(reverse("operation:analysis", args=[analysis.pk])).status_code == 404


def test_an_enterprise_without_operator_applies_from_the_workspace(bureau: object) -> None:
    clerk = UserFactory(username="ent_new", roles=["enterprise"])
    client = _as(clerk)
    assert 'id="apply-form"' in client.get(reverse("operation:workspace")).content.decode()
    response = client.post(
        reverse("operation:workspace"),
        {"action": "apply", "name": "新数据公司", "credit_code": credit_code(55)},
    )
    assert response.status_code == 302
    assert Operator.objects.get().status == "applied"
    html = client.get(reverse("operation:workspace")).content.decode()
    assert 'id="operator-status"' in html


def test_a_suspended_operator_cannot_submit_from_the_page(
    analyst: User, reviewer: User, operator: Operator, grant: Authorisation
) -> None:
    operator.status = Operator.Status.SUSPENDED
    operator.save()
    response = _as(analyst).post(
        reverse("operation:workspace"), {"action": "submit", "language": "sql", "text": BY_COUNTY}
    )
    assert response.status_code == 400
    assert not Analysis.objects.exists()


def test_bureau_reviewers_are_sent_to_their_inbox_and_other_staff_refused(
    reviewer: User,
) -> None:
    answer = _as(reviewer).get(reverse("operation:workspace"))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("operation:review")
    clerk = UserFactory(username="a_clerk", roles=["clerk"])
    assert _as(clerk).get(reverse("operation:workspace")).status_code == 403


def test_the_review_inbox_is_for_the_bureau_only(
    analyst: User, reviewer: User, grant: Authorisation, eib: object
) -> None:
    analysis = analysis_submit(by=analyst, title="待审", language="sql", text=BY_COUNTY)
    outsider = UserFactory(username="eib_approver", roles=["approver"], department=eib)
    for user in (outsider, analyst):
        client = _as(user)
        assert client.get(reverse("operation:review")).status_code == 403
        assert client.get(reverse("operation:review_detail", args=[analysis.pk])).status_code == 403
        assert client.get(reverse("operation:operators")).status_code == 403
    client = _as(reviewer)
    inbox = client.get(reverse("operation:review")).content.decode()
    assert "待审" in inbox
    preview = client.get(reverse("operation:review_detail", args=[analysis.pk])).content.decode()
    assert 'id="result-table"' in preview  # the reviewer sees the result before release
    rejected = client.post(
        reverse("operation:review_detail", args=[analysis.pk]), {"decision": "reject"}
    )
    assert rejected.status_code == 400  # a rejection needs a comment
    response = client.post(
        reverse("operation:review_detail", args=[analysis.pk]),
        {"decision": "release", "comment": ""},
    )
    assert response.status_code == 302
    analysis.refresh_from_db()
    assert analysis.status == "released"


def test_the_bureau_registers_vets_grants_and_revokes_on_its_page(
    reviewer: User, power: Dataset
) -> None:
    UserFactory(username="ent_x", roles=["enterprise"])
    client = _as(reviewer)
    url = reverse("operation:operators")
    response = client.post(
        url,
        {
            "action": "register",
            "name": "衢州算力公司",
            "credit_code": credit_code(66),
            "usernames": "ent_x",
        },
    )
    assert response.status_code == 302
    operator = Operator.objects.get()
    client.post(url, {"action": "status", "operator": operator.pk, "status": "vetted"})
    operator.refresh_from_db()
    assert operator.status == "vetted"
    today = timezone.localdate()
    client.post(
        url,
        {
            "action": "grant",
            "operator": operator.pk,
            "dataset": "enterprise_power",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=10)).isoformat(),
            "purpose": "产业分析",
        },
    )
    grant = Authorisation.objects.get()
    html = client.get(url).content.decode()
    assert "衢州算力公司" in html
    assert "enterprise_power" in html
    client.post(url, {"action": "revoke", "operator": operator.pk, "authorisation": grant.pk})
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    bad = client.post(
        url,
        {"action": "register", "name": "x", "credit_code": credit_code(67), "usernames": "nope"},
    )
    assert bad.status_code == 400


def test_the_api_submits_and_returns_results_only_after_release(
    analyst: User, reviewer: User, grant: Authorisation
) -> None:
    client = _as(analyst)
    response = client.post(
        "/api/v1/operation/analyses",
        data=json.dumps({"title": "api", "language": "sql", "text": BY_COUNTY}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "awaiting_review"
    assert body["rows"] is None
    analysis = Analysis.objects.get(pk=body["id"])
    analysis_review(by=reviewer, analysis=analysis, decision="release")
    released = client.get(f"/api/v1/operation/analyses/{analysis.pk}").json()
    assert released["rows"] == [["330802", 12], ["330803", 11]] or sorted(released["rows"]) == [
        ["330802", 12],
        ["330803", 11],
    ]
    assert released["suppressed_groups"] == 1
    refused = client.post(
        "/api/v1/operation/analyses",
        data=json.dumps({"language": "sql", "text": "DROP TABLE enterprise_power"}),
        content_type="application/json",
    ).json()
    assert refused["status"] == "refused"
    denied = _as(reviewer).post(
        "/api/v1/operation/analyses",
        data=json.dumps({"language": "sql", "text": BY_COUNTY}),
        content_type="application/json",
    )
    assert denied.status_code == 403


def test_the_workspace_examples_run(analyst: User, grant: Authorisation) -> None:
    from shuzhi.platform.operation.views import EXAMPLE_IBIS, EXAMPLE_SQL

    html = _as(analyst).get(reverse("operation:workspace")).content.decode()
    assert "GROUP BY county" in html
    for language, example in (("sql", EXAMPLE_SQL), ("ibis", EXAMPLE_IBIS)):
        text = example.format(code="enterprise_power", column="county")
        analysis = analysis_submit(by=analyst, title="例", language=language, text=text)
        assert analysis.status == "awaiting_review", analysis.reason


def test_the_bureau_adds_an_account_to_an_operator(reviewer: User, operator: Operator) -> None:
    UserFactory(username="ent_second", roles=["enterprise"])
    UserFactory(username="staff_x", roles=["clerk"])
    client = _as(reviewer)
    url = reverse("operation:operators")
    client.post(url, {"action": "account", "operator": operator.pk, "username": "ent_second"})
    assert set(operator.users.values_list("username", flat=True)) == {"ent_a", "ent_second"}
    refused = client.post(
        url, {"action": "account", "operator": operator.pk, "username": "staff_x"}
    )
    assert refused.status_code == 400
    again = client.post(
        url, {"action": "account", "operator": operator.pk, "username": "ent_second"}
    )
    assert again.status_code == 400
