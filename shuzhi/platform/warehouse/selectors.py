"""Reads of the warehouse: versions, field specs for ingestion, samples and quarantine."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from shuzhi.platform.catalog.models import FREQUENCY_DAYS, CodeEntry, Dataset, Grade, Status
from shuzhi.platform.catalog.selectors import DatasetFilter, dataset_list
from shuzhi.platform.security.keys import field_cipher
from shuzhi.platform.security.masking import is_masked_type, mask

from .connection import open_warehouse
from .models import Version
from .query import QueryResult, RowQuery, run_query
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
                decimal_places=field.decimal_places,
            )
        )
    return specs


def _plain(value: Any) -> Any:
    """A stored value as JSON has it: dates and times in ISO form, decimals as text."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return value


def read_rows(
    dataset: Dataset,
    query: RowQuery,
    *,
    visible: Sequence[str] | None = None,
    raw: Collection[str] = (),
    scope: Mapping[str, Sequence[str]] | None = None,
) -> tuple[QueryResult, Version]:
    """Rows of the current version for a reader: only ``visible`` fields and ``scope`` rows.

    Encrypted values are decrypted, then every field graded L3–L4 is masked by its semantic
    type unless it is in ``raw``; values come back JSON-ready (``_plain``). The caller checks
    the grant and writes the audit entry. Raises ``QueryError`` for a bad query and
    ``LookupError`` when the dataset has no data yet.
    """
    version = current_version(dataset)
    if version is None:
        raise LookupError(f"{dataset.code} has no data yet")
    specs = field_specs(dataset)
    cipher = field_cipher()
    grades = {f.name: (f.grade or 0, f.semantic_type) for f in dataset.fields.all()}
    # a masked value must not be told by a filter, a sort or a search on it either
    masked = [
        spec.name
        for spec in specs
        if grades.get(spec.name, (Grade.L4, ""))[0] >= Grade.L3 and spec.name not in raw
    ]
    with open_warehouse() as warehouse:
        result = run_query(
            warehouse,
            dataset.code,
            version.number,
            specs,
            query,
            visible=visible,
            scope=scope,
            token=cipher.token,
            masked=masked,
        )
    rows = []
    for row in result.rows:
        shown = {}
        for name, value in row.items():
            grade, semantic_type = grades.get(name, (Grade.L4, "text"))
            masked_value = _reader_value(cipher, value, grade, semantic_type, raw=name in raw)
            shown[name] = _plain(masked_value)
        rows.append(shown)
    return QueryResult(columns=result.columns, rows=rows, total=result.total), version


def _reader_value(
    cipher: Any, value: Any, grade: int, semantic_type: str, *, raw: bool = False
) -> Any:
    """A stored value as a reader sees it: decrypted, then masked when graded L3–L4.

    Whether to decrypt is decided by the stored value, not the field's grade now: a grade may
    have changed since the version was loaded. Graded text with no masking rule is hidden whole.
    """
    if isinstance(value, str) and cipher.is_ciphertext(value):
        value = cipher.decrypt(value)
    if value is None or raw or grade < Grade.L3:
        return value
    return mask(str(value), semantic_type) if is_masked_type(semantic_type) else "***"


def masked_row(dataset: Dataset, row: dict[str, Any]) -> dict[str, Any]:
    """A row as a reader without a grant sees it: L3–L4 values masked by semantic type.

    Encrypted columns are decrypted only to be masked; join tokens and row numbers are dropped.
    """
    cipher = field_cipher()
    return {
        field.name: _reader_value(
            cipher, row.get(field.name), field.grade or 0, field.semantic_type
        )
        for field in dataset.fields.all()
    }


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
