"""Demo enterprise codes (一码四色) and five-self checks (五自).

Loads the self-check items (upsert by code), issues a code to every demo enterprise that has
none (one bulk insert), and, for the demo enterprise user's enterprise, records a few checks if
it has none yet. Idempotent; runs after the enterprises, the demo accounts and the credit
classification exist.
"""

from __future__ import annotations

from typing import TextIO

from shuzhi.domains.market.models import Enterprise, SelfCheck
from shuzhi.domains.market.services.codes import (
    codes_issue_all,
    self_check_items_load,
    self_check_overview,
    self_check_record,
)
from shuzhi.platform.accounts.models import User

NOT_MET_NOTE = "灭火器有两具已过有效期，已向供应商订购更换，预计一周内完成。"


def load(*, stdout: TextIO) -> None:
    """Load the items, issue the codes, record the demo enterprise's checks; print a line each."""
    items = self_check_items_load(by=None)
    stdout.write(f"Self-check items: {items['added']} added, {items['updated']} updated\n")
    issued = codes_issue_all(by=None)
    stdout.write(f"Enterprise codes: {issued} issued\n")
    user = User.objects.filter(username="enterprise").first()
    own = str(getattr(user, "credit_code", "") or "")
    enterprise = Enterprise.objects.filter(credit_code=own).first() if own else None
    if user is None or enterprise is None:
        stdout.write("Self-checks: skipped (the demo enterprise user has no enterprise)\n")
        return
    if SelfCheck.objects.filter(enterprise=enterprise).exists():
        stdout.write(f"Self-checks of {enterprise.name}: already recorded\n")
        return
    overview = self_check_overview(enterprise=enterprise, by=user)
    rows = [row for group in overview["groups"] for row in group["rows"]]
    done = 0
    for row in rows[:4]:
        self_check_record(enterprise=enterprise, item_code=row.item.code, confirmed=True, by=user)
        done += 1
    fire = next((row for row in rows if row.item.code == "G-INSPECT-02"), None)
    if fire is not None:
        self_check_record(
            enterprise=enterprise,
            item_code=fire.item.code,
            confirmed=False,
            note=NOT_MET_NOTE,
            by=user,
        )
        done += 1
    stdout.write(f"Self-checks of {enterprise.name}: {done} recorded\n")
