"""Online applications (网上申办): eligibility, preconditions, checked facts and materials,
nothing written on refusal, reuse of what is on file, loop tasks with the item's time limit,
who may see an application, department decisions and withdrawal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shuzhi.domains.services.models import (
    Application,
    ApplicationMaterial,
    ApplicationPart,
    ServiceItem,
)
from shuzhi.domains.services.services.applications import (
    TASK_TYPE,
    ApplicationRefused,
    application_form,
    application_submit,
    application_withdraw,
    part_decide,
)
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.loop.models import State as TaskState
from shuzhi.platform.loop.models import Task
from shuzhi.platform.notify.models import Message
from shuzhi.platform.workdays.selectors import deadline_after
from tests.domains.services.catalogue_city import (
    FIRE,
    FOOD,
    INVOICE,
    SIGNBOARD,
    UNEMPLOYMENT,
    City,
    build,
    media_files,
    pdf,
    png,
    text_file,
)

pytestmark = pytest.mark.django_db

# without the registry loaded, an enterprise enters its name and code itself
FIRM = {"enterprise_name": "测试M1有限公司", "credit_code": "x"}
SIGN_FACTS = {
    "enterprise_name": "测试M1有限公司",
    "credit_code": "x",
    "premises_address": "荷花中路88号",
    "signboard_text": "衢州味道",
    "signboard_size": "6x1.2",
    "signboard_location": "店面正上方",
}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def city(tmp_path: Path) -> City:
    return build(tmp_path / "city")


def item(code: str) -> ServiceItem:
    return ServiceItem.objects.get(code=code)


def counts() -> tuple[int, int, int, int]:
    return (
        Application.objects.count(),
        ApplicationMaterial.objects.count(),
        ApplicationPart.objects.count(),
        Task.objects.count(),
    )


def refusals(action: str, code: str) -> int:
    entries = AuditEntry.objects.filter(action=action).exclude(outcome="success")
    return sum(1 for entry in entries if entry.details.get("code") == code)


def sign_files() -> dict[str, Any]:
    return {"business_licence": pdf("licence.pdf"), "signboard_design": png("design.png")}


def submit_signboard(city: City, **kwargs: Any) -> Application:
    return application_submit(
        by=city.enterprise,
        item=item(SIGNBOARD),
        facts=kwargs.pop("facts", SIGN_FACTS),
        files=kwargs.pop("files", sign_files()),
        **kwargs,
    )


# --- access --------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client: Client, city: City) -> None:
    response = client.get(reverse("services:apply_item", args=[SIGNBOARD]))
    assert response.status_code == 302
    assert "login" in response["Location"]
    response = client.post(reverse("services:apply_item", args=[SIGNBOARD]), SIGN_FACTS)
    assert response.status_code == 302
    assert Application.objects.count() == 0


def test_a_clerk_may_not_apply(client: Client, city: City) -> None:
    with pytest.raises(PermissionDenied):
        application_submit(
            by=city.clerks["AMR"], item=item(SIGNBOARD), facts=SIGN_FACTS, files=sign_files()
        )
    client.force_login(city.clerks["AMR"])
    assert client.get(reverse("services:apply_item", args=[SIGNBOARD])).status_code == 403
    assert Application.objects.count() == 0
    assert AuditEntry.objects.filter(
        action="services.application_submit", outcome="denied"
    ).exists()


# --- a good submission ----------------------------------------------------------------------------


def test_submission_opens_a_task_with_the_items_working_days(city: City) -> None:
    application = submit_signboard(city)
    assert application.number.startswith("SQ")
    part = application.parts.get()
    signboard = item(SIGNBOARD)
    assert part.department == signboard.department
    task = Task.objects.get(pk=part.task_id)
    assert task.type_code == TASK_TYPE
    assert task.department == signboard.department
    assert task.source_ref == application.number
    assert task.state == TaskState.PENDING_ACCEPTANCE
    expected = deadline_after(task.opened_at, signboard.time_limit_days)
    assert task.deadline == expected
    assert part.due_at == expected
    assert application.due_at == expected
    assert application.materials.count() == 2
    stored = application.materials.get(kind__code="signboard_design")
    assert stored.file_kind == "png"
    assert stored.file
    assert Path(stored.file.path).exists()
    assert AuditEntry.objects.filter(action="services.application_submit", outcome="success")


def test_numbers_are_unique_and_serial(city: City) -> None:
    first = submit_signboard(city)
    second = submit_signboard(city)
    assert first.number != second.number
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1


def test_the_form_page_submits_and_redirects_to_the_status(client: Client, city: City) -> None:
    client.force_login(city.enterprise)
    page = client.get(reverse("services:apply_item", args=[SIGNBOARD]))
    assert page.status_code == 200
    assert 'name="fact_signboard_text"' in page.content.decode()
    data: dict[str, Any] = {f"fact_{k}": v for k, v in SIGN_FACTS.items()}
    data["material_business_licence"] = pdf()
    data["material_signboard_design"] = png()
    response = client.post(reverse("services:apply_item", args=[SIGNBOARD]), data)
    assert response.status_code == 302
    application = Application.objects.get()
    assert response["Location"] == reverse("services:application", args=[application.number])
    status = client.get(response["Location"])
    assert status.status_code == 200
    assert "户外招牌设置" in status.content.decode()


# --- refusals write nothing -----------------------------------------------------------------------


def test_missing_required_material_is_refused_and_nothing_is_saved(
    city: City, tmp_path: Path
) -> None:
    before = counts()
    with pytest.raises(ApplicationRefused) as refused:
        submit_signboard(city, files={"signboard_design": png()})
    assert refused.value.code == "material_missing"
    assert refused.value.field == "business_licence"
    assert counts() == before
    assert media_files(tmp_path / "media") == []
    assert refusals("services.application_submit", "material_missing") == 1


def test_a_bad_second_file_leaves_no_first_file_on_disk(city: City, tmp_path: Path) -> None:
    before = counts()
    with pytest.raises(ApplicationRefused) as refused:
        submit_signboard(
            city,
            files={"business_licence": pdf(), "signboard_design": text_file("design.png")},
        )
    assert refused.value.code == "file_unknown_kind"
    assert counts() == before
    assert media_files(tmp_path / "media") == []


def test_a_png_named_pdf_is_refused(city: City) -> None:
    with pytest.raises(ApplicationRefused) as refused:
        submit_signboard(
            city, files={"business_licence": png("licence.pdf"), "signboard_design": png()}
        )
    assert refused.value.code == "file_name_mismatch"
    assert refused.value.field == "business_licence"
    assert Application.objects.count() == 0


def test_a_text_file_named_pdf_is_refused(city: City) -> None:
    with pytest.raises(ApplicationRefused) as refused:
        submit_signboard(
            city, files={"business_licence": text_file("licence.pdf"), "signboard_design": png()}
        )
    assert refused.value.code == "file_unknown_kind"
    assert Application.objects.count() == 0


def test_a_kind_the_material_does_not_accept_is_refused(city: City) -> None:
    # the business licence copy must be a PDF; a true PNG is still refused
    with pytest.raises(ApplicationRefused) as refused:
        submit_signboard(city, files={"business_licence": png(), "signboard_design": png()})
    assert refused.value.code == "file_not_accepted"


def test_missing_required_fact_is_refused(city: City) -> None:
    facts = {k: v for k, v in SIGN_FACTS.items() if k != "signboard_text"}
    with pytest.raises(ApplicationRefused) as refused:
        submit_signboard(city, facts=facts)
    assert (refused.value.code, refused.value.field) == ("fact_missing", "signboard_text")
    assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("value", "ok"), [("120", True), ("12.5", True), ("abc", False), ("-1", False), ("NaN", False)]
)
def test_number_facts_are_type_checked(city: City, value: str, ok: bool) -> None:
    facts = {
        "enterprise_name": "x",
        "credit_code": "x",
        "premises_address": "荷花中路88号",
        "premises_area": value,
        "seating_capacity": "60",
    }
    files = {"fire_commitment": pdf(), "fire_floor_plan": png()}
    if ok:
        application = application_submit(
            by=city.enterprise, item=item(FIRE), facts=facts, files=files
        )
        assert application.facts["premises_area"] == float(value)
    else:
        with pytest.raises(ApplicationRefused) as refused:
            application_submit(by=city.enterprise, item=item(FIRE), facts=facts, files=files)
        assert (refused.value.code, refused.value.field) == ("fact_invalid", "premises_area")


def test_date_and_choice_facts_are_type_checked(city: City) -> None:
    facts = {"separation_date": "2025-13-40"}
    with pytest.raises(ApplicationRefused) as refused:
        application_submit(
            by=city.resident_user,
            item=item(UNEMPLOYMENT),
            facts=facts,
            files={"separation_certificate": pdf()},
        )
    assert (refused.value.code, refused.value.field) == ("fact_invalid", "separation_date")
    with pytest.raises(ApplicationRefused) as refused:
        application_submit(
            by=city.enterprise,
            item=item(INVOICE),
            facts={**FIRM, "invoice_kind": "made up"},
            files={},
        )
    assert (refused.value.code, refused.value.field) == ("fact_invalid", "invoice_kind")


# --- eligibility --------------------------------------------------------------------------------


def test_a_resident_may_not_apply_for_an_enterprise_item(client: Client, city: City) -> None:
    with pytest.raises(ApplicationRefused) as refused:
        application_submit(
            by=city.resident_user, item=item(SIGNBOARD), facts=SIGN_FACTS, files=sign_files()
        )
    assert refused.value.code == "not_eligible"
    assert refused.value.status == 403
    assert refusals("services.application_submit", "not_eligible") == 1
    client.force_login(city.public)
    form = client.get(reverse("services:apply_item", args=[SIGNBOARD]))
    assert 'id="not-eligible"' in form.content.decode()
    response = client.post(
        reverse("services:apply_item", args=[SIGNBOARD]),
        {f"fact_{k}": v for k, v in SIGN_FACTS.items()},
    )
    assert response.status_code == 403
    assert Application.objects.count() == 0


def test_an_enterprise_user_may_not_apply_for_a_citizen_item(city: City) -> None:
    with pytest.raises(ApplicationRefused) as refused:
        application_submit(
            by=city.enterprise,
            item=item(UNEMPLOYMENT),
            facts={"separation_date": "2025-10-01"},
            files={"separation_certificate": pdf()},
        )
    assert refused.value.code == "not_eligible"
    assert Application.objects.count() == 0


def test_a_precondition_names_itself(city: City) -> None:
    # no registry is loaded: the enterprise is not known as registered
    with pytest.raises(ApplicationRefused) as refused:
        application_submit(by=city.enterprise, item=item(FOOD), facts={}, files={})
    assert refused.value.code == "precondition"
    assert "须已登记且未注销" in refused.value.message
    refusal = AuditEntry.objects.filter(action="services.application_submit").latest("pk")
    assert refusal.details["condition"] == "enterprise_registered"
    assert Application.objects.count() == 0


# --- 一人一档: a resident's record is reused -----------------------------------------------------


def test_resident_facts_and_identity_are_reused(client: Client, city: City) -> None:
    plan = application_form(by=city.resident_user, item=item(UNEMPLOYMENT))
    assert plan.prefilled["applicant_name"] == "李四"
    # reused, but never copied raw out of the encrypted record (review: masked, region kept)
    assert plan.prefilled["id_number"] == "330802********1234"
    assert "id_card" in plan.reused_materials
    assert plan.saved == 4 + 1  # name, ID number, mobile, address; the identity card
    client.force_login(city.resident_user)
    page = client.get(reverse("services:apply_item", args=[UNEMPLOYMENT])).content.decode()
    assert 'name="fact_applicant_name"' not in page  # on file, not asked
    assert 'name="material_id_card"' not in page
    assert 'name="fact_separation_date"' in page
    assert "5" in page
    assert 'id="saved-count"' in page
    application = application_submit(
        by=city.resident_user,
        item=item(UNEMPLOYMENT),
        facts={"separation_date": "2025-10-01", "applicant_name": "someone else"},
        files={"separation_certificate": pdf()},
    )
    assert application.facts["applicant_name"] == "李四"  # what is on file wins
    assert set(application.reused) >= {"applicant_name", "id_card"}
    assert application.materials.get(kind__code="id_card").reused_from == "identity"


def test_a_public_user_without_a_record_enters_everything(city: City) -> None:
    plan = application_form(by=city.public, item=item(UNEMPLOYMENT))
    assert plan.saved == 0
    with pytest.raises(ApplicationRefused) as refused:
        application_submit(
            by=city.public,
            item=item(UNEMPLOYMENT),
            facts={"separation_date": "2025-10-01"},
            files={"separation_certificate": pdf()},
        )
    assert refused.value.code == "fact_missing"
    application = application_submit(
        by=city.public,
        item=item(UNEMPLOYMENT),
        facts={
            "applicant_name": "王五",
            "id_number": "330802199202021234",
            "mobile": "13900000002",
            "separation_date": "2025-10-01",
        },
        files={"separation_certificate": pdf(), "id_card": png()},
    )
    assert application.reused == []


# --- who may see an application -----------------------------------------------------------------


def test_another_user_cannot_see_an_application(client: Client, city: City) -> None:
    application = submit_signboard(city)
    url = reverse("services:application", args=[application.number])
    client.force_login(city.enterprise)
    assert client.get(url).status_code == 200
    client.force_login(city.public)
    assert client.get(url).status_code == 403
    assert refusals("services.application_view", "not_yours") == 1
    client.force_login(city.clerks["FIRE"])  # staff of a department not handling it
    assert client.get(url).status_code == 403
    client.force_login(city.clerks["UMB"])  # the handling department
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302


def test_material_download_checks_the_same_rights(client: Client, city: City) -> None:
    application = submit_signboard(city)
    material = application.materials.get(kind__code="signboard_design")
    url = reverse("services:material", args=[material.pk])
    client.force_login(city.public)
    assert client.get(url).status_code == 403
    client.force_login(city.clerks["UMB"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    assert AuditEntry.objects.filter(action="services.material_open", outcome="success").count()


# --- decisions -------------------------------------------------------------------------------------


def test_a_clerk_of_another_department_cannot_decide(client: Client, city: City) -> None:
    part = submit_signboard(city).parts.get()
    with pytest.raises(PermissionDenied):
        part_decide(part=part, by=city.clerks["FIRE"], grant=False, opinion="不符合规划")
    client.force_login(city.clerks["FIRE"])
    response = client.post(
        reverse("services:part_decide", args=[part.pk]), {"decision": "refuse", "opinion": "x"}
    )
    assert response.status_code == 403
    part.refresh_from_db()
    assert part.state == ApplicationPart.State.PENDING
    with pytest.raises(PermissionDenied):  # the applicant cannot decide either
        part_decide(part=part, by=city.enterprise, grant=True, opinion="")


def test_refusing_needs_an_opinion_and_deciding_twice_is_refused(city: City) -> None:
    application = submit_signboard(city)
    part = application.parts.get()
    umb = city.clerks["UMB"]
    with pytest.raises(ApplicationRefused) as refused:
        part_decide(part=part, by=umb, grant=False, opinion="  ")
    assert refused.value.code == "opinion_missing"
    part_decide(part=part, by=umb, grant=False, opinion="招牌位置不符合设置规划。")
    part.refresh_from_db()
    assert part.state == ApplicationPart.State.REFUSED
    task = Task.objects.get(pk=part.task_id)
    assert task.state == TaskState.PENDING_REVIEW  # accepted and submitted with the opinion
    application.refresh_from_db()
    assert application.state == Application.State.REFUSED
    assert application.completed_at is not None
    with pytest.raises(ApplicationRefused) as again:
        part_decide(part=part, by=umb, grant=True, opinion="")
    assert again.value.code == "already_decided"
    assert refusals("services.part_decide", "already_decided") == 1


def test_granting_an_item_without_licence_completes_and_notifies(
    city: City, django_capture_on_commit_callbacks: Any
) -> None:
    application = application_submit(
        by=city.enterprise,
        item=item(INVOICE),
        facts={**FIRM, "invoice_kind": "增值税普通发票"},
        files={},
    )
    part = application.parts.get()
    with django_capture_on_commit_callbacks(execute=True):
        part_decide(part=part, by=city.clerks["TAX"], grant=True, opinion="")
    application.refresh_from_db()
    assert application.state == Application.State.GRANTED
    assert Message.objects.filter(recipient=city.enterprise).exists()


def test_handling_page_lists_own_department_parts_only(client: Client, city: City) -> None:
    submit_signboard(city)
    client.force_login(city.clerks["UMB"])
    page = client.get(reverse("services:handling"))
    assert page.status_code == 200
    assert len(page.context["page"].object_list) == 1
    client.force_login(city.clerks["FIRE"])
    assert len(client.get(reverse("services:handling")).context["page"].object_list) == 0
    client.force_login(city.enterprise)
    assert client.get(reverse("services:handling")).status_code == 403


# --- withdrawal ---------------------------------------------------------------------------------


def test_applicant_withdraws_while_nothing_is_decided(city: City) -> None:
    application = submit_signboard(city)
    with pytest.raises(ApplicationRefused):
        application_withdraw(by=city.public, application=application)
    application_withdraw(by=city.enterprise, application=application)
    application.refresh_from_db()
    assert application.state == Application.State.WITHDRAWN
    assert Task.objects.get(pk=application.parts.get().task_id).state == TaskState.CANCELLED
    decided = submit_signboard(city)
    part_decide(part=decided.parts.get(), by=city.clerks["UMB"], grant=False, opinion="不符合")
    with pytest.raises(ApplicationRefused) as refused:
        application_withdraw(by=city.enterprise, application=decided)
    assert refused.value.code == "not_withdrawable"


# --- English -------------------------------------------------------------------------------------


def test_form_and_refusal_in_english(client: Client, city: City) -> None:
    client.force_login(city.enterprise)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        page = client.get(reverse("services:apply_item", args=[SIGNBOARD]))
        assert page.status_code == 200
        assert "Signboard text" in page.content.decode()
        refused = client.post(
            reverse("services:apply_item", args=[SIGNBOARD]),
            {f"fact_{k}": v for k, v in SIGN_FACTS.items()},
        )
    assert refused.status_code == 400
    assert "Upload the required material" in refused.content.decode()
