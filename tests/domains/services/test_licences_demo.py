"""The demo licences: issued once (idempotent), with one revoked and one expired."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from shuzhi.demo import services_licences
from shuzhi.domains.market.models import Enterprise
from shuzhi.domains.services.models.licences import Licence, SealKey
from shuzhi.domains.services.services.licences import licence_verify
from shuzhi.platform.accounts.models import User
from tests.factories import CountyFactory, DepartmentFactory, DivisionFactory, UserFactory


@pytest.fixture
def city(db: None, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    quzhou = DivisionFactory()
    county = CountyFactory()
    for suffix, name in (
        ("AMR", "市市场监管局"),
        ("UMB", "市综合行政执法局"),
        ("FIRE", "市消防救援支队"),
        ("TOB", "市烟草专卖局"),
    ):
        DepartmentFactory(code=f"330800-{suffix}", name=name, division=quzhou)
    UserFactory(username="enterprise", department=None, roles=["enterprise"])
    for n in range(5):
        Enterprise.objects.create(
            credit_code=f"91330802MA2DEMO{n:02d}X",
            name=f"衢州示范企业{n}有限公司",
            enterprise_type="limited_company",
            legal_representative=f"法人{n}",
            address=f"衢州市柯城区示范路{n}号",
            county=county,
            industry_code="H6210",
            registered_capital=Decimal("100.00"),
            established_on=dt.date(2015, 3, 1),
            status="active",
        )


def test_demo_licences_are_issued_once(city: None) -> None:
    out = io.StringIO()
    services_licences.load(stdout=out)
    services_licences.load(stdout=io.StringIO())
    assert Licence.objects.count() == 6
    own = User.objects.get(username="enterprise").credit_code
    assert set(
        Licence.objects.filter(holder_credit_code=own).values_list("licence_type", flat=True)
    ) == {"business_licence", "food_operation"}
    revoked = Licence.objects.get(status=Licence.Status.REVOKED)
    assert revoked.licence_type == "tobacco_retail"
    assert revoked.issuer.code == "330800-TOB"
    expired = Licence.objects.get(valid_until__lt=timezone.localdate())
    check = licence_verify(number=expired.number, signature_hex=expired.signature_hex)
    assert check.authentic
    assert check.status == "expired"
    assert SealKey.objects.get(department__code="330800-AMR").name == "衢州市市场监管局电子印章"
    text = out.getvalue()
    for licence in Licence.objects.all():
        assert licence.number in text
        assert licence_verify(number=licence.number, signature_hex=licence.signature_hex).authentic
