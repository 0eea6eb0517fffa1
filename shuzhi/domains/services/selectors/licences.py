"""Reads of electronic licences (电子证照) and e-seal keys (电子印章); no audit, no permission
check — the service that calls them checks the caller (``services.licences``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from shuzhi.platform.accounts.models import Department
from shuzhi.platform.security.permissions import has_perm

from ..licence_seal import canonical_payload
from ..models.licences import Licence, SealKey
from ..permissions import enterprise_code


def licence_by_number(number: str) -> Licence | None:
    """The licence of ``number`` with its seal and issuer, or None."""
    if not isinstance(number, str) or not number or len(number) > 40:
        return None
    return (
        Licence.objects.select_related("seal", "issuer", "holder_resident")
        .filter(number=number)
        .first()
    )


def licence_holder_id(licence: Licence) -> str:
    """The enterprise's credit code, or the token of the resident's ID number."""
    if licence.holder_credit_code:
        return licence.holder_credit_code
    resident = licence.holder_resident
    return str(getattr(resident, "id_number_token", "") or "")


def licence_payload(licence: Licence) -> dict[str, Any]:
    """The registry's canonical payload of ``licence`` (what its seal signed)."""
    return canonical_payload(
        number=licence.number,
        licence_type=licence.licence_type,
        title=licence.title,
        holder_name=licence.holder_name,
        holder_id=licence_holder_id(licence),
        fields=licence.fields,
        issuer=licence.issuer.code,
        issued_on=licence.issued_on,
        valid_until=licence.valid_until,
        seal=int(licence.seal_id),
    )


def licence_status(licence: Licence, today: dt.date | None = None) -> str:
    """``valid``, ``revoked`` or ``expired`` (valid_until before today)."""
    if licence.status == Licence.Status.REVOKED:
        return "revoked"
    if licence.valid_until < (today or timezone.localdate()):
        return "expired"
    return "valid"


def licence_is_holder(user: Any, licence: Licence) -> bool:
    """The enterprise user of the holder's credit code, or the resident's own account."""
    if not getattr(user, "is_authenticated", False):
        return False
    if licence.holder_credit_code:
        return bool(
            has_perm(user, "services.apply") and enterprise_code(user) == licence.holder_credit_code
        )
    resident = licence.holder_resident
    return (
        resident is not None
        and resident.account_id is not None
        and (resident.account_id == user.pk)
    )


def licence_is_issuer_staff(user: Any, licence: Licence) -> bool:
    """Staff of the issuing department who handle or manage its services."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "department_id", None) == licence.issuer_id
        and (has_perm(user, "services.handle") or has_perm(user, "services.manage"))
    )


def licences_held_by(*, credit_code: str = "", resident_id: int | None = None) -> QuerySet[Licence]:
    """The licences of an enterprise or of a resident, newest first (for the portals)."""
    if credit_code:
        query = Licence.objects.filter(holder_credit_code=credit_code)
    elif resident_id is not None:
        query = Licence.objects.filter(holder_resident_id=resident_id)
    else:
        return Licence.objects.none()
    return query.select_related("issuer", "seal")


def licences_issued_by(department: Department | int) -> QuerySet[Licence]:
    return Licence.objects.filter(issuer=department).select_related("issuer", "seal")


def seal_active(department: Department | int) -> SealKey | None:
    return SealKey.objects.filter(department=department, active=True).first()


def seals_of(department: Department | int) -> QuerySet[SealKey]:
    """The department's seals, the active one first, then the retired newest first."""
    return SealKey.objects.filter(department=department).order_by("-active", "-created_at", "-pk")
