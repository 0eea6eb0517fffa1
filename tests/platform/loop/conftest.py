from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from shuzhi.platform.accounts.models import Department, Division, User
from tests.factories import CountyFactory, DepartmentFactory, UserFactory


@pytest.fixture(autouse=True)
def _evidence_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.DATA_DIR = tmp_path


@pytest.fixture
def county(db: None) -> Division:
    return CountyFactory()


@pytest.fixture
def works(county: Division) -> Department:
    return DepartmentFactory(code="330802-ZJ", name="柯城区住建局", division=county)


@pytest.fixture
def urban(county: Division) -> Department:
    return DepartmentFactory(code="330802-CG", name="柯城区城管局", division=county)


@pytest.fixture
def dispatcher(db: None) -> User:
    return UserFactory(username="dispatcher", roles=["supervisor"])


@pytest.fixture
def handler(works: Department) -> User:
    return UserFactory(username="works_clerk", department=works, roles=["clerk"])


@pytest.fixture
def other_handler(urban: Department) -> User:
    return UserFactory(username="urban_clerk", department=urban, roles=["clerk"])


@pytest.fixture
def resident(db: None) -> User:
    return UserFactory(username="resident", department=None, roles=["public"])


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Services called directly here answer in English, as the tests read them (pages follow
    the request's language; tests/test_i18n.py keeps the Chinese catalogue complete)."""
    with translation.override("en"):
        yield
