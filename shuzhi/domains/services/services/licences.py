"""Electronic licences (电子证照) with the issuing department's SM2 e-seal (电子印章).

* **Seals.** Each issuing department has one active seal key (``SealKey``), made on first need
  (:func:`seal_for`), its private key SM4-encrypted at rest. A steward (``services.manage``) of
  the department may rotate it (:func:`seal_rotate`): the new key signs from then on, the old
  one stays to verify the licences it signed.
* **Issuance.** :func:`licence_issue_for_part` is called by the applications module in the
  transaction of a granting decision; :func:`licence_issue` issues directly (demo, tests). Both
  need ``services.handle`` in the issuing department. The face (证照照面) is built from the
  application's facts by the licence type's table (:data:`LICENCE_TYPES`), and the canonical
  payload (:mod:`..licence_seal`) is signed with the department's seal.
* **Revocation** (:func:`licence_revoke`): the issuing department, with a reason.
* **Verification** (:func:`licence_verify`): public. Authentic when the signature matches the
  canonical bytes under the seal's public key *and* the payload is the registry's; the status is
  the registry's (valid, revoked, expired). A failed check is audited as a forgery attempt
  (``services.licence_forgery``); successful checks are audited once per number, address and
  hour (``services.licence_verify``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, NoReturn

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.platform.accounts.models import Department
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record, client_ip
from shuzhi.platform.opendata.ratelimit import over_limit
from shuzhi.platform.security.permissions import has_perm
from shuzhi.platform.security.sm2 import SM2KeyPair

from ..licence_seal import MalformedPayload, normalise_payload, seal_name, seal_sign, seal_verify
from ..models.applications import ApplicationPart
from ..models.licences import Licence, SealKey
from ..models.residents import Resident
from ..permissions import require_department
from ..refusals import ServicesRefused, audit_refusal, refuse
from ..selectors.licences import (
    licence_by_number,
    licence_is_holder,
    licence_is_issuer_staff,
    licence_payload,
    licence_status,
    seals_of,
)

ACTION_SEAL_CREATE: Final = "services.seal_create"
ACTION_SEAL_ROTATE: Final = "services.seal_rotate"
ACTION_ISSUE: Final = "services.licence_issue"
ACTION_REVOKE: Final = "services.licence_revoke"
ACTION_VIEW: Final = "services.licence_view"
ACTION_VERIFY: Final = "services.licence_verify"
ACTION_FORGERY: Final = "services.licence_forgery"

ACTIONS: dict[str, Any] = {
    ACTION_SEAL_CREATE: gettext_lazy("E-seal key created"),
    ACTION_SEAL_ROTATE: gettext_lazy("E-seal key rotated"),
    ACTION_ISSUE: gettext_lazy("E-licence issued"),
    ACTION_REVOKE: gettext_lazy("E-licence revoked"),
    ACTION_VIEW: gettext_lazy("E-licence viewed"),
    ACTION_VERIFY: gettext_lazy("E-licence verified"),
    ACTION_FORGERY: gettext_lazy("Forged or altered e-licence presented for verification"),
}
TASK_TYPES: list[Any] = []

MAX_REASON: Final = 200
MAX_NUMBER: Final = 40
VERIFY_RATE: Final = 30  # anonymous verifications per address and minute
VERIFY_AUDIT_SECONDS: Final = 3600  # one success entry per number, address and hour


class LicenceRefused(ServicesRefused):
    """A refused licence step (bad input, nothing to issue, already revoked …)."""


# --- The licence types (证照类型) -------------------------------------------------------------


@dataclass(frozen=True)
class FaceField:
    """One line of a licence's face: the form fact it shows and its (Chinese) label."""

    fact: str
    label: str
    required: bool = False
    default: str = ""


@dataclass(frozen=True)
class LicenceType:  # 证照类型
    code: str
    title: str  # the legal title, Chinese: what the face and the signature carry
    label: Promise  # the title for the UI, translated
    face: tuple[FaceField, ...]
    valid_years: int
    prefix: str  # number prefix ("" for the business licence: its number is the credit code)


