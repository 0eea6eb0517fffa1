from __future__ import annotations

from typing import Any

import pytest

from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.catalog.services import FieldInput, dataset_create
from tests.factories import DepartmentFactory, DivisionFactory, UserFactory


@pytest.fixture
def amr(db: None) -> Department:
    return DepartmentFactory(code="330800-AMR", name="市市场监管局", division=DivisionFactory())


@pytest.fixture
def steward(amr: Department) -> User:
    return UserFactory(username="steward", roles=["data_steward"], department=amr)


def registry_fields() -> list[FieldInput]:
    return [
        FieldInput(
            "credit_code",
            "统一社会信用代码",
            "string",
            {"semantic_type": "credit_code", "grade": 1, "nullable": False, "is_key": True},
        ),
        FieldInput("name", "名称", "string", {"grade": 1, "nullable": False}),
        FieldInput(
            "legal_rep", "法定代表人", "string", {"semantic_type": "person_name", "grade": 3}
        ),
    ]


@pytest.fixture
def make_dataset(steward: User, amr: Department) -> Any:
    def make(code: str = "enterprise_registry", **values: Any) -> Dataset:
        defaults: dict[str, Any] = {
            "name": "市场主体登记",
            "name_en": "Market entity registry",
            "division": Division.objects.get(code="330800"),
            "frequency": "daily",
            "share_attribute": "unconditional",
            "open_attribute": "restricted",
            "grade": 3,
        }
        defaults.update(values)
        return dataset_create(
            by=steward,
            code=code,
            owner=amr,
            fields=values.pop("fields", registry_fields()),
            **{k: v for k, v in defaults.items() if k != "fields"},
        )

    return make
