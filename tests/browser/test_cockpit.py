"""The leadership cockpit in a browser: its charts render, the county switch narrows it, and a
number drills down to its list; it fits a phone in large-text mode."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD
from tests.web.test_cockpit import grant_cockpit, make_cockpit_data

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


def test_cockpit_renders_charts_switches_county_and_drills_down(
    browser: Browser, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant_cockpit(monkeypatch)
    make_cockpit_data()
    url = live_server.url
    page = _as(browser, url, "mayor")
    page.goto(f"{url}/cockpit/")
    for chart in ("cockpit-map", "cockpit-flow", "cockpit-states", "cockpit-ranking"):
        expect(page.locator(f"#{chart} canvas").first).to_be_visible()
    expect(page.locator("#cockpit-indicators .spark canvas")).to_have_count(1)
    expect(page.locator("#figure-open-warnings")).to_contain_text("2")

    # The county switch swaps the panel (HTMX) and the charts are drawn again.
    page.select_option("#cockpit-county", "330881")
    expect(page.locator("#cockpit-scope")).to_contain_text("江山市")
    expect(page).to_have_url(re.compile(r"county=330881"))
    expect(page.locator("#figure-open-warnings")).to_contain_text("0")
    expect(page.locator("#cockpit-map canvas").first).to_be_visible()

    # A county on the map leads to its warnings.
    page.select_option("#cockpit-county", "")
    expect(page.locator("#figure-open-warnings")).to_contain_text("2")
    page.wait_for_timeout(1200)  # the map's entry animation
    x, y = page.evaluate(
        """() => {
        const chart = echarts.getInstanceByDom(document.getElementById("cockpit-map"));
        const node = chart.getOption().series[0].data.find((n) => n.id === "330802");
        return chart.convertToPixel({seriesIndex: 0}, [node.x, node.y]);
    }"""
    )
    box = page.locator("#cockpit-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page).to_have_url(re.compile(r"/brain/warnings/\?division=330802"))
    expect(page.locator("#warnings")).to_contain_text("柯城区用电同比下降40%")
    page.go_back()

    # Back to the city; a number leads to its list.
    page.select_option("#cockpit-county", "")
    expect(page.locator("#figure-open-warnings")).to_contain_text("2")
    page.click("#figure-open-warnings")
    expect(page).to_have_url(re.compile(r"/brain/warnings/"))
    expect(page.locator("#warnings")).to_contain_text("柯城区用电同比下降40%")


def test_cockpit_fits_a_phone_in_large_text(
    browser: Browser, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant_cockpit(monkeypatch)
    make_cockpit_data()
    url = live_server.url
    page = _as(browser, url, "mayor", width=360, height=740)
    page.goto(f"{url}/cockpit/")
    page.click("#toggle-large-text")
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    expect(page.locator("#cockpit-flow canvas").first).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.click("#figure-overdue-tasks")
    expect(page).to_have_url(re.compile(r"/loop/\?overdue=1"))
