"""Writes of the city brain (城市大脑): indicators, computation, warning rules, warnings, graph reads.

Each service checks permission first (``_require_view`` / ``_require_edit``: roles of the
department that owns the indicator's dataset; ``None`` as ``by`` is the system, allowed only to
compute) and writes an audit entry. Refused input changes nothing and is audited as a failure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.platform.accounts.models import Division, User
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.loop import selectors as loop_selectors
from shuzhi.platform.loop import services as loop_services
from shuzhi.platform.security.identifiers import check_credit_code
from shuzhi.platform.warehouse.connection import open_warehouse
from shuzhi.platform.warehouse.engine import table_name
from shuzhi.platform.warehouse.selectors import current_version

from . import rules_math
from .ibis_expr import is_ibis, to_sql_expression
from .indicator_sql import IndicatorError, bind_table, build_sql, check_expression, check_sql
from .models import Grain, Indicator, IndicatorValue, RuleKind, Warning, WarningRule
from .selectors import CITY_CODE, allowed_fields, can_edit, can_view, indicator_all_series

WARNING_TASK_TYPE = "warning"  # 预警处置, registered by the loop
_COUNTY = re.compile(r"^3308\d{2}$")


class BrainError(Exception):
    """Refused input; the message says why (translated)."""


def _require_view(by: Any) -> None:
    if not can_view(by):
        raise PermissionDenied("brain.view")


def _require_edit(
    by: Any,
    *,
    dataset: Dataset,
    action: str,
    request: HttpRequest | None = None,
    target: object = None,
) -> None:
    """brain.edit on this dataset's indicators; a refusal is audited."""
    if not can_edit(by, dataset=dataset):
        audit_record(
            action=action,
            actor=by if getattr(by, "is_authenticated", False) else None,
            target=target or dataset,
            outcome=Outcome.DENIED,
            request=request,
            details={"dataset": dataset.code},
        )
        raise PermissionDenied("brain.edit")


def _require_compute(by: Any, *, dataset: Dataset) -> None:
    """The system (``None``) computes on schedule; a person needs brain.edit on the dataset."""
    if by is not None and not can_edit(by, dataset=dataset):
        raise PermissionDenied("brain.edit")


def _refuse(
    *,
    action: str,
    by: Any,
    message: str,
    request: HttpRequest | None,
    target: object = None,
    details: dict[str, Any] | None = None,
) -> BrainError:
    """Audit refused input (outside any rolled-back transaction) and return the error."""
    audit_record(
        action=action,
        actor=by,
        target=target,
        outcome=Outcome.FAILURE,
        request=request,
        details={"error": message, **(details or {})},
    )
    return BrainError(message)


# -- indicators (指标) -------------------------------------------------------------------------

INDICATOR_FIELDS = (
    "code",
    "name",
    "name_en",
    "description",
    "expression",
    "period_field",
    "grain",
    "dimension",
    "filter",
    "unit",
    "target",
    "key",
    "active",
)


def _check_indicator(dataset: Dataset, values: dict[str, Any]) -> str:
    """The indicator's checked SQL; raises IndicatorError (untranslated reason)."""
    allowed = allowed_fields(dataset)
    columns = {f.name for f in allowed}
    expression = str(values.get("expression") or "")
    if is_ibis(expression):  # an Ibis measure compiles to a SQL aggregate, checked below
        expression = to_sql_expression(
            expression, table=dataset.code, columns={f.name: f.data_type for f in allowed}
        )
    check_expression(expression, table=dataset.code, columns=columns)
    whole = expression.strip().lower().startswith(("select", "with"))
    if not whole:
        for key in ("period_field", "dimension"):
            name = str(values.get(key) or "")
            if (key == "period_field" or name) and name not in columns:
                raise IndicatorError(f"unknown or not allowed field: {name or '(none)'}")
        if values.get("grain") not in Grain.values:
            raise IndicatorError(f"unknown grain: {values.get('grain')}")
    sql = build_sql(
        table=dataset.code,
        expression=expression,
        period_field=str(values.get("period_field") or ""),
        grain=str(values.get("grain") or "month"),
        dimension=str(values.get("dimension") or ""),
        where=str(values.get("filter") or ""),
    )
    check_sql(sql, table=dataset.code, columns=columns)
    return sql


