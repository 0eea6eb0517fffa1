"""Online applications (网上申办) for a service item or a 一件事 bundle, and their handling.

* **The form** (:func:`application_form`): the union of the facts and materials of the item(s),
  each once (a bundle's items share ``premises_address`` and the like). What the platform already
  holds is filled in and not asked again (一人一档 / 一企一档): an enterprise user's own registration
  from the current version of the warehouse dataset ``enterprise_registry`` (its own data; the
  read is audited as ``services.profile_reuse``), a resident's record linked to the account
  (``Resident.account``), and valid e-licences the applicant holds. The form says how many
  facts and materials were saved that way.
* **Submission** (:func:`application_submit`): the applicant must hold ``services.apply``, fit
  the item's audience (citizen / enterprise) and meet its preconditions (前置条件:
  ``enterprise_registered``, ``holds_licence:<type>``, ``no_valid_licence:<type>``). Every
  required fact is type-checked and every required material is checked by its *content*
  (``files.check_upload``: PDF/PNG/JPEG, ≤ 10 MB, the name may not claim another kind). Any
  error refuses the whole application (audited) before anything is written; otherwise one
  transaction creates the application (number ``SQ<yyyymmdd><serial>``), a part per item routed
  to the item's department, and a loop task per part (type ``services.application``) with the
  item's promised time limit (承诺时限) in working days. Parts run in parallel.

  Routing: a part goes to the department the catalogue names for the item (``item.department``).
  A county's own items name the county's department; the demo's catalogue is the city's, so its
  parts go to the city departments. (Routing city items to a county department by the
  enterprise's county is not done: the catalogue entry is the commitment of one department.)
* **Decision** (:func:`part_decide`): a ``services.handle`` holder of the part's department
  grants or refuses (a refusal needs an opinion); the part's loop task is accepted and submitted
  with the opinion; a granted part whose item issues an e-licence gets it
  (``licences.licence_issue_for_part``). When every part is decided the application is GRANTED,
  PARTLY_GRANTED or REFUSED and the applicant is notified.
* **Withdrawal** (:func:`application_withdraw`): the applicant, while no part is decided; the
  parts' loop tasks are cancelled.

Every public function checks the caller first (``require_…``), audits success and refusal, and
changes nothing when it refuses.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final, NoReturn

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.platform.accounts.models import Division, User
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.loop import services as loop_services
from shuzhi.platform.loop.models import OPEN_STATES, Task
from shuzhi.platform.loop.models import State as TaskState
from shuzhi.platform.loop.registry import TaskType
from shuzhi.platform.notify.send import notify
from shuzhi.platform.security.masking import SemanticType, mask
from shuzhi.platform.warehouse.query import RowQuery
from shuzhi.platform.warehouse.selectors import read_rows

from ..files import FileProblem, check_upload
from ..models import (
    Application,
    ApplicationMaterial,
    ApplicationPart,
    Bundle,
    FormFact,
    Licence,
    MaterialKind,
    Resident,
    ServiceItem,
)
from ..models.catalogue import Audience
from ..permissions import enterprise_code, require_audited, require_department
from ..refusals import ServicesRefused, audit_refusal, refuse
from ..selectors.applications import may_view
from ..selectors.catalogue import Need, Needs, bundle_entries, needs_for

# audit action code → label; registered by apps.py
ACTIONS: dict[str, Any] = {
    "services.application_submit": gettext_lazy("Service application submitted"),
    "services.application_view": gettext_lazy("Service application viewed"),
    "services.application_withdraw": gettext_lazy("Service application withdrawn"),
    "services.profile_reuse": gettext_lazy("Own registration reused for an application"),
    "services.material_open": gettext_lazy("Application material opened"),
    "services.part_decide": gettext_lazy("Application part decided"),
}
TASK_TYPE: Final = "services.application"
# loop task types this module opens; registered by apps.py
TASK_TYPES: list[Any] = [
    TaskType(TASK_TYPE, gettext_lazy("Service application"), category="services", deadline_days=20)
]

REGISTRY: Final = "enterprise_registry"
# FormFact.source "enterprise.<key>" → column of the registry dataset
ENTERPRISE_COLUMNS: Final = {
    "name": "enterprise_name",
    "credit_code": "credit_code",
    "enterprise_type": "enterprise_type",
    "legal_representative": "legal_representative",
    "address": "address",
    "county": "county_code",
    "industry_code": "industry_code",
    "registered_capital": "registered_capital",
    "established_on": "established_on",
    "mobile": "mobile",
    "status": "status",
}
# registration states of an enterprise that no longer exists as such (注销 deregistered, 吊销
# licence revoked)
NOT_REGISTERED: Final = frozenset({"注销", "吊销"})
RESIDENT_FIELDS: Final = ("name", "id_number", "mobile", "address", "county")
MAX_TEXT: Final = 500
_TRUE: Final = frozenset({"true", "1", "yes", "on", "是"})
_FALSE: Final = frozenset({"false", "0", "no", "off", "否"})
_NUMBER_PREFIX: Final = "SQ"
_DATE_RE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ApplicationRefused(ServicesRefused):
    """An application, decision or withdrawal refused (audited)."""


def _refuse(
    action: str, by: Any, code: str, message: str, request: HttpRequest | None, **how: Any
) -> NoReturn:
    refuse(ApplicationRefused, action, by, code, message, request, **how)


# --- the applicant's profile (一人一档 / 一企一档) ------------------------------------------------


@dataclass
class Profile:
    """What the platform holds of the applicant: enterprise registration or resident record."""

    kind: str  # "enterprise", "resident" or "" (nothing on file)
    credit_code: str = ""
    enterprise: dict[str, Any] | None = None  # the registry row, when found
    resident: Resident | None = None
    values: dict[str, str] = field(default_factory=dict)  # source ("enterprise.name") → value
    licences: dict[str, Licence] = field(default_factory=dict)  # type → valid licence held


def _is_enterprise_user(user: Any) -> bool:
    return bool(enterprise_code(user)) or "enterprise" in getattr(user, "role_codes", frozenset())


def _registry_row(credit_code: str) -> dict[str, Any] | None:
    dataset = Dataset.objects.filter(code=REGISTRY).first()
    if dataset is None or not credit_code:
        return None
    try:
        result, _version = read_rows(
            dataset,
            RowQuery(filters={"credit_code": [credit_code]}, limit=1),
            raw=list(ENTERPRISE_COLUMNS.values()),
        )
    except LookupError:  # no data loaded yet
        return None
    return dict(result.rows[0]) if result.rows else None


def _valid_licences(*, credit_code: str, resident: Resident | None) -> dict[str, Licence]:
    today = timezone.localdate()
    qs = Licence.objects.filter(status=Licence.Status.VALID, valid_until__gte=today)
    if credit_code:
        qs = qs.filter(holder_credit_code=credit_code)
    elif resident is not None:
        qs = qs.filter(holder_resident=resident)
    else:
        return {}
    found: dict[str, Licence] = {}
    for licence in qs.order_by("issued_on", "pk"):
        found[licence.licence_type] = licence  # the newest of each type
    return found


def _profile(user: Any, *, request: HttpRequest | None) -> Profile:
    """Load what the platform holds of ``user``; the registry read is audited."""
    credit_code = enterprise_code(user)
    if credit_code:
        row = _registry_row(credit_code)
        profile = Profile(kind="enterprise", credit_code=credit_code, enterprise=row)
        if row is not None:
            for key, column in ENTERPRISE_COLUMNS.items():
                value = row.get(column)
                if value not in (None, ""):
                    profile.values[f"enterprise.{key}"] = str(value)
            audit_record(
                action="services.profile_reuse",
                actor=user,
                target=("warehouse.dataset", REGISTRY),
                request=request,
                details={"credit_code": credit_code, "fields": sorted(profile.values)},
            )
        profile.licences = _valid_licences(credit_code=credit_code, resident=None)
        return profile
    resident = Resident.objects.filter(account_id=getattr(user, "pk", None)).first()
    if resident is None:
        return Profile(kind="")
    profile = Profile(kind="resident", resident=resident)
    values = {
        "name": resident.name,
        # never copied raw (the record keeps it encrypted): the form and the facts show it masked
        "id_number": mask(resident.id_number, SemanticType.ID_NUMBER_REGION),
        "mobile": resident.mobile,
        "address": resident.address,
        "county": resident.county_id,
    }
    profile.values = {f"resident.{k}": str(v) for k, v in values.items() if v}
    profile.licences = _valid_licences(credit_code="", resident=resident)
    return profile


def _material_source(kind: MaterialKind, profile: Profile) -> str:
    """What supplies this material from the platform (``""`` when it must be uploaded)."""
    source = kind.source or ""
    if source == "identity" and profile.resident is not None:
        return "identity"
    if source == "registry" and profile.enterprise is not None:
        return f"registry:{profile.credit_code}"
    if source.startswith("licence:"):
        licence = profile.licences.get(source.split(":", 1)[1])
        if licence is not None:
            return f"licence:{licence.number}"
    return ""


# --- the form ----------------------------------------------------------------------------------


@dataclass
class FormPlan:
    """The combined form of an item or bundle for one applicant."""

    items: list[ServiceItem]
    needs: Needs
    profile: Profile
    prefilled: dict[str, str]  # fact code → value on file (not asked)
    asked: list[Need]  # facts the applicant enters
    reused_materials: dict[str, str]  # material code → what supplied it
    uploads: list[Need]  # materials the applicant uploads
    optional_entries: list[Any] = field(default_factory=list)  # a bundle's optional BundleItems
    eligible: bool = True  # the applicant fits the audience (checked again on submission)

    @property
    def saved(self) -> int:
        """How many facts and materials the platform filled in (一人一档/一企一档)."""
        return len(self.prefilled) + len(self.reused_materials)


def _items_for(
    action: str,
    by: Any,
    item: ServiceItem | None,
    bundle: Bundle | None,
    optional_items: Iterable[str],
    request: HttpRequest | None,
) -> tuple[list[ServiceItem], list[Any]]:
    if (item is None) == (bundle is None):
        raise ValueError("give an item or a bundle")
    if item is not None:
        if item.status != ServiceItem.Status.PUBLISHED:
            _refuse(action, by, "retired", _("This service item is no longer offered."), request)
        return [item], []
    assert bundle is not None
    entries = bundle_entries(bundle)
    optional = {e.item.code for e in entries if e.optional}
    chosen = {str(c) for c in optional_items}
    unknown = sorted(chosen - optional)
    if unknown:
        _refuse(
            action,
            by,
            "optional_unknown",
            _("%(code)s is not an optional item of this bundle.") % {"code": unknown[0][:40]},
            request,
            field="optional_items",
        )
    items = [e.item for e in entries if not e.optional or e.item.code in chosen]
    retired = [one for one in items if one.status != ServiceItem.Status.PUBLISHED]
    if retired:  # a bundle offers no item the catalogue no longer offers
        _refuse(
            action,
            by,
            "retired",
            _("%(item)s is no longer offered.") % {"item": retired[0].name},
            request,
            item=retired[0].code,
        )
    return items, [e for e in entries if e.optional]


def _plan(
    by: Any, items: list[ServiceItem], optional_entries: list[Any], profile: Profile
) -> FormPlan:
    needs = needs_for(items)
    prefilled: dict[str, str] = {}
    asked: list[Need] = []
    for need in needs.facts:
        fact = need.obj
        assert isinstance(fact, FormFact)
        # a source may name alternatives: "enterprise.county|resident.county"
        value = next(
            (profile.values[s] for s in (fact.source or "").split("|") if profile.values.get(s)),
            None,
        )
        if value:
            prefilled[need.code] = value
        else:
            asked.append(need)
    reused: dict[str, str] = {}
    uploads: list[Need] = []
    for need in needs.materials:
        kind = need.obj
        assert isinstance(kind, MaterialKind)
        source = _material_source(kind, profile)
        if source:
            reused[need.code] = source
        else:
            uploads.append(need)
    return FormPlan(items, needs, profile, prefilled, asked, reused, uploads, optional_entries)


def application_form(
    *,
    by: User,
    item: ServiceItem | None = None,
    bundle: Bundle | None = None,
    optional_items: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> FormPlan:
    """The form an applicant fills for ``item`` or ``bundle`` (with every optional item shown)."""
    action = "services.application_submit"
    require_audited(by, "services.apply", action=action, request=request)
    items, optional_entries = _items_for(action, by, item, bundle, optional_items, request)
    if bundle is not None:  # the form shows the optional items' needs too (chosen by checkbox)
        items = [e.item for e in bundle_entries(bundle)]
    plan = _plan(by, items, optional_entries, _profile(by, request=request))
    audiences = [i.audience for i in items] + ([bundle.audience] if bundle is not None else [])
    plan.eligible = all(_eligible(by, audience) for audience in audiences)
    return plan


# --- checks --------------------------------------------------------------------------------------


def _eligible(user: Any, audience: str) -> bool:
    enterprise_user = _is_enterprise_user(user)
    if audience == Audience.ENTERPRISE:
        return bool(enterprise_code(user))
    if audience == Audience.CITIZEN:
        return not enterprise_user
    return True


def _check_preconditions(
    action: str, by: Any, item: ServiceItem, profile: Profile, request: HttpRequest | None
) -> None:
    for condition in item.preconditions or []:
        condition = str(condition)
        if condition == "enterprise_registered":
            row = profile.enterprise
            if row is None or str(row.get("status") or "") in NOT_REGISTERED:
                _refuse(
                    action,
                    by,
                    "precondition",
                    _("%(item)s: your enterprise must be registered and not deregistered.")
                    % {"item": item.name},
                    request,
                    condition=condition,
                    item=item.code,
                )
        elif condition.startswith("holds_licence:"):
            kind = condition.split(":", 1)[1]
            if kind not in profile.licences:
                _refuse(
                    action,
                    by,
                    "precondition",
                    _("%(item)s: you need a valid licence of type “%(type)s” first.")
                    % {"item": item.name, "type": kind},
                    request,
                    condition=condition,
                    item=item.code,
                )
        elif condition.startswith("no_valid_licence:"):
            kind = condition.split(":", 1)[1]
            if kind in profile.licences:
                _refuse(
                    action,
                    by,
                    "precondition",
                    _(
                        "%(item)s: you already hold a valid licence of type “%(type)s” "
                        "(number %(number)s)."
                    )
                    % {"item": item.name, "type": kind, "number": profile.licences[kind].number},
                    request,
                    condition=condition,
                    item=item.code,
                )


def _clean_fact(fact: FormFact, raw: Any) -> tuple[Any, str]:
    """``(value, error)``: the typed value of a posted fact, or the message of what is wrong.
    An empty value gives ``(None, "")``."""
    text = "" if raw is None else str(raw).strip()
    if text == "":
        return None, ""
    if fact.kind == FormFact.Kind.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None, _("Enter a number.")
        if not number.is_finite() or number < 0:
            return None, _("Enter a number of zero or more.")
        return (int(number) if number == number.to_integral_value() else float(number)), ""
    if fact.kind == FormFact.Kind.DATE:
        try:
            day = dt.date.fromisoformat(text) if _DATE_RE.match(text) else None
        except ValueError:
            day = None
        if day is None:
            return None, _("Enter a date as YYYY-MM-DD.")
        return day.isoformat(), ""
    if fact.kind == FormFact.Kind.CHOICE:
        allowed = [str(c) for c in fact.choices or []]
        if text not in allowed:
            return None, _("Choose one of the listed options.")
        return text, ""
    if fact.kind == FormFact.Kind.BOOLEAN:
        if text.lower() in _TRUE:
            return True, ""
        if text.lower() in _FALSE:
            return False, ""
        return None, _("Answer yes or no.")
    if len(text) > MAX_TEXT:
        return None, _("At most %(n)d characters.") % {"n": MAX_TEXT}
    return text, ""


_FILE_MESSAGES: Final = {
    "empty": gettext_lazy("The file is empty."),
    "too_large": gettext_lazy("The file is larger than 10 MB."),
    "unknown_kind": gettext_lazy("The file is not a PDF, PNG or JPEG document."),
    "name_mismatch": gettext_lazy(
        "The file's content is not what its name says (it is a %(kind)s file)."
    ),
    "not_accepted": gettext_lazy("This material must be one of: %(accepted)s; this is %(kind)s."),
}


def _file_message(problem: FileProblem, kind: MaterialKind) -> str:
    accepted = ", ".join(str(a).upper() for a in (kind.accepted or ["pdf", "png", "jpeg"]))
    return str(_FILE_MESSAGES[problem.code]) % {
        "kind": problem.kind.upper(),
        "accepted": accepted,
    }


# --- submission --------------------------------------------------------------------------------


def _next_number(now: dt.datetime) -> str:
    prefix = f"{_NUMBER_PREFIX}{timezone.localtime(now):%Y%m%d}"
    last = (
        Application.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{serial:05d}"


def _task_division(item: ServiceItem, profile: Profile) -> Division:
    county = str((profile.enterprise or {}).get("county_code") or "")
    if not county and profile.resident is not None:
        county = str(profile.resident.county_id)
    found = Division.objects.filter(code=county).first() if county else None
    return found or item.department.division


def application_submit(
    *,
    by: User,
    item: ServiceItem | None = None,
    bundle: Bundle | None = None,
    facts: Mapping[str, Any],
    files: Mapping[str, UploadedFile],
    optional_items: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> Application:
    """Submit an application for ``item`` or ``bundle`` (see the module's description)."""
    action = "services.application_submit"
    require_audited(by, "services.apply", action=action, request=request)
    items, _optional = _items_for(action, by, item, bundle, optional_items, request)
    target: dict[str, Any] = (
        {"item": item.code} if item is not None else {"bundle": bundle.code if bundle else ""}
    )
    audiences = [(i.name, i.audience) for i in items]
    if bundle is not None:
        audiences.insert(0, (bundle.name, bundle.audience))
    for name, audience in audiences:
        if not _eligible(by, audience):
            _refuse(
                action,
                by,
                "not_eligible",
                _("%(name)s is for %(audience)s only; you cannot apply for it with this account.")
                % {"name": name, "audience": Audience(audience).label},
                request,
                status=403,
                audience=audience,
                **target,
            )
    profile = _profile(by, request=request)
    for one in items:
        _check_preconditions(action, by, one, profile, request)
    plan = _plan(by, items, [], profile)

    values: dict[str, Any] = {}
    for need in plan.asked:
        fact = need.obj
        assert isinstance(fact, FormFact)
        value, error = _clean_fact(fact, facts.get(need.code))
        if error:
            _refuse(
                action,
                by,
                "fact_invalid",
                f"{fact.label}: {error}",
                request,
                field=need.code,
                **target,
            )
        if value is None:
            if need.required:
                _refuse(
                    action,
                    by,
                    "fact_missing",
                    _("%(label)s is required.") % {"label": fact.label},
                    request,
                    field=need.code,
                    **target,
                )
            continue
        if "resident.id_number" in (fact.source or "").split("|"):
            value = mask(str(value), SemanticType.ID_NUMBER_REGION)  # not kept raw in the facts
        values[need.code] = value
    checked_files = {}
    for need in plan.uploads:
        kind = need.obj
        assert isinstance(kind, MaterialKind)
        upload = files.get(need.code)
        if upload is None:
            if need.required:
                _refuse(
                    action,
                    by,
                    "material_missing",
                    _("Upload the required material “%(name)s”.") % {"name": kind.name},
                    request,
                    field=need.code,
                    **target,
                )
            continue
        try:
            checked_files[need.code] = (kind, upload, check_upload(upload, kind.accepted))
        except FileProblem as problem:
            _refuse(
                action,
                by,
                f"file_{problem.code}",
                f"{kind.name}: {_file_message(problem, kind)}",
                request,
                field=need.code,
                file_kind=problem.kind,
                **target,
            )
    # what the platform filled in wins over anything posted for it (it was not asked)
    values.update(plan.prefilled)
    reused_codes = sorted(plan.prefilled) + sorted(plan.reused_materials)

    saved_paths: list[str] = []
    try:
        with transaction.atomic():
            application = _create(
                by=by,
                item=item,
                bundle=bundle,
                items=items,
                profile=profile,
                values=values,
                reused=reused_codes,
                plan=plan,
                checked_files=checked_files,
                saved_paths=saved_paths,
                request=request,
            )
    except Exception:
        _remove_files(saved_paths)
        raise
    return application


def _remove_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def _create(
    *,
    by: User,
    item: ServiceItem | None,
    bundle: Bundle | None,
    items: list[ServiceItem],
    profile: Profile,
    values: dict[str, Any],
    reused: list[str],
    plan: FormPlan,
    checked_files: dict[str, Any],
    saved_paths: list[str],
    request: HttpRequest | None,
) -> Application:
    now = timezone.now()
    application = None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    number=_next_number(now),
                    applicant=by,
                    credit_code=profile.credit_code,
                    item=item,
                    bundle=bundle,
                    facts=values,
                    reused=reused,
                )
            break
        except IntegrityError:
            continue
    if application is None:
        raise IntegrityError("no free application number")
    for code, source in plan.reused_materials.items():
        kind = next(n.obj for n in plan.needs.materials if n.code == code)
        assert isinstance(kind, MaterialKind)
        ApplicationMaterial.objects.create(application=application, kind=kind, reused_from=source)
    for _code, (kind, upload, checked) in checked_files.items():
        material = ApplicationMaterial(
            application=application,
            kind=kind,
            file_kind=checked.kind,
            size=checked.size,
            sha256=checked.sha256,
            original_name=checked.name,
        )
        suffix = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg"}[checked.kind]
        material.file.save(f"{application.number}-{kind.code}{suffix}", upload, save=False)
        saved_paths.append(material.file.name)
        material.save()
    division = _task_division(items[0], profile)
    latest = None
    for one in items:
        task = loop_services.task_open(
            type_code=TASK_TYPE,
            title=f"{one.name} · {application.number}"[:200],
            description=_("Online application %(number)s for %(item)s.")
            % {"number": application.number, "item": one.name},
            division=division,
            department=one.department,
            # 即办 (0) gets one working day; the loop takes 1 to 365
            deadline_days=min(max(one.time_limit_days, 1), 365),
            reporter=by,
            source="services",
            source_ref=application.number,
            by=None,
        )
        ApplicationPart.objects.create(
            application=application,
            item=one,
            department=one.department,
            task=task,
            due_at=task.deadline,
        )
        latest = task.deadline if latest is None or task.deadline > latest else latest
    application.due_at = latest
    application.save(update_fields=["due_at"])
    audit_record(
        action="services.application_submit",
        actor=by,
        target=application,
        request=request,
        details={
            "number": application.number,
            "items": [i.code for i in items],
            "bundle": bundle.code if bundle else "",
            "reused": reused,
            "uploaded": sorted(checked_files),
        },
    )
    return application


