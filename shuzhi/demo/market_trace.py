"""Demo traceability (追溯): two food batches, producer → 2 distributors → 4 retailers.

The producer is a food manufacturer (GB/T 4754 C13/C14) of the demo registry; the distributors
are wholesalers (F51) and the retailers retailers (F52), picked across counties (any active
enterprise when there are too few). The city market regulator (demo account ``clerk``) records
everything; the first batch is then recalled, which opens one loop task per downstream holder
for its county's market department. Idempotent: batches already registered are kept.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TextIO

from django.db.models import Q
from django.utils import timezone

from shuzhi.domains.market.models import Batch, Enterprise
from shuzhi.domains.market.services.trace import batch_recall, batch_register, movement_record
from shuzhi.platform.accounts.models import User

BATCHES = (
    ("QZ-FOOD-DEMO-001", "椪柑罐头（425克）", Decimal("1200"), "箱"),
    ("QZ-FOOD-DEMO-002", "衢州鸭头（真空包装）", Decimal("800"), "箱"),
)
RECALL_REASON = "抽检发现该批次产品菌落总数超标（GB 7098），生产企业主动召回。"


def _pick(query: Q, count: int, *, exclude: set[str], spread: bool = True) -> list[Enterprise]:
    """``count`` active enterprises matching ``query``, one per county first."""
    found: list[Enterprise] = []
    counties: set[str] = set()
    candidates = list(
        Enterprise.objects.filter(query, status=Enterprise.Status.ACTIVE)
        .exclude(credit_code__in=exclude)
        .order_by("credit_code")[:500]
    )
    for firm in candidates:
        if len(found) < count and (not spread or firm.county_id not in counties):
            found.append(firm)
            counties.add(firm.county_id)
    for firm in candidates:
        if len(found) < count and firm not in found:
            found.append(firm)
    return found


def _chain() -> tuple[Enterprise, list[Enterprise], list[Enterprise]] | None:
    used: set[str] = set()
    producers = _pick(
        Q(industry_code__startswith="C14") | Q(industry_code__startswith="C13"), 1, exclude=used
    )
    if not producers:
        return None
    used.add(producers[0].credit_code)
    distributors = _pick(Q(industry_code__startswith="F51"), 2, exclude=used)
    distributors += _pick(
        Q(), 2 - len(distributors), exclude=used | {d.credit_code for d in distributors}
    )
    used |= {d.credit_code for d in distributors}
    retailers = _pick(Q(industry_code__startswith="F52"), 4, exclude=used)
    retailers += _pick(Q(), 4 - len(retailers), exclude=used | {r.credit_code for r in retailers})
    if len(distributors) < 2 or len(retailers) < 4:
        return None
    return producers[0], distributors, retailers


def load(*, stdout: TextIO) -> None:
    """Register and move the two demo batches, recall the first; print what was done."""
    clerk = User.objects.filter(username="clerk").first()
    if clerk is None:
        stdout.write("Traceability: skipped (demo account clerk missing)\n")
        return
    if Batch.objects.filter(code__in=[b[0] for b in BATCHES]).exists():
        stdout.write("Traceability: demo batches already registered\n")
        return
    chain = _chain()
    if chain is None:
        stdout.write("Traceability: skipped (too few enterprises)\n")
        return
    producer, distributors, retailers = chain
    today = timezone.localdate()
    for number, (code, product, quantity, unit) in enumerate(BATCHES):
        batch = batch_register(
            code=code,
            product=product,
            category=Batch.Category.FOOD,
            producer_code=producer.credit_code,
            produced_on=today - timedelta(days=30 - number * 5),
            quantity=quantity,
            unit=unit,
            by=clerk,
        )
        share = quantity * Decimal("0.4")
        for i, distributor in enumerate(distributors):
            movement_record(
                batch_code=batch.code,
                from_code=producer.credit_code,
                to_code=distributor.credit_code,
                to_role="distributor",
                quantity=share,
                moved_on=batch.produced_on + timedelta(days=3),
                by=clerk,
            )
            for retailer in retailers[2 * i : 2 * i + 2]:
                movement_record(
                    batch_code=batch.code,
                    from_code=distributor.credit_code,
                    to_code=retailer.credit_code,
                    to_role="retailer",
                    quantity=share / 4,
                    moved_on=batch.produced_on + timedelta(days=7),
                    by=clerk,
                )
        stdout.write(f"Batch {batch.code}: {producer.name} → 2 distributors → 4 retailers\n")
    outcome = batch_recall(batch_code=BATCHES[0][0], reason=RECALL_REASON, by=clerk)
    stdout.write(
        f"Recall of {BATCHES[0][0]}: {len(outcome.tasks)} tasks opened for the holders' "
        "county regulators\n"
    )
