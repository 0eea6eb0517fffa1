"""Reads of the city brain: series, warnings, rules, who may edit; the knowledge graph's sources."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from shuzhi.platform.accounts.models import Division
from shuzhi.platform.catalog.models import Dataset, Field, Grade, SemanticType, Status
from shuzhi.platform.loop.models import DONE_STATES, State, Task

from .models import Indicator, IndicatorValue, Warning, WarningRule

CITY_CODE = "330800"
EDIT_ROLES = frozenset({"data_steward", "approver"})  # of the dataset's owner department
VIEW_ROLES = EDIT_ROLES | {"supervisor", "leader", "system_admin", "auditor"}


def can_view(user: Any) -> bool:
    """Any signed-in member of staff who may see the brain (brain.view)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.role_codes & VIEW_ROLES)


def can_edit(user: Any, indicator: Indicator | None = None, dataset: Dataset | None = None) -> bool:
    """brain.edit: a data steward or approver of the department that owns the dataset."""
    if not can_view(user) or not (user.role_codes & EDIT_ROLES):
        return False
    dataset = dataset or (indicator.dataset if indicator is not None else None)
    if dataset is None:
        return True
    return bool(user.department_id) and user.department_id == dataset.owner_id


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.select_related("dataset", "dataset__owner").order_by("code")


def key_indicators() -> list[Indicator]:
    """Indicators marked key, for the cockpit (each with ``series``: the total series)."""
    found = list(indicator_list().filter(key=True))
    for indicator in found:
        indicator.series = indicator_series(indicator)  # type: ignore[attr-defined]
    return found


def indicator_series(
    indicator: Indicator, dimension: str | None = None
) -> list[tuple[date, float]]:
    """One series in period order: the total (``dimension`` None or "") or one dimension value."""
    rows = IndicatorValue.objects.filter(
        indicator=indicator, dimension_value=dimension or ""
    ).order_by("period")
    return [(r.period, r.value) for r in rows]


def indicator_all_series(indicator: Indicator) -> dict[str, list[tuple[date, float]]]:
    """Every series of an indicator by dimension value ("" = total)."""
    out: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for r in IndicatorValue.objects.filter(indicator=indicator).order_by(
        "dimension_value", "period"
    ):
        out[r.dimension_value].append((r.period, r.value))
    return dict(out)


def sparklines(indicators: list[Indicator], points: int = 12) -> dict[int, list[float]]:
    """The last ``points`` values of each indicator's total series."""
    out: dict[int, list[float]] = defaultdict(list)
    rows = IndicatorValue.objects.filter(indicator__in=indicators, dimension_value="").order_by(
        "indicator_id", "period"
    )
    for r in rows:
        out[r.indicator_id].append(r.value)
    return {k: [round(v, 2) for v in vs[-points:]] for k, vs in out.items()}


def division_names(codes: list[str] | set[str]) -> dict[str, str]:
    """Names of the codes that are divisions (行政区划), for labels such as "330802 柯城区"."""
    found = Division.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name")
    return dict(found)


def allowed_fields(dataset: Dataset) -> list[Field]:
    """Fields an indicator may use: not encrypted (L1–L2)."""
    return list(dataset.fields.filter(grade__lte=Grade.L2).order_by("position"))


def indicator_datasets() -> QuerySet[Dataset]:
    return Dataset.objects.filter(status=Status.PUBLISHED).select_related("owner").order_by("code")


def rule_list(indicator: Indicator | None = None) -> QuerySet[WarningRule]:
    rules = WarningRule.objects.select_related("indicator", "indicator__dataset")
    if indicator is not None:
        rules = rules.filter(indicator=indicator)
    return rules.order_by("indicator__code", "name")


def warning_list(*, state: str = "", division: str = "") -> QuerySet[Warning]:
    found = Warning.objects.select_related("rule", "rule__indicator")
    if state:
        found = found.filter(state=state)
    if division:
        found = found.filter(division_code=division)
    return found.order_by("-created_at", "-pk")


