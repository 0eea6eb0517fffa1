"""The portal demo: links the resident and elder accounts to residents (the elder 80+ in Quzhou),
gives the second enterprise user a credit code, and changes nothing when run again."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest

from shuzhi.demo import services_portal
from shuzhi.domains.market.models import Enterprise
from shuzhi.domains.services.models import Resident
from shuzhi.platform.accounts.models import User
from tests.domains.services.test_portal import _resident
from tests.factories import CountyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_load_links_accounts_once() -> None:
    county = CountyFactory()
    young = _resident(county, 1, date(1990, 1, 1), None)
    old = _resident(county, 2, date(1935, 1, 1), None)
    for username, role in (
        ("resident", "public"),
        ("elder", "public"),
        ("restaurant", "enterprise"),
    ):
        UserFactory(username=username, department=None, roles=[role])
    UserFactory(username="enterprise", department=None, roles=["enterprise"], credit_code="A" * 18)
    Enterprise.objects.create(
        credit_code="B" * 18,
        name="衢州测试餐饮店",
        enterprise_type=Enterprise.Kind.INDIVIDUAL,
        legal_representative="张三",
        address="衢州市柯城区",
        county=county,
        industry_code="6210",
        registered_capital=Decimal("10"),
        established_on=date(2020, 1, 1),
        status=Enterprise.Status.ACTIVE,
    )
    out = io.StringIO()
    services_portal.load(stdout=out)
    services_portal.load(stdout=out)
    assert Resident.objects.get(pk=young.pk).account == User.objects.get(username="resident")
    assert Resident.objects.get(pk=old.pk).account == User.objects.get(username="elder")
    assert User.objects.get(username="restaurant").credit_code == "B" * 18
    assert User.objects.get(username="enterprise").credit_code == "A" * 18
    assert "missing: no 高龄津贴 grant" in out.getvalue()
    assert "elder" in out.getvalue()
    assert "/services/enterprise/" in out.getvalue()
