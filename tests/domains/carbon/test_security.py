"""Security review of the carbon pages and API: who may read what, that refusals are audited,
that bad input is a clear 4xx that changes nothing, and that state changes need the CSRF token.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuzhi.domains.carbon import pdf, views
from shuzhi.domains.carbon.factor_table import factor_set_seed_default
from shuzhi.domains.carbon.models import BankAuthorisation, FactorSet, LoanProduct
from shuzhi.domains.carbon.services.factors import FactorError, factor_set_save
from shuzhi.platform.accounts.models import User
from shuzhi.platform.sharing.models import GrantUsage
from tests.domains.carbon.test_finance import (
    ALPHA,
    BETA,
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


@pytest.fixture
def world(db: None, tmp_path: Path) -> dict[str, Any]:
    return green_finance(tmp_path)


def _client(user: User, *, csrf: bool = False) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def _steward() -> User:
    return UserFactory(username="drc_steward", roles=["data_steward"], department=drc())


# --- banks ---------------------------------------------------------------------------------


def test_bank_lookup_of_a_code_with_a_slash_is_a_400_not_a_500(world: dict[str, Any]) -> None:
    page = _client(world["banker"]).get(reverse("carbon:bank"), {"credit_code": "9133/0802"})
    assert page.status_code == 400
    assert "not a unified social credit code" in page.content.decode()


def test_report_page_and_pdf_refused_to_non_bank_users_are_audited(
    world: dict[str, Any],
) -> None:
    for user in (world["alpha"], world["steward"]):
        for name in ("carbon:report", "carbon:report_pdf"):
            assert _client(user).get(reverse(name, args=[ALPHA])).status_code == 403
    denied = entries("carbon.report", "denied")
    assert len(denied) == 4
    assert {e.details["code"] for e in denied} == {"forbidden"}
    assert not GrantUsage.objects.exists()


def test_banker_moved_to_another_bank_cannot_read_through_the_old_banks_grant(
    world: dict[str, Any],
) -> None:
    """The grant belongs to the first bank; the enterprise authorised the second one."""
    BankAuthorisation.objects.create(
        credit_code=BETA,
        bank=world["other_bank"],
        granted_by=world["beta"],
        expires_at=timezone.now() + timedelta(days=30),
    )
    banker = world["banker"]
    banker.department = world["other_bank"]
    banker.save()
    client = _client(banker)
    page = client.get(reverse("carbon:report", args=[BETA]))
    assert page.status_code == 403
    assert entries("carbon.report", "denied")[-1].details["code"] == "no_grant"
    assert not GrantUsage.objects.exists()
    assert client.get(reverse("carbon:bank")).context["grant"] is None


def test_pdf_refusal_comes_before_the_missing_font_and_is_audited(
    world: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.CARBON_PDF_FONT = tmp_path / "missing.ttc"
    client = _client(world["banker"])
    assert client.get(reverse("carbon:report_pdf", args=[BETA])).status_code == 403
    assert entries("carbon.report", "denied")[-1].details["code"] == "not_authorised"
    # authorised, but no font: a clear 503 and no read metered or recorded as done
    assert client.get(reverse("carbon:report_pdf", args=[ALPHA])).status_code == 503
    assert not GrantUsage.objects.exists()
    assert not entries("carbon.report", "success")


def test_pdf_with_too_many_columns_raises_layout_failed() -> None:
    sheet = pdf.Sheet(
        title="t",
        subtitle="s",
        facts=[("a", "b")],
        header=[f"字段{i}" for i in range(40)],
        rows=[["缺少月份的能源数据" * 3] * 40],
    )
    with pytest.raises(pdf.LayoutFailed):
        pdf.render(sheet)


def test_pdf_that_cannot_be_laid_out_is_a_clear_error_page(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = views._report_view

    def wide(report: Any) -> dict[str, Any]:
        view = shown(report)
        view["header"] = [f"字段{i}" for i in range(40)]
        view["table"] = [["缺少月份的能源数据" * 3] * 40 for _row in view["table"]]
        return view

    monkeypatch.setattr(views, "_report_view", wide)
    response = _client(world["banker"]).get(reverse("carbon:report_pdf", args=[ALPHA]))
    assert response.status_code == 500
    assert "Print the report page instead" in response.content.decode()
    assert response.context["code"] == "pdf_layout"


# --- the enterprise page -------------------------------------------------------------------


def test_enterprise_user_asking_for_another_enterprise_is_refused_and_audited(
    world: dict[str, Any],
) -> None:
    run_with_accounts(factors=factor_set(version="2025.9"))
    client = _client(world["alpha"])
    for url in (
        reverse("carbon:enterprise", args=[BETA]),
        reverse("carbon:enterprise", args=[BETA]) + "?year=2024",
        reverse("carbon:enterprise", args=[ALPHA.lower()]),
    ):
        assert client.get(url).status_code == 403
    denied = entries("carbon.account_read", "denied")
    assert [e.details["credit_code"] for e in denied] == [BETA, BETA, ALPHA.lower()]
    assert client.get(reverse("carbon:mine")).status_code == 200
    read = entries("carbon.account_read", "success")
    assert [(e.details["credit_code"], e.details["own"]) for e in read] == [(ALPHA, True)]


def test_staff_reading_an_enterprise_account_is_audited(db: None) -> None:
    run_with_accounts()
    officer = UserFactory(username="officer", roles=["clerk"])
    assert _client(officer).get(reverse("carbon:enterprise", args=[ALPHA])).status_code == 200
    read = entries("carbon.account_read", "success")
    assert [(e.details["credit_code"], e.details["own"]) for e in read] == [(ALPHA, False)]


def test_banks_and_residents_cannot_open_enterprise_pages(world: dict[str, Any]) -> None:
    run_with_accounts(factors=factor_set(version="2025.9"))
    resident = UserFactory(username="res", roles=["public"], department=None)
    for user in (world["banker"], resident):
        client = _client(user)
        assert client.get(reverse("carbon:enterprise", args=[ALPHA])).status_code == 403
        assert client.get(reverse("carbon:enterprises")).status_code == 403
    assert len(entries("carbon.account_read", "denied")) == 2


# --- emission factors ----------------------------------------------------------------------


def _factor_post(**values: str) -> dict[str, str]:
    data = {
        "set-title": "t",
        "set-source": "s",
        "set-heat_factor": "0.11",
        "set-heat_source": "h",
        "fuels-TOTAL_FORMS": "1",
        "fuels-INITIAL_FORMS": "0",
        "fuels-0-fuel": "raw_coal",
        "fuels-0-ncv": "20.908",
        "fuels-0-ncv_unit": "GJ/t",
        "fuels-0-carbon_content": "26.37",
        "fuels-0-oxidation": "0.94",
        "fuels-0-source": "x",
        "grids-TOTAL_FORMS": "1",
        "grids-INITIAL_FORMS": "0",
        "grids-0-year": "2023",
        "grids-0-region": "330000",
        "grids-0-value": "0.5153",
        "grids-0-source": "x",
        "activities-TOTAL_FORMS": "0",
        "activities-INITIAL_FORMS": "0",
    }
    data.update(values)
    return data


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("set-heat_factor", "99999999"),
        ("fuels-0-carbon_content", "99999999"),
        ("grids-0-value", "99999"),
    ],
)
def test_factor_too_large_for_its_column_is_a_400_beside_the_field_and_nothing_is_saved(
    db: None, name: str, value: str
) -> None:
    draft = factor_set(version="d1", state=FactorSet.State.DRAFT)
    client = _client(_steward())
    page = client.post(reverse("carbon:factor", args=[draft.pk]), _factor_post(**{name: value}))
    assert page.status_code == 400
    assert "Too large" in page.content.decode()
    assert client.get(reverse("carbon:factor", args=[draft.pk])).status_code == 200
    draft.refresh_from_db()
    assert str(draft.heat_factor) == "0.110000"
    assert str(draft.fuels.get().carbon_content) == "26.3700"
    assert str(draft.grids.get().value) == "0.5153"


def test_factor_service_refuses_values_its_columns_cannot_hold(db: None) -> None:
    draft = factor_set(version="d1", state=FactorSet.State.DRAFT)
    header = {"title": "t", "source": "s", "heat_factor": "1E+30", "heat_source": "h"}
    fuel = {
        "fuel": "raw_coal",
        "ncv": "1e9",
        "ncv_unit": "GJ/t",
        "carbon_content": "26",
        "oxidation": "0.9",
        "source": "x",
    }
    activity = {
        "domain": "transport",
        "activity": "diesel",
        "unit": "t",
        "value": "-123456789",
        "source": "x",
    }
    with pytest.raises(FactorError) as refused:
        factor_set_save(
            by=_steward(),
            factor_set=draft,
            header=header,
            fuels=[fuel],
            grids=[],
            activities=[activity],
        )
    assert {(e.section, e.field) for e in refused.value.errors} == {
        ("set", "heat_factor"),
        ("fuels", "ncv"),
        ("activities", "value"),
    }


def test_non_numeric_factor_is_a_400_and_nothing_is_saved(db: None) -> None:
    draft = factor_set(version="d1", state=FactorSet.State.DRAFT)
    client = _client(_steward())
    page = client.post(
        reverse("carbon:factor", args=[draft.pk]), _factor_post(**{"fuels-0-ncv": "abc"})
    )
    assert page.status_code == 400
    assert str(draft.fuels.get().ncv) == "20.9080"


def test_crafted_factor_posts_of_other_departments_change_nothing_and_are_audited(
    db: None,
) -> None:
    draft = factor_set(version="d1", state=FactorSet.State.DRAFT)
    other = UserFactory(username="eib_steward", roles=["data_steward"])  # another department
    client = _client(other)
    post = _factor_post(**{"fuels-0-ncv": "1"})
    assert client.post(reverse("carbon:factor", args=[draft.pk]), post).status_code == 403
    client.post(reverse("carbon:factor_activate", args=[draft.pk]))
    client.post(reverse("carbon:factor_new"), {"version": "x"})
    draft.refresh_from_db()
    assert draft.state == FactorSet.State.DRAFT
    assert str(draft.fuels.get().ncv) == "20.9080"
    assert not FactorSet.objects.filter(version="x").exists()
    assert entries("carbon.factors_save", "denied")
    assert entries("carbon.factors_activate", "denied")


def test_seed_default_needs_the_carbon_departments_steward_and_is_audited(db: None) -> None:
    other = UserFactory(username="eib_steward", roles=["data_steward"])
    with pytest.raises(PermissionDenied):
        factor_set_seed_default(by=other)
    assert not FactorSet.objects.exists()
    assert entries("carbon.factors_activate", "denied")[-1].details["code"] == "other_department"
    steward = _steward()
    seeded = factor_set_seed_default(by=steward)
    assert seeded is not None
    assert seeded.created_by == steward
    done = entries("carbon.factors_activate", "success")
    assert [(e.details["version"], e.details["seeded"]) for e in done] == [("default-2024", True)]
    assert factor_set_seed_default(by=steward) is None
    assert len(entries("carbon.factors_activate", "success")) == 1


# --- loan products -------------------------------------------------------------------------


def test_invalid_loan_product_is_a_400_and_nothing_is_saved(world: dict[str, Any]) -> None:
    client = _client(world["banker"])
    page = client.post(
        reverse("carbon:products"),
        {"name": "贷", "colour": "red", "rate_adjustment_bp": "many"},
    )
    assert page.status_code == 400
    assert not LoanProduct.objects.filter(name="贷").exists()


def test_other_bank_cannot_edit_or_delete_a_product_by_its_id(world: dict[str, Any]) -> None:
    product = LoanProduct.objects.get(bank=world["bank"], colour="red")
    client = _client(world["other_banker"])
    assert client.get(reverse("carbon:product", args=[product.pk])).status_code == 404
    edit = {"name": "x", "colour": "red", "rate_adjustment_bp": "0"}
    assert client.post(reverse("carbon:product", args=[product.pk]), edit).status_code == 404
    assert client.post(reverse("carbon:product_delete", args=[product.pk])).status_code == 403
    product.refresh_from_db()
    assert (product.name, product.rate_adjustment_bp) == ("碳账户贷", 50)
    assert entries("carbon.loan_product_save", "denied")[-1].details["code"] == "other_bank"


def test_other_enterprise_cannot_revoke_an_authorisation_by_its_id(
    world: dict[str, Any],
) -> None:
    authorisation = world["authorisation"]
    response = _client(world["beta"]).post(
        reverse("carbon:authorisation_revoke", args=[authorisation.pk])
    )
    assert response.status_code == 403
    authorisation.refresh_from_db()
    assert authorisation.revoked_at is None


# --- CSRF ----------------------------------------------------------------------------------


def test_state_changes_without_the_csrf_token_are_refused(world: dict[str, Any]) -> None:
    draft = factor_set(version="d1", state=FactorSet.State.DRAFT)
    steward = _client(world["steward"], csrf=True)
    product = LoanProduct.objects.get(bank=world["bank"], colour="red")
    posts = [
        (_client(world["beta"], csrf=True), reverse("carbon:authorise"), {"bank": "1"}),
        (
            _client(world["alpha"], csrf=True),
            reverse("carbon:authorisation_revoke", args=[world["authorisation"].pk]),
            {},
        ),
        (steward, reverse("carbon:factor_new"), {"version": "csrf"}),
        (steward, reverse("carbon:factor", args=[draft.pk]), _factor_post()),
        (steward, reverse("carbon:factor_activate", args=[draft.pk]), {}),
        (
            _client(world["banker"], csrf=True),
            reverse("carbon:products"),
            {"name": "n", "colour": "red", "rate_adjustment_bp": "1"},
        ),
        (
            _client(world["banker"], csrf=True),
            reverse("carbon:product_delete", args=[product.pk]),
            {},
        ),
    ]
    for client, url, data in posts:
        assert client.post(url, data).status_code == 403, url
    world["authorisation"].refresh_from_db()
    assert world["authorisation"].revoked_at is None
    assert LoanProduct.objects.filter(pk=product.pk).exists()
    draft.refresh_from_db()
    assert draft.state == FactorSet.State.DRAFT
    assert not FactorSet.objects.filter(version="csrf").exists()


def test_api_session_post_needs_the_csrf_token(world: dict[str, Any]) -> None:
    body = {"year": 2023, "activities": [{"source": "raw_coal", "quantity": 1, "unit": "t"}]}
    client = _client(world["alpha"], csrf=True)
    response = client.post("/api/v1/carbon/calculate", body, content_type="application/json")
    assert response.status_code in (401, 403)


# --- the API -------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", ["1e308", "1.7e308", "1e16"])
def test_api_quantity_too_large_is_a_422_not_infinity(db: None, quantity: str) -> None:
    client = _client(UserFactory(username="clerk", roles=["clerk"]))
    body = (
        '{"year": 2023, "region": "330800", "activities": '
        f'[{{"source": "raw_coal", "quantity": {quantity}, "unit": "t"}}]}}'
    )
    response = client.post("/api/v1/carbon/calculate", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize("quantity", ["NaN", "Infinity", "-Infinity"])
def test_api_nan_and_infinity_are_a_422(db: None, quantity: str) -> None:
    client = _client(UserFactory(username="clerk", roles=["clerk"]))
    body = (
        '{"year": 2023, "region": "330800", "activities": '
        f'[{{"source": "raw_coal", "quantity": {quantity}, "unit": "t"}}]}}'
    )
    response = client.post("/api/v1/carbon/calculate", body, content_type="application/json")
    assert response.status_code == 422
    json.loads(response.content)  # the answer itself is valid JSON


def test_api_largest_accepted_quantities_sum_to_a_finite_total(db: None) -> None:
    client = _client(UserFactory(username="clerk", roles=["clerk"]))
    activities = [{"source": "natural_gas", "quantity": 1e15, "unit": "10^4Nm3"}] * 1000
    response = client.post(
        "/api/v1/carbon/calculate",
        {"year": 2023, "activities": activities},
        content_type="application/json",
    )
    assert response.status_code == 200
    json.loads(response.content, parse_constant=lambda c: pytest.fail(f"{c} in the answer"))
