"""The search-engine interface of the policy library: what any engine indexes and answers.

The library talks to an engine only through :class:`SearchEngine`; ``tantivy_engine`` (embedded,
the default) and ``opensearch_engine`` (a cluster, for scale) implement it, chosen by the setting
``SHUZHI_POLICY_SEARCH_ENGINE``. Engines hold only public (主动公开) documents and never decide who
may see what: the database is the truth and the index can always be rebuilt from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol

# the facets every engine counts, in the order pages show them
FACETS: tuple[str, ...] = ("publisher", "topic", "year", "validity")
Sort = Literal["relevance", "newest"]


@dataclass(frozen=True)
class IndexedDocument:
    """One document as the engine sees it (built from ``PolicyDocument`` by ``indexing``)."""

    id: int
    index_number: str  # 索引号
    doc_number: str  # 文号, "" when none
    title: str
    body: str
    publisher: str  # the publisher's name (发布机构), also the facet value
    topic: str  # the second-level topic's code
    topic_parent: str  # its first-level topic's code
    genre: str
    validity: str
    published_on: date

    @property
    def year(self) -> int:
        return self.published_on.year


@dataclass(frozen=True)
class SearchQuery:
    """A search: free text (words, "a phrase", 文号 or 索引号) plus exact filters."""

    text: str = ""
    publisher: str | None = None
    topic: str | None = None  # a first- or second-level topic code
    year: int | None = None
    validity: str | None = None
    genre: str | None = None
    sort: Sort = "relevance"
    page: int = 1  # 1-based
    per_page: int = 20


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    title_html: str  # the title with matched words in <mark>, everything else escaped
    snippet_html: str  # the best fragment of the body, same marking


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: list[Hit]
    # facet → value → count over all matching documents (not only this page)
    facets: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


class SearchEngine(Protocol):
    """What the policy library needs of a search engine."""

    def add(self, documents: Iterable[IndexedDocument]) -> int:
        """Index (or replace, by id) these documents and commit; returns how many."""
        ...

    def delete(self, ids: Iterable[int]) -> None:
        """Remove these documents (unknown ids are ignored) and commit."""
        ...

    def clear(self) -> None:
        """Remove every document."""
        ...

    def ids(self) -> set[int]:
        """Every indexed document id (for the consistency check against the database)."""
        ...

    def search(self, query: SearchQuery) -> SearchResults:
        """Ranked (BM25) hits for one page, with highlighted snippets and facet counts."""
        ...
