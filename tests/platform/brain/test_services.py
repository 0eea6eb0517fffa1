"""Brain services: indicators computed from the warehouse, rules, warnings and loop tasks."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.brain.models import Indicator, IndicatorValue, Warning, WarningRule
from shuzhi.platform.brain.selectors import indicator_series, key_indicators, open_warnings
from shuzhi.platform.brain.services import (
    BrainError,
    indicator_compute,
    indicator_save,
    rule_preview,
    rule_save,
)
from shuzhi.platform.brain.tasks import compute_due
from shuzhi.platform.catalog.models import Dataset

from .conftest import INDICATOR, FakeLoop

pytestmark = pytest.mark.django_db

YOY_DROP = {
    "name": "Electricity fell year on year",
    "kind": "yoy",
    "direction": "below",
    "threshold": -20,
}


@pytest.fixture
def indicator(power: Dataset, steward: User) -> Indicator:
    return indicator_save(by=steward, dataset=power, values={**INDICATOR, "key": True})


def test_compute_makes_series_by_county_and_total(indicator: Indicator, steward: User) -> None:
    result = indicator_compute(by=steward, indicator=indicator)
    assert result.points == 18 * 3
    total = indicator_series(indicator)
    assert total[0] == (date(2025, 1, 1), 300.0)
    assert total[-1] == (date(2026, 6, 1), 250.0)
    assert indicator_series(indicator, "330802")[-1] == (date(2026, 6, 1), 50.0)
    assert AuditEntry.objects.filter(action="brain.indicator_compute").exists()
    assert [i.code for i in key_indicators()] == ["power_by_county"]


def test_quarter_grain_and_whole_select(power: Dataset, steward: User) -> None:
    quarterly = indicator_save(
        by=steward,
        dataset=power,
        values={**INDICATOR, "code": "q", "grain": "quarter", "dimension": ""},
    )
    indicator_compute(by=steward, indicator=quarterly)
    assert indicator_series(quarterly)[0] == (date(2025, 1, 1), 900.0)
    whole = indicator_save(
        by=steward,
        dataset=power,
        values={
            **INDICATOR,
            "code": "n",
            "expression": "SELECT month AS period, COUNT(*) AS value FROM enterprise_power GROUP BY 1",
        },
    )
    indicator_compute(by=steward, indicator=whole)
    assert indicator_series(whole)[0] == (date(2025, 1, 1), 2.0)


def test_ibis_measure_is_compiled_and_checked(power: Dataset, steward: User) -> None:
    indicator = indicator_save(
        by=steward,
        dataset=power,
        values={**INDICATOR, "code": "avg", "expression": "ibis: t.kwh.sum() / t.count()"},
    )
    indicator_compute(by=steward, indicator=indicator)
    assert indicator_series(indicator)[0] == (date(2025, 1, 1), 150.0)
    with pytest.raises(BrainError, match="contact"):
        indicator_save(
            by=steward,
            dataset=power,
            values={**INDICATOR, "code": "bad", "expression": "ibis: t.contact.count()"},
        )
    with pytest.raises(BrainError, match="__class__"):
        indicator_save(
            by=steward,
            dataset=power,
            values={**INDICATOR, "code": "bad", "expression": "ibis: t.kwh.__class__"},
        )


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"expression": "SUM(kwh"}, "does not parse"),
        ({"expression": "SUM(price)"}, "price"),
        ({"expression": "COUNT(contact)"}, "contact"),  # encrypted (L3): not allowed
        ({"period_field": "day"}, "day"),
        ({"expression": "SELECT 1 AS period, 2 AS value FROM read_csv('/etc/passwd')"}, "table"),
        ({"expression": "kwh"}, "aggregate"),
    ],
)
def test_bad_indicator_is_refused_and_audited(
    power: Dataset, steward: User, values: dict[str, str], reason: str
) -> None:
    with pytest.raises(BrainError, match=reason):
        indicator_save(by=steward, dataset=power, values={**INDICATOR, **values})
    assert not Indicator.objects.exists()
    entry = AuditEntry.objects.get(action="brain.indicator_save")
    assert entry.outcome == "failure"


def test_wrong_department_and_read_only_roles_cannot_edit(
    power: Dataset, outsider: User, leader: User, approver: User
) -> None:
    for user in (outsider, leader):
        with pytest.raises(PermissionDenied):
            indicator_save(by=user, dataset=power, values=INDICATOR)
    assert AuditEntry.objects.filter(action="brain.indicator_save", outcome="denied").count() == 2
    assert indicator_save(by=approver, dataset=power, values=INDICATOR).pk


def test_rule_preview_shows_history_without_saving(indicator: Indicator, steward: User) -> None:
    indicator_compute(by=steward, indicator=indicator)
    fired = rule_preview(by=steward, indicator=indicator, values=YOY_DROP)
    assert [(f["period"], f["dimension_value"]) for f in fired] == [(date(2026, 6, 1), "330802")]
    assert fired[0]["measure"] == -50.0
    assert not WarningRule.objects.exists()


def test_bad_rule_is_refused_and_audited(indicator: Indicator, steward: User) -> None:
    for values, reason in (
        ({"name": "x", "kind": "condition", "condition": "yoy <"}, "does not parse"),
        ({"name": "x", "kind": "condition", "condition": "kwh > 1"}, "unknown name"),
        ({"name": "x", "kind": "threshold", "threshold": "lots"}, "number"),
        ({"name": "x", "kind": "nonsense"}, "kind"),
    ):
        with pytest.raises(BrainError, match=reason):
            rule_save(by=steward, indicator=indicator, values=values)
    assert not WarningRule.objects.exists()
    assert AuditEntry.objects.filter(action="brain.rule_save", outcome="failure").count() == 4


def test_rule_edit_by_wrong_department_is_denied(indicator: Indicator, outsider: User) -> None:
    with pytest.raises(PermissionDenied):
        rule_save(by=outsider, indicator=indicator, values=YOY_DROP)
    assert not WarningRule.objects.exists()


def test_warning_opens_one_task_and_no_duplicate_while_open(
    indicator: Indicator, steward: User, fake_loop: FakeLoop
) -> None:
    rule = rule_save(by=steward, indicator=indicator, values=YOY_DROP)
    result = indicator_compute(by=steward, indicator=indicator)
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert (warning.dimension_value, warning.division_code) == ("330802", "330802")
    assert warning.state == Warning.State.TASKED
    assert warning.task_id == 1
    opened = fake_loop.opened[0]
    assert opened["type_code"] == "warning"
    assert opened["source_ref"] == f"brain:rule:{rule.pk}:330802"
    assert opened["division"].code == "330802"
    assert f"/brain/indicators/{indicator.pk}/" in opened["description"]
    # recomputing raises nothing new
    assert indicator_compute(by=steward, indicator=indicator).warnings == []
    # a new period firing while the task is still open links to the same task
    Warning.objects.all().delete()
    again = indicator_compute(by=None, indicator=indicator).warnings
    assert len(again) == 1
    assert again[0].task_id == 1
    assert len(fake_loop.opened) == 1
    assert list(open_warnings("330802")) == again
    assert list(open_warnings("330803")) == []


def test_total_series_warning_goes_to_the_city(
    indicator: Indicator, steward: User, fake_loop: FakeLoop
) -> None:
    rule_save(
        by=steward,
        indicator=indicator,
        values={
            "name": "low total",
            "kind": "threshold",
            "direction": "above",
            "threshold": 240,
            "dimension_value": "",
        },
    )
    warnings = indicator_compute(by=steward, indicator=indicator).warnings
    assert [(w.dimension_value, w.division_code) for w in warnings] == [("", "330800")]


def test_scheduled_computation_skips_unchanged_data(indicator: Indicator) -> None:
    assert compute_due() == {"computed": 1, "failed": 0, "warnings": 0}
    assert compute_due() == {"computed": 0, "failed": 0, "warnings": 0}
    assert IndicatorValue.objects.filter(indicator=indicator).count() == 54


def test_scheduled_task_runs_through_django_tasks(indicator: Indicator) -> None:
    from shuzhi.platform.brain.tasks import compute_due_indicators

    assert compute_due_indicators.call(reschedule=False)["computed"] == 1


def test_scheduled_task_queues_its_next_run(indicator: Indicator) -> None:
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from shuzhi.platform.brain.tasks import compute_due_indicators

    compute_due_indicators.call(reschedule=True)
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("compute_due_indicators")
    assert queued.run_after is not None
    assert queued.run_after > timezone.now()


def test_compute_without_data_is_refused_and_audited(power: Dataset, steward: User) -> None:
    from shuzhi.platform.warehouse.models import Version

    indicator = indicator_save(by=steward, dataset=power, values=INDICATOR)
    Version.objects.filter(dataset=power).delete()
    with pytest.raises(BrainError):
        indicator_compute(by=steward, indicator=indicator)
    assert AuditEntry.objects.filter(action="brain.indicator_compute", outcome="failure").exists()


def test_duplicate_or_malformed_code_is_refused(indicator: Indicator, steward: User) -> None:
    for code in ("power_by_county", "has space"):
        with pytest.raises(BrainError):
            indicator_save(
                by=steward, dataset=indicator.dataset, values={**INDICATOR, "code": code}
            )
    assert Indicator.objects.count() == 1
    assert AuditEntry.objects.filter(action="brain.indicator_save", outcome="failure").count() == 2
