"""The enterprise code in a browser: the public page on a phone shows the name and the colour
(with its text label); the enterprise's own user confirms a self-check item (五自)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from shuzhi.domains.market.models import SelfCheck
from shuzhi.domains.market.services.codes import code_issue, self_check_items_load
from tests.domains.market.test_codes import FAST_HASHER, classify, registry
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_page_on_a_phone_and_the_own_user_confirms_an_item(
    browser: Browser, phone: Page, live_server: Any, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = [*settings.PASSWORD_HASHERS, FAST_HASHER]
    reg = registry()
    self_check_items_load(by=None)
    firm = reg.firms["diner"]
    classify({firm.credit_code: "D"})
    token = code_issue(enterprise=firm, by=reg.city).token
    url = f"{live_server.url}/market/code/{token}/"

    phone.goto(url)
    expect(phone.locator("#enterprise-name")).to_have_text(firm.name)
    expect(phone.locator("#colour-swatch")).to_have_attribute("data-colour", "#dc3545")
    expect(phone.locator("#colour-label")).not_to_be_empty()
    expect(phone.locator("#self-check")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360 + 1

    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    own = context.new_page()
    own.set_default_timeout(15_000)
    own.goto(f"{live_server.url}/accounts/login/")
    own.fill("#id_username", reg.users["diner"].username)
    own.fill("#id_password", PASSWORD)
    own.click("#login-submit")
    own.wait_for_load_state("load")
    own.goto(url)
    item = own.locator("#item-G-REPORT-01")
    expect(item).to_be_visible()
    item.locator("button[value=yes]").click()
    own.wait_for_load_state("load")
    expect(own.locator("#self-check-history li")).to_have_count(1)
    context.close()
    check = SelfCheck.objects.get(enterprise=firm)
    assert check.item.code == "G-REPORT-01"
    assert check.confirmed
