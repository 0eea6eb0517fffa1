"""Random inspections (双随机一公开): the inspector pool, plans, the draw, results, publication.

* **Inspector pool** (执法检查人员名录库): a regulator puts a person of a market department who
  holds ``market.inspect`` into the pool with an enforcement certificate number and the fields
  the person is qualified for (:data:`FIELDS`), records the person's declared links to
  enterprises (回避关系: :data:`RELATIONS`) and takes the person out of the pool.
* **Plans** (抽查计划): a regulator creates a plan for the whole city (county ``""``, the city
  department only) or a county within reach, with a field, ratios per credit-risk class in
  percent (default ``settings.MARKET_INSPECTION_RATIOS``), inspectors per inspection and a due
  date.
* **Draw** (抽取): the population is the enterprises of the plan's area that operate — status
  ``ACTIVE`` or ``ABNORMAL`` (listed as abnormal, 存续 still: often the very ones to inspect) —
  and that have a class in the current classification run (an operating enterprise the run did
  not classify is not drawn; the report counts them). Revoked and deregistered ones are not. :func:`shuzhi.domains.market.draw.
  draw` picks ``ceil(n × ratio / 100)`` enterprises per class and then the inspectors of each,
  from a ``random.Random(seed)``. An enterprise may be inspected by an active pool member
  qualified for the plan's field who works in the enterprise's county market department or in
  the city's (the city's inspectors may join any county's inspection), except (回避) one who
  inspected it within the last 365 days (an inspection of another plan drawn in that time names
  them) or declared a link to it. The seed is given or ``secrets.randbits(62)``; the report keeps
  the seed and the inputs (population per class, pool per county, conflicts) with their
  SHA-256, so :func:`plan_verify` recomputes the draw and compares it with the stored
  inspections. Each inspection opens a loop task (type ``market_inspection``) by the system,
  routed to the enterprise's county market department, ``source_ref`` ``market:inspection:<id>``.
* **Results** (检查结果): one of the inspectors drawn for an inspection records its result and
  findings (again until publication).
* **Publication** (一公开): a regulator of the plan's area publishes the results once *every*
  inspection of the plan has one (a plan is published whole, so the public never sees a
  half-finished plan); the public page then lists them.

Every public function checks the caller first (``require_…``), writes an audit entry for success
and for refusals, and changes nothing when it refuses.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final, NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.loop import services as loop_services
from shuzhi.platform.loop.models import State as TaskState
from shuzhi.platform.loop.models import Task
from shuzhi.platform.loop.permissions import is_handler
from shuzhi.platform.loop.registry import TaskType
from shuzhi.platform.security.identifiers import check_credit_code
from shuzhi.platform.security.permissions import has_perm

from .. import draw as drawing
from ..models import (
    CreditClass,
    CreditRun,
    Enterprise,
    Inspection,
    InspectionPlan,
    Inspector,
    InspectorLink,
)
from ..permissions import (
    county_market_department,
    require_inspector,
    require_regulator,
)
from ..refusals import MarketRefused, audit_refusal

# audit action code → label; registered by apps.py
ACTIONS: dict[str, Any] = {
    "market.inspector_add": gettext_lazy("Inspector put into the pool"),
    "market.inspector_remove": gettext_lazy("Inspector taken out of the pool"),
    "market.inspector_link": gettext_lazy("Inspector's link to an enterprise declared"),
    "market.inspection_plan": gettext_lazy("Random-inspection plan created"),
    "market.inspection_draw": gettext_lazy("Random-inspection plan drawn"),
    "market.inspection_verify": gettext_lazy("Random-inspection draw verified"),
    "market.inspection_result": gettext_lazy("Inspection result recorded"),
    "market.inspection_publish": gettext_lazy("Random-inspection results published"),
    "market.inspection_view": gettext_lazy("Random-inspection pages viewed"),
}
TASK_TYPE: Final = "market_inspection"
TASK_CATEGORY: Final = "market"
# loop task types this module opens; registered by apps.py
TASK_TYPES: list[Any] = [
    TaskType(TASK_TYPE, gettext_lazy("Random inspection"), category=TASK_CATEGORY, deadline_days=20)
]

# qualified fields (检查领域)
FIELDS: Final = {
    "general": gettext_lazy("General (business conduct)"),  # 一般事项
    "food": gettext_lazy("Food"),  # 食品
    "special_equipment": gettext_lazy("Special equipment"),  # 特种设备
    "drug": gettext_lazy("Drugs"),  # 药品
    "industrial": gettext_lazy("Industrial products"),  # 工业产品
}
# declared links (回避关系)
RELATIONS: Final = {
    "kin": gettext_lazy("Kin of a shareholder or manager"),  # 亲属
    "former_employer": gettext_lazy("Former employer"),  # 曾任职
    "shareholding": gettext_lazy("Shareholding"),  # 持股
}
CLASSES: Final = drawing.CLASSES
CONFLICT_DAYS: Final = 365
MAX_PER_INSPECTION: Final = 10
_CERTIFICATE = re.compile(r"^[0-9A-Za-z-]{4,32}$")
# results an inspector records with findings (a problem was found)
_NEEDS_FINDINGS: Final = {Inspection.Result.CORRECTED, Inspection.Result.VIOLATION}


class InspectionRefused(MarketRefused):
    """A pool, plan, draw or result step refused (audited)."""


def _refuse(
    action: str,
    by: Any,
    code: str,
    message: str,
    request: HttpRequest | None,
    target: object = None,
    **details: Any,
) -> NoReturn:
    audit_refusal(action=action, by=by, code=code, request=request, target=target, details=details)
    raise InspectionRefused(code, message)


# --- helpers (not public: no permission of their own) -------------------------------------------


def _market_county(user: Any) -> str | None:
    """The jurisdiction of a person of a market department (see ``draw.jurisdiction``)."""
    code = str(getattr(getattr(user, "department", None), "code", "") or "")
    return drawing.jurisdiction(code, str(settings.MARKET_DEPARTMENT))


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _parse_ratios(raw: Mapping[str, Any]) -> tuple[dict[str, int | float], str, str]:
    """``(ratios, error code, message)``; the code is ``""`` when every ratio is good."""
    unknown = sorted(str(k) for k in raw if k not in CLASSES)
    if unknown:
        return {}, "ratio_class", _("Unknown class %(grade)s.") % {"grade": unknown[0][:4]}
    ratios: dict[str, int | float] = {}
    for grade in CLASSES:
        value = raw.get(grade, 0)
        try:
            number = Decimal(str(value).strip() or "x")
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            return (
                {},
                "ratio_invalid",
                _("The ratio of class %(grade)s is not a number.") % {"grade": grade},
            )
        if number < 0 or number > 100:
            return (
                {},
                "ratio_out_of_range",
                _(
                    "The ratio of class %(grade)s must be between 0 and 100 percent; "
                    "%(value)s was given."
                )
                % {"grade": grade, "value": str(value)[:12]},
            )
        ratios[grade] = _number(number)
    return ratios, "", ""


def _digest(inputs: Mapping[str, Any]) -> str:
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _eligible_by_county(inputs_pool: Mapping[str, Iterable[int]], county: str) -> list[int]:
    """Inspectors who may inspect an enterprise of ``county``: its own and the city's."""
    return sorted(set(inputs_pool.get(county, ())) | set(inputs_pool.get("", ())))


