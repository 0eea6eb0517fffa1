"""免申即享 services: drafts, dry runs, activation, runs, review, confirmation — with the
negatives (wrong department, wrong role, anonymous, another beneficiary)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from shuzhi.domains.services.models import BenefitGrant, EligibilityRun, RuleVersion
from shuzhi.domains.services.rules import default_parameters
from shuzhi.domains.services.services.benefits import (
    BenefitRefused,
    benefit_confirm,
    benefit_decline,
    eligibility_run,
    grant_review,
    grant_view,
    rule_activate,
    rule_draft,
    rule_dry_run,
)
from shuzhi.platform.accounts.models import User
from shuzhi.platform.accounts.services import user_roles_set
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.notify.models import Message

from .test_benefits_city import MONTH, City, build_city, contributions, credit

pytestmark = pytest.mark.django_db

ELDERLY = "elderly_allowance"
FROM_75 = (
    default_parameters(ELDERLY)
    .replace("    2020-01-01: 80\n", "    2020-01-01: 75\n", 1)
    .replace(
        "  - threshold:\n      values:\n        2020-01-01: 80\n",
        "  - threshold:\n      values:\n        2020-01-01: 75\n",
    )
)


@pytest.fixture(autouse=True)
def _november() -> Iterator[None]:
    with time_machine.travel(datetime(2026, 11, 15, 10, 0), tick=False):
        yield


@pytest.fixture
def city(tmp_path: Path) -> City:
    return build_city(tmp_path, with_data=False)


@pytest.fixture
def full_city(tmp_path: Path) -> City:
    return build_city(tmp_path)


def UserFactory(*, username: str, roles: list[str], credit_code: str = "") -> User:
    """A resident's or enterprise's account (no password: hashing is slow)."""
    user = User.objects.create(username=username, credit_code=credit_code)
    user_roles_set(user=user, roles=roles, by=None)
    return user


def _denied(action: str) -> int:
    return AuditEntry.objects.filter(action=action, outcome__in=("denied", "failure")).count()


# --- Drafts -------------------------------------------------------------------------------------


def test_draft_saved_with_a_new_number(city: City) -> None:
    policy = city.policies[ELDERLY]
    version = rule_draft(
        policy=policy, parameters_yaml=FROM_75, note="75", by=city.users["cab_steward"]
    )
    assert (version.number, version.state) == (2, "draft")
    assert AuditEntry.objects.filter(
        action="services.benefit_rule_draft", outcome="success"
    ).exists()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("min_age:\n  values:\n    2020-01-01: [80\n", "line 4"),
        (default_parameters(ELDERLY).replace("city_division:", "city:"), "city_division"),
        (
            default_parameters(ELDERLY).replace("2020-01-01: 3308", "2020-01-01: Quzhou"),
            "city_division",
        ),
    ],
    ids=["does-not-parse", "missing", "wrong-type"],
)
def test_bad_parameters_are_refused_and_nothing_is_saved(city: City, text: str, words: str) -> None:
    policy = city.policies[ELDERLY]
    with pytest.raises(BenefitRefused) as caught:
        rule_draft(policy=policy, parameters_yaml=text, note="", by=city.users["cab_steward"])
    assert caught.value.code == "parameters"
    assert words in caught.value.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)  # Chinese first
    assert policy.versions.count() == 1
    assert _denied("services.benefit_rule_draft") == 1


@pytest.mark.parametrize("who", ["hrs_steward", "cab_clerk", "anonymous"])
def test_only_a_steward_of_the_department_drafts(city: City, who: str) -> None:
    user: Any = AnonymousUser() if who == "anonymous" else city.users[who]
    with pytest.raises(PermissionDenied):
        rule_draft(policy=city.policies[ELDERLY], parameters_yaml=FROM_75, note="", by=user)
    assert city.policies[ELDERLY].versions.count() == 1
    assert _denied("services.benefit_rule_draft") == 1


# --- Dry run and activation ---------------------------------------------------------------------


def test_dry_run_counts_people_and_money_by_county(city: City) -> None:
    steward = city.users["cab_steward"]
    draft = rule_draft(policy=city.policies[ELDERLY], parameters_yaml=FROM_75, note="", by=steward)
    result = rule_dry_run(version=draft, by=steward)
    # live: R1 80 (100), R3 90 (200), R10 100 (500); R4 is 106 but registered in Hangzhou.
    # from 75: R2 (79) joins with 100.
    assert result["period"] == MONTH
    assert (result["eligible_before"], result["eligible_after"]) == (3, 4)
    assert (result["newly_eligible"], result["no_longer_eligible"]) == (1, 0)
    assert (result["amount_before"], result["amount_after"]) == (800.0, 900.0)
    assert result["by_county"] == {
        "330802": {
            "eligible_before": 2,
            "eligible_after": 3,
            "amount_before": 300.0,
            "amount_after": 400.0,
        },
        "330881": {
            "eligible_before": 1,
            "eligible_after": 1,
            "amount_before": 500.0,
            "amount_after": 500.0,
        },
    }
    draft.refresh_from_db()
    assert draft.dry_run["eligible_after"] == 4


def test_dry_run_of_a_stricter_rule_counts_who_loses(city: City) -> None:
    steward = city.users["cab_steward"]
    text = default_parameters(ELDERLY).replace("    2020-01-01: 80\n", "    2020-01-01: 85\n", 1)
    draft = rule_draft(policy=city.policies[ELDERLY], parameters_yaml=text, note="", by=steward)
    result = rule_dry_run(version=draft, by=steward)
    assert (result["eligible_after"], result["no_longer_eligible"]) == (2, 1)
    assert result["amount_after"] == 700.0


def test_activation_needs_a_dry_run_of_the_current_parameters(city: City) -> None:
    steward = city.users["cab_steward"]
    policy = city.policies[ELDERLY]
    draft = rule_draft(policy=policy, parameters_yaml=FROM_75, note="", by=steward)
    with pytest.raises(BenefitRefused) as caught:
        rule_activate(version=draft, by=steward)
    assert caught.value.code == "no_dry_run"
    rule_dry_run(version=draft, by=steward)
    # editing the draft after its dry run needs another dry run
    rule_draft(policy=policy, parameters_yaml=FROM_75 + "\n", note="", version=draft, by=steward)
    draft.refresh_from_db()
    with pytest.raises(BenefitRefused):
        rule_activate(version=draft, by=steward)
    rule_dry_run(version=draft, by=steward)
    draft.refresh_from_db()
    rule_activate(version=draft, by=steward)
    states = dict(policy.versions.values_list("number", "state"))
    assert states == {1: "retired", 2: "live"}
    assert policy.versions.filter(state="live").count() == 1
    with pytest.raises(BenefitRefused):  # a live version is not a draft
        rule_activate(version=draft, by=steward)


def test_only_the_department_s_steward_dry_runs_or_activates(city: City) -> None:
    draft = rule_draft(
        policy=city.policies[ELDERLY],
        parameters_yaml=FROM_75,
        note="",
        by=city.users["cab_steward"],
    )
    for user in (city.users["sci_steward"], city.users["cab_clerk"], AnonymousUser()):
        with pytest.raises(PermissionDenied):
            rule_dry_run(version=draft, by=user)
        with pytest.raises(PermissionDenied):
            rule_activate(version=draft, by=user)
    draft.refresh_from_db()
    assert draft.dry_run == {}
    assert draft.state == "draft"


# --- The run ------------------------------------------------------------------------------------


def test_run_finds_the_eligible_with_explanations_and_is_idempotent(full_city: City) -> None:
    city = full_city
    run = eligibility_run(period=MONTH, by=None)
    assert run.state == "complete", run.error
    r = city.residents
    elderly = {g.resident_id: g for g in BenefitGrant.objects.filter(policy__code=ELDERLY)}
    assert {k: elderly[v.pk].amount for k, v in r.items() if v.pk in elderly} == {
        "R1": Decimal("100.00"),
        "R3": Decimal("200.00"),
        "R10": Decimal("500.00"),
    }
    why = elderly[r["R1"].pk].explanation
    assert why[0] == {
        "condition": "age_at_least",
        "label": "年满起领年龄（按当月1日计）",
        "label_en": "Reached the minimum age on the month's first day",
        "value": 80,
        "held": True,
    }
    assert why[1]["condition"] == "registered_in_quzhou"
    assert why[1]["value"] == "330802"
    assert elderly[r["R1"].pk].beneficiary_name == "居民R1"
    assert elderly[r["R1"].pk].period == MONTH
    assert elderly[r["R1"].pk].state == "found"
    disabled = {
        g.resident_id: g.amount
        for g in BenefitGrant.objects.filter(policy__code="disability_subsidies")
    }
    assert disabled == {
        r["R5"].pk: Decimal("270.00"),
        r["R6"].pk: Decimal("270.00"),
        r["R7"].pk: Decimal("540.00"),
    }
    refunds = {
        g.credit_code: g.amount
        for g in BenefitGrant.objects.filter(policy__code="job_retention_refund")
    }
    assert refunds == {
        credit(1): Decimal(str(contributions("E1") * 0.3)),
        credit(3): Decimal(str(contributions("E3") * 0.6)),
        credit(6): Decimal(str(contributions("E6") * 0.6)),
        credit(7): Decimal(str(contributions("E7") * 0.6)),
    }
    reward = BenefitGrant.objects.get(policy__code="tech_sme_reward")
    assert (reward.credit_code, reward.amount, reward.period) == (credit(6), 50000, "2026")
    assert reward.beneficiary_name == "测试E6有限公司"
    assert run.report[ELDERLY]["new"] == 3
    assert run.report["tech_sme_reward"]["eligible"] == 1
    again = eligibility_run(period=MONTH, by=None)
    assert again.state == "complete"
    assert all(v["new"] == 0 for v in again.report.values())
    assert again.report[ELDERLY]["already"] == 3
    assert BenefitGrant.objects.count() == 3 + 3 + 4 + 1


def test_a_failing_run_writes_nothing(city: City) -> None:
    RuleVersion.objects.filter(policy=city.policies[ELDERLY]).update(parameters="min_age: [")
    run = eligibility_run(period=MONTH, by=None)
    assert run.state == EligibilityRun.State.FAILED
    assert run.error
    assert BenefitGrant.objects.count() == 0
    assert AuditEntry.objects.filter(action="services.benefit_run", outcome="failure").exists()


def test_a_steward_runs_the_policies_of_their_department(city: City) -> None:
    run = eligibility_run(period=MONTH, by=city.users["cab_steward"])
    assert set(run.report) == {ELDERLY, "disability_subsidies"}
    with pytest.raises(PermissionDenied):
        eligibility_run(period=MONTH, by=city.users["cab_clerk"])


# --- Review, notification, confirmation ---------------------------------------------------------


def _found(city: City) -> list[BenefitGrant]:
    eligibility_run(period=MONTH, by=None)
    return list(BenefitGrant.objects.filter(policy__code=ELDERLY).order_by("pk"))


def test_approval_notifies_the_resident_s_account(city: City) -> None:
    grants = _found(city)
    account = UserFactory(username="r1", roles=["public"])
    city.residents["R1"].account = account
    city.residents["R1"].save()
    assert grant_review(grants=grants, approve=True, note="", by=city.users["cab_clerk"]) == 3
    assert {g.state for g in BenefitGrant.objects.filter(policy__code=ELDERLY)} == {"approved"}
    message = Message.objects.get(recipient=account)
    mine = BenefitGrant.objects.get(resident=city.residents["R1"])
    assert message.link == f"/services/benefits/grants/{mine.pk}/"
    assert mine.notified_at is not None


@pytest.mark.parametrize("who", ["hrs_clerk", "cab_steward", "anonymous"])
def test_review_refused_outside_the_department_or_role(city: City, who: str) -> None:
    grants = _found(city)
    user: Any = AnonymousUser() if who == "anonymous" else city.users[who]
    with pytest.raises(PermissionDenied):
        grant_review(grants=grants, approve=True, note="", by=user)
    assert set(BenefitGrant.objects.values_list("state", flat=True)) == {"found"}
    assert _denied("services.benefit_review") == 1


def test_rejection_needs_a_note_and_reviewed_grants_cannot_be_reviewed_again(city: City) -> None:
    grants = _found(city)
    clerk = city.users["cab_clerk"]
    with pytest.raises(BenefitRefused):
        grant_review(grants=grants[:1], approve=False, note=" ", by=clerk)
    grant_review(grants=grants[:1], approve=False, note="已死亡", by=clerk)
    with pytest.raises(BenefitRefused):
        grant_review(grants=grants, approve=True, note="", by=clerk)  # all or none
    assert BenefitGrant.objects.filter(state="approved").count() == 0


def test_only_the_beneficiary_confirms_an_approved_benefit(city: City) -> None:
    grants = _found(city)
    own = UserFactory(username="r1", roles=["public"])
    other = UserFactory(username="r3", roles=["public"])
    city.residents["R1"].account = own
    city.residents["R1"].save()
    city.residents["R3"].account = other
    city.residents["R3"].save()
    mine = BenefitGrant.objects.get(resident=city.residents["R1"])
    with pytest.raises(BenefitRefused):  # not approved yet
        benefit_confirm(grant=mine, by=own)
    grant_review(grants=grants, approve=True, note="", by=city.users["cab_clerk"])
    for intruder in (other, city.users["cab_clerk"], AnonymousUser()):
        with pytest.raises(PermissionDenied):
            benefit_confirm(grant=mine, by=intruder)
    # the three intruders and the early answer above (its refusal is no longer rolled back)
    assert _denied("services.benefit_confirm") == 4
    assert benefit_confirm(grant=mine, by=own).state == "confirmed"
    with pytest.raises(BenefitRefused):
        benefit_decline(grant=mine, by=own)
    theirs = BenefitGrant.objects.get(resident=city.residents["R3"])
    assert benefit_decline(grant=theirs, by=other).state == "declined"


def test_an_enterprise_confirms_only_its_own(full_city: City) -> None:
    city = full_city
    eligibility_run(period=MONTH, by=None)
    reward = BenefitGrant.objects.get(policy__code="tech_sme_reward")
    owner = UserFactory(username="e6", roles=["enterprise"], credit_code=credit(6))
    stranger = UserFactory(username="e7", roles=["enterprise"], credit_code=credit(7))
    grant_review(grants=[reward], approve=True, note="", by=city.users["sci_clerk"])
    assert Message.objects.filter(recipient=owner).count() == 1
    with pytest.raises(PermissionDenied):
        benefit_confirm(grant=reward, by=stranger)
    assert AuditEntry.objects.filter(
        action="services.benefit_confirm", outcome="denied", actor_id=stranger.pk
    ).exists()
    assert benefit_confirm(grant=reward, by=owner).state == "confirmed"


def test_who_may_view_a_grant(city: City) -> None:
    grants = _found(city)
    own = UserFactory(username="r1", roles=["public"])
    city.residents["R1"].account = own
    city.residents["R1"].save()
    mine = next(g for g in grants if g.resident_id == city.residents["R1"].pk)
    assert grant_view(grant=mine, by=own) == "beneficiary"
    assert grant_view(grant=mine, by=city.users["cab_clerk"]) == "staff"
    assert grant_view(grant=mine, by=city.users["cab_steward"]) == "staff"
    for user in (
        city.users["hrs_clerk"],
        UserFactory(username="x", roles=["public"]),
        AnonymousUser(),
    ):
        with pytest.raises(PermissionDenied):
            grant_view(grant=mine, by=user)
    assert _denied("services.benefit_view") == 3


def test_the_command_line_runs_as_a_steward(city: City) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("benefits", "run", "--period", MONTH, "--user", "cab_steward", stdout=out)
    assert "complete" in out.getvalue()
    assert BenefitGrant.objects.filter(policy__code=ELDERLY).count() == 3
    with pytest.raises(CommandError):
        call_command("benefits", "run", "--period", MONTH, "--user", "nobody", stdout=out)


def test_the_schedule_is_registered() -> None:
    from shuzhi.platform.loop.schedule import _STARTERS

    assert "services.benefits" in _STARTERS


def test_the_scheduled_run_finds_this_months_beneficiaries(full_city: City) -> None:
    from shuzhi.domains.services.tasks import run_now

    pk = run_now()  # what the monthly schedule runs, as the system
    run = EligibilityRun.objects.get(pk=pk)
    assert (run.period, run.state, run.by_id) == (MONTH, "complete", None)
    found = BenefitGrant.objects.filter(run=run, policy__code=ELDERLY)
    assert {g.resident_id for g in found} == {
        full_city.residents[name].pk for name in ("R1", "R3", "R10")
    }
    assert {g.state for g in found} == {BenefitGrant.State.FOUND}  # the department reviews next
