"""Public pages of the policy library (政策文件库 · 政务公开), no sign-in needed: the search page
with facets, the reading view of one document, the topic tree and attachment downloads.

Documents that are not public (not 主动公开) answer 404 to everyone except the staff who publish
for their publisher; the publishers' desk is in ``views_manage``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from shuzhi.platform.opendata.ratelimit import retry_later
from shuzhi.platform.portal.registry import service_links
from shuzhi.platform.security.permissions import has_perm

from .models import Genre, PolicyDocument, Validity
from .outline import heading
from .permissions import can_publish
from .search.base import FACETS, Hit, SearchQuery
from .search.segment import key_terms
from .selectors.documents import (
    attachment_get,
    can_read,
    document_get,
    document_links,
    document_outline,
    public_documents_by_ids,
    related_documents,
    topic_label,
    topic_labels,
    topic_tree,
)
from .selectors.search import (
    MAX_QUERY_CHARS,
    TOO_MANY_SEARCHES,
    SearchUnavailable,
    marks_only,
    search_documents,
    search_over_limit,
)

PER_PAGE = 20
MAX_PAGE = 500  # deeper pages are not useful to people; refine the search instead
FACET_SHOWN = 8  # values shown per facet before "more"
SORTS = ("relevance", "newest")
VALIDITY_BADGES: dict[str, str] = {
    Validity.VALID: "text-bg-success",
    Validity.EXPIRED: "text-bg-secondary",
    Validity.REPEALED: "text-bg-danger",
    Validity.AMENDED: "text-bg-warning",
}


def safe_marked(fragment: str) -> SafeString:
    """An engine's highlighted text, keeping only its ``<mark>`` tags (the engine escapes the
    rest; any other tag is dropped and any other ``<`` escaped, so a faulty engine cannot
    inject markup)."""
    return mark_safe(marks_only(fragment))  # noqa: S308 - only <mark> remains


# --- the search page ---------------------------------------------------------------------------


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class Facet:
    name: str
    title: str
    values: list[FacetValue]

    @property
    def shown(self) -> list[FacetValue]:
        return self.values[:FACET_SHOWN]

    @property
    def more(self) -> list[FacetValue]:
        return self.values[FACET_SHOWN:]


@dataclass
class ResultRow:
    document: PolicyDocument
    hit: Hit
    title_html: SafeString
    snippet_html: SafeString
    badge: str


def _facet_titles() -> dict[str, str]:
    return {
        "publisher": _("Publisher"),
        "topic": _("Topic"),
        "year": _("Year published"),
        "validity": _("Validity"),
    }


def _url(params: Mapping[str, str], **changes: str | None) -> str:
    query = QueryDict(mutable=True)
    merged = {**params, **changes}
    for key, value in merged.items():
        if value not in (None, ""):
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _facets(facets: Mapping[str, Mapping[str, int]], params: dict[str, str]) -> list[Facet]:
    titles = _facet_titles()
    labels: dict[str, Mapping[str, str]] = {
        "topic": topic_labels([*(facets.get("topic") or {}), params.get("topic", "")]),
        "validity": {str(value): str(label) for value, label in Validity.choices},
    }
    out = []
    for name in FACETS:
        counts = facets.get(name) or {}
        if name == "year":
            ordered = sorted(counts.items(), key=lambda kv: str(kv[0]), reverse=True)
        else:
            ordered = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
        chosen = params.get(name, "")
        values = []
        for value, count in ordered:
            value = str(value)
            selected = value == chosen
            values.append(
                FacetValue(
                    value=value,
                    label=str(labels.get(name, {}).get(value, value)),
                    count=count,
                    selected=selected,
                    url=_url(params, **{name: None if selected else value}),
                )
            )
        if chosen and not any(v.selected for v in values):  # a filter with no match left
            label = str(labels.get(name, {}).get(chosen, chosen))
            values.insert(0, FacetValue(chosen, label, 0, True, _url(params, **{name: None})))
        out.append(Facet(name, titles[name], values))
    return out


def _search_params(get: QueryDict) -> tuple[dict[str, str], list[str]]:
    """The page's filters from the query string, and the messages about bad ones (dropped)."""
    errors: list[str] = []
    params: dict[str, str] = {}
    params["q"] = get.get("q", "").strip()  # too long: the search refuses it, the form says why
    for name in ("publisher", "topic"):
        params[name] = get.get(name, "").strip()[:64]
    year = get.get("year", "").strip()
    if year:
        if year.isascii() and year.isdigit() and 1949 <= int(year) <= 2100:
            params["year"] = year
        else:
            errors.append(_("The year must be a year such as 2022."))
    validity = get.get("validity", "")
    if validity:
        if validity in Validity.values:
            params["validity"] = validity
        else:
            errors.append(_("Unknown validity."))
    genre = get.get("genre", "")
    if genre in Genre.values:
        params["genre"] = genre
    sort = get.get("sort", "")
    params["sort"] = sort if sort in SORTS else ""
    return params, errors


