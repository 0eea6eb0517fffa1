"""Demo electronic licences (电子证照): a handful issued directly by the departments' clerks to demo
enterprises — the demo "enterprise" user's enterprise gets a business licence and a food-operation
permit — plus one revoked and one expired licence, printed with their numbers.

Idempotent: a licence of a type for an enterprise is issued once (skipped when the enterprise
already holds one of that type); the issuing clerks are ``get_or_create``d (the same accounts as
the service catalogue's handling clerks).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzhi.domains.market.models import Enterprise
from shuzhi.domains.services.models import Licence
from shuzhi.domains.services.services.licences import licence_issue, licence_revoke
from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.accounts.services import user_roles_set

from . import people

ISSUERS: dict[str, tuple[str, str]] = {  # department suffix → (clerk, display name)
    "AMR": ("clerk", "市场监管业务员"),
    "UMB": ("umb_clerk", "综合执法业务员"),
    "FIRE": ("fire_clerk", "消防业务员"),
    "TOB": ("tob_clerk", "烟草专卖业务员"),
}
TYPE_ISSUER = {
    "business_licence": "AMR",
    "food_operation": "AMR",
    "signboard": "UMB",
    "fire_safety": "FIRE",
    "tobacco_retail": "TOB",
}
KIND_ZH = {
    "limited_company": "有限责任公司",
    "joint_stock_company": "股份有限公司",
    "individual_business": "个体工商户",
}


def _issuer(suffix: str) -> tuple[Department, User] | None:
    department = Department.objects.filter(code=f"330800-{suffix}").first()
    if department is None:
        return None
    username, name = ISSUERS[suffix]
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"display_name": name, "department": department, "division": department.division},
    )
    if created:
        user.set_password(people.DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user_roles_set(user=user, roles=["clerk"], by=None)
    if user.department_id != department.pk:
        return None
    return department, user


def _facts(enterprise: Enterprise) -> dict[str, Any]:
    address = enterprise.address
    return {
        "enterprise_name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "enterprise_type": KIND_ZH.get(enterprise.enterprise_type, enterprise.enterprise_type),
        "legal_representative": enterprise.legal_representative,
        "registered_address": address,
        "registered_capital": f"{enterprise.registered_capital}万元",
        "established_on": enterprise.established_on.isoformat(),
        "business_scope": "餐饮服务；食品销售",
        "premises_address": f"{address}一层",
        "business_format": "餐饮服务经营者（小型餐饮）",
        "premises_area": "180",
        "seating_capacity": "60",
        "signboard_text": enterprise.name,
        "signboard_size": "6.0米×1.2米",
        "signboard_location": f"{address}临街立面",
    }


def _issue(
    enterprise: Enterprise, licence_type: str, *, issued_on: dt.date | None = None
) -> Licence | None:
    found = Licence.objects.filter(
        holder_credit_code=enterprise.credit_code, licence_type=licence_type
    ).first()
    if found is not None:
        return found
    issuer = _issuer(TYPE_ISSUER[licence_type])
    if issuer is None:
        return None
    department, clerk = issuer
    return licence_issue(
        licence_type=licence_type,
        issuer=department,
        facts=_facts(enterprise),
        by=clerk,
        holder_name=enterprise.name,
        holder_credit_code=enterprise.credit_code,
        issued_on=issued_on,
    )


@transaction.atomic
def load(*, stdout: Any) -> None:
    enterprises = list(
        Enterprise.objects.filter(status=Enterprise.Status.ACTIVE).order_by("credit_code")[:6]
    )
    if not enterprises:
        stdout.write("  no enterprises: no licences issued")
        return
    demo_user = User.objects.filter(username="enterprise").first()
    own = None
    if demo_user is not None and demo_user.credit_code:
        own = Enterprise.objects.filter(credit_code=demo_user.credit_code).first()
    elif demo_user is not None:  # no carbon account chose one: act for the first enterprise
        own = enterprises[0]
        demo_user.credit_code = own.credit_code
        demo_user.save(update_fields=["credit_code"])
    others = [e for e in enterprises if own is None or e.pk != own.pk]
    plan: list[tuple[Enterprise, str, str]] = []  # enterprise, type, what happens to it
    if own is not None:
        plan += [(own, "business_licence", ""), (own, "food_operation", "")]
    if others:
        plan += [(others[0], "signboard", ""), (others[0], "fire_safety", "")]
    if len(others) > 1:
        plan += [(others[1], "tobacco_retail", "revoked")]
    if len(others) > 2:
        plan += [(others[2], "food_operation", "expired")]
    today = timezone.localdate()
    for enterprise, licence_type, fate in plan:
        issued_on = (
            today.replace(year=today.year - 6, day=min(today.day, 28))
            if fate == "expired"
            else None
        )
        licence = _issue(enterprise, licence_type, issued_on=issued_on)
        if licence is None:
            stdout.write(f"  {licence_type}: issuing department or clerk missing, skipped")
            continue
        if fate == "revoked" and licence.status != Licence.Status.REVOKED:
            _department, clerk = _issuer(TYPE_ISSUER[licence_type]) or (None, None)
            licence = licence_revoke(
                licence=licence, by=clerk, reason="经营者申请停业，依申请注销（演示）"
            )
        state = (
            "revoked"
            if licence.status == Licence.Status.REVOKED
            else ("expired" if licence.valid_until < today else "valid")
        )
        stdout.write(
            f"  {licence.number}  {licence.title}  {licence.holder_name}  "
            f"{licence.issued_on}–{licence.valid_until}  {state}"
        )
    if own is not None:
        stdout.write(
            f"  the demo 'enterprise' user acts for {own.name} ({own.credit_code}); "
            "verify at /services/verify/"
        )
