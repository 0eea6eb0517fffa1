"""Green finance (碳账户金融): enterprises authorise banks, banks keep loan products and read the
carbon credit report through their sharing grant to ``carbon_account_annual``.

The builders here (plain functions) are shared with the other carbon page tests.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shuzhi.domains.carbon.models import (
    AccountingRun,
    BankAuthorisation,
    Colour,
    EnterpriseAccount,
    FactorSet,
    FuelFactor,
    GridFactor,
    LoanProduct,
)
from shuzhi.domains.carbon.services.finance import (
    CarbonRefused,
    bank_authorisation_revoke,
    bank_authorise,
    credit_report_read,
    loan_product_delete,
    loan_product_save,
)
from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.catalog.services import FieldInput, dataset_create, dataset_publish
from shuzhi.platform.security.identifiers import credit_code_check_char
from shuzhi.platform.sharing.models import Grant, GrantUsage
from shuzhi.platform.sharing.services import (
    grant_revoke,
    share_request_approve,
    share_request_create,
)
from shuzhi.platform.warehouse.services import ingest
from tests.factories import CountyFactory, DepartmentFactory, DivisionFactory, UserFactory

YEARS = (2024, 2025)


def code_of(n: int) -> str:
    body = f"91330802{n:08d}X"[:17]
    return body + credit_code_check_char(body)


ALPHA, BETA, GAMMA = code_of(1), code_of(2), code_of(3)  # GAMMA has no account
NAMES = {ALPHA: "衢州甲化工有限公司", BETA: "衢州乙造纸有限公司"}


# --- builders ------------------------------------------------------------------------------


def drc() -> Department:
    return DepartmentFactory(code="330800-DRC", name="市发改委", division=DivisionFactory())


def bank_department(code: str = "330800-BANK", name: str = "衢州绿色银行") -> Department:
    return DepartmentFactory(code=code, name=name, division=DivisionFactory())


def factor_set(*, version: str = "2025.1", state: str = FactorSet.State.ACTIVE) -> FactorSet:
    factors = FactorSet.objects.create(
        version=version,
        title="浙江省温室气体清单因子",
        source="GB/T 32150-2015; 省级清单",
        heat_source="GB/T 32150-2015",
        state=state,
        activated_at=timezone.now() if state == FactorSet.State.ACTIVE else None,
    )
    FuelFactor.objects.create(
        factor_set=factors,
        fuel="raw_coal",
        ncv="20.908",
        ncv_unit="GJ/t",
        carbon_content="26.37",
        oxidation="0.94",
        source="省级温室气体清单",
    )
    GridFactor.objects.create(
        factor_set=factors, year=2023, region="330000", value="0.5153", source="生态环境部公告"
    )
    return factors


def explanation(intensity: float) -> dict[str, Any]:
    return {
        "rule": {
            "weights": {"advancement": 1, "contribution": 1, "decline": 1},
            "cuts": [0.25, 0.5, 0.75],
        },
        "advancement": {
            "intensity": intensity,
            "industry_intensity": 1.2,
            "ratio": intensity / 1.2,
            "score": 0.8,
        },
        "contribution": {
            "tco2": 1200.0,
            "county_tco2": 48000.0,
            "emissions_share": 0.025,
            "score": 0.6,
        },
        "decline": {"available": True, "baseline_intensity": 1.1, "decline": 0.09, "score": 0.7},
        "position": 0.81,
        "efficiency_code": {
            "L": intensity,
            "industry_average_L": 1.2,
            "K": intensity / 1.2,
            "level": 2,
        },
    }


def run_with_accounts(
    *, factors: FactorSet | None = None, sectors: bool = True
) -> list[AccountingRun]:
    """A current run for 2024 and 2025; ALPHA graded both years, BETA without output in 2025."""
    from shuzhi.domains.carbon.models import SectorAccount

    factors = factors or factor_set()
    CountyFactory()
    runs = []
    for year in YEARS:
        run = AccountingRun.objects.create(
            year=year,
            factor_set=factors,
            state=AccountingRun.State.COMPLETE,
            is_current=True,
            finished_at=timezone.now(),
            report={"enterprises": 2, "graded": 1, "problems": {"zero_output": 1}},
        )
        runs.append(run)
        monthly = {f"{year}-{m:02d}": 100.0 + m for m in range(1, 13)}
        EnterpriseAccount.objects.create(
            run=run,
            year=year,
            credit_code=ALPHA,
            name=NAMES[ALPHA],
            county_code="330802",
            industry_code="C2614",
            months_reported=12,
            by_source={"raw_coal": 900.0, "electricity": 378.0, "monthly": monthly},
            total_tco2=sum(monthly.values()),
            gross_output=3000.0,
            value_added=1200.0,
            intensity=1.0 if year == 2025 else 1.1,
            advancement=0.83,
            contribution=0.6,
            decline=0.09,
            score=0.71,
            colour=Colour.LIGHT_GREEN,
            efficiency_level=2,
            explanation=explanation(1.0),
        )
        EnterpriseAccount.objects.create(
            run=run,
            year=year,
            credit_code=BETA,
            name=NAMES[BETA],
            county_code="330802",
            industry_code="" if year == 2025 else "C2221",
            months_reported=9,
            by_source={"raw_coal": 500.0},
            total_tco2=500.0,
            gross_output=0.0,
            value_added=0.0,
            intensity=None,
            colour="",
            problems=[
                {"code": "missing_months", "detail": "energy reported for 9 of 12 months"},
                {"code": "negative_readings", "detail": "2 negative readings were not used"},
                {"code": "no_industry", "detail": "no industry code: no benchmark"},
                {"code": "zero_output", "detail": "value added 0 (10^4 yuan): intensity undefined"},
            ],
        )
        if sectors:
            SectorAccount.objects.create(
                run=run,
                domain="transport",
                county_code="330802",
                year=year,
                activity="diesel_vehicles",
                quantity=100,
                unit="t",
                factor=3.0959,
                tco2=309.59,
            )
            SectorAccount.objects.create(
                run=run,
                domain="agriculture",
                county_code="330802",
                year=year,
                activity="forest",
                quantity=10,
                unit="ha",
                factor=-5,
                tco2=-50,
            )
    return runs


ANNUAL_FIELDS = [
    (
        "credit_code",
        "统一社会信用代码",
        "string",
        {"semantic_type": "credit_code", "nullable": False, "is_key": True},
    ),
    ("enterprise_name", "企业名称", "string", {}),
    ("year", "年度", "integer", {"nullable": False, "is_key": True}),
    ("total_tco2", "年度碳排放量", "decimal", {"grade": 2}),
    ("intensity", "碳排放强度", "decimal", {"grade": 2}),
    ("score", "综合得分", "decimal", {}),
    ("colour", "四色评价", "string", {}),
    ("efficiency_level", "碳效等级", "integer", {}),
]
ANNUAL_ROWS = [
    (ALPHA, NAMES[ALPHA], 2024, "1350.5", "1.1", "0.62", "yellow", 3),
    (ALPHA, NAMES[ALPHA], 2025, "1278", "1.0", "0.71", "light_green", 2),
    (BETA, NAMES[BETA], 2025, "500", "", "", "", ""),
]


def annual_dataset(*, steward: User, owner: Department, tmp_path: Path) -> Dataset:
    """``carbon_account_annual`` published by the carbon department, with one version."""
    dataset = dataset_create(
        by=steward,
        code="carbon_account_annual",
        owner=owner,
        name="企业年度碳账户",
        name_en="Annual enterprise carbon account",
        division=owner.division,
        frequency="yearly",
        share_attribute="conditional",
        share_condition="金融机构须经企业授权",
        open_attribute="closed",
        grade=2,
        fields=[
            FieldInput(name, label, kind, {"grade": 1, **values})
            for name, label, kind, values in ANNUAL_FIELDS
        ],
    )
    dataset = dataset_publish(dataset=dataset, by=steward)
    path = tmp_path / "carbon_account_annual.csv"
    path.write_text(
        ",".join(f[0] for f in ANNUAL_FIELDS)
        + "\n"
        + "".join(",".join(str(v) for v in row) + "\n" for row in ANNUAL_ROWS),
        encoding="utf-8",
    )
    report = ingest(dataset=dataset, path=path, by=steward)
    assert report.rows_loaded == len(ANNUAL_ROWS)
    return dataset


def bank_grant(*, banker: User, approver: User, dataset: Dataset) -> Grant:
    outcome = share_request_create(
        by=banker,
        dataset=dataset,
        fields=[f[0] for f in ANNUAL_FIELDS],
        purpose="绿色信贷审查",
        legal_basis="衢州市碳账户金融实施办法",
        period_end=timezone.localdate() + timedelta(days=180),
    )
    return share_request_approve(share_request=outcome.share_request, by=approver)


def green_finance(tmp_path: Path) -> dict[str, Any]:
    """The carbon department (steward, approver), a bank with staff and a grant, a second bank,
    the enterprises' users, the annual dataset; ALPHA has authorised the bank, BETA has not."""
    owner = drc()
    steward = UserFactory(username="drc_steward", roles=["data_steward"], department=owner)
    approver = UserFactory(username="drc_approver", roles=["approver"], department=owner)
    bank = bank_department()
    other_bank = bank_department("330800-BANK2", "衢江农商银行")
    banker = UserFactory(username="banker", roles=["bank"], department=bank)
    other_banker = UserFactory(username="banker2", roles=["bank"], department=other_bank)
    alpha = UserFactory(username="alpha", roles=["enterprise"], department=None, credit_code=ALPHA)
    beta = UserFactory(username="beta", roles=["enterprise"], department=None, credit_code=BETA)
    dataset = annual_dataset(steward=steward, owner=owner, tmp_path=tmp_path)
    grant = bank_grant(banker=banker, approver=approver, dataset=dataset)
    authorisation = BankAuthorisation.objects.create(
        credit_code=ALPHA,
        bank=bank,
        granted_by=alpha,
        expires_at=timezone.now() + timedelta(days=90),
    )
    LoanProduct.objects.create(
        bank=bank, name="碳账户贷", colour=Colour.LIGHT_GREEN, rate_adjustment_bp=-20
    )
    LoanProduct.objects.create(bank=bank, name="碳账户贷", colour=Colour.RED, rate_adjustment_bp=50)
    return {
        "owner": owner,
        "steward": steward,
        "approver": approver,
        "bank": bank,
        "other_bank": other_bank,
        "banker": banker,
        "other_banker": other_banker,
        "alpha": alpha,
        "beta": beta,
        "dataset": dataset,
        "grant": grant,
        "authorisation": authorisation,
    }


