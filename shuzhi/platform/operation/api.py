"""The operation API router (under /api/v1/operation/): an operator's analyses, thin over services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from shuzhi.platform.errors import ApiError

from .models import Analysis
from .selectors import analysis_for_operator, analysis_list_for_operator, operator_of
from .services import OperationError, analysis_submit

router = Router(tags=["operation"])


class AnalysisIn(Schema):
    title: str = ""
    language: str = "sql"
    text: str


class AnalysisOut(Schema):
    id: int
    title: str
    language: str
    status: str
    reason: str
    submitted_at: datetime
    reviewed_at: datetime | None
    review_comment: str
    columns: list[str] | None
    rows: list[list[Any]] | None
    suppressed_groups: int | None


def _out(analysis: Analysis) -> dict[str, Any]:
    released = analysis.is_released  # the result leaves only after the bureau's release
    return {
        "id": analysis.pk,
        "title": analysis.title,
        "language": analysis.language,
        "status": analysis.status,
        # a failure on the data waits for the review like a result (services._run)
        "reason": "" if analysis.status == Analysis.Status.AWAITING_REVIEW else analysis.reason,
        "submitted_at": analysis.submitted_at,
        "reviewed_at": analysis.reviewed_at,
        "review_comment": analysis.review_comment,
        "columns": analysis.columns if released else None,
        "rows": analysis.rows if released else None,
        "suppressed_groups": analysis.suppressed_groups if released else None,
    }


@router.post("/analyses", response={201: AnalysisOut}, summary="Submit an analysis and run it")
def submit(request: HttpRequest, body: AnalysisIn) -> Status:
    try:
        analysis = analysis_submit(
            by=request.user,  # type: ignore[arg-type]
            title=body.title,
            language=body.language,
            text=body.text,
            request=request,
        )
    except OperationError as exc:
        raise ApiError(422, "invalid_analysis", str(exc)) from exc
    return Status(201, _out(analysis))


@router.get("/analyses", response=list[AnalysisOut], summary="My operator's analyses")
def analyses(request: HttpRequest) -> list[dict[str, Any]]:
    operator = operator_of(request.user)
    if operator is None:
        return []
    return [_out(a) for a in analysis_list_for_operator(operator)[:200]]


@router.get(
    "/analyses/{pk}", response=AnalysisOut, summary="One analysis; its result once released"
)
def analysis(request: HttpRequest, pk: int) -> dict[str, Any]:
    try:
        return _out(analysis_for_operator(operator_of(request.user), pk))
    except Analysis.DoesNotExist as exc:
        raise ApiError(404, "not_found", _("There is nothing at this address.")) from exc
