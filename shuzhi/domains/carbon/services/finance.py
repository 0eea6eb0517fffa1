"""Green finance (碳账户金融): enterprises authorise banks, banks keep their loan products and
read carbon credit reports.

A bank reads an enterprise's grade only through its sharing grant to the grade dataset
(``carbon_account_annual``), so every read is masked by the grant, metered and audited by
sharing, and only for an enterprise whose authorisation of that bank is in force, under a grant
of that bank. Refusals are audited ("carbon.report", outcome denied) before they are raised.

Also here, until the domain has a module for it: the audited check of who may open one
enterprise's account page (``account_read``: staff, or the enterprise itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.platform.accounts.models import Department
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.security.identifiers import check_credit_code
from shuzhi.platform.security.permissions import has_perm, require
from shuzhi.platform.sharing.models import Grant
from shuzhi.platform.sharing.services import SharingRefused, grant_rows_read
from shuzhi.platform.warehouse.query import RowQuery

from ..models import BankAuthorisation, Colour, LoanProduct
from ..selectors import (
    ANNUAL_DATASET,
    authorisation_live,
    bank_departments,
    bank_grants,
    loan_products,
)

MAX_AUTHORISATION_DAYS = 365
MAX_RATE_BP = 500  # a product moves the rate by at most ±5 percentage points


class CarbonRefused(Exception):
    """A refused carbon action: HTTP-like ``status``, a stable ``code`` and a translated
    ``message`` for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CreditReport:
    """What a bank may see of one enterprise: the granted rows by year, newest last."""

    credit_code: str
    bank: Department
    rows: list[dict[str, Any]]
    columns: list[str]
    authorisation: BankAuthorisation
    grant_id: int
    products: list[LoanProduct] = field(default_factory=list)
    read_at: datetime = field(default_factory=timezone.now)

    @property
    def latest(self) -> dict[str, Any] | None:
        return self.rows[-1] if self.rows else None


def _refuse(
    *,
    action: str,
    by: Any,
    target: object,
    request: HttpRequest | None,
    status: int,
    code: str,
    message: str,
    details: Mapping[str, Any] | None = None,
) -> NoReturn:
    audit_record(
        action=action,
        actor=by if getattr(by, "is_authenticated", False) else None,
        target=target,
        outcome=Outcome.DENIED,
        request=request,
        details={"code": code, **(details or {})},
    )
    raise CarbonRefused(status, code, message)


def _require_audited(
    by: Any,
    perm: str,
    *,
    action: str,
    target: object,
    request: HttpRequest | None,
    details: Mapping[str, Any] | None = None,
) -> None:
    try:
        require(by, perm)
    except PermissionDenied:
        audit_record(
            action=action,
            actor=by if getattr(by, "is_authenticated", False) else None,
            target=target,
            outcome=Outcome.DENIED,
            request=request,
            details={"code": "forbidden", "permission": perm, **(details or {})},
        )
        raise


def _require_bank(
    by: Any, *, action: str, target: object, request: HttpRequest | None
) -> Department:
    """Bank staff (carbon.finance) of a bank organisation; returns the bank."""
    _require_audited(by, "carbon.finance", action=action, target=target, request=request)
    bank = getattr(by, "department", None)
    if bank is None:
        audit_record(
            action=action,
            actor=by,
            target=target,
            outcome=Outcome.DENIED,
            request=request,
            details={"code": "no_bank"},
        )
        raise PermissionDenied("carbon.finance: no bank")
    return bank


def _require_enterprise(
    by: Any, *, action: str, target: object, request: HttpRequest | None
) -> str:
    """An enterprise user (carbon.own) acting for an enterprise; returns its credit code."""
    _require_audited(by, "carbon.own", action=action, target=target, request=request)
    code = (getattr(by, "credit_code", "") or "").strip()
    if not code:
        audit_record(
            action=action,
            actor=by,
            target=target,
            outcome=Outcome.DENIED,
            request=request,
            details={"code": "no_enterprise"},
        )
        raise PermissionDenied("carbon.own: no enterprise")
    return code


def _year_of(row: Mapping[str, Any]) -> str:
    return str(row.get("year") or "")


# --- the enterprise's account page ---------------------------------------------------------


def account_read(*, by: Any, credit_code: str, request: HttpRequest | None = None) -> bool:
    """Let ``by`` read the carbon account of ``credit_code``; True when it is the reader's own.

    Government staff (carbon.view) read any enterprise's account; an enterprise's users
    (carbon.own) only their own. The read and every refusal are audited
    ("carbon.account_read"): one enterprise's emissions and output are not public.
    """
    asked = {"credit_code": str(credit_code)[:18]}
    own_code = (getattr(by, "credit_code", "") or "").strip()
    own = bool(own_code) and own_code == credit_code and has_perm(by, "carbon.own")
    if not own:
        _require_audited(
            by,
            "carbon.view",
            action="carbon.account_read",
            target=None,
            request=request,
            details=asked,
        )
    audit_record(
        action="carbon.account_read",
        actor=by,
        request=request,
        details={**asked, "own": own},
    )
    return own


