"""The synthetic-city generators (演示数据): counts, determinism, valid and unique identifiers."""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources
from itertools import islice

import pytest

from shuzhi.demo.synth import (
    ENTERPRISE_STATUSES,
    ENTERPRISE_TYPES,
    REFERENCE_DATE,
    EnterpriseRecord,
    ResidentRecord,
    enterprises,
    load_divisions,
    load_industries,
    residents,
)
from shuzhi.platform.security.identifiers import check_credit_code, check_id_number

QUZHOU_COUNTIES = {"330802", "330803", "330822", "330824", "330825", "330881"}
MOBILE = re.compile(r"1[35789]\d{9}")


@pytest.fixture(scope="module")
def firms() -> list[EnterpriseRecord]:
    return list(enterprises(scale=1))


@pytest.fixture(scope="module")
def people() -> list[ResidentRecord]:
    return list(residents(scale=1))


def _names_json() -> dict[str, object]:
    path = resources.files("shuzhi.demo") / "data" / "names.json"
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


# --- Reference data ------------------------------------------------------------------------


def test_divisions_are_quzhou_its_six_counties_and_their_towns() -> None:
    divisions = load_divisions()
    by_code = {d.code: d for d in divisions}
    assert len(by_code) == len(divisions)
    assert by_code["330800"].name_zh == "衢州市"
    assert by_code["330800"].level == "city"
    counties = {d.code for d in divisions if d.level == "county"}
    assert counties == QUZHOU_COUNTIES
    assert by_code["330802"].name_zh == "柯城区"
    assert by_code["330881"].name_zh == "江山市"
    for county in counties:
        towns = [d for d in divisions if d.parent_code == county]
        assert 5 <= len(towns) <= 10
        for serial, town in enumerate(towns, start=1):
            assert town.level == "town"
            assert town.code == f"{county}{serial:03d}"
            assert town.name_zh.endswith(("街道", "镇", "乡", "办事处"))
            assert town.name_en
    assert by_code["330802001"].name_zh == "府山街道"
    assert by_code["330802001"].name_en == "Fushan Subdistrict"
    # Parents come before children, so the list can be loaded in order.
    seen: set[str] = set()
    for division in divisions:
        assert division.parent_code is None or division.parent_code in seen
        seen.add(division.code)


def test_industries_are_gbt4754_classes() -> None:
    industries = load_industries()
    assert 40 <= len(industries) <= 60
    codes = [i.code for i in industries]
    assert len(set(codes)) == len(codes)
    for industry in industries:
        assert re.fullmatch(r"[A-T]\d{4}", industry.code)
        assert industry.section == industry.code[0]
        assert industry.name_zh
        assert industry.name_en
    assert any(i.code == "C2221" and i.name_zh == "机制纸及纸板制造" for i in industries)


def test_every_industry_has_name_words_and_trade_names_can_be_read_back() -> None:
    names = _names_json()
    words = names["industry_words"]
    assert isinstance(words, dict)
    assert set(words) == {i.code for i in load_industries()}
    # Name uniqueness rests on this: a trade-name character never starts an industry word
    # and is never 市/县/区, so the trade name is exactly the run after the place prefix.
    trade_chars = names["trade_name_chars"]
    assert isinstance(trade_chars, list)
    first_chars = {w[0] for entry in words.values() for w in entry["company"] + entry["individual"]}
    assert not set(trade_chars) & (first_chars | {"市", "县", "区"})


# --- Enterprises ---------------------------------------------------------------------------


def test_enterprise_count_follows_scale(firms: list[EnterpriseRecord]) -> None:
    assert len(firms) == 1000
    assert list(enterprises(scale=0)) == []
    with pytest.raises(ValueError, match="scale must be between"):
        enterprises(scale=-1)


def test_enterprises_are_deterministic(firms: list[EnterpriseRecord]) -> None:
    assert list(enterprises(scale=1)) == firms
    assert list(enterprises(scale=1, seed=7)) != firms


def test_a_bigger_scale_only_adds_enterprises(firms: list[EnterpriseRecord]) -> None:
    bigger = list(enterprises(scale=2))
    assert len(bigger) == 2000
    assert bigger[:1000] == firms
    assert len({e.credit_code for e in bigger}) == 2000
    assert len({e.name for e in bigger}) == 2000