def entries(action: str, outcome: str | None = None) -> list[AuditEntry]:
    found = AuditEntry.objects.filter(action=action)
    if outcome:
        found = found.filter(outcome=outcome)
    return list(found.order_by("seq"))


@pytest.fixture
def world(db: None, tmp_path: Path) -> dict[str, Any]:
    return green_finance(tmp_path)


@pytest.fixture(autouse=True)
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


# --- the bank's read -----------------------------------------------------------------------


def test_report_reads_the_grade_through_the_grant_metered_and_audited(
    world: dict[str, Any],
) -> None:
    report = credit_report_read(by=world["banker"], credit_code=ALPHA)
    assert [r["year"] for r in report.rows] == [2024, 2025]
    assert report.latest is not None
    assert report.latest["colour"] == "light_green"
    assert {r["credit_code"] for r in report.rows} == {ALPHA}  # BETA's row is not read
    assert [(p.name, p.rate_adjustment_bp) for p in report.products] == [("碳账户贷", -20)]
    usage = GrantUsage.objects.get(grant=world["grant"])
    assert (usage.calls, usage.rows) == (1, 2)
    assert entries("sharing.read", "success")[-1].details["rows"] == 2
    done = entries("carbon.report", "success")
    assert len(done) == 1
    assert done[0].details["credit_code"] == ALPHA


