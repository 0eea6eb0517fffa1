"""A small city for the 免申即享 tests (imported by test_benefits*.py and test_facts.py), with
one test of its own: the facts read back from the warehouse.

Residents (judged for 2026-11, the month's first day 2026-11-01):
R1 born 1946-11-01 (exactly 80) Kecheng; R2 born 1946-11-02 (79); R3 90 years old; R4 106 but
registered outside Quzhou (330102); R5 disability grade 2, not low-income (care subsidy);
R6 grade 3 and low-income (living subsidy); R7 grade 1 and low-income (both); R8 grade 3, not
low-income (nothing); R9 grade 2 but the certificate lapsed on 2025-01-01 (nothing); R10 100
years old in Jiangshan.
Enterprises (judged for 2026 on 2025): E1 1000 → 945 insured (5.5 %, exactly at the limit,
large: 30 %); E2 1000 → 944 (over); E3 20 → 16 (20 %, the small-enterprise limit; SME 60 %);
E4 owes arrears in December; E5 revoked; E6 steady SME on the 2025 technology list with R&D
600,000 (both rules); E7 on the list with R&D 400,000 (below 500,000).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from shuzhi.demo import datasets
from shuzhi.demo.management.commands.demo import Command
from shuzhi.domains.services import facts
from shuzhi.domains.services.models import BenefitPolicy, Resident, RuleVersion
from shuzhi.domains.services.rules import RULES, default_parameters
from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.accounts.services import user_roles_set
from shuzhi.platform.catalog.models import CodeEntry, CodeTable, Dataset, ThematicWarehouse, Theme
from shuzhi.platform.catalog.reference import load_reference_data
from shuzhi.platform.catalog.services import dataset_publish
from shuzhi.platform.security.identifiers import credit_code_check_char, id_number_check_char
from shuzhi.platform.warehouse.services import ingest

KECHENG, JIANGSHAN, HANGZHOU = "330802", "330881", "330102"
MONTH, YEAR = "2026-11", "2026"


def id_number(n: int, born: str, county: str = KECHENG) -> str:
    body = f"{county}{born.replace('-', '')}{n:03d}"
    return body + id_number_check_char(body)


def credit(n: int) -> str:
    body = f"91{KECHENG}MA2B{n:05d}"
    return body + credit_code_check_char(body)


# key, n, birth date, county, certificate (grade, valid_until) or None, low-income
RESIDENTS = (
    ("R1", 1, "1946-11-01", KECHENG, None, False),
    ("R2", 2, "1946-11-02", KECHENG, None, False),
    ("R3", 3, "1936-05-01", KECHENG, None, False),
    ("R4", 4, "1920-01-01", HANGZHOU, None, False),
    ("R5", 5, "1980-01-01", KECHENG, (2, ""), False),
    ("R6", 6, "1970-01-01", KECHENG, (3, "2030-01-01"), True),
    ("R7", 7, "1960-01-01", JIANGSHAN, (1, ""), True),
    ("R8", 8, "1990-01-01", KECHENG, (3, ""), False),
    ("R9", 9, "1985-01-01", KECHENG, (2, "2025-01-01"), False),
    ("R10", 10, "1926-06-01", JIANGSHAN, None, False),
)
# key, n, status, insured Jan 2025, insured Dec 2025, December arrears, tech list R&D
ENTERPRISES = (
    ("E1", 1, "存续", 1000, 945, 0, None),
    ("E2", 2, "存续", 1000, 944, 0, None),
    ("E3", 3, "存续", 20, 16, 0, None),
    ("E4", 4, "存续", 100, 100, 500, None),
    ("E5", 5, "吊销", 50, 50, 0, None),
    ("E6", 6, "存续", 50, 50, 0, 600000),
    ("E7", 7, "存续", 50, 50, 0, 400000),
)
CONTRIBUTION = 10  # yuan per insured employee per month (two months of rows)


def contributions(key: str) -> float:
    row = next(e for e in ENTERPRISES if e[0] == key)
    return float(CONTRIBUTION * (row[3] + row[4]))


@dataclass
class City:
    residents: dict[str, Resident]
    users: dict[str, User]
    departments: dict[str, Department]
    policies: dict[str, BenefitPolicy]
    datasets: dict[str, Dataset]


def _rows(code: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if code == "disability_certificate":
        for _key, n, born, county, cert, _low in RESIDENTS:
            if cert:
                out.append(
                    {
                        "id_number": id_number(n, born, county if county != HANGZHOU else KECHENG),
                        "certificate_number": f"C{n:05d}",
                        "disability_type": "肢体残疾",
                        "grade": str(cert[0]),
                        "issued_on": "2015-01-01",
                        "valid_until": cert[1],
                    }
                )
    elif code == "minimum_living_allowance":
        for _key, n, born, county, _cert, low in RESIDENTS:
            if low:
                out.append(
                    {
                        "id_number": id_number(n, born, county),
                        "household_number": f"DB{n}",
                        "county_code": county,
                        "starts_on": "2020-01-01",
                        "ends_on": "",
                    }
                )
    elif code == "enterprise_registry":
        for key, n, status, *_rest in ENTERPRISES:
            out.append(
                {
                    "credit_code": credit(n),
                    "enterprise_name": f"测试{key}有限公司",
                    "enterprise_type": "有限责任公司",
                    "legal_representative": "张三",
                    "county_code": KECHENG,
                    "industry_code": "C2221",
                    "established_on": "2010-01-01",
                    "status": status,
                }
            )
    elif code == "social_insurance_unit_monthly":
        for key, n, _status, start, end, arrears, _rd in ENTERPRISES:
            for month, count, owed in (("2025-01-01", start, 0), ("2025-12-01", end, arrears)):
                out.append(
                    {
                        "credit_code": credit(n),
                        "enterprise_name": f"测试{key}有限公司",
                        "month": month,
                        "insured_count": str(count),
                        "unemployment_contribution": f"{CONTRIBUTION * count:.2f}",
                        "arrears": f"{owed:.2f}",
                    }
                )
    elif code == "tech_sme_list":
        for key, n, _status, _s, _e, _a, rd in ENTERPRISES:
            if rd is not None:
                out.append(
                    {
                        "credit_code": credit(n),
                        "enterprise_name": f"测试{key}有限公司",
                        "year": "2025",
                        "list_number": f"20253308{n:06d}",
                        "rd_expense": f"{rd:.2f}",
                    }
                )
    return out


def _staff(username: str, department: Department, role: str) -> User:
    """A member of staff without a password (hashing one per user would slow every test)."""
    user = User.objects.create(
        username=username,
        display_name=username,
        department=department,
        division=department.division,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    user_roles_set(user=user, roles=[role], by=None)
    return user


def _definition(code: str) -> datasets.DatasetDef:
    return datasets.BY_CODE.get(code) or next(
        d for d in datasets.BENEFIT_DATASETS if d.code == code
    )


def build_city(folder: Path, *, with_data: bool = True) -> City:
    load_reference_data(Theme, ThematicWarehouse, CodeTable)
    province, _ = Division.objects.get_or_create(
        code="330000", defaults={"name": "浙江省", "name_en": "Zhejiang", "level": "province"}
    )
    city, _ = Division.objects.get_or_create(
        code="330800",
        defaults={"name": "衢州市", "name_en": "Quzhou", "level": "city", "parent": province},
    )
    counties = {}
    for cc, name in ((KECHENG, "柯城区"), (JIANGSHAN, "江山市"), (HANGZHOU, "上城区")):
        counties[cc], _ = Division.objects.get_or_create(
            code=cc, defaults={"name": name, "name_en": name, "level": "county", "parent": city}
        )
    divisions = CodeTable.objects.get(code="gbt2260")
    for cc in ("330800", KECHENG, JIANGSHAN, HANGZHOU):
        CodeEntry.objects.get_or_create(table=divisions, code=cc, defaults={"name": cc})
    CodeEntry.objects.get_or_create(
        table=CodeTable.objects.get(code="gbt4754"), code="C2221", defaults={"name": "C2221"}
    )
    departments = {}
    for suffix in ("CAB", "HRS", "SCI", "AMR"):
        departments[suffix], _ = Department.objects.get_or_create(
            code=f"330800-{suffix}", defaults={"name": suffix, "division": city}
        )
    users = {}
    for suffix in ("CAB", "HRS", "SCI", "AMR"):
        low = suffix.lower()
        for kind, role in (("steward", "data_steward"), ("clerk", "clerk")):
            users[f"{low}_{kind}"] = _staff(f"{low}_{kind}", departments[suffix], role)
    residents = {}
    for key, n, born, county, _cert, _low in RESIDENTS:
        residents[key] = Resident.objects.create(
            id_number=id_number(n, born, county if county != HANGZHOU else KECHENG)
            if county == HANGZHOU
            else id_number(n, born, county),
            name=f"居民{key}",
            sex="female",
            birth_date=date.fromisoformat(born),
            county=counties[county],
            address="测试地址",
            mobile="13800000000",
        )
    policies = {}
    owners = {
        "elderly_allowance": "CAB",
        "disability_subsidies": "CAB",
        "job_retention_refund": "HRS",
        "tech_sme_reward": "SCI",
    }
    for code, suffix in owners.items():
        rule = RULES[code]
        policies[code] = BenefitPolicy.objects.create(
            code=code,
            name=rule.name,
            name_en=rule.name_en,
            audience="citizen" if rule.system == "resident" else "enterprise",
            department=departments[suffix],
            period=rule.period,
        )
        RuleVersion.objects.create(
            policy=policies[code],
            number=1,
            parameters=default_parameters(code),
            state=RuleVersion.State.LIVE,
            effective_from=date(2026, 1, 1),
            created_by=users[f"{suffix.lower()}_steward"],
        )
    found: dict[str, Dataset] = {}
    if with_data:
        for code, owner in (
            ("disability_certificate", "cab"),
            ("minimum_living_allowance", "cab"),
            ("enterprise_registry", "amr"),
            ("social_insurance_unit_monthly", "hrs"),
            ("tech_sme_list", "sci"),
        ):
            definition = _definition(code)
            steward = users[f"{owner}_steward"]
            dataset = Command.register_dataset(definition, steward)
            found[code] = dataset_publish(dataset=dataset, by=steward)
            path = folder / f"{code}.csv"
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=definition.field_names, restval="")
                writer.writeheader()
                writer.writerows(_rows(code))
            report = ingest(dataset=found[code], path=path, by=steward)
            assert report.rows_quarantined == 0, report.quarantine[:2]
    return City(residents, users, departments, policies, found)


def test_facts_read_from_the_warehouse_join_on_tokens(db: None, tmp_path: Path) -> None:
    city = build_city(tmp_path)
    people = facts.resident_population(MONTH)
    assert people.missing == []
    by_key = {int(k): i for i, k in enumerate(people.keys)}
    grade = people.inputs["disability_grade"]
    cert = people.inputs["has_disability_certificate"]
    low = people.inputs["low_income_household"]
    r = city.residents
    assert grade[by_key[r["R5"].pk]] == 2
    assert cert[by_key[r["R5"].pk]]
    assert low[by_key[r["R6"].pk]]
    assert not low[by_key[r["R5"].pk]]
    assert not cert[by_key[r["R9"].pk]]  # lapsed on 2025-01-01
    assert not cert[by_key[r["R1"].pk]]
    assert grade[by_key[r["R1"].pk]] == 0
    firms = facts.enterprise_population(YEAR)
    assert firms.missing == []
    at = {str(k): i for i, k in enumerate(firms.keys)}
    e1 = at[credit(1)]
    assert firms.inputs["insured_at_start"][e1] == 1000
    assert firms.inputs["insured_at_end"][e1] == 945
    assert firms.inputs["unemployment_contributions"][e1] == contributions("E1")
    assert firms.inputs["social_insurance_arrears"][at[credit(4)]] == 500
    assert not firms.inputs["registered_active"][at[credit(5)]]
    assert firms.inputs["on_tech_sme_list"][at[credit(6)]]
    assert firms.inputs["rd_expense"][at[credit(6)]] == 600000
