"""Who regulates what: the city's market department reaches every county, a county's only its own."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from shuzhi.domains.market.permissions import (
    county_market_department,
    regulates,
    regulator_reach,
    require_own_enterprise,
    require_regulator,
)
from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import AuditEntry
from tests.factories import CountyFactory, DepartmentFactory, DivisionFactory, UserFactory

pytestmark = pytest.mark.django_db

KECHENG, JIANGSHAN = "330802", "330881"
CREDIT_CODE = "91330802MA2C000011"


def person(name: str, department: str, role: str = "clerk", **kwargs: object) -> User:
    division = (
        DivisionFactory()
        if department.startswith("330800")
        else CountyFactory(code=department[:6], name=department[:6])
    )
    dept = DepartmentFactory(code=department, name=department, division=division)
    return UserFactory(username=name, department=dept, roles=[role], **kwargs)


def test_city_market_department_reaches_every_county() -> None:
    city = person("city", "330800-AMR")
    assert regulator_reach(city) == ""
    assert regulates(city, KECHENG)
    assert regulates(city, JIANGSHAN)
    assert regulates(city, None)


def test_county_market_department_reaches_its_own_county_only() -> None:
    kecheng = person("kc", f"{KECHENG}-AMR")
    assert regulator_reach(kecheng) == KECHENG
    assert regulates(kecheng, KECHENG)
    assert not regulates(kecheng, JIANGSHAN)
    assert not regulates(kecheng, None)  # city-wide work needs the city department


def test_other_departments_and_roles_are_not_regulators() -> None:
    assert regulator_reach(person("drc", "330800-DRC")) is None
    assert regulator_reach(person("kc_drc", f"{KECHENG}-DRC")) is None
    assert regulator_reach(person("leader", "330800-AMR", role="leader")) is None
    assert regulator_reach(person("other_city", "330900-AMR")) is None  # another city's


def test_refusal_is_audited_with_the_county() -> None:
    kecheng = person("kc", f"{KECHENG}-AMR")
    with pytest.raises(PermissionDenied):
        require_regulator(kecheng, county_code=JIANGSHAN, action="market.case_open")
    entry = AuditEntry.objects.filter(action="market.case_open").latest("pk")
    assert entry.outcome == "denied"
    assert entry.details["county"] == JIANGSHAN
    assert require_regulator(kecheng, county_code=KECHENG, action="market.case_open") == KECHENG


def test_county_market_department_code() -> None:
    assert county_market_department(KECHENG) == "330802-AMR"


def test_enterprise_user_acts_for_its_own_credit_code_only() -> None:
    mine = UserFactory(username="ent", department=None, roles=["enterprise"])
    mine.credit_code = CREDIT_CODE
    mine.save()
    require_own_enterprise(mine, CREDIT_CODE, action="market.self_check")
    with pytest.raises(PermissionDenied):
        require_own_enterprise(mine, "91330802MA2C000020", action="market.self_check")
    nobody = UserFactory(username="ent2", department=None, roles=["enterprise"])
    with pytest.raises(PermissionDenied):  # an enterprise user with no credit code acts for none
        require_own_enterprise(nobody, "", action="market.self_check")
    clerk = person("clerk", "330800-AMR")
    with pytest.raises(PermissionDenied):  # a regulator is not the enterprise
        require_own_enterprise(clerk, CREDIT_CODE, action="market.self_check")