# --- reading one's application ------------------------------------------------------------------


def _require_viewer(by: Any, application: Application, action: str, request: Any) -> None:
    if not may_view(by, application):  # the applicant or a handling department's staff
        audit_refusal(
            action=action,
            by=by,
            code="not_yours",
            request=request,
            target=application,
            outcome=Outcome.DENIED,
            details={"number": application.number},
        )
        raise PermissionDenied(f"{action}: not the applicant nor a handling department")


def application_view(
    *, by: User, application: Application, request: HttpRequest | None = None
) -> Application:
    """Check that ``by`` may see ``application`` (refusals audited); staff reads are audited."""
    action = "services.application_view"
    _require_viewer(by, application, action, request)
    if application.applicant_id != by.pk:
        audit_record(action=action, actor=by, target=application, request=request)
    return application


def material_open(
    *, by: User, material: ApplicationMaterial, request: HttpRequest | None = None
) -> ApplicationMaterial:
    """Open an uploaded material: the same rights as the application; audited."""
    action = "services.material_open"
    _require_viewer(by, material.application, action, request)
    if not material.file:
        _refuse(action, by, "no_file", _("This material was supplied by the platform."), request)
    audit_record(
        action=action,
        actor=by,
        target=material.application,
        request=request,
        details={"kind": material.kind.code, "sha256": material.sha256},
    )
    return material


