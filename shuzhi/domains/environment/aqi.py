"""Air quality index (空气质量指数, AQI) per HJ 633, as versioned data, scalar and vectorised.

Two editions are tables here, chosen by the date of the reading (:func:`edition_for`):
HJ 633-2012, and HJ 633-2026 (in force from 2026-03-01), which lowers the IAQI-100 breakpoint
of PM2.5 (75 → 60 µg/m³) and of PM10 (150 → 120 µg/m³); every other row is unchanged. Units
are µg/m³, except CO in mg/m³.

Pollutant keys (the API's): ``PM2.5``, ``PM10``, ``SO2``, ``NO2``, ``CO``, ``O3_8h``, ``O3_1h``.

Two report periods (报告时段):

* ``daily`` (日报): SO2, NO2, CO, PM10 and PM2.5 are 24-hour averages and use the 24-hour
  breakpoints; ``O3_1h`` is the day's maximum 1-hour value and ``O3_8h`` the day's maximum
  8-hour moving average.
* ``hourly`` (实时报): SO2, NO2 and CO are 1-hour averages and use the 1-hour breakpoints;
  PM10 and PM2.5 have only 24-hour breakpoints, so the caller gives their 24-hour moving
  averages (:func:`moving_average_24h`); ``O3_1h`` is the 1-hour value and ``O3_8h`` the
  8-hour moving average (:func:`moving_average_8h`).

Rules (HJ 633-2012 §5 and the notes of its table 1):

* IAQI (空气质量分指数) = (IAQI_hi − IAQI_lo) / (BP_hi − BP_lo) × (C − BP_lo) + IAQI_lo,
  rounded **up** to an integer; AQI = the largest IAQI. A concentration exactly on a
  breakpoint gives that breakpoint's IAQI (the segments meet there). The rounding ignores a
  floating-point excess below 1e-9, so that 106.00000000000001 stays 106.
* SO2 1-hour above 800: no 1-hour IAQI; SO2 is reported by its 24-hour sub-index. The
  real-time report has no 24-hour SO2, so the concentration is read against the 24-hour
  breakpoints (both scales give IAQI 200 at 800, so the sub-index stays continuous).
* O3 8-hour above 800: no 8-hour IAQI; O3 is reported by its 1-hour sub-index. When
  ``O3_1h`` is given, ``O3_8h`` is left out of the IAQI; otherwise the 8-hour value is read
  against the 1-hour breakpoints (both give IAQI 300 at 800).
* Above the top breakpoint (IAQI 500) the IAQI is 500: the standard defines no higher value
  (the scale is "off the chart", 爆表).
* Primary pollutants (首要污染物): only when AQI > 50, every pollutant whose IAQI equals the AQI.
  Exceeding pollutants (超标污染物): IAQI > 100.
* Levels (级别), categories (类别) and colours: see :data:`LEVELS`.

>>> r = compute_aqi({"PM2.5": 80, "PM10": 120, "SO2": 20, "NO2": 45, "CO": 1.0,
...                  "O3_8h": 130}, period="daily", day=date(2025, 6, 1))
>>> (r.aqi, r.level, r.category, r.color, r.primary_pollutants, r.edition)
(107, 3, '轻度污染', '#FF7E00', ('PM2.5',), 'HJ 633-2012')
>>> compute_aqi({"PM2.5": 80}, period="daily", day=date(2026, 3, 1)).aqi
119
>>> moving_average_8h([None, 20, 30, 40, 50, 60, 70, 80])[-1]
50.0
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from .values import InvalidValue, non_negative_numbers

__all__ = [
    "EDITIONS",
    "EDITION_2012",
    "EDITION_2026",
    "IAQI_SCALE",
    "LEVELS",
    "PERIODS",
    "POLLUTANTS",
    "AqiResult",
    "InvalidConcentration",
    "Level",
    "aqi_arrays",
    "breakpoint_table",
    "compute_aqi",
    "daily_max_8h",
    "daily_mean_24h",
    "edition_for",
    "level_for",
    "mask_names",
    "moving_average_8h",
    "moving_average_24h",
    "sub_index",
]

# The API's pollutant keys, in this order everywhere (the bit order of the masks of aqi_arrays).
POLLUTANTS: tuple[str, ...] = ("PM2.5", "PM10", "SO2", "NO2", "CO", "O3_8h", "O3_1h")
PERIODS: tuple[str, ...] = ("daily", "hourly")  # 日报, 实时报

# IAQI at each breakpoint row of table 1 (空气质量分指数).
IAQI_SCALE: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)

# Concentration limits (污染物项目浓度限值) per row of IAQI_SCALE; a table stops where the
# standard gives "—" (SO2 1-hour at 800, O3 8-hour at 800).
_HJ633_2012: dict[str, tuple[float, ...]] = {
    "SO2_24h": (0, 50, 150, 475, 800, 1600, 2100, 2620),
    "SO2_1h": (0, 150, 500, 650, 800),
    "NO2_24h": (0, 40, 80, 180, 280, 565, 750, 940),
    "NO2_1h": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "PM10_24h": (0, 50, 150, 250, 350, 420, 500, 600),
    "CO_24h": (0, 2, 4, 14, 24, 36, 48, 60),
    "CO_1h": (0, 5, 10, 35, 60, 90, 120, 150),
    "O3_1h": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "O3_8h": (0, 100, 160, 215, 265, 800),
    "PM2.5_24h": (0, 35, 75, 115, 150, 250, 350, 500),
}

EDITION_2012 = "HJ 633-2012"
EDITION_2026 = "HJ 633-2026"

# Each edition with the first day it is in force (实施日期), oldest first.
EDITIONS: dict[str, tuple[date, dict[str, tuple[float, ...]]]] = {
    EDITION_2012: (date(2012, 2, 29), _HJ633_2012),
    EDITION_2026: (
        date(2026, 3, 1),
        {
            **_HJ633_2012,
            "PM10_24h": (0, 50, 120, 250, 350, 420, 500, 600),
            "PM2.5_24h": (0, 35, 60, 115, 150, 250, 350, 500),
        },
    ),
}

_ROUNDING_SLACK = 1e-9  # see "rounded up" in the module docstring


@dataclass(frozen=True)
class Level:
    """One AQI level (空气质量指数级别) with its category (类别) and colour."""

    level: int  # 1…6
    grade: str  # 一级 … 六级
    category: str  # the standard's Chinese category, e.g. 轻度污染
    category_en: str  # its English name (a msgid for the pages)
    color: str
    upper: int  # highest AQI of the level (the last is open-ended)


LEVELS: tuple[Level, ...] = (
    Level(1, "一级", "优", "Excellent", "#00E400", 50),
    Level(2, "二级", "良", "Good", "#FFFF00", 100),
    Level(3, "三级", "轻度污染", "Lightly polluted", "#FF7E00", 150),
    Level(4, "四级", "中度污染", "Moderately polluted", "#FF0000", 200),
    Level(5, "五级", "重度污染", "Heavily polluted", "#99004C", 300),
    Level(6, "六级", "严重污染", "Severely polluted", "#7E0023", 10**9),
)


class InvalidConcentration(InvalidValue):
    """A concentration that is unknown, negative or not a finite number; ``field`` names it."""


def edition_for(day: date) -> str:
    """The HJ 633 edition in force on ``day`` (the date of the reading).

    >>> edition_for(date(2026, 2, 28)), edition_for(date(2026, 3, 1))
    ('HJ 633-2012', 'HJ 633-2026')
    """
    chosen = EDITION_2012
    for name, (in_force, _table) in EDITIONS.items():
        if day >= in_force:
            chosen = name
    return chosen


def _check_edition(edition: str) -> dict[str, tuple[float, ...]]:
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; known: {', '.join(EDITIONS)}")
    return EDITIONS[edition][1]


def _check_period(period: str) -> None:
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; known: {', '.join(PERIODS)}")


def breakpoint_table(pollutant: str, *, period: str) -> str:
    """The name of the breakpoint table a pollutant is read against in a period.

    >>> breakpoint_table("SO2", period="daily"), breakpoint_table("SO2", period="hourly")
    ('SO2_24h', 'SO2_1h')
    >>> breakpoint_table("PM2.5", period="hourly")
    'PM2.5_24h'
    """
    _check_period(period)
    if pollutant in ("O3_8h", "O3_1h"):
        return pollutant
    if pollutant in ("PM2.5", "PM10"):
        return f"{pollutant}_24h"
    if pollutant in ("SO2", "NO2", "CO"):
        return f"{pollutant}_{'24h' if period == 'daily' else '1h'}"
    raise InvalidConcentration(pollutant, "unknown pollutant")


@functools.lru_cache(maxsize=64)
def _segments(limits: tuple[float, ...]) -> tuple[list[float], list[float], list[float]]:
    """Per segment j (1…n): its lower limit, lower IAQI and slope, in one float order."""
    lows = [float(limits[j - 1]) for j in range(1, len(limits))]
    iaqi_lows = [float(IAQI_SCALE[j - 1]) for j in range(1, len(limits))]
    slopes = [
        (IAQI_SCALE[j] - IAQI_SCALE[j - 1]) / (limits[j] - limits[j - 1])
        for j in range(1, len(limits))
    ]
    return lows, iaqi_lows, slopes


def sub_index(concentration: float, limits: tuple[float, ...]) -> int | None:
    """IAQI of one concentration against one breakpoint table, rounded up; ``None`` above a
    table that stops short of IAQI 500, and 500 above one that reaches it.

    >>> sub_index(80, _HJ633_2012["PM2.5_24h"]), sub_index(75, _HJ633_2012["PM2.5_24h"])
    (107, 100)
    >>> sub_index(900, _HJ633_2012["SO2_1h"]) is None, sub_index(700, _HJ633_2012["PM2.5_24h"])
    (True, 500)
    """
    if concentration <= 0:
        return 0
    if concentration > limits[-1]:
        return 500 if len(limits) == len(IAQI_SCALE) else None
    lows, iaqi_lows, slopes = _segments(limits)
    j = next(j for j in range(1, len(limits)) if concentration <= limits[j])
    value = slopes[j - 1] * (concentration - lows[j - 1]) + iaqi_lows[j - 1]
    return math.ceil(value - _ROUNDING_SLACK)


def level_for(aqi: int) -> Level:
    """The level of an AQI value.

    >>> level_for(50).category, level_for(51).category, level_for(301).grade
    ('优', '良', '六级')
    """
    return next(level for level in LEVELS if aqi <= level.upper)


@dataclass(frozen=True)
class AqiResult:
    """One AQI computation; ``aqi`` is ``None`` when no pollutant was given."""

    aqi: int | None
    level: int | None
    grade: str | None
    category: str | None
    category_en: str | None
    color: str | None
    primary_pollutants: tuple[str, ...]
    exceeding_pollutants: tuple[str, ...]
    iaqi: dict[str, int] = field(default_factory=dict)
    edition: str = EDITION_2012
    period: str = "daily"

    def as_dict(self) -> dict[str, Any]:
        """The API's answer (``POST /api/v1/environment/aqi``)."""
        return {
            "aqi": self.aqi,
            "level": self.level,
            "category": self.category,
            "color": self.color,
            "primary_pollutants": list(self.primary_pollutants),
            "exceeding_pollutants": list(self.exceeding_pollutants),
            "iaqi": dict(self.iaqi),
            "edition": self.edition,
        }


