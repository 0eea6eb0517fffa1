"""Reads of the carbon domain: factor sets, the current run of a year, its accounts shaped for
the dashboards and the enterprise page, green-finance lookups. No writes, no permission checks
(the pages ask ``may_…`` here; the services decide).

Shapes read from a run (written by the accounting run):

- ``EnterpriseAccount.by_source``: source → tCO2 for the year, or source → {month → tCO2}
  (month keys such as ``"2025-03"``, ``"03"`` or ``3``); a ``"monthly"`` entry holding
  month → tCO2 is read as the total by month.
- ``EnterpriseAccount.explanation``: dimension (``advancement``, ``contribution``,
  ``decline``) → the numbers behind it (name → value); other keys are shown as they come.
- ``EnterpriseAccount.problems``: ``[{"code": ..., "detail": ...}]``.
- ``AccountingRun.report``: ``{"enterprises": n, "graded": n, "problems": {code: n}, ...}``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from shuzhi.platform.accounts.models import Department, Division
from shuzhi.platform.catalog.models import Field
from shuzhi.platform.security.permissions import has_perm
from shuzhi.platform.sharing.models import Grant

from .models import (
    AccountingRun,
    BankAuthorisation,
    Colour,
    Domain,
    EnterpriseAccount,
    FactorSet,
    LoanProduct,
    SectorAccount,
)

ANNUAL_DATASET = "carbon_account_annual"  # the grade dataset banks are granted (碳账户金融)
DIMENSIONS = ("advancement", "contribution", "decline")
COLOUR_ORDER = (Colour.DARK_GREEN, Colour.LIGHT_GREEN, Colour.YELLOW, Colour.RED)
COLOUR_HEX = {
    Colour.DARK_GREEN: "#146c43",
    Colour.LIGHT_GREEN: "#75b798",
    Colour.YELLOW: "#ffc107",
    Colour.RED: "#dc3545",
}
# 碳效码 (DB33/T 1347-2023): K = intensity / industry average intensity
EFFICIENCY_LEVELS: tuple[tuple[int, float | None, float | None], ...] = (
    (1, None, 0.6),
    (2, 0.6, 0.8),
    (3, 0.8, 1.2),
    (4, 1.2, 2.0),
    (5, 2.0, None),
)
LEVEL_HEX = {1: "#146c43", 2: "#75b798", 3: "#0d6efd", 4: "#fd7e14", 5: "#dc3545"}
TOP = 10  # top emitters shown
INDUSTRIES_SHOWN = 12  # industries in the intensity distribution


def _zh() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


# --- factor sets ---------------------------------------------------------------------------


def factor_set_list() -> QuerySet[FactorSet]:
    return FactorSet.objects.select_related("created_by")


def factor_set_active() -> FactorSet | None:
    return FactorSet.objects.filter(state=FactorSet.State.ACTIVE).first()


def may_edit_factors(user: Any) -> bool:
    """Data stewards of the carbon department (发改委) keep the factor table."""
    department = getattr(user, "department", None)
    return (
        has_perm(user, "catalog.edit")
        and department is not None
        and department.code == settings.CARBON_DEPARTMENT
    )


# --- runs and accounts ---------------------------------------------------------------------


def run_years() -> list[int]:
    """Years that have a current run, newest first."""
    years = AccountingRun.objects.filter(is_current=True).values_list("year", flat=True)
    return sorted(set(years), reverse=True)


def run_current(*, year: int | None = None) -> AccountingRun | None:
    """The current run of ``year`` (of the latest year when None)."""
    runs = AccountingRun.objects.filter(is_current=True).select_related("factor_set")
    if year is not None:
        runs = runs.filter(year=year)
    return runs.order_by("-year", "-started_at", "-id").first()


def account_list(
    *, run: AccountingRun, county: str = "", industry: str = "", colour: str = "", q: str = ""
) -> QuerySet[EnterpriseAccount]:
    accounts = EnterpriseAccount.objects.filter(run=run)
    if county:
        accounts = accounts.filter(county_code=county)
    if industry:
        accounts = accounts.filter(industry_code__startswith=industry)
    if colour == "none":
        accounts = accounts.filter(colour="")
    elif colour:
        accounts = accounts.filter(colour=colour)
    if q:
        accounts = accounts.filter(name__icontains=q) | accounts.filter(credit_code=q.upper())
    return accounts.order_by("-total_tco2", "credit_code")


def account_get(*, credit_code: str, year: int | None = None) -> EnterpriseAccount | None:
    """The enterprise's account in the current run of ``year`` (latest year when None)."""
    accounts = EnterpriseAccount.objects.filter(
        credit_code=credit_code, run__is_current=True
    ).select_related("run__factor_set")
    if year is not None:
        accounts = accounts.filter(year=year)
    return accounts.order_by("-year").first()


