"""Demo data of the enterprise life cycle (市场主体全生命周期): an establishment event for every
registered enterprise, a few changes, annual reports and abnormal listings, two simplified
deregistrations on public notice (one with an objection) and one completed ordinary
deregistration. Idempotent: each part is skipped when its data is already there.

Everything but the bulk establishment events goes through the services as the demo regulators
(``kecheng_clerk``, ``jiangshan_clerk``, ``clerk``), so it is audited like real work. The demo
``enterprise`` user's own enterprise is left alone, so its deregistration page shows the form.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

from django.db.models import Exists, OuterRef
from django.utils import timezone

from shuzhi.domains.market.models import (
    Case,
    Deregistration,
    Enterprise,
    EnterpriseEvent,
)
from shuzhi.domains.market.services.lifecycle import (
    LifecycleRefused,
    abnormal_list,
    abnormal_remove,
    annual_report_record,
    deregistration_apply,
    deregistration_decide,
    deregistration_object,
    enterprise_change,
)
from shuzhi.platform.accounts.models import User

BATCH = 2000
KECHENG, JIANGSHAN = "330802", "330881"


def _users() -> dict[str, User]:
    names = ("clerk", "kecheng_clerk", "jiangshan_clerk", "enterprise")
    return {u.username: u for u in User.objects.filter(username__in=names)}


def _candidates(county: str, skip: set[str]) -> Iterator[Enterprise]:
    """Active enterprises of ``county`` without cases, in credit-code order (read at once)."""
    cases = Case.objects.filter(credit_code=OuterRef("credit_code"))
    qs = (
        Enterprise.objects.filter(county_id=county, status=Enterprise.Status.ACTIVE)
        .exclude(credit_code__in=skip)
        .annotate(has_case=Exists(cases))
        .filter(has_case=False)
        .order_by("credit_code")
    )
    yield from list(qs[:40])


def _establishments(stdout: TextIO) -> None:
    established = EnterpriseEvent.objects.filter(
        enterprise=OuterRef("pk"), kind=EnterpriseEvent.Kind.ESTABLISHED
    )
    missing = (
        Enterprise.objects.annotate(done=Exists(established))
        .filter(done=False)
        .values_list("pk", "established_on", "name")
    )
    events = [
        EnterpriseEvent(
            enterprise_id=pk,
            kind=EnterpriseEvent.Kind.ESTABLISHED,
            occurred_on=on,
            details={"name": name},
        )
        for pk, on, name in missing.iterator(chunk_size=BATCH)
    ]
    EnterpriseEvent.objects.bulk_create(events, batch_size=BATCH)
    stdout.write(f"market life cycle: {len(events)} establishment events\n")


def _registry_work(users: dict[str, User], skip: set[str], stdout: TextIO) -> None:
    if EnterpriseEvent.objects.filter(kind=EnterpriseEvent.Kind.CHANGED).exists():
        stdout.write("market life cycle: changes already recorded\n")
        return
    year = timezone.localdate().year - 1
    done = 0
    for county, username in ((KECHENG, "kecheng_clerk"), (JIANGSHAN, "jiangshan_clerk")):
        by = users.get(username)
        if by is None:
            continue
        firms = _candidates(county, skip)
        try:
            for index in range(6):
                enterprise = next(firms)
                skip.add(enterprise.credit_code)
                annual_report_record(by=by, enterprise=enterprise, year=year)
                if index == 0:
                    enterprise_change(
                        by=by,
                        enterprise=enterprise,
                        field="address",
                        value=f"{enterprise.address}（迁址，演示）",
                    )
                elif index == 1:
                    enterprise_change(
                        by=by,
                        enterprise=enterprise,
                        field="registered_capital",
                        value=str(enterprise.registered_capital * 2),
                    )
                done += 1
            for index in range(2):
                enterprise = next(firms)
                skip.add(enterprise.credit_code)
                abnormal_list(
                    by=by, enterprise=enterprise, reason="未按规定期限公示年度报告（演示）"
                )
                if index == 1:
                    abnormal_remove(
                        by=by, enterprise=enterprise, reason="已补报并公示年度报告（演示）"
                    )
                done += 1
        except StopIteration:
            pass
        except LifecycleRefused as refusal:
            stdout.write(f"market life cycle: skipped: {refusal.message}\n")
    stdout.write(f"market life cycle: registry work on {done} enterprises\n")


def _apply(by: User, county: str, skip: set[str], procedure: str) -> Deregistration | None:
    for enterprise in _candidates(county, skip):
        try:
            application = deregistration_apply(
                by=by, enterprise=enterprise, procedure=procedure, reason="股东决定歇业（演示）"
            )
        except LifecycleRefused:
            continue
        skip.add(enterprise.credit_code)
        return application
    return None


def _deregistrations(users: dict[str, User], skip: set[str], stdout: TextIO) -> None:
    if Deregistration.objects.exists():
        stdout.write("market life cycle: deregistrations already there\n")
        return
    kecheng, jiangshan = users.get("kecheng_clerk"), users.get("jiangshan_clerk")
    made = 0
    if kecheng is not None:
        for objected in (False, True):
            application = _apply(kecheng, KECHENG, skip, Deregistration.Procedure.SIMPLIFIED)
            if application is None:
                break
            made += 1
            if objected:
                deregistration_object(
                    by=None,
                    application=application,
                    objector="衢州某建材供应商（演示）",
                    contact="0570-0000000",
                    reason="该企业尚欠我司货款未结清，对简易注销有异议。（演示）",
                )
    if jiangshan is not None:
        application = _apply(jiangshan, JIANGSHAN, skip, Deregistration.Procedure.ORDINARY)
        if application is not None:
            deregistration_decide(
                by=jiangshan,
                application=application,
                approve=True,
                note="清算报告已备案，债权人公告期满（演示）",
            )
            made += 1
    stdout.write(f"market life cycle: {made} deregistrations\n")


def load(*, stdout: Any) -> None:
    """Load the life-cycle demo data (idempotent)."""
    _establishments(stdout)
    users = _users()
    missing = {"clerk", "kecheng_clerk", "jiangshan_clerk"} - set(users)
    if missing:
        stdout.write(f"market life cycle: demo users missing: {', '.join(sorted(missing))}\n")
    own = users.get("enterprise")
    skip = {own.credit_code} if own is not None and own.credit_code else set()
    _registry_work(users, skip, stdout)
    _deregistrations(users, skip, stdout)