def _clean(concentrations: Mapping[str, Any]) -> dict[str, float]:
    """Known keys with finite, non-negative numbers; ``None`` means not given."""
    return non_negative_numbers(
        concentrations, POLLUTANTS, unknown="unknown pollutant", error=InvalidConcentration
    )


def compute_aqi(
    concentrations: Mapping[str, Any],
    *,
    period: str,
    day: date | None = None,
    edition: str | None = None,
) -> AqiResult:
    """AQI, IAQI per pollutant, primary and exceeding pollutants, level and edition.

    Give ``day`` (the reading's date, which picks the edition) or ``edition``. Pollutants
    that are absent or ``None`` are left out. Raises :class:`InvalidConcentration` for an
    unknown key or a negative or non-numeric value, and ``ValueError`` for an unknown
    period or edition.

    >>> r = compute_aqi({"SO2": 900}, period="hourly", edition="HJ 633-2012")
    >>> r.iaqi, r.exceeding_pollutants
    ({'SO2': 213}, ('SO2',))
    >>> compute_aqi({"O3_8h": 900, "O3_1h": 500}, period="daily", edition="HJ 633-2012").iaqi
    {'O3_1h': 225}
    """
    _check_period(period)
    if edition is None:
        if day is None:
            raise ValueError("give the day of the reading or the edition")
        edition = edition_for(day)
    tables = _check_edition(edition)
    given = _clean(concentrations)
    iaqi: dict[str, int] = {}
    for pollutant in POLLUTANTS:
        if pollutant not in given:
            continue
        c = given[pollutant]
        value = sub_index(c, tables[breakpoint_table(pollutant, period=period)])
        if value is None and pollutant == "SO2":  # 1-hour above 800: the 24-hour sub-index
            value = sub_index(c, tables["SO2_24h"])
        if value is None and pollutant == "O3_8h":  # 8-hour above 800: the 1-hour sub-index
            if "O3_1h" in given:
                continue
            value = sub_index(c, tables["O3_1h"])
        assert value is not None
        iaqi[pollutant] = value
    if not iaqi:
        return AqiResult(None, None, None, None, None, None, (), (), {}, edition, period)
    aqi = max(iaqi.values())
    level = level_for(aqi)
    primary = tuple(p for p, v in iaqi.items() if v == aqi) if aqi > 50 else ()
    exceeding = tuple(p for p, v in iaqi.items() if v > 100)
    return AqiResult(
        aqi,
        level.level,
        level.grade,
        level.category,
        level.category_en,
        level.color,
        primary,
        exceeding,
        iaqi,
        edition,
        period,
    )


