"""Warnings from an accounting run become closed-loop tasks (预警 → 闭环任务).

Two rules, each opening a loop task of type ``carbon`` (registered in ``apps.py``) for the
economy bureau (``settings.CARBON_TASK_DEPARTMENT``, 经信局):

* an enterprise falls to red (转红): red in this run, graded another colour in the run this one
  replaces (same year) or, for a year's first run, in the previous year's current run;
* a county's carbon intensity rises year on year (区域强度上升): total tCO2 ÷ total value added
  of its graded enterprises, against the previous year's current run.

One task per source while it is open (``source_ref`` ``carbon:red:<credit code>:<year>`` or
``carbon:county:<county code>:<year>``); the loop's de-duplication finds the open one. Tasks are
opened by the system (the rule found the problem) and routed straight to the bureau; if
that department does not exist they wait for dispatch, and the run report says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Final

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.loop import selectors as loop_selectors
from shuzhi.platform.loop import services as loop_services

from ..models import AccountingRun, Colour, EnterpriseAccount
from .publish import CITY, require_carbon_steward

TASK_TYPE: Final = "carbon"
TASK_CATEGORY: Final = "carbon"


@dataclass
class WarningsOutcome:
    """What the warnings of a run did: tasks opened and found open, by rule."""

    opened: dict[str, int] = field(default_factory=lambda: {"red": 0, "county": 0})
    already_open: dict[str, int] = field(default_factory=lambda: {"red": 0, "county": 0})
    task_ids: list[int] = field(default_factory=list)
    routed: bool = True  # the task department exists, so tasks go straight to it

    def as_report(self) -> dict[str, Any]:
        return {
            "opened": dict(self.opened),
            "already_open": dict(self.already_open),
            "routed_to": settings.CARBON_TASK_DEPARTMENT if self.routed else "",
        }


def _red_source_ref(credit_code: str, year: int) -> str:
    return f"carbon:red:{credit_code}:{year}"


def _county_source_ref(county_code: str, year: int) -> str:
    return f"carbon:county:{county_code}:{year}"


def _previous_run(run: AccountingRun) -> AccountingRun | None:
    """The run whose grades this one is compared with (see the module's docstring)."""
    same_year = (
        AccountingRun.objects.filter(
            year=run.year, state=AccountingRun.State.COMPLETE, started_at__lte=run.started_at
        )
        .exclude(pk=run.pk)
        .order_by("-started_at", "-id")
        .first()
    )
    return same_year or _last_year(run)


def _last_year(run: AccountingRun) -> AccountingRun | None:
    return AccountingRun.objects.filter(
        year=run.year - 1, state=AccountingRun.State.COMPLETE, is_current=True
    ).first()


def _county_intensities(run: AccountingRun) -> dict[str, float]:
    """County code → total tCO2 ÷ total value added (10,000 yuan) of the run's graded accounts."""
    tco2: dict[str, float] = defaultdict(float)
    value_added: dict[str, float] = defaultdict(float)
    graded = EnterpriseAccount.objects.filter(run=run, value_added__gt=0).exclude(colour="")
    for county, total, added in graded.values_list("county_code", "total_tco2", "value_added"):
        tco2[county] += total
        value_added[county] += added or 0.0
    return {c: tco2[c] / value_added[c] for c in tco2 if value_added[c] > 0}


def _division(code: str) -> Division:
    return Division.objects.filter(code=code).first() or Division.objects.get(code=CITY)


def _task_department() -> Department | None:
    return Department.objects.filter(code=settings.CARBON_TASK_DEPARTMENT).first()


def _open(
    outcome: WarningsOutcome,
    rule: str,
    *,
    source_ref: str,
    title: str,
    description: str,
    division: Division,
    department: Department | None,
    request: HttpRequest | None,
) -> None:
    existing = loop_selectors.open_task_for(source_ref)
    if existing is not None:
        outcome.already_open[rule] += 1
        outcome.task_ids.append(int(existing.pk))
        return
    task = loop_services.task_open(
        type_code=TASK_TYPE,
        title=title,
        division=division,
        description=description,
        category=TASK_CATEGORY,
        location=division.name,
        source="carbon",
        source_ref=source_ref,
        department=department,
        by=None,  # the system: the rule found the problem, whoever ran the accounting
        request=request,
    )
    outcome.opened[rule] += 1
    outcome.task_ids.append(int(task.pk))


def run_warnings_raise(
    *, run: AccountingRun, by: User, request: HttpRequest | None = None
) -> WarningsOutcome:
    """Open the loop tasks a complete run calls for (one per source while open)."""
    require_carbon_steward(by, request=request)
    department = _task_department()
    outcome = WarningsOutcome(routed=department is not None)
    previous = _previous_run(run)
    if previous is not None:
        before = dict(
            EnterpriseAccount.objects.filter(run=previous).values_list("credit_code", "colour")
        )
        fallen = EnterpriseAccount.objects.filter(run=run, colour=Colour.RED).order_by(
            "credit_code"
        )
        for account in fallen:
            was = before.get(account.credit_code, "")
            if not was or was == Colour.RED:
                continue  # not graded before (nothing to fall from), or red already
            _open(
                outcome,
                "red",
                source_ref=_red_source_ref(account.credit_code, run.year),
                title=_("Carbon account turned red: %(name)s (%(year)s)")
                % {"name": account.name, "year": run.year},
                description=_(
                    "%(name)s (%(code)s) is graded red for %(year)s, after %(was)s in the "
                    "accounting run #%(previous)s. Emissions %(tco2).1f tCO2, intensity "
                    "%(intensity)s tCO2 per 10,000 yuan of value added (accounting run #%(run)s, "
                    "emission factors %(factors)s). Check the enterprise's energy use with it "
                    "and agree a reduction plan."
                )
                % {
                    "name": account.name,
                    "code": account.credit_code,
                    "year": run.year,
                    "was": Colour(was).label,
                    "previous": previous.pk,
                    "tco2": account.total_tco2,
                    "intensity": "—" if account.intensity is None else f"{account.intensity:.3f}",
                    "run": run.pk,
                    "factors": run.factor_set.version,
                },
                division=_division(account.county_code),
                department=department,
                request=request,
            )
    last_year = _last_year(run)
    if last_year is not None:
        now, then = _county_intensities(run), _county_intensities(last_year)
        for county in sorted(now):
            if county not in then or now[county] <= then[county]:
                continue
            division = _division(county)
            _open(
                outcome,
                "county",
                source_ref=_county_source_ref(county, run.year),
                title=_("Carbon intensity rose in %(county)s (%(year)s)")
                % {"county": division.name, "year": run.year},
                description=_(
                    "The carbon intensity of the graded industrial enterprises of %(county)s "
                    "rose from %(then).3f in %(last)s to %(now).3f tCO2 per 10,000 yuan of value "
                    "added in %(year)s (accounting runs #%(last_run)s and #%(run)s, emission "
                    "factors %(factors)s). Find the enterprises behind the rise."
                )
                % {
                    "county": division.name,
                    "then": then[county],
                    "last": run.year - 1,
                    "now": now[county],
                    "year": run.year,
                    "last_run": last_year.pk,
                    "run": run.pk,
                    "factors": run.factor_set.version,
                },
                division=division,
                department=department,
                request=request,
            )
    return outcome
