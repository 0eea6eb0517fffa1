"""Reads of 免申即享 (the caller is checked by the view or service that asks)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from ..models import BenefitGrant, BenefitPolicy, EligibilityRun, RuleVersion
from ..permissions import enterprise_code

__all__ = [
    "department_policies",
    "grant_counts",
    "grants_for_review",
    "grants_of_beneficiary",
    "policy_versions",
    "recent_runs",
]


def department_policies(department_id: int | None) -> QuerySet[BenefitPolicy]:
    if department_id is None:
        return BenefitPolicy.objects.none()
    return BenefitPolicy.objects.filter(department_id=department_id).order_by("code")


def policy_versions(policy: BenefitPolicy) -> QuerySet[RuleVersion]:
    return policy.versions.select_related("created_by").order_by("-number")


def grants_for_review(
    department_id: int | None,
    *,
    policy: str = "",
    state: str = "",
    county: str = "",
    period: str = "",
) -> QuerySet[BenefitGrant]:
    """The department's grants, filtered (policy code, state, county, period)."""
    if department_id is None:
        return BenefitGrant.objects.none()
    found = BenefitGrant.objects.filter(policy__department_id=department_id).select_related(
        "policy"
    )
    if policy:
        found = found.filter(policy__code=policy)
    if state:
        found = found.filter(state=state)
    if county:
        found = found.filter(county=county)
    if period:
        found = found.filter(period=period)
    return found.order_by("policy__code", "county", "pk")


def grant_counts(department_id: int | None) -> dict[str, Any]:
    """Per policy code: grants by state and the approved or confirmed amount."""
    if department_id is None:
        return {}
    rows = (
        BenefitGrant.objects.filter(policy__department_id=department_id)
        .values("policy__code", "state")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    )
    out: dict[str, Any] = {}
    for row in rows:
        out.setdefault(row["policy__code"], {})[row["state"]] = {
            "count": row["n"],
            "amount": row["amount"],
        }
    return out


def recent_runs(limit: int = 50) -> QuerySet[EligibilityRun]:
    return EligibilityRun.objects.select_related("by").order_by("-started_at", "-pk")[:limit]


def grants_of_beneficiary(user: Any) -> QuerySet[BenefitGrant]:
    """The grants of the signed-in resident (linked account) or enterprise (credit code)."""
    if not getattr(user, "is_authenticated", False):
        return BenefitGrant.objects.none()
    mine = Q(resident__account_id=user.pk)
    if enterprise_code(user):
        mine |= Q(credit_code=enterprise_code(user))
    return (
        BenefitGrant.objects.filter(mine)
        .exclude(state=BenefitGrant.State.FOUND)
        .exclude(state=BenefitGrant.State.REJECTED)
        .select_related("policy")
        .order_by("-pk")
    )
