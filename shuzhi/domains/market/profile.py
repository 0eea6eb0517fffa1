"""一企一档 (enterprise profile): everything the platform knows of one enterprise, within the
viewer's grants — and the other reads of the life-cycle pages (registry list, notices).

Who may open a profile: holders of ``market.view`` (regulators, stewards, leaders: any
enterprise, as on the credit-class page) and the enterprise's own user (``market.own``, its own
credit code only). Each view is audited (``market.profile_view``), refusals too.

The warehouse sections are read only as the viewer's grants allow, dataset by dataset:
the viewer's department owns the dataset → its rows (L3–L4 fields masked); the viewer holds an
active sharing grant → through ``grant_rows_read`` (the grant's fields and scope, masked,
audited and metered by sharing); the dataset is published and open → its rows (masked);
otherwise the section says there is no grant and links to the sharing request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.catalog.models import Dataset, OpenAttribute, Status
from shuzhi.platform.security.masking import mask
from shuzhi.platform.security.permissions import has_perm
from shuzhi.platform.sharing.models import Grant
from shuzhi.platform.sharing.selectors import requestable
from shuzhi.platform.sharing.services import SharingRefused, grant_rows_read
from shuzhi.platform.warehouse.query import QueryError, RowQuery
from shuzhi.platform.warehouse.selectors import read_rows

from .lenient import violation_name
from .models import (
    Case,
    CreditClass,
    Deregistration,
    Enterprise,
    EnterpriseEvent,
    Inspection,
)
from .permissions import regulator_reach
from .selectors import credit_class_of, credit_run_current

PROFILE_ACTION = "market.profile_view"
SECTION_ROWS = 20
PENDING = (
    Deregistration.State.SUBMITTED,
    Deregistration.State.NOTICE,
    Deregistration.State.OBJECTED,
)

# warehouse sections of the profile: dataset code, the field holding the credit code, title
WAREHOUSE_SECTIONS: tuple[tuple[str, str, Any], ...] = (
    ("administrative_licence", "credit_code", gettext_lazy("Licences")),
    ("administrative_penalty", "credit_code", gettext_lazy("Administrative penalties")),
    ("abnormal_operation_list", "credit_code", gettext_lazy("Abnormal-operation list")),
    ("enterprise_electricity_monthly", "credit_code", gettext_lazy("Energy: electricity use")),
    ("carbon_account_annual", "credit_code", gettext_lazy("Carbon account grade")),
    ("patent", "applicant_credit_code", gettext_lazy("Patents")),
)
# the columns a section shows, in this order, where it shows fewer than the dataset's fields
# (those the viewer may read: a grant may hold fewer); the other sections show every field
SECTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "administrative_licence": (
        "licence_type",
        "licence_number",
        "issued_on",
        "valid_until",
        "status",
    ),
}


# --- Reads of the life-cycle pages --------------------------------------------------------------


def _named(cases: Any) -> list[Case]:
    """The cases, each with ``violation_label``: its violation's name in the active language."""
    found = list(cases)
    for case in found:
        case.violation_label = violation_name(case.violation)
    return found


def registry_list(
    *, reach: str | None, county: str = "", status: str = "", q: str = ""
) -> QuerySet[Enterprise]:
    """Registered enterprises; a county regulator's ``reach`` limits them to its county."""
    qs = Enterprise.objects.select_related("county").order_by("credit_code")
    if reach:
        qs = qs.filter(county_id=reach)
    if county:
        qs = qs.filter(county_id=county)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__istartswith=q.upper()))
    return qs


def enterprise_get(credit_code: str) -> Enterprise | None:
    return (
        Enterprise.objects.select_related("county", "town").filter(credit_code=credit_code).first()
    )


def events_of(enterprise: Enterprise) -> QuerySet[EnterpriseEvent]:
    return EnterpriseEvent.objects.filter(enterprise=enterprise).select_related("recorded_by")


def deregistrations_of(enterprise: Enterprise) -> QuerySet[Deregistration]:
    return enterprise.deregistrations.prefetch_related("objections").select_related(
        "applied_by", "decided_by"
    )


def pending_deregistration(enterprise: Enterprise) -> Deregistration | None:
    return enterprise.deregistrations.filter(state__in=PENDING).first()


def notices_on_notice() -> QuerySet[Deregistration]:
    """Simplified deregistrations whose public notice runs today (公示中)."""
    today = timezone.localdate()
    return (
        Deregistration.objects.filter(
            procedure=Deregistration.Procedure.SIMPLIFIED,
            state__in=PENDING,
            notice_from__lte=today,
            notice_until__gte=today,
        )
        .select_related("enterprise")
        .order_by("notice_until", "pk")
    )


def masked_representative(enterprise: Enterprise) -> str:
    return mask(enterprise.legal_representative or "", "person_name") or ""


# --- The profile --------------------------------------------------------------------------------


@dataclass
class Section:
    """One warehouse section: ``state`` is rows / no_grant / no_data / missing / error."""

    code: str
    title: str
    state: str
    via: str = ""  # owner / grant / open
    columns: list[tuple[str, str]] = field(default_factory=list)  # (name, label)
    rows: list[list[Any]] = field(default_factory=list)
    total: int | None = None
    message: str = ""
    request_url_code: str = ""  # dataset code to request through sharing, when requestable
    dataset_name: str = ""