# --- the inspector pool (执法检查人员名录库) -----------------------------------------------------


def inspector_add(
    *,
    by: User,
    person: User,
    certificate: str,
    fields: Iterable[str],
    request: HttpRequest | None = None,
) -> Inspector:
    """Put ``person`` (a market department's, with ``market.inspect``) into the pool, or update
    and re-admit the person's entry."""
    action = "market.inspector_add"
    county = _market_county(person)
    require_regulator(by, county_code=county or None, action=action, request=request)
    target = {"person": person.username}
    if county is None:
        _refuse(
            action,
            by,
            "not_market_staff",
            _("%(person)s does not work in a market-supervision department.")
            % {"person": person.display_name or person.username},
            request,
            **target,
        )
    if not has_perm(person, "market.inspect"):
        _refuse(
            action,
            by,
            "not_inspector",
            _("%(person)s may not carry out inspections (no inspector role).")
            % {"person": person.display_name or person.username},
            request,
            **target,
        )
    certificate = (certificate or "").strip().upper()
    if not _CERTIFICATE.match(certificate):
        _refuse(
            action,
            by,
            "certificate_invalid",
            _("Give the enforcement certificate number: 4 to 32 letters, digits or hyphens."),
            request,
            **target,
        )
    chosen = sorted({str(f) for f in fields})
    unknown = [f for f in chosen if f not in FIELDS]
    if not chosen or unknown:
        _refuse(
            action,
            by,
            "fields_invalid",
            _("Choose at least one qualified field from the list."),
            request,
            **target,
        )
    holder = Inspector.objects.filter(certificate=certificate).exclude(user=person).first()
    if holder is not None:
        _refuse(
            action,
            by,
            "certificate_taken",
            _("Certificate %(certificate)s belongs to another inspector.")
            % {"certificate": certificate},
            request,
            **target,
        )
    with transaction.atomic():
        inspector, created = Inspector.objects.update_or_create(
            user=person, defaults={"certificate": certificate, "fields": chosen, "active": True}
        )
        audit_record(
            action=action,
            actor=by,
            target=inspector,
            request=request,
            details={**target, "certificate": certificate, "fields": chosen, "new": created},
        )
    return inspector


