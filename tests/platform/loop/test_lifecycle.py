from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.audit.models import AuditEntry, Outcome
from shuzhi.platform.loop import services
from shuzhi.platform.loop.models import CompletionRule, Evidence, State, Task
from shuzhi.platform.loop.services import TaskRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(county: Division, resident: User) -> Task:
    return services.task_open(
        type_code="report", title="Broken streetlight", division=county, by=resident
    )


@pytest.fixture
def assigned(task: Task, works: Department, dispatcher: User) -> Task:
    return services.task_dispatch(task=task, department=works, by=dispatcher)


def _reload(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


def test_full_loop(assigned: Task, handler: User, dispatcher: User, resident: User) -> None:
    task = services.task_accept(task=assigned, by=handler)
    assert task.state == State.IN_PROGRESS
    evidence = SimpleUploadedFile("photo.png", b"\x89PNG fake", content_type="image/png")
    task = services.task_submit(task=task, by=handler, comment="Replaced", files=[evidence])
    assert task.state == State.PENDING_REVIEW
    assert Evidence.objects.get(task=task).name == "photo.png"
    task = services.task_review(task=task, by=dispatcher, approve=True)
    assert task.state == State.CLOSED
    assert task.closed_on_time is True
    assert task.handling_hours is not None
    task = services.task_rate(task=task, by=resident, score=5, comment="Quick")
    assert task.state == State.RATED
    assert task.rating == 5
    actions = [e.action for e in task.events.all()]
    assert actions == ["open", "dispatch", "accept", "submit", "close", "rate"]
    assert all(e.at for e in task.events.all())
    audited = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"loop.open", "loop.dispatch", "loop.accept", "loop.submit", "loop.close"} <= audited


def test_wrong_department_is_refused_and_audited(assigned: Task, other_handler: User) -> None:
    with pytest.raises(PermissionDenied):
        services.task_accept(task=assigned, by=other_handler)
    assert _reload(assigned).state == State.PENDING_ACCEPTANCE
    entry = AuditEntry.objects.get(action="loop.accept")
    assert entry.outcome == Outcome.DENIED
    assert entry.actor == "urban_clerk"


def test_wrong_role_cannot_dispatch(task: Task, works: Department, handler: User) -> None:
    with pytest.raises(PermissionDenied):
        services.task_dispatch(task=task, department=works, by=handler)
    assert _reload(task).state == State.PENDING_DISPATCH
    assert AuditEntry.objects.get(action="loop.dispatch").outcome == Outcome.DENIED


def test_wrong_state_is_refused_and_audited(task: Task, dispatcher: User) -> None:
    with pytest.raises(TaskRefused, match="not allowed"):
        services.task_review(task=task, by=dispatcher, approve=True)
    assert _reload(task).state == State.PENDING_DISPATCH
    entry = AuditEntry.objects.get(action="loop.close")
    assert entry.outcome == Outcome.FAILURE
    assert not task.events.filter(action="close").exists()


def test_only_reporter_rates(
    assigned: Task, handler: User, dispatcher: User, other_handler: User
) -> None:
    task = services.task_accept(task=assigned, by=handler)
    task = services.task_submit(task=task, by=handler, comment="done")
    task = services.task_review(task=task, by=dispatcher, approve=True)
    with pytest.raises(PermissionDenied):
        services.task_rate(task=task, by=other_handler, score=4)
    assert _reload(task).rating is None


def test_rating_out_of_range(
    assigned: Task, handler: User, dispatcher: User, resident: User
) -> None:
    task = services.task_accept(task=assigned, by=handler)
    task = services.task_submit(task=task, by=handler, comment="done")
    task = services.task_review(task=task, by=dispatcher, approve=True)
    with pytest.raises(TaskRefused):
        services.task_rate(task=task, by=resident, score=6)
    assert _reload(task).state == State.CLOSED


def test_return_and_reassign(
    assigned: Task, handler: User, dispatcher: User, urban: Department, other_handler: User
) -> None:
    with pytest.raises(TaskRefused):
        services.task_return(task=assigned, by=handler, comment="")
    task = services.task_return(task=assigned, by=handler, comment="Not ours")
    assert task.state == State.PENDING_DISPATCH
    assert task.department is None
    task = services.task_dispatch(task=task, department=urban, by=dispatcher)
    task = services.task_accept(task=task, by=other_handler)
    task = services.task_reassign(task=task, department=assigned.department, by=dispatcher)  # type: ignore[arg-type]
    assert task.state == State.PENDING_ACCEPTANCE
    assert task.department_id == assigned.department_id


def test_review_rejection_goes_back_to_handling(
    assigned: Task, handler: User, dispatcher: User
) -> None:
    task = services.task_accept(task=assigned, by=handler)
    task = services.task_submit(task=task, by=handler, comment="done")
    with pytest.raises(TaskRefused):
        services.task_review(task=task, by=dispatcher, approve=False)
    task = services.task_review(task=task, by=dispatcher, approve=False, comment="No photo")
    assert task.state == State.IN_PROGRESS


def test_extension_within_and_past_maximum(assigned: Task, handler: User, dispatcher: User) -> None:
    task = services.task_accept(task=assigned, by=handler)
    with pytest.raises(TaskRefused, match="At most 5"):
        services.task_extension_request(task=task, by=handler, days=6, reason="rain")
    assert _reload(task).extension_requested_days is None
    assert AuditEntry.objects.get(action="loop.extension_request").outcome == Outcome.FAILURE
    before = _reload(task).deadline
    task = services.task_extension_request(task=task, by=handler, days=3, reason="rain")
    with pytest.raises(PermissionDenied):
        services.task_extension_decide(task=task, by=handler, approve=True)
    task = services.task_extension_decide(task=task, by=dispatcher, approve=True)
    assert task.deadline > before
    assert task.extension_days_granted == 3
    with pytest.raises(TaskRefused, match="At most 2"):
        services.task_extension_request(task=task, by=handler, days=3, reason="more rain")


