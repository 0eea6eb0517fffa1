"""Sharing fixtures: an owner department with a steward and an approver, a county department
with a clerk, and published datasets (conditional, unconditional, not shared) with data in
two counties."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.catalog.models import CodeEntry, CodeTable, Dataset
from shuzhi.platform.catalog.services import FieldInput, dataset_create, dataset_publish
from shuzhi.platform.security.identifiers import credit_code_check_char
from shuzhi.platform.sharing.models import Grant
from shuzhi.platform.sharing.services import share_request_approve, share_request_create
from shuzhi.platform.warehouse.services import ingest
from tests.factories import CountyFactory, DepartmentFactory, DivisionFactory, UserFactory


def credit_code(n: int) -> str:
    body = ("91330802" + f"{n:08d}" + "X")[:17]
    return body + credit_code_check_char(body)


@pytest.fixture
def eib(db: None) -> Department:
    """The owner department (市经信局, city level)."""
    return DepartmentFactory(code="330800-EIB", name="市经信局", division=DivisionFactory())


@pytest.fixture
def kecheng(db: None) -> Department:
    """The requesting department (柯城区发改局, county level)."""
    return DepartmentFactory(code="330802-DRC", name="柯城区发改局", division=CountyFactory())


@pytest.fixture
def qujiang(db: None) -> Department:
    county = Division.objects.get_or_create(
        code="330803",
        defaults={"name": "衢江区", "level": Division.Level.COUNTY, "parent": DivisionFactory()},
    )[0]
    return DepartmentFactory(code="330803-DRC", name="衢江区发改局", division=county)


@pytest.fixture
def steward(eib: Department) -> User:
    return UserFactory(username="eib_steward", roles=["data_steward"], department=eib)


@pytest.fixture
def approver(eib: Department) -> User:
    return UserFactory(username="eib_approver", roles=["approver"], department=eib)


@pytest.fixture
def requester(kecheng: Department) -> User:
    return UserFactory(username="kc_clerk", roles=["clerk"], department=kecheng)


@pytest.fixture
def other_approver(qujiang: Department) -> User:
    return UserFactory(username="qj_approver", roles=["approver"], department=qujiang)


@pytest.fixture
def other_clerk(qujiang: Department) -> User:
    return UserFactory(username="qj_clerk", roles=["clerk"], department=qujiang)


@pytest.fixture
def enterprise_user(db: None) -> User:
    return UserFactory(username="ent", roles=["enterprise"], department=None)


@pytest.fixture
def public_user(db: None) -> User:
    return UserFactory(username="resident", roles=["public"], department=None)


ROWS = [
    # credit code, month, kwh, county, contact
    (1, "2026-01-01", "100.5", "330802", "张三"),
    (2, "2026-01-01", "200", "330802", "李四"),
    (3, "2026-02-01", "300", "330803", "王五"),
    (4, "2026-02-01", "400", "330803", "赵六"),
    (5, "2026-03-01", "50", "330802", "钱七"),
]


@pytest.fixture
def make_dataset(steward: User, eib: Department, tmp_path: Path) -> Callable[..., Dataset]:
    table = CodeTable.objects.get(code="gbt2260")
    for code, name in (("330802", "柯城区"), ("330803", "衢江区")):
        CodeEntry.objects.get_or_create(table=table, code=code, defaults={"name": name})

    def make(
        code: str = "enterprise_power", share: str = "conditional", data: bool = True
    ) -> Dataset:
        dataset = dataset_create(
            by=steward,
            code=code,
            owner=eib,
            name="企业月度用电",
            name_en="Monthly power use of enterprises",
            division=eib.division,
            frequency="monthly",
            share_attribute=share,
            share_condition={"conditional": "碳账户核算", "none": "《个人信息保护法》"}.get(
                share, ""
            ),
            open_attribute="closed",
            grade=3,
            fields=[
                FieldInput(
                    "credit_code",
                    "统一社会信用代码",
                    "string",
                    {"semantic_type": "credit_code", "grade": 1, "nullable": False, "is_key": True},
                ),
                FieldInput(
                    "month", "月份", "date", {"grade": 1, "nullable": False, "is_key": True}
                ),
                FieldInput("kwh", "用电量", "decimal", {"grade": 2, "min_value": 0}),
                FieldInput(
                    "county",
                    "县",
                    "string",
                    {"semantic_type": "division_code", "grade": 1, "code_table": table},
                ),
                FieldInput(
                    "contact", "联系人", "string", {"semantic_type": "person_name", "grade": 3}
                ),
            ],
        )
        dataset = dataset_publish(dataset=dataset, by=steward)
        if data:
            path = tmp_path / f"{code}.csv"
            path.write_text(
                "credit_code,month,kwh,county,contact\n"
                + "".join(f"{credit_code(n)},{m},{k},{c},{p}\n" for n, m, k, c, p in ROWS),
                encoding="utf-8",
            )
            report = ingest(dataset=dataset, path=path, by=steward)
            assert report.rows_loaded == len(ROWS)
        return dataset

    return make


@pytest.fixture
def power(make_dataset: Callable[..., Dataset]) -> Dataset:
    return make_dataset()


def period(days: int = 90) -> date:
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def granted(power: Dataset, requester: User, approver: User) -> Callable[..., tuple[Grant, str]]:
    """A grant of ``power`` to the Kecheng clerk, approved; returns it with a fresh app key."""

    def make(**values: Any) -> tuple[Grant, str]:
        from shuzhi.platform.sharing.services import grant_key_reissue

        args: dict[str, Any] = {
            "fields": ["credit_code", "month", "kwh", "county", "contact"],
            "purpose": "碳账户核算",
            "legal_basis": "衢州市碳账户管理办法",
            "period_end": period(),
            "scope": {"county": ["330802"]},
        }
        args.update(values)
        outcome = share_request_create(by=requester, dataset=power, **args)
        grant = share_request_approve(share_request=outcome.share_request, by=approver)
        key = grant_key_reissue(grant=grant, by=requester)
        grant.refresh_from_db()
        return grant, key

    return make


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are checked in English (the catalogue may translate them later)."""
    from django.utils import translation

    with translation.override("en"):
        yield
