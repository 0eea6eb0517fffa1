"""Service catalogue pages (政务服务事项目录), thin and public: the searchable list, an item with
every standard field, a 一件事 bundle with its combined needs."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .models import ServiceItem
from .models.catalogue import Audience, Channel
from .selectors.catalogue import (
    PAGE_SIZE,
    bundle_entries,
    bundle_get,
    bundle_list,
    catalogue_departments,
    item_detail,
    item_get,
    item_search,
    needs_for,
)


def index(request: HttpRequest) -> HttpResponse:
    """Search and filter the published items; the bundles on top."""
    get = request.GET
    filters = {
        "q": get.get("q", "").strip()[:80],
        "audience": get.get("audience", "")[:12],
        "department": get.get("department", "")[:40],
        "item_type": get.get("item_type", "")[:16],
        "channel": get.get("channel", "")[:12] if get.get("channel", "") in Channel.values else "",
        "cross_province": get.get("cross_province") == "1",
    }
    items = item_search(**filters)  # type: ignore[arg-type]
    page = Paginator(items, PAGE_SIZE).get_page(get.get("page"))
    query = get.copy()
    query.pop("page", None)
    return render(
        request,
        "services/catalogue/index.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "bundles": bundle_list(),
            "departments": catalogue_departments(),
            "audiences": [
                (Audience.CITIZEN, Audience.CITIZEN.label),
                (Audience.ENTERPRISE, Audience.ENTERPRISE.label),
            ],
            "item_types": ServiceItem.ItemType.choices,
            "channels": Channel.choices,
            "channel_labels": dict(Channel.choices),
        },
    )


def item(request: HttpRequest, code: str) -> HttpResponse:
    found = item_get(code)
    if found is None:
        raise Http404
    return render(
        request,
        "services/catalogue/item.html",
        {
            "detail": item_detail(found),
            "item": found,
            "channel_labels": dict(Channel.choices),
            "online": Channel.ONLINE in (found.channels or []),
        },
    )


def bundle(request: HttpRequest, code: str) -> HttpResponse:
    found = bundle_get(code)
    if found is None:
        raise Http404
    entries = bundle_entries(found)
    return render(
        request,
        "services/catalogue/bundle.html",
        {
            "bundle": found,
            "entries": entries,
            "needs": needs_for([e.item for e in entries]),
        },
    )
