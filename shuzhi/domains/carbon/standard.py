"""Carbon accounting by the standard (碳排放核算标准): pure Python, no Django.

The formulas follow the GB/T 32150-2015 family (see docs STANDARDS.md, "Carbon accounting"):

* fuel combustion (化石燃料燃烧) CO2 = quantity × NCV × carbon content × oxidation × 44/12;
* purchased electricity (净购入电力) = MWh × grid factor (tCO2/MWh) of the year and region;
* purchased heat (净购入热力) = GJ × heat factor (default 0.11 tCO2/GJ);
* total = combustion + process + purchased electricity/heat − exported electricity/heat.

A :class:`FactorTable` is one versioned set of factors (fuel parameters, grid factors, the heat
factor and the activity factors of the five non-industrial domains); every result names the
version it used. :data:`DEFAULT_FACTORS` (version ``default-2024``) is the built-in set.

>>> r = calculate([{"source": "raw_coal", "quantity": 100, "unit": "t"}], DEFAULT_FACTORS,
...               year=2023, region="330800")
>>> r.total_tco2, r.factor_version
(190.03, 'default-2024')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

CO2_PER_C: Final = 44 / 12  # molecular mass ratio CO2 / C

# --- Sources and units -------------------------------------------------------------------------

# Fuels (燃料) of the default table, in the order of STANDARDS.md.
FUELS: Final = ("raw_coal", "fuel_oil", "gasoline", "diesel", "lpg", "natural_gas")
ELECTRICITY: Final = "electricity"  # 购入电力
HEAT: Final = "heat"  # 购入热力
EXPORTED_ELECTRICITY: Final = "exported_electricity"  # 输出电力
EXPORTED_HEAT: Final = "exported_heat"  # 输出热力
SOURCES: Final = (*FUELS, ELECTRICITY, HEAT, EXPORTED_ELECTRICITY, EXPORTED_HEAT)
EXPORTS: Final = frozenset({EXPORTED_ELECTRICITY, EXPORTED_HEAT})

# Base unit of each source and the units accepted for it, with the factor to the base unit.
_MASS: Final = {"t": 1.0, "kg": 0.001}
_GAS: Final = {"10^4Nm3": 1.0, "Nm3": 1e-4}
_POWER: Final = {"MWh": 1.0, "kWh": 0.001}
_ENERGY: Final = {"GJ": 1.0}
UNITS: Final[dict[str, dict[str, float]]] = {
    "raw_coal": _MASS,
    "fuel_oil": _MASS,
    "gasoline": _MASS,
    "diesel": _MASS,
    "lpg": _MASS,
    "natural_gas": _GAS,
    ELECTRICITY: _POWER,
    HEAT: _ENERGY,
    EXPORTED_ELECTRICITY: _POWER,
    EXPORTED_HEAT: _ENERGY,
}
BASE_UNIT: Final = {source: next(iter(units)) for source, units in UNITS.items()}

# Unit conversions for the activity factors of the other domains: (from, to) -> multiplier.
CONVERSIONS: Final[dict[tuple[str, str], float]] = {
    **{(u, "t"): m for u, m in _MASS.items()},
    **{(u, "10^4Nm3"): m for u, m in _GAS.items()},
    **{(u, "MWh"): m for u, m in _POWER.items()},
    ("GJ", "GJ"): 1.0,
    ("ha", "ha"): 1.0,
    ("mu", "ha"): 1 / 15,  # 亩: 1 ha = 15 mu
    ("t N", "t N"): 1.0,
    ("kg N", "t N"): 0.001,
}


def convert(quantity: float, unit: str, to: str) -> float:
    """``quantity`` in ``unit`` expressed in ``to``; ValueError for an unknown pair.

    >>> convert(2500, "kWh", "MWh")
    2.5
    >>> convert(30, "mu", "ha")
    2.0
    """
    if unit == to:
        return float(quantity)
    try:
        return float(quantity) * CONVERSIONS[(unit, to)]
    except KeyError:
        raise ValueError(f"cannot convert {unit} to {to}") from None


# --- Factors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FuelParams:  # 燃料排放参数
    """One fuel's parameters: NCV (GJ per unit), carbon content (tC/TJ), oxidation rate."""

    fuel: str
    ncv: float
    ncv_unit: str  # "GJ/t" or "GJ/10^4Nm3"
    carbon_content: float
    oxidation: float
    source: str

    @property
    def unit(self) -> str:
        """The activity unit the NCV is per (``t`` or ``10^4Nm3``)."""
        return self.ncv_unit.split("/", 1)[1]

    @property
    def factor(self) -> float:
        """tCO2 per unit: NCV × carbon content × oxidation × 44/12 (GJ·tC/TJ → /1000).

        >>> round(DEFAULT_FUELS["raw_coal"].factor, 4)
        1.9003
        >>> round(DEFAULT_FUELS["natural_gas"].factor, 3)
        21.622
        """
        return self.ncv * self.carbon_content / 1000 * self.oxidation * CO2_PER_C