def index(request: HttpRequest) -> HttpResponse:
    """Search the public documents: words, "a phrase", a 文号 or a 索引号; facets and filters."""
    params, errors = _search_params(request.GET)
    if search_over_limit(request):
        return retry_later(
            render(
                request,
                "policy/index.html",
                {
                    "params": params,
                    "errors": [TOO_MANY_SEARCHES],
                    "limited": True,
                    "genres": Genre.choices,
                    "validities": Validity.choices,
                    "max_query": MAX_QUERY_CHARS,
                },
                status=429,
            )
        )
    raw_page = request.GET.get("page", "1")
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 10 else 1
    page = min(max(page, 1), MAX_PAGE)
    sort = params["sort"] or ("relevance" if params["q"] else "newest")
    query = SearchQuery(
        text=params["q"],
        publisher=params["publisher"] or None,
        topic=params["topic"] or None,
        year=int(params["year"]) if params.get("year") else None,
        validity=params.get("validity") or None,
        genre=params.get("genre") or None,
        sort="newest" if sort == "newest" else "relevance",
        page=page,
        per_page=PER_PAGE,
    )
    total, rows = 0, []
    facets: Mapping[str, Mapping[str, int]] = {}
    status = 200
    try:
        results = search_documents(query)
    except ValueError as error:  # bad input (a query too long, a page too far): in the form
        errors.append(str(error))
    except SearchUnavailable as error:  # the engine failed: say so, 503
        errors.append(str(error))
        status = 503
    else:
        total, facets = results.total, results.facets
        found = public_documents_by_ids(h.id for h in results.hits)
        for hit in results.hits:
            document = found.get(hit.id)
            if document is None:  # indexed but no longer public: the index catches up
                continue
            rows.append(
                ResultRow(
                    document,
                    hit,
                    safe_marked(hit.title_html)
                    if hit.title_html
                    else format_html("{}", document.title),
                    safe_marked(hit.snippet_html),
                    VALIDITY_BADGES.get(document.validity, "text-bg-light"),
                )
            )
    pages = max(1, min(MAX_PAGE, -(-total // PER_PAGE)))
    return render(
        request,
        "policy/index.html",
        {
            "params": params,
            "sort": sort,
            "errors": errors,
            "total": total,
            "rows": rows,
            "facets": _facets(facets, params),
            "page": page,
            "pages": pages,
            "previous_url": _url(params, page=str(page - 1)) if page > 1 else "",
            "next_url": _url(params, page=str(page + 1)) if page < pages else "",
            "sort_urls": [
                ("relevance", _("Most relevant"), _url(params, sort="relevance")),
                ("newest", _("Newest first"), _url(params, sort="newest")),
            ],
            "genres": Genre.choices,
            "validities": Validity.choices,
            "max_query": MAX_QUERY_CHARS,
            "can_publish": has_perm(request.user, "policy.publish"),
            "filtered": any(params.get(k) for k in ("publisher", "topic", "year", "validity")),
        },
        status=status,
    )


# --- the reading view --------------------------------------------------------------------------


def _terms_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    words = sorted({html.escape(t) for t in terms if t.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words))


def _marked(text: str, pattern: re.Pattern[str] | None) -> str:
    escaped = html.escape(text)
    if pattern is None:
        return escaped
    return pattern.sub(lambda m: f'<mark class="policy-term">{m.group(0)}</mark>', escaped)


HEADING_TAGS = {1: "h2", 2: "h3", 3: "h4"}
HEADING_LOOKAHEAD = 64


def _heading_for(
    number: int, text: str, by_line: dict[int, Mapping[str, Any]], unused: list[Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The outline entry of line ``number`` (by its line, else by its label and title)."""
    entry = by_line.get(number)
    if entry is not None and entry in unused and text.startswith(str(entry.get("label", ""))):
        return entry
    if heading(text) is None:
        return None  # not a heading line: no search (it made long bodies quadratic)
    # an outline out of step with the body: the next entries in order, a few at most
    for candidate in unused[:HEADING_LOOKAHEAD]:
        if text.startswith(f"{candidate.get('label', '')}{candidate.get('title', '')}"):
            return candidate
    return None


def render_body(
    body: str, entries: Sequence[Mapping[str, Any]], terms: Sequence[str]
) -> SafeString:
    """The body as HTML: one paragraph a line, outline headings with their anchors (``id``), the
    key terms in ``<mark>``. Everything from the document is escaped."""
    pattern = _terms_pattern(terms)
    unused = [e for e in entries if e.get("anchor")]
    by_line = {int(e["line"]): e for e in unused if isinstance(e.get("line"), int)}
    parts: list[str] = []
    for number, line in enumerate(body.split("\n")):
        text = line.strip()
        if not text:
            continue
        entry = _heading_for(number, text, by_line, unused) if unused else None
        if entry is None:
            parts.append(f"<p>{_marked(text, pattern)}</p>")
            continue
        unused.remove(entry)
        anchor = html.escape(str(entry["anchor"]), quote=True)
        level = int(entry.get("level", 1))
        heading = f"{entry.get('label', '')}{entry.get('title', '')}".strip()
        if text == heading and level in HEADING_TAGS:
            tag = HEADING_TAGS[level]
            parts.append(
                f'<{tag} id="{anchor}" class="policy-heading policy-h{level}" tabindex="-1">'
                f"{_marked(text, pattern)}</{tag}>"
            )
        else:
            cut = len(heading) if text.startswith(heading) else len(str(entry.get("label", "")))
            parts.append(
                f'<p id="{anchor}" class="policy-heading-inline" tabindex="-1">'
                f"<strong>{_marked(text[:cut], pattern)}</strong>{_marked(text[cut:], pattern)}</p>"
            )
    return mark_safe("\n".join(parts))  # noqa: S308 - built from escaped text only


def _readable(request: HttpRequest, pk: int) -> PolicyDocument:
    document = document_get(pk)
    if document is None or not can_read(request.user, document):
        raise Http404
    return document


def document(request: HttpRequest, pk: int) -> HttpResponse:
    """Read one document: metadata table, outline, anchored headings, key terms, interpretation
    beside the text, amends / repealed-by, related documents, attachments and services."""
    doc = _readable(request, pk)
    entries = document_outline(doc)
    terms = key_terms(doc.body, limit=20)
    links = document_links(doc)
    return render(
        request,
        "policy/document.html",
        {
            "doc": doc,
            "outline": entries,
            "terms": terms,
            "body_html": render_body(doc.body, entries, terms),
            "links": links,
            "related": related_documents(doc, terms=terms, exclude=links.ids()),
            "attachments": list(doc.attachments.defer("content")),
            "services": service_links(list(doc.service_codes or [])),
            "badges": VALIDITY_BADGES,
            "badge": VALIDITY_BADGES.get(doc.validity, "text-bg-light"),
            "can_edit": can_publish(request.user, doc.publisher),
            "topic_name": topic_label(doc.topic),
            "topic_parent_name": topic_label(doc.topic.parent) if doc.topic.parent else "",
        },
    )


def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """Download an attachment of a document the caller may read (always as a download)."""
    found = attachment_get(pk)
    if found is None or not can_read(request.user, found.document):
        raise Http404
    kind = found.content_type or "application/octet-stream"
    response = HttpResponse(bytes(found.content), content_type=kind)
    response["Content-Disposition"] = content_disposition_header(True, found.name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(len(found.content))
    return response


def topics(request: HttpRequest) -> HttpResponse:
    """The two-level topic tree (主题分类) with the number of public documents in each."""
    return render(request, "policy/topics.html", {"tree": topic_tree()})
