"""Rows of the demo city's catalogued datasets (演示数据文件), deterministic per (scale, seed).

One generator per dataset of ``datasets.DATASETS``, each yielding ``dict[str, str]`` rows
ready for CSV, in the dataset's field order. Market entities and residents come from
``synth.enterprises`` and ``synth.residents`` with the same scale and seed, so credit codes
and ID numbers match the registry the ``demo`` command loads. Pure Python, no Django.

Each row is drawn from its own ``random.Random`` keyed by the seed, the dataset and the
entity (credit code, ID number, station, section), never from one shared stream.

A few rows per dataset (about 0.1–0.5 %, at least one) are spoiled on purpose, so that
ingestion has something to quarantine: a credit code or ID number with a wrong check
character, a negative quantity, an impossible date (2024-02-30), an unknown county code, a
ten-digit mobile number or a missing required value.

>>> rows = list(air_quality_hourly(scale=1, seed=7))
>>> len(rows), rows[0]["station_code"], rows[0]["observed_at"]
(8640, '3308A01', '2024-12-02 00:00:00')
>>> rows == list(air_quality_hourly(scale=1, seed=7))
True
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache, partial
from itertools import accumulate
from pathlib import Path
from typing import Final

from shuzhi.platform.security.identifiers import CREDIT_CODE_ALPHABET

from . import datasets, synth
from .synth import REFERENCE_DATE, EnterpriseRecord, ResidentRecord

__all__ = [
    "BENEFIT_GENERATORS",
    "ENCODINGS",
    "ENERGY_MONTHS",
    "GENERATORS",
    "MONTHS",
    "QUARTERS",
    "YEARS",
    "Row",
    "TimeShift",
    "carbon_quirks",
    "dataset_rows",
    "write_demo_files",
]

Row = dict[str, str]
Generator = Callable[..., Iterator[Row]]

# The demo's data window: the 24 months before REFERENCE_DATE (2023-01 … 2024-12).
MONTHS: Final = tuple(date(year, month, 1) for year in (2023, 2024) for month in range(1, 13))
QUARTERS: Final = tuple(m for m in MONTHS if m.month in (1, 4, 7, 10))
WINDOW_START: Final = MONTHS[0]
# The carbon account's inputs (energy, output) reach 36 months back: once the window is moved
# to end at any month (``TimeShift``), it still holds two complete calendar years, the year
# accounted and the one before it that the historical decline (历史下降法) compares with.
ENERGY_MONTHS: Final = tuple(
    date(year, month, 1) for year in (2022, 2023, 2024) for month in range(1, 13)
)
# The years of the yearly statistics (the carbon domains' activity data).
YEARS: Final = (2022, 2023, 2024)

# One file is GB18030, as many county systems still export, to exercise that reading path.
ENCODINGS: Final[dict[str, str]] = {"hotline_12345": "gb18030"}

UNKNOWN_COUNTY: Final = "330899"  # looks like a Quzhou county; GB/T 2260 has no such code
IMPOSSIBLE_DATE: Final = "2024-02-30"


# --- Formatting and small helpers ---------------------------------------------------------------


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def _iso(day: date) -> str:
    return day.isoformat()


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _fixed(value: float, places: int) -> str:
    return f"{value:.{places}f}"


def _noise(rng: random.Random, sigma: float) -> float:
    """A multiplicative noise factor around 1 (log-normal)."""
    return math.exp(rng.gauss(0.0, sigma))


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _age(birth: date) -> int:
    had_birthday = (REFERENCE_DATE.month, REFERENCE_DATE.day) >= (birth.month, birth.day)
    return REFERENCE_DATE.year - birth.year - (0 if had_birthday else 1)


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, 28))


def _weighted(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


# Eleven datasets read the enterprises and five the residents: up to this scale the records
# are generated once and kept in memory (about 15 MB at scale 4); above it they stream.
_MEMORY_SCALE: Final = 4


def _enterprises(scale: int, seed: int) -> Iterable[EnterpriseRecord]:
    if scale <= _MEMORY_SCALE:
        return _enterprise_list(scale, seed)
    return synth.enterprises(scale=scale, seed=seed)


def _residents(scale: int, seed: int) -> Iterable[ResidentRecord]:
    if scale <= _MEMORY_SCALE:
        return _resident_list(scale, seed)
    return synth.residents(scale=scale, seed=seed)


@lru_cache(maxsize=1)
def _enterprise_list(scale: int, seed: int) -> tuple[EnterpriseRecord, ...]:
    return tuple(synth.enterprises(scale=scale, seed=seed))


@lru_cache(maxsize=1)
def _resident_list(scale: int, seed: int) -> tuple[ResidentRecord, ...]:
    return tuple(synth.residents(scale=scale, seed=seed))


@cache
def _division_names() -> dict[str, str]:
    return {d.code: d.name_zh for d in synth.load_divisions()}


@cache
def _sections() -> dict[str, str]:
    return {i.code: i.section for i in synth.load_industries()}


def _county_name(county_code: str) -> str:
    return _division_names()[county_code]


def _county_department(county_code: str, department: str) -> str:
    """A county-level department's name: 柯城区市场监管局, 江山市人力社保局 …"""
    return _county_name(county_code) + department


def _amr_authority(county_code: str) -> str:
    """The formal name of a county's market regulator, as decisions are signed."""
    name = _county_name(county_code)
    prefix = "衢州市" if name.endswith("区") else ""
    return f"{prefix}{name}市场监督管理局"


# --- Deliberately bad rows ----------------------------------------------------------------------

Spoiler = Callable[[Row, random.Random], bool]  # True when it changed the row


def _spoiled(
    rows: Iterable[Row], *, code: str, seed: int, every: int, spoilers: Sequence[Spoiler]
) -> Iterator[Row]:
    """Spoil one row in ``every`` (the first within the first 40 rows), cycling the spoilers.

    A spoiler that does not apply to a row (its column is empty) passes to the next one.
    """
    rng = _rng(seed, code, "spoil")
    offset = rng.randrange(min(every, 40))
    turn = 0
    for index, row in enumerate(rows):
        if index % every == offset:
            for attempt in range(len(spoilers)):
                if spoilers[(turn + attempt) % len(spoilers)](row, rng):
                    break
            turn += 1
        yield row


def _wrong_check_character(column: str) -> Spoiler:
    """Replace the last character of a credit code or ID number with a wrong one."""

    def spoil(row: Row, rng: random.Random) -> bool:
        value = row[column]
        if len(value) != 18:
            return False
        alphabet = "0123456789X" if value[:17].isdigit() else CREDIT_CODE_ALPHABET
        others = [c for c in alphabet if c != value[-1]]
        row[column] = value[:-1] + rng.choice(others)
        return True

    return spoil


def _negative(column: str) -> Spoiler:
    def spoil(row: Row, rng: random.Random) -> bool:
        value = row[column]
        if not value:
            return False
        row[column] = "-" + value if float(value) > 0 else "-1.5"
        return True

    return spoil


def _impossible_date(column: str) -> Spoiler:
    def spoil(row: Row, rng: random.Random) -> bool:
        value = row[column]
        if not value:
            return False
        time_part = value[10:]  # " HH:MM:SS" for a date and time
        row[column] = IMPOSSIBLE_DATE + time_part
        return True

    return spoil


def _unknown_county(column: str = "county_code") -> Spoiler:
    def spoil(row: Row, rng: random.Random) -> bool:
        row[column] = UNKNOWN_COUNTY
        return True

    return spoil


def _short_mobile(column: str) -> Spoiler:
    def spoil(row: Row, rng: random.Random) -> bool:
        if not row[column]:
            return False
        row[column] = row[column][:-1]
        return True

    return spoil


def _missing(column: str) -> Spoiler:
    def spoil(row: Row, rng: random.Random) -> bool:
        row[column] = ""
        return True

    return spoil


# --- Enterprises: who uses what --------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    """How an industry uses energy and produces, per 10,000 yuan of registered capital a month."""

    kwh: float
    gas_m3: float = 0.0
    coal_t: float = 0.0
    fuel_oil_t: float = 0.0
    diesel_t: float = 0.0
    lpg_t: float = 0.0
    turnover: float = 0.12  # monthly revenue ÷ registered capital
    value_added_rate: float = 0.25


# Manufacturing and utilities by GB/T 4754 class; other industries by section below.
_INDUSTRY_PROFILES: Final[dict[str, _Profile]] = {
    "C1431": _Profile(60, gas_m3=12, lpg_t=0.002, turnover=0.15, value_added_rate=0.2),
    "C1530": _Profile(50, gas_m3=5, turnover=0.12, value_added_rate=0.3),
    "C2041": _Profile(60, coal_t=0.02, turnover=0.12),
    "C2221": _Profile(350, gas_m3=25, coal_t=0.5, diesel_t=0.004, value_added_rate=0.22),
    "C2223": _Profile(200, gas_m3=20, coal_t=0.3, value_added_rate=0.22),
    "C2231": _Profile(60, gas_m3=8, turnover=0.15, value_added_rate=0.2),
    "C2614": _Profile(300, gas_m3=30, coal_t=0.35, fuel_oil_t=0.02, turnover=0.14),
    "C2651": _Profile(250, gas_m3=20, coal_t=0.25, fuel_oil_t=0.01, turnover=0.14),
    "C2661": _Profile(180, gas_m3=15, coal_t=0.15, turnover=0.13, value_added_rate=0.28),
    "C2710": _Profile(150, gas_m3=18, coal_t=0.1, turnover=0.1, value_added_rate=0.35),
    "C3011": _Profile(500, coal_t=1.0, diesel_t=0.02, turnover=0.1, value_added_rate=0.3),
    "C3021": _Profile(80, diesel_t=0.02, value_added_rate=0.22),
    "C3120": _Profile(700, gas_m3=30, coal_t=0.8, turnover=0.15, value_added_rate=0.2),
    "C3130": _Profile(250, gas_m3=40, turnover=0.16, value_added_rate=0.18),
    "C3841": _Profile(220, gas_m3=6, turnover=0.15),
    "C3985": _Profile(320, gas_m3=12, value_added_rate=0.3),
    "D4413": _Profile(6, turnover=0.03, value_added_rate=0.6),
    "D4416": _Profile(3, turnover=0.02, value_added_rate=0.65),
    "E4710": _Profile(8, diesel_t=0.05, turnover=0.15),
    "E4813": _Profile(8, diesel_t=0.08, turnover=0.15),
    "G5431": _Profile(12, diesel_t=0.15, turnover=0.15),
}
_SECTION_PROFILES: Final[dict[str, _Profile]] = {
    "A": _Profile(25, turnover=0.05),
    "C": _Profile(90, gas_m3=4, turnover=0.14),
    "E": _Profile(8, turnover=0.15),
    "F": _Profile(30, turnover=0.5),
    "G": _Profile(12, turnover=0.15),
    "H": _Profile(80, gas_m3=12, turnover=0.2),
    "I": _Profile(12, turnover=0.12),
    "K": _Profile(4, turnover=0.08),
    "L": _Profile(6, turnover=0.05),
    "M": _Profile(25, turnover=0.1),
    "O": _Profile(40, turnover=0.2),
}
# Monthly kWh of a small individual business, whatever its registered capital.
_SMALL_KWH: Final[dict[str, float]] = {"A": 300, "C": 1500, "E": 200, "F": 600, "H": 1500}

_INDUSTRIAL_SEASON: Final = (1.0, 0.72, 1.02, 1.0, 1.0, 1.02, 1.08, 1.1, 1.03, 0.98, 1.02, 1.05)
_COMMERCIAL_SEASON: Final = (1.15, 0.95, 0.95, 0.9, 0.95, 1.1, 1.3, 1.35, 1.1, 0.95, 0.95, 1.1)
_HEATING_SEASON: Final = (1.2, 1.25, 1.05, 0.95, 0.9, 0.85, 0.8, 0.8, 0.9, 1.0, 1.1, 1.2)


def _profile(e: EnterpriseRecord) -> _Profile:
    return _INDUSTRY_PROFILES.get(e.industry_code) or _SECTION_PROFILES[_section(e)]


def _section(e: EnterpriseRecord) -> str:
    return _sections()[e.industry_code]


def _industrial(e: EnterpriseRecord) -> bool:
    return _section(e) in ("C", "D")


def _company(e: EnterpriseRecord) -> bool:
    return e.enterprise_type != "individual_business"


def _operating(e: EnterpriseRecord) -> bool:
    return e.status in ("active", "abnormal")


@dataclass(frozen=True)
class _Activity:
    """One enterprise's size and trend, shared by its energy, output and tax rows."""

    size: float  # multiplies registered capital
    growth: float  # per year


def _activity(e: EnterpriseRecord, seed: int) -> _Activity:
    rng = _rng(seed, "activity", e.credit_code)
    return _Activity(size=rng.uniform(0.6, 1.5), growth=rng.uniform(-0.08, 0.15))


def _capital(e: EnterpriseRecord) -> float:
    return float(e.registered_capital_10k_yuan)