def account_history(*, credit_code: str) -> list[EnterpriseAccount]:
    """The enterprise's accounts of every year that has a current run, oldest first."""
    return list(
        EnterpriseAccount.objects.filter(credit_code=credit_code, run__is_current=True).order_by(
            "year"
        )
    )


def _month_of(key: object) -> int | None:
    text = str(key).strip()
    tail = text.rsplit("-", 1)[-1] if "-" in text else text
    try:
        month = int(tail)
    except ValueError:
        return None
    return month if 1 <= month <= 12 else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def monthly_totals(account: EnterpriseAccount) -> dict[int, float]:
    """tCO2 by month (1–12) from ``by_source``; empty when the run kept only annual totals."""
    by_source = account.by_source if isinstance(account.by_source, dict) else {}
    months: dict[int, float] = defaultdict(float)
    explicit = by_source.get("monthly")
    if isinstance(explicit, dict):
        sources: Iterable[Any] = [explicit]
    else:
        sources = (v for v in by_source.values() if isinstance(v, dict))
    for per_month in sources:
        for key, value in per_month.items():
            month, amount = _month_of(key), _number(value)
            if month is not None and amount is not None:
                months[month] += amount
    return {m: round(v, 3) for m, v in sorted(months.items())}


SOURCE_LABELS = {  # 排放源
    "raw_coal": gettext_noop("Raw coal"),
    "fuel_oil": gettext_noop("Fuel oil"),
    "gasoline": gettext_noop("Gasoline"),
    "diesel": gettext_noop("Diesel"),
    "lpg": gettext_noop("LPG"),
    "natural_gas": gettext_noop("Natural gas"),
    "electricity": gettext_noop("Purchased electricity"),
    "heat": gettext_noop("Purchased heat"),
    "exported_electricity": gettext_noop("Exported electricity"),
    "exported_heat": gettext_noop("Exported heat"),
}


def source_label(source: str) -> str:
    text = SOURCE_LABELS.get(source)
    return _(text) if text else source


def source_totals(account: EnterpriseAccount) -> list[tuple[str, float]]:
    """tCO2 by emission source for the year (its name in the page's language), largest
    first."""
    by_source = account.by_source if isinstance(account.by_source, dict) else {}
    totals = []
    for source, value in by_source.items():
        if source == "monthly":
            continue
        if isinstance(value, dict):
            amount: float | None = sum(_number(v) or 0.0 for v in value.values())
        else:
            amount = _number(value)
        if amount is not None:
            totals.append((source_label(str(source)), round(amount, 3)))
    return sorted(totals, key=lambda item: -abs(item[1]))


def trend(history: list[EnterpriseAccount]) -> dict[str, Any]:
    """Chart data for an enterprise: tCO2 by month, one line per year; and the yearly totals."""
    months = list(range(1, 13))
    lines = []
    for account in history:
        per_month = monthly_totals(account)
        if per_month:
            lines.append({"name": str(account.year), "data": [per_month.get(m) for m in months]})
    return {
        "months": [str(MONTHS_3[m]).capitalize() for m in months],
        "lines": lines,
        "years": [str(a.year) for a in history],
        "totals": [round(a.total_tco2, 2) for a in history],
        "intensity": [round(a.intensity, 4) if a.intensity is not None else None for a in history],
        "labels": {"tco2": _("Emissions (tCO2)"), "intensity": _("Intensity")},
    }


# --- the grade and its rule ----------------------------------------------------------------


def _floats(values: Iterable[object], default: list[float]) -> list[float]:
    found = [_number(v) for v in values]
    return [v for v in found if v is not None] or default


