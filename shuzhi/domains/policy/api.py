"""The public API of the policy library at /api/v1/policy/ (no sign-in: public documents only).

- ``GET /documents?q=&publisher=&topic=&validity=&year=&genre=&page=&per_page=&sort=``: ranked
  results (BM25, or newest first) with metadata, highlighted title and snippet (``<mark>``, the
  rest HTML-escaped) and the facet counts over all matches.
- ``GET /documents/{id or 索引号}``: one public document with its metadata, outline and body.

Bad input answers 422 in the platform's error envelope, ``details.field`` naming the parameter.
"""

from __future__ import annotations

import html
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router

from shuzhi.platform.errors import error_response
from shuzhi.platform.opendata.ratelimit import retry_later

from .models import Genre, PolicyDocument, Validity
from .search.base import FACETS, SearchQuery
from .selectors.documents import (
    document_links,
    document_outline,
    public_document_by_reference,
    public_documents_by_ids,
    topic_labels,
)
from .selectors.search import (
    MAX_QUERY_CHARS,
    MAX_RESULTS,
    TOO_MANY_SEARCHES,
    SearchUnavailable,
    marks_only,
    search_documents,
    search_over_limit,
)

router = Router(tags=["policy"])

MAX_PER_PAGE = 50
MAX_PAGE = 1000
SORTS = ("relevance", "newest")


