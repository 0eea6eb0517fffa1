"""Open-data fixtures: a city with an open, a restricted and a closed dataset, loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.catalog.models import CodeEntry, CodeTable, Dataset, Theme
from shuzhi.platform.catalog.services import FieldInput, dataset_create, dataset_publish
from shuzhi.platform.security.identifiers import credit_code_check_char
from shuzhi.platform.warehouse.services import ingest
from tests.factories import DepartmentFactory, DivisionFactory, UserFactory


def credit_code(n: int) -> str:
    body = ("91330802" + f"{n:08d}" + "X")[:17]
    return body + credit_code_check_char(body)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # the anonymous rate budget lives in the cache


@pytest.fixture
def eib(db: None) -> Department:
    return DepartmentFactory(code="330800-EIB", name="市经信局", division=DivisionFactory())


@pytest.fixture
def hrb(db: None) -> Department:
    return DepartmentFactory(code="330800-HRB", name="市人社局", division=DivisionFactory())


@pytest.fixture
def steward(eib: Department) -> User:
    return UserFactory(username="eib_steward", roles=["data_steward"], department=eib)


@pytest.fixture
def approver(eib: Department) -> User:
    return UserFactory(username="eib_approver", roles=["approver"], department=eib)


@pytest.fixture
def other_approver(hrb: Department) -> User:
    return UserFactory(username="hrb_approver", roles=["approver"], department=hrb)


@pytest.fixture
def citizen(db: None) -> User:
    return UserFactory(username="citizen", roles=["public"], department=None)


@pytest.fixture
def enterprise(db: None) -> User:
    return UserFactory(username="firm", roles=["enterprise"], department=None)


def _counties() -> CodeTable:
    table, _ = CodeTable.objects.get_or_create(
        code="gbt2260", defaults={"name": "行政区划代码", "name_en": "Division codes"}
    )
    for code, name in (("330802", "柯城区"), ("330803", "衢江区")):
        CodeEntry.objects.get_or_create(table=table, code=code, defaults={"name": name})
    return table


def _theme(code: str, name: str, name_en: str) -> Theme:
    return Theme.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})[0]


def make_dataset(
    steward: User, owner: Department, code: str, open_attribute: str, **values: Any
) -> Dataset:
    table = _counties()
    fields = [
        FieldInput(
            "credit_code",
            "统一社会信用代码",
            "string",
            {"semantic_type": "credit_code", "grade": 1, "nullable": False, "is_key": True},
        ),
        FieldInput("month", "日期", "date", {"grade": 1, "nullable": False, "is_key": True}),
        FieldInput("kwh", "用电量", "decimal", {"grade": 1, "min_value": 0}),
        FieldInput(
            "county",
            "县",
            "string",
            {"semantic_type": "division_code", "grade": 1, "code_table": table},
        ),
        FieldInput("contact", "联系人", "string", {"semantic_type": "person_name", "grade": 3}),
    ]
    defaults: dict[str, Any] = {
        "name": values.pop("name", f"企业用电 {code}"),
        "name_en": "Enterprise power use",
        "description": "各企业每月用电量",
        "division": owner.division,
        "frequency": "monthly",
        "share_attribute": "conditional",
        "share_condition": "碳账户核算",
        "open_attribute": open_attribute,
        "grade": 3,
        "deidentified": open_attribute == "open",
        "theme": _theme("energy", "能源", "Energy"),
        "tags": ["用电", "能源"],
        "contact_name": "王工",
    }
    defaults.update(values)
    dataset = dataset_create(by=steward, code=code, owner=owner, fields=fields, **defaults)
    return dataset_publish(dataset=dataset, by=steward)


def load(dataset: Dataset, steward: User, tmp_path: Path, rows: list[str]) -> None:
    path = tmp_path / f"{dataset.code}.csv"
    path.write_text(
        "credit_code,month,kwh,county,contact\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    report = ingest(dataset=dataset, path=path, by=steward)
    assert report.rows_quarantined == 0, report.quarantine


def power_rows(n: int, *, county: str = "330802", day: int = 5, start: int = 1) -> list[str]:
    return [
        f"{credit_code(i)},2026-03-{day:02d},{1234.5 + i},{county},张三{i}"
        for i in range(start, start + n)
    ]


@pytest.fixture
def open_power(steward: User, eib: Department, tmp_path: Path) -> Dataset:
    dataset = make_dataset(steward, eib, "open_power", "open", name="企业月度用电（开放）")
    load(dataset, steward, tmp_path, power_rows(5))
    return dataset


@pytest.fixture
def restricted_power(steward: User, eib: Department, tmp_path: Path) -> Dataset:
    dataset = make_dataset(
        steward, eib, "restricted_power", "restricted", name="企业用电明细（受限）"
    )
    rows = power_rows(4, county="330802", day=5) + power_rows(2, county="330803", day=20, start=100)
    load(dataset, steward, tmp_path, rows)
    return dataset


@pytest.fixture
def closed_power(steward: User, eib: Department, tmp_path: Path) -> Dataset:
    dataset = make_dataset(steward, eib, "closed_power", "closed", name="企业用电内部（禁止）")
    load(dataset, steward, tmp_path, power_rows(3))
    return dataset


@pytest.fixture
def city(open_power: Dataset, restricted_power: Dataset, closed_power: Dataset) -> dict[str, Any]:
    return {"open": open_power, "restricted": restricted_power, "closed": closed_power}
