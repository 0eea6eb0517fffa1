"""Closed-loop tasks (工单), their event log, evidence and dispatch rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from shuzhi.platform.accounts.models import Department, Division


class State(models.TextChoices):  # 工单状态
    PENDING_DISPATCH = "pending_dispatch", _("Pending dispatch")  # 待分拨
    PENDING_ACCEPTANCE = "pending_acceptance", _("Pending acceptance")  # 待签收
    IN_PROGRESS = "in_progress", _("In progress")  # 处置中
    PENDING_REVIEW = "pending_review", _("Pending review")  # 待审核
    CLOSED = "closed", _("Closed")  # 已办结
    RATED = "rated", _("Rated")  # 已评价
    SUSPENDED = "suspended", _("Suspended")  # 挂起
    CANCELLED = "cancelled", _("Cancelled")  # 撤销 (a sub-task no longer needed)


OPEN_STATES = (
    State.PENDING_DISPATCH,
    State.PENDING_ACCEPTANCE,
    State.IN_PROGRESS,
    State.PENDING_REVIEW,
    State.SUSPENDED,
)
DONE_STATES = (State.CLOSED, State.RATED, State.CANCELLED)
# States in which the deadline runs (a suspended task's clock stops).
RUNNING_STATES = (State.PENDING_DISPATCH, State.PENDING_ACCEPTANCE, State.IN_PROGRESS)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class CompletionRule(models.TextChoices):  # 会办完成规则
    ALL = "all", _("All departments")
    ANY = "any", _("Any department")
    RATIO = "ratio", _("A share of departments")


class DispatchRule(models.Model):  # 分拨规则
    """Route tasks of a category (and, optionally, a division and those below it) to a department.

    The most specific rule wins: the longest matching division code, then the lowest ``order``.
    """

    category = models.CharField(_("category"), max_length=64, db_index=True)
    division = models.ForeignKey(
        Division,
        verbose_name=_("division"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: every division."),
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="+"
    )
    order = models.PositiveIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "order", "id"]
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch rules")

    def __str__(self) -> str:
        return f"{self.category} / {self.division_id or '*'} → {self.department}"


class Task(models.Model):  # 工单
    type_code = models.CharField(_("type"), max_length=64, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=64, blank=True, db_index=True)
    division = models.ForeignKey(
        Division, verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    county_code = models.CharField(_("county"), max_length=6, db_index=True, editable=False)
    location = models.CharField(_("location"), max_length=200, blank=True)
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    state = FSMField(_("state"), default=State.PENDING_DISPATCH, choices=State.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("assigned department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loop_tasks",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_tasks",
    )
    source = models.CharField(_("source"), max_length=64, blank=True)
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("joint task"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    completion_rule = models.CharField(
        _("completion rule"), max_length=8, choices=CompletionRule.choices, blank=True
    )
    completion_ratio = models.FloatField(_("completion ratio"), null=True, blank=True)

    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, db_index=True)
    deadline = models.DateTimeField(_("deadline"), db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    handling_hours = models.FloatField(_("handling time (hours)"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Deadline supervision (催办 / 超期 / 督办)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False, db_index=True)
    overdue_since = models.DateTimeField(_("overdue since"), null=True, blank=True)
    supervision_level = models.PositiveSmallIntegerField(_("supervision level"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    urge_count = models.PositiveIntegerField(_("reminders sent"), default=0)

    # 挂起: the state to resume to and the time left when suspended
    suspended_from = models.CharField(max_length=32, blank=True)
    suspended_remaining_seconds = models.FloatField(null=True, blank=True)

    # 延期申请
    extension_requested_days = models.PositiveSmallIntegerField(null=True, blank=True)
    extension_reason = models.CharField(max_length=500, blank=True)
    extension_days_granted = models.PositiveSmallIntegerField(default=0)

    # 评价
    rating = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["state", "deadline"], name="loop_task_state_deadline"),
            models.Index(fields=["department", "state"], name="loop_task_dept_state"),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.division_id and not self.county_code:
            self.county_code = str(self.division_id)[:6]
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_joint(self) -> bool:
        return bool(self.completion_rule)

    # --- life cycle (django-fsm-2); the services call these, check rules and record events ---

    @transition(field=state, source=State.PENDING_DISPATCH, target=State.PENDING_ACCEPTANCE)
    def dispatch(self) -> None:  # 分拨
        pass

    @transition(field=state, source=State.PENDING_DISPATCH, target=State.IN_PROGRESS)
    def split(self) -> None:  # 会办: the joint task waits on its sub-tasks
        pass

    @transition(field=state, source=State.PENDING_ACCEPTANCE, target=State.IN_PROGRESS)
    def accept(self) -> None:  # 签收
        pass

    @transition(
        field=state,
        source=[State.PENDING_ACCEPTANCE, State.IN_PROGRESS],
        target=State.PENDING_DISPATCH,
    )
    def return_to_dispatch(self) -> None:  # 退回
        pass

    @transition(
        field=state,
        source=[State.PENDING_ACCEPTANCE, State.IN_PROGRESS],
        target=State.PENDING_ACCEPTANCE,
    )
    def reassign(self) -> None:  # 转派
        pass

    @transition(field=state, source=State.IN_PROGRESS, target=State.PENDING_REVIEW)
    def submit(self) -> None:  # 提交办结
        pass

    @transition(field=state, source=State.PENDING_REVIEW, target=State.CLOSED)
    def close(self) -> None:  # 办结
        pass

    @transition(field=state, source=State.PENDING_REVIEW, target=State.IN_PROGRESS)
    def reject(self) -> None:  # 审核不通过
        pass

    @transition(field=state, source=State.CLOSED, target=State.RATED)
    def rate(self) -> None:  # 评价
        pass

    @transition(field=state, source=[State.CLOSED, State.RATED], target=State.IN_PROGRESS)
    def reopen(self) -> None:  # 重新打开
        pass

    @transition(
        field=state,
        source=[State.PENDING_DISPATCH, State.PENDING_ACCEPTANCE, State.IN_PROGRESS],
        target=State.SUSPENDED,
    )
    def suspend(self) -> None:  # 挂起
        pass

    @transition(
        field=state,
        source=State.SUSPENDED,
        target=RETURN_VALUE(State.PENDING_DISPATCH, State.PENDING_ACCEPTANCE, State.IN_PROGRESS),
    )
    def resume(self) -> str:  # 恢复
        return self.suspended_from or State.IN_PROGRESS

    @transition(field=state, source=list(OPEN_STATES), target=State.CANCELLED)
    def cancel(self) -> None:
        pass


EVENT_LABELS = {
    "open": _("Opened"),  # 立案
    "dispatch": _("Dispatched"),  # 分拨
    "split": _("Split into a joint task"),  # 会办
    "accept": _("Accepted"),  # 签收
    "return": _("Returned to dispatch"),  # 退回
    "reassign": _("Reassigned"),  # 转派
    "submit": _("Submitted for closure"),
    "close": _("Closed"),  # 办结
    "reject": _("Closure sent back"),
    "rate": _("Rated"),  # 评价
    "reopen": _("Reopened"),  # 重新打开
    "suspend": _("Suspended"),  # 挂起
    "resume": _("Resumed"),
    "extension_request": _("Extension requested"),  # 延期申请
    "extension_decide": _("Extension decided"),
    "urge": _("Urged"),  # 催办
    "escalate": _("Escalated"),  # 督办
    "remind": _("Deadline reminder"),
    "overdue": _("Overdue"),  # 超期
    "cancel": _("Cancelled"),
}


def _state_label(value: str) -> str:
    return str(State(value).label) if value in State.values else value


class TaskEvent(models.Model):  # 工单流转记录
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("task event")
        verbose_name_plural = _("task events")

    def __str__(self) -> str:
        return f"{self.task_id} {self.action}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))

    @property
    def from_label(self) -> str:
        return _state_label(self.from_state)

    @property
    def to_label(self) -> str:
        return _state_label(self.to_state)


def evidence_storage() -> FileSystemStorage:
    """Evidence files live under DATA_DIR/evidence, never under a public URL."""
    return FileSystemStorage(location=Path(settings.DATA_DIR) / "evidence", base_url=None)


def _evidence_path(instance: Evidence, filename: str) -> str:
    return f"{instance.task_id}/{filename}"


class Evidence(models.Model):  # 办结佐证
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(
        _("file"), storage=evidence_storage, upload_to=_evidence_path, max_length=300
    )
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.name
