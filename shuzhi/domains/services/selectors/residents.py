"""Reads of the resident population."""

from __future__ import annotations

from datetime import date

from django.db.models import Count

from ..models import Resident

AGE_BANDS: tuple[tuple[int, int], ...] = ((0, 17), (18, 34), (35, 59), (60, 79), (80, 200))


def resident_count(*, county_code: str | None = None) -> int:
    qs = Resident.objects.all()
    return (qs.filter(county_id=county_code) if county_code else qs).count()


def resident_count_by_county() -> dict[str, int]:
    rows = Resident.objects.values("county_id").annotate(n=Count("id"))
    return {row["county_id"]: row["n"] for row in rows}


def resident_age_bands(*, today: date, county_code: str | None = None) -> list[tuple[str, int]]:
    """Residents per age band on ``today`` (one query per band, on birth-date ranges)."""
    qs = Resident.objects.all()
    if county_code:
        qs = qs.filter(county_id=county_code)
    bands = []
    for low, high in AGE_BANDS:
        born_after = _years_before(today, high + 1)
        born_until = _years_before(today, low)
        n = qs.filter(birth_date__gt=born_after, birth_date__lte=born_until).count()
        label = f"{low}–{high}" if high < 200 else f"{low}+"
        bands.append((label, n))
    return bands


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
