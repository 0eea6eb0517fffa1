"""Warehouse API: ingest a file into a dataset, list and restore versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.catalog.selectors import dataset_get
from shuzhi.platform.errors import ApiError

from .messages import translate_ingest_error, translate_reason
from .models import Version
from .selectors import version_list
from .services import NotIngestible, ingest_upload, version_restore
from .spec import IngestError

router = Router(tags=["warehouse"])


class VersionOut(Schema):
    number: int
    state: str
    is_current: bool
    file_name: str
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    score: float | None
    quality: dict[str, Any]
    error: str
    created_at: datetime
    completed_at: datetime | None


def _dataset(request: HttpRequest, code: str) -> Dataset:
    try:
        return dataset_get(by=request.user, code=code)
    except Dataset.DoesNotExist as exc:
        raise ApiError(404, "not_found", _("There is nothing at this address.")) from exc


@router.post(
    "/datasets/{code}/ingest", summary="Load a file as a new version; returns the ingest report"
)
def ingest_route(request: HttpRequest, code: str, file: File[UploadedFile]) -> dict[str, Any]:
    dataset = _dataset(request, code)
    if (file.size or 0) > settings.INGEST_MAX_UPLOAD_MB * 1024 * 1024:
        raise ApiError(413, "body_too_large", _("The request body is too large."))
    try:
        report = ingest_upload(
            dataset=dataset,
            uploaded=file,
            by=request.user,  # type: ignore[arg-type]
            request=request,
        )
    except IngestError as exc:
        raise ApiError(422, "unreadable_file", translate_ingest_error(exc)) from exc
    except NotIngestible as exc:
        raise ApiError(409, "not_ingestible", str(exc)) from exc
    body = report.to_json()
    for row in body["quarantine"]:
        row["reason"] = translate_reason(row["reason"])
    return body


@router.get(
    "/datasets/{code}/versions", response=list[VersionOut], summary="Versions, newest first"
)
def versions(request: HttpRequest, code: str) -> object:
    return version_list(_dataset(request, code))


@router.post(
    "/datasets/{code}/versions/{number}/restore",
    response=VersionOut,
    summary="Make a version current again",
)
def restore(request: HttpRequest, code: str, number: int) -> Version:
    dataset = _dataset(request, code)
    try:
        return version_restore(dataset=dataset, number=number, by=request.user, request=request)  # type: ignore[arg-type]
    except Version.DoesNotExist as exc:
        raise ApiError(404, "not_found", _("There is nothing at this address.")) from exc