def test_suspend_and_resume_keep_the_time_left(assigned: Task, dispatcher: User) -> None:
    task = services.task_suspend(task=assigned, by=dispatcher, comment="Court case")
    assert task.state == State.SUSPENDED
    task = services.task_resume(task=task, by=dispatcher)
    assert task.state == State.PENDING_ACCEPTANCE
    assert abs((task.deadline - assigned.deadline).total_seconds()) < 60


def test_urge_and_escalate(assigned: Task, dispatcher: User, handler: User) -> None:
    task = services.task_urge(task=assigned, by=dispatcher, comment="Hurry")
    assert task.urge_count == 1
    with pytest.raises(PermissionDenied):
        services.task_escalate(task=task, by=handler)
    task = services.task_escalate(task=task, by=dispatcher)
    task = services.task_escalate(task=task, by=dispatcher)
    assert task.supervision_level == 2
    with pytest.raises(TaskRefused, match="highest"):
        services.task_escalate(task=task, by=dispatcher)


def test_reopen_counts(assigned: Task, handler: User, dispatcher: User, resident: User) -> None:
    task = services.task_accept(task=assigned, by=handler)
    task = services.task_submit(task=task, by=handler, comment="done")
    task = services.task_review(task=task, by=dispatcher, approve=True)
    task = services.task_reopen(task=task, by=resident, comment="Still broken")
    assert task.state == State.IN_PROGRESS
    assert task.reopen_count == 1
    assert task.closed_at is None


def test_evidence_checks(assigned: Task, handler: User) -> None:
    task = services.task_accept(task=assigned, by=handler)
    bad = SimpleUploadedFile("run.exe", b"MZ")
    with pytest.raises(TaskRefused):
        services.task_submit(task=task, by=handler, comment="done", files=[bad])
    big = SimpleUploadedFile("big.pdf", b"x" * (services.EVIDENCE_MAX_BYTES + 1))
    with pytest.raises(TaskRefused):
        services.task_submit(task=task, by=handler, comment="done", files=[big])
    assert _reload(task).state == State.IN_PROGRESS
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("rule", "ratio", "closes_needed"),
    [(CompletionRule.ALL, None, 3), (CompletionRule.ANY, None, 1), (CompletionRule.RATIO, 0.6, 2)],
)
def test_joint_task(
    task: Task,
    dispatcher: User,
    county: Division,
    rule: str,
    ratio: float | None,
    closes_needed: int,
) -> None:
    from tests.factories import DepartmentFactory, UserFactory

    departments = [DepartmentFactory(division=county) for _ in range(3)]
    handlers = [UserFactory(department=d, roles=["clerk"]) for d in departments]
    parent = services.task_split(
        task=task, departments=departments, by=dispatcher, rule=rule, ratio=ratio
    )
    assert parent.state == State.IN_PROGRESS
    children = list(parent.children.order_by("id"))
    assert len(children) == 3
    with pytest.raises(PermissionDenied):
        services.task_accept(task=children[0], by=handlers[1])
    for i in range(closes_needed):
        child = services.task_accept(task=children[i], by=handlers[i])
        child = services.task_submit(task=child, by=handlers[i], comment="ok")
        assert _reload(parent).state == State.IN_PROGRESS
        services.task_review(task=child, by=dispatcher, approve=True)
    assert _reload(parent).state == State.PENDING_REVIEW
    states = {c.state for c in parent.children.all()}
    assert states <= {State.CLOSED, State.CANCELLED}


def test_split_needs_two_departments(task: Task, dispatcher: User, works: Department) -> None:
    with pytest.raises(TaskRefused):
        services.task_split(task=task, departments=[works], by=dispatcher)
    assert _reload(task).state == State.PENDING_DISPATCH


def test_overdue_closure_is_not_on_time(assigned: Task, handler: User, dispatcher: User) -> None:
    Task.objects.filter(pk=assigned.pk).update(deadline=assigned.opened_at - timedelta(minutes=1))
    task = services.task_accept(task=assigned, by=handler)
    task = services.task_submit(task=task, by=handler, comment="late")
    task = services.task_review(task=task, by=dispatcher, approve=True)
    assert task.closed_on_time is False


def test_the_opening_module_cancels_a_task(assigned: Task) -> None:
    cancelled = services.task_cancel(task=assigned, comment="Application withdrawn")
    assert cancelled.state == State.CANCELLED
    assert cancelled.closed_at is not None
    entry = AuditEntry.objects.filter(action="loop.cancel").latest("pk")
    assert entry.actor == "system"
    assert entry.outcome == Outcome.SUCCESS
    with pytest.raises(TaskRefused):  # a closed task cannot be cancelled again
        services.task_cancel(task=cancelled, comment="again")


def test_a_cancellation_needs_a_reason(assigned: Task) -> None:
    with pytest.raises(TaskRefused):
        services.task_cancel(task=assigned, comment="  ")
    assert _reload(assigned).state == State.PENDING_ACCEPTANCE
    assert AuditEntry.objects.filter(action="loop.cancel", outcome=Outcome.FAILURE).exists()
