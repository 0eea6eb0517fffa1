"""Writes of the closed loop (闭环): open, dispatch, handle, close, rate, supervise.

Every function takes keyword arguments, checks permission (``_require_…``), changes the task in
one transaction, appends a ``TaskEvent`` (actor, time, action, from → to, comment) and writes an
audit entry. A refused step (wrong role, wrong department, wrong state, extension past the
maximum) raises, changes nothing, and is audited as denied or failed.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record

from . import external
from .models import (
    DONE_STATES,
    OPEN_STATES,
    RUNNING_STATES,
    CompletionRule,
    DispatchRule,
    Evidence,
    Priority,
    State,
    Task,
    TaskEvent,
)
from .permissions import (
    can_view,
    is_handler,
    loop_allowed,
    oversees,
    oversight_county,
    rule_in_reach,
)
from .registry import TASK_TYPES, UnknownTaskType, step_taken, task_type
from .selectors import dispatch_rule_for, ranking

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_FILES = 10
EVIDENCE_EXTENSIONS = frozenset(
    {".pdf", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".txt", ".docx", ".xlsx", ".doc", ".xls"}
)


class TaskRefused(Exception):
    """A step that breaks a rule; ``message`` says which, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- permission checks -------------------------------------------------------------------


def _require_loop(user: Any, perm: str) -> None:
    if not loop_allowed(user, perm):
        raise PermissionDenied(perm)


def _require_oversight(user: Any, perm: str, task: Task) -> None:
    """``perm`` for this task: held, and the task lies in the person's county (if any)."""
    _require_loop(user, perm)
    if not oversees(user, perm, task):
        raise PermissionDenied(f"{perm}: the task lies outside your county")


def _require_handler(user: Any, task: Task) -> None:
    _require_loop(user, "loop.handle")
    if not is_handler(user, task):
        raise PermissionDenied("loop.handle: the task is assigned to another department")


def _require_system_or(user: Any, perm: str) -> None:
    """``None`` is the system itself (a warning rule, the deadline scan)."""
    if user is not None:
        _require_loop(user, perm)


# --- the common step ----------------------------------------------------------------------


def _event(
    task: Task, *, action: str, by: User | None, from_state: str, comment: str = ""
) -> TaskEvent:
    return TaskEvent.objects.create(
        task=task,
        actor=by,
        action=action,
        from_state=from_state,
        to_state=task.state,
        comment=(comment or "").strip()[:4000],
        department_id=task.department_id,
    )


def _step(
    *,
    action: str,
    task: Task,
    by: User | None,
    request: HttpRequest | None,
    check: Callable[[Task], None],
    change: Callable[[Task], dict[str, Any] | None],
    comment: str = "",
) -> Task:
    """Check, change the locked task, log the event and audit it — or audit the refusal."""
    code = f"loop.{action}"
    try:
        with transaction.atomic():
            locked = Task.objects.select_for_update().get(pk=task.pk)
            check(locked)
            from_state = locked.state
            details = change(locked) or {}
            locked.save()
            _event(locked, action=action, by=by, from_state=from_state, comment=comment)
            audit_record(
                action=code,
                actor=by,
                actor_name="" if by else "system",
                target=locked,
                request=request,
                details={"from": from_state, "to": locked.state, **details},
            )
            step_taken(task=locked, action=action, from_state=from_state, by=by)
    except PermissionDenied as error:
        _refusal(code, task, by, request, Outcome.DENIED, str(error))
        raise
    except TransitionNotAllowed:
        message = _("This step is not allowed while the task is “%(state)s”.") % {
            "state": Task.objects.get(pk=task.pk).get_state_display()
        }
        _refusal(code, task, by, request, Outcome.FAILURE, message)
        raise TaskRefused(message) from None
    except TaskRefused as error:
        _refusal(code, task, by, request, Outcome.FAILURE, error.message)
        raise
    return locked


def _refusal(
    code: str, task: Task, by: User | None, request: HttpRequest | None, outcome: str, why: str
) -> None:
    audit_record(
        action=code,
        actor=by,
        target=("loop.task", task.pk),
        outcome=outcome,
        request=request,
        details={"reason": why[:300]},
    )


def _members(department_id: int | None) -> list[User]:
    if department_id is None:
        return []
    return list(User.objects.filter(department_id=department_id, is_active=True))


def _task_link(task: Task) -> str:
    return f"/loop/tasks/{task.pk}/"


def _deadline_days(task: Task) -> int:
    try:
        return task_type(task.type_code).deadline_days
    except UnknownTaskType:
        return 5


# --- open -----------------------------------------------------------------------------------