def open_warnings(division: Any = None) -> QuerySet[Warning]:
    """Warnings still being dealt with (not closed, task not done), for the cockpit.

    ``division`` is a Division or a code; the city (or None) means all.
    """
    code = getattr(division, "code", division) or ""
    done = Task.objects.filter(state__in=DONE_STATES).values("pk")
    found = (
        Warning.objects.select_related("rule", "rule__indicator")
        .exclude(state=Warning.State.CLOSED)
        .exclude(task_id__in=done)
    )
    if code and code != CITY_CODE:
        found = found.filter(division_code=code)
    return found.order_by("-created_at", "-pk")


def task_states(task_ids: list[int]) -> dict[int, str]:
    """The loop state label of each task, for warnings that link to one."""
    labels = dict(State.choices)
    found = Task.objects.filter(pk__in=[t for t in task_ids if t]).values_list("pk", "state")
    return {pk: str(labels.get(state, state)) for pk, state in found}


@dataclass(frozen=True)
class GraphSource:
    """A dataset the knowledge graph reads, with the fields that play each part."""

    dataset: Dataset
    role: str  # registry | penalty | abnormal | licence | other
    credit_code: str
    person: str = ""  # a person_name field (legal representative)
    address: str = ""
    label: str = ""  # a name-like field to title a node
    detail: tuple[str, ...] = ()


def _first(fields: list[Field], *, semantic: str = "", names: tuple[str, ...] = ()) -> str:
    for f in fields:
        if semantic and f.semantic_type == semantic:
            return f.name
    for f in fields:
        if f.semantic_type == SemanticType.PERSON_NAME:
            continue  # a person's name never titles an enterprise
        if any(n in f.name for n in names):
            return f.name
    return ""


def _legal_representative(fields: list[Field]) -> str:
    """The person_name field that names a legal representative (法定代表人 / 经营者)."""
    for f in fields:
        if f.semantic_type != SemanticType.PERSON_NAME:
            continue
        text = f"{f.name} {f.label} {f.label_en}".lower()
        if any(w in text for w in ("legal", "法定代表人", "经营者", "负责人")):
            return f.name
    return ""


def graph_sources() -> list[GraphSource]:
    """Published datasets with a credit-code field, each given a part by its fields' semantics.

    The enterprise registry has a legal representative (a person_name field); penalties carry a
    decision field; the abnormal-operation list a reason or listing date; a dataset with a
    licence or patent number is a licence source.
    """
    datasets = (
        Dataset.objects.filter(
            status=Status.PUBLISHED, fields__semantic_type=SemanticType.CREDIT_CODE
        )
        .distinct()
        .prefetch_related("fields")
        .order_by("code")
    )
    out = []
    for ds in datasets:
        fields = sorted(ds.fields.all(), key=lambda f: f.position)
        names = [f.name for f in fields]
        credit = _first(fields, semantic=SemanticType.CREDIT_CODE)
        person = _legal_representative(fields)
        address = _first(fields, semantic=SemanticType.ADDRESS)
        label = _first(fields, names=("enterprise_name", "applicant_name", "title", "name"))
        text = " ".join([*names, ds.code, ds.name_en.lower()])
        if any(w in text for w in ("decision", "penalt", "punish")):
            role = "penalty"
        elif any(w in text for w in ("abnormal", "anomal")):
            role = "abnormal"
        elif any(w in text for w in ("licen", "permit", "patent", "certificate")):
            role = "licence"
        elif person and label:
            role = "registry"
        else:
            role = "other"
        if role == "other":
            continue  # statistics by enterprise (energy, tax…) are not graph facts
        detail = tuple(
            f.name
            for f in fields
            if f.name not in {credit, person, address, label}
            and (f.grade or 0) <= Grade.L2
            and f.semantic_type not in {SemanticType.DIVISION_CODE, SemanticType.INDUSTRY_CODE}
            and f.data_type in {"string", "date"}
        )[:3]
        out.append(GraphSource(ds, role, credit, person, address, label, detail))
    return out
