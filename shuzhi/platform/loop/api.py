"""The loop API router (under /api/v1/loop/): tasks, their steps and the rankings (thin)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from shuzhi.platform.accounts.models import Department
from shuzhi.platform.errors import ApiError

from . import services
from .models import Task
from .permissions import actions_for
from .selectors import RANK_BY, ranking, task_get, tasks_visible_to

router = Router(tags=["loop"])

MAX_LIST = 200


class EventOut(Schema):
    at: datetime
    actor: str
    action: str
    from_state: str
    to_state: str
    comment: str


class TaskOut(Schema):
    id: int
    type: str
    title: str
    category: str
    division: str
    location: str
    priority: str
    state: str
    department: str | None
    source: str
    source_ref: str
    parent: int | None
    opened_at: datetime
    deadline: datetime
    closed_at: datetime | None
    overdue: bool
    supervision_level: int
    rating: int | None
    actions: list[str]


class TaskDetailOut(TaskOut):
    description: str
    events: list[EventOut]


class StepIn(Schema):
    action: str
    comment: str = ""
    department: str | None = None  # department code, for dispatch and reassign
    departments: list[str] = []  # for split
    rule: str = "all"
    ratio: float | None = None
    days: int | None = None
    approve: bool = True
    score: int | None = None


class RankingOut(Schema):
    key: str
    name: str
    total: int
    closed: int
    on_time_rate: float | None
    avg_hours: float | None
    overdue: int
    avg_rating: float | None
    reopen_rate: float | None


def _out(task: Task, request: HttpRequest) -> dict[str, object]:
    return {
        "id": task.pk,
        "type": task.type_code,
        "title": task.title,
        "category": task.category,
        "division": task.division_id,
        "location": task.location,
        "priority": task.priority,
        "state": task.state,
        "department": task.department.code if task.department else None,
        "source": task.source,
        "source_ref": task.source_ref,
        "parent": task.parent_id,
        "opened_at": task.opened_at,
        "deadline": task.deadline,
        "closed_at": task.closed_at,
        "overdue": task.overdue,
        "supervision_level": task.supervision_level,
        "rating": task.rating,
        "actions": actions_for(request.user, task),
    }


def _detail(task: Task, request: HttpRequest) -> dict[str, object]:
    return {
        **_out(task, request),
        "description": task.description,
        "events": [
            {
                "at": e.at,
                "actor": str(e.actor) if e.actor else "system",
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "comment": e.comment,
            }
            for e in task.events.select_related("actor")
        ],
    }


def _task(request: HttpRequest, pk: int) -> Task:
    try:
        return task_get(pk=pk, user=request.user)
    except Task.DoesNotExist:
        raise ApiError(404, "not_found", _("There is nothing at this address.")) from None


@router.get("/tasks", response=list[TaskOut])
def task_list(
    request: HttpRequest, state: str = "", limit: int = 50, offset: int = 0
) -> list[dict[str, object]]:
    """Tasks the caller may see (own department's and own reports; all for dispatchers)."""
    tasks = tasks_visible_to(request.user)
    if state:
        tasks = tasks.filter(state=state)
    limit = max(1, min(limit, MAX_LIST))
    return [_out(t, request) for t in tasks[max(offset, 0) : max(offset, 0) + limit]]


@router.get("/tasks/{pk}", response=TaskDetailOut)
def task_detail(request: HttpRequest, pk: int) -> dict[str, object]:
    return _detail(_task(request, pk), request)


def _department(code: str | None) -> Department:
    try:
        return Department.objects.get(code=code or "")
    except Department.DoesNotExist:
        raise services.TaskRefused(_("Choose a department.")) from None


@router.post("/tasks/{pk}/steps", response=TaskDetailOut)
def task_step(request: HttpRequest, pk: int, payload: StepIn) -> dict[str, object]:
    """Take one step: dispatch, split, accept, return, reassign, submit, review, rate, reopen,
    suspend, resume, extension_request, extension_decide, urge, escalate."""
    task = _task(request, pk)
    by = request.user
    common: dict[str, Any] = {"task": task, "by": by, "request": request}
    c = payload.comment
    try:
        match payload.action:
            case "dispatch":
                task = services.task_dispatch(
                    department=_department(payload.department), comment=c, **common
                )
            case "split":
                chosen = list(Department.objects.filter(code__in=payload.departments))
                task = services.task_split(
                    departments=chosen, rule=payload.rule, ratio=payload.ratio, comment=c, **common
                )
            case "accept":
                task = services.task_accept(comment=c, **common)
            case "return":
                task = services.task_return(comment=c, **common)
            case "reassign":
                task = services.task_reassign(
                    department=_department(payload.department), comment=c, **common
                )
            case "submit":
                task = services.task_submit(comment=c, **common)
            case "review":
                task = services.task_review(approve=payload.approve, comment=c, **common)
            case "rate":
                task = services.task_rate(score=payload.score or 0, comment=c, **common)
            case "reopen":
                task = services.task_reopen(comment=c, **common)
            case "suspend":
                task = services.task_suspend(comment=c, **common)
            case "resume":
                task = services.task_resume(comment=c, **common)
            case "extension_request":
                task = services.task_extension_request(days=payload.days or 0, reason=c, **common)
            case "extension_decide":
                task = services.task_extension_decide(approve=payload.approve, comment=c, **common)
            case "urge":
                task = services.task_urge(comment=c, **common)
            case "escalate":
                task = services.task_escalate(comment=c, **common)
            case _:
                raise ApiError(400, "unknown_action", _("Unknown step."))
    except services.TaskRefused as refused:
        raise ApiError(409, "refused", refused.message) from None
    except PermissionDenied:
        raise ApiError(403, "forbidden", _("You may not take this step on this task.")) from None
    return _detail(Task.objects.get(pk=task.pk), request)


@router.get("/rankings", response=list[RankingOut])
def rankings(
    request: HttpRequest, by: str = "department", start: date | None = None, end: date | None = None
) -> list[dict[str, object]]:
    """比晾晒 per department or county over [start, end] (default: the last 90 days)."""
    if by not in RANK_BY:
        raise ApiError(400, "bad_request", _("Rank by department or county."))
    today = timezone.localdate()
    start = start or today - timedelta(days=90)
    end = end or today
    zone = timezone.get_current_timezone()
    rows = ranking(
        by=by,
        start=datetime.combine(start, time.min, tzinfo=zone),
        end=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )
    return [
        {
            "key": r.key,
            "name": r.name,
            "total": r.total,
            "closed": r.closed,
            "on_time_rate": r.on_time_rate,
            "avg_hours": r.avg_hours,
            "overdue": r.overdue,
            "avg_rating": r.avg_rating,
            "reopen_rate": r.reopen_rate,
        }
        for r in rows
    ]
