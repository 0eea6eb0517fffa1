from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.audit.models import AuditEntry, Outcome
from shuzhi.platform.loop import services
from shuzhi.platform.loop.models import State, Task
from shuzhi.platform.loop.selectors import ranking

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def task(county: Division, resident: User) -> Task:
    return services.task_open(
        type_code="report", title="Blocked drain", division=county, by=resident
    )


def test_report_form_opens_a_task(county: Division, resident: User) -> None:
    client = _client(resident)
    assert client.get(reverse("loop:new")).status_code == 200
    response = client.post(
        reverse("loop:new"),
        {
            "type_code": "report",
            "title": "Streetlight out",
            "division": county.code,
            "priority": "normal",
        },
    )
    task = Task.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("loop:task", args=[task.pk])
    assert task.reporter == resident


def test_report_form_keeps_input_on_error(resident: User) -> None:
    response = _client(resident).post(reverse("loop:new"), {"title": "Kept text"})
    assert response.status_code == 200
    assert "Kept text" in response.content.decode()
    assert not Task.objects.exists()


def test_the_loop_through_the_pages(
    task: Task, dispatcher: User, handler: User, works: Department, resident: User
) -> None:
    d = _client(dispatcher)
    assert task.title in d.get(reverse("loop:dispatch")).content.decode()
    d.post(reverse("loop:act", args=[task.pk, "dispatch"]), {"department": works.pk})
    h = _client(handler)
    page = h.get(reverse("loop:index")).content.decode()
    assert task.title in page
    assert 'id="do-accept"' in h.get(reverse("loop:task", args=[task.pk])).content.decode()
    h.post(reverse("loop:act", args=[task.pk, "accept"]))
    photo = SimpleUploadedFile("after.jpg", b"\xff\xd8jpeg", content_type="image/jpeg")
    h.post(reverse("loop:act", args=[task.pk, "submit"]), {"comment": "Cleared", "evidence": photo})
    d.post(reverse("loop:act", args=[task.pk, "review"]), {"approve": "1"})
    r = _client(resident)
    r.post(reverse("loop:act", args=[task.pk, "rate"]), {"score": "4"})
    task.refresh_from_db()
    assert task.state == State.RATED
    assert task.rating == 4
    detail = r.get(reverse("loop:task", args=[task.pk])).content.decode()
    assert 'id="timeline"' in detail
    evidence = task.evidence.get()
    download = r.get(reverse("loop:evidence", args=[evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"\xff\xd8jpeg"  # type: ignore[attr-defined]


def test_evidence_hidden_from_other_departments(
    task: Task, dispatcher: User, handler: User, works: Department, other_handler: User
) -> None:
    services.task_dispatch(task=task, department=works, by=dispatcher)
    services.task_accept(task=task, by=handler)
    photo = SimpleUploadedFile("a.png", b"png")
    services.task_submit(task=task, by=handler, comment="ok", files=[photo])
    evidence = task.evidence.get()
    client = _client(other_handler)
    assert client.get(reverse("loop:evidence", args=[evidence.pk])).status_code == 404
    assert client.get(reverse("loop:task", args=[task.pk])).status_code == 404


def test_refused_step_shows_a_message(task: Task, handler: User, works: Department) -> None:
    Task.objects.filter(pk=task.pk).update(department=works, state=State.PENDING_ACCEPTANCE)
    client = _client(handler)
    response = client.post(
        reverse("loop:act", args=[task.pk, "review"]), {"approve": "1"}, follow=True
    )
    assert response.status_code == 200
    assert Task.objects.get(pk=task.pk).state == State.PENDING_ACCEPTANCE
    assert AuditEntry.objects.filter(action="loop.close", outcome=Outcome.DENIED).exists()


def test_dispatch_queue_needs_dispatcher(handler: User) -> None:
    assert _client(handler).get(reverse("loop:dispatch")).status_code == 403


def _closed(task: Task, dispatcher: User, handler: User, department: Department) -> Task:
    services.task_dispatch(task=task, department=department, by=dispatcher)
    services.task_accept(task=task, by=handler)
    services.task_submit(task=task, by=handler, comment="ok")
    return services.task_review(task=task, by=dispatcher, approve=True)


def test_rankings_compare_departments(
    county: Division,
    resident: User,
    dispatcher: User,
    handler: User,
    other_handler: User,
    works: Department,
    urban: Department,
) -> None:
    one = services.task_open(type_code="report", title="a", division=county, by=resident)
    two = services.task_open(type_code="report", title="b", division=county, by=resident)
    _closed(one, dispatcher, handler, works)
    services.task_rate(task=one, by=resident, score=5)
    Task.objects.filter(pk=two.pk).update(deadline=timezone.now() - timedelta(hours=1))
    two.refresh_from_db()
    _closed(two, dispatcher, other_handler, urban)
    start, end = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)
    rows = ranking(by="department", start=start, end=end)
    assert [r.name for r in rows] == [works.name, urban.name]
    assert rows[0].on_time_rate == 1.0
    assert rows[0].avg_rating == 5
    assert rows[1].on_time_rate == 0.0
    assert rows[1].overdue == 1
    counties = ranking(by="county", start=start, end=end)
    assert counties[0].total == 2
    assert counties[0].name == county.name

    client = _client(dispatcher)
    page = client.get(reverse("loop:rankings"), {"by": "department"}).content.decode()
    assert 'id="ranking-chart"' in page
    assert works.name in page
    export = client.get(reverse("loop:rankings"), {"by": "department", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    assert sheet["B3"].value == works.name
    assert AuditEntry.objects.filter(action="loop.export").exists()


def test_api_lists_and_steps(
    task: Task, dispatcher: User, works: Department, handler: User
) -> None:
    d = _client(dispatcher)
    listed = d.get("/api/v1/loop/tasks").json()
    assert [t["id"] for t in listed] == [task.pk]
    answer = d.post(
        f"/api/v1/loop/tasks/{task.pk}/steps",
        {"action": "dispatch", "department": works.code},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert answer.json()["state"] == State.PENDING_ACCEPTANCE
    refused = d.post(
        f"/api/v1/loop/tasks/{task.pk}/steps",
        {"action": "review"},
        content_type="application/json",
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "refused"
    h = _client(handler)
    assert h.get(f"/api/v1/loop/tasks/{task.pk}").json()["actions"][0] == "accept"
    assert d.get("/api/v1/loop/rankings").status_code == 200


def test_dispatcher_adds_a_rule_and_new_reports_route(
    county: Division, dispatcher: User, works: Department, resident: User, handler: User
) -> None:
    client = _client(dispatcher)
    client.post(
        reverse("loop:rule_add"),
        {"category": "streetlight", "division": county.code, "department": works.pk},
    )
    assert "streetlight" in client.get(reverse("loop:dispatch")).content.decode()
    task = services.task_open(
        type_code="report",
        title="Dark street",
        category="streetlight",
        division=county,
        by=resident,
    )
    assert task.department == works
    refused = _client(handler).post(
        reverse("loop:rule_add"), {"category": "x", "department": works.pk}
    )
    assert refused.status_code == 403


def test_index_for_a_resident_lists_own_reports(task: Task, resident: User) -> None:
    page = _client(resident).get(reverse("loop:index"))
    assert page.status_code == 200
    assert task.title in page.content.decode()


def test_api_hides_other_departments_tasks(
    task: Task, dispatcher: User, works: Department, other_handler: User
) -> None:
    services.task_dispatch(task=task, department=works, by=dispatcher)
    client = _client(other_handler)
    assert client.get("/api/v1/loop/tasks").json() == []
    assert client.get(f"/api/v1/loop/tasks/{task.pk}").status_code == 404
