"""Fixtures of the brain: an owner department, its steward, a published dataset with data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.catalog.models import CodeEntry, CodeTable, Dataset
from shuzhi.platform.catalog.services import FieldInput, dataset_create, dataset_publish
from shuzhi.platform.security.identifiers import credit_code_check_char
from shuzhi.platform.warehouse.services import ingest
from tests.factories import CountyFactory, DepartmentFactory, DivisionFactory, UserFactory


def credit(n: int) -> str:
    body = ("91330802" + f"{n:08d}" + "X")[:17]
    return body + credit_code_check_char(body)


@pytest.fixture
def city(db: None) -> Division:
    return DivisionFactory()


@pytest.fixture
def county(city: Division) -> Division:
    return CountyFactory()


@pytest.fixture
def eib(city: Division) -> Department:
    return DepartmentFactory(code="330800-EIB", name="市经信局", division=city)


@pytest.fixture
def other_dept(city: Division) -> Department:
    return DepartmentFactory(code="330800-AMR", name="市市场监管局", division=city)


@pytest.fixture
def steward(eib: Department) -> User:
    return UserFactory(username="eib_steward", roles=["data_steward"], department=eib)


@pytest.fixture
def approver(eib: Department) -> User:
    return UserFactory(username="eib_approver", roles=["approver"], department=eib)


@pytest.fixture
def leader(eib: Department) -> User:
    return UserFactory(username="leader", roles=["leader"], department=eib)


@pytest.fixture
def outsider(other_dept: Department) -> User:
    return UserFactory(username="amr_steward", roles=["data_steward"], department=other_dept)


def _power_csv(tmp_path: Path, drop: float = 0.5) -> Path:
    """Monthly kWh of two enterprises in two counties, 2025-01 … 2026-06; Kecheng drops."""
    rows = ["credit_code,month,kwh,county,contact"]
    for year in (2025, 2026):
        for month in range(1, 13):
            if year == 2026 and month > 6:
                break
            kc = 100.0 * (drop if (year, month) == (2026, 6) else 1)
            rows.append(f"{credit(1)},{year}-{month:02d}-01,{kc},330802,张三")
            rows.append(f"{credit(2)},{year}-{month:02d}-01,200,330803,李四")
    path = tmp_path / "power.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def power(steward: User, eib: Department, county: Division, tmp_path: Path) -> Dataset:
    table = CodeTable.objects.get(code="gbt2260")
    for code, name in (("330802", "柯城区"), ("330803", "衢江区")):
        CodeEntry.objects.get_or_create(table=table, code=code, defaults={"name": name})
    dataset = dataset_create(
        by=steward,
        code="enterprise_power",
        owner=eib,
        name="企业月度用电",
        division=eib.division,
        frequency="monthly",
        share_attribute="conditional",
        share_condition="碳账户核算",
        open_attribute="closed",
        grade=3,
        fields=[
            FieldInput(
                "credit_code",
                "统一社会信用代码",
                "string",
                {"semantic_type": "credit_code", "grade": 1, "nullable": False, "is_key": True},
            ),
            FieldInput("month", "月份", "date", {"grade": 1, "nullable": False, "is_key": True}),
            FieldInput("kwh", "用电量", "decimal", {"grade": 2, "min_value": 0}),
            FieldInput(
                "county",
                "县",
                "string",
                {"semantic_type": "division_code", "grade": 1, "code_table": table},
            ),
            FieldInput("contact", "联系人", "string", {"semantic_type": "person_name", "grade": 3}),
        ],
    )
    dataset = dataset_publish(dataset=dataset, by=steward)
    ingest(dataset=dataset, path=_power_csv(tmp_path), by=steward)
    return dataset


INDICATOR: dict[str, Any] = {
    "code": "power_by_county",
    "name": "Industrial electricity by county",
    "expression": "SUM(kwh)",
    "period_field": "month",
    "grain": "month",
    "dimension": "county",
    "unit": "kWh",
}


class FakeLoop:
    """Stands in for the loop's task_open / open_task_for."""

    def __init__(self) -> None:
        self.opened: list[dict[str, Any]] = []
        self.open_refs: set[str] = set()

    class _Task:
        def __init__(self, pk: int) -> None:
            self.pk = pk

    def task_open(self, **kwargs: Any) -> Any:
        self.opened.append(kwargs)
        self.open_refs.add(kwargs["source_ref"])
        return self._Task(len(self.opened))

    def open_task_for(self, source_ref: str) -> Any:
        if source_ref in self.open_refs:
            index = max(i for i, o in enumerate(self.opened) if o["source_ref"] == source_ref)
            return self._Task(index + 1)
        return None


@pytest.fixture
def fake_loop(monkeypatch: pytest.MonkeyPatch) -> FakeLoop:
    from shuzhi.platform.brain import services

    fake = FakeLoop()
    monkeypatch.setattr(services, "_loop", lambda: (fake, fake))
    return fake


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Services called directly here answer in English, as the tests read them (pages follow
    the request's language; tests/test_i18n.py keeps the Chinese catalogue complete)."""
    with translation.override("en"):
        yield
