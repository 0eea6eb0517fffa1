"""Synthetic-city generators for the demo Quzhou (演示数据生成).

Pure Python, no Django: the ``shuzhi demo`` command turns these records into rows. Everything
is fictional except the reference data (real division and industry names and codes).

Determinism and prefix stability
--------------------------------
Record ``i`` is drawn from its own ``random.Random(f"{seed}:enterprise:{i}")`` (or
``...:resident:{i}``), never from one shared stream, so for a given seed record ``i`` is the
same at every scale that includes it and a bigger scale only appends records.

Uniqueness holds by construction, not by retrying:

* a credit code (统一社会信用代码) embeds an organisation code whose body is a keyed
  permutation of ``i``, so no two enterprises share one;
* an enterprise name embeds a trade name (字号) that is also a keyed permutation of ``i``;
  trade-name characters never start an industry word and are never 市/县/区, so the trade
  name can be read back from the name and different trade names give different names;
* an ID number (公民身份号码) takes its birth day and sequence number from a keyed
  permutation of the resident's ordinal within its (county, birth year, sex) bucket. The
  bucket counters are the only state carried from record to record; they depend only on the
  records before ``i``, so prefix stability still holds.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from importlib import resources
from itertools import accumulate
from typing import Any, Final, Literal, TypeVar

from shuzhi.platform.security.identifiers import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_char,
    id_number_check_char,
    organisation_code_check_char,
)

__all__ = [
    "ENTERPRISES_PER_SCALE",
    "ENTERPRISE_STATUSES",
    "ENTERPRISE_TYPES",
    "MAX_SCALE",
    "REFERENCE_DATE",
    "RESIDENTS_PER_SCALE",
    "SEXES",
    "DivisionRecord",
    "EnterpriseRecord",
    "IndustryRecord",
    "ResidentRecord",
    "enterprises",
    "load_divisions",
    "load_industries",
    "residents",
]

ENTERPRISES_PER_SCALE: Final = 1_000
RESIDENTS_PER_SCALE: Final = 10_000
# Organisation codes are a permutation of the enterprise index: "MA2" + 5 characters of the
# credit-code alphabet gives 31**5 of them. (Residents hit a bucket limit near scale 9000.)
MAX_SCALE: Final = 31**5 // ENTERPRISES_PER_SCALE

# The demo's "today": birth dates and registrations end here, and ages are counted to it.
REFERENCE_DATE: Final = date(2024, 12, 31)
# From the 三证合一 reform (1 Oct 2015) new entities get organisation codes starting "MA".
NEW_ORGANISATION_CODES_FROM: Final = date(2015, 10, 1)

# Enterprise type (企业类型) code → registry term.
ENTERPRISE_TYPES: Final[dict[str, str]] = {
    "limited_company": "有限责任公司",
    "joint_stock_company": "股份有限公司",
    "individual_business": "个体工商户",
}
# Registration status (登记状态) code → registry term; same codes as market.Enterprise.Status.
ENTERPRISE_STATUSES: Final[dict[str, str]] = {
    "active": "存续",
    "abnormal": "经营异常",
    "revoked": "吊销",
    "deregistered": "注销",
}
Sex = Literal["male", "female"]
SEXES: Final[dict[str, str]] = {"male": "男", "female": "女"}

T = TypeVar("T")


# --- Records ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DivisionRecord:  # 行政区划 (GB/T 2260; town codes are demo serials)
    code: str
    name_zh: str
    name_en: str
    level: str  # "city", "county" or "town"
    parent_code: str | None


@dataclass(frozen=True, slots=True)
class IndustryRecord:  # 国民经济行业分类 class (GB/T 4754-2017), e.g. "C2221"
    code: str
    section: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class EnterpriseRecord:  # 市场主体
    credit_code: str  # 统一社会信用代码, GB 32100-2015
    name: str
    enterprise_type: str  # a key of ENTERPRISE_TYPES
    legal_representative: str  # 法定代表人 / 经营者 (fictional person)
    address: str
    county_code: str
    town_code: str
    industry_code: str
    registered_capital_10k_yuan: Decimal  # 注册资本, 万元
    established_on: date
    status: str  # a key of ENTERPRISE_STATUSES
    mobile: str


@dataclass(frozen=True, slots=True)
class ResidentRecord:  # 居民 (fictional person)
    id_number: str  # 公民身份号码, GB 11643-1999
    name: str
    sex: Sex
    birth_date: date
    county_code: str
    town_code: str
    address: str
    mobile: str


# --- Reference data ----------------------------------------------------------------------------


def _read_json(name: str) -> Any:
    path = resources.files("shuzhi.demo") / "data" / name
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _divisions() -> tuple[DivisionRecord, ...]:
    return tuple(
        DivisionRecord(
            code=row["code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            level=row["level"],
            parent_code=row["parent_code"],
        )
        for row in _read_json("divisions.json")["divisions"]
    )


@cache
def _industries() -> tuple[tuple[IndustryRecord, float], ...]:
    return tuple(
        (
            IndustryRecord(
                code=row["code"],
                section=row["section"],
                name_zh=row["name_zh"],
                name_en=row["name_en"],
            ),
            float(row["weight"]),
        )
        for row in _read_json("industries.json")["industries"]
    )


def load_divisions() -> list[DivisionRecord]:
    """Quzhou, its six county-level divisions and a selection of their towns, parents first."""
    return list(_divisions())


def load_industries() -> list[IndustryRecord]:
    """The GB/T 4754-2017 industry classes the demo uses."""
    return [industry for industry, _ in _industries()]


# --- Derived tables (cached) -------------------------------------------------------------------


@dataclass(frozen=True)
class _County:
    division: DivisionRecord
    towns: tuple[DivisionRecord, ...]
    town_cum: tuple[float, ...]


@dataclass(frozen=True)
class _Geography:
    city: DivisionRecord
    counties: tuple[_County, ...]
    county_cum: tuple[float, ...]


# Relative population of a town-level unit by its kind (街道 and 办事处 are urban).
_TOWN_KIND_WEIGHTS: Final = (("街道", 3.0), ("办事处", 3.0), ("镇", 2.0), ("乡", 1.0))


def _town_weight(name_zh: str) -> float:
    for suffix, weight in _TOWN_KIND_WEIGHTS:
        if name_zh.endswith(suffix):
            return weight
    return 1.0


@cache
def _geography() -> _Geography:
    divisions = _divisions()
    county_weights: dict[str, float] = _read_json("divisions.json")["demo_weights"]["counties"]
    (city,) = (d for d in divisions if d.level == "city")
    counties = []
    for county in (d for d in divisions if d.level == "county"):
        towns = tuple(d for d in divisions if d.level == "town" and d.parent_code == county.code)
        cum = tuple(accumulate(_town_weight(t.name_zh) for t in towns))
        counties.append(_County(division=county, towns=towns, town_cum=cum))
    return _Geography(
        city=city,
        counties=tuple(counties),
        county_cum=tuple(accumulate(float(county_weights[c.division.code]) for c in counties)),
    )


@dataclass(frozen=True)
class _IndustryWords:
    company: tuple[str, ...]  # industry word (行业表述) in a company name: 纸业, 化工 ...
    individual: tuple[str, ...]  # ... in an individual business name: 小吃店, 五金店 ...
    individual_share: float  # chance that an entity of this industry is a 个体工商户


@dataclass(frozen=True)
class _Vocabulary:
    surnames: tuple[str, ...]
    surname_cum: tuple[float, ...]
    male_given: tuple[str, ...]
    female_given: tuple[str, ...]
    trade_chars: tuple[str, ...]
    street_stems: tuple[str, ...]
    street_suffixes: tuple[str, ...]
    street_suffix_cum: tuple[float, ...]
    industry_words: dict[str, _IndustryWords]
    industries: tuple[IndustryRecord, ...]
    industry_cum: tuple[float, ...]


@cache
def _vocabulary() -> _Vocabulary:
    raw = _read_json("names.json")
    given = raw["given_name_chars"]
    industries = _industries()
    return _Vocabulary(
        surnames=tuple(row["surname"] for row in raw["surnames"]),
        surname_cum=tuple(accumulate(float(row["weight"]) for row in raw["surnames"])),
        male_given=tuple(given["male"] + given["neutral"]),
        female_given=tuple(given["female"] + given["neutral"]),
        trade_chars=tuple(raw["trade_name_chars"]),
        street_stems=tuple(raw["street_stems"]),
        street_suffixes=tuple(row["suffix"] for row in raw["street_suffixes"]),
        street_suffix_cum=tuple(accumulate(float(row["weight"]) for row in raw["street_suffixes"])),
        industry_words={
            code: _IndustryWords(
                company=tuple(words["company"]),
                individual=tuple(words["individual"]),
                individual_share=float(words["individual_share"]),
            )
            for code, words in raw["industry_words"].items()
        },
        industries=tuple(industry for industry, _ in industries),
        industry_cum=tuple(accumulate(weight for _, weight in industries)),
    )


@cache
def _town_streets(seed: int, town_code: str) -> tuple[str, ...]:
    """The streets of one town, stable for a seed: eight stems with a suffix each."""
    vocab = _vocabulary()
    rng = random.Random(f"{seed}:streets:{town_code}")
    stems = rng.sample(vocab.street_stems, 8)
    return tuple(
        stem + _pick(rng, vocab.street_suffixes, vocab.street_suffix_cum) for stem in stems
    )


# --- Small helpers -------------------------------------------------------------------------------


def _pick(rng: random.Random, items: Sequence[T], cum_weights: Sequence[float]) -> T:
    return rng.choices(items, cum_weights=cum_weights, k=1)[0]


@cache
def _feistel_key(key: str) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=32).digest()


def _permute(index: int, size: int, key: str) -> int:
    """A keyed bijection of ``range(size)``: a 4-round Feistel network with cycle walking."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is outside range({size})")
    half = max(1, ((size - 1).bit_length() + 1) // 2)
    mask = (1 << half) - 1
    secret = _feistel_key(key)
    value = index
    while True:
        left, right = value >> half, value & mask
        for round_no in range(4):
            data = bytes([round_no]) + right.to_bytes(8, "big")
            digest = hashlib.blake2b(data, key=secret, digest_size=8).digest()
            left, right = right, left ^ (int.from_bytes(digest, "big") & mask)
        value = (left << half) | right
        if value < size:  # walk the cycle until we land back inside the domain
            return value


def _base31(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, digit = divmod(value, len(CREDIT_CODE_ALPHABET))
        chars.append(CREDIT_CODE_ALPHABET[digit])
    return "".join(reversed(chars))


# Mainland mobile number segments (号段) of the three carriers.
_MOBILE_SEGMENTS: Final = (*range(130, 140), *range(150, 160), 173, *range(175, 179))
_MOBILE_PREFIXES: Final = tuple(
    str(segment)
    for segment in (*_MOBILE_SEGMENTS, *range(180, 190), 191, 193, 195, 198, 199)
    if segment != 154
)


def _mobile(rng: random.Random) -> str:
    """A made-up 11-digit mainland mobile number (any such number may exist; none is looked up)."""
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _person_name(rng: random.Random, vocab: _Vocabulary, sex: Sex) -> str:
    pool = vocab.male_given if sex == "male" else vocab.female_given
    given = rng.choice(pool) if rng.random() < 0.25 else rng.choice(pool) + rng.choice(pool)
    return _pick(rng, vocab.surnames, vocab.surname_cum) + given


def _count(scale: int, per_scale: int) -> int:
    if isinstance(scale, bool) or not isinstance(scale, int):
        raise TypeError("scale must be an int")
    if not 0 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between 0 and {MAX_SCALE}, got {scale}")
    return scale * per_scale


def _days_in_year(year: int) -> int:
    """Days of ``year`` up to and including REFERENCE_DATE."""
    start = date(year, 1, 1)
    end = min(date(year, 12, 31), REFERENCE_DATE)
    return (end - start).days + 1


# --- Enterprises ---------------------------------------------------------------------------------

_COMPANY_YEARS: Final = tuple(range(1992, REFERENCE_DATE.year + 1))
_COMPANY_YEAR_CUM: Final = tuple(accumulate(1.12 ** (y - 1992) for y in _COMPANY_YEARS))
_INDIVIDUAL_YEARS: Final = tuple(range(2005, REFERENCE_DATE.year + 1))
_INDIVIDUAL_YEAR_CUM: Final = tuple(accumulate(1.15 ** (y - 2005) for y in _INDIVIDUAL_YEARS))

# Registered capital (注册资本), 10,000 yuan: typical round amounts and how common they are.
_COMPANY_CAPITALS: Final = (10, 30, 50, 100, 200, 300, 500, 800, 1000, 2000, 3000, 5000, 10000)
_COMPANY_CAPITAL_WEIGHTS: Final = (6, 5, 10, 16, 10, 8, 10, 4, 8, 5, 3, 3, 2)
_HEAVY_SECTIONS: Final = frozenset("CDK")  # manufacturing, utilities and real estate run larger
_INDIVIDUAL_CAPITALS: Final = (1, 2, 3, 5, 10, 20, 30, 50)
_INDIVIDUAL_CAPITAL_WEIGHTS: Final = (10, 8, 8, 10, 8, 4, 2, 1)


def _registered_capital(
    rng: random.Random, *, individual: bool, joint_stock: bool, section: str
) -> Decimal:
    if individual:
        amount = float(rng.choices(_INDIVIDUAL_CAPITALS, _INDIVIDUAL_CAPITAL_WEIGHTS)[0])
    else:
        index = rng.choices(range(len(_COMPANY_CAPITALS)), _COMPANY_CAPITAL_WEIGHTS)[0]
        if section in _HEAVY_SECTIONS:
            index += 2
        if joint_stock:
            index = max(index, _COMPANY_CAPITALS.index(1000))
        amount = float(_COMPANY_CAPITALS[min(index, len(_COMPANY_CAPITALS) - 1)])
        if rng.random() < 0.1:  # some capital is not a round figure
            amount = round(amount * rng.uniform(0.6, 1.6), 1)
    return Decimal(f"{amount:.2f}")


def _established_on(rng: random.Random, *, individual: bool) -> date:
    if individual:
        year = _pick(rng, _INDIVIDUAL_YEARS, _INDIVIDUAL_YEAR_CUM)
    else:
        year = _pick(rng, _COMPANY_YEARS, _COMPANY_YEAR_CUM)
    return date(year, 1, 1) + timedelta(days=rng.randrange(_days_in_year(year)))


def _status(rng: random.Random, established_on: date) -> str:
    years = (REFERENCE_DATE - established_on).days / 365.25
    gone = min(0.3, 0.012 * years)  # older entities are more likely to have closed
    draw = rng.random()
    if draw < gone * 0.7:
        return "deregistered"
    if draw < gone:
        return "revoked"
    if draw < gone + 0.03:
        return "abnormal"
    return "active"


def _trade_name(index: int, seed: int, chars: Sequence[str]) -> str:
    """The ``index``-th trade name (字号): a keyed bijection onto strings of trade characters.

    Indexes run through all two-character names first, then three-character ones, and so on;
    no character repeats next to itself.
    """
    n = len(chars)
    length, rest = 2, index
    while rest >= (count := n * (n - 1) ** (length - 1)):
        rest -= count
        length += 1
    k = _permute(rest, count, f"{seed}:trade-name:{length}")
    k, previous = divmod(k, n)
    picked = [previous]
    for _ in range(length - 1):
        k, digit = divmod(k, n - 1)
        previous = digit if digit < previous else digit + 1
        picked.append(previous)
    return "".join(chars[position] for position in picked)


def _organisation_code(index: int, seed: int, *, legacy: bool) -> str:
    """A 9-character organisation code (组织机构代码, GB 11714) unique to ``index``.

    Entities registered before the 2015 reform keep their 8-digit legacy codes; later ones
    get "MA2" (the form seen in Zhejiang) + 5 characters of the credit-code alphabet. Both are
    keyed permutations of the index, and the two forms cannot collide (one is all digits, the
    other starts "MA").
    """
    if legacy:
        body = f"{_permute(index, 10**8, f'{seed}:organisation-code:legacy'):08d}"
    else:
        body = "MA2" + _base31(_permute(index, 31**5, f"{seed}:organisation-code:ma"), 5)
    return body + organisation_code_check_char(body)


def _company_prefix(rng: random.Random, geo: _Geography, county: _County) -> str:
    """The administrative-division part of a company name: 衢州 / 衢州市柯城区 / 江山市 ..."""
    city = geo.city.name_zh  # 衢州市
    county_name = county.division.name_zh
    options: tuple[str, ...]
    weights: tuple[int, ...]
    if county_name.endswith("区"):  # districts: the city name is part of the prefix
        options, weights = (city[:-1], city, city + county_name), (1, 2, 3)
    else:  # county-level cities and counties use their own name
        options, weights = (city[:-1], county_name), (1, 4)
    return rng.choices(options, weights)[0]


def _enterprise(index: int, seed: int, geo: _Geography, vocab: _Vocabulary) -> EnterpriseRecord:
    rng = random.Random(f"{seed}:enterprise:{index}")
    county = _pick(rng, geo.counties, geo.county_cum)
    town = _pick(rng, county.towns, county.town_cum)
    industry = _pick(rng, vocab.industries, vocab.industry_cum)
    words = vocab.industry_words[industry.code]
    individual = bool(words.individual) and rng.random() < words.individual_share
    joint_stock = not individual and rng.random() < 0.04
    established_on = _established_on(rng, individual=individual)
    capital = _registered_capital(
        rng, individual=individual, joint_stock=joint_stock, section=industry.section
    )

    trade = _trade_name(index, seed, vocab.trade_chars)
    if individual:
        enterprise_type = "individual_business"
        county_name = county.division.name_zh
        prefix = geo.city.name_zh + county_name if county_name.endswith("区") else county_name
        name = prefix + trade + rng.choice(words.individual)
    else:
        enterprise_type = "joint_stock_company" if joint_stock else "limited_company"
        if joint_stock or (capital >= 5000 and rng.random() < 0.5):
            prefix = "浙江"  # a provincial prefix needs a larger company
        else:
            prefix = _company_prefix(rng, geo, county)
        if joint_stock:
            suffix = "股份有限公司"
        else:
            suffix = "有限责任公司" if rng.random() < 0.1 else "有限公司"
        name = prefix + trade + rng.choice(words.company) + suffix

    legacy = not individual and established_on < NEW_ORGANISATION_CODES_FROM
    # 9 = registered with market regulation (工商); 1 = enterprise, 2 = individual business.
    first17 = (
        ("92" if individual else "91")
        + county.division.code
        + _organisation_code(index, seed, legacy=legacy)
    )
    street = rng.choice(_town_streets(seed, town.code))
    address = (
        f"{geo.city.name_zh}{county.division.name_zh}{town.name_zh}{street}{rng.randint(1, 300)}号"
    )
    if not individual and rng.random() < 0.3:
        address += f"{rng.randint(1, 12)}幢"
    legal_sex: Sex = "male" if rng.random() < 0.75 else "female"
    return EnterpriseRecord(
        credit_code=first17 + credit_code_check_char(first17),
        name=name,
        enterprise_type=enterprise_type,
        legal_representative=_person_name(rng, vocab, legal_sex),
        address=address,
        county_code=county.division.code,
        town_code=town.code,
        industry_code=industry.code,
        registered_capital_10k_yuan=capital,
        established_on=established_on,
        status=_status(rng, established_on),
        mobile=_mobile(rng),
    )


def enterprises(*, scale: int, seed: int = 2022) -> Iterator[EnterpriseRecord]:
    """Yield ``scale * 1000`` synthetic market entities (市场主体), deterministic per seed.

    Record ``i`` is the same for every scale that includes it. Credit codes and names are
    unique; counties follow population, industries the weights in industries.json.
    """
    count = _count(scale, ENTERPRISES_PER_SCALE)
    geo, vocab = _geography(), _vocabulary()
    return (_enterprise(index, seed, geo, vocab) for index in range(count))


# --- Residents -------------------------------------------------------------------------------

# Share of the population by age band (lo, hi inclusive, weight): an ageing Zhejiang
# prefecture, roughly shaped on the 2020 census; demo only.
_AGE_BANDS: Final = (
    (0, 4, 3.6),
    (5, 9, 4.6),
    (10, 14, 4.8),
    (15, 19, 4.4),
    (20, 24, 4.6),
    (25, 29, 5.6),
    (30, 34, 7.4),
    (35, 39, 6.6),
    (40, 44, 6.4),
    (45, 49, 8.0),
    (50, 54, 8.6),
    (55, 59, 8.2),
    (60, 64, 6.2),
    (65, 69, 6.4),
    (70, 74, 4.8),
    (75, 79, 3.0),
    (80, 84, 2.0),
    (85, 89, 1.1),
    (90, 95, 0.4),
)
_AGES: Final = tuple(age for lo, hi, _ in _AGE_BANDS for age in range(lo, hi + 1))
_AGE_CUM: Final = tuple(
    accumulate(weight / (hi - lo + 1) for lo, hi, weight in _AGE_BANDS for _ in range(lo, hi + 1))
)
# Sequence numbers 996-999 are reserved for people aged 100 or more (GB 11643-1999), so a
# (county, birth date, sex) cell has 498 numbers: 000-995, odd for men, even for women.
_SEQUENCE_SLOTS: Final = 498


def _male_share(age: int) -> float:
    if age < 50:
        return 0.515
    if age < 70:
        return 0.5
    return 0.45 if age < 80 else 0.4


def _resident(
    index: int,
    seed: int,
    geo: _Geography,
    vocab: _Vocabulary,
    ordinals: dict[tuple[str, int, Sex], int],
) -> ResidentRecord:
    rng = random.Random(f"{seed}:resident:{index}")
    county = _pick(rng, geo.counties, geo.county_cum)
    town = _pick(rng, county.towns, county.town_cum)
    age = _pick(rng, _AGES, _AGE_CUM)
    sex: Sex = "male" if rng.random() < _male_share(age) else "female"
    year = REFERENCE_DATE.year - age
    county_code = county.division.code

    # The n-th resident of a (county, year, sex) bucket gets slot permute(n): a birth day and
    # a sequence number no one else in the bucket can have.
    bucket = (county_code, year, sex)
    ordinal = ordinals.get(bucket, 0)
    ordinals[bucket] = ordinal + 1
    capacity = _days_in_year(year) * _SEQUENCE_SLOTS
    if ordinal >= capacity:
        raise RuntimeError(f"too many residents born in {year} in {county_code}; lower the scale")
    slot = _permute(ordinal, capacity, f"{seed}:id-number:{county_code}:{year}:{sex}")
    day, number = divmod(slot, _SEQUENCE_SLOTS)
    birth_date = date(year, 1, 1) + timedelta(days=day)
    sequence = 2 * number + (1 if sex == "male" else 0)
    first17 = f"{county_code}{birth_date:%Y%m%d}{sequence:03d}"

    street = rng.choice(_town_streets(seed, town.code))
    address = (
        f"{geo.city.name_zh}{county.division.name_zh}{town.name_zh}{street}{rng.randint(1, 300)}号"
    )
    if rng.random() < 0.65:  # a flat: building, entrance, floor + room
        address += (
            f"{rng.randint(1, 30)}幢{rng.randint(1, 4)}单元"
            f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}室"
        )
    return ResidentRecord(
        id_number=first17 + id_number_check_char(first17),
        name=_person_name(rng, vocab, sex),
        sex=sex,
        birth_date=birth_date,
        county_code=county_code,
        town_code=town.code,
        address=address,
        mobile=_mobile(rng),
    )


def residents(*, scale: int, seed: int = 2022) -> Iterator[ResidentRecord]:
    """Yield ``scale * 10000`` synthetic residents (居民), deterministic per seed.

    Record ``i`` is the same for every scale that includes it. ID numbers are valid under
    GB 11643-1999 and unique; ages run 0-95 on REFERENCE_DATE; counties follow population.
    """
    count = _count(scale, RESIDENTS_PER_SCALE)
    return _iter_residents(count, seed)


def _iter_residents(count: int, seed: int) -> Iterator[ResidentRecord]:
    geo, vocab = _geography(), _vocabulary()
    ordinals: dict[tuple[str, int, Sex], int] = {}
    for index in range(count):
        yield _resident(index, seed, geo, vocab, ordinals)