@dataclass(frozen=True)
class GridFactorDef:  # 电网排放因子
    year: int
    region: str  # a GB/T 2260 code ("330000"), "east_china" or "national"
    value: float  # tCO2/MWh
    source: str


@dataclass(frozen=True)
class ActivityFactorDef:  # 领域活动排放因子
    domain: str  # energy, buildings, transport, agriculture, household
    activity: str
    unit: str
    value: float  # tCO2 per unit; negative for a sink (碳汇)
    source: str


_PROVINCIAL = "省级温室气体清单编制指南 default (provincial inventory set, STANDARDS.md)"
DEFAULT_FUELS: Final[dict[str, FuelParams]] = {
    f.fuel: f
    for f in (
        FuelParams("raw_coal", 20.908, "GJ/t", 26.37, 0.94, _PROVINCIAL),
        FuelParams("fuel_oil", 41.816, "GJ/t", 21.1, 0.98, _PROVINCIAL),
        FuelParams("gasoline", 43.070, "GJ/t", 18.9, 0.98, _PROVINCIAL),
        FuelParams("diesel", 42.652, "GJ/t", 20.2, 0.98, _PROVINCIAL),
        FuelParams("lpg", 50.179, "GJ/t", 17.2, 0.98, _PROVINCIAL),
        FuelParams("natural_gas", 389.31, "GJ/10^4Nm3", 15.3, 0.99, _PROVINCIAL),
    )
}

NATIONAL: Final = "national"
EAST_CHINA: Final = "east_china"
# Provinces served by the East China grid (华东电网): Shanghai, Jiangsu, Zhejiang, Anhui, Fujian.
EAST_CHINA_PROVINCES: Final = frozenset({"31", "32", "33", "34", "35"})

DEFAULT_GRID: Final[tuple[GridFactorDef, ...]] = (
    GridFactorDef(2021, NATIONAL, 0.5568, "MEE/NBS announcement: 2021 national grid average"),
    GridFactorDef(2022, NATIONAL, 0.5366, "MEE/NBS announcement: 2022 national grid average"),
    GridFactorDef(2023, NATIONAL, 0.5306, "MEE/NBS announcement: 2023 national grid average"),
    GridFactorDef(2022, EAST_CHINA, 0.5617, "MEE/NBS announcement: 2022 East China grid"),
    GridFactorDef(2023, EAST_CHINA, 0.5500, "MEE/NBS announcement: 2023 East China grid"),
    GridFactorDef(2021, "330000", 0.5422, "MEE/NBS announcement: 2021 Zhejiang provincial (M)"),
    GridFactorDef(2022, "330000", 0.5153, "MEE/NBS announcement: 2022 Zhejiang provincial (M)"),
)

DEFAULT_HEAT_FACTOR: Final = 0.11
DEFAULT_HEAT_SOURCE: Final = (
    "NDRC GHG accounting guidelines for enterprises (24 industries): purchased heat 0.11 tCO2/GJ"
)