def inspector_remove(
    *, by: User, inspector: Inspector, request: HttpRequest | None = None
) -> Inspector:
    """Take ``inspector`` out of the pool (past inspections keep naming the person)."""
    action = "market.inspector_remove"
    county = _market_county(inspector.user)
    require_regulator(by, county_code=county or None, action=action, request=request)
    if not inspector.active:
        _refuse(
            action,
            by,
            "not_in_pool",
            _("This inspector is not in the pool."),
            request,
            target=inspector,
        )
    with transaction.atomic():
        inspector.active = False
        inspector.save(update_fields=["active"])
        audit_record(action=action, actor=by, target=inspector, request=request)
    return inspector


def inspector_link_add(
    *,
    by: User,
    inspector: Inspector,
    credit_code: str,
    relation: str,
    request: HttpRequest | None = None,
) -> InspectorLink:
    """Record an inspector's declared link to an enterprise (回避): the draw never sends the
    inspector there."""
    action = "market.inspector_link"
    county = _market_county(inspector.user)
    require_regulator(by, county_code=county or None, action=action, request=request)
    checked = check_credit_code((credit_code or "").strip().upper())
    if not checked.valid:
        _refuse(
            action,
            by,
            "credit_code_invalid",
            _("Invalid credit code: %(reason)s") % {"reason": checked.reason},
            request,
            target=inspector,
        )
    if relation not in RELATIONS:
        _refuse(
            action,
            by,
            "relation_invalid",
            _("Choose the kind of link from the list."),
            request,
            target=inspector,
        )
    with transaction.atomic():
        link, _created = InspectorLink.objects.update_or_create(
            inspector=inspector, credit_code=checked.normalised, defaults={"relation": relation}
        )
        audit_record(
            action=action,
            actor=by,
            target=inspector,
            request=request,
            details={"credit_code": checked.normalised, "relation": relation},
        )
    return link


# --- plans (抽查计划) ----------------------------------------------------------------------------


def plan_create(
    *,
    by: User,
    name: str,
    county_code: str,
    field: str,
    due_on: date | None,
    ratios: Mapping[str, Any] | None = None,
    inspectors_per_inspection: int | str = 2,
    request: HttpRequest | None = None,
) -> InspectionPlan:
    """Create a DRAFT plan for the city (``county_code`` ``""``) or a county within reach."""
    action = "market.inspection_plan"
    county_code = (county_code or "").strip()
    require_regulator(by, county_code=county_code or None, action=action, request=request)
    name = (name or "").strip()
    if not name or len(name) > 200:
        _refuse(action, by, "name", _("Give the plan a name (at most 200 characters)."), request)
    if (
        county_code
        and not Division.objects.filter(code=county_code, level=Division.Level.COUNTY).exists()
    ):
        _refuse(
            action,
            by,
            "county_unknown",
            _("Unknown county %(county)s.") % {"county": county_code[:12]},
            request,
        )
    if field not in FIELDS:
        _refuse(action, by, "field_invalid", _("Choose a field from the list."), request)
    parsed, code, message = _parse_ratios(
        drawing.parse_ratio_setting(settings.MARKET_INSPECTION_RATIOS) if ratios is None else ratios
    )
    if code:
        _refuse(
            action,
            by,
            code,
            message,
            request,
            ratios={k: str(v)[:12] for k, v in (ratios or {}).items()},
        )
    try:
        per = int(str(inspectors_per_inspection).strip())
    except ValueError:
        per = 0
    if not 1 <= per <= MAX_PER_INSPECTION:
        _refuse(
            action,
            by,
            "per_invalid",
            _("Inspectors per inspection must be a whole number from 1 to %(max)s.")
            % {"max": MAX_PER_INSPECTION},
            request,
        )
    if due_on is None or due_on < timezone.localdate():
        _refuse(action, by, "due_invalid", _("Give a due date that is not in the past."), request)
    department = by.department
    if department is None:  # pragma: no cover - require_regulator needs a department
        raise PermissionDenied("market.regulate")
    with transaction.atomic():
        plan = InspectionPlan.objects.create(
            name=name,
            department=department,
            county_code=county_code,
            field=field,
            ratios=parsed,
            inspectors_per_inspection=per,
            state=InspectionPlan.State.DRAFT,
            due_on=due_on,
            created_by=by,
        )
        audit_record(
            action=action,
            actor=by,
            target=plan,
            request=request,
            details={"county": county_code, "field": field, "ratios": parsed, "per": per},
        )
    return plan