def test_credit_codes_are_valid_and_unique(firms: list[EnterpriseRecord]) -> None:
    assert len({e.credit_code for e in firms}) == len(firms)
    for firm in firms:
        result = check_credit_code(firm.credit_code)
        assert result.code == "ok", (firm.credit_code, result.reason)
        individual = firm.enterprise_type == "individual_business"
        assert firm.credit_code[:2] == ("92" if individual else "91")
        assert firm.credit_code[2:8] == firm.county_code


def test_enterprise_names_are_unique(firms: list[EnterpriseRecord]) -> None:
    assert len({e.name for e in firms}) == len(firms)
    for firm in firms:
        if firm.enterprise_type == "individual_business":
            assert not firm.name.endswith("公司")
        else:
            assert firm.name.endswith("公司")


def test_enterprise_fields_are_plausible(firms: list[EnterpriseRecord]) -> None:
    industry_codes = {i.code for i in load_industries()}
    towns = {d.code: d.parent_code for d in load_divisions() if d.level == "town"}
    for firm in firms:
        assert firm.industry_code in industry_codes
        assert towns[firm.town_code] == firm.county_code
        assert firm.enterprise_type in ENTERPRISE_TYPES
        assert firm.status in ENTERPRISE_STATUSES
        assert firm.registered_capital_10k_yuan > 0
        assert firm.established_on <= REFERENCE_DATE
        assert firm.address.startswith("衢州市")
        assert MOBILE.fullmatch(firm.mobile)
        assert 2 <= len(firm.legal_representative) <= 3


def test_enterprises_spread_over_counties_and_industries(firms: list[EnterpriseRecord]) -> None:
    by_county = Counter(e.county_code for e in firms)
    assert set(by_county) == QUZHOU_COUNTIES
    assert {c for c, _ in by_county.most_common(2)} == {"330802", "330881"}  # 柯城, 江山
    assert len({e.industry_code for e in firms}) >= 40
    assert len({e.town_code for e in firms}) >= 50


# --- Residents -----------------------------------------------------------------------------


def test_resident_count_follows_scale(people: list[ResidentRecord]) -> None:
    assert len(people) == 10_000
    assert list(residents(scale=0)) == []
    with pytest.raises(ValueError, match="scale must be between"):
        residents(scale=-1)


def test_residents_are_deterministic_and_prefix_stable(people: list[ResidentRecord]) -> None:
    assert list(residents(scale=1)) == people
    assert list(islice(residents(scale=2), 10_000)) == people
    assert list(islice(residents(scale=1, seed=7), 100)) != people[:100]


def test_id_numbers_are_valid_unique_and_match_the_record(people: list[ResidentRecord]) -> None:
    assert len({p.id_number for p in people}) == len(people)
    for person in people:
        result = check_id_number(person.id_number, today=REFERENCE_DATE)
        assert result.code == "ok", (person.id_number, result.reason)
        assert person.id_number[:6] == person.county_code
        assert person.id_number[6:14] == person.birth_date.strftime("%Y%m%d")
        sequence = int(person.id_number[14:17])
        assert person.sex == ("male" if sequence % 2 else "female")
        assert sequence <= 995  # 996-999 are for people aged 100 or more


def test_residents_are_plausible(people: list[ResidentRecord]) -> None:
    towns = {d.code: d.parent_code for d in load_divisions() if d.level == "town"}
    ages = [REFERENCE_DATE.year - p.birth_date.year for p in people]
    assert min(ages) == 0
    assert max(ages) <= 95
    assert 35 <= sum(ages) / len(ages) <= 50
    assert 0.45 <= sum(p.sex == "male" for p in people) / len(people) <= 0.55
    for person in people:
        assert towns[person.town_code] == person.county_code
        assert person.address.startswith("衢州市")
        assert MOBILE.fullmatch(person.mobile)
        assert 2 <= len(person.name) <= 3
    by_county = Counter(p.county_code for p in people)
    assert set(by_county) == QUZHOU_COUNTIES
    assert {c for c, _ in by_county.most_common(2)} == {"330802", "330881"}  # 柯城, 江山