# --- the enterprise's consent --------------------------------------------------------------


def bank_authorise(
    *, by: Any, bank: Department, days: int = 365, request: HttpRequest | None = None
) -> BankAuthorisation:
    """The enterprise lets ``bank`` read its carbon account for ``days`` (1–365); an
    authorisation of the same bank still in force is renewed instead."""
    code = _require_enterprise(by, action="carbon.authorise", target=bank, request=request)
    if not bank_departments().filter(pk=bank.pk).exists():
        raise CarbonRefused(400, "not_a_bank", _("Choose a bank from the list."))
    if not 1 <= days <= MAX_AUTHORISATION_DAYS:
        raise CarbonRefused(
            400,
            "bad_period",
            _("An authorisation runs for 1 to %(days)s days.") % {"days": MAX_AUTHORISATION_DAYS},
        )
    expires = timezone.now() + timedelta(days=days)
    with transaction.atomic():
        existing = authorisation_live(credit_code=code, bank=bank)
        if existing is not None:
            existing.expires_at = expires
            existing.save(update_fields=["expires_at"])
            authorisation, renewed = existing, True
        else:
            authorisation = BankAuthorisation.objects.create(
                credit_code=code, bank=bank, granted_by=by, expires_at=expires
            )
            renewed = False
        audit_record(
            action="carbon.authorise",
            actor=by,
            target=authorisation,
            request=request,
            details={
                "credit_code": code,
                "bank": bank.code,
                "expires_at": expires.isoformat(),
                "renewed": renewed,
            },
        )
    return authorisation


def bank_authorisation_revoke(
    *, by: Any, authorisation: BankAuthorisation, request: HttpRequest | None = None
) -> BankAuthorisation:
    """The enterprise withdraws its consent; the bank's next read is refused."""
    code = _require_enterprise(
        by, action="carbon.authorise_revoke", target=authorisation, request=request
    )
    if authorisation.credit_code != code:
        audit_record(
            action="carbon.authorise_revoke",
            actor=by,
            target=authorisation,
            outcome=Outcome.DENIED,
            request=request,
            details={"code": "other_enterprise"},
        )
        raise PermissionDenied("carbon.own: another enterprise's authorisation")
    with transaction.atomic():
        authorisation = BankAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
        if authorisation.revoked_at is not None:
            raise CarbonRefused(
                409, "already_revoked", _("This authorisation was revoked already.")
            )
        authorisation.revoked_at = timezone.now()
        authorisation.save(update_fields=["revoked_at"])
        audit_record(
            action="carbon.authorise_revoke",
            actor=by,
            target=authorisation,
            request=request,
            details={"credit_code": code, "bank": authorisation.bank.code},
        )
    return authorisation


# --- the bank's products -------------------------------------------------------------------


