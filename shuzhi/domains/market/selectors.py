"""Reads of the enterprise registry."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Enterprise


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
