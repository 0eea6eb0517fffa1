"""Review regressions: odd input and engine failures answer 4xx/503, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from shuzhi.domains.policy.search.base import Hit, SearchQuery, SearchResults
from tests.domains.policy.factories import document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_non_ascii_digits_in_page_and_year_are_not_a_500() -> None:
    """``"²".isdigit()`` is true but ``int("²")`` raises: such input was a 500."""
    browser = Client()
    assert browser.get("/policy/", {"page": "²"}).status_code == 200
    page = browser.get("/policy/", {"year": "²"})
    assert page.status_code == 200
    assert "The year must be a year such as 2022." in page.content.decode()
    for name in ("page", "year", "per_page"):
        response = browser.get("/api/v1/policy/documents", {name: "²"})
        assert response.status_code == 422, name
        assert response.json()["error"]["details"]["field"] == name


def test_one_document_api_with_a_non_ascii_digit_reference_is_a_404() -> None:
    doc = document()
    browser = Client()
    assert browser.get("/api/v1/policy/documents/²").status_code == 404
    assert browser.get(f"/api/v1/policy/documents/{doc.pk}").status_code == 200


class _BrokenEngine:
    def search(self, query: SearchQuery) -> SearchResults:
        raise OSError("index folder gone")


def test_an_engine_failure_is_a_503_not_a_500(monkeypatch: Any) -> None:
    from shuzhi.domains.policy.selectors import search

    monkeypatch.setattr(search, "get_engine", lambda: _BrokenEngine())
    browser = Client()
    api = browser.get("/api/v1/policy/documents", {"q": "一网通办"})
    assert api.status_code == 503
    assert api.json()["error"]["code"] == "search_unavailable"
    page = browser.get("/policy/", {"q": "一网通办"})
    assert page.status_code == 503
    assert "The search is unavailable at the moment" in page.content.decode()


class _FaultyEngine:
    """An engine that forgets to escape: an unclosed tag slipped past the old tag filter."""

    def __init__(self, pk: int) -> None:
        self.pk = pk

    def search(self, query: SearchQuery) -> SearchResults:
        bad = '<mark>x</mark><img src=x onerror="alert(1)"'
        hit = Hit(id=self.pk, score=1.0, title_html=bad, snippet_html=bad + "<b>y</b>")
        return SearchResults(total=1, hits=[hit], facets={})


def test_a_faulty_engines_markup_is_escaped_except_mark(monkeypatch: Any) -> None:
    from shuzhi.domains.policy.selectors import search

    doc = document()
    monkeypatch.setattr(search, "get_engine", lambda: _FaultyEngine(doc.pk))
    browser = Client()
    row = browser.get("/api/v1/policy/documents", {"q": "x"}).json()["results"][0]
    for value in (row["title_html"], row["snippet_html"]):
        assert value.startswith("<mark>x</mark>&lt;img")
        assert "<img" not in value
        assert "<b>" not in value
    page = browser.get("/policy/", {"q": "x"}).content.decode()
    assert "<mark>x</mark>&lt;img src=x" in page
    assert "<img src=x" not in page


def test_the_reading_view_of_a_long_body_with_many_headings_is_linear() -> None:
    """Each plain line searched every outline entry: 20,000 lines before 20,000 headings took
    minutes of a public page."""
    import time

    from shuzhi.domains.policy.outline import outline
    from shuzhi.domains.policy.views import render_body

    body = "\n".join(["正文内容。"] * 20_000 + [f"{n % 99 + 1}.标题{n}" for n in range(20_000)])
    entries = outline(body)
    assert len(entries) == 20_000
    started = time.monotonic()
    html = render_body(body, entries, [])
    assert time.monotonic() - started < 2.0
    assert html.count('class="policy-heading') == 20_000
    assert f'id="{entries[-1]["anchor"]}"' in html


def test_paging_beyond_the_result_window_is_a_422_naming_page() -> None:
    """page=1000&per_page=50 asked an OpenSearch server for results past its 10,000 window:
    an engine error, not the caller's clear 422."""
    from shuzhi.domains.policy.selectors.search import MAX_RESULTS, search_documents

    browser = Client()
    response = browser.get("/api/v1/policy/documents", {"page": "1000", "per_page": "50"})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "page"
    last = browser.get("/api/v1/policy/documents", {"page": "200", "per_page": "50"})
    assert last.status_code == 200
    with pytest.raises(ValueError, match="first 10000 results"):
        search_documents(SearchQuery(text="", page=MAX_RESULTS // 20 + 1, per_page=20))