# --- vectorised -------------------------------------------------------------------------


def _sub_index_array(c: npt.NDArray[np.float64], limits: tuple[float, ...]) -> Any:
    """Vectorised :func:`sub_index`: int64, -1 where ``c`` is NaN or above a short table."""
    lows, iaqi_lows, slopes = _segments(limits)
    lows_a = np.array(lows, dtype=np.float64)
    iaqi_lows_a = np.array(iaqi_lows, dtype=np.float64)
    slopes_a = np.array(slopes, dtype=np.float64)
    bps = np.array(limits, dtype=np.float64)
    j = np.searchsorted(bps, c, side="left")  # bps[j-1] < c <= bps[j]
    inside = (j >= 1) & (j < len(limits))
    seg = np.clip(j - 1, 0, len(lows) - 1)
    with np.errstate(invalid="ignore"):
        value = slopes_a[seg] * (c - lows_a[seg]) + iaqi_lows_a[seg]
        out = np.where(inside, np.ceil(value - _ROUNDING_SLACK), -1.0).astype(np.int64)
    out[c <= 0] = 0
    above = c > limits[-1]
    out[above] = 500 if len(limits) == len(IAQI_SCALE) else -1
    out[np.isnan(c)] = -1
    return out


def aqi_arrays(
    concentrations: Mapping[str, npt.ArrayLike], *, period: str, edition: str
) -> dict[str, npt.NDArray[Any]]:
    """The same rules as :func:`compute_aqi` over equal-length arrays of concentrations.

    NaN marks a value not given. Pollutants absent from the mapping are left out. Returns
    numpy arrays of the common length:

    * ``"aqi"`` int64, -1 where no pollutant was given;
    * ``"level"`` int8, 1…6, 0 where no pollutant was given;
    * ``"primary"`` and ``"exceeding"`` uint8 bitmasks: bit *i* (value ``1 << i``) is set for
      ``POLLUTANTS[i]`` — PM2.5 1, PM10 2, SO2 4, NO2 8, CO 16, O3_8h 32, O3_1h 64; decode
      with :func:`mask_names`;
    * ``"iaqi:<pollutant>"`` int64 for each pollutant of the mapping, -1 where not given
      (or, for O3_8h above 800 with O3_1h given, where the standard gives no 8-hour IAQI).

    Raises :class:`InvalidConcentration` for an unknown key or a negative value.

    >>> out = aqi_arrays({"PM2.5": np.array([80.0, np.nan]), "PM10": np.array([120.0, np.nan])},
    ...                  period="daily", edition="HJ 633-2012")
    >>> out["aqi"].tolist(), mask_names(int(out["primary"][0]))
    ([107, -1], ['PM2.5'])
    """
    _check_period(period)
    tables = _check_edition(edition)
    arrays: dict[str, npt.NDArray[np.float64]] = {}
    for key, values in concentrations.items():
        if key not in POLLUTANTS:
            raise InvalidConcentration(str(key), "unknown pollutant")
        a = np.asarray(values, dtype=np.float64)
        if np.any(a < 0):
            raise InvalidConcentration(key, "negative")
        if np.any(np.isinf(a)):
            raise InvalidConcentration(key, "not a finite number")
        arrays[key] = a
    shapes = {a.shape for a in arrays.values()}
    if len(shapes) > 1:
        raise ValueError("all concentration arrays must have the same shape")
    shape = shapes.pop() if shapes else (0,)
    iaqi: dict[str, Any] = {}
    for pollutant in POLLUTANTS:
        if pollutant not in arrays:
            continue
        c = arrays[pollutant]
        value = _sub_index_array(c, tables[breakpoint_table(pollutant, period=period)])
        if pollutant == "SO2" and period == "hourly":
            value = np.where(c > 800, _sub_index_array(c, tables["SO2_24h"]), value)
        if pollutant == "O3_8h":
            fallback = _sub_index_array(c, tables["O3_1h"])
            if "O3_1h" in arrays:
                fallback = np.where(np.isnan(arrays["O3_1h"]), fallback, -1)
            value = np.where(c > 800, fallback, value)
        iaqi[pollutant] = value
    aqi = np.full(shape, -1, dtype=np.int64)
    for value in iaqi.values():
        aqi = np.maximum(aqi, value)
    primary = np.zeros(shape, dtype=np.uint8)
    exceeding = np.zeros(shape, dtype=np.uint8)
    for pollutant, value in iaqi.items():
        bit = np.uint8(1 << POLLUTANTS.index(pollutant))
        primary |= np.where((aqi > 50) & (value == aqi), bit, np.uint8(0))
        exceeding |= np.where(value > 100, bit, np.uint8(0))
    uppers = np.array([level.upper for level in LEVELS[:-1]], dtype=np.int64)
    level = (np.searchsorted(uppers, aqi, side="left") + 1).astype(np.int8)
    level[aqi < 0] = 0
    out: dict[str, npt.NDArray[Any]] = {"aqi": aqi, "level": level, "primary": primary}
    out["exceeding"] = exceeding
    out.update({f"iaqi:{pollutant}": value for pollutant, value in iaqi.items()})
    return out