LICENCE_TYPES: Final[dict[str, LicenceType]] = {
    kind.code: kind
    for kind in (
        LicenceType(
            "business_licence",
            "营业执照",
            gettext_lazy("Business licence"),
            (
                FaceField("credit_code", "统一社会信用代码", required=True),
                FaceField("enterprise_name", "名称", required=True),
                FaceField("enterprise_type", "类型"),
                FaceField("legal_representative", "法定代表人"),
                FaceField("registered_capital", "注册资本"),
                FaceField("established_on", "成立日期"),
                FaceField("registered_address", "住所"),
                FaceField("business_scope", "经营范围"),
            ),
            30,
            "",
        ),
        LicenceType(
            "food_operation",
            "食品经营许可证",
            gettext_lazy("Food operation permit"),
            (
                FaceField("enterprise_name", "经营者名称", required=True),
                FaceField("credit_code", "社会信用代码"),
                FaceField("legal_representative", "法定代表人（负责人）"),
                FaceField("registered_address", "住所"),
                FaceField("premises_address", "经营场所", required=True),
                FaceField("business_format", "主体业态", required=True),
                FaceField("business_scope", "经营项目"),
            ),
            5,
            "JY",
        ),
        LicenceType(
            "signboard",
            "户外招牌设置许可决定书",
            gettext_lazy("Outdoor signboard permit"),
            (
                FaceField("enterprise_name", "申请人", required=True),
                FaceField("credit_code", "统一社会信用代码"),
                FaceField("signboard_location", "设置地点", required=True),
                FaceField("signboard_text", "招牌内容", required=True),
                FaceField("signboard_size", "招牌规格"),
            ),
            3,
            "ZP",
        ),
        LicenceType(
            "fire_safety",
            "公众聚集场所投入使用营业前消防安全检查合格证",
            gettext_lazy("Pre-opening fire-safety inspection certificate"),
            (
                FaceField("enterprise_name", "单位名称", required=True),
                FaceField("credit_code", "统一社会信用代码"),
                FaceField("premises_address", "场所地址", required=True),
                FaceField("premises_area", "使用面积（平方米）"),
                FaceField("seating_capacity", "容纳人数"),
                FaceField("business_format", "使用性质"),
            ),
            5,
            "XF",
        ),
        LicenceType(
            "tobacco_retail",
            "烟草专卖零售许可证",
            gettext_lazy("Tobacco retail licence"),
            (
                FaceField("enterprise_name", "企业名称（字号）", required=True),
                FaceField("credit_code", "统一社会信用代码"),
                FaceField("legal_representative", "负责人"),
                FaceField("premises_address", "经营场所", required=True),
                FaceField("tobacco_scope", "许可范围", default="卷烟、雪茄烟零售"),
            ),
            5,
            "YC",
        ),
    )
}

# the English of the face labels, for the UI next to the Chinese face
FACE_LABELS: Final[dict[str, Promise]] = {
    "统一社会信用代码": gettext_lazy("Unified social credit code"),
    "社会信用代码": gettext_lazy("Unified social credit code"),
    "名称": gettext_lazy("Name"),
    "类型": gettext_lazy("Type"),
    "法定代表人": gettext_lazy("Legal representative"),
    "法定代表人（负责人）": gettext_lazy("Legal representative (person in charge)"),
    "负责人": gettext_lazy("Person in charge"),
    "注册资本": gettext_lazy("Registered capital"),
    "成立日期": gettext_lazy("Established on"),
    "住所": gettext_lazy("Registered address"),
    "经营范围": gettext_lazy("Business scope"),
    "经营者名称": gettext_lazy("Operator"),
    "经营场所": gettext_lazy("Premises"),
    "主体业态": gettext_lazy("Business format"),
    "经营项目": gettext_lazy("Business items"),
    "申请人": gettext_lazy("Applicant"),
    "设置地点": gettext_lazy("Location"),
    "招牌内容": gettext_lazy("Signboard text"),
    "招牌规格": gettext_lazy("Signboard size"),
    "单位名称": gettext_lazy("Organisation"),
    "场所地址": gettext_lazy("Address of the premises"),
    "使用面积（平方米）": gettext_lazy("Floor area (m²)"),
    "容纳人数": gettext_lazy("Capacity (people)"),
    "使用性质": gettext_lazy("Use"),
    "企业名称（字号）": gettext_lazy("Enterprise (trade name)"),
    "许可范围": gettext_lazy("Licensed scope"),
}


# --- Who may do what --------------------------------------------------------------------------


def _refuse(
    by: Any, action: str, code: str, message: str, request: HttpRequest | None, **how: Any
) -> NoReturn:
    refuse(LicenceRefused, action, by, code, message, request, **how)