_LOCAL = "local assumption"
_ZJ_GRID = "Zhejiang 2022 provincial grid factor (MEE/NBS); local assumption: used for all years"
# Default activity factors of the five other domains (六大领域 other than industry).
DEFAULT_ACTIVITIES: Final[tuple[ActivityFactorDef, ...]] = (
    # 能源: power and heat plants' fuel
    ActivityFactorDef("energy", "power_plant_raw_coal", "t", 1.9003, _PROVINCIAL + ": raw coal"),
    ActivityFactorDef(
        "energy", "power_plant_natural_gas", "10^4Nm3", 21.622, _PROVINCIAL + ": natural gas"
    ),
    # 建筑: public and commercial buildings
    ActivityFactorDef("buildings", "building_electricity", "MWh", 0.5153, _ZJ_GRID),
    ActivityFactorDef(
        "buildings", "building_natural_gas", "10^4Nm3", 21.622, _PROVINCIAL + ": natural gas"
    ),
    # 交通: road vehicles' fuel
    ActivityFactorDef("transport", "vehicle_gasoline", "t", 2.9251, _PROVINCIAL + ": gasoline"),
    ActivityFactorDef("transport", "vehicle_diesel", "t", 3.0959, _PROVINCIAL + ": diesel"),
    ActivityFactorDef("transport", "vehicle_electricity", "MWh", 0.5153, _ZJ_GRID),
    # 农业（林业）: nitrogen fertiliser (direct N2O as CO2e), farm diesel, forest sink
    ActivityFactorDef(
        "agriculture",
        "nitrogen_fertiliser",
        "t N",
        4.164,
        "IPCC 2006 Guidelines vol. 4 ch. 11: EF1 0.01 kg N2O-N/kg N × 44/28 × GWP 265 (AR5)",
    ),
    ActivityFactorDef("agriculture", "farm_diesel", "t", 3.0959, _PROVINCIAL + ": diesel"),
    ActivityFactorDef(
        "agriculture",
        "forest_sink",
        "ha",
        -3.67,
        _LOCAL + ": about 1 tC/ha a year net uptake of subtropical forest",
    ),
    # 居民生活: households
    ActivityFactorDef("household", "household_electricity", "MWh", 0.5153, _ZJ_GRID),
    ActivityFactorDef("household", "household_lpg", "t", 3.1013, _PROVINCIAL + ": LPG"),
    ActivityFactorDef(
        "household", "household_natural_gas", "10^4Nm3", 21.622, _PROVINCIAL + ": natural gas"
    ),
)


@dataclass(frozen=True)
class FactorTable:  # 排放因子表
    """One versioned factor set, as the calculations read it."""

    version: str
    fuels: Mapping[str, FuelParams]
    grid: tuple[GridFactorDef, ...]
    heat_factor: float = DEFAULT_HEAT_FACTOR
    heat_source: str = DEFAULT_HEAT_SOURCE
    activities: tuple[ActivityFactorDef, ...] = ()
    source: str = ""

    def fuel_factor(self, fuel: str) -> float:
        """tCO2 per base unit of ``fuel`` (KeyError if the table lacks it)."""
        return self.fuels[fuel].factor

    def grid_factor(self, year: int, region: str) -> GridChoice:
        return grid_factor(self, year, region)


DEFAULT_VERSION: Final = "default-2024"
DEFAULT_FACTORS: Final = FactorTable(
    version=DEFAULT_VERSION,
    fuels=DEFAULT_FUELS,
    grid=DEFAULT_GRID,
    heat_factor=DEFAULT_HEAT_FACTOR,
    heat_source=DEFAULT_HEAT_SOURCE,
    activities=DEFAULT_ACTIVITIES,
    source="Built-in default set: provincial inventory fuel parameters, MEE/NBS grid factors, "
    "NDRC heat factor; see each factor's source.",
)


# --- Grid factor choice ------------------------------------------------------------------------


@dataclass(frozen=True)
class GridChoice:
    """The grid factor used, and how it was found."""

    value: float
    region: str  # the region of the factor used
    year: int  # the year of the factor used
    source: str
    fallback: str  # exact, earlier_year, city, province, east_china, national, later_year

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "region": self.region,
            "year": self.year,
            "source": self.source,
            "fallback": self.fallback,
        }


def region_chain(region: str) -> list[tuple[str, str]]:
    """The regions to try, most specific first, each with its fallback label.

    A county (330802) falls back to its city (330800), province (330000), the regional grid
    (east_china for provinces 31–35) and the national average.

    >>> [r for r, _ in region_chain("330802")]
    ['330802', '330800', '330000', 'east_china', 'national']
    >>> [r for r, _ in region_chain("330800")]
    ['330800', '330000', 'east_china', 'national']
    >>> [r for r, _ in region_chain("110000")]
    ['110000', 'national']
    """
    chain: list[tuple[str, str]] = []
    if len(region) == 6 and region.isdigit():
        chain.append((region, "exact"))
        if region[4:] != "00":
            chain.append((region[:4] + "00", "city"))
        if region[2:] != "0000":
            chain.append((region[:2] + "0000", "province"))
        if region[:2] in EAST_CHINA_PROVINCES:
            chain.append((EAST_CHINA, "east_china"))
    elif region and region != NATIONAL:
        chain.append((region, "exact"))
    chain.append((NATIONAL, "national"))
    return chain


