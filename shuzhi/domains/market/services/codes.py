"""One code, four colours (一码四色) and the five-self checks (五自).

Every enterprise gets an *enterprise code* (企业码): a random token, not derived from its credit
code, issued the first time it is needed (by the enterprise's own user or by someone who holds
``market.view``; issuing twice returns the same code). Its QR image encodes the address of a
public page showing the enterprise's name, registration status and risk colour — the colour of
its current credit-risk class from ``settings.MARKET_CODE_COLOURS``, never the score or the
indicators. To the enterprise's own user that page also shows its five-self check list (五自:
自我承诺 self-commitment, 自我检查 self-inspection, 自我整改 self-correction, 自我报告
self-reporting, 自我公示 self-disclosure): each confirmation is one :class:`SelfCheck` row.
"""

from __future__ import annotations

import io
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.security.permissions import has_perm

from ..models import CreditClass, Enterprise, EnterpriseCode, SelfCheck, SelfCheckItem
from ..permissions import require_own_enterprise, require_regulator, require_viewer
from ..refusals import MarketRefused, audit_refusal
from ..selectors import credit_class_of, credit_run_current

ACTIONS: dict[str, Any] = {
    "market.code_issue": gettext_lazy("Enterprise code issued"),
    "market.code_image": gettext_lazy("Enterprise code image downloaded"),
    "market.self_check": gettext_lazy("Five-self check recorded"),
    "market.self_check_items": gettext_lazy("Five-self check items loaded"),
}
TASK_TYPES: list[Any] = []

ITEMS_FILE: Final = Path(__file__).resolve().parent.parent / "data" / "self_check_items.json"
RECENT_DAYS: Final = 30  # a confirmation this recent counts in the summary
NEUTRAL: Final = "#6c757d"  # no class yet: grey
# the text beside the colour (never colour alone); the class letter itself is not shown
RISK_LABELS: Final[dict[str, str]] = {
    "A": gettext_noop("Low risk"),
    "B": gettext_noop("Average risk"),
    "C": gettext_noop("Elevated risk"),
    "D": gettext_noop("High risk"),
    "": gettext_noop("Not yet classified"),
}


class CodeRefused(MarketRefused):
    """A code or self-check request refused."""


@dataclass(frozen=True)
class Colour:
    """The colour shown on the public page: hex and a text label."""

    hex: str
    label: str
    classified: bool


# --- permissions --------------------------------------------------------------------------------


def _is_own(user: Any, credit_code: str) -> bool:
    """True when ``user`` is the enterprise user acting for ``credit_code`` (no audit: a read)."""
    own = str(getattr(user, "credit_code", "") or "")
    return bool(own) and own == credit_code and has_perm(user, "market.own")


def _require_own_or_viewer(
    user: Any, credit_code: str, *, action: str, request: HttpRequest | None
) -> None:
    """The enterprise's own user, or anyone who holds ``market.view`` (regulators…)."""
    if _is_own(user, credit_code):
        return
    require_viewer(user, action=action, request=request)


def _require_system_or_city(user: Any, *, action: str, request: HttpRequest | None) -> None:
    """The system (``None``: a loader) or a regulator of the city's market department."""
    if user is not None:
        require_regulator(user, county_code=None, action=action, request=request)


# --- codes --------------------------------------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(16)[:22]


def code_issue(
    *, enterprise: Enterprise, by: Any, request: HttpRequest | None = None
) -> EnterpriseCode:
    """The enterprise's code, issued now if it has none (idempotent; issuance audited)."""
    _require_own_or_viewer(by, enterprise.credit_code, action="market.code_issue", request=request)
    existing = EnterpriseCode.objects.filter(enterprise=enterprise).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            code = EnterpriseCode.objects.create(enterprise=enterprise, token=_new_token())
            audit_record(
                action="market.code_issue",
                actor=by,
                target=code,
                request=request,
                details={"credit_code": enterprise.credit_code},
            )
    except IntegrityError:  # issued by someone else meanwhile
        return EnterpriseCode.objects.get(enterprise=enterprise)
    return code


