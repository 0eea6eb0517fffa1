"""Reads of the warehouse: versions, field specs for ingestion, samples and quarantine."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from shuzhi.platform.catalog.models import FREQUENCY_DAYS, CodeEntry, Dataset, Grade, Status
from shuzhi.platform.catalog.selectors import DatasetFilter, dataset_list
from shuzhi.platform.security.keys import field_cipher
from shuzhi.platform.security.masking import is_masked_type, mask

from .models import Version
from .spec import FieldSpec


def current_version(dataset: Dataset) -> Version | None:
    return Version.objects.filter(dataset=dataset, is_current=True).first()


def version_list(dataset: Dataset) -> QuerySet[Version]:
    return Version.objects.filter(dataset=dataset).order_by("-number")


def is_stale(dataset: Dataset, *, now: Any = None) -> bool:
    """True when the current version is older than the dataset's update frequency allows."""
    days = FREQUENCY_DAYS.get(dataset.frequency)
    version = current_version(dataset)
    if days is None or version is None or version.completed_at is None:
        return False
    return (now or timezone.now()) - version.completed_at > timedelta(days=days)


def field_specs(dataset: Dataset) -> list[FieldSpec]:
    """The catalogue's fields as the ingestion engine's specs (code tables resolved)."""
    specs = []
    for field in dataset.fields.all():
        codes = (
            frozenset(
                CodeEntry.objects.filter(table_id=field.code_table_id).values_list(
                    "code", flat=True
                )
            )
            if field.code_table_id
            else None
        )
        specs.append(
            FieldSpec(
                name=field.name,
                data_type=field.data_type,
                semantic_type=field.semantic_type,
                nullable=field.nullable,
                code_values=codes,
                min_value=float(field.min_value) if field.min_value is not None else None,
                max_value=float(field.max_value) if field.max_value is not None else None,
                encrypted=field.encrypted,
            )
        )
    return specs


def masked_row(dataset: Dataset, row: dict[str, Any]) -> dict[str, Any]:
    """A row as a reader without a grant sees it: L3–L4 values masked by semantic type.

    Encrypted columns are decrypted only to be masked; join tokens and row numbers are dropped.
    """
    cipher = field_cipher()
    shown: dict[str, Any] = {}
    for field in dataset.fields.all():
        value = row.get(field.name)
        if value is not None and cipher.is_ciphertext(str(value)):
            # decided by the stored value, not the field's grade now: a grade may have changed
            # since this version was loaded
            value = cipher.decrypt(str(value))
        if value is not None and (field.grade or 0) >= Grade.L3:
            value = (
                mask(str(value), field.semantic_type)
                if is_masked_type(field.semantic_type)
                else "***"  # graded text with no masking rule: hide it whole
            )
        shown[field.name] = value
    return shown


def warehouse_overview(*, by: object) -> list[dict[str, Any]]:
    """Each published dataset with its current version, quality and staleness, by warehouse."""
    datasets = dataset_list(by=by, filters=DatasetFilter(status=Status.PUBLISHED)).prefetch_related(
        "thematic_warehouses"
    )
    current = {
        v.dataset_id: v for v in Version.objects.filter(is_current=True, dataset__in=datasets)
    }
    rows = []
    for dataset in datasets:
        version = current.get(dataset.pk)
        rows.append(
            {
                "dataset": dataset,
                "version": version,
                "warehouses": [w.name for w in dataset.thematic_warehouses.all()],
                "stale": is_stale(dataset),
            }
        )
    return rows


def score_trends(datasets: list[Dataset]) -> dict[int, list[float]]:
    """Quality scores of each dataset's complete versions, oldest first (one query)."""
    trends: dict[int, list[float]] = {d.pk: [] for d in datasets}
    versions = Version.objects.filter(
        dataset__in=datasets, state=Version.State.COMPLETE, score__isnull=False
    ).order_by("dataset_id", "number")
    for dataset_id, score in versions.values_list("dataset_id", "score"):
        if score is not None:
            trends[dataset_id].append(float(score))
    return trends