# --- handling (办理) ---------------------------------------------------------------------------


def _finish_application(application: Application, *, request: HttpRequest | None) -> None:
    parts = list(ApplicationPart.objects.filter(application=application))
    states = {p.state for p in parts}
    if ApplicationPart.State.PENDING in states:
        if application.state == Application.State.SUBMITTED:
            application.state = Application.State.IN_PROGRESS
            application.save(update_fields=["state"])
        return
    granted = sum(1 for p in parts if p.state == ApplicationPart.State.GRANTED)
    if granted == len(parts):
        application.state = Application.State.GRANTED
    elif granted:
        application.state = Application.State.PARTLY_GRANTED
    else:
        application.state = Application.State.REFUSED
    application.completed_at = timezone.now()
    application.save(update_fields=["state", "completed_at"])
    applicant = application.applicant
    state_label = Application.State(application.state).label
    link = reverse("services:application", kwargs={"number": application.number})
    transaction.on_commit(
        lambda: notify(
            recipients=[applicant],
            subject=_("Your application %(number)s is done: %(state)s")
            % {"number": application.number, "state": state_label},
            link=link,
        )
    )


def part_decide(
    *,
    part: ApplicationPart,
    by: User,
    grant: bool,
    opinion: str,
    request: HttpRequest | None = None,
) -> ApplicationPart:
    """Grant or refuse one part (see the module's description)."""
    action = "services.part_decide"
    require_department(by, "services.handle", part.department_id, action=action, request=request)
    opinion = (opinion or "").strip()
    target: dict[str, Any] = {"number": part.application.number, "item": part.item.code}
    if len(opinion) > 4000:
        _refuse(action, by, "opinion_long", _("At most 4000 characters."), request, field="opinion")
    if not grant and not opinion:
        _refuse(
            action,
            by,
            "opinion_missing",
            _("Give the reason for refusing."),
            request,
            field="opinion",
            target=part.application,
            **target,
        )
    try:
        return _decide(part, by=by, grant=grant, opinion=opinion, request=request, target=target)
    except _StateConflict as conflict:
        _refuse(
            action,
            by,
            "already_decided",
            _("This part was already decided (%(state)s).")
            % {"state": ApplicationPart.State(conflict.state).label},
            request,
            target=part.application,
            status=409,
            **target,
        )
    except (ServicesRefused, loop_services.TaskRefused) as blocked:
        # the licence or the loop refused inside the decision's transaction: their own audit
        # entry went with the rollback, so the refusal is audited here, after it
        code = getattr(blocked, "code", "task_refused")
        _refuse(
            action,
            by,
            f"licence_{code}" if isinstance(blocked, ServicesRefused) else "task_refused",
            str(getattr(blocked, "message", "") or blocked),
            request,
            target=part.application,
            status=409,
            **target,
        )