def grade_rule(
    *, weights: Iterable[object] | None = None, cuts: Iterable[object] | None = None
) -> dict[str, Any]:
    """The rule beside each grade: dimension weights and the colour cut-offs (from settings
    unless given, e.g. as a run recorded them)."""
    given_weights = settings.CARBON_WEIGHTS if weights is None else weights
    given_cuts = settings.CARBON_COLOUR_CUTS if cuts is None else cuts
    shares = _floats(given_weights, [1.0, 1.0, 1.0])[:3]
    while len(shares) < 3:
        shares.append(0.0)
    total = sum(shares) or 1.0
    bounds = sorted(_floats(given_cuts, [0.25, 0.5, 0.75]))[:3]
    while len(bounds) < 3:
        bounds.append(1.0)
    labels = dimension_labels()
    bands = [
        (Colour.RED, None, bounds[0]),
        (Colour.YELLOW, bounds[0], bounds[1]),
        (Colour.LIGHT_GREEN, bounds[1], bounds[2]),
        (Colour.DARK_GREEN, bounds[2], None),
    ]
    return {
        "weights": [
            {
                "dimension": d,
                "label": labels[d],
                "weight": w,
                "share": round(100 * w / total, 1),
            }
            for d, w in zip(DIMENSIONS, shares, strict=True)
        ],
        "bands": [
            {
                "colour": c.value,
                "label": c.label,
                "hex": COLOUR_HEX[c],
                "low": low,
                "high": high,
            }
            for c, low, high in bands
        ],
    }


def dimension_labels() -> dict[str, str]:
    return {
        "advancement": _("Industry advancement"),
        "contribution": _("Regional contribution"),
        "decline": _("Historical decline"),
    }


EXPLANATION_LABELS = {
    "intensity": gettext_noop("Carbon intensity (tCO2 per 10,000 yuan)"),
    "industry_intensity": gettext_noop("Industry average intensity"),
    "industry_enterprises": gettext_noop("Enterprises in the industry"),
    "ratio": gettext_noop("Dimension value"),
    "score": gettext_noop("Score within the industry"),
    "tco2": gettext_noop("Emissions (tCO2)"),
    "county_tco2": gettext_noop("County emissions (tCO2)"),
    "emissions_share": gettext_noop("Share of the county's emissions"),
    "gross_output": gettext_noop("Gross output (10,000 yuan)"),
    "county_gross_output": gettext_noop("County gross output (10,000 yuan)"),
    "output_share": gettext_noop("Share of the county's output"),
    "available": gettext_noop("Earlier years available"),
    "baseline_intensity": gettext_noop("Intensity of earlier years"),
    "history_years": gettext_noop("Earlier years compared"),
    "decline": gettext_noop("Decline of intensity"),
}
SHARES = frozenset({"emissions_share", "output_share"})


def _explain_label(key: str) -> str:
    text = EXPLANATION_LABELS.get(key)
    return _(text) if text else key.replace("_", " ")


