"""Review finding: only an enterprise user (role ``enterprise``) acts for the credit code on its
account. A resident (role ``public``, which also holds ``services.apply``) whose account carries a
credit code — an employee moved off the enterprise role, a mistyped account — must not read the
enterprise's licences, apply in its name, or answer its benefits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from shuzhi.domains.services.models import Application, ServiceItem
from shuzhi.domains.services.services.applications import ApplicationRefused, application_submit
from shuzhi.domains.services.services.licences import licence_get
from tests.domains.services.catalogue_city import INVOICE, City, build
from tests.domains.services.test_licences import CREDIT, World, issue_food, make_world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def test_a_resident_with_a_credit_code_does_not_hold_its_licences(
    client: Client, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world: World = make_world()
    licence = issue_food(world)
    resident = UserFactory(username="former", department=None, roles=["public"], password="!")
    resident.credit_code = CREDIT
    resident.save(update_fields=["credit_code"])
    with pytest.raises(PermissionDenied):
        licence_get(number=licence.number, by=resident)
    client.force_login(resident)
    assert client.get(reverse("services:licence", args=[licence.number])).status_code == 403
    assert client.get(reverse("services:licence_pdf", args=[licence.number])).status_code == 403


def test_a_resident_with_a_credit_code_cannot_apply_in_its_name(tmp_path: Path) -> None:
    city: City = build(tmp_path / "city")
    resident = city.public
    resident.credit_code = str(city.enterprise.credit_code)
    resident.save(update_fields=["credit_code"])
    with pytest.raises(ApplicationRefused) as refused:
        application_submit(
            by=resident,
            item=ServiceItem.objects.get(code=INVOICE),
            facts={"enterprise_name": "x", "credit_code": "x", "invoice_kind": "增值税普通发票"},
            files={},
        )
    assert refused.value.code == "not_eligible"
    assert not Application.objects.filter(credit_code=city.enterprise.credit_code).exists()
