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