def indicator_save(
    *,
    by: User,
    dataset: Dataset,
    values: dict[str, Any],
    indicator: Indicator | None = None,
    request: HttpRequest | None = None,
) -> Indicator:
    """Define or change an indicator (指标) over ``dataset``; its expression is checked first."""
    if indicator is not None:
        dataset = indicator.dataset
    _require_edit(by, dataset=dataset, action="brain.indicator_save", request=request)
    values = {k: v for k, v in values.items() if k in INDICATOR_FIELDS}
    if not str(values.get("code") or getattr(indicator, "code", "")).strip():
        raise _refuse(
            action="brain.indicator_save",
            by=by,
            message=_("Give the indicator a code."),
            request=request,
            target=dataset,
        )
    merged = {k: getattr(indicator, k) for k in INDICATOR_FIELDS} if indicator else {}
    merged.update(values)
    try:
        _check_indicator(dataset, merged)
    except IndicatorError as error:
        raise _refuse(
            action="brain.indicator_save",
            by=by,
            message=_("The expression was refused: %(reason)s") % {"reason": error},
            request=request,
            target=indicator or dataset,
            details={"expression": str(merged.get("expression", ""))[:500]},
        ) from None
    target = indicator or Indicator(dataset=dataset, created_by=by)
    for key, value in merged.items():
        setattr(target, key, value)
    try:
        target.full_clean(exclude=["created_by", "dataset"])  # code format and uniqueness
    except ValidationError as error:
        raise _refuse(
            action="brain.indicator_save",
            by=by,
            message=" ".join(error.messages),
            request=request,
            target=indicator or dataset,
            details={"code": str(merged.get("code", ""))[:64]},
        ) from None
    indicator = target
    with transaction.atomic():
        indicator.save()
        audit_record(
            action="brain.indicator_save",
            actor=by,
            target=indicator,
            request=request,
            details={"code": indicator.code, "expression": indicator.expression[:500]},
        )
    return indicator


@dataclass
class ComputeResult:
    points: int = 0
    warnings: list[Warning] = field(default_factory=list)
    version: int | None = None


