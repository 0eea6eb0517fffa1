"""An operator runs an analysis in a real browser; the bureau releases it; the chart draws."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from shuzhi.platform.operation.models import Analysis
from shuzhi.platform.operation.services import analysis_review, authorisation_grant
from shuzhi.platform.warehouse.services import ingest
from tests.factories import PASSWORD, DepartmentFactory, DivisionFactory, UserFactory
from tests.platform.operation.conftest import COUNTIES, _power_dataset, credit_code, make_operator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state("load")


def test_operator_submits_bureau_releases_and_the_chart_draws(
    page: Page, live_server: Any, tmp_path: Path
) -> None:
    bureau = DepartmentFactory(
        code=settings.BUREAU_DEPARTMENT, name="市大数据局", division=DivisionFactory()
    )
    reviewer = UserFactory(username="bdb_approver", roles=["approver"], department=bureau)
    eib = DepartmentFactory(code="330800-EIB", name="市经信局", division=DivisionFactory())
    steward = UserFactory(username="eib_steward", roles=["data_steward"], department=eib)
    power = _power_dataset(steward, eib, "enterprise_power")
    data = tmp_path / "power.csv"
    data.write_text(
        "credit_code,county,kwh,contact\n"
        + "".join(f"{credit_code(n)},{c},{n},张三\n" for n, c in enumerate(COUNTIES, 1)),
        encoding="utf-8",
    )
    ingest(dataset=power, path=data, by=steward)
    operator = make_operator(reviewer, "ent_a", 1)
    today = timezone.localdate()
    authorisation_grant(
        by=reviewer,
        operator=operator,
        dataset=power,
        starts_on=today,
        ends_on=today + timedelta(days=7),
    )

    _login(page, live_server.url, "ent_a")
    page.goto(f"{live_server.url}/operation/")
    page.fill("#id_title", "按县统计")
    page.fill("#id_text", "SELECT county, COUNT(*) AS n FROM enterprise_power GROUP BY county")
    page.click("#submit-form button")
    expect(page.locator("[data-status=awaiting_review]")).to_be_visible()
    expect(page.locator("#result")).to_have_count(0)

    analysis_review(by=reviewer, analysis=Analysis.objects.get(), decision="release")
    page.reload()
    expect(page.locator("#result-table")).to_contain_text("330802")
    expect(page.locator("#operation-chart canvas")).to_have_count(1)