def task_open(
    *,
    type_code: str,
    title: str,
    division: Division,
    description: str = "",
    category: str = "",
    location: str = "",
    priority: str = "normal",
    source: str = "",
    source_ref: str = "",
    reporter: User | None = None,
    department: Department | None = None,
    deadline_days: int | None = None,
    by: User | None = None,
    request: HttpRequest | None = None,
) -> Task:
    """Open a task (立案); route it by the dispatch rules when one matches.

    ``by=None`` is the system (a warning rule, an import); a person needs ``loop.report``.
    The deadline is the type's working days from now. ``department`` routes the task straight
    to the department a module knows handles it (e.g. carbon warnings to the economy bureau);
    only the system may name one — a person's report goes through the dispatch rules.
    ``deadline_days`` (system only) replaces the type's working days when the module knows the
    promise for this one task (e.g. a service item's promised time limit, 承诺时限).
    """
    try:
        _require_system_or(by, "loop.report")
        if (department is not None or deadline_days is not None) and by is not None:
            raise PermissionDenied("loop.open: only the system routes a new task itself")
        if deadline_days is not None and not 1 <= deadline_days <= 365:
            raise TaskRefused(_("A deadline is 1 to 365 working days."))
        kind = task_type(type_code)
        title = (title or "").strip()
        if not title:
            raise TaskRefused(_("Give the task a title."))
        if priority not in Priority.values:
            raise TaskRefused(_("Unknown priority."))
    except (PermissionDenied, TaskRefused, UnknownTaskType) as error:
        audit_record(
            action="loop.open",
            actor=by if getattr(by, "is_authenticated", False) else None,
            actor_name="" if by else "system",
            outcome=Outcome.DENIED if isinstance(error, PermissionDenied) else Outcome.FAILURE,
            request=request,
            details={"type": type_code[:64], "source_ref": source_ref[:200], "reason": str(error)},
        )
        raise
    now = timezone.now()
    with transaction.atomic():
        task = Task.objects.create(
            type_code=kind.code,
            title=title[:200],
            description=(description or "").strip()[:10000],
            category=(category or kind.category)[:64],
            division=division,
            location=(location or "")[:200],
            priority=priority,
            source=source[:64],
            source_ref=source_ref[:200],
            reporter=reporter if reporter is not None else by,
            opened_at=now,
            deadline=external.deadline_after(now, deadline_days or kind.deadline_days),
        )
        _event(task, action="open", by=by, from_state="", comment=task.description[:500])
        audit_record(
            action="loop.open",
            actor=by,
            actor_name="" if by else "system",
            target=task,
            request=request,
            details={"type": kind.code, "source": source, "source_ref": source_ref[:200]},
        )
        rule = None if department else dispatch_rule_for(category=task.category, division=division)
        routed_to = department or (rule.department if rule is not None else None)
        if routed_to is not None:
            task.department = routed_to
            task.dispatch()
            task.dispatched_at = now
            task.save()
            _event(
                task,
                action="dispatch",
                by=None,
                from_state=State.PENDING_DISPATCH,
                comment=_("Routed by rule: %(rule)s") % {"rule": rule}
                if rule is not None
                else _("Routed by the module that opened it."),
            )
            audit_record(
                action="loop.dispatch",
                actor_name="system",
                target=task,
                request=None,
                details={"department": routed_to.code, "rule": rule.pk if rule else None},
            )
    if task.department_id:
        external.notify(
            recipients=_members(task.department_id),
            subject=_("New task: %(title)s") % {"title": task.title},
            link=_task_link(task),
        )
    return task


# --- dispatch -------------------------------------------------------------------------------


