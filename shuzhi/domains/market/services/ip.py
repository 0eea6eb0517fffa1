"""Intellectual property and product quality (知识产权 · 质量).

Reads, from the current versions of three open (L1) datasets of the warehouse, what the city
knows of an enterprise's intellectual property and the quality of its products:

* ``patent`` (专利信息): patents the enterprise applied for (``applicant_credit_code``);
* ``trademark`` (商标注册信息): its registered trademarks (``credit_code``);
* ``product_quality_inspection`` (产品质量监督抽查结果): spot checks of its products.

A regulator (``market.view``) reads any enterprise's; an enterprise user (``market.own``) reads
its own only. The quality overview (质量概况) gives the pass rate (合格率) of the spot checks by
county and by industry section (GB/T 4754 门类, from the registry's current version).

An infringement complaint (侵权投诉) is lodged by anyone who may report a problem
(``loop.report``: enterprises, residents, staff) against a registered enterprise, the
respondent (被投诉人). It opens a loop task of type ``market_ip`` by the system, routed to the
respondent's county market department, with ``source_ref`` ``market:ip:<complaint id>``. The
complainant follows the task's state on their list; regulators see the complaints of the
counties they regulate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, NoReturn

import ibis
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.platform.accounts.models import Department, Division
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.catalog.models import Dataset, Status
from shuzhi.platform.loop import services as loop_services
from shuzhi.platform.loop.registry import TaskType
from shuzhi.platform.security.identifiers import check_credit_code
from shuzhi.platform.security.permissions import has_perm
from shuzhi.platform.warehouse import engine
from shuzhi.platform.warehouse.connection import open_warehouse
from shuzhi.platform.warehouse.query import MAX_LIMIT, QueryError, RowQuery
from shuzhi.platform.warehouse.selectors import current_version, read_rows

from ..models import Enterprise, InfringementComplaint
from ..permissions import (
    county_market_department,
    regulator_reach,
    require_audited,
    require_own_enterprise,
    require_regulator,
    require_viewer,
)
from ..refusals import MarketRefused, audit_refusal
from ..selectors import SECTION_NAMES

ACTION_VIEW: Final = "market.ip_view"
ACTION_QUALITY: Final = "market.quality_view"
ACTION_LODGE: Final = "market.complaint_lodge"
ACTION_COMPLAINTS: Final = "market.complaint_view"
TASK_TYPE: Final = "market_ip"  # 知识产权侵权投诉
TASK_CATEGORY: Final = "market"

# audit action code → label; registered by apps.py
ACTIONS: dict[str, Any] = {
    ACTION_VIEW: gettext_lazy("Enterprise patents, trademarks and quality checks viewed"),
    ACTION_QUALITY: gettext_lazy("Product quality overview viewed"),
    ACTION_LODGE: gettext_lazy("Infringement complaint lodged"),
    ACTION_COMPLAINTS: gettext_lazy("Infringement complaints viewed"),
}
# loop task types (shuzhi.platform.loop.registry.TaskType) this module opens; registered by apps.py
TASK_TYPES: list[Any] = [
    TaskType(
        TASK_TYPE,
        gettext_lazy("Intellectual-property infringement complaint"),
        category=TASK_CATEGORY,
        deadline_days=15,
    )
]

PATENT: Final = "patent"
TRADEMARK: Final = "trademark"
QUALITY: Final = "product_quality_inspection"
REGISTRY: Final = "enterprise_registry"
PASSED: Final = "合格"  # the spot check's conclusion; anything else (不合格) failed
# dataset → (the field holding the enterprise's credit code, the newest-first sort)
_SOURCES: Final[dict[str, tuple[str, str]]] = {
    PATENT: ("applicant_credit_code", "application_date"),
    TRADEMARK: ("credit_code", "registered_on"),
    QUALITY: ("credit_code", "sampled_on"),
}
_NAME_FIELDS: Final = ("applicant_name", "enterprise_name")
MAX_NUMBER: Final = 64
MAX_NAME: Final = 200
MAX_DESCRIPTION: Final = 5000
RECENT_FAILURES: Final = 20


class IpRefused(MarketRefused):
    """Bad input of a complaint or a refused read; ``field`` names the culprit."""


def _refuse(
    by: Any,
    action: str,
    code: str,
    message: str,
    request: HttpRequest | None,
    *,
    field: str = "",
    **details: Any,
) -> NoReturn:
    audit_refusal(
        action=action,
        by=by,
        code=code,
        request=request,
        details={**({"field": field} if field else {}), **details},
    )
    raise IpRefused(code, message, field=field)


# --- Who may do what --------------------------------------------------------------------------


def require_ip_reader(
    by: Any, credit_code: str, *, action: str = ACTION_VIEW, request: HttpRequest | None = None
) -> None:
    """Raise ``PermissionDenied`` (audited) unless ``by`` may read ``credit_code``'s patents,
    trademarks and quality checks: a regulator (``market.view``), or its own enterprise user."""
    if has_perm(by, "market.view"):
        return
    if has_perm(by, "market.own"):
        require_own_enterprise(by, credit_code, action=action, request=request)
        return
    require_viewer(by, action=action, request=request)


def require_complainant(by: Any, *, request: HttpRequest | None = None) -> None:
    """Raise ``PermissionDenied`` (audited) unless ``by`` may lodge a complaint (loop.report)."""
    require_audited(by, "loop.report", action=ACTION_LODGE, request=request)


# --- Reads: an enterprise's IP and quality ---------------------------------------------------


@dataclass(frozen=True)
class Holdings:
    """Rows of one dataset for one enterprise (newest first); ``version`` None: no data yet."""

    rows: list[dict[str, Any]]
    total: int
    version: int | None


@dataclass(frozen=True)
class EnterpriseIp:  # 一企一档 · 知识产权与质量
    credit_code: str
    name: str
    county_code: str
    registered: bool  # in the platform's enterprise registry
    patents: Holdings
    trademarks: Holdings
    inspections: Holdings

    @property
    def failed(self) -> int:
        return sum(1 for row in self.inspections.rows if row.get("result") != PASSED)

    @property
    def valid_patents(self) -> int:
        return sum(1 for row in self.patents.rows if row.get("legal_status") == "有效")


def _published(code: str) -> Dataset | None:
    return Dataset.objects.filter(code=code, status=Status.PUBLISHED).first()


def _holdings(code: str, credit_code: str) -> Holdings:
    dataset = _published(code)
    if dataset is None:
        return Holdings([], 0, None)
    field, newest = _SOURCES[code]
    query = RowQuery(filters={field: [credit_code]}, sort=[(newest, True)], limit=MAX_LIMIT)
    try:
        result, version = read_rows(dataset, query)
    except LookupError:  # published, nothing loaded yet
        return Holdings([], 0, None)
    except QueryError:  # the catalogue's fields no longer match what this module reads
        return Holdings([], 0, None)
    return Holdings(result.rows, int(result.total or 0), int(version.number))


def ip_enterprise_read(
    *, credit_code: str, by: Any, request: HttpRequest | None = None
) -> EnterpriseIp:
    """An enterprise's patents, trademarks and quality spot checks (audited).

    Refuses an invalid credit code with the validator's reason (``invalid_credit_code``).
    """
    code = (credit_code or "").strip().upper()[:40]
    require_ip_reader(by, code, request=request)
    checked = check_credit_code(code)
    if not checked.valid:
        _refuse(
            by,
            ACTION_VIEW,
            "invalid_credit_code",
            _("Invalid credit code: %(reason)s") % {"reason": checked.reason},
            request,
            field="credit_code",
        )
    code = checked.normalised
    patents = _holdings(PATENT, code)
    trademarks = _holdings(TRADEMARK, code)
    inspections = _holdings(QUALITY, code)
    enterprise = Enterprise.objects.filter(credit_code=code).first()
    name, county = "", ""
    if enterprise is not None:
        name, county = enterprise.name, str(enterprise.county_id)
    else:
        for row in (*patents.rows, *trademarks.rows, *inspections.rows):
            name = next((str(row[f]) for f in _NAME_FIELDS if row.get(f)), "")
            county = str(row.get("county_code") or "")
            if name:
                break
    audit_record(
        action=ACTION_VIEW,
        actor=by,
        target=("market.enterprise", code),
        request=request,
        details={
            "patents": patents.total,
            "trademarks": trademarks.total,
            "inspections": inspections.total,
        },
    )
    return EnterpriseIp(
        credit_code=code,
        name=name,
        county_code=county,
        registered=enterprise is not None,
        patents=patents,
        trademarks=trademarks,
        inspections=inspections,
    )


# --- Reads: the quality overview --------------------------------------------------------------


def _county_names() -> dict[str, str]:
    from django.utils.translation import get_language

    zh = (get_language() or "").startswith("zh")
    return {
        d.code: (d.name if zh else (d.name_en or d.name))
        for d in Division.objects.filter(level=Division.Level.COUNTY).order_by("code")
    }


def _rate(passed: int, total: int) -> float | None:
    return round(100.0 * passed / total, 1) if total else None


def _table(
    counts: Mapping[str, list[int]], label: Mapping[str, str], order: Sequence[str]
) -> list[dict[str, Any]]:
    rows = []
    for key in order:
        total, passed = counts[key]
        rows.append(
            {
                "code": key,
                "name": label.get(key, key),
                "total": total,
                "passed": passed,
                "failed": total - passed,
                "rate": _rate(passed, total),
            }
        )
    return rows


def _chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "names": [r["name"] for r in rows],
        "rates": [r["rate"] for r in rows],
        "totals": [r["total"] for r in rows],
    }


def quality_overview(*, by: Any, request: HttpRequest | None = None) -> dict[str, Any]:
    """Pass rates of the spot checks (current version) by county and industry section.

    Returns ``{"version": None}`` when the dataset has no data yet; otherwise the version,
    totals, ``counties`` and ``industries`` (rows: name, total, passed, failed, rate in %), the
    recent failures and ``chart`` (the same figures for the ECharts bars).
    """
    require_viewer(by, action=ACTION_QUALITY, request=request)
    dataset = _published(QUALITY)
    version = current_version(dataset) if dataset is not None else None
    if dataset is None or version is None:
        return {"version": None}
    registry = _published(REGISTRY)
    registry_version = current_version(registry) if registry is not None else None
    with open_warehouse() as warehouse:
        con = warehouse.connection
        checks = con.table(engine.table_name(QUALITY, version.number))
        base = checks.select(
            credit_code=checks.credit_code.cast("string"),
            county_code=checks.county_code.cast("string"),
            passed=(checks.result.cast("string") == PASSED).fill_null(False).cast("int64"),
        )
        if registry_version is not None:
            firms = con.table(engine.table_name(REGISTRY, registry_version.number))
            sections = firms.select(
                credit_code=firms.credit_code.cast("string"),
                section=firms.industry_code.cast("string").substr(0, 1),
            )
            base = base.left_join(sections, "credit_code").drop("credit_code_right")
        else:
            base = base.mutate(section=ibis.literal("", "string"))
        grouped = base.group_by("county_code", "section").aggregate(
            total=base.count(), passed=base.passed.sum()
        )
        groups: list[dict[str, Any]] = con.to_pyarrow(grouped).to_pylist()
        failures = (
            checks.filter(checks.result.cast("string") != PASSED)
            .order_by([checks.sampled_on.desc(), checks.inspection_number.asc()])
            .limit(RECENT_FAILURES)
            .select(
                "inspection_number",
                "credit_code",
                "enterprise_name",
                "county_code",
                "product",
                "sampled_on",
                "failed_items",
            )
        )
        recent: list[dict[str, Any]] = con.to_pyarrow(failures).to_pylist()
    by_county: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_section: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for group in groups:
        total, passed = int(group["total"]), int(group["passed"] or 0)
        for counts, key in (
            (by_county, str(group["county_code"] or "")),
            (by_section, str(group["section"] or "")),
        ):
            counts[key][0] += total
            counts[key][1] += passed
    unknown = str(_("Unknown"))
    counties = _county_names()
    county_rows = _table(
        by_county, {**counties, "": unknown}, sorted(by_county, key=lambda c: (c == "", c))
    )
    section_labels = {code: f"{code} {name}" for code, name in SECTION_NAMES}
    section_rows = _table(
        by_section,
        {**section_labels, "": unknown},
        sorted(by_section, key=lambda s: (-by_section[s][0], s)),
    )
    total = sum(c[0] for c in by_county.values())
    passed = sum(c[1] for c in by_county.values())
    for row in recent:
        row["county_name"] = counties.get(str(row["county_code"]), row["county_code"])
    return {
        "version": int(version.number),
        "total": total,
        "passed": passed,
        "failed": total - passed,
        "rate": _rate(passed, total),
        "counties": county_rows,
        "industries": section_rows,
        "recent_failures": recent,
        "chart": {"county": _chart(county_rows), "industry": _chart(section_rows)},
    }


# --- Infringement complaints (侵权投诉) -------------------------------------------------------


def _text(
    by: Any,
    value: object,
    *,
    field: str,
    limit: int,
    empty: str,
    request: HttpRequest | None,
) -> str:
    text = str(value or "").strip()
    if not text:
        _refuse(by, ACTION_LODGE, "missing", empty, request, field=field)
    if len(text) > limit:
        _refuse(
            by,
            ACTION_LODGE,
            "too_long",
            _("At most %(limit)s characters, please.") % {"limit": limit},
            request,
            field=field,
        )
    return text


def _source_ref(complaint: InfringementComplaint) -> str:
    """The loop task's ``source_ref`` of a complaint (``market:ip:<id>``)."""
    return f"market:ip:{complaint.pk}"


