"""The citizen portal and 政企通 in a browser on a phone: the sections show, large-text mode keeps
the page inside the screen, and axe-core (from node_modules) finds no serious or critical
accessibility violation — on the portals and on the public service catalogue."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page, expect

from shuzhi.domains.market.models import CreditClass, CreditRun
from tests.domains.carbon.test_finance import ALPHA, run_with_accounts
from tests.domains.market.test_codes import FAST_HASHER
from tests.domains.services.test_portal import City, application, city, grant, licence, policy
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def _filled(settings: Any) -> City:
    settings.PASSWORD_HASHERS = [*settings.PASSWORD_HASHERS, FAST_HASHER]
    c = city()
    application(c, "resident", "SQ-BROWSER-1")
    application(c, "alpha", "SQ-BROWSER-2", credit_code=ALPHA)
    licence(c, "ZZ-BROWSER-1", resident=c.residents["resident"])
    licence(c, "ZZ-BROWSER-2", credit_code=ALPHA, holder_name="衢州甲化工有限公司")
    p, v = policy(c, "elderly", "citizen", "高龄津贴")
    grant(p, v, "approved", resident=c.residents["resident"], amount="150.00")
    grant(p, v, "confirmed", resident=c.residents["resident"], period="2026-10")
    p2, v2 = policy(c, "stable_jobs", "enterprise", "企业稳岗返还")
    grant(p2, v2, "approved", credit_code=ALPHA, amount="5000.00")
    run = CreditRun.objects.create(
        as_of=date(2026, 11, 1), state="complete", trigger="manual", is_current=True
    )
    CreditClass.objects.create(run=run, credit_code=ALPHA, name="甲", score=90, credit_class="B")
    run_with_accounts(sectors=False)
    return c


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_load_state("load")


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"horizontal overflow: {width} > {inner}"


def _axe(page: Page, where: str) -> None:
    assert AXE.exists(), f"{AXE} missing: run `npm install` (axe-core is in package.json)"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    found = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v.get("impact") in BLOCKING
    ]
    assert not found, f"axe-core on {where}: {found}"


def _large_text(page: Page) -> None:
    page.click("#toggle-large-text")
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    # leave the button: axe must see its resting colours, not a hover transition
    page.mouse.move(0, page.viewport_size["height"] - 1 if page.viewport_size else 0)
    page.wait_for_timeout(400)


def test_citizen_portal_on_a_phone_large_text_and_axe(
    phone: Page, live_server: Any, settings: Any
) -> None:
    _filled(settings)
    _sign_in(phone, live_server.url, "resident")
    phone.goto(f"{live_server.url}/services/me/")
    for slot in ("applications", "licences", "benefits"):
        expect(phone.locator(f"#slot-{slot}")).to_have_attribute("data-state", "ok")
    expect(phone.locator("#slot-applications")).to_contain_text("SQ-BROWSER-1")
    expect(phone.locator("#slot-licences")).to_contain_text("ZZ-BROWSER-1")
    expect(phone.locator("#slot-benefits .alert-warning")).to_have_count(1)
    # one column on a phone: the cards are stacked, each as wide as the next
    boxes = [phone.locator(f"#slot-{s}").bounding_box() for s in ("applications", "licences")]
    assert boxes[0]
    assert boxes[1]
    assert boxes[1]["y"] > boxes[0]["y"]
    assert abs(boxes[0]["x"] - boxes[1]["x"]) < 1
    _fits(phone)
    _axe(phone, "citizen portal")
    _large_text(phone)
    _fits(phone)
    expect(phone.locator("#slot-benefits")).to_be_visible()
    _axe(phone, "citizen portal (large text)")


def test_enterprise_portal_on_a_phone_large_text_and_axe(
    phone: Page, live_server: Any, settings: Any
) -> None:
    _filled(settings)
    _sign_in(phone, live_server.url, "alpha")
    phone.goto(f"{live_server.url}/services/enterprise/")
    expect(phone.locator("#enterprise-credit-code")).to_have_text(ALPHA)
    for slot in ("applications", "licences", "benefits", "credit", "carbon", "cases", "policies"):
        expect(phone.locator(f"#slot-{slot}")).to_have_attribute("data-state", "ok")
    expect(phone.locator("#credit-class")).to_have_attribute("data-class", "B")
    expect(phone.locator("#carbon-account")).to_have_attribute("data-colour", "light_green")
    _fits(phone)
    _axe(phone, "enterprise portal")
    _large_text(phone)
    _fits(phone)
    _axe(phone, "enterprise portal (large text)")


def test_public_catalogue_passes_axe(phone: Page, live_server: Any, settings: Any) -> None:
    try:
        url = reverse("services:index")
    except NoReverseMatch:
        pytest.skip("the service catalogue (services:index) is not built yet")
    _filled(settings)
    phone.goto(f"{live_server.url}{url}")
    _fits(phone)
    _axe(phone, "service catalogue")
    _large_text(phone)
    _fits(phone)
    _axe(phone, "service catalogue (large text)")
