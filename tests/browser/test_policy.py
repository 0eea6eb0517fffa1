"""The policy library in a real browser: search → facet filter → reading view → an outline link
jumps to its heading; on a 390 px phone, also in large-text mode, nothing scrolls sideways; and
axe-core finds no serious or critical accessibility violation on the search and reading pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from shuzhi.domains.policy.models import Genre, PolicyDocument
from tests.browser.test_services_portal import _axe, _fits, _large_text
from tests.domains.policy.factories import document, publisher, topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTIONS = "\n".join(
    f"{n}、第{n}部分要求\n"
    + "\n".join(
        f"（{m}）第{m}项任务\n深化一网通办改革，推进数字政府建设，打造掌上办事之城。" * 3
        for m in "一二三"
    )
    for n in "一二三四五"
)


def _library() -> dict[str, PolicyDocument]:
    from shuzhi.domains.policy.search import get_engine
    from shuzhi.domains.policy.services.indexing import to_indexed

    t = topic()
    fgw = publisher("市发改委", org_code="113308000026180000", department_code="330800-FGW")
    main = document(
        title="衢州市人民政府关于深化一网通办改革的实施意见",
        body="各县（市、区）人民政府，市政府各部门：\n" + SECTIONS,
        topic=t,
        written_on=date(2022, 9, 28),
    )
    other = document(
        title="关于推进一网通办和免申即享的通知",
        body="一、工作目标\n推进一网通办与免申即享。",
        publisher=fgw,
        topic=t,
        written_on=date(2024, 1, 5),
    )
    explain = document(
        title="《关于深化一网通办改革的实施意见》政策解读",
        body="一图读懂一网通办改革。",
        genre=Genre.INTERPRETATION,
        interprets=main,
        topic=t,
    )
    get_engine().add([to_indexed(d) for d in (main, other, explain)])
    return {"main": main, "other": other, "explain": explain}


@pytest.fixture
def phone390(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_search_facet_reading_view_and_outline_jump(page: Page, live_server: Any) -> None:
    docs = _library()
    page.goto(f"{live_server.url}/policy/?q=一网通办")
    expect(page.locator("#result-count")).to_have_attribute("data-total", "3")
    expect(page.locator("#results mark").first).to_be_visible()
    expect(page.locator("#facets")).to_have_attribute("open", "")  # beside the results
    _axe(page, "policy search")
    page.click('#facet-publisher a[data-value="市发改委"]')
    expect(page.locator("#result-count")).to_have_attribute("data-total", "1")
    expect(page.locator(".policy-result")).to_have_attribute("data-id", str(docs["other"].pk))
    page.click('#facet-publisher a[data-value="市发改委"]')  # the selected value removes it
    expect(page.locator("#result-count")).to_have_attribute("data-total", "3")
    page.click(f'.policy-result[data-id="{docs["main"].pk}"] h3 a')
    expect(page.locator("#policy-metadata")).to_contain_text(docs["main"].index_number)
    expect(page.locator("#interpretations")).to_contain_text("政策解读")
    expect(page.locator("#policy-body mark.policy-term").first).to_be_visible()
    target = page.locator("#s-5")
    assert not target.evaluate("e => e.getBoundingClientRect().top < window.innerHeight")
    page.click('#outline a[href="#s-5"]')
    page.wait_for_function("location.hash === '#s-5'")
    expect(target).to_be_in_viewport()
    _axe(page, "policy reading view")


def test_pages_fit_a_390px_phone_with_large_text(phone390: Page, live_server: Any) -> None:
    docs = _library()
    phone390.goto(f"{live_server.url}/policy/?q=一网通办")
    expect(phone390.locator(".policy-result")).to_have_count(3)
    expect(phone390.locator("#facets")).not_to_have_attribute("open", "")  # results come first
    expect(phone390.locator(".policy-result").first).to_be_in_viewport()
    _fits(phone390)
    _large_text(phone390)
    _fits(phone390)
    _axe(phone390, "policy search on a phone (large text)")
    phone390.goto(f"{live_server.url}/policy/documents/{docs['main'].pk}/")
    expect(phone390.locator("#outline")).to_be_hidden()  # the side outline is for desktops
    phone390.click("#outline-phone summary")
    phone390.click('#outline-phone a[href="#s-4"]')
    expect(phone390.locator("#s-4")).to_be_in_viewport()
    _fits(phone390)
    _axe(phone390, "policy reading view on a phone (large text)")
    phone390.goto(f"{live_server.url}/policy/topics/")
    _fits(phone390)


def test_publishers_desk_passes_axe_on_a_phone(
    phone390: Page, live_server: Any, settings: Any
) -> None:
    from tests.browser.test_services_portal import _sign_in
    from tests.domains.market.test_codes import FAST_HASHER
    from tests.factories import UserFactory

    settings.PASSWORD_HASHERS = [FAST_HASHER, *settings.PASSWORD_HASHERS]
    docs = _library()
    UserFactory(
        username="steward", department=docs["main"].publisher.department, roles=["data_steward"]
    )
    _sign_in(phone390, live_server.url, "steward")
    for path in (
        "/policy/manage/",
        "/policy/manage/import/",
        f"/policy/manage/documents/{docs['main'].pk}/",
    ):
        phone390.goto(f"{live_server.url}{path}")
        expect(phone390.locator("h1")).to_be_visible()
        _fits(phone390)
        _axe(phone390, f"publishers' desk {path}")
    phone390.goto(f"{live_server.url}/policy/manage/")
    expect(phone390.locator("#manage-documents tbody tr")).to_have_count(2)  # 市人民政府's own