def complaint_lodge(
    *,
    by: Any,
    right: str,
    right_number: str,
    holder_name: str,
    respondent_code: str,
    description: str,
    request: HttpRequest | None = None,
) -> InfringementComplaint:
    """Lodge an infringement complaint and open its loop task (audited; nothing on bad input).

    Refusals (``IpRefused.code``): ``unknown_right``, ``missing``, ``too_long``,
    ``invalid_credit_code`` (with the validator's reason), ``unknown_respondent`` (not in the
    registry), ``own_enterprise`` (an enterprise user complaining of its own enterprise).
    """
    require_complainant(by, request=request)
    if right not in InfringementComplaint.Right.values:
        _refuse(
            by,
            ACTION_LODGE,
            "unknown_right",
            _("Choose the kind of right."),
            request,
            field="right",
        )
    number = _text(
        by,
        right_number,
        field="right_number",
        limit=MAX_NUMBER,
        empty=_("Give the registration or patent number."),
        request=request,
    )
    holder = _text(
        by,
        holder_name,
        field="holder_name",
        limit=MAX_NAME,
        empty=_("Give the right holder's name."),
        request=request,
    )
    text = _text(
        by,
        description,
        field="description",
        limit=MAX_DESCRIPTION,
        empty=_("Describe what happened."),
        request=request,
    )
    raw_code = str(respondent_code or "").strip().upper()[:40]
    checked = check_credit_code(raw_code)
    if not checked.valid:
        _refuse(
            by,
            ACTION_LODGE,
            "invalid_credit_code",
            _("Invalid credit code: %(reason)s") % {"reason": checked.reason},
            request,
            field="respondent_code",
        )
    respondent = (
        Enterprise.objects.select_related("county").filter(credit_code=checked.normalised).first()
    )
    if respondent is None:
        _refuse(
            by,
            ACTION_LODGE,
            "unknown_respondent",
            _("No registered enterprise has the credit code %(code)s.")
            % {"code": checked.normalised},
            request,
            field="respondent_code",
        )
    if str(getattr(by, "credit_code", "") or "") == respondent.credit_code:
        _refuse(
            by,
            ACTION_LODGE,
            "own_enterprise",
            _("An enterprise cannot lodge a complaint against itself."),
            request,
            field="respondent_code",
        )
    county = respondent.county
    department = Department.objects.filter(code=county_market_department(county.code)).first()
    right_label = InfringementComplaint.Right(right).label
    with transaction.atomic():
        complaint = InfringementComplaint.objects.create(
            right=right,
            right_number=number,
            holder_name=holder,
            respondent_code=respondent.credit_code,
            respondent_name=respondent.name,
            county_code=county.code,
            description=text,
            complainant=by,
        )
        task = loop_services.task_open(
            type_code=TASK_TYPE,
            title=_("Infringement complaint: %(right)s %(number)s against %(name)s")
            % {"right": right_label, "number": number, "name": respondent.name},
            division=county,
            description=_(
                "%(right)s %(number)s held by %(holder)s; respondent %(name)s (%(code)s).\n%(text)s"
            )
            % {
                "right": right_label,
                "number": number,
                "holder": holder,
                "name": respondent.name,
                "code": respondent.credit_code,
                "text": text,
            },
            category=TASK_CATEGORY,
            location=county.name,
            source="market",
            source_ref=_source_ref(complaint),
            reporter=by,
            department=department,
            by=None,  # the system opens it: the complaint is the report, routed by the registry
            request=request,
        )
        complaint.task = task
        complaint.save(update_fields=["task"])
        audit_record(
            action=ACTION_LODGE,
            actor=by,
            target=complaint,
            request=request,
            details={
                "respondent": respondent.credit_code,
                "county": county.code,
                "task": task.pk,
                "routed_to": department.code if department else "",
            },
        )
    return complaint


