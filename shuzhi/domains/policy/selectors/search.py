"""Searching the policy library (政策文件检索): checked input, then the engine.

:func:`search_documents` refuses what no engine should see — a text over
:data:`MAX_QUERY_CHARS` (:class:`QueryTooLong`), a page below 1, a page size outside 1..50, an
unknown sort, validity or category (``ValueError`` with a translated message) — answers a text of
search-syntax characters only with no results, and asks the engine of the settings otherwise;
an engine failure is :class:`SearchUnavailable` (503 to the caller).
The engine holds only public (主动公开) documents (``services.indexing`` keeps it so).
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy

from shuzhi.platform.opendata.ratelimit import over_limit

from ..models import Genre, Validity
from ..search import get_engine
from ..search.base import FACETS, SearchQuery, SearchResults
from ..search.segment import is_wordy

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200
MAX_PER_PAGE = 50
# the deepest result that may be asked for (page × per page): OpenSearch refuses beyond its
# index.max_result_window, 10,000 by default
MAX_RESULTS = 10_000
SORTS = ("relevance", "newest")


TOO_MANY_SEARCHES = gettext_lazy(
    "Too many searches from this address in the last minute: wait a minute, or sign in to "
    "search without this limit."
)


def search_over_limit(request: HttpRequest) -> bool:
    """Count a search; True when an anonymous address has used its searches of this minute
    (``POLICY_SEARCH_ANONYMOUS_RATE``; signed-in people are not limited). The page and the
    API share one budget per address."""
    return over_limit(request, scope="policy_search", rate=settings.POLICY_SEARCH_ANONYMOUS_RATE)


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


class SearchUnavailable(RuntimeError):
    """The search engine failed (down, index missing or corrupt): pages and the API answer 503
    with this message; it is not the caller's input (not a ``ValueError``)."""

    def __init__(self) -> None:
        super().__init__(
            gettext("The search is unavailable at the moment; please try again later.")
        )


_OTHER_TAG = re.compile(r"<(?!/?mark>)[^<>]*>")
_NOT_MARK = re.compile(r"<(?!/?mark>)")


def marks_only(fragment: str) -> str:
    """An engine's highlighted text keeping only ``<mark>`` and ``</mark>``: any other tag is
    dropped and any other ``<`` (an unclosed tag) escaped. The engines escape the text
    themselves, so this changes nothing in their answers, but a faulty one cannot inject
    markup."""
    return _NOT_MARK.sub("&lt;", _OTHER_TAG.sub("", fragment or ""))


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
    if query.page * query.per_page > MAX_RESULTS:
        raise ValueError(
            gettext("Only the first %(limit)d results can be paged through; refine the search.")
            % {"limit": MAX_RESULTS}
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
    try:
        return get_engine().search(query)
    except Exception as error:  # the engine's own failure, never a 500 (nor "bad input")
        logger.exception("policy search: the engine failed")
        raise SearchUnavailable() from error