def _plain_period(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _query(indicator: Indicator, *, dimension: str) -> list[tuple[date, str, float]]:
    dataset = indicator.dataset
    version = current_version(dataset)
    if version is None:
        raise BrainError(_("The dataset has no data in the warehouse yet."))
    values = {k: getattr(indicator, k) for k in INDICATOR_FIELDS}
    values["dimension"] = dimension
    sql = _check_indicator(dataset, values)
    tree = check_sql(sql, table=dataset.code, columns={f.name for f in allowed_fields(dataset)})
    names = [e.alias_or_name for e in tree.expressions]
    bound = bind_table(tree, table=dataset.code, physical=table_name(dataset.code, version.number))
    with open_warehouse() as warehouse:
        rows = warehouse.duckdb.execute(bound).fetchall()
    out = []
    for row in rows:
        record = dict(zip(names, row, strict=False))
        value = record.get("value")
        if value is None or record.get("period") is None:
            continue
        if isinstance(value, Decimal):
            value = float(value)
        out.append(
            (
                _plain_period(record["period"]),
                str(record.get("dimension_value") or "")[:64],
                float(value),
            )
        )
    return out


def indicator_compute(
    *, by: User | None, indicator: Indicator, request: HttpRequest | None = None
) -> ComputeResult:
    """Compute an indicator's series from the current data version, then run its rules.

    ``by`` None is the scheduled computation. The series is replaced whole, in one transaction
    with the warnings it raises and the loop tasks they open.
    """
    _require_compute(by, dataset=indicator.dataset)
    version = current_version(indicator.dataset)
    try:
        points = _query(indicator, dimension="")
        if indicator.dimension:
            points += [p for p in _query(indicator, dimension=indicator.dimension) if p[1]]
    except (IndicatorError, BrainError) as error:
        raise _refuse(
            action="brain.indicator_compute",
            by=by,
            message=str(error),
            request=request,
            target=indicator,
        ) from None
    result = ComputeResult(version=version.number if version else None)
    with transaction.atomic():
        IndicatorValue.objects.filter(indicator=indicator).delete()
        IndicatorValue.objects.bulk_create(
            IndicatorValue(indicator=indicator, period=p, dimension_value=d, value=v)
            for p, d, v in points
        )
        result.points = len(points)
        indicator.computed_at = timezone.now()
        indicator.computed_version = result.version
        indicator.save(update_fields=["computed_at", "computed_version"])
        for rule in indicator.rules.filter(active=True):
            result.warnings += _run_rule(rule, by=by, request=request)
        audit_record(
            action="brain.indicator_compute",
            actor=by,
            actor_name="" if by else "system",
            target=indicator,
            request=request,
            details={
                "points": result.points,
                "version": result.version,
                "warnings": len(result.warnings),
            },
        )
    return result


# -- warning rules (预警规则) ------------------------------------------------------------------

RULE_FIELDS = (
    "name",
    "kind",
    "direction",
    "threshold",
    "target",
    "window",
    "condition",
    "dimension_value",
    "active",
)


def _clean_rule(indicator: Indicator, values: dict[str, Any]) -> dict[str, Any]:
    """Checked rule parameters; raises BrainError with a translated reason."""
    clean = {k: v for k, v in values.items() if k in RULE_FIELDS}
    kind = clean.get("kind")
    if kind not in RuleKind.values:
        raise BrainError(_("Choose the kind of rule."))
    if clean.get("direction", "above") not in ("above", "below"):
        raise BrainError(_("Choose above or below."))
    for key in ("threshold", "target"):
        raw = clean.get(key)
        if raw in (None, ""):
            clean[key] = None if key == "target" else 0.0
            continue
        try:
            clean[key] = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise BrainError(_("%(field)s must be a number.") % {"field": key}) from None
    try:
        clean["window"] = int(clean.get("window") or 12)
    except (TypeError, ValueError):
        raise BrainError(_("The history must be a whole number of periods.")) from None
    if not 3 <= clean["window"] <= 120:
        raise BrainError(_("The history must be between 3 and 120 periods."))
    if kind == RuleKind.TARGET and clean.get("target") is None:
        clean["target"] = indicator.target
        if clean["target"] is None:
            raise BrainError(_("A deviation rule needs a target."))
    if kind == RuleKind.CONDITION:
        try:
            rules_math.check_condition(str(clean.get("condition") or ""))
        except rules_math.ConditionError as error:
            raise BrainError(
                _("The condition was refused: %(reason)s") % {"reason": error}
            ) from None
    clean["dimension_value"] = str(clean.get("dimension_value") or "").strip()[:64]
    return clean


def _fire(rule: WarningRule | dict[str, Any], series: list[tuple[date, float]]) -> list[Any]:
    get = rule.get if isinstance(rule, dict) else lambda k, d=None: getattr(rule, k, d)
    return rules_math.check_series(
        series,
        kind=str(get("kind")),
        direction=str(get("direction", "above") or "above"),
        threshold=float(get("threshold", 0) or 0),
        target=get("target"),
        window=int(get("window", 12) or 12),
        condition=str(get("condition", "") or ""),
    )


def rule_preview(*, by: User, indicator: Indicator, values: dict[str, Any]) -> list[dict[str, Any]]:
    """What the rule would have fired on the stored history (nothing is saved)."""
    _require_view(by)
    clean = _clean_rule(indicator, values)
    out = []
    for dimension, series in sorted(indicator_all_series(indicator).items()):
        if clean["dimension_value"] and dimension != clean["dimension_value"]:
            continue
        for firing in _fire(clean, series):
            out.append({"dimension_value": dimension, **firing.__dict__})
    return sorted(out, key=lambda f: (f["period"], f["dimension_value"]))


def rule_save(
    *,
    by: User,
    indicator: Indicator,
    values: dict[str, Any],
    rule: WarningRule | None = None,
    request: HttpRequest | None = None,
) -> WarningRule:
    """Create or change a warning rule; refused input is audited and changes nothing."""
    if rule is not None:
        indicator = rule.indicator
    _require_edit(
        by, dataset=indicator.dataset, action="brain.rule_save", request=request, target=rule
    )
    try:
        clean = _clean_rule(indicator, values)
        if not str(clean.get("name") or "").strip():
            raise BrainError(_("Give the rule a name."))
    except BrainError as error:
        raise _refuse(
            action="brain.rule_save",
            by=by,
            message=str(error),
            request=request,
            target=rule or indicator,
            details={k: str(v)[:200] for k, v in values.items() if k in RULE_FIELDS},
        ) from None
    with transaction.atomic():
        if rule is None:
            rule = WarningRule(indicator=indicator)
        for key, value in clean.items():
            setattr(rule, key, value)
        rule.updated_by = by
        rule.updated_at = timezone.now()
        rule.save()
        audit_record(
            action="brain.rule_save",
            actor=by,
            target=rule,
            request=request,
            details={k: str(getattr(rule, k)) for k in RULE_FIELDS},
        )
    return rule


def rule_delete(*, by: User, rule: WarningRule, request: HttpRequest | None = None) -> None:
    _require_edit(
        by, dataset=rule.indicator.dataset, action="brain.rule_delete", request=request, target=rule
    )
    with transaction.atomic():
        audit_record(
            action="brain.rule_delete",
            actor=by,
            target=rule,
            request=request,
            details={"name": rule.name},
        )
        rule.delete()


# -- warnings (预警) and their loop tasks --------------------------------------------------------


def _division_for(dimension_value: str) -> Division:
    if _COUNTY.match(dimension_value) and dimension_value != CITY_CODE:
        found = Division.objects.filter(code=dimension_value).first()
        if found is not None:
            return found
    return Division.objects.get(code=CITY_CODE)


def _loop() -> tuple[Any, Any]:
    """The loop's services and selectors (replaced by a stand-in in unit tests)."""
    return loop_services, loop_selectors


def _open_task(
    *, warning: Warning, division: Division, by: User | None, request: HttpRequest | None
) -> int:
    """The loop task for a warning: the open one for its source, or a new one.

    The task is opened by the system (the rule found the problem), whoever ran the computation.
    """
    opener, finder = _loop()
    existing = finder.open_task_for(warning.source_ref)
    if existing is not None:
        return int(existing.pk)
    rule = warning.rule
    indicator = rule.indicator
    url = reverse("brain:indicator", args=[indicator.pk])
    if warning.dimension_value:
        url += f"?dimension={warning.dimension_value}"
    task = opener.task_open(
        type_code=WARNING_TASK_TYPE,
        title=warning.message[:200],
        division=division,
        description=_(
            "Indicator %(indicator)s (dataset %(dataset)s, data version %(version)s), "
            "period %(period)s: %(message)s\n"
            "Indicator and series: %(url)s\n"
            "Dataset: %(data_url)s"
        )
        % {
            "indicator": indicator.name,
            "dataset": indicator.dataset.code,
            "version": indicator.computed_version or "—",
            "data_url": reverse("catalog:detail", args=[indicator.dataset.code]),
            "period": warning.period.isoformat(),
            "message": warning.message,
            "url": url,
        },
        location=division.name,
        source="brain",
        source_ref=warning.source_ref,
        by=None,
        request=request,
    )
    return int(task.pk)


def _message(rule: WarningRule, firing: Any, dimension: str) -> str:
    where = dimension or _("total")
    figure = "" if firing.measure is None else f" ({firing.measure:.1f})"
    return _("%(rule)s: %(indicator)s [%(where)s] %(period)s = %(value)s%(figure)s") % {
        "rule": rule.name,
        "indicator": rule.indicator.name,
        "where": where,
        "period": firing.period.isoformat(),
        "value": f"{firing.value:,.2f}",
        "figure": figure,
    }


def _run_rule(rule: WarningRule, *, by: User | None, request: HttpRequest | None) -> list[Warning]:
    """Check the latest period of each series; a new firing raises a warning and a task."""
    raised = []
    for dimension, series in sorted(indicator_all_series(rule.indicator).items()):
        if rule.dimension_value and dimension != rule.dimension_value:
            continue
        if not series:
            continue
        firings = [f for f in _fire(rule, series) if f.period == series[-1][0]]
        for firing in firings:
            if Warning.objects.filter(
                rule=rule, period=firing.period, dimension_value=dimension
            ).exists():
                continue
            division = _division_for(dimension)
            warning = Warning.objects.create(
                rule=rule,
                period=firing.period,
                dimension_value=dimension,
                value=firing.value,
                expected=firing.expected,
                measure=firing.measure,
                message=_message(rule, firing, dimension)[:500],
                division_code=division.code,
            )
            warning.task_id = _open_task(warning=warning, division=division, by=by, request=request)
            warning.state = Warning.State.TASKED
            warning.save(update_fields=["task_id", "state"])
            audit_record(
                action="brain.warning_raise",
                actor=by,
                actor_name="" if by else "system",
                target=warning,
                request=request,
                details={
                    "rule": rule.pk,
                    "task": warning.task_id,
                    "source_ref": warning.source_ref,
                },
            )
            raised.append(warning)
    return raised


def warning_close(*, by: User, warning: Warning, request: HttpRequest | None = None) -> Warning:
    """Mark a warning dealt with (its task is closed in the loop)."""
    _require_edit(
        by,
        dataset=warning.rule.indicator.dataset,
        action="brain.warning_close",
        request=request,
        target=warning,
    )
    with transaction.atomic():
        warning.state = Warning.State.CLOSED
        warning.save(update_fields=["state"])
        audit_record(action="brain.warning_close", actor=by, target=warning, request=request)
    return warning


def warnings_follow_task(*, task: Any, action: str, by: User | None = None, **_: Any) -> None:
    """A warning closes when its task is closed (办结) and opens again when the task is
    reopened — a step listener of the loop, inside the step's transaction."""
    if action == "close":
        before, after = Warning.State.TASKED, Warning.State.CLOSED
    elif action == "reopen":
        before, after = Warning.State.CLOSED, Warning.State.TASKED
    else:
        return
    for warning in Warning.objects.filter(task_id=task.pk, state=before):
        warning.state = after
        warning.save(update_fields=["state"])
        audit_record(
            action="brain.warning_close" if action == "close" else "brain.warning_reopen",
            actor=by,
            actor_name="" if by else "system",
            target=warning,
            details={"task": task.pk, "step": action},
        )


# -- knowledge graph (企业知识图谱) --------------------------------------------------------------


def enterprise_graph(
    *, by: User, credit_code: str, request: HttpRequest | None = None
) -> dict[str, Any]:
    """Nodes and edges around an enterprise; graded reads are audited (see ``graph``)."""
    _require_view(by)
    check = check_credit_code(credit_code)
    if not check.valid:
        raise BrainError(
            _("The unified social credit code is not valid: %(reason)s") % {"reason": check.reason}
        )
    from .graph import build_graph

    with transaction.atomic():
        graph = build_graph(check.normalised)
        audit_record(
            action="brain.graph_view",
            actor=by,
            request=request,
            details={
                "credit_code": check.normalised,
                "datasets": graph["datasets"],
                "nodes": len(graph["nodes"]),
            },
        )
    return graph