def codes_issue_all(*, by: Any = None, request: HttpRequest | None = None) -> int:
    """Issue a code to every enterprise that has none (the system or a city regulator); returns
    how many were issued. Bulk and idempotent, one audit entry."""
    _require_system_or_city(by, action="market.code_issue", request=request)
    have = set(EnterpriseCode.objects.values_list("enterprise_id", flat=True))
    missing = [pk for pk in Enterprise.objects.values_list("pk", flat=True) if pk not in have]
    with transaction.atomic():
        EnterpriseCode.objects.bulk_create(
            [EnterpriseCode(enterprise_id=pk, token=_new_token()) for pk in missing],
            batch_size=1000,
            ignore_conflicts=True,
        )
        audit_record(
            action="market.code_issue",
            actor=by,
            actor_name="" if by else "system",
            request=request,
            details={"bulk": True, "issued": len(missing)},
        )
    return len(missing)


def code_image(
    *,
    enterprise: Enterprise,
    url: str,
    kind: str,
    by: Any,
    request: HttpRequest | None = None,
) -> bytes:
    """The QR image (``kind`` ``png`` or ``svg``) of ``url``, the code's public page."""
    _require_own_or_viewer(by, enterprise.credit_code, action="market.code_image", request=request)
    if kind not in ("png", "svg"):
        raise CodeRefused("bad_kind", _("The image is PNG or SVG."))
    qr = qrcode.QRCode(border=2, box_size=10, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(url)
    qr.make(fit=True)
    out = io.BytesIO()
    if kind == "svg":
        qr.make_image(image_factory=qrcode.image.svg.SvgPathImage).save(out)
    else:
        qr.make_image().save(out)
    return out.getvalue()


def _require_token(token: str) -> EnterpriseCode:
    """The code of ``token``: the token itself is what grants a look at the public page."""
    found = (
        EnterpriseCode.objects.select_related("enterprise", "enterprise__county")
        .filter(token=token)
        .first()
        if token and len(token) <= 32
        else None
    )
    if found is None:
        raise CodeRefused("unknown_token", _("There is no enterprise code like this."))
    return found


@dataclass(frozen=True)
class PublicCode:
    code: EnterpriseCode
    enterprise: Enterprise
    colour: Colour
    own: bool  # the viewer is the enterprise's own user


def code_public(token: str, *, by: Any = None) -> PublicCode:
    """What the public page of ``token`` shows: name, status, colour (anyone, no sign-in)."""
    code = _require_token(token)
    enterprise = code.enterprise
    return PublicCode(
        code, enterprise, _colour_of(enterprise.credit_code), _is_own(by, enterprise.credit_code)
    )


def own_enterprise(*, by: Any, request: HttpRequest | None = None) -> Enterprise:
    """The registered enterprise the enterprise user ``by`` acts for."""
    credit_code = str(getattr(by, "credit_code", "") or "")
    require_own_enterprise(by, credit_code, action="market.code_issue", request=request)
    enterprise = Enterprise.objects.filter(credit_code=credit_code).first()
    if enterprise is None:
        raise CodeRefused(
            "not_registered", _("Your credit code is not in the enterprise registry.")
        )
    return enterprise


def _palette() -> dict[str, str]:
    """``settings.MARKET_CODE_COLOURS`` ("A=#198754" …) as a dict class → hex.

    Malformed entries are skipped."""
    found: dict[str, str] = {}
    for entry in settings.MARKET_CODE_COLOURS:
        grade, sep, colour = str(entry).partition("=")
        if sep and grade.strip() and colour.strip():
            found[grade.strip().upper()] = colour.strip()
    return found


def _colour_of(credit_code: str) -> Colour:
    """The risk colour of the enterprise's current class (grey when it has none)."""
    run = credit_run_current()
    item: CreditClass | None = credit_class_of(run, credit_code) if run else None
    grade = item.credit_class if item else ""
    hex_colour = _palette().get(grade, NEUTRAL) if grade else NEUTRAL
    return Colour(hex_colour, _(RISK_LABELS.get(grade, RISK_LABELS[""])), bool(grade))


# --- five-self checks (五自) -------------------------------------------------------------------


def _items_for(enterprise: Enterprise) -> QuerySet[SelfCheckItem]:
    """The active items that apply to the enterprise's industry ("" applies to all)."""
    industry = enterprise.industry_code or ""
    prefixes = [industry[:n] for n in range(1, len(industry) + 1)]
    return SelfCheckItem.objects.filter(active=True).filter(
        Q(industry_prefix="") | Q(industry_prefix__in=prefixes)
    )


def self_check_record(
    *,
    enterprise: Enterprise,
    item_code: str,
    confirmed: bool,
    note: str = "",
    by: Any,
    request: HttpRequest | None = None,
) -> SelfCheck:
    """The enterprise's own user confirms an item, or marks it not met with a note."""
    require_own_enterprise(by, enterprise.credit_code, action="market.self_check", request=request)
    note = (note or "").strip()
    item = _items_for(enterprise).filter(code=item_code).first()
    refusal: CodeRefused | None = None
    if item is None:
        refusal = CodeRefused("unknown_item", _("This item is not on your self-check list."))
    elif not confirmed and not note:
        refusal = CodeRefused("note_required", _("Say what is not met and what you will do."))
    elif len(note) > 2000:
        refusal = CodeRefused("note_too_long", _("Keep the note under 2,000 characters."))
    if refusal is not None:
        audit_refusal(
            action="market.self_check",
            by=by,
            code=refusal.code,
            request=request,
            details={"credit_code": enterprise.credit_code, "item": item_code[:32]},
        )
        raise refusal
    assert item is not None
    with transaction.atomic():
        check = SelfCheck.objects.create(
            enterprise=enterprise, item=item, confirmed=confirmed, note=note, checked_by=by
        )
        audit_record(
            action="market.self_check",
            actor=by,
            target=check,
            request=request,
            details={
                "credit_code": enterprise.credit_code,
                "item": item.code,
                "confirmed": confirmed,
            },
        )
    return check


@dataclass
class SelfCheckRow:
    item: SelfCheckItem
    latest: SelfCheck | None
    recent: bool  # confirmed in the last RECENT_DAYS days


def self_check_overview(
    *, enterprise: Enterprise, by: Any, request: HttpRequest | None = None
) -> dict[str, Any]:
    """The enterprise's list (items with their latest check), history and summary."""
    _require_own_or_viewer(by, enterprise.credit_code, action="market.self_check", request=request)
    items = list(_items_for(enterprise))
    history = list(
        SelfCheck.objects.filter(enterprise=enterprise).select_related("item", "checked_by")[:200]
    )
    latest: dict[int, SelfCheck] = {}
    for check in history:  # newest first
        latest.setdefault(check.item_id, check)
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    rows = [
        SelfCheckRow(
            item,
            latest.get(item.pk),
            bool(
                latest.get(item.pk)
                and latest[item.pk].confirmed
                and latest[item.pk].checked_at >= since
            ),
        )
        for item in items
    ]
    groups = [
        {"code": g.value, "label": g.label, "rows": [r for r in rows if r.item.group == g.value]}
        for g in SelfCheckItem.Group
    ]
    return {
        "groups": [g for g in groups if g["rows"]],
        "history": history,
        "confirmed": sum(1 for r in rows if r.recent),
        "total": len(rows),
        "recent_days": RECENT_DAYS,
    }


def self_check_items_load(
    *, path: Path | None = None, by: Any = None, request: HttpRequest | None = None
) -> dict[str, int]:
    """Load the items file (upsert by code; idempotent). The system or a city regulator."""
    _require_system_or_city(by, action="market.self_check_items", request=request)
    data = json.loads((path or ITEMS_FILE).read_text(encoding="utf-8"))
    groups = set(SelfCheckItem.Group.values)
    added = updated = 0
    with transaction.atomic():
        for row in data["items"]:
            if row["group"] not in groups:
                raise CodeRefused("bad_group", _("Unknown group: %(group)s") % row)
            values = {
                "group": row["group"],
                "text": row["text"][:300],
                "text_en": row["text_en"][:300],
                "industry_prefix": row.get("industry_prefix", "")[:5],
                "active": bool(row.get("active", True)),
            }
            _obj, created = SelfCheckItem.objects.update_or_create(
                code=row["code"], defaults=values
            )
            added += created
            updated += not created
        audit_record(
            action="market.self_check_items",
            actor=by,
            actor_name="" if by else "system",
            request=request,
            details={"added": added, "updated": updated},
        )
    return {"added": added, "updated": updated}
