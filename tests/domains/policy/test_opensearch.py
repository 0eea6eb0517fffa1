"""The OpenSearch engine of the policy library against a real cluster — run only when
``SHUZHI_POLICY_OPENSEARCH_URL`` is set (e.g. ``http://127.0.0.1:9200``); ``make test`` needs
no cluster. The same corpus and semantics as the tantivy engine's tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from shuzhi.domains.policy.search.base import SearchQuery
from shuzhi.domains.policy.search.opensearch_engine import OpenSearchEngine
from tests.domains.policy.test_search import CORPUS

URL = os.environ.get("SHUZHI_POLICY_OPENSEARCH_URL", "")

pytestmark = pytest.mark.skipif(not URL, reason="SHUZHI_POLICY_OPENSEARCH_URL is not set")


@pytest.fixture
def engine() -> Iterator[OpenSearchEngine]:
    found = OpenSearchEngine(URL, f"shuzhi-policy-test-{uuid.uuid4().hex[:8]}")
    assert found.add(CORPUS) == len(CORPUS)
    yield found
    found.client.indices.delete(index=found.index, ignore_unavailable=True)


def ids(engine: OpenSearchEngine, text: str = "", **filters: Any) -> list[int]:
    return [hit.id for hit in engine.search(SearchQuery(text=text, **filters)).hits]


def test_ranking_highlights_and_escaping(engine: OpenSearchEngine) -> None:
    assert ids(engine, "一网通办")[0] == 2
    hit = engine.search(SearchQuery(text="免申即享")).hits[0]
    assert hit.id == 5
    assert "<mark>" in hit.title_html
    assert "<script>" not in hit.snippet_html


def test_facets_filters_phrases_exact_and_synonyms(engine: OpenSearchEngine) -> None:
    results = engine.search(SearchQuery(text="建设", per_page=1))
    assert results.total == 3
    assert len(results.hits) == 1
    assert results.facets["publisher"] == {"市人民政府": 2, "市生态环境局": 1}
    assert ids(engine, "", topic="05") == [3]
    assert ids(engine, '"数字政府建设"') == [1]
    assert ids(engine, "衢政发〔2022〕1号") == [1]
    assert ids(engine, "11330800002618015K/2022-000003") == [3]
    assert set(ids(engine, "数字化政府")) == {1, 6}
    assert ids(engine, "莲花镇") == [4]


def test_delete_clear_ids_and_syntax(engine: OpenSearchEngine) -> None:
    assert engine.ids() == {1, 2, 3, 4, 5, 6}
    assert engine.search(SearchQuery(text="()**")).total == 0
    engine.delete([3, 99])
    assert engine.ids() == {1, 2, 4, 5, 6}
    engine.clear()
    assert engine.ids() == set()