@dataclass
class DrawInputs:
    """What the draw reads from the database (kept in the plan's report)."""

    population: dict[str, list[str]]  # class → credit codes
    pool: dict[str, list[int]]  # county ("" the city) → qualified inspector ids
    conflicts: dict[str, list[int]]  # credit code → inspector ids it must not get
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # code → (name, county)
    unclassified: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"population": self.population, "pool": self.pool, "conflicts": self.conflicts}


# who may be drawn: enterprises that still operate (存续), listed as abnormal or not
OPERATING = (Enterprise.Status.ACTIVE, Enterprise.Status.ABNORMAL)


def _draw_inputs(plan: InspectionPlan, run: CreditRun) -> DrawInputs:
    active = Enterprise.objects.filter(status__in=OPERATING)
    if plan.county_code:
        active = active.filter(county_id=plan.county_code)
    names = {
        code: (name, county)
        for code, name, county in active.values_list("credit_code", "name", "county_id")
    }
    classes = CreditClass.objects.filter(run=run)
    if plan.county_code:
        classes = classes.filter(county_code=plan.county_code)
    population: dict[str, list[str]] = {grade: [] for grade in CLASSES}
    classified: set[str] = set()
    for code, grade in classes.values_list("credit_code", "credit_class"):
        if code in names and grade in population:
            population[grade].append(code)
            classified.add(code)
    for grade in CLASSES:
        population[grade].sort()
    pool: dict[str, list[int]] = defaultdict(list)
    for inspector in Inspector.objects.filter(active=True).select_related("user__department"):
        county = _market_county(inspector.user)
        if county is None or not inspector.user.is_active or plan.field not in inspector.fields:
            continue
        if plan.county_code and county not in ("", plan.county_code):
            continue
        pool[county].append(int(inspector.pk))
    conflicts: dict[str, set[int]] = defaultdict(set)
    for code, inspector_id in InspectorLink.objects.values_list("credit_code", "inspector_id"):
        if code in classified:
            conflicts[code].add(inspector_id)
    since = timezone.now() - timedelta(days=CONFLICT_DAYS)
    recent = (
        Inspection.inspectors.through.objects.filter(inspection__plan__drawn_at__gte=since)
        .exclude(inspection__plan=plan)
        .values_list("inspection__credit_code", "inspector_id")
    )
    for code, inspector_id in recent:
        if code in classified:
            conflicts[code].add(inspector_id)
    return DrawInputs(
        population=population,
        pool={county: sorted(ids) for county, ids in sorted(pool.items())},
        conflicts={code: sorted(ids) for code, ids in sorted(conflicts.items())},
        names=names,
        unclassified=len(names) - len(classified),
    )


def _compute(
    seed: int, plan: InspectionPlan, inputs: Mapping[str, Any], county_of: Mapping[str, str]
) -> drawing.DrawResult:
    pool = inputs["pool"]
    per_code = {code: _eligible_by_county(pool, county) for code, county in county_of.items()}
    return drawing.draw(
        seed=seed,
        population=inputs["population"],
        ratios=plan.ratios,
        pool=per_code,
        conflicts=inputs["conflicts"],
        per=plan.inspectors_per_inspection,
    )


