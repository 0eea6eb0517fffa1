"""What an operator can learn before the bureau's review: nothing of the result."""

from __future__ import annotations

import pytest

from shuzhi.platform.accounts.models import User
from shuzhi.platform.operation.models import Analysis, Authorisation, Operator, Usage
from shuzhi.platform.operation.services import analysis_review, analysis_submit

pytestmark = pytest.mark.django_db

BY_COUNTY = "SELECT county, COUNT(*) AS n, SUM(kwh) AS total FROM enterprise_power GROUP BY county"


def test_the_usage_meter_does_not_count_the_groups_of_an_unreleased_result(
    analyst: User, reviewer: User, grant: Authorisation, operator: Operator
) -> None:
    analysis = analysis_submit(by=analyst, title="t", language="sql", text=BY_COUNTY)
    assert analysis.status == Analysis.Status.AWAITING_REVIEW, analysis.reason
    assert len(analysis.rows) == 2
    assert Usage.objects.get(operator=operator).result_rows == 0
    rejected = analysis_submit(by=analyst, title="t", language="sql", text=BY_COUNTY)
    analysis_review(by=reviewer, analysis=rejected, decision="reject", comment="no")
    assert Usage.objects.get(operator=operator).result_rows == 0
    analysis_review(by=reviewer, analysis=analysis, decision="release")
    assert Usage.objects.get(operator=operator).result_rows == 2


# fails on the credit codes' letters: whether it fails depends on the rows
PROBE = (
    "SELECT county, COUNT(*) AS n FROM enterprise_power "
    "WHERE CAST(credit_code AS BIGINT) > 0 GROUP BY county"
)


def test_a_failure_on_the_data_waits_for_review_like_a_result(
    analyst: User, reviewer: User, grant: Authorisation, operator: Operator
) -> None:
    from django.test import Client
    from django.urls import reverse

    good = analysis_submit(by=analyst, title="t", language="sql", text=BY_COUNTY)
    usage = Usage.objects.get(operator=operator)
    before = (usage.runs, usage.rows_scanned)
    probe = analysis_submit(by=analyst, title="t", language="sql", text=PROBE)
    assert probe.status == Analysis.Status.AWAITING_REVIEW
    assert "Conversion Error" in probe.reason  # for the reviewer
    assert probe.rows == []
    usage.refresh_from_db()
    # the meter moves exactly as for a query that ran
    assert (usage.runs - before[0], usage.rows_scanned - before[1]) == (1, good.rows_scanned)
    client = Client()
    client.force_login(analyst)
    html = client.get(reverse("operation:analysis", args=[probe.pk])).content.decode()
    assert 'id="analysis-reason"' not in html
    assert "Conversion" not in html
    body = client.get(f"/api/v1/operation/analyses/{probe.pk}").json()
    assert (body["status"], body["reason"]) == ("awaiting_review", "")
    analysis_review(by=reviewer, analysis=probe, decision="reject", comment="probing rows")
    body = client.get(f"/api/v1/operation/analyses/{probe.pk}").json()
    assert body["status"] == "rejected"


def test_a_query_that_does_not_bind_is_told_at_once(analyst: User, grant: Authorisation) -> None:
    analysis = analysis_submit(
        by=analyst, title="t", language="sql", text="SELECT COUNT(nope) FROM enterprise_power"
    )
    assert analysis.status == Analysis.Status.FAILED
    assert "nope" in analysis.reason
