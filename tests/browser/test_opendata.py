"""An anonymous visitor uses the open-data portal on a phone: search, preview, download links."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.factories import DepartmentFactory, DivisionFactory, UserFactory
from tests.platform.opendata.conftest import load, make_dataset, power_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_anonymous_visitor_on_a_phone(phone: Page, live_server: Any, tmp_path: Path) -> None:
    eib = DepartmentFactory(code="330800-EIB", name="市经信局", division=DivisionFactory())
    steward = UserFactory(username="eib_steward", roles=["data_steward"], department=eib)
    dataset = make_dataset(steward, eib, "open_power", "open", name="企业月度用电（开放）")
    load(dataset, steward, tmp_path, power_rows(3))
    make_dataset(steward, eib, "closed_power", "closed", name="企业用电内部（禁止）")

    phone.goto(f"{live_server.url}/open/")
    expect(phone.locator("h1")).to_be_visible()
    phone.fill("#id_q", "用电")
    phone.press("#id_q", "Enter")
    phone.wait_for_load_state("load")
    expect(phone.locator("main")).to_contain_text("企业月度用电（开放）")
    expect(phone.locator("main")).not_to_contain_text("企业用电内部（禁止）")
    phone.click("text=企业月度用电（开放）")
    expect(phone.locator("#preview")).to_be_visible()
    expect(phone.locator("a[href$='download.xlsx']")).to_be_visible()
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