def plan_draw(
    *,
    by: User,
    plan: InspectionPlan,
    seed: int | None = None,
    request: HttpRequest | None = None,
) -> InspectionPlan:
    """Draw the plan's enterprises and inspectors (see the module's docstring), store one
    inspection per enterprise and open its loop task. Refused (nothing changes): the plan is
    already drawn, a ratio is out of range, no current classification run, no qualified
    inspector in the pool, too few unconflicted inspectors for an enterprise."""
    action = "market.inspection_draw"
    require_regulator(by, county_code=plan.county_code or None, action=action, request=request)
    if plan.state != InspectionPlan.State.DRAFT:
        _refuse(
            action,
            by,
            "already_drawn",
            _("This plan has already been drawn."),
            request,
            target=plan,
        )
    _ratios, code, message = _parse_ratios(plan.ratios)
    if code:
        _refuse(action, by, code, message, request, target=plan)
    if seed is not None and not 0 <= int(seed) < 2**63:
        _refuse(
            action,
            by,
            "seed_invalid",
            _("The seed must be a whole number from 0 to 2^63 − 1."),
            request,
            target=plan,
        )
    run = CreditRun.objects.filter(is_current=True, state=CreditRun.State.COMPLETE).first()
    if run is None:
        _refuse(
            action,
            by,
            "no_run",
            _("There is no current credit-risk classification; the draw needs the classes."),
            request,
            target=plan,
        )
    inputs = _draw_inputs(plan, run)
    if not any(inputs.pool.values()):
        _refuse(
            action,
            by,
            "pool_empty",
            _("The inspector pool has no active inspector qualified for %(field)s here.")
            % {"field": FIELDS.get(plan.field, plan.field)},
            request,
            target=plan,
        )
    seed = secrets.randbits(62) if seed is None else int(seed)
    county_of = {code: county for code, (_name, county) in inputs.names.items()}
    try:
        result = _compute(seed, plan, inputs.as_json(), county_of)
    except drawing.NotEnoughInspectors as short:
        name = inputs.names.get(short.credit_code, (short.credit_code, ""))[0]
        _refuse(
            action,
            by,
            "too_few_inspectors",
            _(
                "Not enough inspectors for %(enterprise)s (%(code)s): %(available)s without a "
                "conflict, %(needed)s needed."
            )
            % {
                "enterprise": name,
                "code": short.credit_code,
                "available": short.available,
                "needed": short.needed,
            },
            request,
            target=plan,
            seed=seed,
            credit_code=short.credit_code,
        )
    population_counts = {grade: len(inputs.population[grade]) for grade in CLASSES}
    report = {
        "seed": str(seed),
        "run": run.pk,
        "counts": result.counts(),
        "population": population_counts,
        "unclassified": inputs.unclassified,
        "inputs": inputs.as_json(),
        "digest": _digest(inputs.as_json()),
    }
    with transaction.atomic():
        locked = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.state != InspectionPlan.State.DRAFT:  # drawn meanwhile
            transaction.set_rollback(True)
            raced = True
        else:
            raced = False
            _store_draw(locked, run, seed, report, result, inputs)
            # in the same transaction: no draw without its audit entry
            audit_record(
                action=action,
                actor=by,
                target=locked,
                request=request,
                details={
                    "seed": str(seed),
                    "counts": result.counts(),
                    "population": population_counts,
                    "inspections": len(result.drawn()),
                    "digest": report["digest"],
                },
            )
    if raced:
        _refuse(
            action,
            by,
            "already_drawn",
            _("This plan has already been drawn."),
            request,
            target=plan,
        )
    plan.refresh_from_db()
    return plan


