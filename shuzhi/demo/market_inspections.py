"""Demo random inspections (双随机一公开): the inspector pool, one published Kecheng plan and one
city-wide plan drawn but not yet published.

Runs after the credit classification (the draw needs the current run) and after the demo
accounts exist; idempotent (plans are found by name, pool entries by person). Everything goes
through the services, so the audit log shows it as if people had done it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final, TextIO

from django.utils import timezone

from shuzhi.domains.market.models import (
    CreditRun,
    Enterprise,
    Inspection,
    InspectionPlan,
    Inspector,
)
from shuzhi.domains.market.services.inspections import (
    inspection_record,
    inspector_add,
    inspector_link_add,
    plan_create,
    plan_draw,
    plan_publish,
)
from shuzhi.platform.accounts.models import User

KECHENG: Final = "330802"
# username, certificate (执法证号), qualified fields
POOL: Final = (
    ("clerk", "33080020190001", ["general", "food", "industrial"]),
    ("amr_inspector", "33080020210002", ["general", "special_equipment", "drug"]),
    ("kecheng_clerk", "33080220180003", ["general", "food"]),
    ("kecheng_inspector", "33080220220004", ["general", "industrial"]),
    ("jiangshan_clerk", "33088120170005", ["general", "food"]),
    ("jiangshan_inspector", "33088120230006", ["general", "special_equipment"]),
)
KECHENG_PLAN: Final = "2026年柯城区第四季度双随机抽查（一般事项）"
KECHENG_SEED: Final = 20261126
CITY_PLAN: Final = "2026年衢州市双随机抽查（一般事项）"
CITY_SEED: Final = 20261201
CITY_RATIOS: Final = {"A": 2, "B": 5, "C": 10, "D": 20}  # a lighter city-wide sweep
# results cycled over the Kecheng plan's inspections, with findings where a problem was found
RESULTS: Final = (
    (Inspection.Result.COMPLIANT, ""),
    (Inspection.Result.COMPLIANT, ""),
    (Inspection.Result.CORRECTED, "公示信息未及时更新，已责令当场改正。"),
    (Inspection.Result.COMPLIANT, ""),
    (Inspection.Result.VIOLATION, "超范围经营，已移交立案调查。"),
    (Inspection.Result.NOT_FOUND, ""),
)


def load(*, stdout: TextIO) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[p[0] for p in POOL])}
    city = users.get("clerk")
    kecheng = users.get("kecheng_clerk")
    if city is None or kecheng is None:
        stdout.write("  random inspections: skipped (the demo accounts are missing)\n")
        return
    if not CreditRun.objects.filter(is_current=True, state=CreditRun.State.COMPLETE).exists():
        stdout.write("  random inspections: skipped (no current credit classification)\n")
        return
    _pool(city, users)
    _link(kecheng)
    # two inspectors per inspection when the pool is large enough to keep them conflict-free
    per = 2 if Inspector.objects.filter(active=True).count() >= 4 else 1
    due = timezone.localdate() + timedelta(days=30)
    local = _plan(kecheng, KECHENG_PLAN, KECHENG, per=per, due=due, seed=KECHENG_SEED)
    _record(local, every=True)
    if local.state == InspectionPlan.State.DRAWN:
        plan_publish(by=kecheng, plan=local)
    local.refresh_from_db()
    citywide = _plan(
        city,
        CITY_PLAN,
        "",
        per=per,
        due=due + timedelta(days=30),
        seed=CITY_SEED,
        ratios=CITY_RATIOS,
    )
    _record(citywide, every=False)
    stdout.write(
        f"  random inspections: {Inspector.objects.filter(active=True).count()} inspectors in "
        f"the pool; {local.inspections.count()} Kecheng inspections ({local.get_state_display()}), "
        f"{citywide.inspections.count()} city-wide ({citywide.get_state_display()})\n"
    )


def _pool(city: User, users: dict[str, User]) -> None:
    for username, certificate, fields in POOL:
        person = users.get(username)
        if person is None or Inspector.objects.filter(user=person, active=True).exists():
            continue
        inspector_add(by=city, person=person, certificate=certificate, fields=fields)


def _link(kecheng: User) -> None:
    """kecheng_clerk declares a shareholding in a Kecheng enterprise (回避)."""
    inspector = Inspector.objects.filter(user=kecheng).first()
    firm = (
        Enterprise.objects.filter(county_id=KECHENG, status=Enterprise.Status.ACTIVE)
        .order_by("credit_code")
        .first()
    )
    if inspector is None or firm is None or inspector.links.exists():
        return
    inspector_link_add(
        by=kecheng, inspector=inspector, credit_code=firm.credit_code, relation="shareholding"
    )


def _plan(
    by: User,
    name: str,
    county: str,
    *,
    per: int,
    due: Any,
    seed: int,
    ratios: dict[str, int] | None = None,
) -> InspectionPlan:
    plan = InspectionPlan.objects.filter(name=name).first()
    if plan is None:
        plan = plan_create(
            by=by,
            name=name,
            county_code=county,
            field="general",
            ratios=ratios,
            inspectors_per_inspection=per,
            due_on=due,
        )
    if plan.state == InspectionPlan.State.DRAFT:
        plan = plan_draw(by=by, plan=plan, seed=seed)
    return plan


def _record(plan: InspectionPlan, *, every: bool) -> None:
    """Record results: every inspection of ``plan`` or only its first five."""
    if plan.state != InspectionPlan.State.DRAWN:
        return
    items = list(plan.inspections.prefetch_related("inspectors__user").order_by("credit_code"))
    for n, item in enumerate(items if every else items[:5]):
        if item.result != Inspection.Result.PENDING:
            continue
        inspector = item.inspectors.all()[0]
        result, findings = RESULTS[n % len(RESULTS)]
        inspection_record(by=inspector.user, inspection=item, result=result, findings=findings)
