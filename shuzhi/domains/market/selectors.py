"""Reads of the enterprise registry."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any, Final

from django.db.models import Count, QuerySet
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Division

from .credit import CLASSES as CREDIT_CLASSES
from .models import CreditClass, CreditRun, Enterprise


def enterprise_list(*, county_code: str | None = None) -> QuerySet[Enterprise]:
    qs = Enterprise.objects.all()
    return qs.filter(county_id=county_code) if county_code else qs


def enterprise_count_by_county() -> dict[str, int]:
    rows = Enterprise.objects.values("county_id").annotate(n=Count("id"))
    return {row["county_id"]: row["n"] for row in rows}


def enterprise_count_by_section(*, county_code: str | None = None) -> list[tuple[str, str, int]]:
    """(section letter, section name, count) per GB/T 4754 section, largest first."""
    sections: dict[str, Promise | str] = dict(SECTION_NAMES)
    counts: dict[str, int] = {}
    for row in (
        enterprise_list(county_code=county_code).values("industry_code").annotate(n=Count("id"))
    ):
        letter = row["industry_code"][:1]
        counts[letter] = counts.get(letter, 0) + row["n"]
    return sorted(
        ((letter, str(sections.get(letter, letter)), n) for letter, n in counts.items()),
        key=lambda item: -item[2],
    )


# GB/T 4754-2017 sections (门类).
SECTION_NAMES: tuple[tuple[str, Promise], ...] = (
    ("A", _("Agriculture, forestry, animal husbandry and fishery")),
    ("B", _("Mining")),
    ("C", _("Manufacturing")),
    ("D", _("Electricity, heat, gas and water supply")),
    ("E", _("Construction")),
    ("F", _("Wholesale and retail trade")),
    ("G", _("Transport, storage and post")),
    ("H", _("Accommodation and catering")),
    ("I", _("Information transmission, software and IT services")),
    ("J", _("Finance")),
    ("K", _("Real estate")),
    ("L", _("Leasing and business services")),
    ("M", _("Scientific research and technical services")),
    ("N", _("Water conservancy, environment and public facilities management")),
    ("O", _("Resident services, repair and other services")),
    ("P", _("Education")),
    ("Q", _("Health and social work")),
    ("R", _("Culture, sports and entertainment")),
    ("S", _("Public administration, social security and social organisations")),
    ("T", _("International organisations")),
)


# --- Credit-risk classes ------------------------------------------------------------------------

CLASS_COLOURS: Final = {"A": "#198754", "B": "#0d6efd", "C": "#fd7e14", "D": "#dc3545"}
INDICATOR_LABELS: Final[dict[str, Promise]] = {
    "young": _("Established less than a year ago"),
    "irregular_status": _("Registration status not active"),
    "no_tax": _("No tax paid in the last four quarters"),
    "no_insured": _("No employee enrolled in social insurance"),
    "penalties": _("Administrative penalties (three years)"),
    "abnormal_listed": _("Listed as abnormal"),
    "related_risk": _("Related enterprises listed or penalised"),
    "complaints": _("Poor service ratings"),
    "patents": _("Granted patents (credit)"),
    "food_penalties": _("Food: penalties"),
    "equipment_penalties": _("Special equipment: penalties"),
}
GROUP_LABELS: Final[dict[str, Promise]] = {
    "basic": _("Basic attributes"),
    "dynamics": _("Business dynamics"),
    "supervision": _("Supervision records"),
    "related": _("Related parties"),
    "social": _("Social evaluation"),
    "professional": _("Professional (food, special equipment)"),
}


def credit_run_current() -> CreditRun | None:
    return CreditRun.objects.filter(is_current=True, state=CreditRun.State.COMPLETE).first()


def credit_run_latest() -> CreditRun | None:
    return CreditRun.objects.first()


def credit_class_of(run: CreditRun, credit_code: str) -> CreditClass | None:
    return CreditClass.objects.filter(run=run, credit_code=credit_code).first()


def credit_class_list(
    run: CreditRun, *, county: str = "", credit_class: str = ""
) -> QuerySet[CreditClass]:
    qs = CreditClass.objects.filter(run=run).order_by("score", "credit_code")
    if county:
        qs = qs.filter(county_code=county)
    if credit_class:
        qs = qs.filter(credit_class=credit_class)
    return qs


def explanation_rows(item: CreditClass) -> list[dict[str, object]]:
    """The stored explanation with labels, for the enterprise page."""
    return [
        {
            **driver,
            "label": str(INDICATOR_LABELS.get(str(driver["indicator"]), driver["indicator"])),
            "group_label": str(GROUP_LABELS.get(str(driver["group"]), driver["group"])),
        }
        for driver in item.explanation
    ]


def _county_names() -> dict[str, str]:
    zh = get_language_info_zh()
    return {
        d.code: (d.name if zh else (d.name_en or d.name))
        for d in Division.objects.filter(level=Division.Level.COUNTY).order_by("code")
    }


def get_language_info_zh() -> bool:
    return (get_language() or "").startswith("zh")


def credit_distribution(run: CreditRun) -> dict[str, object]:
    """Counts of each class by county and by industry section, as table rows and chart data."""
    classes = list(CREDIT_CLASSES)
    names = _county_names()
    sections: dict[str, Promise | str] = dict(SECTION_NAMES)
    by_county: dict[str, Counter[str]] = defaultdict(Counter)
    by_section: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for row in (
        CreditClass.objects.filter(run=run)
        .values("county_code", "industry_code", "credit_class")
        .annotate(n=Count("id"))
    ):
        by_county[row["county_code"] or ""][row["credit_class"]] += row["n"]
        by_section[(row["industry_code"] or "")[:1]][row["credit_class"]] += row["n"]
        totals[row["credit_class"]] += row["n"]

    def table(groups: dict[str, Counter[str]], label: Callable[[str], str]) -> list[dict[str, Any]]:
        return [
            {
                "code": code,
                "name": label(code),
                "counts": [groups[code][c] for c in classes],
                "total": sum(groups[code].values()),
            }
            for code in sorted(groups, key=lambda k: (-sum(groups[k].values()), k))
        ]

    unknown = str(_("Unknown"))
    counties = table(by_county, lambda code: names.get(code, code) if code else unknown)
    industries = table(
        by_section, lambda code: f"{code} {sections[code]}" if code in sections else unknown
    )
    labels = {c: str(CreditClass.Grade(c).label) for c in classes}

    def chart(rows: list[dict[str, Any]]) -> dict[str, object]:
        return {
            "names": [r["name"] for r in rows],
            "series": [
                {
                    "name": labels[c],
                    "hex": CLASS_COLOURS[c],
                    "data": [r["counts"][i] for r in rows],
                }
                for i, c in enumerate(classes)
            ],
        }

    return {
        "classes": [
            {"code": c, "label": labels[c], "count": totals[c], "hex": CLASS_COLOURS[c]}
            for c in classes
        ],
        "total": sum(totals.values()),
        "counties": counties,
        "industries": industries,
        "chart": {"county": chart(counties), "industry": chart(industries)},
    }


# --- The market hub: what each person can open (监管 · 检查 · 企业 · 公众) -------------------------


def hub_links(user: Any) -> list[dict[str, object]]:
    """The market pages ``user`` may open, grouped by audience, for the hub on the index page.

    Regulators (a market department: city or county) get the casework; any ``market.view``
    holder the registry, inspections overview, traceability and quality; inspectors in the pool
    their drawn inspections; everyone the public pages."""
    from shuzhi.platform.security.permissions import has_perm

    from .models import Inspector
    from .permissions import regulator_reach

    reach = regulator_reach(user)
    view = has_perm(user, "market.view")
    groups: list[dict[str, object]] = []
    staff: list[tuple[str, Promise]] = []
    if view:
        staff += [
            ("market:registry", _("Enterprise registry and life cycle")),
            ("market:inspections", _("Random inspection plans")),
            ("market:trace", _("Traceability and recalls")),
            ("market:quality", _("Product quality")),
        ]
    if reach is not None:
        staff += [
            ("market:cases", _("Cases")),
            ("market:repairs", _("Credit repair applications")),
            ("market:inspection_pool", _("Inspector pool")),
            ("market:complaints", _("Infringement complaints")),
        ]
    if staff:
        groups.append({"title": _("Regulation"), "links": staff})
    if (
        has_perm(user, "market.inspect")
        and Inspector.objects.filter(user_id=getattr(user, "pk", 0) or 0, active=True).exists()
    ):
        groups.append(
            {"title": _("Inspection"), "links": [("market:inspections_mine", _("My inspections"))]}
        )
    groups.append(
        {
            "title": _("Public"),
            "links": [
                ("market:deregistration_notices", _("Deregistration notices")),
                ("market:lenient", _("Lenient-supervision lists")),
                ("market:inspections_public", _("Random inspection results")),
            ],
        }
    )
    return groups
