"""Review findings on 免申即享: a refusal found inside a transaction (reviewing a finding twice,
answering a benefit twice) is audited after the rollback, not lost with it; bad numbers in a
POST answer 404/400, not a server error; staff reads of a beneficiary's grant are audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from shuzhi.domains.services.models import BenefitGrant
from shuzhi.domains.services.services.benefits import (
    BenefitRefused,
    benefit_confirm,
    eligibility_run,
    grant_review,
)
from shuzhi.platform.accounts.models import User
from shuzhi.platform.accounts.services import user_roles_set
from shuzhi.platform.audit.models import AuditEntry

from .test_benefits_city import MONTH, City, build_city

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _november() -> Iterator[None]:
    with time_machine.travel(datetime(2026, 11, 15, 10, 0), tick=False):
        yield


@pytest.fixture
def city(tmp_path: Path) -> City:
    made = build_city(tmp_path, with_data=False)
    eligibility_run(period=MONTH, by=None)
    return made


def _refusals(action: str, code: str) -> int:
    entries = AuditEntry.objects.filter(action=action).exclude(outcome="success")
    return sum(1 for e in entries if e.details.get("code") == code)


def test_reviewing_twice_is_refused_and_the_refusal_audited(city: City) -> None:
    grant = BenefitGrant.objects.get(resident=city.residents["R1"])
    clerk = city.users["cab_clerk"]
    grant_review(grants=[grant], approve=True, note="", by=clerk)
    with pytest.raises(BenefitRefused) as refused:
        grant_review(grants=[grant], approve=False, note="no", by=clerk)
    assert refused.value.status == 409
    assert _refusals("services.benefit_review", "state") == 1


def test_answering_twice_is_refused_and_the_refusal_audited(city: City) -> None:
    own = User.objects.create(username="r1")
    user_roles_set(user=own, roles=["public"], by=None)
    city.residents["R1"].account = own
    city.residents["R1"].save()
    grant = BenefitGrant.objects.get(resident=city.residents["R1"])
    grant_review(grants=[grant], approve=True, note="", by=city.users["cab_clerk"])
    benefit_confirm(grant=grant, by=own)
    with pytest.raises(BenefitRefused):
        benefit_confirm(grant=grant, by=own)
    assert _refusals("services.benefit_confirm", "state") == 1


def test_bad_numbers_in_posts_are_not_server_errors(client: Client, city: City) -> None:
    client.force_login(city.users["cab_clerk"])
    answer = client.post("/services/benefits/", {"decision": "approve", "grant": ["x1"]})
    assert answer.status_code in (302, 400)
    steward = city.users["cab_steward"]
    client.force_login(steward)
    answer = client.post(
        "/services/benefits/elderly_allowance/", {"action": "activate", "number": "v1"}
    )
    assert answer.status_code in (302, 400, 404)


def test_a_staff_read_of_a_grant_is_audited(client: Client, city: City) -> None:
    grant = BenefitGrant.objects.get(resident=city.residents["R1"])
    client.force_login(city.users["cab_clerk"])
    assert client.get(f"/services/benefits/grants/{grant.pk}/").status_code == 200
    assert AuditEntry.objects.filter(
        action="services.benefit_view", outcome="success", actor=city.users["cab_clerk"]
    ).exists()


# --- a rule version changes state under a lock --------------------------------------------------

ELDERLY = "elderly_allowance"


def _draft_dry_run(city: City):  # type: ignore[no-untyped-def]
    from shuzhi.domains.services.rules import default_parameters
    from shuzhi.domains.services.services.benefits import rule_draft, rule_dry_run

    steward = city.users["cab_steward"]
    text = default_parameters(ELDERLY)
    draft = rule_draft(policy=city.policies[ELDERLY], parameters_yaml=text, note="", by=steward)
    rule_dry_run(version=draft, by=steward)
    draft.refresh_from_db()
    return draft, steward, text


def test_a_version_made_live_meanwhile_is_not_edited(city: City) -> None:
    from shuzhi.domains.services.models import RuleVersion
    from shuzhi.domains.services.services.benefits import rule_activate, rule_draft

    draft, steward, text = _draft_dry_run(city)
    stale = RuleVersion.objects.get(pk=draft.pk)  # the rule page loaded it as a draft
    rule_activate(version=draft, by=steward)  # another steward makes it live
    with pytest.raises(BenefitRefused) as refused:
        rule_draft(
            policy=city.policies[ELDERLY],
            parameters_yaml=text.replace("2020-01-01: 80", "2020-01-01: 60", 1),
            note="edit",
            version=stale,
            by=steward,
        )
    assert refused.value.code == "not_draft"
    live = RuleVersion.objects.get(pk=draft.pk)
    assert live.state == "live"
    assert live.parameters == text  # the live rule was not changed without a dry run
    assert _refusals("services.benefit_rule_draft", "not_draft") == 1


def test_a_draft_edited_meanwhile_is_not_made_live_untried(city: City) -> None:
    from shuzhi.domains.services.models import RuleVersion
    from shuzhi.domains.services.services.benefits import rule_activate, rule_draft

    draft, steward, text = _draft_dry_run(city)
    stale = RuleVersion.objects.get(pk=draft.pk)  # loaded with its dry run
    edited = text.replace("2020-01-01: 80", "2020-01-01: 60", 1)
    rule_draft(
        policy=city.policies[ELDERLY], parameters_yaml=edited, note="", version=draft, by=steward
    )
    with pytest.raises(BenefitRefused) as refused:
        rule_activate(version=stale, by=steward)
    assert refused.value.code == "no_dry_run"
    assert RuleVersion.objects.get(pk=draft.pk).state == "draft"
    assert _refusals("services.benefit_rule_activate", "no_dry_run") == 1
