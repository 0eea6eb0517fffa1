"""Validity changes by itself (有效性): the daily refresh and its schedule."""

from __future__ import annotations

from datetime import date

import pytest
from django_tasks_db.models import DBTaskResult

from shuzhi.domains.policy import tasks
from shuzhi.domains.policy.models import Validity
from shuzhi.domains.policy.services.documents import refresh_validity
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.loop.schedule import start_recurring
from tests.domains.policy import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    calls: list[list[int]] = []
    from shuzhi.domains.policy.services import indexing

    monkeypatch.setattr(
        indexing, "schedule_index", lambda ids: calls.append(sorted(ids)), raising=False
    )
    return calls


def test_end_dates_expire_and_links_win(indexed: list) -> None:
    ending = factories.document(effective_until=date(2024, 6, 30))
    lasting = factories.document(effective_until=date(2024, 7, 1))
    forever = factories.document()
    old = factories.document(effective_until=date(2020, 1, 1))  # past, but repealed: 废止 wins
    newer = factories.document()
    newer.repeals.add(old)
    amended = factories.document()
    newer.amends.add(amended)
    both = factories.document()  # amended and repealed: repealed
    newer.amends.add(both)
    newer.repeals.add(both)
    assert refresh_validity(today=date(2024, 7, 1)) == 4
    for doc in (ending, lasting, forever, old, amended, both):
        doc.refresh_from_db()
    assert ending.validity == Validity.EXPIRED
    assert lasting.validity == forever.validity == Validity.VALID
    assert old.validity == both.validity == Validity.REPEALED
    assert amended.validity == Validity.AMENDED
    assert indexed == [sorted([ending.pk, old.pk, amended.pk, both.pk])]
    entry = AuditEntry.objects.get(action="policy.validity")
    assert entry.actor == "system"
    assert entry.details["changed"] == 4
    # a second run the same day changes nothing and writes nothing
    assert refresh_validity(today=date(2024, 7, 1)) == 0
    assert AuditEntry.objects.filter(action="policy.validity").count() == 1


def test_a_manual_validity_is_not_undone() -> None:
    doc = factories.document(validity=Validity.EXPIRED)  # 失效 by decision, no end date
    assert refresh_validity(today=date(2024, 7, 1)) == 0
    doc.refresh_from_db()
    assert doc.validity == Validity.EXPIRED


def test_the_worker_starts_the_daily_schedule_once_and_runs_it(indexed: list) -> None:
    path = tasks.run_daily.module_path
    assert tasks.SCHEDULE in start_recurring(only=[tasks.SCHEDULE])
    assert tasks.start_schedule() is False  # one already waits
    assert DBTaskResult.objects.filter(task_path=path, status="READY").count() == 1
    factories.document(effective_until=date(2000, 1, 1))
    assert tasks.run_daily.call(reschedule=True) == 1
    waiting = DBTaskResult.objects.filter(task_path=path, status="READY").order_by("-run_after")
    assert waiting.count() == 2
    assert waiting[0].run_after is not None
