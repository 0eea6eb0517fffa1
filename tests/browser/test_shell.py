"""A person in a real browser: sign in, see the charts, switch language, sign out, get locked."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from shuzhi.demo.management.commands.demo import Command as DemoCommand
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-submit")
    page.wait_for_load_state("load")


@pytest.fixture
def city(db: Any) -> None:
    command = DemoCommand()
    command.quiet = True
    divisions = command.load_divisions()
    command.load_departments(divisions)
    command.load_industries()
    command.load_enterprises(1, 2022)


def test_sign_in_see_charts_switch_language_and_sign_out(
    page: Page, live_server: Any, city: None
) -> None:
    UserFactory(username="li", roles=["clerk"])
    _sign_in(page, live_server.url, "li", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#chart-counties canvas")).to_have_count(1)
    expect(page.locator("#chart-sections canvas")).to_have_count(1)
    expect(page.locator("#chart-ages canvas")).to_have_count(1)
    expect(page.locator(".figure-card").first).to_contain_text("1,000")

    page.click("#switch-language")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".navbar-brand")).to_contain_text("Digital Government")
    expect(page.locator("#chart-counties canvas")).to_have_count(1)

    page.click("#switch-language")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".navbar-brand")).to_contain_text("数字政府")

    page.click("#user-menu")
    page.click("#logout")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")


def test_county_filter_redraws_the_charts_through_htmx(
    page: Page, live_server: Any, city: None
) -> None:
    UserFactory(username="li", roles=["clerk"])
    _sign_in(page, live_server.url, "li", PASSWORD)
    page.wait_for_function("() => window.htmx !== undefined")
    first = page.locator(".figure-card").first.inner_text()
    page.select_option("#county", "330802")
    expect(page.locator(".figure-card").first).not_to_have_text(first)
    expect(page.locator("#chart-counties canvas")).to_have_count(1)
    expect(page).to_have_url(f"{live_server.url}/")  # a partial update, not a page load


def test_five_bad_passwords_show_the_lockout_message(page: Page, live_server: Any) -> None:
    UserFactory(username="li", roles=["clerk"])
    for _ in range(4):
        _sign_in(page, live_server.url, "li", "Wrong-password-1")
        expect(page.locator("#login-error")).to_contain_text("用户名或密码")
    _sign_in(page, live_server.url, "li", "Wrong-password-1")
    expect(page.locator("#login-error")).to_contain_text("锁定")
    _sign_in(page, live_server.url, "li", PASSWORD)
    expect(page.locator("#login-error")).to_contain_text("锁定")


def test_phone_width_has_a_navigation_drawer(phone: Page, live_server: Any, city: None) -> None:
    UserFactory(username="li", roles=["clerk"])
    _sign_in(phone, live_server.url, "li", PASSWORD)
    drawer = phone.locator("#sidenav")
    expect(drawer).not_to_be_visible()
    phone.click("button[aria-controls=sidenav]")
    expect(drawer).to_be_visible()
    expect(drawer.get_by_role("link").first).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360 + 1


def test_large_text_mode_enlarges_the_type(page: Page, live_server: Any, city: None) -> None:
    UserFactory(username="li", roles=["clerk"])
    _sign_in(page, live_server.url, "li", PASSWORD)
    before = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.click("#toggle-large-text")
    after = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert after > before
    page.reload()
    expect(page.locator("html")).to_have_class("large-text")