def mask_names(mask: int) -> list[str]:
    """The pollutants of a bitmask of :func:`aqi_arrays`.

    >>> mask_names(1 | 32)
    ['PM2.5', 'O3_8h']
    """
    return [p for i, p in enumerate(POLLUTANTS) if mask & (1 << i)]


# --- moving averages from hourly data ---------------------------------------------------
#
# Data-validity rules (数据有效性规定) of GB 3095-2012 table 4 and HJ 663-2013:
# * an 8-hour average (8小时平均) needs at least 6 valid hourly values in its 8 hours;
# * a 24-hour average (24小时平均) needs at least 20 valid hourly values in its 24 hours;
# * the daily maximum 8-hour average of O3 (日最大8小时平均) is the largest of the 17 8-hour
#   averages whose windows lie inside the natural day (ending 08:00 … 24:00); it needs at
#   least 14 valid ones, unless the largest valid one already exceeds the 8-hour limit of
#   GB 3095-2012 grade II (160 µg/m³), in which case it stands (an exceedance is certain).
# An hour is given as a number, or None when missing or invalid. Hours before the start of
# a series count as missing, so give the previous hours when the window reaches back.
# Averages are not rounded; round them as HJ 663 asks before comparing with limits.

O3_8H_LIMIT_GRADE_II = 160.0


