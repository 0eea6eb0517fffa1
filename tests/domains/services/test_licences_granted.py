"""End to end: a department grants an application part whose item issues a licence, and the
licence is issued in the same decision, signed with the department's seal, for the enterprise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from shuzhi.domains.services.models.licences import Licence
from shuzhi.domains.services.services.applications import part_decide
from shuzhi.domains.services.services.licences import licence_verify
from tests.domains.services.catalogue_city import City, build
from tests.domains.services.test_applications import SIGN_FACTS, submit_signboard

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def test_granting_a_signboard_application_issues_its_licence(tmp_path: Path) -> None:
    city: City = build(tmp_path / "city")
    application = submit_signboard(city)
    part = application.parts.get()
    part_decide(part=part, by=city.clerks["UMB"], grant=True, opinion="")
    licence = Licence.objects.get(part=part)
    assert licence.licence_type == "signboard"
    assert licence.issuer == part.department
    assert licence.holder_credit_code == application.credit_code
    assert ["招牌内容", SIGN_FACTS["signboard_text"]] in licence.fields
    assert licence.seal.department == part.department
    result = licence_verify(number=licence.number, signature_hex=licence.signature_hex)
    assert result.authentic
    assert result.status == "valid"
