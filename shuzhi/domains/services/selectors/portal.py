"""Reads of the citizen portal (我的办事) and the enterprise portal (政企通).

Every read here is scoped by its argument — the caller's own user, resident or credit code — and
never by anything the browser sends; the views and the portal sections check the caller first.
Links to other capabilities' pages are built here with ``reverse`` and left out (``None``) while
a URL name does not exist yet, so a portal renders whatever the other capabilities have shipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ..models import Application, BenefitGrant, BenefitPolicy, Licence, Resident
from ..models.catalogue import Audience

# the slots each portal shows, in order (门户栏目); other domains fill some of them
CITIZEN_SLOTS: tuple[str, ...] = ("applications", "licences", "benefits")
ENTERPRISE_SLOTS: tuple[str, ...] = (
    "applications",
    "licences",
    "benefits",
    "credit",
    "carbon",
    "cases",
    "policies",
)
SECTION_ROWS = 20

# state → Bootstrap badge class (text-bg-* keeps the text readable on its background)
APPLICATION_BADGES: dict[str, str] = {
    Application.State.SUBMITTED: "text-bg-secondary",
    Application.State.IN_PROGRESS: "text-bg-info",
    Application.State.GRANTED: "text-bg-success",
    Application.State.PARTLY_GRANTED: "text-bg-warning",
    Application.State.REFUSED: "text-bg-danger",
    Application.State.WITHDRAWN: "text-bg-light border",
}
OPEN_APPLICATION = (Application.State.SUBMITTED, Application.State.IN_PROGRESS)
# what a beneficiary sees: the department's internal findings (found, rejected) stay internal
SHOWN_GRANTS = (
    BenefitGrant.State.APPROVED,
    BenefitGrant.State.CONFIRMED,
    BenefitGrant.State.DECLINED,
)


def link(name: str, *args: Any) -> str | None:
    """The URL of ``name`` (namespace included), or None while that page does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def resident_of(user: Any) -> Resident | None:
    """The resident record linked to ``user``'s real-name account (实名认证), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Resident.objects.filter(account_id=user.pk).first()


# --- applications (我的办件) ---------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationRow:
    number: str
    title: str
    state: str
    state_label: str
    badge: str
    submitted_at: Any
    due_at: Any
    overdue: bool
    url: str | None


def _application_rows(applications: Any) -> list[ApplicationRow]:
    now = timezone.now()
    rows = []
    for a in applications.select_related("item", "bundle")[:SECTION_ROWS]:
        subject = a.item if a.item_id else a.bundle
        rows.append(
            ApplicationRow(
                number=a.number,
                title=getattr(subject, "name", "") or a.number,
                state=a.state,
                state_label=a.get_state_display(),
                badge=APPLICATION_BADGES.get(a.state, "text-bg-secondary"),
                submitted_at=a.submitted_at,
                due_at=a.due_at,
                overdue=bool(a.due_at and a.state in OPEN_APPLICATION and a.due_at < now),
                url=link("services:application", a.number),
            )
        )
    return rows


def applications_of_user(user: Any) -> list[ApplicationRow]:
    """The applications ``user`` submitted themself (as a resident: no enterprise named)."""
    return _application_rows(Application.objects.filter(applicant_id=user.pk, credit_code=""))


def applications_of_enterprise(credit_code: str) -> list[ApplicationRow]:
    """The applications made for the enterprise ``credit_code`` (by any of its users)."""
    if not credit_code:
        return []
    return _application_rows(Application.objects.filter(credit_code=credit_code))


# --- e-licences (我的证照) -----------------------------------------------------------------------


@dataclass(frozen=True)
class LicenceRow:
    number: str
    title: str
    holder_name: str
    issuer: str
    issued_on: date
    valid_until: date
    status: str  # valid / revoked / expired
    url: str | None


def licence_status(licence: Licence, today: date) -> str:
    if licence.status == Licence.Status.REVOKED:
        return "revoked"
    return "expired" if licence.valid_until < today else "valid"


def _licence_rows(licences: Any) -> list[LicenceRow]:
    today = timezone.localdate()
    return [
        LicenceRow(
            number=item.number,
            title=item.title,
            holder_name=item.holder_name,
            issuer=str(item.issuer),
            issued_on=item.issued_on,
            valid_until=item.valid_until,
            status=licence_status(item, today),
            url=link("services:licence", item.number),
        )
        for item in licences.select_related("issuer")[:SECTION_ROWS]
    ]


def licences_of_resident(resident: Resident | None) -> list[LicenceRow]:
    if resident is None:
        return []
    return _licence_rows(Licence.objects.filter(holder_resident=resident))


def licences_of_enterprise(credit_code: str) -> list[LicenceRow]:
    if not credit_code:
        return []
    return _licence_rows(Licence.objects.filter(holder_credit_code=credit_code))


# --- benefits (我的待遇, 免申即享) ------------------------------------------------------------------


@dataclass(frozen=True)
class GrantRow:
    pk: int
    policy: str
    period: str
    amount: Any
    state: str
    state_label: str
    awaiting: bool  # approved: the beneficiary only confirms
    confirmed_at: Any
    url: str | None


def _grant_row(g: BenefitGrant) -> GrantRow:
    return GrantRow(
        pk=g.pk,
        policy=g.policy.name,
        period=g.period,
        amount=g.amount,
        state=g.state,
        state_label=g.get_state_display(),
        awaiting=g.state == BenefitGrant.State.APPROVED,
        confirmed_at=g.confirmed_at,
        url=link("services:benefit_grant", g.pk),
    )


def _shown(grants: Any) -> Any:
    return grants.filter(state__in=SHOWN_GRANTS).select_related("policy").order_by("-period", "-pk")


def _grant_rows(grants: Any) -> list[GrantRow]:
    """Approved grants (awaiting confirmation) first, then the others, newest first."""
    rows = [_grant_row(g) for g in _shown(grants)[:SECTION_ROWS]]
    return sorted(rows, key=lambda row: not row.awaiting)


def grants_of_resident(resident: Resident | None) -> list[GrantRow]:
    if resident is None:
        return []
    return _grant_rows(BenefitGrant.objects.filter(resident=resident))


def grants_of_enterprise(credit_code: str) -> list[GrantRow]:
    if not credit_code:
        return []
    return _grant_rows(BenefitGrant.objects.filter(credit_code=credit_code))


# --- policies that apply (惠企政策) -----------------------------------------------------------------


@dataclass(frozen=True)
class PolicyRow:
    code: str
    name: str
    department: str
    period: str
    grant: GrantRow | None  # the enterprise's latest shown grant under this policy


def enterprise_policies(credit_code: str) -> list[PolicyRow]:
    """Active 免申即享 policies for enterprises, each with the enterprise's latest grant."""
    policies = (
        BenefitPolicy.objects.filter(active=True)
        .filter(Q(audience=Audience.ENTERPRISE) | Q(audience=Audience.BOTH))
        .select_related("department")
        .order_by("code")
    )
    latest: dict[int, GrantRow] = {}
    if credit_code:
        for g in _shown(BenefitGrant.objects.filter(credit_code=credit_code))[:200]:
            if g.policy_id not in latest:
                latest[g.policy_id] = _grant_row(g)
    return [
        PolicyRow(
            code=p.code,
            name=p.name,
            department=str(p.department),
            period=p.get_period_display(),
            grant=latest.get(p.pk),
        )
        for p in policies
    ]


def enterprise_name(credit_code: str) -> str:
    """The enterprise's name as the platform's own records of it give it (licences, grants,
    applications); "" when none does."""
    if not credit_code:
        return ""
    licence = Licence.objects.filter(holder_credit_code=credit_code).order_by("-pk").first()
    if licence is not None and licence.holder_name:
        return licence.holder_name
    grant = BenefitGrant.objects.filter(credit_code=credit_code).order_by("-pk").first()
    if grant is not None and grant.beneficiary_name:
        return grant.beneficiary_name
    for facts in Application.objects.filter(credit_code=credit_code).values_list(
        "facts", flat=True
    )[:5]:
        if isinstance(facts, dict) and facts.get("enterprise_name"):
            return str(facts["enterprise_name"])
    return ""