class _StateConflict(Exception):
    """Found inside the transaction; refused (and audited) after it is rolled back."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


def _decide(
    part: ApplicationPart,
    *,
    by: User,
    grant: bool,
    opinion: str,
    request: HttpRequest | None,
    target: dict[str, Any],
) -> ApplicationPart:
    action = "services.part_decide"
    with transaction.atomic():
        # the application first, then the part: the order withdrawal takes (no deadlock)
        application = Application.objects.select_for_update().get(pk=part.application_id)
        locked = ApplicationPart.objects.select_for_update().get(pk=part.pk)
        if locked.state != ApplicationPart.State.PENDING:
            raise _StateConflict(locked.state)
        comment = opinion or _("Granted.")
        task = Task.objects.filter(pk=locked.task_id).first() if locked.task_id else None
        if task is not None and task.state == TaskState.PENDING_ACCEPTANCE:
            task = loop_services.task_accept(task=task, by=by, request=request)
        if task is not None and task.state == TaskState.IN_PROGRESS:
            loop_services.task_submit(task=task, by=by, comment=comment, request=request)
        locked.state = ApplicationPart.State.GRANTED if grant else ApplicationPart.State.REFUSED
        locked.opinion = opinion
        locked.decided_at = timezone.now()
        locked.decided_by = by
        locked.save(update_fields=["state", "opinion", "decided_at", "decided_by"])
        licence_number = ""
        if grant and locked.item.licence_type:
            from .licences import licence_issue_for_part

            licence = licence_issue_for_part(part=locked, by=by, request=request)
            licence_number = getattr(licence, "number", "")
        audit_record(
            action=action,
            actor=by,
            target=application,
            request=request,
            details={**target, "grant": grant, "licence": licence_number},
        )
        _finish_application(application, request=request)
    return locked


def application_withdraw(
    *, by: User, application: Application, request: HttpRequest | None = None
) -> Application:
    """The applicant withdraws, while no part is decided; the parts' loop tasks are cancelled."""
    action = "services.application_withdraw"
    require_audited(by, "services.apply", action=action, request=request)
    if application.applicant_id != by.pk:
        _refuse(
            action,
            by,
            "not_yours",
            _("Only the applicant may withdraw an application."),
            request,
            target=application,
            status=403,
        )
    try:
        return _withdraw(application, by=by, request=request)
    except _StateConflict:
        _refuse(
            action,
            by,
            "not_withdrawable",
            _("An application can be withdrawn only while no part of it is decided."),
            request,
            target=application,
            status=409,
        )


def _withdraw(application: Application, *, by: User, request: HttpRequest | None) -> Application:
    action = "services.application_withdraw"
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        parts = list(ApplicationPart.objects.select_for_update().filter(application=locked))
        if locked.state == Application.State.WITHDRAWN or any(
            p.state != ApplicationPart.State.PENDING for p in parts
        ):
            raise _StateConflict(locked.state)
        now = timezone.now()
        for part in parts:
            part.state = ApplicationPart.State.WITHDRAWN
            part.decided_at = now
            part.save(update_fields=["state", "decided_at"])
            task = Task.objects.filter(pk=part.task_id).first() if part.task_id else None
            if task is not None and task.state in OPEN_STATES:
                loop_services.task_cancel(
                    task=task, comment=_("The applicant withdrew the application."), request=request
                )
        locked.state = Application.State.WITHDRAWN
        locked.completed_at = now
        locked.save(update_fields=["state", "completed_at"])
        audit_record(action=action, actor=by, target=locked, request=request)
    return locked
