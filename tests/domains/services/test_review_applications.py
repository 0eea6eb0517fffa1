"""Review findings on online applications: a licence that cannot be issued must refuse the
decision cleanly (audited, nothing changed, no server error); a material is served with the
content type its content was checked to be; a resident's ID number is not copied raw into the
application's facts nor shown raw to the handling department."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shuzhi.domains.services.models import Application, ApplicationPart, Licence, ServiceItem
from shuzhi.domains.services.services.applications import (
    ApplicationRefused,
    application_submit,
    part_decide,
)
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.loop.models import State as TaskState
from shuzhi.platform.loop.models import Task
from tests.domains.services.catalogue_city import (
    PDF,
    SIGNBOARD,
    UNEMPLOYMENT,
    City,
    build,
    pdf,
    png,
)
from tests.domains.services.test_applications import SIGN_FACTS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def city(tmp_path: Path) -> City:
    return build(tmp_path / "city")


def _signboard(city: City, **files: Any) -> Application:
    return application_submit(
        by=city.enterprise,
        item=ServiceItem.objects.get(code=SIGNBOARD),
        facts=SIGN_FACTS,
        files=files or {"business_licence": pdf("licence.pdf"), "signboard_design": png()},
    )


def test_a_licence_that_cannot_be_issued_refuses_the_decision_cleanly(
    client: Client, city: City
) -> None:
    application = _signboard(city)
    # the face needs the signboard's text; an application without it cannot carry a licence
    facts = dict(application.facts)
    facts.pop("signboard_text")
    Application.objects.filter(pk=application.pk).update(facts=facts)
    part = ApplicationPart.objects.get(application=application)
    umb = city.clerks["UMB"]
    with pytest.raises(ApplicationRefused) as refused:
        part_decide(part=part, by=umb, grant=True, opinion="")
    assert refused.value.status == 409
    part.refresh_from_db()
    assert part.state == ApplicationPart.State.PENDING
    assert Task.objects.get(pk=part.task_id).state == TaskState.PENDING_ACCEPTANCE
    assert not Licence.objects.exists()
    refusal = AuditEntry.objects.filter(action="services.part_decide").exclude(outcome="success")
    assert refusal.count() == 1  # the refusal is audited, not rolled back with the decision
    assert refusal.get().details["code"] == "licence_missing_fact"
    # the page answers with the message, not a server error
    client.force_login(umb)
    response = client.post(reverse("services:part_decide", args=[part.pk]), {"decision": "grant"})
    assert response.status_code == 302
    part.refresh_from_db()
    assert part.state == ApplicationPart.State.PENDING


def test_a_material_is_served_as_its_checked_kind_never_as_html(client: Client, city: City) -> None:
    # a PDF (by content) named .html: the name claims no known kind, so the upload is taken
    application = _signboard(
        city,
        business_licence=pdf("licence.html"),
        signboard_design=png("design.svg"),
    )
    client.force_login(city.enterprise)
    for material in application.materials.exclude(file=""):
        response = client.get(reverse("services:material", args=[material.pk]))
        assert response.status_code == 200
        expected = {"pdf": "application/pdf", "png": "image/png"}[material.file_kind]
        assert response["Content-Type"] == expected
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert ".html" not in disposition
        assert ".svg" not in disposition
        assert response["X-Content-Type-Options"] == "nosniff"


def test_the_resident_id_number_is_not_copied_raw_into_the_application(
    client: Client, city: City
) -> None:
    application = application_submit(
        by=city.resident_user,
        item=ServiceItem.objects.get(code=UNEMPLOYMENT),
        facts={"separation_date": "2025-10-01"},
        files={"separation_certificate": pdf()},
    )
    raw = city.resident.id_number
    assert raw not in str(application.facts)
    assert raw not in str(Application.objects.filter(pk=application.pk).values("facts").get())
    part = application.parts.get()
    client.force_login(city.clerks[part.department.code.rsplit("-", 1)[-1]])
    response = client.get(reverse("services:handling"))
    assert response.status_code == 200
    assert raw.encode() not in response.content
    assert PDF  # the material itself is untouched


@pytest.mark.parametrize("days", [0, 400])
def test_an_item_promised_same_day_or_beyond_a_year_still_takes_applications(
    city: City, days: int
) -> None:
    # 即办件 have a promised time limit of 0 working days; the loop takes 1 to 365
    ServiceItem.objects.filter(code=SIGNBOARD).update(time_limit_days=days)
    application = _signboard(city)
    part = application.parts.get()
    assert part.due_at is not None
    assert Task.objects.filter(pk=part.task_id).exists()


def test_a_decision_locks_the_application_before_its_part(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    # withdrawal locks the application, then its parts; a decision must take the same order,
    # or a withdrawal and a decision at the same moment deadlock (PostgreSQL)
    from django.db.models import QuerySet

    part = _signboard(city).parts.get()
    locked: list[str] = []
    original = QuerySet.select_for_update

    def recording(self: QuerySet[Any], *args: Any, **kwargs: Any) -> QuerySet[Any]:
        locked.append(self.model.__name__)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", recording)
    part_decide(part=part, by=city.clerks["UMB"], grant=False, opinion="不符合规划")
    order = [name for name in locked if name in ("Application", "ApplicationPart")]
    assert order[:2] == ["Application", "ApplicationPart"]