def _require_seal_user(
    by: Any, department: Department, *, request: HttpRequest | None = None
) -> None:
    """Only staff of ``department`` who handle or manage its services use its seal."""
    perm = "services.manage" if has_perm(by, "services.manage") else "services.handle"
    require_department(by, perm, department.pk, action=ACTION_SEAL_CREATE, request=request)


def _require_licence_reader(
    by: Any, licence: Licence, *, request: HttpRequest | None = None
) -> None:
    """The holder (its enterprise user, or the resident's own account) or staff of the issuing
    department; others are refused (audited)."""
    if licence_is_holder(by, licence) or licence_is_issuer_staff(by, licence):
        return
    audit_refusal(
        action=ACTION_VIEW,
        by=by,
        code="permission",
        request=request,
        target=licence,
        outcome=Outcome.DENIED,
        details={"number": licence.number},
    )
    raise PermissionDenied(f"{ACTION_VIEW}: not the holder nor the issuer")


def _require_verification_budget(request: HttpRequest | None) -> None:
    """Anyone may verify; an anonymous address gets ``VERIFY_RATE`` checks a minute."""
    if request is not None and over_limit(request, scope="licence_verify", rate=VERIFY_RATE):
        _refuse(
            None,
            ACTION_VERIFY,
            "too_many",
            _("Too many verifications from your address; wait a minute and try again."),
            request,
            status=429,
        )


# --- Seals ------------------------------------------------------------------------------------


def _official_name(department: Department) -> str:
    """The department's name as a seal carries it: a city department's short name (市市场监管局)
    gets the city's name in front (衢州市市场监管局)."""
    name = department.name
    city = str(getattr(department.division, "name", "") or "")
    if name.startswith("市") and city.endswith("市"):
        return f"{city[:-1]}{name}"
    return name


def _new_seal(department: Department) -> SealKey:
    pair = SM2KeyPair.generate()
    return SealKey.objects.create(
        department=department,
        name=seal_name(_official_name(department)),
        public_key_hex=pair.public_key_hex,
        private_key_hex=pair.private_key_hex,
        active=True,
    )


def seal_for(*, department: Department, by: Any, request: HttpRequest | None = None) -> SealKey:
    """The department's active seal, made (and audited) on first need."""
    _require_seal_user(by, department, request=request)
    return _active_seal(department, by=by, request=request)


def _active_seal(department: Department, *, by: Any, request: HttpRequest | None) -> SealKey:
    seal = SealKey.objects.filter(department=department, active=True).first()
    if seal is not None:
        return seal
    try:
        with transaction.atomic():
            seal = _new_seal(department)
    except IntegrityError:  # made at the same moment by another request
        return SealKey.objects.get(department=department, active=True)
    audit_record(
        action=ACTION_SEAL_CREATE,
        actor=by,
        target=seal,
        request=request,
        details={"department": department.code, "public_key": seal.public_key_hex[:16]},
    )
    return seal


def seal_rotate(*, department: Department, by: Any, request: HttpRequest | None = None) -> SealKey:
    """A new active seal for ``department``; the old one is kept (inactive) to verify the
    licences it signed. Stewards (``services.manage``) of the department only."""
    require_department(
        by, "services.manage", department.pk, action=ACTION_SEAL_ROTATE, request=request
    )
    with transaction.atomic():
        old = list(SealKey.objects.select_for_update().filter(department=department, active=True))
        for seal in old:
            seal.active = False
            seal.save(update_fields=["active"])
        seal = _new_seal(department)
        audit_record(
            action=ACTION_SEAL_ROTATE,
            actor=by,
            target=seal,
            request=request,
            details={
                "department": department.code,
                "retired": [s.pk for s in old],
                "public_key": seal.public_key_hex[:16],
            },
        )
    return seal


# --- Issuance ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


def _face(kind: LicenceType, facts: Mapping[str, Any], holder_name: str) -> list[list[str]]:
    face = []
    for line in kind.face:
        value = _text(facts.get(line.fact)) or line.default
        if not value and line.fact == "enterprise_name":
            value = holder_name
        if line.required and not value:
            raise LookupError(line.fact)
        if value:
            face.append([line.label, value])
    return face


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _next_number(kind: LicenceType, issuer: Department, issued_on: dt.date, holder: str) -> str:
    """The licence number of the type's format (证照编号)."""
    county = str(issuer.division_id)[:6]
    if kind.code == "business_licence":
        stem = holder  # 营业执照: the number is the unified social credit code
        if not Licence.objects.filter(number=stem).exists():
            return stem
        prefix, width = f"{stem}-", 2  # a new issue for the same enterprise
    elif kind.code == "food_operation":
        prefix, width = f"{kind.prefix}{county}", 7  # JY + county + serial
    else:
        prefix, width = f"{kind.prefix}{county}{issued_on.year}", 5
    serial = Licence.objects.filter(number__startswith=prefix).count() + 1
    while Licence.objects.filter(number=f"{prefix}{serial:0{width}d}").exists():
        serial += 1
    return f"{prefix}{serial:0{width}d}"