def _explain_value(key: str, value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    number = _number(value)
    if number is None:
        return str(value)
    if key in SHARES:
        return f"{100 * number:.2f}%"
    if number == int(number) and abs(number) < 1e15:
        return f"{int(number):,}"
    return f"{number:,.4f}".rstrip("0").rstrip(".")


def explanation_rows(account: EnterpriseAccount) -> list[dict[str, Any]]:
    """Each dimension with its value and the numbers behind it, in the rule's order."""
    explanation = account.explanation if isinstance(account.explanation, dict) else {}
    labels = dimension_labels()
    rule = {w["dimension"]: w for w in account_rule(account)["weights"]}
    rows = []
    for dimension in DIMENSIONS:
        behind = explanation.get(dimension)
        facts: list[tuple[str, str]] = []
        note = ""
        if isinstance(behind, dict):
            for key, value in behind.items():
                if key in ("note", "text", "reason"):
                    note = str(value)
                else:
                    facts.append((_explain_label(str(key)), _explain_value(str(key), value)))
            if dimension == "decline" and behind.get("available") is False:
                note = _(
                    "No earlier year with a complete account to compare with, so this "
                    "dimension is left out."
                )
        elif behind not in (None, ""):
            note = str(behind)
        rows.append(
            {
                "dimension": dimension,
                "label": labels[dimension],
                "value": getattr(account, dimension),
                "weight": rule[dimension]["share"],
                "facts": facts,
                "note": note,
            }
        )
    return rows


def account_rule(account: EnterpriseAccount) -> dict[str, Any]:
    """The rule the run applied to this account (as it recorded it), else today's settings."""
    explanation = account.explanation if isinstance(account.explanation, dict) else {}
    applied = explanation.get("rule")
    if isinstance(applied, dict):
        weights = applied.get("weights")
        cuts = applied.get("cuts")
        if isinstance(weights, dict) and isinstance(cuts, list):
            return grade_rule(weights=[weights.get(d) for d in DIMENSIONS], cuts=cuts)
    return grade_rule()


def efficiency_facts(account: EnterpriseAccount) -> list[tuple[str, str]]:
    """L, the industry's average L and K behind the carbon-efficiency level."""
    explanation = account.explanation if isinstance(account.explanation, dict) else {}
    code = explanation.get("efficiency_code")
    if not isinstance(code, dict):
        return []
    return [
        (_("L: intensity (tCO2 per 10,000 yuan)"), _explain_value("L", code.get("L"))),
        (_("Industry average L"), _explain_value("L", code.get("industry_average_L"))),
        (_("K = L ÷ industry average L"), _explain_value("K", code.get("K"))),
    ]


def account_position(account: EnterpriseAccount) -> str:
    """The composite score's position (quantile) within the industry, as a percentage."""
    explanation = account.explanation if isinstance(account.explanation, dict) else {}
    number = _number(explanation.get("position"))
    return f"{100 * number:.1f}%" if number is not None else ""


def efficiency_levels() -> list[dict[str, Any]]:
    """The 碳效码 levels with their K ranges, for the legend beside a level."""
    levels = []
    for level, low, high in EFFICIENCY_LEVELS:
        if low is None:
            text = f"K ≤ {high}"
        elif high is None:
            text = f"K > {low}"
        else:
            text = f"{low} < K ≤ {high}"
        levels.append({"level": level, "range": text, "hex": LEVEL_HEX[level]})
    return levels


PROBLEM_TEXTS = {
    "missing_months": gettext_noop("Months are missing from the energy data."),
    "negative_readings": gettext_noop("Some energy readings are negative and were left out."),
    "no_industry": gettext_noop(
        "The enterprise has no industry code, so it cannot be compared with its industry."
    ),
    "no_industry_code": gettext_noop(
        "The enterprise has no industry code, so it cannot be compared with its industry."
    ),
    "no_county": gettext_noop(
        "The enterprise has no county, so its regional contribution cannot be computed."
    ),
    "zero_output": gettext_noop(
        "The output or value added is zero or missing, so no intensity can be computed."
    ),
    "missing_output_months": gettext_noop("Months are missing from the output data."),
}


def problem_rows(problems: object) -> list[dict[str, str]]:
    """Problems in plain words: the known codes explained, the run's detail beside them."""
    rows = []
    for problem in problems if isinstance(problems, list) else []:
        if isinstance(problem, dict):
            code = str(problem.get("code", ""))
            detail = str(problem.get("detail", "") or "")
        else:
            code, detail = str(problem), ""
        text = PROBLEM_TEXTS.get(code)
        rows.append({"code": code, "text": _(text) if text else code, "detail": detail})
    return rows


def no_grade_reason(account: EnterpriseAccount) -> str:
    """Why the account has no colour, in one sentence ("" when it has one)."""
    if account.colour:
        return ""
    problems = problem_rows(account.problems)
    if problems:
        reasons = "; ".join(p["text"].rstrip(".。") for p in problems)
        return _("No grade because: %(reasons)s.") % {"reasons": reasons}
    return _("No grade because the run could not evaluate this enterprise.")


# --- divisions -----------------------------------------------------------------------------


def county_names() -> dict[str, str]:
    zh = _zh()
    return {
        d.code: (d.name if zh else (d.name_en or d.name))
        for d in Division.objects.filter(level=Division.Level.COUNTY).order_by("code")
    }


def industry_division(code: str) -> str:
    """The GB/T 4754 division (大类) of an industry code: C2611 → C26, 2611 → 26."""
    if not code:
        return ""
    return code[:3] if code[0].isalpha() else code[:2]


# --- dashboards ----------------------------------------------------------------------------


def _quartiles(values: list[float]) -> list[float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        position = q * (len(ordered) - 1)
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return [round(at(q), 4) for q in (0, 0.25, 0.5, 0.75, 1)]


def dashboard(*, run: AccountingRun, county: str = "") -> dict[str, Any]:
    """Figures and chart data of one run (optionally one county)."""
    names = county_names()
    accounts = list(
        account_list(run=run, county=county).only(
            "credit_code",
            "name",
            "county_code",
            "industry_code",
            "total_tco2",
            "intensity",
            "colour",
            "efficiency_level",
            "by_source",
        )
    )
    by_county: dict[str, float] = defaultdict(float)
    colours_by_county: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_industry: dict[str, float] = defaultdict(float)
    intensity_by_industry: dict[str, list[float]] = defaultdict(list)
    by_month: dict[int, float] = defaultdict(float)
    colours: dict[str, int] = defaultdict(int)
    levels: dict[int, int] = defaultdict(int)
    for account in accounts:
        by_county[account.county_code] += account.total_tco2
        colours_by_county[account.county_code][account.colour or "none"] += 1
        division = industry_division(account.industry_code) or "—"
        by_industry[division] += account.total_tco2
        if account.intensity is not None:
            intensity_by_industry[division].append(account.intensity)
        for month, amount in monthly_totals(account).items():
            by_month[month] += amount
        colours[account.colour or "none"] += 1
        if account.efficiency_level:
            levels[account.efficiency_level] += 1
    county_codes = sorted(by_county)
    industries = sorted(by_industry, key=lambda k: -by_industry[k])
    boxed = sorted(intensity_by_industry, key=lambda k: -len(intensity_by_industry[k]))
    boxed = sorted(boxed[:INDUSTRIES_SHOWN])
    top = accounts[:TOP]
    graded = [a for a in accounts if a.colour]
    intensities = sorted(a.intensity for a in accounts if a.intensity is not None)
    sectors = sector_summary(run=run, county=county)
    colour_series = [
        {
            "colour": c.value,
            "name": str(c.label),
            "hex": COLOUR_HEX[c],
            "data": [colours_by_county[code].get(c.value, 0) for code in county_codes],
        }
        for c in COLOUR_ORDER
    ] + [
        {
            "colour": "none",
            "name": _("No grade"),
            "hex": "#adb5bd",
            "data": [colours_by_county[code].get("none", 0) for code in county_codes],
        }
    ]
    return {
        "figures": {
            "enterprises": len(accounts),
            "graded": len(graded),
            "total_tco2": round(sum(a.total_tco2 for a in accounts), 1),
            "median_intensity": _quartiles(intensities)[2] if intensities else None,
            "red": colours.get(Colour.RED, 0),
            "dark_green": colours.get(Colour.DARK_GREEN, 0),
        },
        "colours": [
            {
                "colour": c.value,
                "label": c.label,
                "hex": COLOUR_HEX[c],
                "count": colours.get(c.value, 0),
            }
            for c in COLOUR_ORDER
        ],
        "ungraded": colours.get("none", 0),
        "levels": [
            {"level": lv, "count": levels.get(lv, 0), "hex": LEVEL_HEX[lv]} for lv in range(1, 6)
        ],
        "counties": [
            {
                "code": c,
                "name": names.get(c, c),
                "tco2": round(by_county[c], 1),
                "colours": [colours_by_county[c].get(k, 0) for k in [*COLOUR_ORDER, "none"]],
            }
            for c in county_codes
        ],
        "industries": [{"code": i, "tco2": round(by_industry[i], 1)} for i in industries],
        "months": [{"month": m, "tco2": round(by_month[m], 1)} for m in sorted(by_month)],
        "top": top,
        "boxes": [
            {
                "industry": i,
                "n": len(intensity_by_industry[i]),
                "box": _quartiles(intensity_by_industry[i]),
            }
            for i in boxed
        ],
        "sectors": sectors,
        "chart": {
            "county": {
                "names": [names.get(c, c) for c in county_codes],
                "tco2": [round(by_county[c], 1) for c in county_codes],
                "colours": colour_series,
            },
            "industry": {
                "names": industries[:15],
                "tco2": [round(by_industry[i], 1) for i in industries[:15]],
            },
            "month": {
                "names": [str(m) for m in sorted(by_month)],
                "tco2": [round(by_month[m], 1) for m in sorted(by_month)],
            },
            "top": {
                "names": [a.name for a in reversed(top)],
                "tco2": [round(a.total_tco2, 1) for a in reversed(top)],
            },
            "box": {
                "names": boxed,
                "boxes": [_quartiles(intensity_by_industry[i]) for i in boxed],
            },
            "sectors": sectors["chart"],
            "labels": {
                "tco2": _("Emissions (tCO2)"),
                "intensity": _("Intensity (tCO2 per 10,000 yuan)"),
                "enterprises": _("Enterprises"),
            },
        },
    }


def sector_summary(*, run: AccountingRun, county: str = "") -> dict[str, Any]:
    """The five other domains' emissions by county (tCO2) and their activities."""
    names = county_names()
    sectors = SectorAccount.objects.filter(run=run)
    if county:
        sectors = sectors.filter(county_code=county)
    totals: dict[tuple[str, str], float] = defaultdict(float)
    rows = list(sectors)
    for row in rows:
        totals[(row.domain, row.county_code)] += row.tco2
    counties = sorted({c for _d, c in totals})
    domains = [d for d in Domain if d != Domain.INDUSTRY and any(k[0] == d for k in totals)]
    table = [
        {
            "county": names.get(c, c),
            "values": [round(totals.get((d.value, c), 0.0), 1) for d in domains],
            "total": round(sum(totals.get((d.value, c), 0.0) for d in domains), 1),
        }
        for c in counties
    ]
    return {
        "domains": [d.label for d in domains],
        "table": table,
        "activities": rows,
        "chart": {
            "names": [names.get(c, c) for c in counties],
            "series": [
                {
                    "name": str(d.label),
                    "data": [round(totals.get((d.value, c), 0.0), 1) for c in counties],
                }
                for d in domains
            ],
        },
    }


def run_problems(run: AccountingRun) -> list[dict[str, Any]]:
    """The run report's problem counts in plain words."""
    problems = run.report.get("problems", {}) if isinstance(run.report, dict) else {}
    rows = []
    if isinstance(problems, dict):
        for code, count in problems.items():
            text = PROBLEM_TEXTS.get(str(code))
            rows.append({"code": code, "text": _(text) if text else code, "count": count})
    return rows


# --- green finance -------------------------------------------------------------------------


def bank_departments() -> QuerySet[Department]:
    """Organisations whose staff hold the bank role (data consumers for 碳账户金融)."""
    return (
        Department.objects.filter(members__role_grants__role="bank", members__is_active=True)
        .distinct()
        .order_by("code")
    )


def authorisation_list(*, credit_code: str) -> QuerySet[BankAuthorisation]:
    return BankAuthorisation.objects.filter(credit_code=credit_code).select_related(
        "bank", "granted_by"
    )


def authorisations_for_bank(*, bank: Department) -> QuerySet[BankAuthorisation]:
    """The enterprises' authorisations of ``bank`` still in force, newest first."""
    return BankAuthorisation.objects.filter(
        bank=bank, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("credit_code", "-granted_at")


def authorisation_live(*, credit_code: str, bank: Department) -> BankAuthorisation | None:
    return (
        BankAuthorisation.objects.filter(
            credit_code=credit_code,
            bank=bank,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-expires_at")
        .first()
    )


def loan_products(*, bank: Department) -> QuerySet[LoanProduct]:
    return LoanProduct.objects.filter(bank=bank)


def bank_grants(*, user: Any, bank: Department) -> list[Grant]:
    """The user's grants to the grade dataset for ``bank`` (the grant's using department),
    live ones first, then the newest."""
    grants = list(
        Grant.objects.filter(
            grantee_id=getattr(user, "pk", None), department=bank, dataset__code=ANNUAL_DATASET
        )
        .select_related("dataset")
        .order_by("-starts_at", "-id")
    )
    return sorted(grants, key=lambda g: not g.is_active())


def colour_label(value: object) -> str:
    try:
        return str(Colour(str(value)).label)
    except ValueError:
        return str(value or "")


def colour_hex(value: object) -> str:
    try:
        return COLOUR_HEX[Colour(str(value))]
    except ValueError:
        return "#adb5bd"


def as_float(value: object) -> float | None:
    return _number(value)


def mapping_get(row: Mapping[str, Any], *names: str) -> Any:
    """The first of ``names`` present in a row (granted rows carry only the granted fields)."""
    for name in names:
        if name in row and row[name] not in (None, ""):
            return row[name]
    return None


def field_labels(*, dataset_code: str = ANNUAL_DATASET) -> dict[str, str]:
    """Column name → label of a catalogued dataset, in the reader's language."""
    zh = _zh()
    return {
        f.name: (f.label if zh else (f.label_en or f.label))
        for f in Field.objects.filter(dataset__code=dataset_code)
    }