def loan_product_save(
    *,
    by: Any,
    values: Mapping[str, Any],
    product: LoanProduct | None = None,
    request: HttpRequest | None = None,
) -> LoanProduct:
    """Create or change one of the bank's green-loan products (a rate adjustment per colour)."""
    bank = _require_bank(by, action="carbon.loan_product_save", target=product, request=request)
    if product is not None and product.bank_id != bank.pk:
        audit_record(
            action="carbon.loan_product_save",
            actor=by,
            target=product,
            outcome=Outcome.DENIED,
            request=request,
            details={"code": "other_bank"},
        )
        raise PermissionDenied("carbon.finance: another bank's product")
    name = str(values.get("name") or "").strip()
    colour = str(values.get("colour") or "")
    description = str(values.get("description") or "").strip()
    try:
        rate = int(values.get("rate_adjustment_bp"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        rate = None
    if not name or len(name) > 100:
        raise CarbonRefused(
            400, "bad_name", _("Give the product a name of at most 100 characters.")
        )
    if colour not in Colour.values:
        raise CarbonRefused(400, "bad_colour", _("Choose one of the four colours."))
    if rate is None or abs(rate) > MAX_RATE_BP:
        raise CarbonRefused(
            400,
            "bad_rate",
            _("The rate adjustment is a whole number of basis points from %(low)s to %(high)s.")
            % {"low": -MAX_RATE_BP, "high": MAX_RATE_BP},
        )
    if len(description) > 300:
        raise CarbonRefused(400, "bad_description", _("At most 300 characters."))
    target = product or LoanProduct(bank=bank)
    before = (
        {"name": target.name, "colour": target.colour, "rate": target.rate_adjustment_bp}
        if product
        else None
    )
    target.name, target.colour = name, colour
    target.rate_adjustment_bp, target.description = rate, description
    try:
        with transaction.atomic():
            target.save()
            audit_record(
                action="carbon.loan_product_save",
                actor=by,
                target=target,
                request=request,
                details={
                    "bank": bank.code,
                    "name": name,
                    "colour": colour,
                    "rate_adjustment_bp": rate,
                    "before": before,
                },
            )
    except IntegrityError:
        raise CarbonRefused(
            409, "duplicate", _("This product has a rate for that colour already.")
        ) from None
    return target


def loan_product_delete(
    *, by: Any, product: LoanProduct, request: HttpRequest | None = None
) -> None:
    """Remove one of the bank's products (audited as a product change)."""
    bank = _require_bank(by, action="carbon.loan_product_save", target=product, request=request)
    if product.bank_id != bank.pk:
        audit_record(
            action="carbon.loan_product_save",
            actor=by,
            target=product,
            outcome=Outcome.DENIED,
            request=request,
            details={"code": "other_bank"},
        )
        raise PermissionDenied("carbon.finance: another bank's product")
    details = {
        "bank": bank.code,
        "name": product.name,
        "colour": product.colour,
        "rate_adjustment_bp": product.rate_adjustment_bp,
        "deleted": True,
    }
    with transaction.atomic():
        audit_record(
            action="carbon.loan_product_save",
            actor=by,
            target=product,
            request=request,
            details=details,
        )
        product.delete()


# --- the bank's read -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Allowed:
    code: str
    bank: Department
    authorisation: BankAuthorisation
    grant: Grant
    details: dict[str, Any]


def _require_report_allowed(
    by: Any, *, credit_code: str, request: HttpRequest | None, form: str
) -> _Allowed:
    """Bank staff, a valid code, the enterprise's authorisation of this bank in force and a
    grant of this bank to the grade dataset; each refusal audited ("carbon.report")."""
    checked = check_credit_code(credit_code or "")
    code = checked.normalised
    bank = _require_bank(by, action="carbon.report", target=None, request=request)
    details = {"credit_code": code[:18], "bank": bank.code, "form": form}
    if not checked.valid:
        _refuse(
            action="carbon.report",
            by=by,
            target=None,
            request=request,
            status=400,
            code="bad_credit_code",
            message=_("That is not a unified social credit code."),
            details=details,
        )
    authorisation = authorisation_live(credit_code=code, bank=bank)
    if authorisation is None:
        _refuse(
            action="carbon.report",
            by=by,
            target=None,
            request=request,
            status=403,
            code="not_authorised",
            message=_(
                "This enterprise has not authorised your bank to read its carbon account, "
                "or its authorisation was revoked or has expired."
            ),
            details=details,
        )
    # the grant must be this bank's: a person who moved from another bank keeps that bank's
    # grants as grantee, and the enterprise authorised the bank, not the person
    grants = bank_grants(user=by, bank=bank)
    if not grants:
        _refuse(
            action="carbon.report",
            by=by,
            target=authorisation,
            request=request,
            status=403,
            code="no_grant",
            message=_(
                "Your bank has no sharing grant to the carbon account dataset; request it "
                "under data sharing first."
            ),
            details=details,
        )
    # a live one when there is one; else sharing refuses and audits
    return _Allowed(code, bank, authorisation, grants[0], details)


def credit_report_check(
    *, by: Any, credit_code: str, request: HttpRequest | None = None, form: str = "pdf"
) -> BankAuthorisation:
    """Whether ``by`` may read the report of ``credit_code`` (as :func:`credit_report_read`
    decides, refusals audited), without reading it: for an edge that must know it can
    deliver (the PDF needs its font) before the read is metered."""
    return _require_report_allowed(
        by, credit_code=credit_code, request=request, form=form
    ).authorisation


def credit_report_read(
    *, by: Any, credit_code: str, request: HttpRequest | None = None, form: str = "page"
) -> CreditReport:
    """The carbon credit report of one enterprise for the signed-in bank staff.

    Refused (403, audited) without the enterprise's authorisation of this bank in force or
    without a live sharing grant of this bank to the grade dataset; the rows come through the
    grant.
    """
    allowed = _require_report_allowed(by, credit_code=credit_code, request=request, form=form)
    code, bank, authorisation, grant = (
        allowed.code,
        allowed.bank,
        allowed.authorisation,
        allowed.grant,
    )
    details = allowed.details
    try:
        result = grant_rows_read(
            grant=grant,
            query=RowQuery(filters={"credit_code": [code]}, limit=100),
            by=by,
            request=request,
        )
    except (SharingRefused, PermissionDenied) as exc:
        status = getattr(exc, "status", 403)
        reason = getattr(exc, "code", "forbidden")
        message = getattr(exc, "message", "") or _("The sharing grant does not allow this read.")
        _refuse(
            action="carbon.report",
            by=by,
            target=authorisation,
            request=request,
            status=status,
            code=reason,
            message=message,
            details={**details, "grant": grant.pk},
        )
    rows = sorted(result.rows, key=_year_of)
    latest_colour = str(rows[-1].get("colour") or "") if rows else ""
    products = [p for p in loan_products(bank=bank) if p.colour == latest_colour]
    audit_record(
        action="carbon.report",
        actor=by,
        target=authorisation,
        request=request,
        details={**details, "grant": grant.pk, "dataset": ANNUAL_DATASET, "rows": len(rows)},
    )
    return CreditReport(
        credit_code=code,
        bank=bank,
        rows=rows,
        columns=list(result.columns),
        authorisation=authorisation,
        grant_id=grant.pk,
        products=products,
    )