class _Invalid(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _invalid(field: str, message: str) -> JsonResponse:
    return error_response(422, "invalid_input", message, {"field": field})


def _int(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6 or not low <= int(raw) <= high:
        raise _Invalid(
            name,
            _("%(field)s must be a whole number from %(low)d to %(high)d.")
            % {"field": name, "low": low, "high": high},
        )
    return int(raw)


def _query(get: Any) -> SearchQuery:
    text = get.get("q", "") or ""
    if len(text) > MAX_QUERY_CHARS:
        raise _Invalid(
            "q",
            _("The search text is too long: at most %(limit)d characters.")
            % {"limit": MAX_QUERY_CHARS},
        )
    validity = get.get("validity") or None
    if validity is not None and validity not in Validity.values:
        raise _Invalid(
            "validity",
            _("Unknown validity %(value)s; use one of: %(values)s.")
            % {"value": validity[:20], "values": ", ".join(Validity.values)},
        )
    genre = get.get("genre") or None
    if genre is not None and genre not in Genre.values:
        raise _Invalid(
            "genre",
            _("Unknown category %(value)s; use one of: %(values)s.")
            % {"value": genre[:20], "values": ", ".join(Genre.values)},
        )
    sort = get.get("sort") or ("relevance" if text.strip() else "newest")
    if sort not in SORTS:
        raise _Invalid(
            "sort",
            _("Unknown sort %(value)s; use relevance or newest.") % {"value": sort[:20]},
        )
    for name in ("publisher", "topic"):
        if len(get.get(name, "") or "") > 64:
            raise _Invalid(name, _("%(field)s is too long.") % {"field": name})
    per_page = _int("per_page", get.get("per_page"), 20, 1, MAX_PER_PAGE)
    page = _int("page", get.get("page"), 1, 1, MAX_PAGE)
    if page * per_page > MAX_RESULTS:  # OpenSearch's result window (a 500 from it before)
        raise _Invalid(
            "page",
            _("Only the first %(limit)d results can be paged through; refine the search.")
            % {"limit": MAX_RESULTS},
        )
    return SearchQuery(
        text=text,
        publisher=get.get("publisher") or None,
        topic=get.get("topic") or None,
        year=_int("year", get.get("year"), 0, 1949, 2100) or None,
        validity=validity,
        genre=genre,
        sort="newest" if sort == "newest" else "relevance",
        page=page,
        per_page=per_page,
    )


def _metadata(doc: PolicyDocument) -> dict[str, Any]:
    return {
        "id": doc.pk,
        "index_number": doc.index_number,
        "title": doc.title,
        "doc_number": doc.doc_number,
        "publisher": doc.publisher.name,
        "topic": doc.topic.code,
        "topic_name": doc.topic.name,
        "genre": doc.genre,
        "validity": doc.validity,
        "written_on": doc.written_on.isoformat(),
        "published_on": doc.published_on.isoformat(),
        "url": reverse("policy:document", args=[doc.pk]),
    }


@router.get(
    "/documents",
    auth=None,
    summary="Search the public policy documents",
    description=(
        'Free text `q` (words, a "phrase", a 文号 or a 索引号; at most 200 characters), '
        "filters `publisher` (name), `topic` (first- or second-level code), `validity` "
        "(valid, expired, repealed, amended), `year`, `genre`; `sort` relevance (default with "
        "`q`) or newest; `page` from 1, `per_page` 1–50. Results carry the metadata, "
        "`title_html` and `snippet_html` (matches in `<mark>`, the rest escaped) and the "
        "engine's BM25 `score`; `facets` counts publisher, topic, year and validity over all "
        "matches."
    ),
)
def documents(request: HttpRequest) -> HttpResponse:
    if search_over_limit(request):
        return retry_later(error_response(429, "rate_limited", str(TOO_MANY_SEARCHES)))
    try:
        query = _query(request.GET)
    except _Invalid as bad:
        return _invalid(bad.field, bad.message)
    try:
        results = search_documents(query)
    except ValueError as error:  # the selector's own checks (too long, bad page)
        return _invalid("q", str(error))
    except SearchUnavailable as error:  # the engine failed (logged): not the caller's fault
        return error_response(503, "search_unavailable", str(error))
    found = public_documents_by_ids(h.id for h in results.hits)
    rows = []
    for hit in results.hits:
        doc = found.get(hit.id)
        if doc is None:
            continue
        rows.append(
            {
                **_metadata(doc),
                "title_html": marks_only(hit.title_html) or html.escape(doc.title, quote=False),
                "snippet_html": marks_only(hit.snippet_html),
                "score": round(float(hit.score), 4),
            }
        )
    facets = {
        name: {str(k): int(v) for k, v in (results.facets.get(name) or {}).items()}
        for name in FACETS
    }
    return JsonResponse(
        {
            "total": results.total,
            "page": query.page,
            "per_page": query.per_page,
            "results": rows,
            "facets": facets,
            "topic_names": topic_labels(facets["topic"]),
        },
        json_dumps_params={"ensure_ascii": False},
    )


@router.get(
    "/documents/{path:reference}",
    auth=None,
    summary="One public policy document",
    description="By its id or its 索引号: metadata, outline, body, links and attachments.",
)
def document(request: HttpRequest, reference: str) -> HttpResponse:
    doc = public_document_by_reference(reference)
    if doc is None:
        return error_response(
            404, "not_found", _("There is no public document with this id or index number.")
        )
    links = document_links(doc)
    return JsonResponse(
        {
            **_metadata(doc),
            "title_en": doc.title_en,
            "effective_from": doc.effective_from.isoformat() if doc.effective_from else None,
            "effective_until": doc.effective_until.isoformat() if doc.effective_until else None,
            "disclosure": doc.disclosure,
            "outline": document_outline(doc),
            "body": doc.body,
            "interprets": _metadata(links.interprets) if links.interprets else None,
            "interpretations": [_metadata(d) for d in links.interpretations],
            "amends": [_metadata(d) for d in links.amends],
            "amended_by": [_metadata(d) for d in links.amended_by],
            "repeals": [_metadata(d) for d in links.repeals],
            "repealed_by": [_metadata(d) for d in links.repealed_by],
            "service_codes": list(doc.service_codes or []),
            "attachments": [
                {
                    "name": a.name,
                    "size": a.size,
                    "content_type": a.content_type,
                    "url": reverse("policy:attachment", args=[a.pk]),
                }
                for a in doc.attachments.defer("content")
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )
