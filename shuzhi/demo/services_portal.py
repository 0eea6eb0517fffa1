"""The citizen portal's and 政企通's demo accounts: real-name links and enterprise credit codes.

Runs after the catalogue, licences and benefits demos; idempotent (an account already linked
keeps its resident and credit code):

- ``resident`` is linked to an adult resident (one with a 免申即享 grant if there is one);
- ``elder`` to a resident aged 80 or more registered in Quzhou, so that 高龄津贴 shows once the
  benefits run has found and approved it;
- ``restaurant`` (second enterprise user) gets the credit code of a catering enterprise (餐饮业,
  GB/T 4754 division 62) of the registry, other than the ``enterprise`` account's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzhi.domains.market.models import Enterprise
from shuzhi.domains.services.models import Application, BenefitGrant, Licence, Resident
from shuzhi.platform.accounts.models import User

from . import people


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _link(user: User, candidates: Any) -> Resident | None:
    """The resident linked to ``user``: the existing link, else the first free candidate,
    preferring one with a benefit grant."""
    current = Resident.objects.filter(account=user).first()
    if current is not None:
        return current
    free = candidates.filter(account__isnull=True)
    with_grant = BenefitGrant.objects.filter(resident__isnull=False).values("resident_id")
    resident = free.filter(pk__in=with_grant).order_by("pk").first() or free.order_by("pk").first()
    if resident is not None:
        resident.account = user
        resident.save(update_fields=["account"])
    return resident


def _enterprise_code(user: User, taken: set[str]) -> str:
    if user.credit_code:
        return str(user.credit_code)
    firm = (
        Enterprise.objects.filter(industry_code__startswith="62", status=Enterprise.Status.ACTIVE)
        .exclude(credit_code__in=taken)
        .order_by("credit_code")
        .first()
        or Enterprise.objects.exclude(credit_code__in=taken).order_by("credit_code").first()
    )
    if firm is None:
        return ""
    user.credit_code = firm.credit_code
    user.save(update_fields=["credit_code"])
    return str(firm.credit_code)


def _summary(resident: Resident | None, user: User) -> str:
    applications = Application.objects.filter(applicant=user, credit_code="").count()
    if resident is None:
        return f"{applications} applications, no resident linked"
    licences = Licence.objects.filter(holder_resident=resident).count()
    grants = BenefitGrant.objects.filter(resident=resident)
    states = ", ".join(f"{g.policy.name} {g.state}" for g in grants.select_related("policy")[:5])
    return (
        f"resident {resident.pk} (born {resident.birth_date}, county {resident.county_id}): "
        f"{applications} applications, {licences} licences, grants: {states or 'none'}"
    )


@transaction.atomic
def load(*, stdout: Any) -> None:
    names = [a.username for a in people.DEMO_ACCOUNTS]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    today = timezone.localdate()
    eighty = _years_before(today, 80)
    quzhou = Resident.objects.filter(county__code__startswith="3308")

    lines = []
    if "resident" in users:
        adult = quzhou.filter(
            birth_date__lte=_years_before(today, 18), birth_date__gt=_years_before(today, 70)
        )
        resident = _link(users["resident"], adult)
        lines.append(("resident", "/services/me/", _summary(resident, users["resident"])))
    if "elder" in users:
        elder = _link(users["elder"], quzhou.filter(birth_date__lte=eighty))
        lines.append(("elder", "/services/me/", _summary(elder, users["elder"])))
        if elder is None:
            stdout.write("  no resident aged 80+ in Quzhou: load residents first")
        elif elder.birth_date > eighty:
            stdout.write(f"  elder's resident {elder.pk} is not 80+ (linked earlier)")
        elif not BenefitGrant.objects.filter(resident=elder).exists():
            stdout.write(
                f"  missing: no 高龄津贴 grant for resident {elder.pk} yet — run the 免申即享 "
                "eligibility run and approve its findings, then the elder sees it"
            )
    taken = {
        str(c) for c in User.objects.exclude(credit_code="").values_list("credit_code", flat=True)
    }
    for username in ("enterprise", "restaurant"):
        user = users.get(username)
        if user is None:
            continue
        code = _enterprise_code(user, taken - {str(user.credit_code or "")})
        taken.add(code)
        lines.append((username, "/services/enterprise/", f"credit code {code or '(none)'}"))
    for username, url, summary in lines:
        stdout.write(f"  {username:<11} {people.DEMO_PASSWORD}  {url:<22} {summary}")