def task_dispatch(
    *,
    task: Task,
    department: Department,
    by: User,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Task:
    """Route a waiting task to a department (人工分拨)."""

    def change(t: Task) -> dict[str, Any]:
        t.dispatch()
        t.department = department
        t.dispatched_at = timezone.now()
        return {"department": department.code}

    task = _step(
        action="dispatch",
        task=task,
        by=by,
        request=request,
        check=lambda t: _require_oversight(by, "loop.dispatch", t),
        change=change,
        comment=comment,
    )
    external.notify(
        recipients=_members(department.pk),
        subject=_("New task: %(title)s") % {"title": task.title},
        link=_task_link(task),
    )
    return task


def task_split(
    *,
    task: Task,
    departments: Sequence[Department],
    by: User,
    rule: str = CompletionRule.ALL,
    ratio: float | None = None,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Task:
    """Split a waiting task into parallel sub-tasks, one per department (会办)."""
    unique = list({d.pk: d for d in departments}.values())

    def check(t: Task) -> None:
        _require_oversight(by, "loop.dispatch", t)
        if len(unique) < 2:
            raise TaskRefused(_("A joint task needs at least two departments."))
        if rule not in CompletionRule.values:
            raise TaskRefused(_("Unknown completion rule."))
        if rule == CompletionRule.RATIO and not (ratio and 0 < ratio <= 1):
            raise TaskRefused(_("Give a completion ratio between 0 and 1."))
        if t.parent_id is not None:
            raise TaskRefused(_("A sub-task cannot be split again."))

    def change(t: Task) -> dict[str, Any]:
        t.split()
        t.completion_rule = rule
        t.completion_ratio = ratio if rule == CompletionRule.RATIO else None
        t.dispatched_at = timezone.now()
        for department in unique:
            child = Task.objects.create(
                type_code=t.type_code,
                title=t.title,
                description=t.description,
                category=t.category,
                division=t.division,
                location=t.location,
                priority=t.priority,
                source=t.source,
                reporter=t.reporter,
                parent=t,
                department=department,
                state=State.PENDING_ACCEPTANCE,
                opened_at=t.opened_at,
                deadline=t.deadline,
                dispatched_at=t.dispatched_at,
            )
            _event(child, action="dispatch", by=by, from_state="", comment=comment)
        return {"departments": [d.code for d in unique], "rule": rule, "ratio": ratio}

    task = _step(
        action="split",
        task=task,
        by=by,
        request=request,
        check=check,
        change=change,
        comment=comment,
    )
    for department in unique:
        external.notify(
            recipients=_members(department.pk),
            subject=_("New joint task: %(title)s") % {"title": task.title},
            link=_task_link(task),
        )
    return task


def task_reassign(
    *,
    task: Task,
    department: Department,
    by: User,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Task:
    """Pass a task to another department (转派): the dispatcher does it."""

    def check(t: Task) -> None:
        _require_oversight(by, "loop.dispatch", t)
        if t.department_id == department.pk:
            raise TaskRefused(_("The task is already with that department."))

    def change(t: Task) -> dict[str, Any]:
        previous = t.department.code if t.department else ""
        t.reassign()
        t.department = department
        t.accepted_at = None
        t.dispatched_at = timezone.now()
        return {"from_department": previous, "department": department.code}

    task = _step(
        action="reassign",
        task=task,
        by=by,
        request=request,
        check=check,
        change=change,
        comment=comment,
    )
    external.notify(
        recipients=_members(department.pk),
        subject=_("Task passed to you: %(title)s") % {"title": task.title},
        link=_task_link(task),
    )
    return task


# --- handle ---------------------------------------------------------------------------------


def task_accept(
    *, task: Task, by: User, comment: str = "", request: HttpRequest | None = None
) -> Task:
    """The assigned department takes the task (签收)."""

    def change(t: Task) -> None:
        t.accept()
        t.accepted_at = timezone.now()

    return _step(
        action="accept",
        task=task,
        by=by,
        request=request,
        check=lambda t: _require_handler(by, t),
        change=change,
        comment=comment,
    )


def task_return(*, task: Task, by: User, comment: str, request: HttpRequest | None = None) -> Task:
    """Send the task back to the dispatcher (退回), with the reason."""

    def check(t: Task) -> None:
        _require_handler(by, t)
        if t.parent_id is not None:
            raise TaskRefused(_("A sub-task of a joint task cannot be returned."))
        if not (comment or "").strip():
            raise TaskRefused(_("Give the reason for returning the task."))

    def change(t: Task) -> dict[str, Any]:
        previous = t.department.code if t.department else ""
        t.return_to_dispatch()
        t.department = None
        t.accepted_at = None
        return {"from_department": previous}

    return _step(
        action="return",
        task=task,
        by=by,
        request=request,
        check=check,
        change=change,
        comment=comment,
    )


def task_submit(
    *,
    task: Task,
    by: User,
    comment: str,
    files: Iterable[UploadedFile] = (),
    request: HttpRequest | None = None,
) -> Task:
    """Report the task handled, with evidence (提交办结); the dispatcher reviews it."""
    uploads = list(files)

    def check(t: Task) -> None:
        _require_handler(by, t)
        if t.is_joint:
            raise TaskRefused(_("A joint task is finished by its sub-tasks."))
        if not (comment or "").strip():
            raise TaskRefused(_("Describe how the task was handled."))
        if len(uploads) > EVIDENCE_MAX_FILES:
            raise TaskRefused(_("Attach at most %(n)d files.") % {"n": EVIDENCE_MAX_FILES})
        for upload in uploads:
            name = (upload.name or "").lower()
            suffix = name[name.rfind(".") :] if "." in name else ""
            if suffix not in EVIDENCE_EXTENSIONS:
                raise TaskRefused(_("This kind of file cannot be attached: %(n)s") % {"n": name})
            if (upload.size or 0) > EVIDENCE_MAX_BYTES:
                raise TaskRefused(
                    _("Each file may be at most %(mb)d MB.") % {"mb": EVIDENCE_MAX_BYTES // 2**20}
                )

    def change(t: Task) -> dict[str, Any]:
        t.submit()
        names = []
        for upload in uploads:
            name = (upload.name or "evidence").rsplit("/", 1)[-1][:200]
            evidence = Evidence(task=t, name=name, size=upload.size or 0, uploaded_by=by)
            evidence.file.save(name, upload, save=False)
            evidence.save()
            names.append(name)
        return {"evidence": names}

    return _step(
        action="submit",
        task=task,
        by=by,
        request=request,
        check=check,
        change=change,
        comment=comment,
    )


def _finish(t: Task, now: datetime) -> None:
    t.closed_at = now
    t.closed_on_time = now <= t.deadline
    t.handling_hours = round((now - t.opened_at).total_seconds() / 3600, 3)
    t.extension_requested_days = None
    t.extension_reason = ""


def task_review(
    *,
    task: Task,
    by: User,
    approve: bool,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Task:
    """The dispatcher accepts the closure (办结) or sends the task back to the department."""

    def check(t: Task) -> None:
        _require_oversight(by, "loop.dispatch", t)
        if not approve and not (comment or "").strip():
            raise TaskRefused(_("Give the reason for sending the task back."))

    def change(t: Task) -> dict[str, Any]:
        if approve:
            t.close()
            _finish(t, timezone.now())
        else:
            t.reject()
        return {"approved": approve}

    task = _step(
        action="close" if approve else "reject",
        task=task,
        by=by,
        request=request,
        check=check,
        change=change,
        comment=comment,
    )
    if approve and task.parent_id is not None:
        _joint_check(task.parent_id)
    if approve:
        external.notify(
            recipients=[task.reporter] if task.reporter else [],
            subject=_("Your report was handled: %(title)s — please rate it")
            % {"title": task.title},
            link=_task_link(task),
        )
    return task


def _joint_check(parent_id: int) -> None:
    """When enough sub-tasks are closed, the joint task goes to review; the rest are cancelled."""
    with transaction.atomic():
        parent = Task.objects.select_for_update().get(pk=parent_id)
        if parent.state != State.IN_PROGRESS:
            return
        children = list(parent.children.exclude(state=State.CANCELLED))
        done = sum(1 for c in children if c.state in (State.CLOSED, State.RATED))
        total = len(children)
        if parent.completion_rule == CompletionRule.ANY:
            complete = done >= 1
        elif parent.completion_rule == CompletionRule.RATIO:
            complete = total > 0 and done / total >= (parent.completion_ratio or 1.0)
        else:
            complete = done == total
        if not complete:
            return
        comment = _("%(done)d of %(total)d departments finished.") % {"done": done, "total": total}
        for child in children:
            if child.state in OPEN_STATES:
                before = child.state
                child.cancel()
                child.save()
                _event(child, action="cancel", by=None, from_state=before, comment=comment)
        parent.submit()
        parent.save()
        _event(parent, action="submit", by=None, from_state=State.IN_PROGRESS, comment=comment)
        audit_record(
            action="loop.submit",
            actor_name="system",
            target=parent,
            details={"done": done, "total": total, "rule": parent.completion_rule},
        )


def task_rate(
    *,
    task: Task,
    by: User,
    score: int,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Task:
    """The reporter rates the closed task, 1 (very unhappy) to 5 (very satisfied) (评价)."""

    def check(t: Task) -> None:
        _require_loop(by, "loop.report")
        if t.reporter_id != by.pk:
            raise PermissionDenied("loop.rate: only the reporter rates a task")
        if not isinstance(score, int) or not 1 <= score <= 5:
            raise TaskRefused(_("Give a rating from 1 to 5."))

    def change(t: Task) -> dict[str, Any]:
        t.rate()
        t.rating = score
        t.rating_comment = (comment or "").strip()[:500]
        for child in t.children.filter(state=State.CLOSED):
            child.rate()
            child.rating = score
            child.save()
        return {"score": score}

    return _step(
        action="rate",
        task=task,
        by=by,
        request=request,
        check=check,
        change=change,
        comment=comment,
    )


def task_reopen(*, task: Task, by: User, comment: str, request: HttpRequest | None = None) -> Task:
    """Reopen a closed task (重新打开): the dispatcher or the reporter, with the reason."""

    def check(t: Task) -> None:
        if not (by is not None and t.reporter_id == by.pk):
            _require_oversight(by, "loop.dispatch", t)
        if t.is_joint or t.department_id is None:
            raise TaskRefused(_("Reopen the sub-task of the department concerned."))
        if not (comment or "").strip():
            raise TaskRefused(_("Give the reason for reopening the task."))

    def change(t: Task) -> None:
        t.reopen()
        t.reopen_count += 1
        t.closed_at = None
        t.closed_on_time = None
        t.handling_hours = None
        t.rating = None
        t.rating_comment = ""

    task = _step(
        action="reopen",
        task=task,
        by=by,
        request=request,
        check=check,
        change=change,
        comment=comment,
    )
    external.notify(
        recipients=_members(task.department_id),
        subject=_("Task reopened: %(title)s") % {"title": task.title},
        link=_task_link(task),
        level="warning",
    )
    return task


# --- suspend, extend -----------------------------------------------------------------------


def task_cancel(*, task: Task, comment: str, request: HttpRequest | None = None) -> Task:
    """Cancel an open task (撤销) that is no longer needed, by the module that opened it, acting
    as the system (e.g. an application withdrawn by its applicant: the services domain follows
    its own tasks). People cannot cancel a task: a module's records would no longer match it.
    Audited as ``loop.cancel``."""

    def check(t: Task) -> None:
        if not (comment or "").strip():
            raise TaskRefused(_("Give a reason."))

    def change(t: Task) -> None:
        t.cancel()
        t.closed_at = timezone.now()

    return _step(
        action="cancel",
        task=task,
        by=None,
        request=request,
        check=check,
        change=change,
        comment=comment,
    )


def task_suspend(*, task: Task, by: User, comment: str, request: HttpRequest | None = None) -> Task:
    """Stop the clock (挂起), e.g. while waiting for a court or the weather; dispatcher only."""

    def check(t: Task) -> None:
        _require_oversight(by, "loop.dispatch", t)
        if not (comment or "").strip():
            raise TaskRefused(_("Give the reason for suspending the task."))

    def change(t: Task) -> None:
        t.suspended_from = t.state
        t.suspended_remaining_seconds = (t.deadline - timezone.now()).total_seconds()
        t.suspend()

    return _step(
        action="suspend",
        task=task,
        by=by,
        request=request,
        check=check,
        change=change,
        comment=comment,
    )


def task_resume(
    *, task: Task, by: User, comment: str = "", request: HttpRequest | None = None
) -> Task:
    """Restart the clock with the time that was left (恢复)."""

    def change(t: Task) -> dict[str, Any]:
        t.resume()
        remaining = t.suspended_remaining_seconds or 0.0
        t.deadline = timezone.now() + timedelta(seconds=max(remaining, 0.0))
        t.suspended_from = ""
        t.suspended_remaining_seconds = None
        return {"deadline": t.deadline.isoformat()}

    return _step(
        action="resume",
        task=task,
        by=by,
        request=request,
        check=lambda t: _require_oversight(by, "loop.dispatch", t),
        change=change,
        comment=comment,
    )


def task_extension_request(
    *,
    task: Task,
    by: User,
    days: int,
    reason: str,
    request: HttpRequest | None = None,
) -> Task:
    """Ask for more working days (延期申请); at most the type's deadline in total."""

    def check(t: Task) -> None:
        _require_handler(by, t)
        if t.state not in (State.PENDING_ACCEPTANCE, State.IN_PROGRESS):
            raise TaskRefused(_("Only a task being handled can be extended."))
        if t.extension_requested_days:
            raise TaskRefused(_("An extension request is already waiting for a decision."))
        if not (reason or "").strip():
            raise TaskRefused(_("Give the reason for the extension."))
        _check_extension(t, days)

    def change(t: Task) -> dict[str, Any]:
        t.extension_requested_days = days
        t.extension_reason = reason.strip()[:500]
        return {"days": days}

    return _step(
        action="extension_request",
        task=task,
        by=by,
        request=request,
        check=check,
        change=change,
        comment=reason,
    )


def _check_extension(t: Task, days: int) -> None:
    most = _deadline_days(t) - t.extension_days_granted
    if not isinstance(days, int) or days < 1:
        raise TaskRefused(_("Ask for at least one working day."))
    if days > most:
        raise TaskRefused(
            _("At most %(n)d more working days can be granted for this task.") % {"n": max(most, 0)}
        )


def task_extension_decide(
    *,
    task: Task,
    by: User,
    approve: bool,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Task:
    """The dispatcher grants or refuses the waiting extension request."""

    def check(t: Task) -> None:
        _require_oversight(by, "loop.dispatch", t)
        if not t.extension_requested_days:
            raise TaskRefused(_("No extension request is waiting."))
        if t.state not in OPEN_STATES:
            raise TaskRefused(_("Only an open task can be extended."))
        if approve:
            _check_extension(t, t.extension_requested_days)

    def change(t: Task) -> dict[str, Any]:
        days = t.extension_requested_days or 0
        if approve:
            t.deadline = external.deadline_after(t.deadline, days)
            t.extension_days_granted += days
            if t.deadline > timezone.now():
                t.overdue = False
                t.reminded_at = None
        t.extension_requested_days = None
        t.extension_reason = ""
        return {"days": days, "approved": approve, "deadline": t.deadline.isoformat()}

    return _step(
        action="extension_decide",
        task=task,
        by=by,
        request=request,
        check=check,
        change=change,
        comment=comment,
    )


# --- supervise ------------------------------------------------------------------------------


def task_urge(
    *, task: Task, by: User, comment: str = "", request: HttpRequest | None = None
) -> Task:
    """Nudge the assigned department (催办)."""

    def check(t: Task) -> None:
        if not oversees(by, "loop.dispatch", t):
            _require_oversight(by, "loop.supervise", t)
        if t.state not in OPEN_STATES or t.department_id is None:
            raise TaskRefused(_("Only a task with a department can be urged."))

    def change(t: Task) -> None:
        t.urge_count += 1

    task = _step(
        action="urge",
        task=task,
        by=by,
        request=request,
        check=check,
        change=change,
        comment=comment,
    )
    external.notify(
        recipients=_members(task.department_id),
        subject=_("Reminder: %(title)s") % {"title": task.title},
        body=comment,
        link=_task_link(task),
        level="warning",
    )
    return task


def _supervisors() -> list[User]:
    return [
        u
        for u in User.objects.filter(is_active=True, role_grants__role__in=["supervisor", "leader"])
        .distinct()
        .select_related("department__division")
        .prefetch_related("role_grants")
        if loop_allowed(u, "loop.supervise")
    ]


def task_escalate(
    *, task: Task, by: User, comment: str = "", request: HttpRequest | None = None
) -> Task:
    """Raise the task one supervision level (督办)."""

    def check(t: Task) -> None:
        _require_oversight(by, "loop.supervise", t)
        if t.state not in OPEN_STATES:
            raise TaskRefused(_("Only an open task can be escalated."))
        levels = TASK_TYPES[t.type_code].supervision_levels if t.type_code in TASK_TYPES else 2
        if t.supervision_level >= levels:
            raise TaskRefused(_("The task is already at the highest supervision level."))

    def change(t: Task) -> dict[str, Any]:
        t.supervision_level += 1
        t.escalated_at = timezone.now()
        return {"level": t.supervision_level}

    task = _step(
        action="escalate",
        task=task,
        by=by,
        request=request,
        check=check,
        change=change,
        comment=comment,
    )
    external.notify(
        recipients=_members(task.department_id),
        subject=_("Escalated to supervision level %(n)d: %(title)s")
        % {"n": task.supervision_level, "title": task.title},
        body=comment,
        link=_task_link(task),
        level="urgent",
    )
    return task


def dispatch_rule_create(
    *,
    category: str,
    department: Department,
    by: User,
    division: Division | None = None,
    order: int = 100,
    request: HttpRequest | None = None,
) -> DispatchRule:
    """Add a routing rule: tasks of ``category`` in ``division`` go to ``department``."""
    try:
        _require_loop(by, "loop.dispatch")
        county = oversight_county(by)
        if county is not None and (division is None or not division.code.startswith(county)):
            raise PermissionDenied("loop.rule: a county dispatcher routes its own county only")
    except PermissionDenied:
        audit_record(
            action="loop.rule", actor=by, outcome=Outcome.DENIED, request=request, details={}
        )
        raise
    if not (category or "").strip():
        raise TaskRefused(_("Give the category the rule routes."))
    with transaction.atomic():
        rule = DispatchRule.objects.create(
            category=category.strip()[:64], division=division, department=department, order=order
        )
        audit_record(
            action="loop.rule",
            actor=by,
            target=rule,
            request=request,
            details={"category": rule.category, "department": department.code},
        )
    return rule


def _require_rule_reach(user: Any, rule: DispatchRule) -> None:
    _require_loop(user, "loop.dispatch")
    if not rule_in_reach(user, rule):
        raise PermissionDenied("loop.dispatch: the rule is outside your county")


def dispatch_rule_remove(
    *, rule: DispatchRule, by: User, request: HttpRequest | None = None
) -> DispatchRule:
    """Retire a routing rule (kept, inactive, for the record); tasks then wait for dispatch."""
    try:
        _require_rule_reach(by, rule)
    except PermissionDenied:
        audit_record(
            action="loop.rule_remove",
            actor=by,
            target=rule,
            outcome=Outcome.DENIED,
            request=request,
            details={"category": rule.category},
        )
        raise
    with transaction.atomic():
        rule.active = False
        rule.save(update_fields=["active"])
        audit_record(
            action="loop.rule_remove",
            actor=by,
            target=rule,
            request=request,
            details={"category": rule.category, "department": rule.department.code},
        )
    return rule


# --- evidence and scorecards (reads that leave an audit entry) ---------------------------------


def evidence_open(*, evidence: Evidence, by: User, request: HttpRequest | None = None) -> Any:
    """Open an evidence file for someone who may see its task; the read is audited."""
    _require_viewer(by, evidence.task)
    audit_record(
        action="loop.evidence",
        actor=by,
        target=evidence.task,
        request=request,
        details={"evidence": evidence.pk, "name": evidence.name},
    )
    return evidence.file.open("rb")


def _require_viewer(by: User, task: Task) -> None:
    _require_loop(by, "loop.report")
    if not can_view(by, task):
        audit_record(
            action="loop.evidence",
            actor=by,
            target=task,
            outcome=Outcome.DENIED,
            details={"reason": "not a party to the task"},
        )
        raise PermissionDenied("loop: not a party to the task")


def ranking_export(
    *,
    by: User,
    group: str,
    start: datetime,
    end: datetime,
    request: HttpRequest | None = None,
) -> bytes:
    """The ranking as an XLSX scorecard (考核评价表); the export is audited."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    _require_loop(by, "loop.report")
    rows = ranking(by=group, start=start, end=end)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Scorecard")[:31]
    sheet.append([_("Ranking"), f"{start:%Y-%m-%d} – {end:%Y-%m-%d}"])
    header = [
        _("Rank"),
        _("Department") if group == "department" else _("County"),
        _("Tasks"),
        _("Closed"),
        _("On-time closure rate"),
        _("Average handling time (hours)"),
        _("Overdue"),
        _("Average satisfaction"),
        _("Reopen rate"),
    ]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for rank, row in enumerate(rows, start=1):
        sheet.append(
            [
                rank,
                row.name,
                row.total,
                row.closed,
                round(row.on_time_rate, 4) if row.on_time_rate is not None else None,
                round(row.avg_hours, 1) if row.avg_hours is not None else None,
                row.overdue,
                round(row.avg_rating, 2) if row.avg_rating is not None else None,
                round(row.reopen_rate, 4) if row.reopen_rate is not None else None,
            ]
        )
    for column in ("E", "I"):
        for cell in sheet[column][2:]:
            cell.number_format = "0.0%"
    sheet.column_dimensions["B"].width = 28
    out = io.BytesIO()
    book.save(out)
    audit_record(
        action="loop.export",
        actor=by,
        target=("loop.ranking", group),
        request=request,
        details={"start": start.isoformat(), "end": end.isoformat(), "rows": len(rows)},
    )
    return out.getvalue()


# --- deadlines: reminders, overdue, escalation ----------------------------------------------


def scan_deadlines(*, now: datetime | None = None, by: User | None = None) -> dict[str, int]:
    """Remind before the deadline, mark overdue tasks, escalate long-overdue ones (idempotent).

    Run by the background task every few minutes (``by=None``, the system); running it twice
    at the same moment changes nothing the second time. Set-based: a few UPDATEs and one bulk
    insert of events, one message per department and one audit entry per scan.
    """
    _require_system_or(by, "loop.supervise")
    now = now or timezone.now()
    remind_before = timedelta(hours=float(getattr(settings, "LOOP_REMIND_BEFORE_HOURS", 24)))
    escalate_after = timedelta(hours=float(getattr(settings, "LOOP_ESCALATE_AFTER_HOURS", 24)))
    running = Task.objects.filter(state__in=RUNNING_STATES)
    by_department: dict[int, list[str]] = {}
    escalated_ids: list[int] = []
    with transaction.atomic():
        remind = running.filter(
            reminded_at__isnull=True,
            overdue=False,
            deadline__gt=now,
            deadline__lte=now + remind_before,
        )
        remind_rows = list(remind.values_list("id", "department_id", "state"))
        _update_ids([r[0] for r in remind_rows], reminded_at=now)
        _log_scan([r[0] for r in remind_rows], action="remind", now=now)
        for _pk, department_id, _state in remind_rows:
            if department_id:
                by_department.setdefault(department_id, []).append("remind")

        overdue = running.filter(overdue=False, deadline__lte=now)
        overdue_rows = list(overdue.values_list("id", "department_id", "state"))
        _update_ids([r[0] for r in overdue_rows], overdue=True, overdue_since=now)
        _log_scan([r[0] for r in overdue_rows], action="overdue", now=now)
        for _pk, department_id, _state in overdue_rows:
            if department_id:
                by_department.setdefault(department_id, []).append("overdue")

        most = max([t.supervision_levels for t in TASK_TYPES.values()] + [2])
        for level in range(most):
            codes = [c for c, t in TASK_TYPES.items() if t.supervision_levels > level]
            scope = Q(type_code__in=codes)
            if level < 2:
                scope |= ~Q(type_code__in=list(TASK_TYPES))
            due = running.filter(
                scope,
                overdue=True,
                supervision_level=level,
                deadline__lte=now - escalate_after * (level + 1),
            )
            rows = list(due.values_list("id", "department_id", "state"))
            if not rows:
                continue
            _update_ids(
                [r[0] for r in rows],
                supervision_level=level + 1,
                escalated_at=now,
                only={"supervision_level": level},
            )
            _log_scan(
                [r[0] for r in rows], action="escalate", now=now, comment=f"level {level + 1}"
            )
            for pk, department_id, _state in rows:
                escalated_ids.append(pk)
                if department_id:
                    by_department.setdefault(department_id, []).append("escalate")
        counts = {
            "reminded": len(remind_rows),
            "overdue": len(overdue_rows),
            "escalated": len(escalated_ids),
        }
        if any(counts.values()):
            audit_record(
                action="loop.scan",
                actor=by,
                actor_name="" if by else "system",
                target=("loop.scan", now.isoformat()),
                details=counts,
            )
    for department_id, kinds in by_department.items():
        external.notify(
            recipients=_members(department_id),
            subject=_("Deadlines: %(remind)d due soon, %(overdue)d overdue, %(escalate)d escalated")
            % {
                "remind": kinds.count("remind"),
                "overdue": kinds.count("overdue"),
                "escalate": kinds.count("escalate"),
            },
            link="/loop/",
            level="urgent" if "overdue" in kinds or "escalate" in kinds else "warning",
        )
    if escalated_ids:
        _notify_escalated(escalated_ids)
    return counts


def _notify_escalated(ids: list[int]) -> None:
    """Tell each supervisor how many of the escalated tasks lie in the county they oversee."""
    by_county: dict[str, int] = {}
    for (code,) in Task.objects.filter(pk__in=ids).values_list("county_code"):
        by_county[code] = by_county.get(code, 0) + 1
    for supervisor in _supervisors():
        county = oversight_county(supervisor)
        n = len(ids) if county is None else by_county.get(county, 0)
        if n:
            external.notify(
                recipients=[supervisor],
                subject=_("%(n)d overdue tasks escalated to supervision") % {"n": n},
                link="/loop/?scope=all&overdue=1",
                level="urgent",
            )


def _update_ids(ids: list[int], *, only: dict[str, Any] | None = None, **values: Any) -> None:
    """UPDATE the rows ``ids`` in chunks (SQLite limits the parameters of one statement)."""
    for i in range(0, len(ids), 5000):
        Task.objects.filter(id__in=ids[i : i + 5000], **(only or {})).update(**values)


def _log_scan(ids: list[int], *, action: str, now: datetime, comment: str = "") -> None:
    """One event per task, written by the database (INSERT … SELECT), in chunks."""
    if not ids:
        return
    quote = connection.ops.quote_name
    at = connection.ops.adapt_datetimefield_value(now)
    names = ("task_id", "actor_id", "at", "action", "from_state", "to_state", "comment")
    columns = ", ".join(quote(name) for name in (*names, "department_id"))
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        marks = ", ".join(["%s"] * len(chunk))
        sql = (
            f"INSERT INTO {quote(TaskEvent._meta.db_table)} ({columns}) "  # noqa: S608 (model names)
            f"SELECT {quote('id')}, NULL, %s, %s, {quote('state')}, {quote('state')}, %s, "
            f"{quote('department_id')} FROM {quote(Task._meta.db_table)} "
            f"WHERE {quote('id')} IN ({marks})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [at, action, comment, *chunk])


__all__ = [
    "DONE_STATES",
    "EVIDENCE_MAX_BYTES",
    "TaskRefused",
    "dispatch_rule_create",
    "evidence_open",
    "ranking_export",
    "scan_deadlines",
    "task_accept",
    "task_dispatch",
    "task_escalate",
    "task_extension_decide",
    "task_extension_request",
    "task_open",
    "task_rate",
    "task_reassign",
    "task_reopen",
    "task_resume",
    "task_return",
    "task_review",
    "task_split",
    "task_submit",
    "task_suspend",
    "task_urge",
]
