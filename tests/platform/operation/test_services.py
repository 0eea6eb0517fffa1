"""Vetting, authorisations, analyses through the sandbox, review, audit and usage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.operation.models import Analysis, Authorisation, Operator, Usage
from shuzhi.platform.operation.selectors import (
    analysis_for_operator,
    authorised_datasets,
    chart_data,
    visible_fields,
)
from shuzhi.platform.operation.services import (
    OperationError,
    analysis_review,
    analysis_submit,
    authorisation_grant,
    authorisation_revoke,
    operator_apply,
    operator_register,
    operator_set_status,
)
from tests.factories import UserFactory

from .conftest import credit_code, make_operator

pytestmark = pytest.mark.django_db

BY_COUNTY = "SELECT county, COUNT(*) AS n, SUM(kwh) AS total FROM enterprise_power GROUP BY county ORDER BY county"


def _submit(user: User, text: str = BY_COUNTY, language: str = "sql") -> Analysis:
    return analysis_submit(by=user, title="用电分析", language=language, text=text)


def test_an_enterprise_applies_and_the_bureau_vets(reviewer: User) -> None:
    clerk = UserFactory(username="ent_clerk", roles=["enterprise"])
    operator = operator_apply(by=clerk, name="衢州数据科技有限公司", credit_code=credit_code(77))
    assert operator.status == Operator.Status.APPLIED
    with pytest.raises(OperationError):
        operator_apply(by=clerk, name="again", credit_code=credit_code(78))
    vetted = operator_set_status(by=reviewer, operator=operator, status="vetted")
    assert (vetted.status, vetted.vetted_by) == ("vetted", reviewer)
    assert vetted.vetted_at is not None
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "operation.operator_apply" in actions
    assert "operation.operator_vet" in actions


def test_bad_credit_codes_and_non_enterprise_accounts_are_refused(reviewer: User) -> None:
    clerk = UserFactory(username="ent_clerk", roles=["enterprise"])
    with pytest.raises(OperationError):
        operator_apply(by=clerk, name="x", credit_code="91330802000000001X")
    staff = UserFactory(username="staff", roles=["clerk"])
    with pytest.raises(OperationError):
        operator_register(by=reviewer, name="x", credit_code=credit_code(5), users=[staff])
    with pytest.raises(PermissionDenied):
        operator_apply(by=staff, name="x", credit_code=credit_code(5))


def test_only_bureau_staff_vet_and_authorise(
    operator: Operator, power: Dataset, steward: User, eib: object
) -> None:
    outsider = UserFactory(username="eib_approver", roles=["approver"], department=eib)
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        operator_set_status(by=outsider, operator=operator, status="suspended", comment="x")
    with pytest.raises(PermissionDenied):
        authorisation_grant(
            by=outsider, operator=operator, dataset=power, starts_on=today, ends_on=today
        )
    with pytest.raises(PermissionDenied):  # a steward of the bureau? no: of another department
        authorisation_grant(
            by=steward, operator=operator, dataset=power, starts_on=today, ends_on=today
        )


def test_a_bureau_data_steward_may_review(
    bureau: object, operator: Operator, power: Dataset
) -> None:
    steward = UserFactory(username="bdb_steward", roles=["data_steward"], department=bureau)
    today = timezone.localdate()
    grant = authorisation_grant(
        by=steward, operator=operator, dataset=power, starts_on=today, ends_on=today
    )
    assert grant.pk


def test_grants_need_a_vetted_operator_and_a_sane_period(reviewer: User, power: Dataset) -> None:
    applied = make_operator(reviewer, "ent_b", 2, vet=False)
    today = timezone.localdate()
    with pytest.raises(OperationError):
        authorisation_grant(
            by=reviewer, operator=applied, dataset=power, starts_on=today, ends_on=today
        )
    vetted = operator_set_status(by=reviewer, operator=applied, status="vetted")
    with pytest.raises(OperationError):
        authorisation_grant(
            by=reviewer,
            operator=vetted,
            dataset=power,
            starts_on=today,
            ends_on=today - timedelta(days=1),
        )


def test_operators_see_only_l1_l2_fields(power: Dataset) -> None:
    assert [f.name for f in visible_fields(power)] == ["credit_code", "county", "kwh"]


def test_an_analysis_runs_waits_for_review_and_is_released(
    analyst: User, reviewer: User, grant: Authorisation, operator: Operator
) -> None:
    analysis = _submit(analyst)
    assert analysis.status == Analysis.Status.AWAITING_REVIEW, analysis.reason
    assert analysis.columns == ["county", "n", "total"]
    assert analysis.rows == [["330802", 12, 780.0], ["330803", 11, 1980.0]]
    assert analysis.suppressed_groups == 1  # Jiangshan's two rows
    assert analysis.rows_scanned == 25
    assert analysis.datasets == ["enterprise_power"]
    released = analysis_review(by=reviewer, analysis=analysis, decision="release")
    assert released.status == Analysis.Status.RELEASED
    assert chart_data(released) == {
        "labels": ["330802", "330803"],
        "series": [{"name": "n", "data": [12, 11]}, {"name": "total", "data": [780.0, 1980.0]}],
    }
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["operation.submit", "operation.run", "operation.release"]
    usage = Usage.objects.get(operator=operator)
    assert (usage.submissions, usage.runs, usage.rows_scanned, usage.result_rows) == (1, 1, 25, 2)
    with pytest.raises(OperationError):  # reviewed once only
        analysis_review(by=reviewer, analysis=released, decision="reject", comment="late")


def test_an_ibis_analysis_runs_through_the_same_checks(analyst: User, grant: Authorisation) -> None:
    analysis = _submit(
        analyst,
        "enterprise_power.group_by('county').aggregate(n=_.count(), avg=_.kwh.mean())",
        language="ibis",
    )
    assert analysis.status == Analysis.Status.AWAITING_REVIEW, analysis.reason
    assert analysis.compiled_sql.startswith("SELECT")
    assert sorted(r[0] for r in analysis.rows) == ["330802", "330803"]
    refused = _submit(analyst, "__import__('os').system('id')", language="ibis")
    assert refused.status == Analysis.Status.REFUSED
    assert "__import__" in refused.reason


@pytest.mark.parametrize(
    "text",
    [
        "DROP TABLE enterprise_power",
        "SELECT * FROM enterprise_power",
        "SELECT credit_code, kwh FROM enterprise_power",
        "SELECT COUNT(*) FROM read_csv('/etc/passwd')",
        "SELECT COUNT(*) FROM secret_power",
        "SELECT COUNT(*) FROM enterprise_power WHERE kwh IN (SELECT kwh FROM secret_power)",
        "SELECT COUNT(*) FROM enterprise_power__v1",
    ],
)
def test_refused_analyses_are_recorded_with_their_reason(
    analyst: User, grant: Authorisation, secret_power: Dataset, text: str
) -> None:
    analysis = _submit(analyst, text)
    assert analysis.status == Analysis.Status.REFUSED
    assert analysis.reason
    assert analysis.rows == []
    entry = AuditEntry.objects.filter(action="operation.run").latest("seq")
    assert entry.outcome == "denied"


def test_an_encrypted_field_is_not_there_to_query(analyst: User, grant: Authorisation) -> None:
    analysis = _submit(analyst, "SELECT contact, COUNT(*) FROM enterprise_power GROUP BY contact")
    assert analysis.status == Analysis.Status.FAILED
    assert "contact" in analysis.reason


def test_grouping_by_a_row_level_key_reveals_nothing(analyst: User, grant: Authorisation) -> None:
    analysis = _submit(
        analyst, "SELECT credit_code, SUM(kwh) FROM enterprise_power GROUP BY credit_code"
    )
    assert (analysis.rows, analysis.suppressed_groups) == ([], 25)


def test_k_comes_from_settings(analyst: User, grant: Authorisation, settings: object) -> None:
    settings.OPERATION_MIN_GROUP = 2  # type: ignore[attr-defined]
    analysis = _submit(analyst)
    assert (len(analysis.rows), analysis.suppressed_groups, analysis.min_group) == (3, 0, 2)


def test_an_unvetted_or_suspended_operator_cannot_submit(
    reviewer: User, operator: Operator, analyst: User, grant: Authorisation
) -> None:
    operator_set_status(by=reviewer, operator=operator, status="suspended", comment="违规")
    with pytest.raises(PermissionDenied):
        _submit(analyst)
    applied = make_operator(reviewer, "ent_b", 2, vet=False)
    with pytest.raises(PermissionDenied):
        _submit(applied.users.get())
    with pytest.raises(PermissionDenied):  # a staff account is no operator
        _submit(reviewer)
    assert not Analysis.objects.exists()


def test_suspending_needs_a_reason(reviewer: User, operator: Operator) -> None:
    with pytest.raises(OperationError):
        operator_set_status(by=reviewer, operator=operator, status="suspended")


def test_an_expired_or_revoked_authorisation_gives_no_access(
    reviewer: User, operator: Operator, analyst: User, power: Dataset
) -> None:
    today = timezone.localdate()
    authorisation_grant(
        by=reviewer,
        operator=operator,
        dataset=power,
        starts_on=today - timedelta(days=60),
        ends_on=today - timedelta(days=1),
    )
    assert authorised_datasets(operator) == []
    assert _submit(analyst).status == Analysis.Status.REFUSED
    current = authorisation_grant(
        by=reviewer, operator=operator, dataset=power, starts_on=today, ends_on=today
    )
    assert _submit(analyst).status == Analysis.Status.AWAITING_REVIEW
    authorisation_revoke(by=reviewer, authorisation=current)
    refused = _submit(analyst)
    assert refused.status == Analysis.Status.REFUSED
    assert "not among your authorised datasets" in refused.reason
    with pytest.raises(OperationError):
        authorisation_revoke(by=reviewer, authorisation=current)


def test_a_non_bureau_approver_cannot_review(
    analyst: User, grant: Authorisation, eib: object
) -> None:
    analysis = _submit(analyst)
    outsider = UserFactory(username="eib_approver", roles=["approver"], department=eib)
    with pytest.raises(PermissionDenied):
        analysis_review(by=outsider, analysis=analysis, decision="release")
    with pytest.raises(PermissionDenied):
        analysis_review(by=analyst, analysis=analysis, decision="release")
    analysis.refresh_from_db()
    assert analysis.status == Analysis.Status.AWAITING_REVIEW


def test_a_rejection_needs_a_comment(analyst: User, reviewer: User, grant: Authorisation) -> None:
    analysis = _submit(analyst)
    with pytest.raises(OperationError):
        analysis_review(by=reviewer, analysis=analysis, decision="reject")
    rejected = analysis_review(
        by=reviewer, analysis=analysis, decision="reject", comment="结果可推断个体"
    )
    assert (rejected.status, rejected.review_comment) == ("rejected", "结果可推断个体")
    assert AuditEntry.objects.filter(action="operation.reject").exists()


def test_another_operators_analysis_is_not_found(
    analyst: User, reviewer: User, grant: Authorisation, operator: Operator
) -> None:
    analysis = _submit(analyst)
    other = make_operator(reviewer, "ent_b", 2)
    with pytest.raises(Analysis.DoesNotExist):
        analysis_for_operator(other, analysis.pk)
    with pytest.raises(Analysis.DoesNotExist):
        analysis_for_operator(None, analysis.pk)
    assert analysis_for_operator(operator, analysis.pk) == analysis


def test_a_suspended_operators_result_is_not_released(
    analyst: User, reviewer: User, operator: Operator, grant: Authorisation
) -> None:
    analysis = _submit(analyst)
    operator_set_status(by=reviewer, operator=operator, status="suspended", comment="违规")
    with pytest.raises(OperationError):
        analysis_review(by=reviewer, analysis=analysis, decision="release")
    rejected = analysis_review(by=reviewer, analysis=analysis, decision="reject", comment="暂停")
    assert rejected.status == Analysis.Status.REJECTED


def test_an_unexpected_error_marks_the_analysis_failed(
    analyst: User, grant: Authorisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shuzhi.platform.operation import sandbox

    def broken(**kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(sandbox, "run", broken)
    analysis = _submit(analyst)
    assert (analysis.status, analysis.reason) == ("failed", "the sandbox failed unexpectedly")
