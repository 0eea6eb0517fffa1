"""Loop pages (thin): my department's tasks, a task with its timeline and actions, the
dispatcher's queue, the report form and the rankings (比晾晒)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shuzhi.platform.accounts.models import Department, Division

from . import services
from .forms import TaskFilterForm, TaskForm
from .models import RUNNING_STATES, DispatchRule, Evidence, State, Task
from .permissions import actions_for, loop_allowed, oversight_county, rule_in_reach
from .registry import TASK_TYPES
from .selectors import (
    RANK_BY,
    TaskFilter,
    department_tasks,
    departments,
    dispatch_queue,
    dispatch_rules,
    divisions,
    filter_tasks,
    oversees_tasks,
    ranking,
    state_counts,
    task_get,
    task_queryset,
    tasks_visible_to,
)

PAGE = 25


def _task(request: HttpRequest, pk: int) -> Task:
    try:
        return task_get(pk=pk, user=request.user)
    except Task.DoesNotExist as exc:
        raise Http404(str(pk)) from exc


def _deadline_class(task: Task, now: datetime) -> str:
    if task.state not in (State.PENDING_DISPATCH, State.PENDING_ACCEPTANCE, State.IN_PROGRESS):
        return "secondary"
    if task.overdue or task.deadline <= now:
        return "danger"
    if task.deadline - now <= timedelta(hours=24):
        return "warning"
    return "primary"


def _decorate(tasks: Any, now: datetime) -> list[Task]:
    rows = list(tasks)
    for task in rows:
        task.deadline_class = _deadline_class(task, now)
        kind = TASK_TYPES.get(task.type_code)
        task.type_name = kind.name if kind else task.type_code
    return rows


def _local_midnight(day: date | None) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Task lists: my department's tasks (the inbox) or, for dispatchers, supervisors and
    leaders, all tasks they oversee — by state, county, overdue, period or text; the cockpit's
    figures link here with those filters."""
    user: Any = request.user
    overseer = oversees_tasks(user)
    county_scope = oversight_county(user) if overseer else None
    counties = [
        (d.code, d.name)
        for d in Division.objects.filter(level=Division.Level.COUNTY).order_by("code")
        if county_scope is None or d.code == county_scope
    ]
    form = TaskFilterForm(request.GET or None, counties=counties)
    if form.is_bound and not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.warning(request, f"{label}: {' '.join(str(e) for e in errors)}")
    scope = "all" if overseer and form.value("scope") == "all" else "mine"
    where = TaskFilter(
        state=form.value("state"),
        county=form.value("county"),
        department_id=form.value("department"),
        overdue=form.value("overdue"),
        open_only=form.value("open"),
        opened_since=_local_midnight(form.value("opened_since")),
        closed_since=_local_midnight(form.value("closed_since")),
        text=form.value("q").strip(),
    )
    base = (
        tasks_visible_to(user)
        if scope == "all"
        else department_tasks(department_id=user.department_id)
    )
    counts = state_counts(filter_tasks(base, where, with_state=False))
    page = Paginator(filter_tasks(base, where), PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    reported = task_queryset().filter(reporter_id=user.pk)[:20]
    filtered = any(
        (where.county, where.overdue, where.open_only, where.opened_since, where.closed_since)
    ) or bool(where.text or where.department_id)
    return render(
        request,
        "loop/index.html",
        {
            "page": page,
            "tasks": _decorate(page.object_list, now),
            "reported": _decorate(reported, now) if scope == "mine" else [],
            "states": [(value, label, counts.get(value, 0)) for value, label in State.choices],
            "state": where.state,
            "total": sum(counts.values()),
            "scope": scope,
            "overseer": overseer,
            "county_scope": county_scope,
            "form": form,
            "filtered": filtered,
            "is_dispatcher": loop_allowed(user, "loop.dispatch"),
        },
    )


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    now = timezone.now()
    _decorate([task], now)
    actions = actions_for(request.user, task)
    return render(
        request,
        "loop/task.html",
        {
            "task": task,
            "events": task.events.select_related("actor", "department"),
            "evidence": task.evidence.all(),
            "children": _decorate(task.children.select_related("department"), now),
            "actions": actions,
            "departments": departments()
            if {"dispatch", "split", "reassign"} & set(actions)
            else [],
            "remaining_hours": round((task.deadline - now).total_seconds() / 3600, 1),
        },
    )


ACTIONS = {
    "dispatch",
    "split",
    "accept",
    "return",
    "reassign",
    "submit",
    "review",
    "rate",
    "reopen",
    "suspend",
    "resume",
    "extension_request",
    "extension_decide",
    "urge",
    "escalate",
}


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


def _department(request: HttpRequest) -> Department:
    pk = _int(request.POST.get("department"))
    if pk is None:
        raise services.TaskRefused(_("Choose a department."))
    try:
        return Department.objects.get(pk=pk)
    except Department.DoesNotExist:
        raise services.TaskRefused(_("Choose a department.")) from None


def run_action(request: HttpRequest, task: Task, action: str) -> Task:
    """Call the service of ``action`` with the posted fields (shared by the page and the API)."""
    post = request.POST
    by: Any = request.user
    comment = post.get("comment", "")
    common: dict[str, Any] = {"task": task, "by": by, "request": request}
    if action == "dispatch":
        return services.task_dispatch(department=_department(request), comment=comment, **common)
    if action == "split":
        ids = [i for i in (_int(v) for v in post.getlist("departments")) if i]
        chosen = list(Department.objects.filter(pk__in=ids))
        ratio = post.get("ratio") or None
        try:
            ratio_value = float(ratio) if ratio else None
        except ValueError:
            raise services.TaskRefused(_("Give a completion ratio between 0 and 1.")) from None
        return services.task_split(
            departments=chosen,
            rule=post.get("rule", "all"),
            ratio=ratio_value,
            comment=comment,
            **common,
        )
    if action == "accept":
        return services.task_accept(comment=comment, **common)
    if action == "return":
        return services.task_return(comment=comment, **common)
    if action == "reassign":
        return services.task_reassign(department=_department(request), comment=comment, **common)
    if action == "submit":
        return services.task_submit(
            comment=comment, files=request.FILES.getlist("evidence"), **common
        )
    if action == "review":
        return services.task_review(approve=post.get("approve") == "1", comment=comment, **common)
    if action == "rate":
        score = _int(post.get("score"))
        return services.task_rate(
            score=score if score is not None else 0, comment=comment, **common
        )
    if action == "reopen":
        return services.task_reopen(comment=comment, **common)
    if action == "suspend":
        return services.task_suspend(comment=comment, **common)
    if action == "resume":
        return services.task_resume(comment=comment, **common)
    if action == "extension_request":
        days = _int(post.get("days"))
        return services.task_extension_request(
            days=days if days is not None else 0, reason=comment, **common
        )
    if action == "extension_decide":
        return services.task_extension_decide(
            approve=post.get("approve") == "1", comment=comment, **common
        )
    if action == "urge":
        return services.task_urge(comment=comment, **common)
    if action == "escalate":
        return services.task_escalate(comment=comment, **common)
    raise Http404(action)


@login_required
@require_POST
def task_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404(action)
    task = _task(request, pk)
    try:
        run_action(request, task, action)
    except services.TaskRefused as refused:
        messages.error(request, refused.message)
    except PermissionDenied:
        messages.error(request, _("You may not take this step on this task."))
    else:
        messages.success(request, _("Done."))
    return redirect("loop:task", pk=task.pk)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    try:
        evidence = Evidence.objects.select_related("task").get(pk=pk)
    except Evidence.DoesNotExist as exc:
        raise Http404(str(pk)) from exc
    try:
        handle = services.evidence_open(evidence=evidence, by=request.user, request=request)  # type: ignore[arg-type]
    except PermissionDenied as exc:
        raise Http404(str(pk)) from exc
    return FileResponse(handle, as_attachment=True, filename=evidence.name)


def _with_reach(rule: DispatchRule, user: Any) -> DispatchRule:
    rule.removable = rule_in_reach(user, rule)  # type: ignore[attr-defined]
    return rule


@login_required
def dispatch(request: HttpRequest) -> HttpResponse:
    """The dispatcher's queue: tasks to route, closures to review, extension requests."""
    if not loop_allowed(request.user, "loop.dispatch") and not loop_allowed(
        request.user, "loop.supervise"
    ):
        raise PermissionDenied("loop.dispatch")
    now = timezone.now()
    county = oversight_county(request.user)
    queue = dispatch_queue(county)
    overdue = task_queryset().filter(overdue=True, state__in=RUNNING_STATES)
    if county:
        overdue = overdue.filter(county_code=county)
    return render(
        request,
        "loop/dispatch.html",
        {
            "to_route": _decorate(queue.filter(state=State.PENDING_DISPATCH)[:100], now),
            "to_review": _decorate(queue.filter(state=State.PENDING_REVIEW)[:100], now),
            "extensions": _decorate(
                queue.filter(extension_requested_days__isnull=False)[:100], now
            ),
            "overdue": _decorate(overdue.order_by("deadline")[:100], now),
            "departments": departments(),
            "divisions": divisions(),
            "rules": [
                _with_reach(rule, request.user)
                for rule in dispatch_rules().order_by("category", "division_id", "order")
            ],
            "can_dispatch": loop_allowed(request.user, "loop.dispatch"),
        },
    )


@login_required
@require_POST
def rule_add(request: HttpRequest) -> HttpResponse:
    """Add a dispatch rule (分拨规则) from the dispatch queue page."""
    division_code = request.POST.get("division", "")
    division = Division.objects.filter(code=division_code).first() if division_code else None
    try:
        services.dispatch_rule_create(
            category=request.POST.get("category", ""),
            department=_department(request),
            division=division,
            by=request.user,  # type: ignore[arg-type]
            request=request,
        )
    except services.TaskRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Dispatch rule added."))
    return redirect("loop:dispatch")


@login_required
@require_POST
def rule_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Retire a dispatch rule from the dispatch queue page."""
    rule = dispatch_rules().filter(pk=pk).first()
    if rule is None:
        raise Http404(str(pk))
    services.dispatch_rule_remove(rule=rule, by=request.user, request=request)  # type: ignore[arg-type]
    messages.success(request, _("Dispatch rule removed."))
    return redirect("loop:dispatch")


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """Report a problem (群众反映 / 巡查发现): opens a task."""
    form = TaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.task_open(
                type_code=data["type_code"],
                title=data["title"],
                division=data["division"],
                description=data["description"],
                category=data["category"],
                location=data["location"],
                priority=data["priority"],
                source="web",
                by=request.user,  # type: ignore[arg-type]
                request=request,
            )
        except services.TaskRefused as refused:
            form.add_error(None, refused.message)
        except PermissionDenied:
            form.add_error(None, _("You may not report a problem."))
        else:
            messages.success(
                request, _("Your report was registered as task #%(n)d.") % {"n": task.pk}
            )
            return redirect("loop:task", pk=task.pk)
    return render(request, "loop/new.html", {"form": form})


def _period(request: HttpRequest) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = today - timedelta(days=90)
    try:
        end = date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    if end < start:
        start, end = end, start
    return start, end


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


@login_required
def rankings(request: HttpRequest) -> HttpResponse:
    """比晾晒: departments or counties compared over a period; table, chart and XLSX."""
    group = request.GET.get("by", "department")
    if group not in RANK_BY:
        group = "department"
    start, end = _period(request)
    since, until = _bounds(start, end)
    if request.GET.get("format") == "xlsx":
        body = services.ranking_export(
            by=request.user,  # type: ignore[arg-type]
            group=group,
            start=since,
            end=until,
            request=request,
        )
        response = HttpResponse(
            body,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="loop-ranking-{group}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
        )
        return response
    rows = ranking(by=group, start=since, end=until)
    chart = {
        "names": [r.name for r in rows],
        "on_time": [
            round(100 * r.on_time_rate, 1) if r.on_time_rate is not None else 0 for r in rows
        ],
        "rating": [round(r.avg_rating, 2) if r.avg_rating is not None else 0 for r in rows],
        "labels": {"on_time": _("On-time closure rate (%)"), "rating": _("Average satisfaction")},
    }
    return render(
        request,
        "loop/rankings.html",
        {"rows": rows, "group": group, "start": start, "end": end, "chart": chart},
    )
