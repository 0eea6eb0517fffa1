"""Ingestion into the warehouse and version restore; stewards of the owner department only.

An ingest is a new version: it becomes current only once the whole file has loaded. A failed or
killed load leaves the current version as it was, and the next load simply runs again.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import date, datetime
from pathlib import Path
from tempfile import NamedTemporaryFile

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.catalog.models import FREQUENCY_DAYS, Dataset, Status
from shuzhi.platform.catalog.services import require_steward
from shuzhi.platform.security.keys import field_cipher

from . import engine
from .connection import open_warehouse
from .liveness import process_alive, this_process
from .models import Version
from .selectors import field_specs
from .spec import IngestReport


class NotIngestible(Exception):
    """The dataset cannot take data now (not published, or being loaded); the message says why."""


def _this_loader() -> str:
    return this_process()


def _loader_alive(loader: str) -> bool:
    """Whether the process that started a load still runs (only knowable on this host)."""
    return process_alive(loader)


def _require_steward(by: User, dataset: Dataset) -> None:
    require_steward(by, dataset.owner_id, "warehouse.ingest")


def _start_version(dataset: Dataset, *, by: User, path: Path, display_name: str) -> Version:
    with transaction.atomic():
        # a load that never finished (a crash, kill -9) is marked failed; its staging is dropped
        loading = list(
            Version.objects.select_for_update().filter(dataset=dataset, state=Version.State.LOADING)
        )
        if any(_loader_alive(v.loader) for v in loading):
            raise NotIngestible("another load of this dataset is still running: try again later")
        stale = loading
        for version in stale:
            version.state = Version.State.FAILED
            version.error = "interrupted before it completed"
            version.save(update_fields=["state", "error"])
        number = (Version.objects.filter(dataset=dataset).aggregate(n=Max("number"))["n"] or 0) + 1
        version = Version.objects.create(
            dataset=dataset,
            number=number,
            state=Version.State.LOADING,
            file_name=display_name[:255],
            file_size=path.stat().st_size if path.exists() else 0,
            created_by=by,
            loader=_this_loader(),
        )
    if stale:
        with open_warehouse() as warehouse:
            for old in stale:
                engine.drop_version(warehouse, dataset.code, old.number)
    return version


def ingest(
    *,
    dataset: Dataset,
    path: Path,
    by: User,
    request: HttpRequest | None = None,
    progress: Callable[[int], None] | None = None,
    display_name: str = "",
) -> IngestReport:
    """Load ``path`` into a new version of ``dataset``; make it current when complete.

    Raises ``IngestError`` (with the file, line and field) when the file as a whole cannot be
    read; bad rows do not raise, they are quarantined and counted in the report.
    """
    _require_steward(by, dataset)
    if dataset.status != Status.PUBLISHED:
        raise NotIngestible("only a published dataset takes data: publish it first")
    if not dataset.fields.exists():
        raise NotIngestible("the dataset has no fields to check the file against")
    version = _start_version(dataset, by=by, path=path, display_name=display_name or path.name)

    def report_progress(rows_so_far: int) -> None:
        # committed at once (no surrounding transaction), so the upload page can poll it
        Version.objects.filter(pk=version.pk).update(rows_in=rows_so_far)
        if progress is not None:
            progress(rows_so_far)

    try:
        with open_warehouse() as warehouse:
            report = engine.ingest_file(
                warehouse=warehouse,
                path=path,
                dataset_code=dataset.code,
                version=version.number,
                fields=field_specs(dataset),
                key_fields=list(dataset.fields.filter(is_key=True).values_list("name", flat=True)),
                cipher=field_cipher(),
                progress=report_progress,
            )
            report.quality = _quality_with_timeliness(warehouse, dataset, version.number)
    except Exception as exc:  # any failure: never leave a version "loading" behind
        with suppress(Exception), open_warehouse() as warehouse:
            engine.drop_version(warehouse, dataset.code, version.number)
        version.state = Version.State.FAILED
        version.error = str(exc)
        version.completed_at = timezone.now()
        version.save(update_fields=["state", "error", "completed_at"])
        audit_record(
            action="warehouse.ingest",
            actor=by,
            target=dataset,
            outcome=Outcome.FAILURE,
            request=request,
            details={"version": version.number, "error": str(exc)[:500]},
        )
        raise
    with transaction.atomic():
        Version.objects.filter(dataset=dataset, is_current=True).update(is_current=False)
        version.state = Version.State.COMPLETE
        version.is_current = True
        version.rows_in = report.rows_in
        version.rows_loaded = report.rows_loaded
        version.rows_quarantined = report.rows_quarantined
        version.quality = report.quality
        version.score = report.quality.get("score")
        version.completed_at = timezone.now()
        version.save()
        audit_record(
            action="warehouse.ingest",
            actor=by,
            target=dataset,
            request=request,
            details={
                "version": version.number,
                "rows_in": report.rows_in,
                "rows_loaded": report.rows_loaded,
                "rows_quarantined": report.rows_quarantined,
            },
        )
    return report


def _quality_with_timeliness(
    warehouse: engine.Warehouse, dataset: Dataset, number: int
) -> dict[str, float]:
    """Quality of the loaded version, with timeliness (时效性) folded in when it applies.

    Timeliness compares the newest date in the data (the first date-typed field that is not a
    birth date) with today: 1.0 within the update frequency, falling linearly to 0 at three
    times that age. Without such a field (a register of people, say) it does not apply.
    """
    specs = field_specs(dataset)
    keys = list(dataset.fields.filter(is_key=True).values_list("name", flat=True))
    timeliness = None
    days = FREQUENCY_DAYS.get(dataset.frequency)
    date_field = next(
        (
            f
            for f in specs
            if f.data_type in ("date", "datetime")
            and not f.encrypted
            and f.semantic_type != "birth_date"
        ),
        None,
    )
    if days and date_field is not None:
        table = engine.table_name(dataset.code, number)
        newest = warehouse.duckdb.execute(
            f'SELECT max("{date_field.name}") FROM "{table}"'  # noqa: S608 - names checked by the engine
        ).fetchone()
        if newest and isinstance(newest[0], date):
            newest_date = newest[0].date() if isinstance(newest[0], datetime) else newest[0]
            age = (timezone.localdate() - newest_date).days
            timeliness = max(0.0, min(1.0, 1 - (age - days) / (2 * days))) if age > days else 1.0
    return engine.quality(warehouse, dataset.code, number, specs, keys, timeliness=timeliness)


def ingest_upload(
    *,
    dataset: Dataset,
    uploaded: UploadedFile,
    by: User,
    request: HttpRequest | None = None,
) -> IngestReport:
    """Ingest an uploaded file (page or API): spooled to a temporary file, then ``ingest``."""
    _require_steward(by, dataset)  # before a byte is written to disk
    name = uploaded.name or "upload"
    with NamedTemporaryFile(suffix=Path(name).suffix.lower()[:10], dir=settings.DATA_DIR) as handle:
        for chunk in uploaded.chunks():
            handle.write(chunk)
        handle.flush()
        return ingest(
            dataset=dataset, path=Path(handle.name), by=by, request=request, display_name=name
        )


@transaction.atomic
def version_restore(
    *, dataset: Dataset, number: int, by: User, request: HttpRequest | None = None
) -> Version:
    """Make an earlier complete version current again (its data was never deleted)."""
    _require_steward(by, dataset)
    version = Version.objects.select_for_update().get(
        dataset=dataset, number=number, state=Version.State.COMPLETE
    )
    Version.objects.filter(dataset=dataset, is_current=True).update(is_current=False)
    version.is_current = True
    version.save(update_fields=["is_current"])
    audit_record(
        action="warehouse.restore",
        actor=by,
        target=dataset,
        request=request,
        details={"version": number},
    )
    return version
