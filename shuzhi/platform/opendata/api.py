"""The CKAN-compatible Action API (/api/3/action/<name> and /api/action/<name>).

Only 无条件开放 (open) datasets exist here: a restricted or closed dataset, a draft or a retired
one is "Not Found", exactly like a name that was never used. Organisations are the owner
departments, groups the themes; each dataset has one resource whose DataStore is the dataset's
current version, read through the warehouse's checked row queries (masked by grade).
GET takes query parameters, POST a JSON object, as in CKAN; answers use CKAN's envelope.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from shuzhi.platform.accounts.models import Department
from shuzhi.platform.catalog.models import Dataset, Theme
from shuzhi.platform.warehouse.query import MAX_LIMIT, QueryError, RowQuery
from shuzhi.platform.warehouse.selectors import current_version, read_rows

from . import selectors
from .ckan import CkanError, as_bool, as_int, as_list, envelope, failure, parse_fq, parse_sort
from .ratelimit import over_limit, retry_later

Params = dict[str, Any]
CKAN_VERSION = "2.10.4"
DATASTORE_TYPES = {
    "string": "text",
    "integer": "int",
    "decimal": "numeric",
    "date": "date",
    "datetime": "timestamp",
    "boolean": "bool",
}
PACKAGE_SORTS = {
    "name": "code",
    "title_string": "name",
    "title": "name",
    "metadata_modified": "updated_at",
    "metadata_created": "created_at",
    "score": "code",
}
FACETS = ("organization", "groups", "tags", "res_format", "license_id")


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _organization(department: Department, *, count: int | None = None) -> Params:
    org: Params = {
        "id": selectors.stable_id("organization", department.code),
        "name": department.code.lower(),
        "title": department.name,
        "display_name": department.name,
        "description": department.name_en,
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
    }
    if count is not None:
        org["package_count"] = count
    return org


def _group(theme: Theme, *, count: int | None = None) -> Params:
    group: Params = {
        "id": selectors.stable_id("group", theme.code),
        "name": theme.code.lower(),
        "title": theme.name,
        "display_name": theme.name,
        "description": theme.name_en,
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
    }
    if count is not None:
        group["package_count"] = count
    return group


def _resource(request: HttpRequest, dataset: Dataset) -> Params:
    version = current_version(dataset)
    return {
        "id": selectors.stable_id("resource", dataset.code),
        "package_id": selectors.stable_id("package", dataset.code),
        "name": dataset.name,
        "description": dataset.description,
        "format": "CSV",
        "mimetype": "text/csv",
        "url": request.build_absolute_uri(reverse("opendata:download", args=[dataset.code, "csv"])),
        "url_type": "datastore",
        "datastore_active": version is not None,
        "state": "active",
        "position": 0,
        "created": _iso(dataset.published_at),
        "last_modified": _iso(version.completed_at or version.created_at) if version else None,
        "version": version.number if version else None,
    }


def _package(request: HttpRequest, dataset: Dataset) -> Params:
    tags = [str(tag) for tag in dataset.tags or []]
    extras = [
        {"key": "code", "value": dataset.code},
        {"key": "grade", "value": f"L{dataset.grade}"},
        {"key": "division", "value": dataset.division_id},
        {"key": "frequency", "value": dataset.frequency},
        {"key": "open_attribute", "value": dataset.open_attribute},
    ]
    return {
        "id": selectors.stable_id("package", dataset.code),
        "name": dataset.code,
        "title": dataset.name,
        "title_en": dataset.name_en,
        "notes": dataset.description,
        "type": "dataset",
        "state": "active",
        "private": False,
        "license_id": "notspecified",
        "license_title": "License not specified",
        "url": request.build_absolute_uri(reverse("opendata:detail", args=[dataset.code])),
        "maintainer": dataset.contact_name,
        "author": dataset.owner.name,
        "metadata_created": _iso(dataset.published_at or dataset.created_at),
        "metadata_modified": _iso(dataset.updated_at),
        "owner_org": selectors.stable_id("organization", dataset.owner.code),
        "organization": _organization(dataset.owner),
        "groups": [_group(dataset.theme)] if dataset.theme else [],
        "tags": [{"name": t, "display_name": t, "state": "active"} for t in tags],
        "num_tags": len(tags),
        "extras": extras,
        "resources": [_resource(request, dataset)],
        "num_resources": 1,
    }


def _dataset(params: Params, key: str = "id") -> Dataset:
    ref = params.get(key)
    if not ref or not isinstance(ref, str):
        raise CkanError.invalid(key, "Missing value")
    dataset = selectors.open_dataset_by_ref(ref)
    if dataset is None:
        raise CkanError.not_found()
    return dataset


def _department(params: Params) -> Department:
    ref = params.get("id")
    if not ref or not isinstance(ref, str):
        raise CkanError.invalid("id", "Missing value")
    for department in selectors.open_departments():
        if ref in (department.code, department.code.lower()) or ref == selectors.stable_id(
            "organization", department.code
        ):
            return department
    raise CkanError.not_found("Organization was not found.")


def _theme(params: Params) -> Theme:
    ref = params.get("id")
    if not ref or not isinstance(ref, str):
        raise CkanError.invalid("id", "Missing value")
    for theme in selectors.open_themes():
        if ref in (theme.code, theme.code.lower()) or ref == selectors.stable_id(
            "group", theme.code
        ):
            return theme
    raise CkanError.not_found("Group was not found.")


# --- actions -------------------------------------------------------------------------------


def status_show(request: HttpRequest, params: Params) -> Any:
    return {
        "ckan_version": CKAN_VERSION,
        "site_title": f"{settings.CITY_NAME} open data",
        "site_description": "",
        "site_url": _base(request),
        "locale_default": "zh_Hans",
        "error_emails_to": None,
        "extensions": ["datastore"],
    }


def package_list(request: HttpRequest, params: Params) -> Any:
    limit = as_int(params, "limit", 10_000, low=0, high=10_000)
    offset = as_int(params, "offset", 0, low=0, high=10**9)
    codes = selectors.open_datasets().order_by("code").values_list("code", flat=True)
    return list(codes[offset : offset + limit])


def package_show(request: HttpRequest, params: Params) -> Any:
    return _package(request, _dataset(params))


def organization_list(request: HttpRequest, params: Params) -> Any:
    all_fields = as_bool(params, "all_fields", False)
    counts = _counts(selectors.open_datasets(), "owner__code")
    departments = selectors.open_departments().order_by("code")
    if all_fields:
        return [_organization(d, count=counts.get(d.code, 0)) for d in departments]
    return [d.code.lower() for d in departments]


def organization_show(request: HttpRequest, params: Params) -> Any:
    department = _department(params)
    datasets = selectors.open_datasets().filter(owner=department)
    org = _organization(department, count=datasets.count())
    if as_bool(params, "include_datasets", False):
        org["packages"] = [_package(request, d) for d in datasets[:1000]]
    return org


def group_list(request: HttpRequest, params: Params) -> Any:
    all_fields = as_bool(params, "all_fields", False)
    counts = _counts(selectors.open_datasets(), "theme_id")
    themes = selectors.open_themes().order_by("code")
    if all_fields:
        return [_group(t, count=counts.get(t.code, 0)) for t in themes]
    return [t.code.lower() for t in themes]


def group_show(request: HttpRequest, params: Params) -> Any:
    theme = _theme(params)
    datasets = selectors.open_datasets().filter(theme=theme)
    group = _group(theme, count=datasets.count())
    if as_bool(params, "include_datasets", False):
        group["packages"] = [_package(request, d) for d in datasets[:1000]]
    return group


def _counts(datasets: QuerySet[Dataset], key: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in datasets.values_list(key, flat=True):
        if value is not None:
            counts[str(value)] = counts.get(str(value), 0) + 1
    return counts


def _facet_values(dataset: Dataset, name: str) -> list[tuple[str, str]]:
    if name == "organization":
        return [(dataset.owner.code.lower(), dataset.owner.name)]
    if name == "groups":
        return [(dataset.theme.code.lower(), dataset.theme.name)] if dataset.theme else []
    if name == "tags":
        return [(str(t), str(t)) for t in dataset.tags or []]
    if name == "res_format":
        return [("CSV", "CSV")]
    if name == "license_id":
        return [("notspecified", "License not specified")]
    return []


def package_search(request: HttpRequest, params: Params) -> Any:
    rows = as_int(params, "rows", 10, low=0, high=1000)
    start = as_int(params, "start", 0, low=0, high=10**9)
    q = params.get("q") or ""
    if not isinstance(q, str):
        raise CkanError.invalid("q", "Must be a string")
    q = "" if q.strip() in ("*:*", "*") else q
    datasets = selectors.search(selectors.open_datasets(), q=q[:200])
    for key, value in parse_fq(params.get("fq")):
        if key in ("organization", "owner_org"):
            datasets = datasets.filter(owner__code__iexact=value) | datasets.filter(
                owner__code__in=[
                    d.code
                    for d in selectors.open_departments()
                    if selectors.stable_id("organization", d.code) == value
                ]
            )
        elif key == "groups":
            datasets = datasets.filter(theme__code__iexact=value)
        elif key == "tags":
            datasets = datasets.filter(pk__in=[d.pk for d in datasets if value in (d.tags or [])])
        elif key in ("name", "id"):
            found = selectors.open_dataset_by_ref(value)
            datasets = datasets.filter(pk=found.pk) if found else datasets.none()
        elif key in ("res_format", "license_id", "dataset_type", "type", "state"):
            continue  # every open dataset has one CSV resource, is active and of type dataset
        else:
            raise CkanError("Search Query Error", f"cannot filter on {key!r}")
    order = []
    for name, descending in parse_sort(params.get("sort") or "score desc, metadata_modified desc"):
        column = PACKAGE_SORTS.get(name)
        if column is None:
            raise CkanError("Search Query Error", f"cannot sort on {name!r}")
        order.append(f"-{column}" if descending else column)
    datasets = datasets.order_by(*order, "code").distinct()
    facet_fields = as_list(params, "facet.field") or []
    unknown = [f for f in facet_fields if f not in FACETS]
    if unknown:
        raise CkanError("Search Query Error", f"cannot facet on {unknown[0]!r}")
    facet_limit = as_int(params, "facet.limit", 50, low=-1, high=1000)
    everything = list(datasets)
    search_facets: Params = {}
    facets: Params = {}
    for name in facet_fields:
        counted: dict[str, list[Any]] = {}
        for dataset in everything:
            for value, title in _facet_values(dataset, name):
                counted.setdefault(value, [title, 0])[1] += 1
        items = sorted(counted.items(), key=lambda item: (-item[1][1], item[0]))
        if facet_limit >= 0:
            items = items[:facet_limit]
        facets[name] = {value: count for value, (_title, count) in items}
        search_facets[name] = {
            "title": name,
            "items": [
                {"name": value, "display_name": title, "count": count}
                for value, (title, count) in items
            ],
        }
    return {
        "count": len(everything),
        "sort": params.get("sort") or "score desc, metadata_modified desc",
        "results": [_package(request, d) for d in everything[start : start + rows]],
        "facets": facets,
        "search_facets": search_facets,
    }


def resource_show(request: HttpRequest, params: Params) -> Any:
    return _resource(request, _dataset(params))


def _filters(value: Any) -> dict[str, list[str]]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise CkanError.invalid("filters", "Cannot parse JSON") from None
    if not isinstance(value, dict):
        raise CkanError.invalid("filters", "Not a JSON object")
    filters: dict[str, list[str]] = {}
    for key, given in value.items():
        values = given if isinstance(given, list) else [given]
        if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in values):
            raise CkanError.invalid("filters", f"{str(key)[:64]}: values must be text or numbers")
        filters[str(key)] = [str(v) for v in values]
    return filters


def datastore_search(request: HttpRequest, params: Params) -> Any:
    dataset = _dataset(params, "resource_id")
    q = params.get("q") or ""
    if not isinstance(q, str):
        raise CkanError.invalid("q", "Only full-text search (a string) is supported")
    limit = as_int(params, "limit", 100, low=0, high=MAX_LIMIT)
    offset = as_int(params, "offset", 0, low=0, high=10**9)
    include_total = as_bool(params, "include_total", True)
    query = RowQuery(
        fields=as_list(params, "fields"),
        filters=_filters(params.get("filters")),
        q=q,
        sort=parse_sort(params.get("sort")),
        limit=limit,
        offset=offset,
        include_total=include_total,
    )
    try:
        result, _version = read_rows(dataset, query)
    except QueryError as error:
        field = error.field or "query"
        raise CkanError("Validation Error", error.message, {field: [error.message]}) from None
    except LookupError:
        raise CkanError.not_found("This resource has no data yet.") from None
    labels = {f.name: f for f in dataset.fields.all()}
    resource_id = selectors.stable_id("resource", dataset.code)
    answer: Params = {
        "resource_id": resource_id,
        "fields": [
            {
                "id": name,
                "type": DATASTORE_TYPES.get(labels[name].data_type, "text"),
                "info": {"label": labels[name].label, "label_en": labels[name].label_en},
            }
            for name in result.columns
        ],
        "records": result.rows,
        "limit": limit,
        "offset": offset,
        "include_total": include_total,
        "records_format": "objects",
        "_links": {
            "start": f"/api/3/action/datastore_search?resource_id={resource_id}",
            "next": f"/api/3/action/datastore_search?resource_id={resource_id}"
            f"&offset={offset + limit}",
        },
    }
    if result.total is not None:
        answer["total"] = result.total
        answer["total_was_estimated"] = False
    return answer


ACTIONS: dict[str, Callable[[HttpRequest, Params], Any]] = {
    "status_show": status_show,
    "package_list": package_list,
    "package_show": package_show,
    "package_search": package_search,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "group_list": group_list,
    "group_show": group_show,
    "resource_show": resource_show,
    "datastore_search": datastore_search,
}


def _params(request: HttpRequest) -> Params:
    if request.method == "GET":
        return {key: request.GET.get(key) for key in request.GET}
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return {key: request.POST.get(key) for key in request.POST}
    body = request.body
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise CkanError(
            "Bad Request", "Bad request - JSON Error: could not read the body"
        ) from None
    if not isinstance(data, dict):
        raise CkanError("Bad Request", "Bad request - JSON Error: expected a JSON object")
    return data


@csrf_exempt
def action(request: HttpRequest, name: str) -> JsonResponse:
    """Run one CKAN action and answer in CKAN's envelope."""
    help_url = f"{_base(request)}/api/3/action/help_show?name={name[:64]}"
    try:
        if request.method not in ("GET", "POST"):
            raise CkanError("Bad Request", "Bad request - only GET and POST are accepted")
        if over_limit(request):
            raise CkanError(
                "Rate Limit Error",
                "Too many requests from this address; wait a minute or sign in.",
            )
        handler = ACTIONS.get(name)
        if handler is None:
            raise CkanError("Bad Request", f"Bad request - Action name not known: {name[:64]}")
        result = handler(request, _params(request))
    except CkanError as error:
        response = JsonResponse(failure(help_url, error), status=error.status)
        return retry_later(response) if error.status == 429 else response
    return JsonResponse(envelope(help_url, result), json_dumps_params={"ensure_ascii": False})