def _store_draw(
    plan: InspectionPlan,
    run: CreditRun,
    seed: int,
    report: dict[str, Any],
    result: drawing.DrawResult,
    inputs: DrawInputs,
) -> None:
    plan.seed = seed
    plan.credit_run = run
    plan.state = InspectionPlan.State.DRAWN
    plan.drawn_at = timezone.now()
    plan.report = report
    plan.save()
    departments: dict[str, Department | None] = {}
    divisions: dict[str, Division] = {}
    for grade in CLASSES:
        for code in result.enterprises[grade]:
            name, county = inputs.names[code]
            inspection = Inspection.objects.create(
                plan=plan,
                credit_code=code,
                enterprise_name=name,
                county_code=county,
                credit_class=grade,
            )
            inspection.inspectors.set(result.inspectors[code])
            if county not in departments:
                departments[county] = Department.objects.filter(
                    code=county_market_department(county)
                ).first()
                divisions[county] = Division.objects.get(code=county)
            inspection.task = loop_services.task_open(
                type_code=TASK_TYPE,
                title=_("Random inspection: %(enterprise)s") % {"enterprise": name},
                division=divisions[county],
                description=_("Plan %(plan)s, class %(grade)s, credit code %(code)s; due %(due)s.")
                % {
                    "plan": plan.name,
                    "grade": grade,
                    "code": code,
                    "due": plan.due_on.isoformat() if plan.due_on else "",
                },
                category=TASK_CATEGORY,
                source="market",
                source_ref=f"market:inspection:{inspection.pk}",
                department=departments[county],
                by=None,
            )
            inspection.save(update_fields=["task"])


@dataclass
class Verification:
    """The outcome of recomputing a drawn plan (:func:`plan_verify`)."""

    ok: bool
    problems: list[str] = field(default_factory=list)


def plan_verify(
    *, by: User, plan: InspectionPlan, request: HttpRequest | None = None
) -> Verification:
    """Recompute the draw of ``plan`` from its recorded seed and inputs and compare it with the
    stored inspections; also check that the recorded inputs are the ones hashed at the draw and
    that the recorded classes are those of the plan's classification run."""
    action = "market.inspection_verify"
    require_regulator(by, county_code=plan.county_code or None, action=action, request=request)
    outcome = _verify_draw(plan)
    audit_record(
        action=action,
        actor=by,
        target=plan,
        outcome=Outcome.SUCCESS if outcome.ok else Outcome.FAILURE,
        request=request,
        details={"ok": outcome.ok, "problems": outcome.problems[:5]},
    )
    return outcome


def _verify_draw(plan: InspectionPlan) -> Verification:
    """The check of :func:`plan_verify` without permission or audit (pages show its result)."""
    problems: list[str] = []
    report = plan.report or {}
    inputs = report.get("inputs")
    if plan.state == InspectionPlan.State.DRAFT or plan.seed is None or not inputs:
        return Verification(False, [_("The plan has not been drawn.")])
    if _digest(inputs) != report.get("digest"):
        problems.append(_("The recorded inputs do not match their hash."))
    recorded = {
        code: grade for grade, codes in inputs.get("population", {}).items() for code in codes
    }
    if plan.credit_run_id is not None:
        for code, grade in CreditClass.objects.filter(run_id=plan.credit_run_id).values_list(
            "credit_code", "credit_class"
        ):
            if code in recorded and recorded[code] != grade:
                problems.append(
                    _("%(code)s is recorded in class %(recorded)s but the run says %(grade)s.")
                    % {"code": code, "recorded": recorded[code], "grade": grade}
                )
    stored = {
        item.credit_code: (item.credit_class, sorted(i.pk for i in item.inspectors.all()))
        for item in plan.inspections.prefetch_related("inspectors")
    }
    county_of = dict(plan.inspections.values_list("credit_code", "county_code"))
    try:
        again = _compute(int(plan.seed), plan, inputs, county_of)
    except (drawing.NotEnoughInspectors, KeyError, TypeError, ValueError):
        problems.append(_("The recorded seed and inputs do not give this draw."))
    else:
        recomputed = {
            code: (grade, again.inspectors.get(code, []))
            for grade, codes in again.enterprises.items()
            for code in codes
        }
        if recomputed != stored:
            problems.append(_("The recorded seed and inputs do not give this draw."))
    return Verification(not problems, problems)


# --- results and publication (检查结果与公示) ----------------------------------------------------


