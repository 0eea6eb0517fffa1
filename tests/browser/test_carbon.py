"""Carbon accounts in a browser: a government user sees the dashboard's and an enterprise's
charts drawn (also on a phone); the bank opens the credit report of an enterprise that
authorised it and is refused for one that did not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.domains.carbon.test_finance import ALPHA, BETA, NAMES, green_finance, run_with_accounts
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(browser: Browser, url: str, username: str, width: int = 1280, height: int = 900) -> Page:
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state("load")
    return page


def test_dashboard_and_enterprise_page_draw_their_charts(
    browser: Browser, live_server: Any, tmp_path: Path, settings: Any
) -> None:
    settings.DATA_DIR = tmp_path
    run_with_accounts()
    UserFactory(username="officer", roles=["clerk"])
    url = live_server.url
    page = _as(browser, url, "officer")
    page.goto(f"{url}/carbon/")
    for chart in ("county", "industry", "month", "top", "box", "sector"):
        expect(page.locator(f"#{chart}-chart canvas")).to_have_count(1)
    expect(page.locator("#figure-enterprises")).to_contain_text("2")
    expect(page.locator("#run-factors")).to_contain_text("2025.1")

    page.locator("#top-table").get_by_text(NAMES[ALPHA]).click()
    expect(page.locator("#account-header")).to_contain_text(NAMES[ALPHA])
    expect(page.locator("#trend-chart canvas")).to_have_count(1)
    expect(page.locator("#years-chart canvas")).to_have_count(1)
    expect(page.locator("#explanation tbody tr")).to_have_count(4)
    expect(page.locator("#grade-rule")).to_be_visible()

    phone = _as(browser, url, "officer", width=360, height=740)
    phone.goto(f"{url}/carbon/")
    expect(phone.locator("#county-chart canvas")).to_have_count(1)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360 + 1  # no sideways scrolling of the page itself


def test_bank_reads_an_authorising_enterprise_and_is_refused_for_another(
    browser: Browser, live_server: Any, tmp_path: Path, settings: Any
) -> None:
    settings.DATA_DIR = tmp_path
    green_finance(tmp_path)
    url = live_server.url
    page = _as(browser, url, "banker")
    page.goto(f"{url}/carbon/")
    expect(page.locator("#authorising")).to_contain_text(ALPHA)
    page.locator("#authorising").get_by_role("link").first.click()
    expect(page.locator("#report-facts")).to_contain_text(NAMES[ALPHA])
    expect(page.locator("#report-chart canvas")).to_have_count(1)
    expect(page.locator("#report-products")).to_contain_text("-20")

    response = page.goto(f"{url}/carbon/bank/reports/{BETA}/")
    assert response is not None
    assert response.status == 403
    expect(page.locator("#refused")).to_contain_text("not_authorised")
