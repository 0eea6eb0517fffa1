"""The public API GET /api/v1/policy/documents (+ one document): ranked results, metadata,
highlighted snippets, facet counts; 422 with the envelope for bad input; public documents only."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from shuzhi.domains.policy.models import Disclosure, PolicyDocument, Validity
from tests.domains.policy.factories import document, publisher, topic

pytestmark = pytest.mark.django_db
URL = "/api/v1/policy/documents"


def indexed(*docs: PolicyDocument) -> None:
    """Put the public ones of ``docs`` into this test's index through the indexing API."""
    from shuzhi.domains.policy.search import get_engine
    from shuzhi.domains.policy.services.indexing import to_indexed

    get_engine().add([to_indexed(d) for d in docs if d.is_public])


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


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
            doc_number="衢政发〔2022〕16号",
        ),
        "two": document(
            title="关于免申即享的实施意见",
            body="一、主要任务\n推进惠企政策免申即享，一网通办平台支撑。",
            topic=t2,
            publisher=fgw,
            written_on=date(2024, 3, 1),
            validity=Validity.EXPIRED,
        ),
        "hidden": document(
            title="一网通办内部工作方案",
            body="一网通办内部材料。",
            topic=t1,
            disclosure=Disclosure.NOT_DISCLOSED,
        ),
    }
    indexed(*docs.values())
    return docs


def test_search_returns_ranked_public_results_with_facets(library: dict[str, Any]) -> None:
    response = Client().get(URL, {"q": "一网通办"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert body["page"] == 1
    assert body["per_page"] == 20
    ids = [r["id"] for r in body["results"]]
    assert set(ids) == {library["one"].pk, library["two"].pk}
    first = body["results"][0]
    for key in (
        "index_number",
        "title",
        "title_html",
        "snippet_html",
        "doc_number",
        "publisher",
        "topic",
        "topic_name",
        "genre",
        "validity",
        "written_on",
        "published_on",
        "score",
        "url",
    ):
        assert key in first
    assert "<mark>" in first["title_html"] + first["snippet_html"]
    assert body["facets"]["publisher"] == {"市人民政府": 1, "市发改委": 1}
    assert body["facets"]["validity"] == {"valid": 1, "expired": 1}
    assert set(body["facets"]) == {"publisher", "topic", "year", "validity"}
    assert "内部" not in response.content.decode()


def test_filters_and_exact_document_number(library: dict[str, Any]) -> None:
    body = Client().get(URL, {"q": "一网通办", "validity": "expired"}).json()
    assert [r["id"] for r in body["results"]] == [library["two"].pk]
    body = Client().get(URL, {"publisher": "市人民政府"}).json()
    assert [r["id"] for r in body["results"]] == [library["one"].pk]
    body = Client().get(URL, {"q": "衢政发〔2022〕16号"}).json()
    assert body["results"][0]["id"] == library["one"].pk
    body = Client().get(URL, {"q": library["two"].index_number}).json()
    assert body["results"][0]["id"] == library["two"].pk


def test_newest_sort_and_paging(library: dict[str, Any]) -> None:
    body = Client().get(URL, {"sort": "newest", "per_page": "1"}).json()
    assert body["total"] == 2
    assert [r["id"] for r in body["results"]] == [library["two"].pk]
    body = Client().get(URL, {"sort": "newest", "per_page": "1", "page": "2"}).json()
    assert [r["id"] for r in body["results"]] == [library["one"].pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "政" * 10_000}, "q"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"per_page": "500"}, "per_page"),
        ({"validity": "eternal"}, "validity"),
        ({"sort": "random"}, "sort"),
        ({"year": "20x2"}, "year"),
        ({"genre": "poem"}, "genre"),
    ],
)
def test_bad_input_is_422_naming_the_field(params: dict[str, str], field: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(URL, params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["status"] == 422
    assert error["details"]["field"] == field
    assert error["message"]


def test_syntax_characters_only_is_an_empty_result(library: dict[str, Any]) -> None:
    for q in ('"', "*:()[]{}^~!", "AND OR NOT", '"""'):
        response = Client().get(URL, {"q": q})
        assert response.status_code == 200, q
        assert response.json()["total"] in (0, 2), q  # empty, or the query means "everything"


def test_one_document_by_id_or_index_number(library: dict[str, Any]) -> None:
    one = library["one"]
    body = Client().get(f"{URL}/{one.pk}").json()
    assert body["index_number"] == one.index_number
    assert body["body"] == one.body
    assert body["outline"][0]["title"] == "总体要求"
    by_number = Client().get(f"{URL}/{one.index_number}")
    assert by_number.status_code == 200
    assert by_number.json()["id"] == one.pk


def test_non_public_and_unknown_documents_are_404(library: dict[str, Any]) -> None:
    hidden = library["hidden"]
    for ref in (str(hidden.pk), hidden.index_number, "999999", "nope"):
        response = Client().get(f"{URL}/{ref}")
        assert response.status_code == 404, ref
        assert response.json()["error"]["code"] == "not_found"


def test_anonymous_searches_are_limited_per_address_and_the_page_shares_the_budget(
    client: Client, library: dict[str, PolicyDocument], settings: Any
) -> None:
    from datetime import UTC, datetime

    import time_machine
    from django.core.cache import cache

    cache.clear()
    settings.POLICY_SEARCH_ANONYMOUS_RATE = 5
    with time_machine.travel(datetime(2026, 11, 26, 10, 0, 10, tzinfo=UTC), tick=False):
        statuses = [client.get(URL, {"q": "一网通办"}).status_code for _ in range(3)]
        statuses += [client.get("/policy/", {"q": "一网通办"}).status_code for _ in range(2)]
        api = client.get(URL, {"q": "一网通办"})
        page = client.get("/policy/", {"q": "一网通办"})
        other = client.get(URL, {"q": "一网通办"}, REMOTE_ADDR="10.0.0.9")
    assert statuses == [200] * 5
    assert api.status_code == 429
    assert api["Retry-After"] == "60"
    assert api.json()["error"]["code"] == "rate_limited"
    assert "Too many searches" in api.json()["error"]["message"]
    assert page.status_code == 429
    assert page["Retry-After"] == "60"
    assert "Too many searches" in page.content.decode()
    assert 'id="result-count"' not in page.content.decode()  # no empty results shown
    assert other.status_code == 200  # another address has its own budget
    with time_machine.travel(datetime(2026, 11, 26, 10, 1, 10, tzinfo=UTC), tick=False):
        assert client.get(URL, {"q": "一网通办"}).status_code == 200  # a new minute


def test_signed_in_searches_are_not_limited(
    client: Client, library: dict[str, PolicyDocument], settings: Any
) -> None:
    from django.core.cache import cache

    from tests.factories import UserFactory

    cache.clear()
    settings.POLICY_SEARCH_ANONYMOUS_RATE = 1
    client.force_login(UserFactory(username="reader", roles=["public"]))
    assert [client.get(URL, {"q": "一网通办"}).status_code for _ in range(3)] == [200] * 3
