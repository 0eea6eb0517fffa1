"""Fixtures: the big-data bureau, a steward's published and loaded dataset, vetted operators."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.catalog.services import FieldInput, dataset_create, dataset_publish
from shuzhi.platform.operation.models import Authorisation, Operator
from shuzhi.platform.operation.services import (
    authorisation_grant,
    operator_register,
    operator_set_status,
)
from shuzhi.platform.security.identifiers import credit_code_check_char
from shuzhi.platform.warehouse.services import ingest
from tests.factories import DepartmentFactory, DivisionFactory, UserFactory

# 12 rows in Kecheng, 11 in Qujiang, 2 in Jiangshan: with k = 10 Jiangshan is suppressed
COUNTIES = ["330802"] * 12 + ["330803"] * 11 + ["330881"] * 2


def credit_code(n: int) -> str:
    body = ("91330802" + f"{n:08d}" + "X")[:17]
    return body + credit_code_check_char(body)


@pytest.fixture
def bureau(db: None, settings: Any) -> Department:
    return DepartmentFactory(
        code=settings.BUREAU_DEPARTMENT, name="市大数据局", division=DivisionFactory()
    )


@pytest.fixture
def reviewer(bureau: Department) -> User:
    return UserFactory(username="bdb_approver", roles=["approver"], department=bureau)


@pytest.fixture
def eib(db: None) -> Department:
    return DepartmentFactory(code="330800-EIB", name="市经信局", division=DivisionFactory())


@pytest.fixture
def steward(eib: Department) -> User:
    return UserFactory(username="eib_steward", roles=["data_steward"], department=eib)


def _power_dataset(steward: User, eib: Department, code: str) -> Dataset:
    dataset = dataset_create(
        by=steward,
        code=code,
        owner=eib,
        name="企业月度用电",
        division=eib.division,
        frequency="monthly",
        share_attribute="conditional",
        share_condition="授权运营",
        open_attribute="closed",
        grade=3,
        fields=[
            FieldInput(
                "credit_code",
                "统一社会信用代码",
                "string",
                {"semantic_type": "credit_code", "grade": 1, "nullable": False, "is_key": True},
            ),
            FieldInput("county", "县", "string", {"grade": 1}),
            FieldInput("kwh", "用电量", "decimal", {"grade": 2, "min_value": 0}),
            FieldInput("contact", "联系人", "string", {"semantic_type": "person_name", "grade": 3}),
        ],
    )
    return dataset_publish(dataset=dataset, by=steward)


@pytest.fixture
def power(steward: User, eib: Department, tmp_path: Path) -> Dataset:
    dataset = _power_dataset(steward, eib, "enterprise_power")
    path = tmp_path / "power.csv"
    lines = ["credit_code,county,kwh,contact"]
    for n, county in enumerate(COUNTIES, start=1):
        lines.append(f"{credit_code(n)},{county},{n * 10},张三{n}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = ingest(dataset=dataset, path=path, by=steward)
    assert report.rows_loaded == len(COUNTIES)
    return dataset


@pytest.fixture
def secret_power(steward: User, eib: Department, tmp_path: Path) -> Dataset:
    """A second loaded dataset that no operator is authorised for."""
    dataset = _power_dataset(steward, eib, "secret_power")
    path = tmp_path / "secret.csv"
    path.write_text(
        "credit_code,county,kwh,contact\n"
        + "".join(f"{credit_code(100 + n)},330802,{n},李四\n" for n in range(15)),
        encoding="utf-8",
    )
    ingest(dataset=dataset, path=path, by=steward)
    return dataset


def make_operator(reviewer: User, username: str, n: int, *, vet: bool = True) -> Operator:
    account = UserFactory(username=username, roles=["enterprise"])
    operator = operator_register(
        by=reviewer, name=f"数据科技有限公司{n}", credit_code=credit_code(900 + n), users=[account]
    )
    if vet:
        operator = operator_set_status(by=reviewer, operator=operator, status="vetted")
    return operator


@pytest.fixture
def operator(reviewer: User) -> Operator:
    return make_operator(reviewer, "ent_a", 1)


@pytest.fixture
def analyst(operator: Operator) -> User:
    return operator.users.get()


@pytest.fixture
def grant(reviewer: User, operator: Operator, power: Dataset) -> Authorisation:
    today = timezone.localdate()
    return authorisation_grant(
        by=reviewer,
        operator=operator,
        dataset=power,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
        purpose="产业分析",
    )
