"""Review finding: a retired service item is no longer offered — not on its own, and not
through a 一件事 bundle that lists it either (nothing written, refusal audited)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shuzhi.domains.services.models import Application, ServiceItem
from shuzhi.domains.services.services.applications import ApplicationRefused
from shuzhi.platform.audit.models import AuditEntry
from tests.domains.services.catalogue_city import SIGNBOARD, City, build, media_files
from tests.domains.services.test_bundles import open_restaurant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def city(tmp_path: Path) -> City:
    return build(tmp_path / "city", registry=True)


def test_a_bundle_with_a_retired_item_is_refused(city: City, settings: Any) -> None:
    ServiceItem.objects.filter(code=SIGNBOARD).update(status=ServiceItem.Status.RETIRED)
    with pytest.raises(ApplicationRefused) as refused:
        open_restaurant(city)
    assert refused.value.code == "retired"
    assert Application.objects.count() == 0
    assert media_files(Path(settings.MEDIA_ROOT)) == []
    entry = AuditEntry.objects.filter(action="services.application_submit").latest("pk")
    assert entry.details["code"] == "retired"