def _issue(
    *,
    kind: LicenceType,
    issuer: Department,
    facts: Mapping[str, Any],
    holder_name: str,
    holder_credit_code: str,
    holder_resident: Resident | None,
    by: Any,
    issued_on: dt.date | None,
    valid_years: int | None,
    part: ApplicationPart | None,
    request: HttpRequest | None,
) -> Licence:
    holder_name = holder_name.strip()[:120]
    if not holder_name or not (holder_credit_code or holder_resident is not None):
        _refuse(
            by,
            ACTION_ISSUE,
            "no_holder",
            _("The licence has no holder: an enterprise or a resident is needed."),
            request,
            field="holder",
        )
    facts = {**facts, "credit_code": holder_credit_code or facts.get("credit_code", "")}
    try:
        face = _face(kind, facts, holder_name)
    except LookupError as missing:
        _refuse(
            by,
            ACTION_ISSUE,
            "missing_fact",
            _("The licence cannot be issued: “%(fact)s” is missing.") % {"fact": missing.args[0]},
            request,
            field=str(missing.args[0]),
            licence_type=kind.code,
        )
    issued_on = issued_on or timezone.localdate()
    years = valid_years or kind.valid_years
    valid_until = _add_years(issued_on, years) - dt.timedelta(days=1)
    with transaction.atomic():
        # the seal row is the department's issuing lock: numbers are drawn one at a time
        seal = SealKey.objects.select_for_update().get(
            pk=_active_seal(issuer, by=by, request=request).pk
        )
        licence = Licence(
            number=_next_number(kind, issuer, issued_on, holder_credit_code),
            licence_type=kind.code,
            title=kind.title,
            holder_name=holder_name,
            holder_credit_code=holder_credit_code,
            holder_resident=holder_resident,
            fields=face,
            issuer=issuer,
            issued_on=issued_on,
            valid_until=valid_until,
            seal=seal,
            part=part,
            issued_by=by if getattr(by, "is_authenticated", False) else None,
        )
        licence.signature_hex = seal_sign(
            private_key_hex=seal.private_key_hex, payload=licence_payload(licence)
        )
        licence.save()
        audit_record(
            action=ACTION_ISSUE,
            actor=by,
            target=licence,
            request=request,
            details={
                "number": licence.number,
                "licence_type": kind.code,
                "issuer": issuer.code,
                "seal": seal.pk,
                "part": part.pk if part is not None else None,
            },
        )
    return licence


def licence_issue_for_part(
    *, part: ApplicationPart, by: Any, request: HttpRequest | None = None
) -> Licence:
    """Issue the licence of a granted application part (called in the decision's transaction):
    the face from the application's facts, the holder the enterprise applied for (its name from
    the ``enterprise_name`` fact) or the applicant resident. Returns the part's licence when it
    already has one."""
    require_department(
        by, "services.handle", part.department_id, action=ACTION_ISSUE, request=request
    )
    existing = Licence.objects.filter(part=part).first()
    if existing is not None:
        return existing
    item = part.item
    kind = LICENCE_TYPES.get(item.licence_type)
    if kind is None:
        _refuse(
            by,
            ACTION_ISSUE,
            "unknown_type",
            _("This service item issues no known licence type."),
            request,
            licence_type=item.licence_type[:40],
        )
    application = part.application
    facts = dict(application.facts or {})
    resident = None
    if application.credit_code:
        holder_name = _text(facts.get("enterprise_name")) or application.credit_code
    else:
        resident = Resident.objects.filter(account_id=application.applicant_id).first()
        holder_name = _text(facts.get("applicant_name")) or (resident.name if resident else "")
    return _issue(
        kind=kind,
        issuer=part.department,
        facts=facts,
        holder_name=holder_name,
        holder_credit_code=application.credit_code,
        holder_resident=resident,
        by=by,
        issued_on=None,
        valid_years=item.licence_valid_years or None,
        part=part,
        request=request,
    )


