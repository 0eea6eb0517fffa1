"""Open-data portal pages (数据开放门户): browse, preview, download, apply, decide (thin).

Every page but the application pages works without signing in; anonymous visitors share a
per-address budget (``OPENDATA_ANONYMOUS_RATE`` a minute, then HTTP 429). Restricted and
closed datasets never show rows here; closed, draft and retired ones are simply not found.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from itertools import chain
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shuzhi.platform.accounts.models import Department
from shuzhi.platform.catalog.models import Dataset, OpenAttribute, Theme
from shuzhi.platform.security.permissions import has_perm
from shuzhi.platform.warehouse.query import RowQuery
from shuzhi.platform.warehouse.selectors import current_version, read_rows

from . import selectors
from .dcat import catalog_graph
from .models import Application, DatasetUsage
from .ratelimit import over_limit, retry_later
from .services import (
    AGREEMENT,
    ApplicationRefused,
    application_decide,
    application_submit,
    delivery_open,
)

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PREVIEW_ROWS = 10


def public(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Open to anyone; anonymous addresses within their per-minute budget (else 429)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if over_limit(request):
            return retry_later(render(request, "opendata/429.html", status=429))
        return view(request, *args, **kwargs)

    return wrapped


def signed_in(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def _public_or_404(code: str) -> Dataset:
    dataset = selectors.public_dataset(code)
    if dataset is None:
        raise Http404(code)
    return dataset


def _listing(
    request: HttpRequest, *, department: Department | None = None, theme: Theme | None = None
) -> HttpResponse:
    q = request.GET.get("q", "")[:200]
    dep_code = department.code if department else request.GET.get("department", "")[:32]
    theme_code = theme.code if theme else request.GET.get("theme", "")[:32]
    datasets = selectors.search(
        selectors.public_datasets(), q=q, department=dep_code, theme=theme_code
    )
    page = Paginator(datasets.order_by("-published_at", "code"), 20).get_page(
        request.GET.get("page")
    )
    usage = {
        u.dataset_id: u for u in DatasetUsage.objects.filter(dataset__in=list(page.object_list))
    }
    context = {
        "page": page,
        "rows": [(d, usage.get(d.pk)) for d in page.object_list],
        "facets": selectors.facets(selectors.search(selectors.public_datasets(), q=q)),
        "q": q,
        "department": department,
        "theme": theme,
        "dep_code": dep_code,
        "theme_code": theme_code,
        "query": request.GET.copy(),
    }
    return render(request, "opendata/index.html", context)


@public
def index(request: HttpRequest) -> HttpResponse:
    return _listing(request)


@public
def department_list(request: HttpRequest) -> HttpResponse:
    datasets = selectors.public_datasets()
    return render(
        request,
        "opendata/groups.html",
        {
            "title": _("Departments"),
            "items": selectors.facets(datasets)["department"],
            "url_name": "opendata:department",
        },
    )


@public
def department_detail(request: HttpRequest, code: str) -> HttpResponse:
    department = get_object_or_404(selectors.public_departments(), code=code)
    return _listing(request, department=department)


@public
def theme_list(request: HttpRequest) -> HttpResponse:
    datasets = selectors.public_datasets()
    return render(
        request,
        "opendata/groups.html",
        {
            "title": _("Themes"),
            "items": selectors.facets(datasets)["theme"],
            "url_name": "opendata:theme",
        },
    )


@public
def theme_detail(request: HttpRequest, code: str) -> HttpResponse:
    theme = get_object_or_404(selectors.public_themes(), code=code)
    return _listing(request, theme=theme)


@public
def dataset_detail(request: HttpRequest, code: str) -> HttpResponse:
    dataset = _public_or_404(code)
    selectors.count_use(dataset)
    is_open = dataset.open_attribute == OpenAttribute.OPEN
    preview = None
    if is_open:
        try:
            preview, _version = read_rows(dataset, RowQuery(limit=PREVIEW_ROWS))
        except LookupError:
            preview = None
    mine: list[Application] = []
    if request.user.is_authenticated and not is_open:
        mine = list(selectors.applications_of(request.user).filter(dataset=dataset))
    context = {
        "dataset": dataset,
        "fields": dataset.fields.all(),
        "is_open": is_open,
        "preview": preview,
        "version": current_version(dataset),
        "usage": selectors.usage(dataset),
        "formats": list(FORMATS),
        "applications": mine,
    }
    return render(request, "opendata/detail.html", context)


def _csv_chunks(columns: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # a byte-order mark, so spreadsheet programs read UTF-8
    writer.writerow(columns)
    for n, row in enumerate(rows, 1):
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    yield "["
    for n, row in enumerate(rows):
        yield ("," if n else "") + json.dumps(row, ensure_ascii=False, default=str)
    yield "]"


def _rows_response(
    fmt: str, columns: list[str], rows: Iterable[dict[str, Any]], filename: str
) -> HttpResponseBase:
    """Stream rows as CSV or JSON; write XLSX row by row (write-only) to a temporary file."""
    disposition = f'attachment; filename="{filename}.{fmt}"'
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("data")
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c) for c in columns])
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
        workbook.save(spool)
        spool.seek(0)
        response: HttpResponseBase = FileResponse(
            spool, as_attachment=True, filename=f"{filename}.xlsx", content_type=FORMATS["xlsx"]
        )
        return response
    chunks = _csv_chunks(columns, rows) if fmt == "csv" else _json_chunks(rows)
    response = StreamingHttpResponse(chunks, content_type=FORMATS[fmt])
    response["Content-Disposition"] = disposition
    return response


@public
def download(request: HttpRequest, code: str, fmt: str) -> HttpResponseBase:
    dataset = _public_or_404(code)
    if dataset.open_attribute != OpenAttribute.OPEN or fmt not in FORMATS:
        raise Http404(code)
    pages = selectors.iter_pages(dataset)
    try:
        first = next(pages, [])
    except LookupError:
        raise Http404(code) from None
    selectors.count_use(dataset, download=True)
    columns = [f.name for f in dataset.fields.all()]
    rows = (row for page in chain([first], pages) for row in page)
    stamp = timezone.localdate().isoformat()
    return _rows_response(fmt, columns, rows, f"{dataset.code}-{stamp}")


@public
@signed_in
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    dataset = _public_or_404(code)
    if dataset.open_attribute != OpenAttribute.RESTRICTED:
        return redirect("opendata:detail", code=dataset.code)
    may_apply = has_perm(request.user, "opendata.apply")
    purpose = request.POST.get("purpose", "")
    error = ""
    if request.method == "POST":
        try:
            application_submit(
                dataset=dataset,
                by=request.user,  # type: ignore[arg-type]
                purpose=purpose,
                agreed=request.POST.get("agree") == "on",
                request=request,
            )
        except PermissionDenied:
            raise
        except ApplicationRefused as refused:
            error = refused.message
        else:
            messages.success(request, _("Application sent to the owner department."))
            return redirect("opendata:applications")
    return render(
        request,
        "opendata/apply.html",
        {
            "dataset": dataset,
            "agreement": AGREEMENT,
            "purpose": purpose,
            "error": error,
            "may_apply": may_apply,
        },
        status=400 if error else (200 if may_apply else 403),
    )


@signed_in
def applications(request: HttpRequest) -> HttpResponse:
    user = request.user
    to_decide = (
        selectors.applications_to_decide(user)  # type: ignore[arg-type]
        if has_perm(user, "opendata.approve")
        else Application.objects.none()
    )
    return render(
        request,
        "opendata/applications.html",
        {
            "mine": selectors.applications_of(user)[:200],  # type: ignore[arg-type]
            "to_decide": to_decide[:200],
            "formats": list(FORMATS),
        },
    )


@signed_in
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application.objects.select_related("dataset"), pk=pk)
    try:
        application_decide(
            application=application,
            by=request.user,  # type: ignore[arg-type]
            approve=request.POST.get("decision") == "approve",
            comment=request.POST.get("comment", ""),
            request=request,
        )
    except ApplicationRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("opendata:applications")


@signed_in
def delivery(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    application = get_object_or_404(Application.objects.select_related("dataset"), pk=pk)
    if fmt not in FORMATS:
        raise Http404(fmt)
    try:
        prepared = delivery_open(application=application, by=request.user, request=request)  # type: ignore[arg-type]
    except ApplicationRefused as refused:
        messages.error(request, refused.message)
        return redirect("opendata:applications")
    except LookupError:
        messages.error(request, _("This dataset has no data yet."))
        return redirect("opendata:applications")
    stamp = timezone.localdate().isoformat()
    return _rows_response(
        fmt, prepared.columns, prepared.rows(), f"{application.dataset.code}-deidentified-{stamp}"
    )


def _catalog(request: HttpRequest) -> Any:
    datasets = list(selectors.public_datasets())
    modified = max((d.updated_at for d in datasets), default=timezone.now())
    return catalog_graph(
        datasets,
        base=request.build_absolute_uri("/").rstrip("/"),
        city=settings.CITY_NAME,
        modified=modified,
    )


@public
def catalog_turtle(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        _catalog(request).serialize(format="turtle"), content_type="text/turtle; charset=utf-8"
    )


@public
def catalog_jsonld(request: HttpRequest) -> HttpResponse:
    context = {
        "dcat": "http://www.w3.org/ns/dcat#",
        "dct": "http://purl.org/dc/terms/",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "vcard": "http://www.w3.org/2006/vcard/ns#",
    }
    body = _catalog(request).serialize(format="json-ld", context=context, indent=2)
    return HttpResponse(body, content_type="application/ld+json; charset=utf-8")