def grid_factor(factors: FactorTable, year: int, region: str) -> GridChoice:
    """The grid factor for ``year`` and ``region`` (选取电网排放因子).

    Fallback, in order: the exact region and year; else that region's nearest earlier year;
    else the same two steps for the city, the province, the East China grid (Zhejiang and its
    neighbours) and the national average; if even the national series starts after ``year``,
    its earliest year (``later_year``).

    >>> g = grid_factor(DEFAULT_FACTORS, 2023, "330800")
    >>> (g.region, g.year, g.value, g.fallback)
    ('330000', 2022, 0.5153, 'province')
    >>> grid_factor(DEFAULT_FACTORS, 2023, "110000").value
    0.5306
    >>> grid_factor(DEFAULT_FACTORS, 2019, "330800").fallback
    'later_year'
    """
    by_region: dict[str, list[GridFactorDef]] = {}
    for g in factors.grid:
        by_region.setdefault(g.region, []).append(g)
    for name, label in region_chain(region):
        rows = [g for g in by_region.get(name, []) if g.year <= year]
        if rows:
            best = max(rows, key=lambda g: g.year)
            how = label if best.year == year or label != "exact" else "earlier_year"
            return GridChoice(best.value, best.region, best.year, best.source, how)
    later = sorted(by_region.get(NATIONAL, []) or factors.grid, key=lambda g: g.year)
    if not later:
        raise ValueError(f"factor set {factors.version} has no grid factors")
    g = later[0]
    return GridChoice(g.value, g.region, g.year, g.source, "later_year")


# --- The calculation the API serves ------------------------------------------------------------


class InvalidActivities(ValueError):
    """Some activities name an unknown source or unit, or a negative quantity.

    ``problems`` lists each: ``{"index", "code", "source", "unit"?, "quantity"?}`` with ``code``
    one of ``unknown_source``, ``unknown_unit``, ``negative_quantity``, ``not_a_number``;
    ``valid`` maps every valid source to its accepted units.
    """

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"#{p['index']}: {p['code']}" for p in problems))
        self.problems = problems
        self.valid = valid_units()


def valid_units() -> dict[str, list[str]]:
    """Every source the calculator knows, with the units it accepts (base unit first)."""
    return {source: list(units) for source, units in UNITS.items()}


@dataclass(frozen=True)
class Activity:
    source: str
    quantity: float
    unit: str


@dataclass(frozen=True)
class Result:
    total_tco2: float
    by_source: dict[str, float]  # exports are negative
    factor_version: str
    grid: GridChoice | None = None  # set when electricity was in the activities
    factors_used: dict[str, float] = field(default_factory=dict)  # tCO2 per base unit

    def as_dict(self) -> dict[str, Any]:
        return {
            "total_tco2": self.total_tco2,
            "by_source": dict(self.by_source),
            "factor_version": self.factor_version,
            "grid_factor": self.grid.as_dict() if self.grid else None,
            "factors": dict(self.factors_used),
        }


def _activity(item: Activity | Mapping[str, Any]) -> tuple[str, Any, str]:
    if isinstance(item, Activity):
        return item.source, item.quantity, item.unit
    return str(item.get("source", "")), item.get("quantity"), str(item.get("unit", ""))


def source_factor(
    source: str, factors: FactorTable, year: int, region: str
) -> tuple[float, GridChoice | None]:
    """tCO2 per base unit of ``source`` (negative for exports), and the grid choice if used."""
    if source in FUELS:
        return factors.fuel_factor(source), None
    if source in (ELECTRICITY, EXPORTED_ELECTRICITY):
        grid = grid_factor(factors, year, region)
        return (-grid.value if source in EXPORTS else grid.value), grid
    if source in (HEAT, EXPORTED_HEAT):
        return (-factors.heat_factor if source in EXPORTS else factors.heat_factor), None
    raise KeyError(source)


