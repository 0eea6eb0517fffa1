"""Keeping the search index in step with the database: indexing on commit (never a rolled-back
change), the rebuild (permission, audit, progress) and the consistency check — the index is
rebuilt and compared with the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from shuzhi.domains.policy.models import Disclosure, Validity
from shuzhi.domains.policy.search import get_engine
from shuzhi.domains.policy.search.base import SearchQuery
from shuzhi.domains.policy.selectors.search import search_documents
from shuzhi.domains.policy.services.indexing import (
    index_differences,
    rebuild_index,
    schedule_index,
    to_indexed,
)
from shuzhi.platform.audit.models import AuditEntry
from tests.domains.policy import factories

pytestmark = pytest.mark.django_db


def found(text: str = "", **filters: Any) -> set[int]:
    return {hit.id for hit in search_documents(SearchQuery(text=text, **filters)).hits}


def test_to_indexed_carries_the_metadata() -> None:
    topic = factories.topic("0501", "生态环境", parent=("05", "城乡建设、环境保护"))
    document = factories.document(
        title="碳账户建设方案", topic=topic, published_on=date(2024, 2, 3), doc_number=""
    )
    indexed = to_indexed(document)
    assert indexed.id == document.pk
    assert indexed.index_number == document.index_number
    assert (indexed.topic, indexed.topic_parent) == ("0501", "05")
    assert indexed.publisher == "市人民政府"
    assert indexed.doc_number == ""
    assert indexed.year == 2024
    assert indexed.validity == Validity.VALID


def test_schedule_index_runs_on_commit_and_follows_the_database(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    public = factories.document(title="一网通办改革", body="推进一网通办。")
    hidden = factories.document(
        title="一网通办内部文件", body="一网通办。", disclosure=Disclosure.NOT_DISCLOSED
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        schedule_index([public.pk, hidden.pk])
        assert found("一网通办") == set()  # not before the commit
    assert len(callbacks) == 1
    assert found("一网通办") == {public.pk}  # the non-public one is not indexed

    public.disclosure = Disclosure.ON_REQUEST  # no longer public: removed on the next run
    public.save()
    with django_capture_on_commit_callbacks(execute=True):
        schedule_index([public.pk])
    assert found("一网通办") == set()
    assert get_engine().ids() == set()


def test_a_rolled_back_change_never_reaches_the_index(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    def change_then_fail() -> None:
        with transaction.atomic():
            document = factories.document(title="碳账户试点", body="碳账户。")
            schedule_index([document.pk])
            raise RuntimeError("rolled back")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError, match="rolled back"),
    ):
        change_then_fail()
    assert callbacks == []
    assert found("碳账户") == set()


def test_an_engine_failure_after_commit_is_logged_not_raised(
    django_capture_on_commit_callbacks: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    document = factories.document()

    def broken() -> None:
        raise OSError("disk full")

    monkeypatch.setattr("shuzhi.domains.policy.services.indexing.get_engine", broken)
    with django_capture_on_commit_callbacks(execute=True):
        schedule_index([document.pk])
    assert "could not index" in caplog.text
    monkeypatch.undo()
    assert index_differences() == ({document.pk}, set())


def test_rebuild_makes_the_index_equal_to_the_database(
    make_user: Callable[..., Any],
) -> None:
    topic = factories.topic("0501", "生态环境", parent=("05", "城乡建设、环境保护"))
    public = [
        factories.document(title=f"数字政府建设第{i}项", body="数字政府建设。", topic=topic)
        for i in range(5)
    ]
    hidden = factories.document(title="数字政府内部", disclosure=Disclosure.ON_REQUEST)
    engine = get_engine()
    # the index drifted: one public document missing, a non-public and a deleted one present
    engine.add([to_indexed(d) for d in public[1:]] + [to_indexed(hidden)])
    engine.add([to_indexed(factories.document(title="已删除"))])
    deleted_pk = max(engine.ids())
    factories.PolicyDocument.objects.filter(pk=deleted_pk).delete()
    missing, extra = index_differences()
    assert missing == {public[0].pk}
    assert extra == {hidden.pk, deleted_pk}

    steps: list[tuple[int, int]] = []
    assert rebuild_index(by=None, progress=lambda done, total: steps.append((done, total))) == 5
    assert index_differences() == (set(), set())
    assert engine.ids() == {d.pk for d in public}
    assert steps[0] == (0, 5)
    assert steps[-1] == (5, 5)
    assert found("数字政府建设") == {d.pk for d in public}
    assert found("", topic="05") == {d.pk for d in public}
    entry = AuditEntry.objects.filter(action="policy.reindex").latest("seq")
    assert entry.actor == "system"
    assert '"removed": 2' in entry.details_json or '"removed":2' in entry.details_json

    # a second rebuild changes nothing and keeps no duplicates
    assert rebuild_index(by=None) == 5
    assert search_documents(SearchQuery(text="数字政府建设")).total == 5


def test_rebuild_needs_policy_publish(make_user: Callable[..., Any]) -> None:
    factories.document()
    clerk = make_user(username="clerk2", roles=["clerk"])
    with pytest.raises(PermissionDenied):
        rebuild_index(by=clerk)
    assert get_engine().ids() == set()
    refusal = AuditEntry.objects.filter(action="policy.reindex").latest("seq")
    assert refusal.outcome == "denied"

    steward = make_user(username="steward2", roles=["data_steward"])
    assert rebuild_index(by=steward) == 1
    entry = AuditEntry.objects.filter(action="policy.reindex").latest("seq")
    assert entry.actor == "steward2"
    assert entry.outcome == "success"


def test_search_finds_only_public_documents_after_a_rebuild() -> None:
    shown = factories.document(title="免申即享兑现", body="免申即享。")
    factories.document(title="免申即享草稿", body="免申即享。", disclosure=Disclosure.NOT_DISCLOSED)
    rebuild_index(by=None)
    results = search_documents(SearchQuery(text="免申即享"))
    assert [hit.id for hit in results.hits] == [shown.pk]
    assert results.total == 1
    assert "<mark>免申即享</mark>" in results.hits[0].title_html


def test_one_transaction_is_one_engine_commit(
    django_capture_on_commit_callbacks: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = get_engine()
    batches: list[list[int]] = []
    add = engine.add

    def spy(documents: Any) -> int:
        documents = list(documents)
        batches.append(sorted(d.id for d in documents))
        return add(documents)

    monkeypatch.setattr(engine, "add", spy)
    docs = [factories.document(title=f"掌上办事第{n}批") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        for doc in docs:
            schedule_index([doc.pk])  # as three service calls in one transaction would
    assert batches == [sorted(d.pk for d in docs)]
    assert found("掌上办事") == {d.pk for d in docs}


def test_a_document_published_during_a_rebuild_stays_in_the_index() -> None:
    factories.document(title="比晾晒工作方案")
    late: list[int] = []

    def progress(done: int, total: int) -> None:
        if done and done == total and not late:  # after the rebuild read the database,
            # another process publishes and indexes a document
            doc = factories.document(title="比晾晒考核细则")
            get_engine().add([to_indexed(doc)])
            late.append(doc.pk)

    rebuild_index(by=None, progress=progress)
    assert late[0] in get_engine().ids()
    assert index_differences() == (set(), set())