@dataclass
class Profile:
    credit_code: str
    enterprise: Enterprise | None
    representative: str
    events: list[EnterpriseEvent]
    deregistrations: list[Deregistration]
    credit: CreditClass | None
    inspections: list[Inspection]
    cases: list[Case]
    sections: list[Section]
    own: bool


def _deny(by: Any, credit_code: str, request: HttpRequest | None, code: str) -> None:
    audit_record(
        action=PROFILE_ACTION,
        actor=by if getattr(by, "is_authenticated", False) else None,
        outcome=Outcome.DENIED,
        request=request,
        details={"code": code, "credit_code": credit_code[:40]},
    )
    raise PermissionDenied(code)


def require_profile_viewer(by: Any, credit_code: str, *, request: HttpRequest | None) -> bool:
    """market.view staff see any enterprise; an enterprise user only its own. Returns True for
    the enterprise's own user. Refusals audited."""
    if has_perm(by, "market.view"):
        return False
    own = str(getattr(by, "credit_code", "") or "")
    if has_perm(by, "market.own") and own and own == credit_code:
        return True
    _deny(by, credit_code, request, "not_viewer")
    return False


def _labels(dataset: Dataset) -> dict[str, str]:
    english = not (get_language() or "").startswith("zh")
    return {f.name: ((f.label_en or f.label) if english else f.label) for f in dataset.fields.all()}


def _section(
    by: Any, credit_code: str, code: str, key: str, title: Any, request: HttpRequest | None
) -> Section:
    section = Section(code=code, title=str(title), state="missing")
    dataset = Dataset.objects.select_related("owner").filter(code=code).first()
    if dataset is None:
        section.message = _("This dataset is not on the platform.")
        return section
    section.dataset_name = dataset.name
    query = RowQuery(filters={key: [credit_code]}, limit=SECTION_ROWS)
    department_id = getattr(by, "department_id", None)
    now = timezone.now()
    grant = (
        Grant.objects.select_related("dataset")
        .filter(grantee_id=getattr(by, "pk", None), dataset=dataset, revoked_at__isnull=True)
        .filter(starts_at__lte=now, expires_at__gt=now)
        .order_by("-expires_at")
        .first()
        if getattr(by, "is_authenticated", False)
        else None
    )
    try:
        if department_id is not None and department_id == dataset.owner_id:
            section.via = "owner"
            result, _version = read_rows(dataset, query)
        elif grant is not None:
            section.via = "grant"
            result = grant_rows_read(grant=grant, query=query, by=by, request=request)
        elif dataset.status == Status.PUBLISHED and dataset.open_attribute == OpenAttribute.OPEN:
            section.via = "open"
            result, _version = read_rows(dataset, query)
        else:
            section.state = "no_grant"
            section.message = _("You hold no grant to this dataset.")
            if requestable(dataset) and has_perm(by, "sharing.request"):
                section.request_url_code = dataset.code
            return section
    except LookupError:
        section.state = "no_data"
        section.message = _("The dataset has no data loaded yet.")
        return section
    except SharingRefused as refusal:
        section.state = "error"
        section.message = str(refusal.message)
        return section
    except (QueryError, PermissionDenied) as exc:
        section.state = "error"
        section.message = _("This dataset cannot be read here: %(reason)s") % {
            "reason": str(exc)[:200]
        }
        return section
    labels = _labels(dataset)
    shown = [name for name in SECTION_COLUMNS.get(code, ()) if name in result.columns]
    columns = shown or result.columns
    section.state = "rows"
    section.columns = [(name, labels.get(name, name)) for name in columns]
    section.rows = [[row.get(name) for name in columns] for row in result.rows]
    section.total = result.total
    return section


def profile_read(*, by: Any, credit_code: str, request: HttpRequest | None = None) -> Profile:
    """The profile of ``credit_code`` (already checked by ``check_credit_code``) for ``by``."""
    own = require_profile_viewer(by, credit_code, request=request)
    enterprise = enterprise_get(credit_code)
    run = credit_run_current()
    credit = credit_class_of(run, credit_code) if run is not None else None
    sections = [
        _section(by, credit_code, code, key, title, request)
        for code, key, title in WAREHOUSE_SECTIONS
    ]
    profile = Profile(
        credit_code=credit_code,
        enterprise=enterprise,
        representative=masked_representative(enterprise) if enterprise else "",
        events=list(events_of(enterprise)[:100]) if enterprise else [],
        deregistrations=list(deregistrations_of(enterprise)) if enterprise else [],
        credit=credit,
        inspections=list(
            Inspection.objects.filter(credit_code=credit_code)
            .select_related("plan")
            .order_by("-plan__created_at", "-pk")[:50]
        ),
        cases=_named(Case.objects.filter(credit_code=credit_code).order_by("-opened_at")[:50]),
        sections=sections,
        own=own,
    )
    audit_record(
        action=PROFILE_ACTION,
        actor=by,
        target=enterprise,
        request=request,
        details={
            "credit_code": credit_code,
            "own": own,
            "sections": {s.code: s.via or s.state for s in sections},
        },
    )
    return profile


def viewer_reach(by: Any) -> str | None:
    """The registry a viewer may list: "" all, a county code, None none (not a viewer)."""
    reach = regulator_reach(by)
    if reach is not None:
        return reach
    return "" if has_perm(by, "market.view") else None
