"""The policy library's search engine on an OpenSearch cluster (for scale), via opensearch-py.

Same semantics as :mod:`.tantivy_engine`: words ANDed, ``"…"`` phrases, synonyms, a 文号 or
索引号 typed alone finds that document, BM25, ``<mark>`` highlights with everything else escaped,
facet counts over all matches, filters, newest first.

Mapping: ``title_seg`` / ``body_seg`` hold our own rjieba segmentation (search mode, government
terms) under a whitespace analyzer; ``title`` / ``body`` hold the text under the IK analyzer when
the cluster has the ``analysis-ik`` plugin, else the standard analyzer (one token per Chinese
character, so a phrase of characters finds any word the dictionary lacks). Tests run only when
``SHUZHI_POLICY_OPENSEARCH_URL`` is set (``tests/domains/policy/test_opensearch.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from opensearchpy import OpenSearch, helpers

from . import segment
from .base import FACETS, Hit, IndexedDocument, SearchQuery, SearchResults
from .tantivy_engine import FACET_SIZES, SNIPPET_CHARS, TITLE_BOOST, QueryText, doc_number_key

CHUNK = 500


class OpenSearchEngine:
    """A :class:`~.base.SearchEngine` on the OpenSearch index ``index`` at ``url``."""

    def __init__(self, url: str, index: str) -> None:
        self.url = url
        self.index = index
        self.client = OpenSearch(hosts=[url], timeout=30)
        self._ready = False

    # the index -------------------------------------------------------------------------

    def _has_ik(self) -> bool:
        try:
            plugins = self.client.cat.plugins(format="json")
        except Exception:  # a cluster that hides its plugins: assume none
            return False
        return any("ik" in str(p.get("component", "")).lower() for p in plugins)

    def _mapping(self) -> dict[str, Any]:
        text: dict[str, Any] = {"type": "text", "analyzer": "standard"}
        if self._has_ik():
            text = {"type": "text", "analyzer": "ik_max_word", "search_analyzer": "ik_smart"}
        keyword = {"type": "keyword"}
        segmented = {"type": "text", "analyzer": "whitespace"}
        return {
            "settings": {"index": {"number_of_shards": 1, "number_of_replicas": 0}},
            "mappings": {
                "properties": {
                    "id": {"type": "long"},
                    "title": text,
                    "body": text,
                    "title_seg": segmented,
                    "body_seg": segmented,
                    "index_number": keyword,
                    "doc_key": keyword,
                    "publisher": keyword,
                    "topic": keyword,
                    "topics": keyword,
                    "validity": keyword,
                    "genre": keyword,
                    "year": {"type": "integer"},
                    "published": {"type": "date"},
                }
            },
        }

    def _ensure(self) -> None:
        if self._ready:
            return
        if not self.client.indices.exists(index=self.index):
            self.client.indices.create(index=self.index, body=self._mapping())
        self._ready = True

    # writing ---------------------------------------------------------------------------

    def _source(self, doc: IndexedDocument) -> dict[str, Any]:
        return {
            "id": doc.id,
            "title": doc.title,
            "body": doc.body,
            "title_seg": segment.index_text(doc.title),
            "body_seg": segment.index_text(doc.body),
            "index_number": doc.index_number,
            "doc_key": doc_number_key(doc.doc_number) if doc.doc_number else None,
            "publisher": doc.publisher,
            "topic": doc.topic,
            "topics": [doc.topic, doc.topic_parent] if doc.topic_parent else [doc.topic],
            "validity": doc.validity,
            "genre": doc.genre,
            "year": doc.published_on.year,
            "published": doc.published_on.isoformat(),
        }

    def add(self, documents: Iterable[IndexedDocument]) -> int:
        self._ensure()
        count = 0

        def actions() -> Iterator[dict[str, Any]]:
            nonlocal count
            for doc in documents:
                count += 1
                yield {"_index": self.index, "_id": str(doc.id), "_source": self._source(doc)}

        helpers.bulk(self.client, actions(), chunk_size=CHUNK, refresh=True)
        return count

    def delete(self, ids: Iterable[int]) -> None:
        self._ensure()
        actions = ({"_op_type": "delete", "_index": self.index, "_id": str(pk)} for pk in ids)
        helpers.bulk(self.client, actions, chunk_size=CHUNK, refresh=True, raise_on_error=False)

    def clear(self) -> None:
        self._ensure()
        self.client.delete_by_query(
            index=self.index, body={"query": {"match_all": {}}}, refresh=True, conflicts="proceed"
        )

    def ids(self) -> set[int]:
        self._ensure()
        found = helpers.scan(
            self.client, index=self.index, query={"query": {"match_all": {}}, "_source": False}
        )
        return {int(hit["_id"]) for hit in found}

    # searching -------------------------------------------------------------------------

    def _text_clause(self, text: str, *, phrase: bool) -> dict[str, Any] | None:
        should: list[dict[str, Any]] = []
        for alternative in segment.synonyms(text):
            words = segment.words(alternative)
            if not words:
                continue
            for name, boost in (("title", TITLE_BOOST), ("body", 1.0)):
                # the characters side by side: exact, whatever the dictionary knows
                should.append({"match_phrase": {name: {"query": alternative, "boost": boost}}})
                if not phrase:
                    should.append(
                        {
                            "match": {
                                f"{name}_seg": {
                                    "query": " ".join(words),
                                    "operator": "and",
                                    "boost": boost,
                                }
                            }
                        }
                    )
        if not should:
            return None
        return {"bool": {"should": should, "minimum_should_match": 1}}

    def _filters(self, query: SearchQuery) -> list[dict[str, Any]]:
        filters: list[dict[str, Any]] = []
        for name, value in (
            ("publisher", query.publisher),
            ("topics", query.topic),
            ("year", query.year),
            ("validity", query.validity),
            ("genre", query.genre),
        ):
            if value not in (None, ""):
                filters.append({"term": {name: value}})
        return filters

    def search(self, query: SearchQuery) -> SearchResults:
        self._ensure()
        empty = SearchResults(total=0, hits=[], facets={name: {} for name in FACETS})
        parsed = QueryText.parse(query.text)
        text = query.text.strip()
        if text and parsed.empty and not parsed.identifier:
            return empty
        filters = self._filters(query)
        body_query: dict[str, Any] | None = None
        marks: list[str] = []
        if parsed.identifier:
            exact = {
                "bool": {
                    "should": [
                        {"term": {"index_number": parsed.identifier}},
                        {"term": {"doc_key": doc_number_key(parsed.identifier)}},
                    ],
                    "minimum_should_match": 1,
                    "filter": filters,
                }
            }
            if self.client.count(index=self.index, body={"query": exact})["count"]:
                body_query = exact
        if body_query is None:
            clauses = [
                c
                for c in (
                    *(self._text_clause(p, phrase=True) for p in parsed.phrases),
                    *(self._text_clause(w, phrase=False) for w in dict.fromkeys(parsed.words)),
                )
                if c is not None
            ]
            if text and not clauses:
                return empty
            marks = parsed.marks()
            body_query = {"bool": {"must": clauses or [{"match_all": {}}], "filter": filters}}
        newest = query.sort == "newest" or not text
        per_page = max(1, query.per_page)
        request: dict[str, Any] = {
            "query": body_query,
            "from": max(0, query.page - 1) * per_page,
            "size": per_page,
            "track_total_hits": True,
            "_source": False,
            "aggs": {
                name: {"terms": {"field": name, "size": FACET_SIZES[name]}} for name in FACETS
            },
            "highlight": {
                "pre_tags": ["<mark>"],
                "post_tags": ["</mark>"],
                "encoder": "html",
                "fields": {
                    "title": {"number_of_fragments": 0, "no_match_size": 400},
                    "body": {
                        "fragment_size": SNIPPET_CHARS,
                        "number_of_fragments": 1,
                        "no_match_size": SNIPPET_CHARS,
                    },
                },
            },
        }
        if marks:
            request["highlight"]["highlight_query"] = {
                "bool": {
                    "should": [
                        {"match_phrase": {name: mark}}
                        for mark in marks
                        for name in ("title", "body")
                    ]
                }
            }
        if newest:
            request["sort"] = [{"published": "desc"}, {"id": "desc"}]
        answer = self.client.search(index=self.index, body=request)
        total = int(answer["hits"]["total"]["value"])
        facets = {
            name: {
                str(b["key"]): int(b["doc_count"])
                for b in answer.get("aggregations", {}).get(name, {}).get("buckets", [])
            }
            for name in FACETS
        }
        hits = []
        for hit in answer["hits"]["hits"]:
            shown = hit.get("highlight", {})
            hits.append(
                Hit(
                    id=int(hit["_id"]),
                    score=0.0 if newest else float(hit.get("_score") or 0.0),
                    title_html="".join(shown.get("title", [])),
                    snippet_html="".join(shown.get("body", [])),
                )
            )
        return SearchResults(total=total, hits=hits, facets=facets)