def licence_issue(
    *,
    licence_type: str,
    issuer: Department,
    facts: Mapping[str, Any],
    by: Any,
    holder_name: str,
    holder_credit_code: str = "",
    holder_resident: Resident | None = None,
    issued_on: dt.date | None = None,
    valid_years: int | None = None,
    request: HttpRequest | None = None,
) -> Licence:
    """Issue a licence directly (without an application): ``services.handle`` in ``issuer``."""
    require_department(by, "services.handle", issuer.pk, action=ACTION_ISSUE, request=request)
    kind = LICENCE_TYPES.get(licence_type)
    if kind is None:
        _refuse(
            by,
            ACTION_ISSUE,
            "unknown_type",
            _("There is no licence type “%(type)s”.") % {"type": str(licence_type)[:40]},
            request,
            field="licence_type",
        )
    return _issue(
        kind=kind,
        issuer=issuer,
        facts=facts,
        holder_name=holder_name,
        holder_credit_code=holder_credit_code,
        holder_resident=holder_resident,
        by=by,
        issued_on=issued_on,
        valid_years=valid_years,
        part=None,
        request=request,
    )


def licence_revoke(
    *, licence: Licence, by: Any, reason: str, request: HttpRequest | None = None
) -> Licence:
    """Revoke (注销/吊销) a licence: the issuing department only, with a reason."""
    require_department(
        by, "services.handle", licence.issuer_id, action=ACTION_REVOKE, request=request
    )
    reason = (reason or "").strip()
    if not reason:
        _refuse(
            by,
            ACTION_REVOKE,
            "reason_required",
            _("Give the reason for the revocation."),
            request,
            field="reason",
            target=licence,
        )
    if len(reason) > MAX_REASON:
        _refuse(
            by,
            ACTION_REVOKE,
            "reason_too_long",
            _("The reason may have at most %(max)d characters.") % {"max": MAX_REASON},
            request,
            field="reason",
            target=licence,
        )
    with transaction.atomic():
        locked = Licence.objects.select_for_update().get(pk=licence.pk)
        if locked.status == Licence.Status.REVOKED:
            already = True
        else:
            already = False
            locked.status = Licence.Status.REVOKED
            locked.revoked_at = timezone.now()
            locked.revoked_reason = reason
            locked.save(update_fields=["status", "revoked_at", "revoked_reason"])
            audit_record(
                action=ACTION_REVOKE,
                actor=by,
                target=locked,
                request=request,
                details={"number": locked.number, "reason": reason},
            )
    if already:
        _refuse(
            by,
            ACTION_REVOKE,
            "already_revoked",
            _("This licence has already been revoked."),
            request,
            target=licence,
        )
    return locked


# --- Reading a licence ------------------------------------------------------------------------


def licence_get(*, number: str, by: Any, request: HttpRequest | None = None) -> Licence:
    """The licence of ``number`` for its holder or the issuing department's staff (audited).
    ``LicenceRefused`` (404) when there is none; ``PermissionDenied`` (audited) for others."""
    if not getattr(by, "is_authenticated", False):
        require_department(by, "services.handle", None, action=ACTION_VIEW, request=request)
    licence = licence_by_number(number)
    if licence is None:
        _refuse(
            by,
            ACTION_VIEW,
            "not_found",
            _("There is no licence with this number."),
            request,
            status=404,
            number=str(number)[:MAX_NUMBER],
        )
    _require_licence_reader(by, licence, request=request)
    audit_record(
        action=ACTION_VIEW, actor=by, target=licence, request=request, details={"number": number}
    )
    return licence


# --- Verification (核验) ----------------------------------------------------------------------

REASONS: Final[dict[str, Promise]] = {
    "unknown_number": gettext_lazy("No licence with this number is in the registry."),
    "bad_signature": gettext_lazy(
        "The signature does not match the licence data under the issuer's seal."
    ),
    "altered": gettext_lazy("The licence data differ from the registry's record."),
    "revoked": gettext_lazy("The licence has been revoked."),
    "expired": gettext_lazy("The licence has expired."),
}


