"""Warehouse pages: upload with its ingest report, quarantine viewer, and the dataset-page tabs."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.catalog.models import Dataset, Grade
from shuzhi.platform.catalog.selectors import can_edit, dataset_get

from . import engine
from .connection import open_warehouse
from .forms import UploadForm
from .messages import translate_ingest_error, translate_reason
from .models import Version
from .selectors import (
    current_version,
    is_stale,
    masked_row,
    score_trends,
    version_list,
    warehouse_overview,
)
from .services import NotIngestible, ingest_upload, version_restore
from .spec import IngestError, IngestReport

SAMPLE_ROWS = 20
QUALITY_LABELS = {  # 数据质量 measures, in the order they are shown
    "completeness": gettext_lazy("Completeness"),
    "validity": gettext_lazy("Validity"),
    "uniqueness": gettext_lazy("Uniqueness of keys"),
    "code_table_consistency": gettext_lazy("Code-table consistency"),
    "timeliness": gettext_lazy("Timeliness"),
    "score": gettext_lazy("Score (0–100)"),
}


def _dataset(request: HttpRequest, code: str) -> Dataset:
    try:
        return dataset_get(by=request.user, code=code)
    except Dataset.DoesNotExist as exc:
        raise Http404(code) from exc


def quality_cells(datasets: list[Dataset]) -> dict[int, str]:
    """The catalogue list's quality column: the latest score and a sparkline of its trend."""
    return {
        pk: render_to_string(
            "warehouse/_score.html", {"score": scores[-1], "points": _sparkline(scores)}
        )
        for pk, scores in score_trends(datasets).items()
        if scores
    }


def _sparkline(scores: list[float], width: int = 60, height: int = 16) -> str:
    recent = scores[-12:]
    if len(recent) < 2:
        return ""
    step = width / (len(recent) - 1)
    return " ".join(f"{i * step:.1f},{height - s / 100 * height:.1f}" for i, s in enumerate(recent))


def versions_panel(request: HttpRequest, dataset: Dataset) -> str:
    versions = list(version_list(dataset)[:50])
    trend = [
        {"version": v.number, "score": round(v.score, 1)}
        for v in reversed(versions)
        if v.score is not None
    ]
    return render_to_string(
        "warehouse/_versions.html",
        {
            "dataset": dataset,
            "versions": versions,
            "trend": trend,
            "stale": is_stale(dataset),
            "editable": can_edit(request.user, dataset),
            "measures": [
                (label, versions[0].quality[key])
                for key, label in QUALITY_LABELS.items()
                if versions and key in versions[0].quality
            ],
        },
        request=request,
    )


def sample_panel(request: HttpRequest, dataset: Dataset) -> str:
    version = current_version(dataset)
    rows: list[dict[str, object]] = []
    if version is not None:
        with open_warehouse() as warehouse:
            raw = engine.version_rows(warehouse, dataset.code, version.number, limit=SAMPLE_ROWS)
        rows = [masked_row(dataset, r) for r in raw]
        if dataset.grade >= Grade.L2:
            audit_record(
                action="warehouse.read",
                target=dataset,
                request=request,
                details={"version": version.number, "rows": len(rows), "masked": True},
            )
    return render_to_string(
        "warehouse/_sample.html",
        {
            "dataset": dataset,
            "version": version,
            "rows": rows,
            "fields": list(dataset.fields.all()),
        },
        request=request,
    )


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """数据仓: every published dataset's current version, quality score and freshness."""
    rows = warehouse_overview(by=request.user)
    return render(request, "warehouse/overview.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, code: str) -> HttpResponse:
    dataset = _dataset(request, code)
    if not can_edit(request.user, dataset):
        raise Http404(code)
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    error = ""
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        if uploaded.size > settings.INGEST_MAX_UPLOAD_MB * 1024 * 1024:
            error = _("The file is larger than %(mb)d MB; load it with `shuzhi ingest`.") % {
                "mb": settings.INGEST_MAX_UPLOAD_MB
            }
        else:
            report, error = _ingest_upload(request, dataset, uploaded)
    status = 400 if (error or form.errors) else 200
    shown = [
        (q.row, q.field, translate_reason(q.reason))
        for q in (report.quarantine[:50] if report is not None else [])
    ]
    return render(
        request,
        "warehouse/upload.html",
        {"dataset": dataset, "form": form, "report": report, "error": error, "shown": shown},
        status=status,
    )


def _ingest_upload(
    request: HttpRequest, dataset: Dataset, uploaded: UploadedFile
) -> tuple[IngestReport | None, str]:
    try:
        report = ingest_upload(
            dataset=dataset,
            uploaded=uploaded,
            by=request.user,  # type: ignore[arg-type]
            request=request,
        )
    except IngestError as exc:
        return None, translate_ingest_error(exc)
    except NotIngestible as exc:
        return None, str(exc)
    return report, ""


@login_required
def progress(request: HttpRequest, code: str) -> JsonResponse:
    """How far the running load of a dataset has got (polled by the upload page)."""
    dataset = _dataset(request, code)
    if not can_edit(request.user, dataset):
        raise Http404(code)
    version = Version.objects.filter(dataset=dataset).order_by("-number").first()
    if version is None:
        return JsonResponse({"state": "none", "rows": 0})
    return JsonResponse(
        {"state": version.state, "version": version.number, "rows": version.rows_in}
    )


@login_required
def quarantine(
    request: HttpRequest, code: str, number: int
) -> HttpResponse | StreamingHttpResponse:
    """Bad rows of one version with their field and reason; ``?format=csv`` downloads them."""
    dataset = _dataset(request, code)
    if not can_edit(request.user, dataset):
        raise Http404(code)
    version = Version.objects.filter(
        dataset=dataset, number=number, state=Version.State.COMPLETE
    ).first()
    if version is None:  # a failed or unfinished load has no quarantine to show
        raise Http404(number)
    with open_warehouse() as warehouse:
        rows = engine.quarantine_rows(warehouse, dataset.code, number)
    for row in rows:
        row["reason"] = translate_reason(str(row.get("reason", "")))
    audit_record(
        action="warehouse.read",
        actor=request.user,
        target=dataset,
        request=request,
        details={"version": number, "quarantine": True, "rows": len(rows)},
    )
    if request.GET.get("format") == "csv":
        return _quarantine_csv(dataset, number, rows)
    return render(
        request,
        "warehouse/quarantine.html",
        {"dataset": dataset, "version": version, "rows": rows[:500]},
    )


def _quarantine_csv(
    dataset: Dataset, number: int, rows: list[dict[str, object]]
) -> StreamingHttpResponse:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # so spreadsheet programs read the Chinese reasons as UTF-8
        yield writer.writerow(["row", "field", "reason", "raw"])
        for r in rows:
            yield writer.writerow(
                [
                    r.get("row"),
                    r.get("field"),
                    r.get("reason"),
                    json.dumps(r.get("raw"), ensure_ascii=False)
                    if not isinstance(r.get("raw"), str)
                    else r.get("raw"),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{dataset.code}-v{number}-quarantine.csv"'
    )
    return response


@login_required
@require_POST
def restore(request: HttpRequest, code: str, number: int) -> HttpResponse:
    dataset = _dataset(request, code)
    try:
        version_restore(dataset=dataset, number=number, by=request.user, request=request)  # type: ignore[arg-type]
    except Version.DoesNotExist as exc:
        raise Http404(number) from exc
    messages.success(request, _("Version %(n)d is current again.") % {"n": number})
    return redirect("catalog:detail", code=dataset.code)
