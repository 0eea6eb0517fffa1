"""Demo infringement complaints (侵权投诉): one by the demo enterprise user, one by the resident.

Each goes through ``complaint_lodge`` and so opens a loop task for the respondent's county
market department. Idempotent: a complaint already lodged (same complainant and number) is
kept. Runs after the enterprises and the demo accounts exist (and after the carbon demo gave
the enterprise user its credit code; without one, the enterprise user's complaint still works).
"""

from __future__ import annotations

from typing import TextIO

from shuzhi.domains.market.models import Enterprise, InfringementComplaint
from shuzhi.domains.market.services.ip import complaint_lodge
from shuzhi.platform.accounts.models import User

from .rows import patent_check_digit

KECHENG, JIANGSHAN = "330802", "330881"
TRADEMARK_NUMBER = "18830802"
PATENT_FIRST12 = "202320512345"
PATENT_NUMBER = f"{PATENT_FIRST12}.{patent_check_digit(PATENT_FIRST12)}"


def _respondent(county: str, *, exclude: str) -> Enterprise | None:
    return (
        Enterprise.objects.filter(county_id=county, status=Enterprise.Status.ACTIVE)
        .exclude(credit_code=exclude)
        .order_by("credit_code")
        .first()
    )


def load(*, stdout: TextIO) -> None:
    """Lodge the two demo complaints unless they exist; print what was done."""
    enterprise = User.objects.filter(username="enterprise").first()
    resident = User.objects.filter(username="resident").first()
    if enterprise is None or resident is None:
        stdout.write("Infringement complaints: skipped (demo accounts missing)\n")
        return
    own = str(enterprise.credit_code or "")
    holder = Enterprise.objects.filter(credit_code=own).first() if own else None
    plans = (
        (
            enterprise,
            InfringementComplaint.Right.TRADEMARK,
            TRADEMARK_NUMBER,
            holder.name if holder else "衢州示范企业有限公司",
            KECHENG,
            "在柯城区某商场发现标有与我司注册商标近似标识的同类商品，"
            "包装和字体与我司产品高度相似，易使消费者混淆。",
        ),
        (
            resident,
            InfringementComplaint.Right.PATENT,
            PATENT_NUMBER,
            "张某某",
            JIANGSHAN,
            "本人的实用新型专利产品被仿制，在网店和线下门店销售，外观和结构与专利产品一致。",
        ),
    )
    opened = kept = 0
    for user, right, number, holder_name, county, text in plans:
        if InfringementComplaint.objects.filter(complainant=user, right_number=number).exists():
            kept += 1
            continue
        respondent = _respondent(county, exclude=own)
        if respondent is None:
            continue
        complaint_lodge(
            by=user,
            right=right,
            right_number=number,
            holder_name=holder_name,
            respondent_code=respondent.credit_code,
            description=text,
        )
        opened += 1
    stdout.write(
        f"Infringement complaints: {opened} lodged (loop tasks opened), {kept} already there\n"
    )