@dataclass(frozen=True)
class Verification:  # 核验结果
    number: str
    authentic: bool  # the seal signed exactly the registry's payload
    status: str  # valid, revoked, expired, or unknown (no such number)
    reasons: tuple[str, ...]  # codes of REASONS
    licence: Licence | None  # the registry's record, only when authentic
    altered: tuple[str, ...] = ()  # the payload keys that differ from the registry

    @property
    def messages(self) -> list[str]:
        return [str(REASONS[code]) for code in self.reasons]

    def as_dict(self) -> dict[str, Any]:
        licence = self.licence
        return {
            "authentic": self.authentic,
            "status": self.status,
            "number": self.number,
            "holder_name": licence.holder_name if licence else None,
            "title": licence.title if licence else None,
            "issuer": licence.issuer.name if licence else None,
            "valid_until": licence.valid_until.isoformat() if licence else None,
            "reasons": self.messages,
            "reason_codes": list(self.reasons),
        }


def _malformed(message: str, request: HttpRequest | None, field: str) -> NoReturn:
    _refuse(None, ACTION_VERIFY, "malformed", message, request, field=field, status=422)


def licence_verify(
    *,
    payload: Mapping[str, Any] | None = None,
    number: str | None = None,
    signature_hex: str | None = None,
    request: HttpRequest | None = None,
) -> Verification:
    """Check a licence: by its number and signature (the QR code), or by its full payload and
    signature (the downloaded verification data). ``LicenceRefused`` (422) for malformed input;
    a failed check is a :class:`Verification` with ``authentic`` False (and audited)."""
    _require_verification_budget(request)
    signature = (signature_hex or "").strip().lower() if isinstance(signature_hex, str) else ""
    if len(signature) != 128 or any(c not in "0123456789abcdef" for c in signature):
        _malformed(
            _("The signature must be 128 hexadecimal characters (as printed on the licence)."),
            request,
            "signature",
        )
    given: dict[str, Any] | None = None
    if payload is not None:
        try:
            given = normalise_payload(payload)
        except MalformedPayload as exc:
            _malformed(
                _("The licence data are not a licence payload (%(problem)s).")
                % {"problem": str(exc)},
                request,
                "licence",
            )
        if number and number.strip() != given["number"]:
            _malformed(_("The number does not match the licence data."), request, "number")
        number = given["number"]
    number = (number or "").strip() if isinstance(number, str) else ""
    if not number or len(number) > MAX_NUMBER:
        _malformed(
            _("Give the licence number (at most %(max)d characters) or the licence data.")
            % {"max": MAX_NUMBER},
            request,
            "number",
        )
    licence = licence_by_number(number)
    if licence is None:
        result = Verification(number, False, "unknown", ("unknown_number",), None)
    else:
        registry = licence_payload(licence)
        checked = given if given is not None else registry
        altered = tuple(sorted(k for k in registry if checked.get(k) != registry[k]))
        signed = seal_verify(
            public_key_hex=licence.seal.public_key_hex, payload=checked, signature_hex=signature
        )
        status = licence_status(licence)
        reasons = [
            *(["bad_signature"] if not signed else []),
            *(["altered"] if altered else []),
            *([status] if status in ("revoked", "expired") else []),
        ]
        authentic = signed and not altered
        result = Verification(
            number, authentic, status, tuple(reasons), licence if authentic else None, altered
        )
    _audit_verification(result, request, mode="payload" if given is not None else "number")
    return result


def _audit_verification(result: Verification, request: HttpRequest | None, *, mode: str) -> None:
    if not result.authentic:
        audit_record(
            action=ACTION_FORGERY,
            outcome=Outcome.FAILURE,
            target=("services.licence", result.number[:MAX_NUMBER]),
            request=request,
            details={
                "number": result.number[:MAX_NUMBER],
                "reasons": list(result.reasons),
                "altered": list(result.altered),
                "mode": mode,
            },
        )
        return
    key = f"services:licence_verify:{result.number}:{client_ip(request)}"
    if cache.add(key, 1, timeout=VERIFY_AUDIT_SECONDS):  # once per number, address and hour
        audit_record(
            action=ACTION_VERIFY,
            target=result.licence,
            request=request,
            details={"number": result.number, "status": result.status, "mode": mode},
        )


def seal_list(*, by: Any, request: HttpRequest | None = None) -> list[SealKey]:
    """The seals of the steward's own department, the active one first (``services.manage``)."""
    require_department(
        by,
        "services.manage",
        getattr(by, "department_id", None),
        action=ACTION_SEAL_ROTATE,
        request=request,
    )
    return list(seals_of(by.department_id))
