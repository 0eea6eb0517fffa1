"""A steward uploads a file in a real browser and reads the ingest report in Chinese."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from shuzhi.platform.catalog.models import Division
from shuzhi.platform.catalog.services import FieldInput, dataset_create, dataset_publish
from shuzhi.platform.security.identifiers import credit_code_check_char
from tests.factories import PASSWORD, DepartmentFactory, DivisionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(n: int) -> str:
    body = f"91330802{n:08d}X"
    return body + credit_code_check_char(body)


def test_steward_uploads_a_file_and_sees_the_report(
    page: Page, live_server: Any, tmp_path: Path
) -> None:
    eib = DepartmentFactory(code="330800-EIB", name="市经信局", division=DivisionFactory())
    steward = UserFactory(username="eib_steward", roles=["data_steward"], department=eib)
    dataset = dataset_create(
        by=steward,
        code="enterprise_power",
        owner=eib,
        name="企业月度用电",
        division=Division.objects.get(code="330800"),
        frequency="monthly",
        share_attribute="conditional",
        share_condition="碳账户核算",
        open_attribute="closed",
        grade=2,
        fields=[
            FieldInput(
                "credit_code",
                "统一社会信用代码",
                "string",
                {"semantic_type": "credit_code", "grade": 1, "is_key": True},
            ),
            FieldInput("kwh", "用电量", "decimal", {"grade": 2, "min_value": 0}),
        ],
    )
    dataset_publish(dataset=dataset, by=steward)
    upload = tmp_path / "power.csv"
    upload.write_text(f"credit_code,kwh\n{_code(1)},10\n{_code(2)},-3\n", encoding="utf-8")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "eib_steward")
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state("load")
    page.goto(f"{live_server.url}/warehouse/enterprise_power/upload/")
    page.set_input_files("#id_file", str(upload))
    page.click("#upload-submit")
    report = page.locator("#ingest-report")
    expect(report).to_be_visible(timeout=30_000)
    expect(report).to_contain_text("低于最小值 0")
    page.goto(f"{live_server.url}/catalog/enterprise_power/")
    page.click("#versions-tab")
    expect(page.locator("#tab-versions")).to_contain_text("v1")
    expect(page.locator("#quality-chart canvas")).to_have_count(1)
