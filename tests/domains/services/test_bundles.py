"""一件事 bundles and 一企一档 reuse: one combined form whose facts are the union of the items'
needs (each once), the enterprise's own registration filled in from the warehouse, parallel
parts to each department, the bundle done only when every part is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shuzhi.domains.services.models import Application, ApplicationPart, Bundle, Licence
from shuzhi.domains.services.services.applications import (
    ApplicationRefused,
    application_form,
    application_submit,
    part_decide,
)
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.loop.models import Task
from shuzhi.platform.workdays.selectors import deadline_after
from tests.domains.market import city as market_city
from tests.domains.services.catalogue_city import (
    NO_PASSWORD,
    RESTAURANT,
    SIMPLE_DEREGISTRATION,
    TOBACCO,
    City,
    build,
    pdf,
    png,
    restaurant_facts,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def city(tmp_path: Path) -> City:
    return build(tmp_path / "city", registry=True)


def bundle(code: str) -> Bundle:
    return Bundle.objects.get(code=code)


def restaurant_files(**more: Any) -> dict[str, Any]:
    return {
        "food_safety_system": pdf(),
        "premises_layout": png(),
        "signboard_design": png(),
        "fire_commitment": pdf(),
        "fire_floor_plan": pdf(),
        **more,
    }


def open_restaurant(city: City, *, tobacco: bool = False) -> Application:
    files = restaurant_files(premises_photo=png()) if tobacco else restaurant_files()
    return application_submit(
        by=city.enterprise,
        bundle=bundle(RESTAURANT),
        facts=restaurant_facts(),
        files=files,
        optional_items=[TOBACCO] if tobacco else [],
    )


def test_enterprise_registration_is_reused_and_audited(client: Client, city: City) -> None:
    plan = application_form(by=city.enterprise, bundle=bundle(RESTAURANT))
    assert plan.prefilled["enterprise_name"] == "测试M1有限公司"
    assert plan.prefilled["credit_code"] == market_city.by_key("M1")
    assert plan.prefilled["legal_representative"] == "张一"
    assert plan.reused_materials["business_licence"].startswith("registry:")
    assert plan.saved == len(plan.prefilled) + len(plan.reused_materials) >= 4
    assert AuditEntry.objects.filter(action="services.profile_reuse").exists()
    client.force_login(city.enterprise)
    page = client.get(reverse("services:apply_bundle", args=[RESTAURANT]))
    html = page.content.decode()
    assert page.context["plan"].saved == plan.saved
    assert f"{plan.saved} items saved from your files" in html or f"{plan.saved}" in html
    assert 'name="fact_enterprise_name"' not in html
    assert "测试M1有限公司" in html  # shown read-only, on file


def test_combined_form_asks_each_shared_fact_once(client: Client, city: City) -> None:
    client.force_login(city.enterprise)
    html = client.get(reverse("services:apply_bundle", args=[RESTAURANT])).content.decode()
    assert html.count('name="fact_premises_address"') == 1
    assert html.count('name="fact_premises_area"') == 1  # food permit and fire inspection
    assert html.count('name="optional"') == 1  # tobacco, chosen by a checkbox
    plan = application_form(by=city.enterprise, bundle=bundle(RESTAURANT))
    premises = next(n for n in plan.needs.facts if n.code == "premises_address")
    assert len(premises.items) >= 4


def test_bundle_opens_parallel_parts_with_each_items_limit(city: City) -> None:
    application = open_restaurant(city)
    parts = list(application.parts.select_related("item", "department"))
    assert len(parts) == 4  # tobacco not chosen
    assert {p.department.code for p in parts} == {"330800-AMR", "330800-UMB", "330800-FIRE"}
    for part in parts:
        task = Task.objects.get(pk=part.task_id)
        assert task.department_id == part.department_id
        assert task.deadline == deadline_after(task.opened_at, part.item.time_limit_days)
    assert application.due_at == max(p.due_at for p in parts)
    assert application.materials.get(kind__code="business_licence").reused_from
    assert application.facts["enterprise_name"] == "测试M1有限公司"


def test_optional_item_is_added_when_chosen(city: City) -> None:
    application = open_restaurant(city, tobacco=True)
    assert application.parts.count() == 5
    assert application.parts.filter(department__code="330800-TOB").exists()


def test_unknown_optional_item_is_refused(city: City) -> None:
    with pytest.raises(ApplicationRefused) as refused:
        application_submit(
            by=city.enterprise,
            bundle=bundle(RESTAURANT),
            facts=restaurant_facts(),
            files=restaurant_files(),
            optional_items=["330800-AMR-XK-003"],  # mandatory, not optional
        )
    assert refused.value.code == "optional_unknown"
    assert Application.objects.count() == 0


def test_bundle_is_done_only_when_every_part_is(city: City) -> None:
    application = open_restaurant(city)
    parts = list(application.parts.select_related("department"))
    by_department = {s: city.clerks[s] for s in ("AMR", "UMB", "FIRE")}
    for part in parts[:-1]:
        part_decide(
            part=part, by=by_department[part.department.code.split("-")[1]], grant=True, opinion=""
        )
        application.refresh_from_db()
        assert application.state == Application.State.IN_PROGRESS
        assert application.completed_at is None
    last = parts[-1]
    part_decide(
        part=last, by=by_department[last.department.code.split("-")[1]], grant=True, opinion=""
    )
    application.refresh_from_db()
    assert application.state == Application.State.GRANTED
    assert application.completed_at is not None
    # the items that issue e-licences got them (food permit, signboard, fire safety)
    assert Licence.objects.filter(part__application=application).count() == 3


def test_one_refused_part_makes_a_partly_granted_bundle(city: City) -> None:
    application = open_restaurant(city)
    for part in application.parts.select_related("department"):
        suffix = part.department.code.split("-")[1]
        refuse = suffix == "UMB"
        part_decide(
            part=part, by=city.clerks[suffix], grant=not refuse, opinion="不符合" if refuse else ""
        )
    application.refresh_from_db()
    assert application.state == Application.State.PARTLY_GRANTED
    assert application.parts.filter(state=ApplicationPart.State.REFUSED).count() == 1


def test_simple_deregistration_bundle(city: City) -> None:
    facts = {
        "deregistration_reason": "决议解散",
        "investors_commitment": "yes",
        "liquidation_done": "yes",
    }
    application = application_submit(
        by=city.enterprise,
        bundle=bundle(SIMPLE_DEREGISTRATION),
        facts=facts,
        files={"investors_letter": pdf()},
    )
    assert {p.department.code for p in application.parts.all()} == {
        "330800-AMR",
        "330800-TAX",
        "330800-HRS",
    }
    assert application.facts["investors_commitment"] is True


def test_a_revoked_enterprise_fails_the_registered_precondition(city: City) -> None:
    revoked = UserFactory(
        username="svc_revoked", department=None, roles=["enterprise"], password=NO_PASSWORD
    )
    revoked.credit_code = market_city.by_key("M3")  # 吊销
    revoked.save(update_fields=["credit_code"])
    with pytest.raises(ApplicationRefused) as refused:
        application_submit(
            by=revoked,
            bundle=bundle(SIMPLE_DEREGISTRATION),
            facts={
                "deregistration_reason": "x",
                "investors_commitment": "yes",
                "liquidation_done": "yes",
            },
            files={"investors_letter": pdf()},
        )
    assert refused.value.code == "precondition"
    assert "须已登记且未注销" in refused.value.message
    refusal = AuditEntry.objects.filter(action="services.application_submit").latest("pk")
    assert refusal.details["condition"] == "enterprise_registered"
    assert Application.objects.count() == 0


def test_a_valid_licence_blocks_a_second_food_permit(city: City) -> None:
    application = open_restaurant(city)
    food = application.parts.get(item__code="330800-AMR-XK-003")
    part_decide(part=food, by=city.clerks["AMR"], grant=True, opinion="")
    with pytest.raises(ApplicationRefused) as refused:
        open_restaurant(city)
    assert refused.value.code == "precondition"
    assert "food_operation" in refused.value.message


def test_status_page_links_the_licence_and_renders_in_english(client: Client, city: City) -> None:
    application = open_restaurant(city)
    food = application.parts.get(item__code="330800-AMR-XK-003")
    part_decide(part=food, by=city.clerks["AMR"], grant=True, opinion="")
    licence = Licence.objects.get(part=food)
    client.force_login(city.enterprise)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        page = client.get(reverse("services:application", args=[application.number]))
    html = page.content.decode()
    assert page.status_code == 200
    assert licence.number in html
    assert "Timeline" in html


def test_demo_applications_are_made_once(city: City) -> None:
    import io

    from shuzhi.demo import services_catalogue

    demo = UserFactory(username="enterprise", department=None, roles=["enterprise"], password="!")
    demo.credit_code = market_city.by_key("M2")
    demo.save(update_fields=["credit_code"])
    out = io.StringIO()
    services_catalogue.load(stdout=out)
    states = dict(Application.objects.filter(applicant=demo).values_list("number", "state"))
    assert sorted(states.values()) == ["granted", "refused", "submitted"], out.getvalue()
    services_catalogue.load(stdout=out)
    assert Application.objects.filter(applicant=demo).count() == 3
