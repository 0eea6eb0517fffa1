"""Reads of the open-data portal (数据开放): what the public may see, searched and counted.

Only published datasets are ever public: 无条件开放 (open) ones with their rows, 受限开放
(restricted) ones with their metadata only. 禁止开放 (closed) datasets, drafts and retired
datasets never appear: looking one up answers "not found", so nothing leaks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import F, Q, QuerySet

from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.catalog.models import Dataset, OpenAttribute, Status, Theme
from shuzhi.platform.warehouse.query import MAX_LIMIT, RowQuery
from shuzhi.platform.warehouse.selectors import current_version, read_rows

from .models import Application, DatasetUsage

NAMESPACE = uuid.UUID("5c1b3f0e-2f4e-5a8e-9d3c-7a1e0b6d9f21")  # stable CKAN-style ids
PUBLIC_ATTRIBUTES = (OpenAttribute.OPEN, OpenAttribute.RESTRICTED)


def stable_id(kind: str, key: str) -> str:
    """A UUID that never changes for the same object, for CKAN ``id`` fields."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


def public_datasets() -> QuerySet[Dataset]:
    """Published datasets the public may know of: open and restricted."""
    return (
        Dataset.objects.filter(status=Status.PUBLISHED, open_attribute__in=PUBLIC_ATTRIBUTES)
        .select_related("owner", "theme", "division")
        .prefetch_related("fields")
    )


def open_datasets() -> QuerySet[Dataset]:
    """Published 无条件开放 datasets: the only ones whose rows anyone may read."""
    return public_datasets().filter(open_attribute=OpenAttribute.OPEN)


def public_dataset(code: str) -> Dataset | None:
    return public_datasets().filter(code=code).first()


def open_dataset_by_ref(ref: str) -> Dataset | None:
    """An open dataset by code or by its stable package or resource id."""
    ref = str(ref)[:100]
    found = open_datasets().filter(code=ref).first()
    if found is not None:
        return found
    for dataset in open_datasets():
        if ref in (stable_id("package", dataset.code), stable_id("resource", dataset.code)):
            return dataset
    return None


def search(
    datasets: QuerySet[Dataset], *, q: str = "", department: str = "", theme: str = ""
) -> QuerySet[Dataset]:
    """Datasets whose name, English name, description or tags contain every word of ``q``."""
    for word in q.split()[:10]:
        datasets = datasets.filter(
            Q(name__icontains=word)
            | Q(name_en__icontains=word)
            | Q(description__icontains=word)
            | Q(code__icontains=word)
            | Q(tags__icontains=word)
        )
    if department:
        datasets = datasets.filter(owner__code=department)
    if theme:
        datasets = datasets.filter(theme_id=theme)
    return datasets


def facets(datasets: QuerySet[Dataset]) -> dict[str, list[dict[str, Any]]]:
    """Counts by owner department and by theme, most first."""
    departments: dict[str, dict[str, Any]] = {}
    themes: dict[str, dict[str, Any]] = {}
    for dataset in datasets:
        dep = departments.setdefault(
            dataset.owner.code, {"code": dataset.owner.code, "name": dataset.owner.name, "count": 0}
        )
        dep["count"] += 1
        if dataset.theme is not None:
            theme = themes.setdefault(
                dataset.theme.code,
                {"code": dataset.theme.code, "name": dataset.theme.name, "count": 0},
            )
            theme["count"] += 1

    def ordered(items: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(items.values(), key=lambda item: (-item["count"], item["code"]))

    return {"department": ordered(departments), "theme": ordered(themes)}


def public_departments() -> QuerySet[Department]:
    """Departments that own at least one public dataset."""
    codes = public_datasets().values_list("owner_id", flat=True)
    return Department.objects.filter(pk__in=codes).order_by("code")


def open_departments() -> QuerySet[Department]:
    return Department.objects.filter(pk__in=open_datasets().values_list("owner_id", flat=True))


def public_themes() -> QuerySet[Theme]:
    return Theme.objects.filter(pk__in=public_datasets().values_list("theme_id", flat=True))


def open_themes() -> QuerySet[Theme]:
    return Theme.objects.filter(pk__in=open_datasets().values_list("theme_id", flat=True))


def usage(dataset: Dataset) -> DatasetUsage:
    return DatasetUsage.objects.filter(dataset=dataset).first() or DatasetUsage(dataset=dataset)


def count_use(dataset: Dataset, *, download: bool = False) -> None:
    """Add one page view or download to the dataset's public counter (no permission: public)."""
    DatasetUsage.objects.get_or_create(dataset=dataset)
    column = "downloads" if download else "views"
    DatasetUsage.objects.filter(dataset=dataset).update(**{column: F(column) + 1})


def current_version_number(dataset: Dataset) -> int | None:
    version = current_version(dataset)
    return version.number if version is not None else None


class VersionChanged(RuntimeError):
    """A new version became current while the pages of another were being read."""


def iter_pages(
    dataset: Dataset,
    *,
    fields: Sequence[str] | None = None,
    page_size: int = MAX_LIMIT,
    version: int | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """All rows of the current version, masked, one page (≤ 1,000 rows) at a time.

    Every page must come from the same version (``version`` when given, else the first
    page's): otherwise ``VersionChanged`` is raised rather than mixing two versions. Raises
    ``LookupError`` (from the first page) when the dataset has no data yet.
    """
    offset = 0
    while True:
        result, current = read_rows(
            dataset,
            RowQuery(fields=fields, limit=page_size, offset=offset, include_total=False),
        )
        if version is None:
            version = current.number
        elif current.number != version:
            raise VersionChanged(f"{dataset.code}: version {current.number} replaced {version}")
        if result.rows:
            yield result.rows
        if len(result.rows) < page_size:
            return
        offset += page_size


def applications_of(user: User) -> QuerySet[Application]:
    return Application.objects.filter(applicant=user).select_related("dataset", "decided_by")


def applications_to_decide(user: User) -> QuerySet[Application]:
    """Applications for the data of the user's own department (the approver's queue)."""
    if user.department_id is None:
        return Application.objects.none()
    return Application.objects.filter(dataset__owner_id=user.department_id).select_related(
        "dataset", "applicant", "decided_by"
    )
