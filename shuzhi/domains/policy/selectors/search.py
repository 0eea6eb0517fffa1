"""Searching the policy library (政策文件检索): checked input, then the engine.

:func:`search_documents` refuses what no engine should see — a text over
:data:`MAX_QUERY_CHARS` (:class:`QueryTooLong`), a page below 1, a page size outside 1..50, an
unknown sort, validity or category (``ValueError`` with a translated message) — answers a text of
search-syntax characters only with no results, and asks the engine of the settings otherwise.
The engine holds only public (主动公开) documents (``services.indexing`` keeps it so).
"""

from __future__ import annotations

from django.utils.translation import gettext

from ..models import Genre, Validity
from ..search import get_engine
from ..search.base import FACETS, SearchQuery, SearchResults
from ..search.segment import is_wordy

MAX_QUERY_CHARS = 200
MAX_PER_PAGE = 50
SORTS = ("relevance", "newest")


class QueryTooLong(ValueError):
    """The search text is longer than :data:`MAX_QUERY_CHARS`."""

    def __init__(self, length: int, limit: int = MAX_QUERY_CHARS) -> None:
        self.length = length
        self.limit = limit
        super().__init__(
            gettext(
                "The search text is too long: at most %(limit)d characters, "
                "this one has %(length)d."
            )
            % {"limit": limit, "length": length}
        )


def empty_results() -> SearchResults:
    return SearchResults(total=0, hits=[], facets={name: {} for name in FACETS})


def check_query(query: SearchQuery) -> None:
    """Raise ``ValueError`` (``QueryTooLong`` for the text) naming what is wrong."""
    if len(query.text) > MAX_QUERY_CHARS:
        raise QueryTooLong(len(query.text))
    if query.page < 1:
        raise ValueError(gettext("The page number must be 1 or more."))
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        raise ValueError(
            gettext("Results per page must be between 1 and %(limit)d.") % {"limit": MAX_PER_PAGE}
        )
    if query.sort not in SORTS:
        raise ValueError(gettext("Unknown sort order: %(sort)s.") % {"sort": query.sort})
    if query.validity and query.validity not in Validity.values:
        raise ValueError(gettext("Unknown validity: %(value)s.") % {"value": query.validity})
    if query.genre and query.genre not in Genre.values:
        raise ValueError(gettext("Unknown category: %(value)s.") % {"value": query.genre})


def search_documents(query: SearchQuery) -> SearchResults:
    """Ranked public documents for ``query`` with highlighted snippets and facet counts."""
    check_query(query)
    if query.text.strip() and not is_wordy(query.text):
        return empty_results()  # only search-syntax characters: nothing to look for
    return get_engine().search(query)