def test_report_of_a_non_authorising_enterprise_is_refused_403_and_audited(
    world: dict[str, Any],
) -> None:
    with pytest.raises(CarbonRefused) as refused:
        credit_report_read(by=world["banker"], credit_code=BETA)
    assert refused.value.status == 403
    assert refused.value.code == "not_authorised"
    assert entries("carbon.report", "denied")[-1].details["code"] == "not_authorised"
    assert not GrantUsage.objects.filter(grant=world["grant"]).exists()  # nothing was read


def test_revoked_authorisation_is_refused(world: dict[str, Any]) -> None:
    bank_authorisation_revoke(by=world["alpha"], authorisation=world["authorisation"])
    with pytest.raises(CarbonRefused) as refused:
        credit_report_read(by=world["banker"], credit_code=ALPHA)
    assert refused.value.code == "not_authorised"


def test_expired_authorisation_is_refused(world: dict[str, Any]) -> None:
    BankAuthorisation.objects.filter(pk=world["authorisation"].pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(CarbonRefused) as refused:
        credit_report_read(by=world["banker"], credit_code=ALPHA)
    assert refused.value.status == 403
    assert refused.value.code == "not_authorised"


def test_authorisation_of_another_bank_does_not_open_the_report(world: dict[str, Any]) -> None:
    with pytest.raises(CarbonRefused) as refused:
        credit_report_read(by=world["other_banker"], credit_code=ALPHA)
    assert refused.value.code == "not_authorised"


def test_bank_without_a_grant_is_refused_and_audited(world: dict[str, Any]) -> None:
    BankAuthorisation.objects.create(
        credit_code=ALPHA,
        bank=world["other_bank"],
        granted_by=world["alpha"],
        expires_at=timezone.now() + timedelta(days=30),
    )
    with pytest.raises(CarbonRefused) as refused:
        credit_report_read(by=world["other_banker"], credit_code=ALPHA)
    assert refused.value.status == 403
    assert refused.value.code == "no_grant"
    assert entries("carbon.report", "denied")[-1].details["code"] == "no_grant"


def test_revoked_grant_is_refused_by_sharing_and_audited_by_both(world: dict[str, Any]) -> None:
    grant_revoke(grant=world["grant"], by=world["approver"], reason="贷款已结清")
    with pytest.raises(CarbonRefused) as refused:
        credit_report_read(by=world["banker"], credit_code=ALPHA)
    assert refused.value.status == 403
    assert refused.value.code == "grant_revoked"
    assert entries("sharing.read", "denied")[-1].details["code"] == "grant_revoked"
    assert entries("carbon.report", "denied")[-1].details["code"] == "grant_revoked"


def test_non_bank_roles_cannot_read_reports(world: dict[str, Any]) -> None:
    for user in (world["alpha"], world["steward"]):
        with pytest.raises(PermissionDenied):
            credit_report_read(by=user, credit_code=ALPHA)
    assert entries("carbon.report", "denied")[-1].details["code"] == "forbidden"


def test_malformed_credit_code_is_refused_400(world: dict[str, Any]) -> None:
    with pytest.raises(CarbonRefused) as refused:
        credit_report_read(by=world["banker"], credit_code="91330802ABC")
    assert refused.value.status == 400


# --- the enterprise's consent --------------------------------------------------------------


def test_enterprise_authorises_a_bank_and_renewing_keeps_one_record(world: dict[str, Any]) -> None:
    first = bank_authorise(by=world["beta"], bank=world["bank"], days=30)
    assert first.credit_code == BETA
    assert first.granted_by == world["beta"]
    again = bank_authorise(by=world["beta"], bank=world["bank"], days=200)
    assert again.pk == first.pk
    assert again.expires_at > first.expires_at
    assert [e.details["renewed"] for e in entries("carbon.authorise", "success")] == [False, True]
    assert credit_report_read(by=world["banker"], credit_code=BETA).rows


def test_authorise_refuses_a_department_that_is_not_a_bank(world: dict[str, Any]) -> None:
    with pytest.raises(CarbonRefused) as refused:
        bank_authorise(by=world["beta"], bank=world["owner"], days=30)
    assert refused.value.code == "not_a_bank"
    with pytest.raises(CarbonRefused):
        bank_authorise(by=world["beta"], bank=world["bank"], days=400)


def test_only_enterprise_users_with_a_credit_code_authorise(world: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        bank_authorise(by=world["banker"], bank=world["bank"], days=30)
    nobody = UserFactory(username="ent_without_code", roles=["enterprise"], department=None)
    with pytest.raises(PermissionDenied):
        bank_authorise(by=nobody, bank=world["bank"], days=30)
    assert {e.details["code"] for e in entries("carbon.authorise", "denied")} == {
        "forbidden",
        "no_enterprise",
    }


def test_other_enterprise_cannot_revoke_and_revoking_twice_is_refused(
    world: dict[str, Any],
) -> None:
    with pytest.raises(PermissionDenied):
        bank_authorisation_revoke(by=world["beta"], authorisation=world["authorisation"])
    assert entries("carbon.authorise_revoke", "denied")[-1].details["code"] == "other_enterprise"
    bank_authorisation_revoke(by=world["alpha"], authorisation=world["authorisation"])
    assert entries("carbon.authorise_revoke", "success")
    with pytest.raises(CarbonRefused):
        bank_authorisation_revoke(by=world["alpha"], authorisation=world["authorisation"])


# --- loan products -------------------------------------------------------------------------


def test_bank_saves_and_removes_its_loan_products(world: dict[str, Any]) -> None:
    product = loan_product_save(
        by=world["banker"],
        values={"name": "绿色技改贷", "colour": "dark_green", "rate_adjustment_bp": -35},
    )
    assert product.bank == world["bank"]
    changed = loan_product_save(
        by=world["banker"],
        product=product,
        values={"name": "绿色技改贷", "colour": "dark_green", "rate_adjustment_bp": -40},
    )
    assert changed.rate_adjustment_bp == -40
    assert entries("carbon.loan_product_save", "success")[-1].details["before"]["rate"] == -35
    loan_product_delete(by=world["banker"], product=changed)
    assert not LoanProduct.objects.filter(pk=product.pk).exists()
    assert entries("carbon.loan_product_save", "success")[-1].details["deleted"] is True


def test_loan_product_values_are_checked(world: dict[str, Any]) -> None:
    for values, code in (
        ({"name": "", "colour": "red", "rate_adjustment_bp": 10}, "bad_name"),
        ({"name": "贷", "colour": "blue", "rate_adjustment_bp": 10}, "bad_colour"),
        ({"name": "贷", "colour": "red", "rate_adjustment_bp": 900}, "bad_rate"),
        ({"name": "碳账户贷", "colour": "red", "rate_adjustment_bp": 10}, "duplicate"),
    ):
        with pytest.raises(CarbonRefused) as refused:
            loan_product_save(by=world["banker"], values=values)
        assert refused.value.code == code


def test_other_bank_and_other_roles_cannot_change_a_product(world: dict[str, Any]) -> None:
    product = LoanProduct.objects.get(bank=world["bank"], colour="red")
    with pytest.raises(PermissionDenied):
        loan_product_save(
            by=world["other_banker"],
            product=product,
            values={"name": "x", "colour": "red", "rate_adjustment_bp": 0},
        )
    with pytest.raises(PermissionDenied):
        loan_product_delete(by=world["other_banker"], product=product)
    with pytest.raises(PermissionDenied):
        loan_product_save(
            by=world["alpha"], values={"name": "x", "colour": "red", "rate_adjustment_bp": 0}
        )
    assert LoanProduct.objects.get(pk=product.pk).rate_adjustment_bp == 50
    assert {e.details["code"] for e in entries("carbon.loan_product_save", "denied")} == {
        "other_bank",
        "forbidden",
    }