def calculate(
    activities: Iterable[Activity | Mapping[str, Any]],
    factors: FactorTable,
    year: int,
    region: str,
) -> Result:
    """Emissions of a list of activities; :class:`InvalidActivities` lists every bad one.

    Figures are rounded to 0.01 tCO2 (the total is the sum of the unrounded parts, rounded).

    >>> r = calculate([{"source": "electricity", "quantity": 1000, "unit": "kWh"},
    ...                {"source": "exported_heat", "quantity": 10, "unit": "GJ"}],
    ...               DEFAULT_FACTORS, year=2022, region="330800")
    >>> r.by_source
    {'electricity': 0.52, 'exported_heat': -1.1}
    >>> calculate([{"source": "peat", "quantity": 1, "unit": "t"}], DEFAULT_FACTORS, 2022, "")
    Traceback (most recent call last):
    ...
    shuzhi.domains.carbon.standard.InvalidActivities: #0: unknown_source
    """
    problems: list[dict[str, Any]] = []
    parsed: list[tuple[str, float]] = []
    for index, item in enumerate(activities):
        source, quantity, unit = _activity(item)
        if source not in UNITS or (source in FUELS and source not in factors.fuels):
            problems.append({"index": index, "code": "unknown_source", "source": source})
            continue
        if unit not in UNITS[source]:
            problems.append(
                {"index": index, "code": "unknown_unit", "source": source, "unit": unit}
            )
            continue
        try:
            value = float(quantity)
        except (TypeError, ValueError):
            problems.append({"index": index, "code": "not_a_number", "source": source})
            continue
        if value != value or value in (float("inf"), float("-inf")):
            problems.append({"index": index, "code": "not_a_number", "source": source})
            continue
        if value < 0:
            problems.append(
                {"index": index, "code": "negative_quantity", "source": source, "quantity": value}
            )
            continue
        parsed.append((source, value * UNITS[source][unit]))
    if problems:
        raise InvalidActivities(problems)
    totals: dict[str, float] = {}
    used: dict[str, float] = {}
    grid: GridChoice | None = None
    for source, base_quantity in parsed:
        factor, choice = source_factor(source, factors, year, region)
        grid = choice or grid
        used[source] = factor
        totals[source] = totals.get(source, 0.0) + base_quantity * factor
    return Result(
        total_tco2=round(sum(totals.values()), 2),
        by_source={s: round(v, 2) for s, v in totals.items()},
        factor_version=factors.version,
        grid=grid,
        factors_used=used,
    )


# --- Carbon-efficiency code (碳效码, DB33/T 1347-2023) -------------------------------------

EFFICIENCY_BOUNDS: Final = (0.6, 0.8, 1.2, 2.0)  # upper bounds of levels 1–4 (inclusive)


def efficiency_level(k: float | None) -> int | None:
    """Level 1–5 for K = L / industry average L; None when K is undefined.

    >>> [efficiency_level(k) for k in (0.6, 0.61, 0.8, 1.2, 2.0, 2.01, None)]
    [1, 2, 2, 3, 4, 5, None]
    """
    if k is None or k != k:
        return None
    for level, bound in enumerate(EFFICIENCY_BOUNDS, start=1):
        if k <= bound:
            return level
    return 5


COLOURS: Final = ("red", "yellow", "light_green", "dark_green")  # 红 / 黄 / 浅绿 / 深绿


def colour_for(position: float | None, cuts: Iterable[float]) -> str | None:
    """The colour of a score's position in its industry (cume_dist, 0–1], worst first.

    A position at or below the first cut is red, at or below the second yellow, at or below
    the third light green, above it dark green.

    >>> [colour_for(p, (0.25, 0.5, 0.75)) for p in (0.25, 0.5, 0.75, 1.0, None)]
    ['red', 'yellow', 'light_green', 'dark_green', None]
    """
    if position is None or position != position:
        return None
    for colour, cut in zip(COLOURS, cuts, strict=False):
        if position <= cut:
            return colour
    return COLOURS[-1]


def parse_weights(values: Iterable[Any]) -> tuple[float, float, float]:
    """The three weights (advancement, contribution, decline) from settings strings.

    >>> parse_weights(["1", "1", "2"])
    (1.0, 1.0, 2.0)
    """
    weights = tuple(float(v) for v in values)
    if len(weights) != 3 or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError("CARBON_WEIGHTS needs three non-negative numbers, not all zero")
    return weights[0], weights[1], weights[2]


def parse_cuts(values: Iterable[Any]) -> tuple[float, float, float]:
    """The three colour cut-offs from settings strings, increasing, within (0, 1).

    >>> parse_cuts(["0.25", "0.5", "0.75"])
    (0.25, 0.5, 0.75)
    """
    cuts = tuple(float(v) for v in values)
    if len(cuts) != 3 or not 0 < cuts[0] < cuts[1] < cuts[2] < 1:
        raise ValueError("CARBON_COLOUR_CUTS needs three increasing numbers between 0 and 1")
    return cuts[0], cuts[1], cuts[2]