def complaint_list_mine(
    *, by: Any, request: HttpRequest | None = None
) -> QuerySet[InfringementComplaint]:
    """The complaints ``by`` lodged, newest first, with their tasks."""
    require_complainant(by, request=request)
    return InfringementComplaint.objects.filter(complainant=by).select_related("task")


def complaint_list_regulated(
    *, by: Any, county_code: str = "", request: HttpRequest | None = None
) -> QuerySet[InfringementComplaint]:
    """Complaints against enterprises of the counties ``by`` regulates (one county if given)."""
    reach = regulator_reach(by)
    wanted = county_code or reach or None
    require_regulator(by, county_code=wanted, action=ACTION_COMPLAINTS, request=request)
    found = InfringementComplaint.objects.select_related("task", "complainant")
    return found.filter(county_code=wanted) if wanted else found


def complaint_get(*, by: Any, pk: int, request: HttpRequest | None = None) -> InfringementComplaint:
    """One complaint, for its complainant or a regulator of the respondent's county (audited).

    Raises ``InfringementComplaint.DoesNotExist`` for an unknown id.
    """
    complaint = InfringementComplaint.objects.select_related("task", "complainant").get(pk=pk)
    own = (
        getattr(by, "is_authenticated", False)
        and complaint.complainant_id is not None
        and complaint.complainant_id == by.pk
    )
    if own:
        require_complainant(by, request=request)
    else:
        require_regulator(
            by, county_code=complaint.county_code, action=ACTION_COMPLAINTS, request=request
        )
        audit_record(action=ACTION_COMPLAINTS, actor=by, target=complaint, request=request)
    return complaint
