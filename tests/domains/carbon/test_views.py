"""Carbon pages: the dashboard of the current run, the enterprise page that explains its grade,
the factor table's pages, the enterprise's bank authorisations and the bank's report pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shuzhi.domains.carbon.models import BankAuthorisation, FactorSet, LoanProduct
from shuzhi.platform.accounts.models import User
from tests.domains.carbon.test_finance import (
    ALPHA,
    BETA,
    GAMMA,
    NAMES,
    drc,
    entries,
    factor_set,
    green_finance,
    run_with_accounts,
)
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def officer(db: None) -> User:
    return UserFactory(username="officer", roles=["clerk"])


# --- dashboard -----------------------------------------------------------------------------


def test_dashboard_without_a_run_explains_what_will_appear(officer: User) -> None:
    factor_set()
    page = _client(officer).get(reverse("carbon:index"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="empty-state"' in body
    assert "2025.1" in body
    assert "county-chart" not in body


def test_dashboard_shows_the_current_run_its_report_and_factor_version(officer: User) -> None:
    run_with_accounts()
    page = _client(officer).get(reverse("carbon:index"))
    body = page.content.decode()
    assert page.status_code == 200
    data = page.context["data"]
    assert page.context["year"] == 2025
    assert data["figures"]["enterprises"] == 2
    assert data["figures"]["graded"] == 1
    assert [m["month"] for m in data["months"]] == list(range(1, 13))
    assert data["boxes"]
    assert data["boxes"][0]["industry"] == "C26"
    assert data["sectors"]["table"][0]["total"] == pytest.approx(259.6)
    for chart in ("county-chart", "industry-chart", "month-chart", "top-chart", "box-chart"):
        assert f'id="{chart}"' in body
    assert 'id="sector-chart"' in body
    assert "carbon-dashboard" in body
    assert 'id="run-factors"' in body
    assert "2025.1" in body
    assert "The output or value added is zero" in body  # the run's problems in words
    assert NAMES[ALPHA] in body  # top emitters table (the chart's table view)


def test_dashboard_year_and_county_filters(officer: User) -> None:
    run_with_accounts()
    client = _client(officer)
    page = client.get(reverse("carbon:index"), {"year": "2024", "county": "330803"})
    assert page.context["year"] == 2024
    assert page.context["county"] == ""
    page = client.get(reverse("carbon:index"), {"county": "330802"})
    assert page.context["county"] == "330802"
    assert page.context["data"]["figures"]["enterprises"]


def test_dashboard_sends_enterprises_and_banks_to_their_pages(db: None) -> None:
    ent = UserFactory(username="ent", roles=["enterprise"], department=None, credit_code=ALPHA)
    bank = UserFactory(username="bk", roles=["bank"])
    assert _client(ent).get(reverse("carbon:index")).url == reverse("carbon:mine")
    assert _client(bank).get(reverse("carbon:index")).url == reverse("carbon:bank")
    resident = UserFactory(username="res", roles=["public"], department=None)
    assert _client(resident).get(reverse("carbon:index")).status_code == 403


def test_enterprise_list_filters_by_colour(officer: User) -> None:
    run_with_accounts()
    client = _client(officer)
    page = client.get(reverse("carbon:enterprises"), {"colour": "none"})
    assert [a.credit_code for a in page.context["page"]] == [BETA]
    page = client.get(reverse("carbon:enterprises"), {"q": "甲化工"})
    assert [a.credit_code for a in page.context["page"]] == [ALPHA]


# --- the enterprise page -------------------------------------------------------------------


def test_enterprise_page_explains_the_grade_with_the_rule_and_the_trend(officer: User) -> None:
    run_with_accounts()
    page = _client(officer).get(reverse("carbon:enterprise", args=[ALPHA]))
    body = page.content.decode()
    assert page.status_code == 200
    rows = {r["dimension"]: r for r in page.context["explanation"]}
    assert set(rows) == {"advancement", "contribution", "decline"}
    assert rows["advancement"]["weight"] == pytest.approx(33.3)
    assert ("Industry average intensity", "1.2") in rows["advancement"]["facts"]
    assert ("Share of the county's emissions", "2.50%") in rows["contribution"]["facts"]
    assert 'id="grade-rule"' in body
    assert "Light green" in body
    assert "Level 2" in body
    assert "Position within the industry: 81.0%" in body
    chart = page.context["chart"]
    assert [line["name"] for line in chart["lines"]] == ["2024", "2025"]
    assert chart["lines"][1]["data"][0] == 101.0
    assert 'id="trend-chart"' in body
    assert 'id="years-chart"' in body


def test_enterprise_without_grade_says_why_in_plain_words(officer: User) -> None:
    run_with_accounts()
    page = _client(officer).get(reverse("carbon:enterprise", args=[BETA]))
    body = page.content.decode()
    assert 'id="no-grade"' in body
    assert "No grade because" in body
    for text in (
        "Months are missing from the energy data",
        "negative and were left out",
        "no industry code",
        "zero or missing",
    ):
        assert text in body


def test_enterprise_user_sees_only_its_own_account(db: None) -> None:
    run_with_accounts()
    alpha = UserFactory(username="alpha", roles=["enterprise"], department=None, credit_code=ALPHA)
    client = _client(alpha)
    mine = client.get(reverse("carbon:mine"))
    assert mine.status_code == 200
    assert mine.context["own"]
    assert mine.context["account"]
    assert 'id="authorise-form"' in mine.content.decode()
    assert client.get(reverse("carbon:enterprise", args=[BETA])).status_code == 403
    assert client.get(reverse("carbon:enterprises")).status_code == 403
    assert client.get(reverse("carbon:factors")).status_code == 403


def test_enterprise_without_account_gets_an_empty_state(db: None) -> None:
    gamma = UserFactory(username="gamma", roles=["enterprise"], department=None, credit_code=GAMMA)
    page = _client(gamma).get(reverse("carbon:mine"))
    assert page.status_code == 200
    assert 'id="empty-state"' in page.content.decode()


def test_bank_cannot_open_enterprise_pages(db: None) -> None:
    run_with_accounts()
    banker = UserFactory(username="bk", roles=["bank"])
    assert _client(banker).get(reverse("carbon:enterprise", args=[ALPHA])).status_code == 403


# --- factor pages --------------------------------------------------------------------------


def _formset(prefix: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def _factor_post(**changes: Any) -> dict[str, Any]:
    fuel = {
        "fuel": "raw_coal",
        "ncv": "20.908",
        "ncv_unit": "GJ/t",
        "carbon_content": "26.37",
        "oxidation": "0.94",
        "source": "省级清单",
        **changes,
    }
    return {
        "set-title": "2026",
        "set-source": "GB/T 32150",
        "set-heat_factor": "0.11",
        "set-heat_source": "GB/T 32150",
        **_formset("fuels", [fuel]),
        **_formset(
            "grids", [{"year": "2023", "region": "east_china", "value": "0.55", "source": "MEE"}]
        ),
        **_formset("activities", []),
    }


def test_steward_creates_edits_and_activates_a_draft_in_the_pages(db: None) -> None:
    old = factor_set()
    steward = UserFactory(username="drc_steward", roles=["data_steward"], department=drc())
    client = _client(steward)
    listing = client.get(reverse("carbon:factors"))
    assert 'id="new-draft"' in listing.content.decode()
    created = client.post(reverse("carbon:factor_new"), {"version": "2026.1", "title": ""})
    draft = FactorSet.objects.get(version="2026.1")
    assert created.url == reverse("carbon:factor", args=[draft.pk])
    assert 'id="factor-form"' in client.get(created.url).content.decode()
    saved = client.post(created.url, _factor_post(oxidation="0.93"))
    assert saved.status_code == 302
    assert str(draft.fuels.get().oxidation) == "0.9300"
    client.post(reverse("carbon:factor_activate", args=[draft.pk]))
    draft.refresh_from_db()
    old.refresh_from_db()
    assert (draft.state, old.state) == ("active", "retired")


def test_invalid_value_is_shown_beside_the_field_and_input_kept(db: None) -> None:
    factor_set()
    steward = UserFactory(username="drc_steward", roles=["data_steward"], department=drc())
    client = _client(steward)
    client.post(reverse("carbon:factor_new"), {"version": "2026.1"})
    draft = FactorSet.objects.get(version="2026.1")
    page = client.post(reverse("carbon:factor", args=[draft.pk]), _factor_post(oxidation="1.5"))
    assert page.status_code == 400
    body = page.content.decode()
    assert "between 0 and 1" in body
    assert 'value="1.5"' in body
    assert page.context["fuels"].forms[0].errors["oxidation"]
    assert str(draft.fuels.get().oxidation) == "0.9400"  # unchanged


def test_active_set_page_is_read_only_and_a_post_is_refused(db: None) -> None:
    active = factor_set()
    steward = UserFactory(username="drc_steward", roles=["data_steward"], department=drc())
    client = _client(steward)
    page = client.get(reverse("carbon:factor", args=[active.pk]))
    assert 'id="factor-form"' not in page.content.decode()
    client.post(reverse("carbon:factor", args=[active.pk]), _factor_post(ncv="1"))
    assert str(active.fuels.get().ncv) == "20.9080"
    assert entries("carbon.factors_save", "denied")[-1].details["code"] == "not_draft"


def test_staff_of_other_departments_see_factors_but_cannot_edit(officer: User) -> None:
    draft = factor_set(version="d", state=FactorSet.State.DRAFT)
    client = _client(officer)
    page = client.get(reverse("carbon:factor", args=[draft.pk]))
    assert page.status_code == 200
    assert 'id="factor-form"' not in page.content.decode()
    assert client.post(reverse("carbon:factor", args=[draft.pk]), _factor_post()).status_code == 403
    assert client.post(reverse("carbon:factor_new"), {"version": "x"}).status_code == 403
    assert client.post(reverse("carbon:factor_activate", args=[draft.pk])).status_code == 403


# --- the enterprise's authorisations and the bank's pages ----------------------------------


@pytest.fixture
def world(db: None, tmp_path: Path) -> dict[str, Any]:
    return green_finance(tmp_path)


def test_enterprise_authorises_and_revokes_a_bank_in_the_page(world: dict[str, Any]) -> None:
    client = _client(world["beta"])
    client.post(reverse("carbon:authorise"), {"bank": world["bank"].pk, "days": "30"})
    authorisation = BankAuthorisation.objects.get(credit_code=BETA)
    assert entries("carbon.authorise", "success")
    client.post(reverse("carbon:authorisation_revoke", args=[authorisation.pk]))
    authorisation.refresh_from_db()
    assert authorisation.revoked_at is not None
    other = client.post(
        reverse("carbon:authorisation_revoke", args=[world["authorisation"].pk])
    )  # ALPHA's
    assert other.status_code == 403


def test_bank_page_lists_authorising_enterprises_and_the_grant(world: dict[str, Any]) -> None:
    page = _client(world["banker"]).get(reverse("carbon:bank"))
    body = page.content.decode()
    assert page.status_code == 200
    assert ALPHA in body
    assert BETA not in body
    assert "Sharing grant in force" in body


def test_bank_report_page_for_an_authorising_enterprise(world: dict[str, Any]) -> None:
    page = _client(world["banker"]).get(reverse("carbon:report", args=[ALPHA]))
    body = page.content.decode()
    assert page.status_code == 200
    assert NAMES[ALPHA] in body
    assert "Light green" in body
    assert "-20 basis points" in body
    assert 'id="report-chart"' in body
    assert "carbon-report" in body
    assert entries("carbon.report", "success")[-1].details["form"] == "page"


def test_bank_report_refused_403_for_a_non_authorising_enterprise(world: dict[str, Any]) -> None:
    page = _client(world["banker"]).get(reverse("carbon:report", args=[BETA]))
    assert page.status_code == 403
    assert "has not authorised your bank" in page.content.decode()
    assert entries("carbon.report", "denied")[-1].details["code"] == "not_authorised"


def test_bank_report_refused_for_other_roles(world: dict[str, Any]) -> None:
    for user in (world["alpha"], world["steward"]):
        assert _client(user).get(reverse("carbon:report", args=[ALPHA])).status_code == 403
        assert _client(user).get(reverse("carbon:bank")).status_code == 403


def test_bank_report_pdf(world: dict[str, Any]) -> None:
    response = _client(world["banker"]).get(reverse("carbon:report_pdf", args=[ALPHA]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert entries("carbon.report", "success")[-1].details["form"] == "pdf"


def test_bank_report_pdf_without_the_font_is_a_clear_503(
    world: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.CARBON_PDF_FONT = tmp_path / "missing.ttc"
    response = _client(world["banker"]).get(reverse("carbon:report_pdf", args=[ALPHA]))
    assert response.status_code == 503
    assert "Chinese font" in response.content.decode()
    assert not entries("carbon.report", "success")  # nothing read for a PDF not made


def test_bank_report_pdf_refused_for_a_non_authorising_enterprise(world: dict[str, Any]) -> None:
    response = _client(world["banker"]).get(reverse("carbon:report_pdf", args=[BETA]))
    assert response.status_code == 403


def test_bank_manages_its_products_in_the_page(world: dict[str, Any]) -> None:
    client = _client(world["banker"])
    saved = client.post(
        reverse("carbon:products"),
        {"name": "绿色技改贷", "colour": "dark_green", "rate_adjustment_bp": "-35"},
    )
    assert saved.status_code == 302
    product = LoanProduct.objects.get(name="绿色技改贷")
    page = client.post(
        reverse("carbon:products"),
        {"name": "绿色技改贷", "colour": "dark_green", "rate_adjustment_bp": "-10"},
    )
    assert page.status_code == 409
    assert "already" in page.content.decode()
    client.post(reverse("carbon:product_delete", args=[product.pk]))
    assert not LoanProduct.objects.filter(pk=product.pk).exists()
    other = _client(world["other_banker"])
    mine = LoanProduct.objects.filter(bank=world["bank"]).first()
    assert mine is not None
    assert other.get(reverse("carbon:product", args=[mine.pk])).status_code == 404
    assert other.post(reverse("carbon:product_delete", args=[mine.pk])).status_code == 403
