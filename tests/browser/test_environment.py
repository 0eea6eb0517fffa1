"""The environment dashboard in a browser: every chart draws (also on a 390 px phone) with no
script error, and the section table and alerts show (H)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from shuzhi.domains.environment.models import Alert
from shuzhi.domains.environment.services.results import compute_daily
from tests.domains.environment.results_helpers import air_day, counties, staff, station, water
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = date(2026, 3, 4)
SHOTS = os.environ.get("SHUZHI_TEST_SHOTS", "")


def _as(browser: Browser, url: str, username: str, width: int) -> tuple[Page, list[str]]:
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(15_000)
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state("load")
    return page, errors


@pytest.mark.parametrize("width", [1280, 390])
def test_dashboard_draws_its_charts(
    browser: Browser, live_server: Any, tmp_path: Path, width: int
) -> None:
    kecheng, qujiang = counties()
    a1 = station("KC-A1", kecheng)
    air_day(a1, DAY, pm2_5=200.0)
    air_day(station("QJ-A1", qujiang), DAY)
    compute_daily(day_from=DAY, day_to=DAY)
    water(station("KC-W1", kecheng, kind="water", target_class="II"), DAY, tp=0.25)
    Alert.objects.create(kind="heavy", station=a1, period="2026-03-04", details={"aqi": 250})
    staff("officer", "supervisor", "330800-EEB")
    page, errors = _as(browser, live_server.url, "officer", width)
    page.goto(f"{live_server.url}/environment/?year=2026")
    for chart in ("calendar", "trend", "exceedance", "section"):
        expect(page.locator(f"#{chart}-chart canvas").first).to_be_visible()
    expect(page.locator("#section-table tbody tr")).to_have_count(1)
    expect(page.locator("#alert-table tbody tr")).to_have_count(1)
    page.screenshot(path=str(tmp_path / f"environment-{width}.png"), full_page=True)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/environment-{width}.png", full_page=True)
    assert errors == []
    # nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
