"""Traceability (追溯) and recalls: registering batches, recording movements, tracing and
recalling, with the refusals beside each (wrong role, another enterprise, another county,
anonymous, bad credit codes, over-quantity, moving what one does not hold, unknown batches)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from shuzhi.domains.market.models import Batch, Movement
from shuzhi.domains.market.services.trace import (
    TraceRefused,
    batch_list,
    batch_recall,
    batch_register,
    batch_view,
    movement_record,
)
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.loop.models import Task
from tests.domains.market.test_codes import (
    JIANGSHAN,
    KECHENG,
    QUJIANG,
    Registry,
    client,
    credit_code,
    registry,
)

pytestmark = pytest.mark.django_db

CODE = "QZ-TEST-001"


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def reg() -> Registry:
    return registry()


def _today() -> date:
    return timezone.localdate()


def register(reg: Registry, by: Any = None, **overrides: Any) -> Batch:
    values: dict[str, Any] = {
        "code": CODE,
        "product": "椪柑罐头",
        "category": "food",
        "producer_code": reg.code("producer"),
        "produced_on": _today() - timedelta(days=10),
        "quantity": "100",
        "unit": "箱",
    }
    values.update(overrides)
    return batch_register(by=by or reg.users["producer"], **values)


def move(reg: Registry, src: str, dst: str, qty: str, by: Any = None, **kw: Any) -> Movement:
    return movement_record(
        batch_code=kw.pop("batch_code", CODE),
        from_code=reg.code(src) if src in reg.firms else src,
        to_code=reg.code(dst) if dst in reg.firms else dst,
        to_role=kw.pop("to_role", "retailer" if dst.startswith("shop") else "distributor"),
        quantity=qty,
        moved_on=kw.pop("moved_on", _today()),
        by=by or reg.users[src],
    )


def chain(reg: Registry) -> Batch:
    """producer → dist_k (60), dist_j (40); dist_k → shop_k (30); dist_j → shop_j, shop_q."""
    batch = register(reg)
    move(reg, "producer", "dist_k", "60")
    move(reg, "producer", "dist_j", "40")
    move(reg, "dist_k", "shop_k", "30")
    move(reg, "dist_j", "shop_j", "20")
    move(reg, "dist_j", "shop_q", "10")
    return batch


def refused(call: Any) -> TraceRefused:
    with translation.override("en"), pytest.raises(TraceRefused) as error:
        call()
    return error.value


# --- register ------------------------------------------------------------------------------------


def test_producer_registers_its_batch_audited(reg: Registry) -> None:
    batch = register(reg)
    assert batch.producer_code == reg.code("producer")
    assert batch.quantity == Decimal("100.00")
    entry = AuditEntry.objects.get(action="market.batch_register", outcome="success")
    assert entry.details["producer"] == reg.code("producer")


def test_regulator_of_the_producers_county_registers(reg: Registry) -> None:
    assert register(reg, by=reg.kecheng).pk
    assert register(reg, by=reg.city, code="QZ-TEST-002").pk


@pytest.mark.parametrize("who", ["other_enterprise", "other_county", "leader", "resident"])
def test_others_may_not_register_for_the_producer(reg: Registry, who: str) -> None:
    user = {
        "other_enterprise": reg.users["dist_k"],
        "other_county": reg.jiangshan,
        "leader": reg.leader,
        "resident": reg.public,
    }[who]
    with pytest.raises(PermissionDenied):
        register(reg, by=user)
    assert not Batch.objects.exists()
    assert AuditEntry.objects.filter(action="market.batch_register", outcome="denied").exists()


def test_registering_a_batch_twice_at_once_is_refused_not_an_error(reg: Registry) -> None:
    # the second of two simultaneous submits passes the duplicate check before the first
    # commits: its insert hits the unique code
    from django.db.models.signals import pre_save

    def first_commits(sender: Any, instance: Batch, **kwargs: Any) -> None:
        if instance.pk is None and not Batch.objects.filter(code=instance.code).exists():
            Batch.objects.bulk_create([Batch(**{**_fields(instance), "product": "先到"})])

    def _fields(batch: Batch) -> dict[str, Any]:
        names = ("code", "product", "category", "producer_code", "produced_on", "quantity", "unit")
        return {name: getattr(batch, name) for name in names}

    pre_save.connect(first_commits, sender=Batch)
    try:
        assert refused(lambda: register(reg)).code == "duplicate_batch"
    finally:
        pre_save.disconnect(first_commits, sender=Batch)
    assert AuditEntry.objects.filter(action="market.batch_register", outcome="failure").exists()


def test_register_refusals(reg: Registry) -> None:
    bad = refused(lambda: register(reg, producer_code="91330802MA2D0000X"))
    assert bad.code == "invalid_credit_code"
    assert "18 characters" in bad.message
    assert refused(lambda: register(reg, producer_code=credit_code(KECHENG, 99))).code == (
        "unknown_enterprise"
    )
    assert refused(lambda: register(reg, quantity="0")).code == "bad_quantity"
    assert refused(lambda: register(reg, quantity="abc")).code == "bad_quantity"
    # a quantity that rounds to zero at the column's two decimals is no quantity
    assert refused(lambda: register(reg, quantity="0.004")).code == "bad_quantity"
    assert refused(lambda: register(reg, code="bad code/1")).code == "bad_batch_code"
    assert refused(lambda: register(reg, produced_on=_today() + timedelta(days=1))).code == (
        "future_date"
    )
    assert not Batch.objects.exists()
    register(reg)
    assert refused(lambda: register(reg)).code == "duplicate_batch"
    assert Batch.objects.count() == 1


# --- movements -----------------------------------------------------------------------------------


def test_holders_move_the_batch_down_the_chain(reg: Registry) -> None:
    chain(reg)
    assert Movement.objects.count() == 5
    entry = AuditEntry.objects.filter(action="market.batch_move", outcome="success").latest("pk")
    assert entry.details["to"] == reg.code("shop_q")
    # a regulator of the sender's county records for it
    move(reg, "dist_k", "shop_q", "5", by=reg.kecheng)
    assert Movement.objects.count() == 6


def test_over_quantity_is_refused(reg: Registry) -> None:
    chain(reg)
    error = refused(lambda: move(reg, "dist_k", "shop_q", "30.01"))
    assert error.code == "over_quantity"
    assert "30" in error.message
    assert refused(lambda: move(reg, "producer", "shop_q", "1")).code == "over_quantity"
    assert refused(lambda: move(reg, "dist_k", "shop_q", "-1")).code == "bad_quantity"
    assert Movement.objects.count() == 5
    move(reg, "dist_k", "shop_q", "30")  # exactly what is left


def test_moving_a_batch_one_does_not_hold(reg: Registry) -> None:
    chain(reg)
    error = refused(lambda: move(reg, "diner", "shop_k", "1"))  # never received it
    assert error.code == "not_holder"
    failed = AuditEntry.objects.filter(action="market.batch_move", outcome="failure").latest("pk")
    assert failed.details["code"] == "not_holder"
    assert Movement.objects.count() == 5


@pytest.mark.parametrize("who", ["other_enterprise", "other_county", "leader", "resident"])
def test_others_may_not_move_for_a_holder(reg: Registry, who: str) -> None:
    chain(reg)
    user = {
        "other_enterprise": reg.users["shop_k"],
        "other_county": reg.jiangshan,  # dist_k is in Kecheng
        "leader": reg.leader,
        "resident": reg.public,
    }[who]
    with pytest.raises(PermissionDenied):
        move(reg, "dist_k", "shop_q", "1", by=user)
    assert Movement.objects.count() == 5


def test_receiver_must_be_a_valid_registered_credit_code(reg: Registry) -> None:
    register(reg)
    bad = refused(lambda: move(reg, "producer", "91330802MA2D00001I", "1"))
    assert bad.code == "invalid_credit_code"
    assert "position 18" in bad.message
    unknown = refused(lambda: move(reg, "producer", credit_code(JIANGSHAN, 77), "1"))
    assert unknown.code == "unknown_enterprise"
    assert refused(lambda: move(reg, "producer", "producer", "1")).code == "same_holder"
    assert refused(lambda: move(reg, "producer", "dist_k", "1", batch_code="NOPE")).code == (
        "unknown_batch"
    )
    assert not Movement.objects.exists()


# --- recall --------------------------------------------------------------------------------------


def test_recall_marks_the_batch_and_opens_a_task_per_downstream_holder(reg: Registry) -> None:
    batch = chain(reg)
    outcome = batch_recall(batch_code=CODE, reason="菌落总数超标", by=reg.kecheng)
    batch.refresh_from_db()
    assert batch.recalled_at is not None
    assert batch.recalled_by == reg.kecheng
    assert batch.recall_reason == "菌落总数超标"
    holders = ["dist_k", "dist_j", "shop_k", "shop_j", "shop_q"]
    assert set(outcome.tasks) == {reg.code(k) for k in holders}
    tasks = Task.objects.filter(type_code="market_recall")
    assert tasks.count() == 5
    for key in holders:
        task = tasks.get(source_ref=f"market:recall:{CODE}:{reg.code(key)}")
        assert task.department is not None
        assert task.department.code == f"{reg.firms[key].county_id}-AMR"
        assert Movement.objects.get(batch=batch, to_code=reg.code(key)).recall_task == task
    assert {t.department.code for t in tasks if t.department} == {
        f"{KECHENG}-AMR",
        f"{JIANGSHAN}-AMR",
        f"{QUJIANG}-AMR",
    }
    entry = AuditEntry.objects.get(action="market.batch_recall", outcome="success")
    assert entry.details["holders"] == 5
    # a recalled batch does not move any more
    assert refused(lambda: move(reg, "dist_k", "shop_q", "1")).code == "batch_recalled"


def test_double_recall_is_refused(reg: Registry) -> None:
    chain(reg)
    batch_recall(batch_code=CODE, reason="first", by=reg.city)
    error = refused(lambda: batch_recall(batch_code=CODE, reason="again", by=reg.city))
    assert error.code == "already_recalled"
    assert Task.objects.count() == 5
    assert Batch.objects.get(code=CODE).recall_reason == "first"


def test_recall_of_an_unknown_batch_changes_nothing(reg: Registry) -> None:
    chain(reg)
    error = refused(lambda: batch_recall(batch_code="QZ-NOPE", reason="x", by=reg.city))
    assert error.code == "unknown_batch"
    assert "QZ-NOPE" in error.message
    assert not Task.objects.exists()
    assert Batch.objects.get(code=CODE).recalled_at is None
    assert refused(lambda: batch_recall(batch_code=CODE, reason=" ", by=reg.city)).code == (
        "no_reason"
    )
    assert not Task.objects.exists()


@pytest.mark.parametrize("who", ["other_county", "producer", "leader", "resident"])
def test_others_may_not_recall(reg: Registry, who: str) -> None:
    chain(reg)
    user = {
        "other_county": reg.jiangshan,  # the producer is in Kecheng
        "producer": reg.users["producer"],
        "leader": reg.leader,
        "resident": reg.public,
    }[who]
    with pytest.raises(PermissionDenied):
        batch_recall(batch_code=CODE, reason="x", by=user)
    assert Batch.objects.get(code=CODE).recalled_at is None
    assert not Task.objects.exists()
    assert AuditEntry.objects.filter(action="market.batch_recall", outcome="denied").exists()


# --- reads -----------------------------------------------------------------------------------------


def test_regulator_sees_the_whole_flow_and_traces_a_holder(reg: Registry) -> None:
    chain(reg)
    view = batch_view(code=CODE, by=reg.jiangshan, holder=reg.code("dist_j"))
    assert view.scope == "full"
    assert len(view.holders) == 6
    assert [(e.source, e.target) for e in view.backward] == [
        (reg.code("producer"), reg.code("dist_j"))
    ]
    assert {e.target for e in view.forward} == {reg.code("shop_j"), reg.code("shop_q")}
    # Jiangshan's holders with stock left (dist_k is Kecheng's)
    assert set(view.may_move_from) == {reg.code("dist_j"), reg.code("shop_j")}
    assert not view.may_recall  # the producer is in Kecheng
    assert batch_view(code=CODE, by=reg.kecheng).may_recall


def test_an_enterprise_sees_its_chain_not_its_siblings(reg: Registry) -> None:
    chain(reg)
    view = batch_view(code=CODE, by=reg.users["shop_j"], holder=reg.code("shop_k"))
    assert view.scope == "own"
    assert view.holder == reg.code("shop_j")
    assert set(view.names) == {reg.code("producer"), reg.code("dist_j"), reg.code("shop_j")}
    with pytest.raises(PermissionDenied):
        batch_view(code=CODE, by=reg.users["diner"])  # never held it
    assert AuditEntry.objects.filter(action="market.batch_view", outcome="denied").exists()
    with pytest.raises(PermissionDenied):
        batch_view(code=CODE, by=reg.public)
    assert refused(lambda: batch_view(code="NOPE", by=reg.city)).code == "unknown_batch"


def test_enterprise_lists_its_produced_and_received_batches(reg: Registry) -> None:
    chain(reg)
    register(reg, by=reg.users["other"], code="QZ-OTHER", producer_code=reg.code("other"))
    assert [b.code for b in batch_list(by=reg.users["shop_q"])] == [CODE]
    assert [b.code for b in batch_list(by=reg.users["producer"])] == [CODE]
    assert [b.code for b in batch_list(by=reg.users["diner"])] == []
    assert batch_list(by=reg.leader).count() == 2
    with pytest.raises(PermissionDenied):
        batch_list(by=reg.public)


# --- pages -----------------------------------------------------------------------------------------


def test_batch_page_for_a_regulator_with_recall_status_and_task_links(reg: Registry) -> None:
    chain(reg)
    batch_recall(batch_code=CODE, reason="菌落总数超标", by=reg.kecheng)
    page = client(reg.jiangshan).get(reverse("market:batch", args=[CODE]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="recalled"' in body
    assert "菌落总数超标" in body
    task = Task.objects.get(source_ref=f"market:recall:{CODE}:{reg.code('shop_q')}")
    assert reverse("loop:task", args=[task.pk]) in body
    assert reg.firms["shop_q"].name in body
    assert 'id="recall-form"' not in body
    assert 'id="move-form"' not in body


def test_batch_page_for_holders_and_others(reg: Registry) -> None:
    chain(reg)
    url = reverse("market:batch", args=[CODE])
    body = client(reg.users["shop_k"]).get(url).content.decode()
    assert reg.firms["dist_k"].name in body
    assert reg.firms["shop_j"].name not in body
    assert client(reg.users["diner"]).get(url).status_code == 403
    assert client(reg.public).get(url).status_code == 403
    assert client().get(url).status_code == 302
    assert client(reg.city).get(reverse("market:batch", args=["NOPE"])).status_code == 404


def test_search_redirects_to_an_exact_code(reg: Registry) -> None:
    chain(reg)
    found = client(reg.leader).get(reverse("market:trace"), {"q": CODE})
    assert found.status_code == 302
    assert found["Location"] == reverse("market:batch", args=[CODE])
    page = client(reg.users["shop_q"]).get(reverse("market:trace"))
    assert page.status_code == 200
    assert CODE in page.content.decode()
    assert CODE not in client(reg.users["diner"]).get(reverse("market:trace")).content.decode()


def test_register_and_move_through_the_pages(reg: Registry) -> None:
    browser = client(reg.users["producer"])
    page = browser.post(
        reverse("market:batch_new"),
        {
            "code": CODE,
            "product": "椪柑罐头",
            "category": "food",
            "producer_code": reg.code("producer"),
            "produced_on": (_today() - timedelta(days=3)).isoformat(),
            "quantity": "100",
            "unit": "箱",
        },
    )
    assert page.status_code == 302
    assert Batch.objects.filter(code=CODE).exists()
    url = reverse("market:batch_move", args=[CODE])
    data = {
        "from_code": reg.code("producer"),
        "to_code": "91330802MA2D00001I",
        "to_role": "distributor",
        "quantity": "10",
        "moved_on": _today().isoformat(),
    }
    bad = browser.post(url, data)
    assert bad.status_code == 400
    assert "Invalid credit code" in bad.content.decode()
    over = browser.post(url, {**data, "to_code": reg.code("dist_k"), "quantity": "101"})
    assert over.status_code == 400
    assert "left to send" in over.content.decode()
    assert not Movement.objects.exists()
    ok = browser.post(url, {**data, "to_code": reg.code("dist_k")})
    assert ok.status_code == 302
    assert Movement.objects.count() == 1
    # another enterprise posting for the producer
    assert client(reg.users["other"]).post(url, data).status_code == 403


def test_recall_through_the_page(reg: Registry) -> None:
    chain(reg)
    url = reverse("market:batch_recall", args=[CODE])
    assert client(reg.jiangshan).post(url, {"reason": "x"}).status_code == 403
    unknown = client(reg.city).post(reverse("market:batch_recall", args=["NOPE"]), {"reason": "x"})
    assert unknown.status_code == 404
    done = client(reg.kecheng).post(url, {"reason": "菌落总数超标"})
    assert done.status_code == 302
    assert Task.objects.count() == 5
    again = client(reg.kecheng).post(url, {"reason": "again"})
    assert again.status_code == 400
    assert "already recalled" in again.content.decode()


def test_demo_loader(reg: Registry) -> None:
    from shuzhi.demo.market_trace import load

    reg.city.username = "clerk"
    reg.city.save()
    out = io.StringIO()
    load(stdout=out)
    load(stdout=out)
    assert Batch.objects.count() == 2
    assert Movement.objects.count() == 12
    recalled = Batch.objects.get(recalled_at__isnull=False)
    assert (
        Task.objects.filter(source_ref__startswith=f"market:recall:{recalled.code}:").count() == 6
    )
    assert "already registered" in out.getvalue()