def _moving_average(
    hourly: Sequence[float | None], window: int, min_valid: int
) -> list[float | None]:
    out: list[float | None] = []
    for i in range(len(hourly)):
        values = [v for v in hourly[max(0, i - window + 1) : i + 1] if v is not None]
        out.append(sum(values) / len(values) if len(values) >= min_valid else None)
    return out


def moving_average_8h(hourly: Sequence[float | None]) -> list[float | None]:
    """For each hour, the average of it and the 7 before, or None with fewer than 6 valid.

    >>> moving_average_8h([1, 2, 3, 4, 5, 6])[-2:]
    [None, 3.5]
    >>> moving_average_8h([1, None, None, 4, 5, 6, 7, 8, 9])[-1]
    6.5
    >>> moving_average_8h([None, None, None, 4, 5, 6, 7, 8])[-1] is None
    True
    """
    return _moving_average(hourly, 8, 6)


def moving_average_24h(hourly: Sequence[float | None]) -> list[float | None]:
    """For each hour, the average of it and the 23 before, or None with fewer than 20 valid.

    >>> moving_average_24h([10.0] * 19 + [None] * 5)[-1] is None
    True
    >>> moving_average_24h([10.0] * 20 + [None] * 4)[-1]
    10.0
    """
    return _moving_average(hourly, 24, 20)


def daily_mean_24h(day: Sequence[float | None]) -> float | None:
    """The 24-hour average of a natural day's 24 hourly values (at least 20 valid)."""
    if len(day) != 24:
        raise ValueError("give the 24 hourly values of the day, None where missing")
    return moving_average_24h(day)[-1]


def daily_max_8h(day: Sequence[float | None]) -> float | None:
    """The daily maximum 8-hour moving average of O3 from the day's 24 hourly values.

    >>> daily_max_8h([100.0] * 24)
    100.0
    >>> daily_max_8h([100.0] * 18 + [None] * 6) is None  # only 13 valid 8-hour windows
    True
    >>> daily_max_8h([200.0] * 18 + [None] * 6)  # but an exceedance stands
    200.0
    """
    if len(day) != 24:
        raise ValueError("give the 24 hourly values of the day, None where missing")
    windows = [v for v in moving_average_8h(day)[7:] if v is not None]
    if not windows:
        return None
    best = max(windows)
    if len(windows) >= 14 or best > O3_8H_LIMIT_GRADE_II:
        return best
    return None
