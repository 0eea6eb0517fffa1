"""Demo data of lenient supervision (包容审慎监管): the three lists, a handful of market cases in
Kecheng and Jiangshan (a first-violation waiver, a penalty with its fine unpaid, a reduced
penalty paid and closed, a serious case with no lenient item) and one credit-repair application
of the demo enterprise waiting for a decision. Idempotent: the demo cases are recognised by
their facts; nothing is added twice. Decisions skip the reclassification queue (the demo
command classifies once itself)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TextIO

from django.utils import timezone

from shuzhi.domains.market.models import Case, CreditRepair, Enterprise
from shuzhi.domains.market.services.cases import (
    CaseRefused,
    case_close,
    case_decide,
    case_mark_paid,
    case_open,
    repair_apply,
    rules_load,
)
from shuzhi.platform.accounts.models import User

MARK = "（演示）"
KECHENG, JIANGSHAN = "330802", "330881"


def _firms(county: str, count: int) -> list[Enterprise]:
    return list(
        Enterprise.objects.filter(county__code=county, status=Enterprise.Status.ACTIVE).order_by(
            "credit_code"
        )[:count]
    )


def _case(by: User, firm: Enterprise, facts: str, occurred: date, **values: Any) -> Case:
    existing = Case.objects.filter(credit_code=firm.credit_code, facts=MARK + facts).first()
    if existing is not None:
        return existing
    return case_open(
        by=by, credit_code=firm.credit_code, facts=MARK + facts, occurred_on=occurred, **values
    )


def load(*, stdout: TextIO) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=_USERS)}
    missing = sorted(set(_USERS) - set(users))
    if missing:
        stdout.write(f"lenient supervision: skipped, demo users missing: {', '.join(missing)}\n")
        return
    city, kecheng, jiangshan = users["clerk"], users["kecheng_clerk"], users["jiangshan_clerk"]
    counts = rules_load(by=city)
    stdout.write(
        "lenient lists: {created} new, {updated} changed, {unchanged} unchanged\n".format(**counts)
    )
    today = timezone.localdate()
    kecheng_firms, jiangshan_firms = _firms(KECHENG, 2), _firms(JIANGSHAN, 2)
    if len(kecheng_firms) == 2 and len(jiangshan_firms) == 2:
        # a first minor violation, corrected: the first-violation waiver (首违不罚), still open
        _case(
            kecheng,
            kecheng_firms[0],
            "店内部分商品未按规定明码标价，检查当日已全部补标。",
            today - timedelta(days=6),
            violation="price_not_marked",
            harm=Case.Harm.MINOR,
            corrected=True,
        )
        # absolute terms in an advertisement reaching many people: a penalty, the fine unpaid
        fined = _case(
            kecheng,
            kecheng_firms[1],
            "在微信公众号发布的广告中使用“全市最佳”等绝对化用语，阅读量较大。",
            today - timedelta(days=40),
            violation="ad_absolute_terms",
            harm=Case.Harm.SERIOUS,
            corrected=False,
        )
        if fined.state == Case.State.OPEN:
            case_decide(
                case=fined,
                by=kecheng,
                outcome=Case.Outcome.PENALTY,
                fine=20000,
                decided_on=today - timedelta(days=20),
                reclassify=False,
            )
        # a lift in use without registration, inspected and conforming: reduced, paid, closed
        reduced = _case(
            jiangshan,
            jiangshan_firms[0],
            "一台载货电梯投入使用超过三十日未办理使用登记，经检验合格，已主动补办。",
            today - timedelta(days=120),
            violation="special_equipment_unregistered",
            harm=Case.Harm.NONE,
            corrected=True,
        )
        if reduced.state == Case.State.OPEN:
            case_decide(
                case=reduced,
                by=jiangshan,
                outcome=Case.Outcome.REDUCED,
                fine=5000,
                decided_on=today - timedelta(days=90),
                reclassify=False,
            )
            case_mark_paid(case=reduced, by=jiangshan)
            case_close(case=reduced, by=jiangshan)
        # a serious violation no list covers: open, no lenient item
        _case(
            jiangshan,
            jiangshan_firms[1],
            "销售假冒注册商标的五金工具一批，货值较大。",
            today - timedelta(days=3),
            violation="counterfeit_goods",
            harm=Case.Harm.SERIOUS,
            corrected=False,
        )
    _repair(users["enterprise"], city, today, stdout)
    made = Case.objects.filter(facts__startswith=MARK).count()
    stdout.write(f"market cases (demo): {made}\n")


def _repair(owner: User, city: User, today: date, stdout: TextIO) -> None:
    """The demo enterprise's old penalty (paid, public long enough) and its pending repair."""
    firm = Enterprise.objects.filter(credit_code=owner.credit_code or "").first()
    if firm is None:
        stdout.write("credit repair (demo): skipped, the enterprise user has no registered firm\n")
        return
    if CreditRepair.objects.filter(credit_code=firm.credit_code).exists():
        stdout.write("credit repair (demo): already there\n")
        return
    old = _case(
        city,
        firm,
        "未按规定期限公示股权变更信息，经责令后逾期仍未公示。",
        today - timedelta(days=430),
        violation="instant_info_late",
        harm=Case.Harm.MINOR,
        corrected=False,
    )
    if old.state == Case.State.OPEN:
        case_decide(
            case=old,
            by=city,
            outcome=Case.Outcome.PENALTY,
            fine=3000,
            decided_on=today - timedelta(days=400),
            reclassify=False,
        )
        case_mark_paid(case=old, by=city)
        case_close(case=old, by=city)
    try:
        repair_apply(
            by=owner,
            credit_code=firm.credit_code,
            kind=CreditRepair.Kind.PENALTY,
            reference=old.number,
            statement="已补充公示股权变更信息，罚款已缴清，并建立信息公示专人负责制度。",
        )
    except CaseRefused as refusal:
        stdout.write(f"credit repair (demo): not applied: {refusal.message}\n")
        return
    stdout.write("credit repair (demo): 1 application waiting\n")


_USERS = ("clerk", "kecheng_clerk", "jiangshan_clerk", "enterprise")
