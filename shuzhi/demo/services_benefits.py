"""Demo 免申即享 (benefits without applying): the shared data the rules read, the four policies
with their live version 1, one eligibility run, some findings approved (so that beneficiaries
see "awaiting your confirmation"), and a draft version 2 of 高龄津贴 (from 75 instead of 80)
with its dry run. Idempotent: what exists is kept.

The shared data (``datasets.BENEFIT_DATASETS``, owned by the Civil Affairs, HR and science
bureaus) is loaded with the demo's other datasets; the stewards and clerks of those bureaus are
demo accounts (``people.DEMO_ACCOUNTS``).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from shuzhi.demo import datasets, people
from shuzhi.domains.services.models import BenefitGrant, BenefitPolicy, EligibilityRun, RuleVersion
from shuzhi.domains.services.rules import RULES, default_parameters
from shuzhi.domains.services.services.benefits import (
    eligibility_run,
    grant_review,
    rule_draft,
    rule_dry_run,
)
from shuzhi.platform.accounts.models import Department, User

__all__ = ["load"]

STEWARDS = {"CAB": "cab_steward", "HRS": "hrs_steward", "SCI": "sci_steward"}
CLERKS = {"CAB": "cab_clerk", "HRS": "hrs_clerk", "SCI": "sci_clerk"}

POLICIES = (
    # code, department, audience, description, legal basis
    (
        "elderly_allowance",
        "CAB",
        "citizen",
        "年满80周岁、户籍在衢州市的老年人按月享受高龄津贴，无需申请，系统按月比对发放。",
        "《浙江省老年人权益保障条例》；衢州市高龄津贴发放办法（演示）",
    ),
    (
        "disability_subsidies",
        "CAB",
        "citizen",
        "困难残疾人生活补贴（持证且属低保家庭）和重度残疾人护理补贴（一、二级），两项可同时享受。",
        "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
    ),
    (
        "job_retention_refund",
        "HRS",
        "enterprise",
        "上年度未裁员或裁员率不超过规定、足额缴纳社会保险费的企业，按上年度失业保险缴费返还一定比例。",
        "《失业保险条例》；人力资源社会保障部等关于稳岗返还的通知（演示）",
    ),
    (
        "tech_sme_reward",
        "SCI",
        "enterprise",
        "上年度入库的科技型中小企业，研发费用达到标准的给予一次性奖励。",
        "《科技型中小企业评价办法》（国科发政〔2017〕115号）；衢州市科技创新奖励办法（演示）",
    ),
)
DRAFT_NOTE = "起领年龄由80周岁降至75周岁（试算）"


def _say(stdout: Any, text: str) -> None:
    stdout.write(f"  {text}")


def _staff() -> dict[str, User]:
    """The stewards and clerks of the benefit departments (``people.DEMO_ACCOUNTS``)."""
    names = [*STEWARDS.values(), *CLERKS.values()]
    return {user.username: user for user in User.objects.filter(username__in=names)}


def _policies(users: dict[str, User]) -> list[BenefitPolicy]:
    found = []
    for code, suffix, audience, description, basis in POLICIES:
        rule = RULES[code]
        department = Department.objects.get(
            code=people.department_code(datasets.CITY_DIVISION, suffix)
        )
        policy, _ = BenefitPolicy.objects.get_or_create(
            code=code,
            defaults={
                "name": rule.name,
                "name_en": rule.name_en,
                "description": description,
                "legal_basis": basis,
                "audience": audience,
                "department": department,
                "period": rule.period,
            },
        )
        if not policy.versions.exists():
            RuleVersion.objects.create(
                policy=policy,
                number=1,
                parameters=default_parameters(code),
                note="初始版本 Initial version",
                state=RuleVersion.State.LIVE,
                effective_from=timezone.localdate().replace(month=1, day=1),
                activated_at=timezone.now(),
                created_by=users[STEWARDS[suffix]],
            )
        found.append(policy)
    return found


def load(*, stdout: Any) -> None:
    users = _staff()
    policies = _policies(users)
    today = timezone.localdate()
    period = f"{today.year}-{today.month:02d}"
    if not EligibilityRun.objects.filter(
        period=period, state=EligibilityRun.State.COMPLETE
    ).exists():
        run = eligibility_run(period=period, by=None)
        _say(stdout, f"eligibility run {run.pk} ({period}): {run.state} {run.error}")
    for policy in policies:
        suffix = policy.department.code.rsplit("-", 1)[-1]
        clerk = users[CLERKS[suffix]]
        if policy.grants.exclude(state=BenefitGrant.State.FOUND).exists():
            continue
        found = policy.grants.filter(state=BenefitGrant.State.FOUND)
        # the demo's own enterprise accounts first, then the first few of each county
        mine = found.filter(
            credit_code__in=User.objects.exclude(credit_code="").values("credit_code")
        )
        chosen = list(mine) + list(found.exclude(pk__in=mine.values("pk")).order_by("pk")[:25])
        if chosen:
            grant_review(grants=chosen, approve=True, note="", by=clerk)
        counts = {s: policy.grants.filter(state=s).count() for s in ("found", "approved")}
        _say(
            stdout,
            f"{policy.code:<24} {counts['found']} to review, "
            f"{counts['approved']} awaiting confirmation",
        )
    elderly = next(p for p in policies if p.code == "elderly_allowance")
    if not elderly.versions.filter(number=2).exists():
        text = default_parameters("elderly_allowance")
        text = text.replace("    2020-01-01: 80\n", "    2020-01-01: 75\n", 1)
        text = text.replace(
            "  - threshold:\n      values:\n        2020-01-01: 80\n",
            "  - threshold:\n      values:\n        2020-01-01: 75\n",
        )
        draft = rule_draft(
            policy=elderly, parameters_yaml=text, note=DRAFT_NOTE, by=users["cab_steward"]
        )
        result = rule_dry_run(version=draft, by=users["cab_steward"])
        _say(
            stdout,
            f"elderly_allowance v2 dry run: {result['eligible_before']} → "
            f"{result['eligible_after']} people, {result['amount_before']:.0f} → "
            f"{result['amount_after']:.0f} yuan a month",
        )
