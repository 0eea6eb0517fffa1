"""A grantee sees the usage chart of a grant and browses its rows on a phone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from shuzhi.platform.catalog.models import CodeEntry, CodeTable
from shuzhi.platform.catalog.services import FieldInput, dataset_create, dataset_publish
from shuzhi.platform.security.identifiers import credit_code_check_char
from shuzhi.platform.sharing.models import Grant
from shuzhi.platform.sharing.services import share_request_create
from shuzhi.platform.warehouse.services import ingest
from tests.factories import PASSWORD, CountyFactory, DepartmentFactory, DivisionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(n: int) -> str:
    body = f"91330802{n:08d}X"
    return body + credit_code_check_char(body)


def _grant(tmp_path: Path) -> Grant:
    eib = DepartmentFactory(code="330800-EIB", name="市经信局", division=DivisionFactory())
    kecheng = DepartmentFactory(code="330802-DRC", name="柯城区发改局", division=CountyFactory())
    steward = UserFactory(username="eib_steward", roles=["data_steward"], department=eib)
    clerk = UserFactory(username="kc_clerk", roles=["clerk"], department=kecheng)
    table = CodeTable.objects.get_or_create(  # a transactional test flushes the seeded tables
        code="gbt2260", defaults={"name": "行政区划代码", "name_en": "Division codes"}
    )[0]
    CodeEntry.objects.get_or_create(table=table, code="330802", defaults={"name": "柯城区"})
    CodeEntry.objects.get_or_create(table=table, code="330803", defaults={"name": "衢江区"})
    dataset = dataset_create(
        by=steward,
        code="enterprise_power",
        owner=eib,
        name="企业月度用电",
        division=eib.division,
        frequency="monthly",
        share_attribute="unconditional",
        open_attribute="closed",
        grade=3,
        fields=[
            FieldInput(
                "credit_code",
                "统一社会信用代码",
                "string",
                {"semantic_type": "credit_code", "grade": 1, "is_key": True},
            ),
            FieldInput("kwh", "用电量", "decimal", {"grade": 2, "min_value": 0}),
            FieldInput(
                "county",
                "县",
                "string",
                {"semantic_type": "division_code", "grade": 1, "code_table": table},
            ),
            FieldInput("contact", "联系人", "string", {"semantic_type": "person_name", "grade": 3}),
        ],
    )
    dataset_publish(dataset=dataset, by=steward)
    path = tmp_path / "power.csv"
    path.write_text(
        "credit_code,kwh,county,contact\n"
        + "".join(
            f"{_code(n)},{n * 10},{'330802' if n % 2 else '330803'},张{n}\n" for n in range(1, 60)
        ),
        encoding="utf-8",
    )
    ingest(dataset=dataset, path=path, by=steward)
    outcome = share_request_create(
        by=clerk,
        dataset=dataset,
        fields=["credit_code", "kwh", "county", "contact"],
        purpose="碳账户核算",
        legal_basis="衢州市碳账户管理办法",
        period_end=timezone.localdate() + timedelta(days=30),
        scope={"county": ["330802"]},
    )
    assert outcome.grant is not None
    return outcome.grant


def _login(page: Page, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", "kc_clerk")
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state("load")


def test_grantee_sees_usage_chart_and_browses_rows(
    page: Page, live_server: Any, tmp_path: Path
) -> None:
    grant = _grant(tmp_path)
    _login(page, live_server.url)
    page.goto(f"{live_server.url}/sharing/grants/{grant.pk}/rows/")
    expect(page.locator("#rows tbody tr")).to_have_count(25)
    expect(page.locator("#rows")).not_to_contain_text("330803")
    page.click("#next-page")
    expect(page.locator("#rows tbody tr")).to_have_count(5)  # 30 Kecheng rows in all
    page.goto(f"{live_server.url}/sharing/grants/{grant.pk}/")
    expect(page.locator("#usage-chart canvas")).to_have_count(1)


def test_rows_fit_a_phone(phone: Page, live_server: Any, tmp_path: Path) -> None:
    grant = _grant(tmp_path)
    _login(phone, live_server.url)
    phone.goto(f"{live_server.url}/sharing/grants/{grant.pk}/rows/")
    expect(phone.locator("#rows")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    phone.goto(f"{live_server.url}/sharing/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
