"""The public search page /policy/: query box, facets with counts as filter links, highlighted
results, metadata line, sort and pagination; bad input shown in the form, never a 500."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client

from shuzhi.domains.policy.models import Disclosure, PolicyDocument, Topic, Validity
from tests.domains.policy.factories import document, publisher, topic
from tests.domains.policy.test_api import indexed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def page(params: dict[str, str] | None = None) -> str:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/policy/", params or {})
    assert response.status_code == 200
    return response.content.decode()


def result_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="card mb-2 policy-result" data-id="(\d+)"', html)]


@pytest.fixture
def library() -> dict[str, PolicyDocument]:
    t1 = topic("0102", "电子政务")
    t2 = topic("0501", "财政", parent=("05", "财政、金融、审计"))
    fgw = publisher("市发改委", org_code="113308000026180000", department_code="330800-FGW")
    docs = {
        "one": document(
            title="关于深化一网通办改革的通知",
            body="一、总体要求\n全面推进一网通办，建设数字政府。",
            topic=t1,
            written_on=date(2022, 9, 28),
        ),
        "two": document(
            title="关于免申即享的实施意见",
            body="一、主要任务\n推进惠企政策免申即享，一网通办平台支撑。",
            topic=t2,
            publisher=fgw,
            written_on=date(2024, 3, 1),
            validity=Validity.REPEALED,
        ),
        "hidden": document(
            title="一网通办内部工作方案", topic=t1, disclosure=Disclosure.NOT_DISCLOSED
        ),
    }
    indexed(*docs.values())
    return docs


def test_search_page_lists_highlighted_results_with_facets(library: dict[str, Any]) -> None:
    html = page({"q": "一网通办"})
    assert set(result_ids(html)) == {library["one"].pk, library["two"].pk}
    assert 'data-total="2"' in html
    assert "<mark>" in html
    assert "内部工作方案" not in html
    # facets: counts, labels (topic names, validity labels), links that add the filter
    assert 'data-facet="publisher" data-value="市发改委"' in html
    assert 'data-facet="topic" data-value="0501"' in html
    assert Topic.objects.get(code="0501").name_en in html  # the label in the reader's language
    assert 'data-facet="validity" data-value="repealed"' in html
    assert "Repealed" in html
    assert 'data-facet="year" data-value="2024"' in html
    assert "/policy/feeds/rss/" in html
    assert "/policy/topics/" in html


def test_facet_link_filters_and_toggles_off(library: dict[str, Any]) -> None:
    html = page({"q": "一网通办", "publisher": "市发改委"})
    assert result_ids(html) == [library["two"].pk]
    selected = re.search(
        r'<a class="facet[^"]*"[^>]*data-value="市发改委" aria-current="true"', html
    )
    assert selected is not None
    # the selected value's link removes the filter and keeps the query
    link = re.search(r'href="([^"]*)" data-facet="publisher" data-value="市发改委"', html)
    assert link is not None
    assert "publisher" not in link.group(1)
    assert "q=" in link.group(1)
    assert 'id="clear-filters"' in html


def test_empty_query_lists_newest_first_and_paginates(library: dict[str, Any]) -> None:
    html = page()
    assert result_ids(html) == [library["two"].pk, library["one"].pk]
    assert 'data-sort="newest"' in html


def test_pagination_links(monkeypatch: Any) -> None:
    from shuzhi.domains.policy import views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    indexed(*[document(title=f"关于第{i}批数字政府项目的通知") for i in range(5)])
    first = page({"q": "数字政府"})
    assert len(result_ids(first)) == 2
    assert 'id="next-page"' in first
    third = page({"q": "数字政府", "page": "3"})
    assert len(result_ids(third)) == 1
    assert 'rel="prev"' in third
    assert 'id="next-page"' not in third


@pytest.mark.parametrize(
    "params",
    [
        {"q": "政" * 10_000},
        {"q": "*:()[]{}^~!\"'"},
        {"page": "0"},
        {"page": "-3"},
        {"page": "99999999999999999999"},
        {"year": "x"},
        {"validity": "<script>"},
        {"sort": "evil"},
        {"topic": "9" * 500},
    ],
)
def test_bad_input_is_shown_not_a_500(params: dict[str, str], library: dict[str, Any]) -> None:
    html = page(params)  # asserts 200
    assert 'id="result-count"' in html
    assert "<script>&" not in html
    assert '"<script>"' not in html


def test_too_long_query_says_the_limit(library: dict[str, Any]) -> None:
    html = page({"q": "政" * 10_000})
    assert 'id="search-errors"' in html
    assert "at most 200 characters" in html
    assert result_ids(html) == []


def test_no_results_explain_what_to_do(library: dict[str, Any]) -> None:
    html = page({"q": "完全不存在的词语组合"})
    assert 'id="no-results"' in html
    assert "Try fewer or other words" in html


def test_exact_index_number_from_the_search_box(library: dict[str, Any]) -> None:
    html = page({"q": library["two"].index_number})
    assert result_ids(html)[0] == library["two"].pk


def test_desk_link_only_for_publishers() -> None:
    from tests.factories import UserFactory

    staff = UserFactory(username="desk", department=publisher().department, roles=["approver"])
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert 'id="desk-link"' not in browser.get("/policy/").content.decode()
    browser.force_login(staff)
    assert 'id="desk-link"' in browser.get("/policy/").content.decode()


def test_long_facets_fold_the_rest_under_more() -> None:
    docs = [
        document(
            title=f"关于数字政府建设的通知{i}",
            publisher=publisher(
                f"县政府{i:02d}", org_code=f"1133080{i:011d}", department_code=f"D{i}"
            ),
        )
        for i in range(11)
    ]
    indexed(*docs)
    html = page({"q": "数字政府"})
    facet = html[html.index('id="facet-publisher"') : html.index('id="facet-topic"')]
    assert facet.count('data-facet="publisher"') == 11
    assert "3 more</summary>" in facet