def _open_months(e: EnterpriseRecord, quirks: dict[str, str]) -> list[tuple[int, date]]:
    """(months since the window opened, month) for each month the entity reported.

    The carbon account's window (``ENERGY_MONTHS``), from the month the entity was
    established; an entity with gaps in its reporting (``carbon_quirks``) skips three months
    of every twelve, so that any calendar year of the moved window misses some.
    """
    first = e.established_on.replace(day=1)
    gaps = quirks.get(e.credit_code) == MISSING_MONTHS
    return [
        (i, m)
        for i, m in enumerate(ENERGY_MONTHS)
        if m >= first and not (gaps and i % 12 in _GAP_MONTHS)
    ]


# --- The carbon account's awkward cases -------------------------------------------------------

# Real reporting has holes that an accounting run must name rather than grade over: an
# enterprise that skipped months, one whose rows carry no industry code, one that reported no
# output at all. (A negative reading is one of the spoiled rows, quarantined on ingestion.)
MISSING_MONTHS: Final = "missing_months"
NO_INDUSTRY: Final = "no_industry"
ZERO_OUTPUT: Final = "zero_output"
_GAP_MONTHS: Final = frozenset({3, 4, 5})  # positions within each twelve months of the window
_GAPS_EVERY: Final = 40  # one industrial company in forty has gaps


@lru_cache(maxsize=2)
def carbon_quirks(scale: int, seed: int) -> dict[str, str]:
    """Credit code → awkward case, among the industrial companies open for the whole window.

    The first such company reports no industry code, the second no output; one in forty
    (from the eighth) skips months.

    >>> quirks = carbon_quirks(1, 2022)
    >>> sorted(set(quirks.values()))
    ['missing_months', 'no_industry', 'zero_output']
    >>> sum(q == MISSING_MONTHS for q in quirks.values()) >= 3
    True
    """
    found: dict[str, str] = {}
    candidates = (
        e
        for e in _enterprises(scale, seed)
        if _operating(e) and _company(e) and _industrial(e) and e.established_on < ENERGY_MONTHS[0]
    )
    for index, e in enumerate(candidates):
        if index == 0:
            found[e.credit_code] = NO_INDUSTRY
        elif index == 1:
            found[e.credit_code] = ZERO_OUTPUT
        elif index % _GAPS_EVERY == 7:
            found[e.credit_code] = MISSING_MONTHS
    return found


def _carbon_columns(e: EnterpriseRecord, quirks: dict[str, str]) -> Row:
    """``_enterprise_columns`` as the energy and output returns have them (industry may lack)."""
    columns = _enterprise_columns(e)
    if quirks.get(e.credit_code) == NO_INDUSTRY:
        columns["industry_code"] = ""
    return columns


def _trend(activity: _Activity, months_in: int) -> float:
    return float((1 + activity.growth) ** (months_in / 12))


def _enterprise_columns(e: EnterpriseRecord) -> Row:
    return {
        "credit_code": e.credit_code,
        "enterprise_name": e.name,
        "county_code": e.county_code,
        "industry_code": e.industry_code,
    }


# --- 市场主体登记 -----------------------------------------------------------------------------