def inspection_record(
    *,
    by: User,
    inspection: Inspection,
    result: str,
    findings: str = "",
    request: HttpRequest | None = None,
) -> Inspection:
    """Record the result of ``inspection`` (one of its drawn inspectors, before publication)."""
    action = "market.inspection_result"
    require_inspector(by, action=action, request=request)
    if not inspection.inspectors.filter(user=by).exists():
        audit_record(
            action=action,
            actor=by,
            target=inspection,
            outcome=Outcome.DENIED,
            request=request,
            details={"missing": "drawn inspector", "plan": inspection.plan_id},
        )
        raise PermissionDenied("market.inspect")
    if inspection.plan.state != InspectionPlan.State.DRAWN:
        _refuse(
            action,
            by,
            "published",
            _("The results of this plan are published and can no longer change."),
            request,
            target=inspection,
        )
    if result not in Inspection.Result.values or result == Inspection.Result.PENDING:
        _refuse(
            action,
            by,
            "result_invalid",
            _("Choose a result from the list."),
            request,
            target=inspection,
        )
    findings = (findings or "").strip()
    if result in _NEEDS_FINDINGS and not findings:
        _refuse(
            action,
            by,
            "findings_missing",
            _("Describe what was found."),
            request,
            target=inspection,
        )
    if len(findings) > 5000:
        _refuse(
            action,
            by,
            "findings_long",
            _("The findings are too long (at most 5,000 characters)."),
            request,
            target=inspection,
        )
    with transaction.atomic():
        # the plan as stored now: results may not change once it is published (meanwhile)
        published = (
            InspectionPlan.objects.select_for_update().get(pk=inspection.plan_id).state
            != InspectionPlan.State.DRAWN
        )
        if not published:
            inspection.result = result
            inspection.findings = findings
            inspection.recorded_by = by
            inspection.recorded_at = timezone.now()
            inspection.save(update_fields=["result", "findings", "recorded_by", "recorded_at"])
            audit_record(
                action=action,
                actor=by,
                target=inspection,
                request=request,
                details={
                    "result": result,
                    "plan": inspection.plan_id,
                    "credit_code": inspection.credit_code,
                },
            )
    if published:
        _refuse(
            action,
            by,
            "published",
            _("The results of this plan are published and can no longer change."),
            request,
            target=inspection,
        )
    _report_on_task(inspection, by=by, request=request)
    return inspection


def _report_on_task(inspection: Inspection, *, by: User, request: HttpRequest | None) -> None:
    """The recorded result is the inspection task's handling (处置): when the inspector is a
    handler of the task's department (the county's market department), the task is accepted if
    it waits for acceptance and submitted with the result for the department's review. An
    inspector of another department (e.g. the city's) leaves the task to the county's handlers,
    who see the result on the plan's page. A task already submitted or closed is left alone."""
    task = Task.objects.filter(pk=inspection.task_id).first() if inspection.task_id else None
    if task is None or not is_handler(by, task):
        return
    if task.state == TaskState.PENDING_ACCEPTANCE:
        task = loop_services.task_accept(task=task, by=by, request=request)
    if task.state == TaskState.IN_PROGRESS:
        summary = str(Inspection.Result(inspection.result).label)
        comment = f"{summary}: {inspection.findings}" if inspection.findings else summary
        loop_services.task_submit(task=task, by=by, comment=comment, request=request)


def plan_publish(
    *, by: User, plan: InspectionPlan, request: HttpRequest | None = None
) -> InspectionPlan:
    """Publish the results (一公开) once every inspection of the plan has one."""
    action = "market.inspection_publish"
    require_regulator(by, county_code=plan.county_code or None, action=action, request=request)
    if plan.state != InspectionPlan.State.DRAWN:
        _refuse(
            action,
            by,
            "not_drawn" if plan.state == InspectionPlan.State.DRAFT else "already_published",
            _("Only a drawn plan whose results are not yet published can be published."),
            request,
            target=plan,
        )
    pending = plan.inspections.filter(result=Inspection.Result.PENDING).count()
    if pending:
        _refuse(
            action,
            by,
            "results_missing",
            _("%(count)s inspections of this plan have no result yet.") % {"count": pending},
            request,
            target=plan,
        )
    with transaction.atomic():
        raced = (
            InspectionPlan.objects.select_for_update().get(pk=plan.pk).state
            != InspectionPlan.State.DRAWN
        )
        if not raced:
            plan.state = InspectionPlan.State.PUBLISHED
            plan.report = {**plan.report, "published_at": timezone.now().isoformat()}
            plan.save(update_fields=["state", "report"])
            audit_record(
                action=action,
                actor=by,
                target=plan,
                request=request,
                details={"inspections": plan.inspections.count()},
            )
    if raced:  # published by another request meanwhile
        _refuse(
            action,
            by,
            "already_published",
            _("Only a drawn plan whose results are not yet published can be published."),
            request,
            target=plan,
        )
    return plan