def enterprise_registry(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """One row per market entity, as the registry holds it."""
    return _spoiled(
        _enterprise_registry(scale, seed),
        code="enterprise_registry",
        seed=seed,
        every=250,
        spoilers=(
            _wrong_check_character("credit_code"),
            _impossible_date("established_on"),
            _unknown_county(),
            _short_mobile("mobile"),
        ),
    )


def _enterprise_registry(scale: int, seed: int) -> Iterator[Row]:
    for e in _enterprises(scale, seed):
        yield {
            "credit_code": e.credit_code,
            "enterprise_name": e.name,
            "enterprise_type": synth.ENTERPRISE_TYPES[e.enterprise_type],
            "legal_representative": e.legal_representative,
            "county_code": e.county_code,
            "town_code": e.town_code,
            "address": e.address,
            "industry_code": e.industry_code,
            "registered_capital": str(e.registered_capital_10k_yuan),
            "established_on": _iso(e.established_on),
            "status": synth.ENTERPRISE_STATUSES[e.status],
            "mobile": e.mobile,
        }


# --- 企业月度用电 -----------------------------------------------------------------------------


def enterprise_electricity_monthly(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Every operating entity's metered electricity, month by month since it opened."""
    return _spoiled(
        _enterprise_electricity(scale, seed),
        code="enterprise_electricity_monthly",
        seed=seed,
        every=400,
        spoilers=(
            _negative("electricity_kwh"),
            _wrong_check_character("credit_code"),
            _impossible_date("month"),
            _unknown_county(),
        ),
    )


def _enterprise_electricity(scale: int, seed: int) -> Iterator[Row]:
    quirks = carbon_quirks(scale, seed)
    for e in _enterprises(scale, seed):
        if not _operating(e):
            continue
        rng = _rng(seed, "electricity", e.credit_code)
        activity = _activity(e, seed)
        profile = _profile(e)
        industrial = _industrial(e)
        base = profile.kwh * _capital(e) * activity.size
        if not _company(e):
            base += _SMALL_KWH.get(_section(e), 400) * rng.uniform(0.5, 1.5)
        season = _INDUSTRIAL_SEASON if industrial else _COMMERCIAL_SEASON
        price = 0.66 if industrial else 0.78  # yuan per kWh, time-of-use average
        for months_in, month in _open_months(e, quirks):
            kwh = base * season[month.month - 1] * _trend(activity, months_in) * _noise(rng, 0.07)
            kwh = max(1.0, round(kwh))
            peak = kwh * (rng.uniform(0.28, 0.36) if industrial else rng.uniform(0.38, 0.48))
            valley = kwh * (rng.uniform(0.3, 0.4) if industrial else rng.uniform(0.15, 0.25))
            fee = kwh * price * rng.uniform(0.97, 1.03)
            yield {
                **_carbon_columns(e, quirks),
                "month": _iso(month),
                "electricity_kwh": str(int(kwh)),
                "peak_kwh": str(round(peak)),
                "valley_kwh": str(round(valley)),
                "electricity_fee": _fixed(fee, 2),
            }


# --- 企业月度用气 -----------------------------------------------------------------------------


def _uses_gas(e: EnterpriseRecord, rng: random.Random) -> bool:
    if _profile(e).gas_m3 <= 0:
        return False
    if _section(e) == "H":
        return rng.random() < (0.8 if _company(e) else 0.35)
    return _company(e) and rng.random() < 0.75


def enterprise_gas_monthly(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Piped natural gas of the industrial and catering users, month by month."""
    return _spoiled(
        _enterprise_gas(scale, seed),
        code="enterprise_gas_monthly",
        seed=seed,
        every=300,
        spoilers=(
            _negative("gas_m3"),
            _unknown_county(),
            _impossible_date("month"),
            _wrong_check_character("credit_code"),
        ),
    )


def _enterprise_gas(scale: int, seed: int) -> Iterator[Row]:
    quirks = carbon_quirks(scale, seed)
    for e in _enterprises(scale, seed):
        rng = _rng(seed, "gas", e.credit_code)
        if not _operating(e) or not _uses_gas(e, rng):
            continue
        activity = _activity(e, seed)
        catering = _section(e) == "H"
        base = _profile(e).gas_m3 * _capital(e) * activity.size
        if catering:
            base += rng.uniform(150, 900)
        season = _HEATING_SEASON if catering else _INDUSTRIAL_SEASON
        price = 4.1 if catering else 3.6  # yuan per m³
        for months_in, month in _open_months(e, quirks):
            m3 = base * season[month.month - 1] * _trend(activity, months_in) * _noise(rng, 0.1)
            m3 = max(1.0, round(m3))
            yield {
                **_carbon_columns(e, quirks),
                "month": _iso(month),
                "gas_m3": str(int(m3)),
                "gas_fee": _fixed(m3 * price, 2),
            }


# --- 企业用煤用油 -----------------------------------------------------------------------------


def enterprise_coal_oil_monthly(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Coal, fuel oil, diesel and LPG of the key energy users (tonnes a month)."""
    return _spoiled(
        _enterprise_coal_oil(scale, seed),
        code="enterprise_coal_oil_monthly",
        seed=seed,
        every=250,
        spoilers=(
            _negative("raw_coal_t"),
            _negative("diesel_t"),
            _impossible_date("month"),
            _wrong_check_character("credit_code"),
        ),
    )


def _enterprise_coal_oil(scale: int, seed: int) -> Iterator[Row]:
    quirks = carbon_quirks(scale, seed)
    for e in _enterprises(scale, seed):
        profile = _profile(e)
        fuels = (profile.coal_t, profile.fuel_oil_t, profile.diesel_t, profile.lpg_t)
        rng = _rng(seed, "coal-oil", e.credit_code)
        if not (_operating(e) and _company(e) and any(fuels)) or rng.random() >= 0.9:
            continue
        activity = _activity(e, seed)
        capital = _capital(e) * activity.size
        for months_in, month in _open_months(e, quirks):
            level = _INDUSTRIAL_SEASON[month.month - 1] * _trend(activity, months_in)
            amounts = [
                _fixed(per_capital * capital * level * _noise(rng, 0.12), 3) if per_capital else "0"
                for per_capital in fuels
            ]
            yield {
                **_carbon_columns(e, quirks),
                "month": _iso(month),
                "raw_coal_t": amounts[0],
                "fuel_oil_t": amounts[1],
                "diesel_t": amounts[2],
                "lpg_t": amounts[3],
            }


# --- 企业产值与增加值 -------------------------------------------------------------------------

ABOVE_SCALE_REVENUE: Final = 2000.0  # 规模以上工业: annual revenue of 20 million yuan or more


def enterprise_output_monthly(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Gross output, value added and revenue of the industrial enterprises (万元, current prices)."""
    return _spoiled(
        _enterprise_output(scale, seed),
        code="enterprise_output_monthly",
        seed=seed,
        every=300,
        spoilers=(
            _negative("gross_output"),
            _wrong_check_character("credit_code"),
            _impossible_date("month"),
        ),
    )


def _enterprise_output(scale: int, seed: int) -> Iterator[Row]:
    quirks = carbon_quirks(scale, seed)
    for e in _enterprises(scale, seed):
        if not (_operating(e) and _company(e) and _industrial(e)):
            continue
        rng = _rng(seed, "output", e.credit_code)
        activity = _activity(e, seed)
        profile = _profile(e)
        base = profile.turnover * _capital(e) * activity.size
        above = "是" if base * 12 >= ABOVE_SCALE_REVENUE else "否"
        stopped = quirks.get(e.credit_code) == ZERO_OUTPUT  # reports, but produced nothing
        for months_in, month in _open_months(e, quirks):
            gross = base * _INDUSTRIAL_SEASON[month.month - 1] * _trend(activity, months_in)
            gross *= 0.0 if stopped else _noise(rng, 0.08)
            yield {
                **_carbon_columns(e, quirks),
                "month": _iso(month),
                "above_scale": above,
                "gross_output": _fixed(gross, 2),
                "value_added": _fixed(gross * profile.value_added_rate * rng.uniform(0.9, 1.1), 2),
                "revenue": _fixed(gross * rng.uniform(0.92, 1.05), 2),
            }


# --- 企业外购热力与能源输出 -------------------------------------------------------------------

# GJ of purchased steam per 10,000 yuan of registered capital a month, by GB/T 4754 class prefix
_STEAM_GJ: Final[dict[str, float]] = {"C22": 3.0, "C26": 2.5, "C27": 1.5, "C14": 0.8, "C15": 0.8}
_COAL_GJ_PER_T: Final = 20.908  # net calorific value of raw coal


def enterprise_heat_export_monthly(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Purchased heat, exported electricity and heat, and gasoline of industrial companies."""
    return _spoiled(
        _enterprise_heat_export(scale, seed),
        code="enterprise_heat_export_monthly",
        seed=seed,
        every=250,
        spoilers=(
            _negative("heat_purchased_gj"),
            _negative("gasoline_t"),
            _wrong_check_character("credit_code"),
            _impossible_date("month"),
        ),
    )


def _enterprise_heat_export(scale: int, seed: int) -> Iterator[Row]:
    quirks = carbon_quirks(scale, seed)
    for e in _enterprises(scale, seed):
        if not (_operating(e) and _company(e) and _industrial(e)):
            continue
        rng = _rng(seed, "heat-export", e.credit_code)
        activity = _activity(e, seed)
        profile = _profile(e)
        capital = _capital(e) * activity.size
        steam = _STEAM_GJ.get(e.industry_code[:3], 0.3) if rng.random() < 0.35 else 0.0
        solar = profile.kwh * 0.05 if rng.random() < 0.15 else 0.0  # rooftop PV, fed in
        waste_heat = 0.2 if profile.coal_t and rng.random() < 0.2 else 0.0  # 余热 sold on
        cars = rng.uniform(0.0005, 0.002) if rng.random() < 0.6 else 0.0
        for months_in, month in _open_months(e, quirks):
            level = _INDUSTRIAL_SEASON[month.month - 1] * _trend(activity, months_in)
            noise = _noise(rng, 0.1)
            coal_gj = profile.coal_t * capital * level * _COAL_GJ_PER_T
            yield {
                **_carbon_columns(e, quirks),
                "month": _iso(month),
                "heat_purchased_gj": _fixed(steam * capital * level * noise, 1),
                "electricity_exported_kwh": str(round(solar * capital * level * noise)),
                "heat_exported_gj": _fixed(waste_heat * coal_gj * noise, 1),
                "gasoline_t": _fixed(cars * capital * noise, 3),
            }


# --- 碳账户领域活动数据 ----------------------------------------------------------------------


@dataclass(frozen=True)
class _SectorActivity:
    domain: str
    activity: str
    unit: str
    per_county: float  # a county of average size, in the first year
    by_forest: bool = False  # spread by forest cover rather than by people


# The five non-industrial domains' activities (their factors are the factor set's
# ``ActivityFactor`` rows, matched by domain and activity).
SECTOR_ACTIVITIES: Final[tuple[_SectorActivity, ...]] = (
    _SectorActivity("energy", "power_plant_raw_coal", "t", 180_000),
    _SectorActivity("energy", "power_plant_natural_gas", "10^4Nm3", 500),
    _SectorActivity("buildings", "building_electricity", "MWh", 120_000),
    _SectorActivity("buildings", "building_natural_gas", "10^4Nm3", 300),
    _SectorActivity("transport", "vehicle_gasoline", "t", 25_000),
    _SectorActivity("transport", "vehicle_diesel", "t", 30_000),
    _SectorActivity("transport", "vehicle_electricity", "MWh", 8_000),
    _SectorActivity("agriculture", "nitrogen_fertiliser", "t N", 4_000),
    _SectorActivity("agriculture", "farm_diesel", "t", 3_000),
    _SectorActivity("agriculture", "forest_sink", "ha", 60_000, by_forest=True),
    _SectorActivity("household", "household_electricity", "MWh", 250_000),
    _SectorActivity("household", "household_lpg", "t", 6_000),
    _SectorActivity("household", "household_natural_gas", "10^4Nm3", 900),
)
# relative size of each county: (people, forest)
_COUNTY_SIZE: Final[dict[str, tuple[float, float]]] = {
    "330802": (1.3, 0.3),
    "330803": (1.0, 0.9),
    "330822": (0.7, 1.0),
    "330824": (0.75, 1.8),
    "330825": (0.85, 0.8),
    "330881": (1.2, 1.2),
}


def carbon_sector_activity(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Yearly activity data of the five non-industrial domains, by county (same at any scale)."""
    return _spoiled(
        _carbon_sector_activity(seed),
        code="carbon_sector_activity",
        seed=seed,
        every=150,
        spoilers=(_negative("quantity"), _unknown_county()),
    )


def _carbon_sector_activity(seed: int) -> Iterator[Row]:
    for county, (people_size, forest_size) in _COUNTY_SIZE.items():
        for item in SECTOR_ACTIVITIES:
            rng = _rng(seed, "sector", county, item.domain, item.activity)
            size = (forest_size if item.by_forest else people_size) * item.per_county
            growth = rng.uniform(-0.01, 0.01) if item.by_forest else rng.uniform(-0.04, 0.06)
            for index, year in enumerate(YEARS):
                quantity = size * (1 + growth) ** index * _noise(rng, 0.03)
                yield {
                    "domain": item.domain,
                    "county_code": county,
                    "year": str(year),
                    "activity": item.activity,
                    "quantity": _fixed(quantity, 1),
                    "unit": item.unit,
                }


# --- 企业纳税 ---------------------------------------------------------------------------------


def enterprise_tax_quarterly(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Tax paid by every operating entity, quarter by quarter (yuan)."""
    return _spoiled(
        _enterprise_tax(scale, seed),
        code="enterprise_tax_quarterly",
        seed=seed,
        every=300,
        spoilers=(
            _negative("total_tax"),
            _wrong_check_character("credit_code"),
            _impossible_date("quarter"),
        ),
    )


def _enterprise_tax(scale: int, seed: int) -> Iterator[Row]:
    for e in _enterprises(scale, seed):
        if not _operating(e):
            continue
        rng = _rng(seed, "tax", e.credit_code)
        activity = _activity(e, seed)
        monthly_revenue = _profile(e).turnover * _capital(e) * activity.size  # 万元
        small = monthly_revenue * 12 < 500  # 小规模纳税人
        first = e.established_on.replace(day=1)
        for index, quarter in enumerate(QUARTERS):
            if _add_months(quarter, 2) < first:
                continue
            revenue = 3 * monthly_revenue * _trend(activity, 3 * index) * _noise(rng, 0.1) * 1e4
            if not _company(
                e
            ):  # 个体工商户: VAT exempt up to 300,000 a quarter, income tax assessed
                vat = 0.0 if revenue <= 300_000 else revenue * 0.01
                income_tax = 0.0
                other = revenue * 0.005
            else:
                if small:
                    vat = 0.0 if revenue <= 300_000 else revenue * 0.01
                else:
                    vat = revenue * rng.uniform(0.02, 0.05)
                profit = revenue * rng.uniform(-0.05, 0.12)
                rate = 0.05 if profit * 4 < 3_000_000 else 0.25  # 小型微利企业 effective rate
                income_tax = max(0.0, profit) * rate
                other = vat * 0.12 + revenue * 0.0005
            yield {
                **_enterprise_columns(e),
                "quarter": _iso(quarter),
                "vat": _fixed(vat, 2),
                "corporate_income_tax": _fixed(income_tax, 2),
                "other_taxes": _fixed(other, 2),
                "total_tax": _fixed(round(vat, 2) + round(income_tax, 2) + round(other, 2), 2),
            }


# --- 社保参保 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Employers:
    credit_codes: tuple[str, ...]
    names: tuple[str, ...]
    counties: tuple[str, ...]
    founded: tuple[date, ...]
    cum_weights: tuple[float, ...]

    def pick(self, rng: random.Random) -> int:
        return rng.choices(range(len(self.credit_codes)), cum_weights=self.cum_weights)[0]


def _employers(scale: int, seed: int) -> _Employers:
    """Operating entities, weighted by size, as employers (bigger ones employ more)."""
    rows = [
        (e.credit_code, e.name, e.county_code, e.established_on, _capital(e) ** 0.6)
        for e in _enterprises(scale, seed)
        if _operating(e)
    ]
    return _Employers(
        credit_codes=tuple(r[0] for r in rows),
        names=tuple(r[1] for r in rows),
        counties=tuple(r[2] for r in rows),
        founded=tuple(r[3] for r in rows),
        cum_weights=tuple(accumulate(r[4] for r in rows)),
    )


_EMPLOYEE_SCHEMES: Final = (
    ("企业职工基本养老保险", 1.0),
    ("职工基本医疗保险", 1.0),
    ("失业保险", 0.8),
    ("工伤保险", 0.85),
)


def social_insurance_enrolment(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Each resident's enrolments, one row per scheme (employees, retirees, residents)."""
    return _spoiled(
        _social_insurance(scale, seed),
        code="social_insurance_enrolment",
        seed=seed,
        every=400,
        spoilers=(
            _wrong_check_character("id_number"),
            _missing("name"),
            _impossible_date("enrolled_on"),
            _negative("contribution_base"),
        ),
    )


def _enrolment(
    r: ResidentRecord,
    scheme: str,
    enrolled: date,
    status: str,
    *,
    employers: _Employers,
    employer: int | None = None,
    base: float = 0.0,
) -> Row:
    if employer is None:
        credit_code = name = contribution = ""
        county_code = r.county_code
    else:
        credit_code = employers.credit_codes[employer]
        name = employers.names[employer]
        county_code = employers.counties[employer]
        contribution = _fixed(base, 2)
    return {
        "id_number": r.id_number,
        "name": r.name,
        "insurance_type": scheme,
        "employer_credit_code": credit_code,
        "employer_name": name,
        "county_code": county_code,
        "enrolled_on": _iso(enrolled),
        "status": status,
        "contribution_base": contribution,
    }


def _social_insurance(scale: int, seed: int) -> Iterator[Row]:
    employers = _employers(scale, seed)
    for r in _residents(scale, seed):
        rng = _rng(seed, "social-insurance", r.id_number)
        age = _age(r.birth_date)
        retirement_age = 60 if r.sex == "male" else 55
        base = min(24930.0, max(4462.0, 6500 * _noise(rng, 0.35)))  # Zhejiang 2024 band, yuan
        row = partial(_enrolment, r, employers=employers, base=base)
        adult = _add_months(r.birth_date, 12 * 18)
        employed = 18 <= age < retirement_age and rng.random() < (0.65 if age >= 22 else 0.2)
        if employed and employers.credit_codes:
            employer = employers.pick(rng)
            start = max(adult, employers.founded[employer], date(2000, 1, 1))
            enrolled = _day_between(rng, start, max(start, REFERENCE_DATE - timedelta(days=30)))
            status = "正常参保" if rng.random() < 0.94 else "暂停缴费"
            for scheme, share in _EMPLOYEE_SCHEMES:
                if rng.random() < share:
                    yield row(scheme, enrolled, status, employer=employer)
        elif age >= retirement_age and rng.random() < 0.45:
            retired = _add_months(r.birth_date, 12 * retirement_age)
            enrolled = _day_between(rng, adult, max(adult, retired - timedelta(days=3650)))
            yield row("企业职工基本养老保险", enrolled, "退休领取待遇")
            yield row("职工基本医疗保险", enrolled, "退休")
        else:
            if age >= 16 and rng.random() < 0.75:
                start = max(_add_months(r.birth_date, 12 * 16), date(2009, 10, 1))
                status = "领取待遇" if age >= 60 else "正常参保"
                yield row("城乡居民基本养老保险", _day_between(rng, start, REFERENCE_DATE), status)
            if rng.random() < 0.96:
                start = max(r.birth_date, date(2016, 1, 1))
                yield row(
                    "城乡居民基本医疗保险", _day_between(rng, start, REFERENCE_DATE), "正常参保"
                )


# --- 行政处罚 ---------------------------------------------------------------------------------

# (violation, legal basis, penalty type, fine range in yuan, confiscates, sections it befalls)
_VIOLATIONS: Final = (
    (
        "经营超过保质期的食品",
        "《中华人民共和国食品安全法》第一百二十四条",
        "罚款；没收违法所得",
        (5_000, 50_000),
        True,
        "FH",
    ),
    (
        "未取得食品经营许可从事食品经营活动",
        "《中华人民共和国食品安全法》第一百二十二条",
        "罚款；没收违法所得",
        (50_000, 100_000),
        True,
        "FH",
    ),
    (
        "经营标签不符合规定的食品",
        "《中华人民共和国食品安全法》第一百二十五条",
        "警告；罚款",
        (5_000, 20_000),
        False,
        "FH",
    ),
    ("不按规定明码标价", "《明码标价和禁止价格欺诈规定》第二十一条", "警告", (0, 0), False, "FGHO"),
    (
        "发布虚假广告",
        "《中华人民共和国广告法》第五十五条",
        "罚款",
        (20_000, 200_000),
        False,
        "CFIMO",
    ),
    (
        "虚假或者引人误解的商业宣传",
        "《中华人民共和国反不正当竞争法》第二十条",
        "罚款",
        (20_000, 200_000),
        False,
        "CFHIM",
    ),
    (
        "生产、销售不合格产品",
        "《中华人民共和国产品质量法》第五十条",
        "罚款；没收违法所得",
        (10_000, 150_000),
        True,
        "CF",
    ),
    (
        "使用未经定期检验的特种设备",
        "《中华人民共和国特种设备安全法》第八十四条",
        "罚款",
        (30_000, 100_000),
        False,
        "CDEGHK",
    ),
    (
        "使用未经检定的计量器具",
        "《中华人民共和国计量法实施细则》第四十三条",
        "罚款",
        (500, 1_000),
        False,
        "ACFG",
    ),
    (
        "未按规定办理变更登记",
        "《中华人民共和国市场主体登记管理条例》第四十六条",
        "罚款",
        (10_000, 50_000),
        False,
        "ACDEFGHIKLMO",
    ),
)
# Prefixes of the counties' decision numbers: 衢柯市监处罚〔2024〕12号.
_DECISION_PREFIXES: Final = {
    "330802": "衢柯",
    "330803": "衢江",
    "330822": "常",
    "330824": "开",
    "330825": "龙",
    "330881": "江",
}


def administrative_penalty(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Penalty decisions of the market regulators, 2022–2024, as published (双公示)."""
    return _spoiled(
        _administrative_penalty(scale, seed),
        code="administrative_penalty",
        seed=seed,
        every=200,
        spoilers=(
            _wrong_check_character("credit_code"),
            _impossible_date("decided_on"),
            _negative("fine"),
        ),
    )


def _administrative_penalty(scale: int, seed: int) -> Iterator[Row]:
    numbers: dict[tuple[str, int], int] = {}
    for e in _enterprises(scale, seed):
        rng = _rng(seed, "penalty", e.credit_code)
        if rng.random() >= 0.06:
            continue
        section = _section(e)
        fitting = [v for v in _VIOLATIONS if section in v[5]]
        start = max(e.established_on, date(2022, 1, 1))
        if not fitting or start > REFERENCE_DATE:
            continue
        for _ in range(1 if rng.random() < 0.85 else 2):
            violation, basis, penalty, (low, high), confiscates, _befalls = rng.choice(fitting)
            decided = _day_between(rng, start, REFERENCE_DATE)
            serial = numbers[(e.county_code, decided.year)] = (
                numbers.get((e.county_code, decided.year), 0) + 1
            )
            fine = round(rng.uniform(low, high), -2) if high else 0.0
            yield {
                "decision_number": (
                    f"{_DECISION_PREFIXES[e.county_code]}市监处罚〔{decided.year}〕{serial}号"
                ),
                "credit_code": e.credit_code,
                "enterprise_name": e.name,
                "county_code": e.county_code,
                "violation": violation,
                "legal_basis": basis,
                "penalty_type": penalty,
                "fine": _fixed(fine, 2),
                "confiscated": _fixed(rng.uniform(200, 20_000), 2) if confiscates else "",
                "decided_on": _iso(decided),
                "authority": _amr_authority(e.county_code),
            }


# --- 经营异常名录 -----------------------------------------------------------------------------

_NO_ANNUAL_REPORT: Final = "未依照《企业信息公示暂行条例》第八条规定的期限公示年度报告"
_NO_ANNUAL_REPORT_INDIVIDUAL: Final = "未按照规定报送年度报告"
_UNREACHABLE: Final = "通过登记的住所或者经营场所无法联系"


def abnormal_operation_list(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Listings in the abnormal-operation list: current ones and those already removed."""
    return _spoiled(
        _abnormal_operation(scale, seed),
        code="abnormal_operation_list",
        seed=seed,
        every=200,
        spoilers=(_wrong_check_character("credit_code"), _impossible_date("listed_on")),
    )


def _abnormal_operation(scale: int, seed: int) -> Iterator[Row]:
    for e in _enterprises(scale, seed):
        rng = _rng(seed, "abnormal", e.credit_code)
        listed = e.status == "abnormal" or (
            rng.random() < {"revoked": 0.7, "active": 0.06}.get(e.status, 0.0)
        )
        # an annual report is due by 30 June for the year before, the first one a year after
        # opening; an entity now active was listed and has since been removed
        first_year = max(2022, e.established_on.year + 2)
        last_year = REFERENCE_DATE.year - (1 if e.status == "active" else 0)
        if not listed or first_year > last_year:
            continue
        year = rng.randint(first_year, last_year)
        if rng.random() < 0.8:
            reason = _NO_ANNUAL_REPORT if _company(e) else _NO_ANNUAL_REPORT_INDIVIDUAL
            listed_on = _day_between(rng, date(year, 7, 1), date(year, 8, 31))
        else:
            reason = _UNREACHABLE
            listed_on = _day_between(rng, date(year, 1, 1), date(year, 12, 31))
        removed_on = ""
        removal = ""
        if e.status == "active":
            removed_on = _iso(listed_on + timedelta(days=rng.randint(20, 300)))
            removal = (
                "补报未报年份的年度报告并公示"
                if reason != _UNREACHABLE
                else "依法办理住所变更登记，申请移出"
            )
        yield {
            "credit_code": e.credit_code,
            "enterprise_name": e.name,
            "county_code": e.county_code,
            "listed_on": _iso(listed_on),
            "listing_reason": reason,
            "listing_authority": _amr_authority(e.county_code),
            "removed_on": removed_on,
            "removal_reason": removal,
        }


# --- 人口基本信息 -----------------------------------------------------------------------------


def population_basic(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """One row per resident of the population base."""
    return _spoiled(
        _population(scale, seed),
        code="population_basic",
        seed=seed,
        every=500,
        spoilers=(
            _wrong_check_character("id_number"),
            _impossible_date("birth_date"),
            _unknown_county(),
            _short_mobile("mobile"),
        ),
    )


def _population(scale: int, seed: int) -> Iterator[Row]:
    for r in _residents(scale, seed):
        yield {
            "id_number": r.id_number,
            "name": r.name,
            "sex": synth.SEXES[r.sex],
            "birth_date": _iso(r.birth_date),
            "county_code": r.county_code,
            "town_code": r.town_code,
            "address": r.address,
            "mobile": r.mobile if _age(r.birth_date) >= 12 else "",
        }


# --- 空气质量小时数据 -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Station:
    code: str
    name: str
    county_code: str
    particles: float  # PM level against the city average
    traffic: float  # NO2 and CO
    industry: float  # SO2
    dust: float  # PM10 over PM2.5


_STATIONS: Final = (
    _Station("3308A01", "市监测站", "330802", 1.05, 1.2, 1.0, 1.0),
    _Station("3308A02", "衢化", "330802", 1.1, 1.0, 2.2, 1.05),
    _Station("3308A03", "衢江区政府", "330803", 1.0, 1.05, 1.0, 1.0),
    _Station("3308A04", "樟潭", "330803", 0.95, 0.8, 1.1, 1.0),
    _Station("3308A05", "常山县监测站", "330822", 1.0, 1.0, 1.0, 1.0),
    _Station("3308A06", "辉埠", "330822", 1.15, 0.9, 1.6, 1.3),
    _Station("3308A07", "开化县城", "330824", 0.8, 0.85, 0.8, 0.95),
    _Station("3308A08", "钱江源", "330824", 0.55, 0.3, 0.5, 0.9),
    _Station("3308A09", "龙游县监测站", "330825", 1.05, 1.0, 1.1, 1.0),
    _Station("3308A10", "湖镇", "330825", 0.95, 0.7, 1.0, 1.05),
    _Station("3308A11", "江山市监测站", "330881", 1.0, 1.05, 1.0, 1.0),
    _Station("3308A12", "贺村", "330881", 1.1, 0.9, 1.5, 1.15),
)
AIR_DAYS: Final = 30
AIR_START: Final = datetime(2024, 12, 2)  # 30 days ending on REFERENCE_DATE
# Hourly shape of particles and of traffic pollutants (index: hour of the day).
_PM_HOURS: Final = tuple(1 + 0.12 * math.cos(2 * math.pi * (h - 9) / 24) for h in range(24))
_TRAFFIC_HOURS: Final = tuple(
    0.75 + 0.35 * math.exp(-((h - 8) ** 2) / 4) + 0.45 * math.exp(-((h - 19) ** 2) / 6)
    for h in range(24)
)


@cache
def _weather(seed: int) -> tuple[float, ...]:
    """A city-wide pollution factor per day: episodes that build up and clear (AR(1))."""
    rng = _rng(seed, "air", "weather")
    level, days = 0.0, []
    for _ in range(AIR_DAYS):
        level = 0.75 * level + rng.gauss(0.0, 0.3)
        days.append(math.exp(level))
    return tuple(days)


def air_quality_hourly(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Hourly SO2, NO2, PM10, PM2.5, CO and O3 of 12 stations for 30 December days.

    The stations are the same at every scale. Now and then a station is down for calibration
    and reports nothing for the hour.
    """
    return _spoiled(
        _air_quality(seed),
        code="air_quality_hourly",
        seed=seed,
        every=600,
        spoilers=(
            _negative("pm2_5"),
            _impossible_date("observed_at"),
            _unknown_county(),
        ),
    )


def _air_quality(seed: int) -> Iterator[Row]:
    weather = _weather(seed)
    for station in _STATIONS:
        rng = _rng(seed, "air", station.code)
        for hour_index in range(AIR_DAYS * 24):
            moment = AIR_START + timedelta(hours=hour_index)
            day, hour = divmod(hour_index, 24)
            row = {
                "station_code": station.code,
                "station_name": station.name,
                "county_code": station.county_code,
                "observed_at": _stamp(moment),
            }
            if rng.random() < 0.006:
                yield row | dict.fromkeys(("so2", "no2", "pm10", "pm2_5", "co", "o3"), "")
                continue
            stagnant = weather[day]
            pm25 = 42 * stagnant * station.particles * _PM_HOURS[hour] * _noise(rng, 0.15)
            traffic = station.traffic * _TRAFFIC_HOURS[hour] * stagnant**0.5
            sunlight = max(0.0, math.sin(math.pi * (hour - 7) / 12)) if 7 <= hour <= 19 else 0.0
            o3 = (12 + 70 * sunlight / stagnant**0.3) * _noise(rng, 0.15)
            yield row | {
                "so2": str(max(2, round(6 * station.industry * _noise(rng, 0.3)))),
                "no2": str(max(3, round(28 * traffic * _noise(rng, 0.2)))),
                "pm10": str(max(5, round(pm25 * 1.45 * station.dust * _noise(rng, 0.1)))),
                "pm2_5": str(max(3, round(pm25))),
                "co": _fixed(max(0.2, 0.7 * (0.5 + 0.5 * traffic) * _noise(rng, 0.15)), 1),
                "o3": str(max(2, round(o3))),
            }


# --- 地表水断面监测 ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Section:
    code: str
    name: str
    water_body: str
    lake: bool
    county_code: str
    target_class: str
    load: float  # pollution load: 1 is a typical class II river section


_WATER_SECTIONS: Final = (
    _Section("3308W01", "双港口", "衢江", False, "330802", "II", 1.0),
    _Section("3308W02", "黄坛口", "乌溪江", False, "330802", "II", 0.8),
    _Section("3308W03", "石梁溪口", "石梁溪", False, "330802", "III", 1.7),
    _Section("3308W04", "庙源溪口", "庙源溪", False, "330802", "III", 1.5),
    _Section("3308W05", "樟潭", "衢江", False, "330803", "II", 1.1),
    _Section("3308W06", "湖南镇水库", "乌溪江", True, "330803", "I", 0.5),
    _Section("3308W07", "铜山源水库", "铜山源", True, "330803", "II", 0.7),
    _Section("3308W08", "芝溪口", "芝溪", False, "330803", "III", 1.3),
    _Section("3308W09", "球川", "常山港", False, "330822", "II", 0.9),
    _Section("3308W10", "招贤", "常山港", False, "330822", "II", 1.1),
    _Section("3308W11", "芳村", "芳村溪", False, "330822", "II", 0.8),
    _Section("3308W12", "马金", "马金溪", False, "330824", "II", 0.6),
    _Section("3308W13", "音坑", "池淮溪", False, "330824", "II", 0.7),
    _Section("3308W14", "齐溪水库", "马金溪", True, "330824", "I", 0.4),
    _Section("3308W15", "驿前", "衢江", False, "330825", "II", 1.1),
    _Section("3308W16", "溪口", "灵山港", False, "330825", "II", 0.8),
    _Section("3308W17", "社阳水库", "社阳溪", True, "330825", "II", 0.6),
    _Section("3308W18", "峡口水库", "江山港", True, "330881", "I", 0.5),
    _Section("3308W19", "清湖", "江山港", False, "330881", "II", 0.9),
    _Section("3308W20", "碗窑水库", "碗窑港", True, "330881", "II", 0.6),
)


def surface_water_monthly(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Monthly samples of 20 river and lake sections, GB 3838-2002 basic items (mg/L)."""
    return _spoiled(
        _surface_water(seed),
        code="surface_water_monthly",
        seed=seed,
        every=160,
        spoilers=(_negative("nh3_n"), _impossible_date("sampled_on"), _unknown_county()),
    )


def _surface_water(seed: int) -> Iterator[Row]:
    for section in _WATER_SECTIONS:
        rng = _rng(seed, "water", section.code)
        for month in MONTHS:
            summer = month.month in (6, 7, 8)
            winter = month.month in (12, 1, 2)
            load = section.load * _noise(rng, 0.12)
            runoff = 1.25 if summer else 1.0  # rain washes phosphorus and nitrogen in
            cold = 1.2 if winter else 1.0  # nitrification slows in the cold
            dissolved = (9.0 + (1.3 if winter else -1.3 if summer else 0.0)) - 1.2 * (load - 1)
            tp = (0.015 if section.lake else 0.06) * load * runoff * _noise(rng, 0.2)
            yield {
                "section_code": section.code,
                "section_name": section.name,
                "water_body": section.water_body,
                "water_body_type": "湖库" if section.lake else "河流",
                "county_code": section.county_code,
                "target_class": section.target_class,
                "sampled_on": _iso(month.replace(day=rng.randint(5, 15))),
                "ph": _fixed(rng.uniform(7.0, 8.1), 2),
                "do": _fixed(max(2.5, dissolved * _noise(rng, 0.05)), 2),
                "codmn": _fixed(2.2 * load * _noise(rng, 0.15), 1),
                "cod": _fixed(max(4.0, 9.5 * load * _noise(rng, 0.2)), 1),
                "bod5": _fixed(max(0.5, 1.5 * load * _noise(rng, 0.2)), 1),
                "nh3_n": _fixed(0.18 * load * cold * runoff * _noise(rng, 0.25), 3),
                "tp": _fixed(tp, 3),
                "tn": _fixed(0.6 * load * runoff * _noise(rng, 0.15), 2) if section.lake else "",
            }


# --- 不动产交易 -------------------------------------------------------------------------------

# Average price of a new home in 2023, yuan per m², by county.
_HOME_PRICES: Final = {
    "330802": 15_000,
    "330803": 11_000,
    "330822": 8_500,
    "330824": 8_500,
    "330825": 9_500,
    "330881": 10_000,
}
_PROPERTY_TYPES: Final = (("住宅", 0.8), ("车位", 0.1), ("商业", 0.06), ("办公", 0.04))


def real_estate_transaction(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Registered sale contracts of 2023–2024 and the deed tax they paid."""
    return _spoiled(
        _real_estate(scale, seed),
        code="real_estate_transaction",
        seed=seed,
        every=200,
        spoilers=(
            _wrong_check_character("buyer_id_number"),
            _negative("floor_area"),
            _impossible_date("signed_on"),
        ),
    )


def _street_part(address: str) -> str:
    """The address up to the house number: 衢州市柯城区府山街道解放路12号."""
    return address[: address.index("号") + 1] if "号" in address else address


def _real_estate(scale: int, seed: int) -> Iterator[Row]:
    serial = 0
    for r in _residents(scale, seed):
        rng = _rng(seed, "real-estate", r.id_number)
        if not 25 <= _age(r.birth_date) <= 75 or rng.random() >= 0.08:
            continue
        for _ in range(1 if rng.random() < 0.9 else 2):
            serial += 1
            signed = _day_between(rng, WINDOW_START, REFERENCE_DATE)
            use = _weighted(rng, _PROPERTY_TYPES)
            price_m2 = _HOME_PRICES[r.county_code] * rng.uniform(0.75, 1.3)
            price_m2 *= 0.95 if signed.year == 2024 else 1.0
            if use == "住宅":
                area, address = rng.uniform(60, 180), r.address
                rate = 0.01 if area <= 140 else 0.015
            elif use == "车位":
                area = rng.uniform(12, 16)
                price_m2 = rng.uniform(100_000, 200_000) / area
                address, rate = f"{_street_part(r.address)}地下车位B{rng.randint(1, 400)}", 0.03
            else:
                area = rng.uniform(30, 300)
                price_m2 *= 1.3 if use == "商业" else 0.8
                room = "商铺" if use == "商业" else "室"
                address = f"{_street_part(r.address)}{rng.randint(101, 2520)}{room}"
                rate = 0.03
            total = area * price_m2
            yield {
                "contract_number": f"{r.county_code}{signed.year}WQ{serial:06d}",
                "signed_on": _iso(signed),
                "county_code": r.county_code,
                "property_address": address,
                "property_type": use,
                "floor_area": _fixed(area, 2),
                "total_price": _fixed(total / 1e4, 2),
                "deed_tax": _fixed(total * rate, 2),
                "buyer_name": r.name,
                "buyer_id_number": r.id_number,
                "buyer_mobile": r.mobile,
            }


# --- 政务服务办件 -----------------------------------------------------------------------------

# (service item, department suffix as county departments are named, promised working days)
_PERSONAL_ITEMS: Final = (
    ("社会保障卡申领", "人力社保局", 3, 3.0),
    ("失业保险金申领", "人力社保局", 5, 1.0),
    ("灵活就业人员参保登记", "人力社保局", 1, 1.5),
    ("基本养老保险关系转移接续", "人力社保局", 15, 0.8),
    ("结婚登记", "民政局", 0, 1.0),
    ("最低生活保障申请", "民政局", 20, 0.3),
    ("高龄津贴申领", "民政局", 10, 0.8),
    ("个体工商户设立登记", "市场监管局", 1, 1.0),
    ("食品经营许可（小餐饮）", "市场监管局", 5, 0.4),
    ("不动产转移登记", "自然资源和规划局", 3, 2.0),
    ("住房公积金提取", "住房公积金管理中心", 1, 3.0),
)
_ENTERPRISE_ITEMS: Final = (
    ("企业设立登记", "市场监管局", 1, 1.5),
    ("企业变更登记", "市场监管局", 1, 2.0),
    ("企业注销登记", "市场监管局", 3, 0.4),
    ("食品经营许可", "市场监管局", 5, 0.8),
    ("企业投资项目备案", "发改局", 1, 0.5),
    ("单位参保登记", "人力社保局", 1, 1.0),
    ("企业职工招用备案", "人力社保局", 1, 2.0),
    ("排污许可证核发", "生态环境分局", 20, 0.2),
    ("建筑工程施工许可", "住建局", 5, 0.3),
)
_CHANNELS: Final = (("浙里办", 0.55), ("窗口", 0.32), ("自助终端", 0.06), ("浙政钉掌上办", 0.07))
_RATINGS: Final = (("非常满意", 0.75), ("满意", 0.18), ("基本满意", 0.05), ("不满意", 0.02))


def service_case(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Cases of residents (自然人) and enterprises (法人) through the one-network service."""
    return _spoiled(
        _service_cases(scale, seed),
        code="service_case",
        seed=seed,
        every=400,
        spoilers=(
            _wrong_check_character("applicant_id_number"),
            _impossible_date("received_at"),
            _unknown_county(),
        ),
    )


def _received(rng: random.Random, channel: str) -> datetime:
    day = _day_between(rng, WINDOW_START, REFERENCE_DATE)
    if channel in ("窗口", "自助终端"):  # offices open on working days, 8:30–17:30
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        minutes = rng.randint(8 * 60 + 30, 17 * 60 + 20)
    else:
        # most people apply online in the daytime too
        minutes = rng.randint(8 * 60, 22 * 60) if rng.random() < 0.7 else rng.randrange(24 * 60)
    return datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)


def _service_case(
    rng: random.Random, serial: int, county_code: str, item: tuple[str, str, int, float]
) -> Row:
    name, department, promised, _weight = item
    channel = _weighted(rng, _CHANNELS)
    received = _received(rng, channel)
    refused = rng.random() < 0.01
    duration = (
        timedelta(minutes=rng.randint(15, 240))
        if promised == 0 or refused
        else timedelta(days=promised * 1.4 * rng.uniform(0.1, 1.0), minutes=rng.randint(0, 600))
    )
    completed = received + duration
    done = completed <= datetime(REFERENCE_DATE.year, 12, 31, 23, 59)
    status = "不予受理" if refused else ("已办结" if done else "办理中")
    return {
        "case_number": f"FW{county_code}{received:%Y%m%d}{serial:07d}",
        "service_item": name,
        "department": _county_department(county_code, department),
        "applicant_type": "",
        "applicant_name": "",
        "applicant_id_number": "",
        "applicant_credit_code": "",
        "applicant_enterprise": "",
        "channel": channel,
        "county_code": county_code,
        "received_at": _stamp(received),
        "completed_at": _stamp(completed) if done else "",
        "promised_days": str(promised),
        "status": status,
        "rating": _weighted(rng, _RATINGS) if done and rng.random() < 0.8 else "",
    }


def _service_cases(scale: int, seed: int) -> Iterator[Row]:
    serial = 0
    personal_weights = [w for *_, w in _PERSONAL_ITEMS]
    enterprise_weights = [w for *_, w in _ENTERPRISE_ITEMS]
    for r in _residents(scale, seed):
        rng = _rng(seed, "service", r.id_number)
        if _age(r.birth_date) < 18 or rng.random() >= 0.3:
            continue
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            serial += 1
            item = rng.choices(_PERSONAL_ITEMS, personal_weights)[0]
            row = _service_case(rng, serial, r.county_code, item)
            row.update(
                applicant_type="自然人", applicant_name=r.name, applicant_id_number=r.id_number
            )
            yield row
    for e in _enterprises(scale, seed):
        rng = _rng(seed, "service", e.credit_code)
        if not _operating(e) or rng.random() >= 0.6:
            continue
        for _ in range(rng.choice((1, 1, 2, 3, 4))):
            serial += 1
            item = rng.choices(_ENTERPRISE_ITEMS, enterprise_weights)[0]
            row = _service_case(rng, serial, e.county_code, item)
            row.update(
                applicant_type="法人",
                applicant_credit_code=e.credit_code,
                applicant_enterprise=e.name,
            )
            yield row


# --- 12345 热线诉求 ---------------------------------------------------------------------------

# topic → (handling department suffix, ((category, template), …)); {place} is the town.
_HOTLINE_TOPICS: Final[dict[str, tuple[str, tuple[tuple[str, str], ...]]]] = {
    "城市管理": (
        "综合行政执法局",
        (
            ("投诉", "{place}一处工地夜间施工噪音扰民，影响休息，希望有关部门尽快处理。"),
            ("投诉", "{place}菜场门口长期占道经营，早晚高峰通行困难。"),
            ("求助", "{place}小区门前路灯损坏多日未修，夜间出行不便。"),
            ("建议", "建议在{place}主要路口增设非机动车停放点。"),
        ),
    ),
    "市场监管": (
        "市场监管局",
        (
            ("投诉", "在{place}一家超市购买的食品已过保质期，要求退换并查处。"),
            ("举报", "举报{place}一家餐饮店后厨卫生条件差，无健康证上岗。"),
            ("投诉", "{place}一家药店商品未明码标价，结账价格与标签不符。"),
            ("咨询", "咨询个体工商户年度报告的报送时间和方式。"),
        ),
    ),
    "交通运输": (
        "交通运输局",
        (
            ("求助", "{place}公交站台候车亭破损，请求维修。"),
            ("建议", "建议增加{place}至市区的公交班次，早高峰等车时间过长。"),
            ("投诉", "{place}至市区的客运班车经常不按时发车。"),
        ),
    ),
    "住房保障": (
        "住建局",
        (
            ("咨询", "咨询公共租赁住房的申请条件和办理流程。"),
            ("投诉", "{place}某小区物业服务不到位，电梯经常故障无人维修。"),
            ("求助", "{place}老旧小区屋顶漏水，请求纳入改造计划。"),
        ),
    ),
    "劳动社保": (
        "人力社保局",
        (
            ("求助", "反映{place}一家企业拖欠工资两个月，请求帮助追讨。"),
            ("咨询", "咨询灵活就业人员参加职工基本养老保险的办理流程。"),
            ("咨询", "咨询失业保险金的申领条件和领取期限。"),
        ),
    ),
    "生态环境": (
        "生态环境分局",
        (
            ("投诉", "{place}附近一家工厂夜间排放刺鼻异味，影响周边居民。"),
            ("举报", "举报{place}有人向河道倾倒建筑垃圾。"),
            ("求助", "{place}河道有大量垃圾漂浮，请求清理。"),
        ),
    ),
    "教育": (
        "教育局",
        (
            ("咨询", "咨询义务教育阶段新生入学报名时间和所需材料。"),
            ("建议", "建议{place}学校周边上下学时段增派交通协管。"),
        ),
    ),
    "医疗卫生": (
        "卫生健康局",
        (
            ("咨询", "咨询城乡居民医保异地就医备案的办理方式。"),
            ("表扬", "表扬{place}卫生院医护人员服务热情、细致耐心。"),
        ),
    ),
    "农业农村": (
        "农业农村局",
        (
            ("求助", "{place}农田灌溉水渠堵塞，请求尽快疏通。"),
            ("咨询", "咨询耕地地力保护补贴的发放时间。"),
        ),
    ),
}
_HOTLINE_TOPIC_WEIGHTS: Final = (
    ("城市管理", 0.24),
    ("市场监管", 0.16),
    ("交通运输", 0.1),
    ("住房保障", 0.14),
    ("劳动社保", 0.12),
    ("生态环境", 0.08),
    ("教育", 0.06),
    ("医疗卫生", 0.06),
    ("农业农村", 0.04),
)
_HOTLINE_CHANNELS: Final = (("电话", 0.62), ("浙里办", 0.2), ("微信公众号", 0.12), ("网站", 0.06))
_SATISFACTION: Final = (("满意", 0.8), ("基本满意", 0.14), ("不满意", 0.06))


def hotline_12345(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Requests to the 12345 hotline in 2023–2024 and how they were handled."""
    return _spoiled(
        _hotline(scale, seed),
        code="hotline_12345",
        seed=seed,
        every=400,
        spoilers=(
            _short_mobile("caller_mobile"),
            _impossible_date("received_at"),
            _unknown_county(),
        ),
    )


def _hotline(scale: int, seed: int) -> Iterator[Row]:
    serial = 0
    town_names = _division_names()
    for r in _residents(scale, seed):
        rng = _rng(seed, "hotline", r.id_number)
        if _age(r.birth_date) < 16 or rng.random() >= 0.55:
            continue
        for _ in range(1 if rng.random() < 0.8 else 2):
            serial += 1
            topic = _weighted(rng, _HOTLINE_TOPIC_WEIGHTS)
            department, templates = _HOTLINE_TOPICS[topic]
            category, template = rng.choice(templates)
            day = _day_between(rng, WINDOW_START, REFERENCE_DATE)
            minutes = rng.randint(7 * 60, 22 * 60) if rng.random() < 0.9 else rng.randrange(1440)
            received = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
            closed = received + timedelta(
                hours=rng.uniform(2, 24 * (3 if category == "咨询" else 15))
            )
            done = closed <= datetime(REFERENCE_DATE.year, 12, 31, 23, 59)
            anonymous = rng.random() < 0.1
            yield {
                "ticket_number": f"QZ{received:%Y%m%d}{serial:06d}",
                "received_at": _stamp(received),
                "channel": _weighted(rng, _HOTLINE_CHANNELS),
                "caller_name": "" if anonymous else r.name,
                "caller_mobile": r.mobile,
                "category": category,
                "topic": topic,
                "content": template.format(place=town_names[r.town_code]),
                "county_code": r.county_code,
                "town_code": r.town_code,
                "handling_department": _county_department(r.county_code, department),
                "status": "已办结" if done else "办理中",
                "closed_at": _stamp(closed) if done else "",
                "satisfaction": _weighted(rng, _SATISFACTION)
                if done and rng.random() < 0.7
                else "",
            }


# --- 专利 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PatentTopic:
    ipcs: tuple[str, ...]  # main IPC classes
    products: tuple[str, ...]  # what an invention makes: 瓦楞原纸 → 一种瓦楞原纸的制备方法
    devices: tuple[str, ...]  # what a utility model equips: 纸机烘缸 → 一种纸机烘缸装置
    designs: tuple[str, ...] = ()  # products with a registered design


# industry (GB/T 4754 class prefix, or section) → topic
_PATENT_TOPICS: Final[dict[str, _PatentTopic]] = {
    "C14": _PatentTopic(
        ("A23L",),
        ("营养强化米粉", "低糖面条", "速冻汤圆"),
        ("米粉蒸煮", "面条烘干"),
        ("食品包装盒",),
    ),
    "C15": _PatentTopic(
        ("A23F",), ("高香绿茶", "红茶发酵", "茶多酚提取物"), ("茶叶杀青", "茶叶揉捻"), ("茶叶罐",)
    ),
    "C20": _PatentTopic(
        ("B27J", "B27K"),
        ("竹集成材", "竹炭", "防霉竹材"),
        ("竹条刨削", "竹片碳化"),
        ("竹制收纳盒",),
    ),
    "C22": _PatentTopic(
        ("D21H", "D21F", "B65D"),
        ("高强瓦楞原纸", "特种装饰原纸", "食品级包装纸"),
        ("纸机烘缸", "纸浆除渣", "纸板分切"),
        ("纸箱", "手提纸袋"),
    ),
    "C26": _PatentTopic(
        ("C07C", "C08F", "C09K", "C08L"),
        ("含氟聚合物", "有机硅单体", "水性聚氨酯树脂"),
        ("反应釜尾气回收", "氟化氢精馏", "树脂造粒"),
    ),
    "C27": _PatentTopic(
        ("A61K", "C07D"), ("原料药中间体", "缓释微丸"), ("药物结晶", "洁净干燥"), ("药品包装瓶",)
    ),
    "C30": _PatentTopic(
        ("C04B",),
        ("低碳水泥熟料", "混凝土外加剂", "高性能预制构件"),
        ("水泥窑余热回收", "生料均化"),
        ("透水砖",),
    ),
    "C31": _PatentTopic(
        ("C21D", "C22C", "B21B"), ("耐候合金钢", "高强热轧带钢"), ("轧辊冷却", "钢坯加热炉")
    ),
    "C33": _PatentTopic(("E04B", "B23K"), ("装配式钢结构",), ("钢构件焊接", "钢梁吊装"), ("护栏",)),
    "C34": _PatentTopic(
        ("F16C", "B23P", "F16H"),
        ("长寿命滚动轴承", "轴承保持架"),
        ("轴承套圈磨削", "零件去毛刺", "齿轮箱润滑"),
        ("轴承座",),
    ),
    "C36": _PatentTopic(
        ("B60R", "B62D"),
        ("轻量化汽车支架", "车门铰链"),
        ("汽车零件冲压", "焊装夹具"),
        ("汽车脚垫",),
    ),
    "C38": _PatentTopic(
        ("H01M", "H02B"),
        ("锂离子电池正极材料", "固态电解质", "磷酸铁锂"),
        ("电池极片辊压", "开关柜散热", "电芯检测"),
        ("电池外壳", "配电箱"),
    ),
    "C39": _PatentTopic(
        ("H01L", "C01B"), ("电子级氢氟酸", "高纯硅烷", "光刻胶"), ("高纯化学品灌装", "晶圆清洗")
    ),
    "D": _PatentTopic(("H02S", "F03B"), ("光伏支架",), ("光伏组件清洗", "水轮机导叶调节")),
    "I": _PatentTopic(
        ("G06F", "G06Q", "H04L"),
        ("政务数据共享", "企业信用风险预警", "物联网设备监测"),
        ("数据采集终端", "智能网关"),
        ("显示屏图形用户界面",),
    ),
    "M": _PatentTopic(
        ("G01N", "F23C", "B01D"),
        ("水质在线检测", "低氮燃烧", "挥发性有机物治理"),
        ("废气净化", "样品前处理", "余热回收"),
    ),
}
_MATERIAL_FORMS: Final = ("一种{x}的制备方法", "一种{x}及其制备方法", "一种{x}的生产工艺")
_METHOD_FORMS: Final = (
    "一种{x}方法及系统",
    "一种基于大数据的{x}方法",
    "一种{x}方法、装置及存储介质",
)
_UTILITY_FORMS: Final = ("一种{x}装置", "一种{x}设备", "一种便于维护的{x}装置")
_PATENT_TYPES: Final = {"发明": "1", "实用新型": "2", "外观设计": "3"}


def _patent_topic(e: EnterpriseRecord) -> _PatentTopic:
    section = _section(e)
    key = e.industry_code[:3] if section == "C" else section
    return _PATENT_TOPICS.get(key) or _PATENT_TOPICS["C34"]


def patent_check_digit(first12: str) -> str:
    """The check digit after the dot of a Chinese patent application number (weights 2–9).

    >>> patent_check_digit("201710601862")  # 201710601862.3
    '3'
    """
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    remainder = sum(int(c) * w for c, w in zip(first12, weights, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def patent(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Patents applied for by the city's manufacturers, software and R&D firms."""
    return _spoiled(
        _patents(scale, seed),
        code="patent",
        seed=seed,
        every=150,
        spoilers=(
            _wrong_check_character("applicant_credit_code"),
            _impossible_date("application_date"),
            _unknown_county(),
        ),
    )


def _patents(scale: int, seed: int) -> Iterator[Row]:
    serials: dict[tuple[int, str], int] = {}
    chance = {"C": 0.35, "D": 0.2, "I": 0.55, "M": 0.7}
    for e in _enterprises(scale, seed):
        rng = _rng(seed, "patent", e.credit_code)
        if not _company(e) or rng.random() >= chance.get(_section(e), 0.0):
            continue
        start = max(e.established_on + timedelta(days=60), date(2016, 1, 1))
        if start > REFERENCE_DATE:
            continue
        topic = _patent_topic(e)
        software = _section(e) in ("I", "M")
        invention_share = 0.55 if software else 0.25
        for _ in range(rng.choices((1, 2, 3, 4, 6, 9), (35, 25, 15, 10, 10, 5))[0]):
            kind = _weighted(
                rng,
                (
                    ("发明", invention_share),
                    ("实用新型", 0.85 - invention_share),
                    ("外观设计", 0.15 if topic.designs else 0.0),
                ),
            )
            applied = _day_between(rng, start, REFERENCE_DATE)
            if kind == "外观设计":
                title = rng.choice(topic.designs)
            elif kind == "发明":
                forms = _METHOD_FORMS if software else _MATERIAL_FORMS
                title = rng.choice(forms).format(x=rng.choice(topic.products))
            else:
                title = rng.choice(_UTILITY_FORMS).format(x=rng.choice(topic.devices))
            delay = {"发明": (18, 40), "实用新型": (6, 12), "外观设计": (4, 8)}[kind]
            decided = _add_months(applied, rng.randint(*delay))
            rejected = kind == "发明" and rng.random() < 0.2
            granted = ""
            if decided > REFERENCE_DATE:
                status = "审中"
            elif rejected:
                status = "驳回"
            else:
                granted = _iso(decided)
                status = "权利终止" if rng.random() < 0.12 else "有效"
            key = (applied.year, _PATENT_TYPES[kind])
            if key not in serials:
                serials[key] = _rng(seed, "patent-serial", *key).randrange(100_000, 900_000)
            serials[key] += rng.randint(1, 40)
            first12 = f"{applied.year}{_PATENT_TYPES[kind]}{serials[key]:07d}"
            yield {
                "application_number": f"{first12}.{patent_check_digit(first12)}",
                "title": title,
                "patent_type": kind,
                "applicant_credit_code": e.credit_code,
                "applicant_name": e.name,
                "county_code": e.county_code,
                "ipc_class": rng.choice(topic.ipcs),
                "application_date": _iso(applied),
                "grant_date": granted,
                "legal_status": status,
            }


# --- 商标注册信息 -------------------------------------------------------------------------------

# Nice classes (尼斯分类) a firm registers its marks in, by GB/T 4754 class prefix or section.
_NICE_CLASSES: Final[dict[str, tuple[int, ...]]] = {
    "C13": (29, 30, 31),
    "C14": (29, 30),
    "C15": (32, 33),
    "C20": (19, 20),
    "C22": (16,),
    "C26": (1, 2),
    "C27": (5,),
    "C30": (19,),
    "C31": (6,),
    "C33": (6,),
    "C34": (7,),
    "C36": (12,),
    "C38": (9, 11),
    "C39": (1, 9),
    "C": (7,),
    "F": (35,),
    "H": (43,),
    "I": (9, 42),
}
_MARK_SUFFIXES: Final = ("", "", "牌", "优选", "精工", "+图形")
_TRADEMARK_STATUSES: Final = (("有效", 0.88), ("已注销", 0.05), ("已无效", 0.07))


def _trade_name(e: EnterpriseRecord) -> str:
    """The firm's trade name (字号): the two characters after its place-name prefix."""
    name = e.name
    for prefix in ("浙江省", "浙江", "衢州市", "衢州", _county_name(e.county_code)):
        name = name.removeprefix(prefix)
    return name[:2]


def _nice_classes(e: EnterpriseRecord) -> tuple[int, ...]:
    return (
        _NICE_CLASSES.get(e.industry_code[:3])
        or _NICE_CLASSES.get(_section(e))
        or _NICE_CLASSES["C"]
    )


def trademark(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Registered trademarks of manufacturers, traders, restaurants and software firms."""
    return _spoiled(
        _trademarks(scale, seed),
        code="trademark",
        seed=seed,
        every=150,
        spoilers=(
            _wrong_check_character("credit_code"),
            _impossible_date("registered_on"),
            _unknown_county(),
        ),
    )


def _trademarks(scale: int, seed: int) -> Iterator[Row]:
    serial = _rng(seed, "trademark-serial").randrange(10_000_000, 20_000_000)
    chance = {"C": 0.4, "F": 0.12, "H": 0.15, "I": 0.3}
    for e in _enterprises(scale, seed):
        rng = _rng(seed, "trademark", e.credit_code)
        if rng.random() >= chance.get(_section(e), 0.0):
            continue
        start = max(e.established_on + timedelta(days=270), date(2012, 1, 1))
        if start > REFERENCE_DATE:
            continue
        trade_name = _trade_name(e)
        classes = _nice_classes(e)
        for index in range(rng.choices((1, 2, 3), (60, 30, 10))[0]):
            registered = _day_between(rng, start, REFERENCE_DATE)
            # ten years of exclusive right (专用权期限), to the day before the anniversary
            valid_until = date(registered.year + 10, registered.month, 1) + timedelta(
                days=registered.day - 2
            )
            status = _weighted(rng, _TRADEMARK_STATUSES)
            if e.status == "deregistered":
                status = "已注销"
            serial += rng.randint(1, 5_000)
            yield {
                "registration_number": str(serial),
                "credit_code": e.credit_code,
                "enterprise_name": e.name,
                "county_code": e.county_code,
                "mark_name": trade_name + (_MARK_SUFFIXES[rng.randrange(6)] if index else ""),
                "nice_class": str(rng.choice(classes)),
                "registered_on": _iso(registered),
                "valid_until": _iso(valid_until),
                "status": status,
            }


# --- 产品质量监督抽查 -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Product:
    category: str
    items: tuple[tuple[str, tuple[str, ...]], ...]  # product, the 不合格项目 checks often find


_PRODUCTS: Final[dict[str, _Product]] = {
    "C13": _Product(
        "食用农产品加工品", (("大米", ("镉", "黄曲霉毒素B1")), ("食用植物油", ("酸价",)))
    ),
    "C14": _Product(
        "食品",
        (("挂面", ("菌落总数",)), ("糕点", ("过氧化值", "脱氢乙酸")), ("调味品", ("苯甲酸",))),
    ),
    "C15": _Product("酒类及饮料", (("白酒", ("酒精度", "甜蜜素")), ("饮用纯净水", ("溴酸盐",)))),
    "C20": _Product("木制品", (("人造板", ("甲醛释放量",)), ("木地板", ("含水率", "耐磨性")))),
    "C22": _Product(
        "纸制品", (("生活用纸", ("抗张强度", "荧光增白物质")), ("瓦楞纸箱", ("边压强度",)))
    ),
    "C26": _Product(
        "化工产品",
        (("化肥", ("总养分", "水分")), ("涂料", ("挥发性有机物", "重金属含量"))),
    ),
    "C27": _Product("医药相关产品", (("医用口罩", ("细菌过滤效率",)), ("消毒剂", ("有效氯含量",)))),
    "C30": _Product(
        "建筑材料", (("水泥", ("3天抗压强度", "氧化镁")), ("陶瓷砖", ("吸水率", "放射性核素")))
    ),
    "C31": _Product("钢材", (("热轧带肋钢筋", ("屈服强度", "重量偏差")), ("冷轧带钢", ("厚度",)))),
    "C33": _Product(
        "金属制品", (("钢管脚手架扣件", ("抗滑性能", "抗破坏性能")), ("防盗门", ("防破坏性能",)))
    ),
    "C34": _Product("机械产品", (("滚动轴承", ("振动", "硬度")), ("电动工具", ("接地措施",)))),
    "C36": _Product("汽车配件", (("制动软管", ("爆裂压力",)), ("汽车安全带", ("动态性能",)))),
    "C38": _Product(
        "电气产品",
        (("电线电缆", ("导体电阻", "绝缘厚度")), ("插头插座", ("标志", "温升"))),
    ),
    "C39": _Product(
        "电子产品", (("电子元器件", ("引脚可焊性",)), ("LED照明产品", ("谐波电流", "骚扰电压")))
    ),
    # 流通领域: goods sampled at wholesalers and retailers
    "F": _Product(
        "流通领域商品",
        (
            ("儿童玩具", ("小零件", "可迁移元素")),
            ("电线电缆", ("导体电阻",)),
            ("服装", ("纤维含量",)),
        ),
    ),
}
_SAMPLED: Final = {"C": 0.45, "F": 0.15}
_SPOT_CHECK_FAIL: Final = 0.09


def product_quality_inspection(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Spot checks (监督抽查) of manufacturers' products and of goods on sale, in the window."""
    return _spoiled(
        _quality_inspections(scale, seed),
        code="product_quality_inspection",
        seed=seed,
        every=150,
        spoilers=(
            _wrong_check_character("credit_code"),
            _impossible_date("sampled_on"),
            _missing("result"),
        ),
    )


def _quality_inspections(scale: int, seed: int) -> Iterator[Row]:
    numbers: dict[tuple[int, str], int] = {}
    for e in _enterprises(scale, seed):
        rng = _rng(seed, "quality", e.credit_code)
        product = _PRODUCTS.get(e.industry_code[:3]) or _PRODUCTS.get(_section(e))
        if product is None or not _operating(e) or rng.random() >= _SAMPLED[_section(e)]:
            continue
        start = max(e.established_on + timedelta(days=90), WINDOW_START)
        if start > REFERENCE_DATE:
            continue
        for _ in range(rng.choices((1, 2, 3), (55, 30, 15))[0]):
            sampled = _day_between(rng, start, REFERENCE_DATE)
            key = (sampled.year, e.county_code)
            numbers[key] = numbers.get(key, 0) + 1
            failed = rng.random() < _SPOT_CHECK_FAIL * (1.8 if e.status == "abnormal" else 1.0)
            name, failures = rng.choice(product.items)
            items = rng.sample(failures, rng.randint(1, len(failures)))
            yield {
                "inspection_number": f"QZCC{sampled.year}{e.county_code}{numbers[key]:04d}",
                "credit_code": e.credit_code,
                "enterprise_name": e.name,
                "county_code": e.county_code,
                "product": name,
                "product_category": product.category,
                "sampled_on": _iso(sampled),
                "result": "不合格" if failed else "合格",
                "failed_items": "、".join(items) if failed else "",
                "authority": _amr_authority(e.county_code),
            }


# --- 行政许可 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Licence:
    kind: str  # 许可证名称
    years: int  # validity (有效期), in years
    chance: float  # share of the fitting enterprises that hold one
    company_only: bool  # not held by individual businesses (个体工商户)
    scopes: tuple[tuple[str, str], ...]  # (number part, 许可内容)


_FOOD_BUSINESS: Final = "食品经营许可证"
_FOOD_PRODUCTION: Final = "食品生产许可证"
_SPECIAL_EQUIPMENT: Final = "特种设备生产许可证"
_INDUSTRIAL_PRODUCT: Final = "工业产品生产许可证"
_DRUG_BUSINESS: Final = "药品经营许可证"

# By GB/T 4754 class, or failing that by its first three or four characters. The number part is
# the main-body digit of a 食品经营许可证 (1 sales, 2 catering), the food category of a 食品生产许可证,
# the equipment kind of a 特种设备生产许可证, the product unit of a 工业产品生产许可证.
_LICENCES: Final[dict[str, _Licence]] = {
    "H621": _Licence(_FOOD_BUSINESS, 5, 0.9, False, (("2", "热食类食品制售、冷食类食品制售"),)),
    "H622": _Licence(_FOOD_BUSINESS, 5, 0.9, False, (("2", "热食类食品制售"),)),
    "H629": _Licence(
        _FOOD_BUSINESS,
        5,
        0.9,
        False,
        (("2", "热食类食品制售"), ("2", "热食类食品制售、糕点类食品（不含裱花蛋糕）制售")),
    ),
    "F5212": _Licence(
        _FOOD_BUSINESS,
        5,
        0.9,
        False,
        (
            (
                "1",
                "预包装食品（含冷藏冷冻食品）销售、散装食品（含冷藏冷冻食品）销售、"
                "保健食品销售、婴幼儿配方乳粉销售",
            ),
        ),
    ),
    "F5213": _Licence(
        _FOOD_BUSINESS,
        5,
        0.9,
        False,
        (("1", "预包装食品（含冷藏冷冻食品）销售、散装食品（不含冷藏冷冻食品）销售"),),
    ),
    "F522": _Licence(_FOOD_BUSINESS, 5, 0.3, False, (("1", "预包装食品（不含冷藏冷冻食品）销售"),)),
    "C143": _Licence(
        _FOOD_PRODUCTION,
        5,
        0.9,
        True,
        (("101", "粮食加工品：大米、挂面"), ("101", "粮食加工品：其他粮食加工品（米粉制品）")),
    ),
    "C153": _Licence(
        _FOOD_PRODUCTION, 5, 0.9, True, (("114", "茶叶及相关制品：茶叶（绿茶、红茶）"),)
    ),
    "C13": _Licence(_FOOD_PRODUCTION, 5, 0.9, True, (("103", "食用油、油脂及其制品"),)),
    "C14": _Licence(_FOOD_PRODUCTION, 5, 0.9, True, (("124", "糕点：热加工糕点"),)),
    "C15": _Licence(_FOOD_PRODUCTION, 5, 0.9, True, (("115", "酒类：白酒、黄酒"),)),
    "C34": _Licence(
        _SPECIAL_EQUIPMENT,
        4,
        0.5,
        True,
        (
            ("31", "电梯制造：曳引驱动乘客电梯（A2级）"),
            ("24", "起重机械制造：桥式、门式起重机（B级）"),
            ("27", "压力管道元件制造：阀门（B级）"),
        ),
    ),
    "C2614": _Licence(_INDUSTRIAL_PRODUCT, 5, 0.6, True, (("13-014", "危险化学品有机产品"),)),
    "C2661": _Licence(_INDUSTRIAL_PRODUCT, 5, 0.6, True, (("13-015", "危险化学品无机产品"),)),
    "C3011": _Licence(_INDUSTRIAL_PRODUCT, 5, 0.6, True, (("08-001", "水泥：通用硅酸盐水泥"),)),
    "C313": _Licence(_INDUSTRIAL_PRODUCT, 5, 0.6, True, (("05-001", "建筑用钢筋：热轧带肋钢筋"),)),
    "C2231": _Licence(
        _INDUSTRIAL_PRODUCT,
        5,
        0.6,
        True,
        (("16-204", "食品相关产品：食品用纸包装、容器等制品"),),
    ),
    "F5251": _Licence(
        _DRUG_BUSINESS,
        5,
        0.95,
        False,
        (
            ("", "中成药、化学药制剂、抗生素制剂、生化药品、生物制品（除疫苗）"),
            ("", "中药饮片、中成药、化学药制剂、抗生素制剂、生化药品"),
        ),
    ),
}
_LICENCES_SINCE: Final = date(2016, 1, 1)  # the licences of today's regimes (2015 onwards)
_RENEWED: Final = 0.9  # share of licences renewed (延续) before they lapse
_GIVEN_UP: Final = 0.03  # share cancelled at the holder's request (申请注销)


def _licence(e: EnterpriseRecord) -> _Licence | None:
    code = e.industry_code
    return _LICENCES.get(code) or _LICENCES.get(code[:4]) or _LICENCES.get(code[:3])


def _licence_number(
    licence: _Licence, part: str, e: EnterpriseRecord, serial: int, valid_until: date
) -> str:
    """A number in the style of each licence: JY…, SC…, TS…-year, （浙）XK…, 浙CB…."""
    check = serial * 7 % 10
    if licence.kind == _FOOD_BUSINESS:
        return f"JY{part}{e.county_code}{serial:06d}{check}"
    if licence.kind == _FOOD_PRODUCTION:
        return f"SC{part}{e.county_code}{serial:04d}{check}"
    if licence.kind == _SPECIAL_EQUIPMENT:
        return f"TS{part}33{serial:03d}-{valid_until.year}"
    if licence.kind == _INDUSTRIAL_PRODUCT:
        return f"（浙）XK{part}-{serial:05d}"
    return f"浙CB570{serial:04d}"


def administrative_licence(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Licensing decisions of the market regulators (双公示): food production and business,
    drug retail, special-equipment and industrial-product production, each renewed in turn."""
    return _spoiled(
        _administrative_licence(scale, seed),
        code="administrative_licence",
        seed=seed,
        every=200,
        spoilers=(
            _wrong_check_character("credit_code"),
            _impossible_date("issued_on"),
            _unknown_county(),
        ),
    )


def _administrative_licence(scale: int, seed: int) -> Iterator[Row]:
    serials: dict[tuple[str, str, str], int] = {}
    for e in _enterprises(scale, seed):
        licence = _licence(e)
        rng = _rng(seed, "licence", e.credit_code)
        if licence is None or rng.random() >= licence.chance:
            continue
        if licence.company_only and not _company(e):
            continue
        part, scope = rng.choice(licence.scopes)
        if e.established_on >= _LICENCES_SINCE:
            issued = e.established_on + timedelta(days=rng.randint(7, 60))
        else:  # licensed before: the current cycle's first licence, anywhere in its term
            issued = _day_between(
                rng, _LICENCES_SINCE, _add_months(_LICENCES_SINCE, 12 * licence.years - 1)
            )
        while issued <= REFERENCE_DATE:
            valid_until = date(issued.year + licence.years, issued.month, 1) + timedelta(
                days=issued.day - 2
            )
            # the regulator numbers its licences per kind (and county, where the number has it)
            key = (licence.kind, part, e.county_code if licence.kind in _COUNTY_NUMBERED else "")
            serial = serials[key] = serials.get(key, 0) + 1
            renewal = valid_until - timedelta(days=rng.randint(5, 40))
            given_up = rng.random() < _GIVEN_UP
            renewed = not given_up and rng.random() < _RENEWED
            last = not renewed or renewal > REFERENCE_DATE
            if valid_until < REFERENCE_DATE:
                status = "过期"
            elif not last or given_up or not _operating(e):
                # replaced by its renewal, given up, or with the holder deregistered or revoked
                status = "注销"
            else:
                status = "有效"
            yield {
                "licence_number": _licence_number(licence, part, e, serial, valid_until),
                "credit_code": e.credit_code,
                "enterprise_name": e.name,
                "county_code": e.county_code,
                "licence_type": licence.kind,
                "licence_scope": scope,
                "issued_on": _iso(issued),
                "valid_until": _iso(valid_until),
                "authority": _amr_authority(e.county_code),
                "status": status,
            }
            if last:
                break
            issued = renewal


_COUNTY_NUMBERED: Final = frozenset({_FOOD_BUSINESS, _FOOD_PRODUCTION})


# --- Files --------------------------------------------------------------------------------------


# --- 免申即享的共享数据 (the shared data of benefits without applying) -------------------------

_DISABILITY_TYPES: Final = (
    ("视力残疾", 0.15),
    ("听力残疾", 0.2),
    ("言语残疾", 0.03),
    ("肢体残疾", 0.4),
    ("智力残疾", 0.08),
    ("精神残疾", 0.1),
    ("多重残疾", 0.04),
)
_DISABILITY_GRADES: Final = (("1", 0.12), ("2", 0.2), ("3", 0.33), ("4", 0.35))


def disability_certificate(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """One certificate for about one resident in sixteen (more among the old)."""
    return _spoiled(
        _disability_certificates(scale, seed),
        code="disability_certificate",
        seed=seed,
        every=400,
        spoilers=(_wrong_check_character("id_number"), _impossible_date("issued_on")),
    )


def _disabled(r: ResidentRecord, seed: int) -> bool:
    rng = _rng(seed, "disability", r.id_number)
    return rng.random() < (0.035 if _age(r.birth_date) < 60 else 0.12)


def _disability_certificates(scale: int, seed: int) -> Iterator[Row]:
    for r in _residents(scale, seed):
        if not _disabled(r, seed) or r.birth_date > date(2024, 6, 30):
            continue
        rng = _rng(seed, "certificate", r.id_number)
        issued = _day_between(rng, max(r.birth_date, date(2008, 1, 1)), REFERENCE_DATE)
        lapsed = rng.random() < 0.06  # a few not renewed (no longer valid)
        valid = (
            _add_months(issued, 12 * 10)
            if not lapsed
            else _day_between(rng, date(2023, 1, 1), date(2024, 6, 30))
        )
        yield {
            "id_number": r.id_number,
            "certificate_number": f"{r.id_number}{rng.randrange(1, 8)}{rng.randrange(1, 5)}",
            "disability_type": _weighted(rng, _DISABILITY_TYPES),
            "grade": _weighted(rng, _DISABILITY_GRADES),
            "issued_on": _iso(issued),
            "valid_until": "" if rng.random() < 0.25 and not lapsed else _iso(valid),
        }


def minimum_living_allowance(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Members of low-income households: about one resident in forty (one in four of the
    disabled), a few of whom have left the allowance."""
    return _spoiled(
        _low_income(scale, seed),
        code="minimum_living_allowance",
        seed=seed,
        every=300,
        spoilers=(_wrong_check_character("id_number"), _unknown_county()),
    )


def _low_income(scale: int, seed: int) -> Iterator[Row]:
    for number, r in enumerate(_residents(scale, seed)):
        rng = _rng(seed, "low_income", r.id_number)
        if r.birth_date > date(2024, 9, 30) or rng.random() >= (
            0.25 if _disabled(r, seed) else 0.02
        ):
            continue
        starts = _day_between(rng, max(r.birth_date, date(2015, 1, 1)), REFERENCE_DATE)
        ended = rng.random() < 0.1
        yield {
            "id_number": r.id_number,
            "household_number": f"DB{r.county_code}{number // 3:06d}",
            "county_code": r.county_code,
            "starts_on": _iso(starts),
            "ends_on": _iso(_day_between(rng, starts, REFERENCE_DATE)) if ended else "",
        }


def social_insurance_unit_monthly(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """Each operating company's insured employees, unemployment contribution and arrears, per
    month of the window."""
    return _spoiled(
        _insurance_units(scale, seed),
        code="social_insurance_unit_monthly",
        seed=seed,
        every=500,
        spoilers=(_wrong_check_character("credit_code"), _negative("unemployment_contribution")),
    )


_UNEMPLOYMENT_RATE: Final = 0.005  # 失业保险单位缴费比例 0.5 %
_WAGE_BASE: Final = 5200.0  # 月缴费基数 (yuan)


def _insurance_units(scale: int, seed: int) -> Iterator[Row]:
    for e in _enterprises(scale, seed):
        if not (_company(e) and _operating(e)):
            continue
        rng = _rng(seed, "insurance_unit", e.credit_code)
        staff = max(3, round(_capital(e) ** 0.55 * rng.uniform(0.6, 1.6)))
        # most keep their staff; some shed people (layoffs), a few owe contributions
        monthly = _weighted(rng, (("steady", 0.7), ("grow", 0.15), ("shed", 0.15)))
        change = {"steady": 0.0, "grow": 0.01, "shed": -0.02}[monthly]
        owes_from = len(MONTHS) - rng.randrange(1, 6) if rng.random() < 0.06 else None
        for index, month in enumerate(MONTHS):
            count = max(1, round(staff * (1 + change) ** index + rng.choice((-1, 0, 0, 0, 1))))
            paid = count * _WAGE_BASE * _UNEMPLOYMENT_RATE
            owed = (
                paid * (index - owes_from + 1)
                if owes_from is not None and index >= owes_from
                else 0
            )
            yield {
                **{
                    k: v
                    for k, v in _enterprise_columns(e).items()
                    if k in ("credit_code", "enterprise_name")
                },
                "month": _iso(month),
                "insured_count": str(count),
                "unemployment_contribution": _fixed(0 if owed else paid, 2),
                "arrears": _fixed(owed, 2),
            }


def tech_sme_list(*, scale: int, seed: int = 2022) -> Iterator[Row]:
    """The technology-based SMEs of the last two years: about one industrial or information
    company in five."""
    return _spoiled(
        _tech_sme(scale, seed),
        code="tech_sme_list",
        seed=seed,
        every=200,
        spoilers=(_wrong_check_character("credit_code"), _negative("rd_expense")),
    )


def _tech_sme(scale: int, seed: int) -> Iterator[Row]:
    for e in _enterprises(scale, seed):
        if not (_company(e) and _operating(e) and _section(e) in ("C", "D", "I", "M")):
            continue
        rng = _rng(seed, "tech_sme", e.credit_code)
        if rng.random() >= 0.2:
            continue
        for year in YEARS[-2:]:
            if rng.random() < 0.15:  # not on every year's list
                continue
            yield {
                **{
                    k: v
                    for k, v in _enterprise_columns(e).items()
                    if k in ("credit_code", "enterprise_name")
                },
                "year": str(year),
                "list_number": f"{year}3308{rng.randrange(10**6):06d}",
                "rd_expense": _fixed(rng.lognormvariate(math.log(900_000), 0.7), 2),
            }


BENEFIT_GENERATORS: Final[dict[str, Generator]] = {
    "disability_certificate": disability_certificate,
    "minimum_living_allowance": minimum_living_allowance,
    "social_insurance_unit_monthly": social_insurance_unit_monthly,
    "tech_sme_list": tech_sme_list,
}


GENERATORS: Final[dict[str, Generator]] = {
    "enterprise_registry": enterprise_registry,
    "enterprise_electricity_monthly": enterprise_electricity_monthly,
    "enterprise_gas_monthly": enterprise_gas_monthly,
    "enterprise_coal_oil_monthly": enterprise_coal_oil_monthly,
    "enterprise_output_monthly": enterprise_output_monthly,
    "enterprise_tax_quarterly": enterprise_tax_quarterly,
    "social_insurance_enrolment": social_insurance_enrolment,
    "administrative_penalty": administrative_penalty,
    "abnormal_operation_list": abnormal_operation_list,
    "population_basic": population_basic,
    "air_quality_hourly": air_quality_hourly,
    "surface_water_monthly": surface_water_monthly,
    "real_estate_transaction": real_estate_transaction,
    "service_case": service_case,
    "hotline_12345": hotline_12345,
    "patent": patent,
    "enterprise_heat_export_monthly": enterprise_heat_export_monthly,
    "carbon_sector_activity": carbon_sector_activity,
    "trademark": trademark,
    "product_quality_inspection": product_quality_inspection,
    "administrative_licence": administrative_licence,
    **BENEFIT_GENERATORS,
}


def dataset_rows(code: str, *, scale: int, seed: int = 2022) -> Iterator[Row]:
    """The rows of the dataset ``code`` (a key of ``GENERATORS``)."""
    return GENERATORS[code](scale=scale, seed=seed)


# --- Bringing the window up to date ---------------------------------------------------------

# Birth dates (出生日期) keep their generated value: identity numbers hold them too.
_FIXED_DATES: Final = frozenset({"birth_date"})
# Fields holding the first day of a month or quarter: they move by whole months.
_PERIOD_FIELDS: Final = {"month": 1, "quarter": 3}
# Integer fields holding a calendar year: they move by whole years (``TimeShift.years``).
_YEAR_FIELDS: Final = frozenset({"year"})


@dataclass(frozen=True)
class TimeShift:
    """How far the generated window moves so that it ends just before ``as_of`` (时间平移).

    The generators draw a fixed window ending on REFERENCE_DATE, so that their output is the
    same every day; the demo moves it forward so that the city's data is current when loaded
    (timeliness 及时性 is judged against today). Day and time fields move by ``days``, so the
    last day becomes the day before ``as_of``; month and quarter fields move by ``months``, so
    the last month becomes the last complete month, and quarters stay quarter starts. Year
    fields move by ``years``, so the last year becomes the last complete calendar year of the
    moved monthly window.

    >>> shift = TimeShift.to(date(2026, 11, 25))
    >>> shift
    TimeShift(days=693, months=22)
    >>> shift.cell("month", "date", "2024-12-01"), shift.cell("quarter", "date", "2024-10-01")
    ('2026-10-01', '2026-07-01')
    >>> shift.cell("decided_on", "date", "2024-12-31"), shift.cell("birth_date", "date", "1990-05-01")
    ('2026-11-24', '1990-05-01')
    >>> shift.cell("observed_at", "datetime", "2024-12-31 23:00:00")
    '2026-11-24 23:00:00'
    >>> shift.years, shift.cell("year", "integer", "2024")  # the window ends 2026-10
    (1, '2025')
    >>> TimeShift.to(date(2027, 1, 5)).years  # … ends 2026-12, a complete year
    2
    >>> shift.cell("decided_on", "date", IMPOSSIBLE_DATE)  # a deliberately bad cell stays bad
    '2024-02-30'
    """

    days: int
    months: int

    @classmethod
    def to(cls, as_of: date) -> TimeShift:
        """The shift for data loaded on ``as_of`` (never backwards)."""
        days = (as_of - timedelta(days=1) - REFERENCE_DATE).days
        last_month = as_of.year * 12 + as_of.month - 2  # the month before as_of's, from 0
        months = last_month - (REFERENCE_DATE.year * 12 + REFERENCE_DATE.month - 1)
        return cls(days=max(0, days), months=max(0, months))

    @property
    def years(self) -> int:
        """Whole years that year fields move: the last one becomes the last complete year."""
        last = REFERENCE_DATE.year * 12 + REFERENCE_DATE.month - 1 + self.months  # from 0
        year, month0 = divmod(last, 12)
        complete = year if month0 == 11 else year - 1
        return max(0, complete - REFERENCE_DATE.year)

    def day(self, day: date) -> date:
        """A day of the window moved (for registries that hold the same dates as the files)."""
        return day + timedelta(days=self.days)

    def cell(self, name: str, data_type: str, value: str) -> str:
        """One cell moved; empty, fixed and unreadable cells are returned as they are."""
        if value and name in _YEAR_FIELDS and data_type == "integer":
            return str(int(value) + self.years) if value.isdigit() else value
        if not value or name in _FIXED_DATES or data_type not in ("date", "datetime"):
            return value
        try:
            if data_type == "datetime":
                moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
                return _stamp(moment + timedelta(days=self.days))
            day = date.fromisoformat(value)
        except ValueError:
            return value
        if name in _PERIOD_FIELDS:
            moved = _add_months(day.replace(day=1), self.months)
            period = _PERIOD_FIELDS[name]
            return _iso(moved.replace(month=(moved.month - 1) // period * period + 1))
        return _iso(day + timedelta(days=self.days))

    def rows(self, definition: datasets.DatasetDef, rows: Iterable[Row]) -> Iterator[Row]:
        """The rows of a dataset with their date and time cells moved."""
        moving = [
            (f.name, f.data_type)
            for f in definition.fields
            if (f.data_type in ("date", "datetime") and f.name not in _FIXED_DATES)
            or (f.data_type == "integer" and f.name in _YEAR_FIELDS)
        ]
        for row in rows:
            if self.days or self.months:
                for name, data_type in moving:
                    row[name] = self.cell(name, data_type, row[name])
            yield row


def write_demo_files(
    *,
    scale: int,
    seed: int,
    folder: Path,
    codes: Collection[str] | None = None,
    as_of: date | None = None,
) -> dict[str, Path]:
    """Write one CSV per dataset (or per code in ``codes``) into ``folder``; return code → path.

    Rows stream to disk; a file appears under its final name only once complete. Files are
    UTF-8 except those named in ``ENCODINGS``. With ``as_of``, the window is moved to end just
    before that day (``TimeShift``); without it, the files hold the fixed window.
    """
    folder.mkdir(parents=True, exist_ok=True)
    shift = TimeShift.to(as_of) if as_of is not None else TimeShift(0, 0)
    written: dict[str, Path] = {}
    for definition in datasets.DATASETS:
        if codes is not None and definition.code not in codes:
            continue
        path = folder / f"{definition.code}.csv"
        partial = path.with_name(path.name + ".part")
        encoding = ENCODINGS.get(definition.code, "utf-8")
        with partial.open("w", encoding=encoding, newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=definition.field_names, extrasaction="raise")
            writer.writeheader()
            generated = dataset_rows(definition.code, scale=scale, seed=seed)
            writer.writerows(shift.rows(definition, generated))
        partial.replace(path)
        written[definition.code] = path
    return written
