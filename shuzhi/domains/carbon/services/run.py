"""The accounting run (核算批次): warehouse data → emissions, accounts and grades of one year.

Reads the current versions of the energy, output and domain-activity datasets through Ibis
(``pipeline``), with the active emission-factor set; writes, in one transaction, the run's
enterprise and domain accounts, new versions of the derived datasets (``publish``), the loop
tasks its warnings call for (``warnings``) and the audit entry ``carbon.run``. The run becomes
the year's current one and the run it replaces is kept, no longer current.

A run that cannot start (no permission, no active factor set, no input data) is refused before
anything is written. A run that fails part-way is recorded FAILED with its error; nothing else
it wrote remains (the transaction is rolled back and the warehouse tables of its versions are
dropped).

Industrial enterprises only: the industry domain's accounts cover enterprises that report
output (工业企业产值) or carry an industry code of sections B–D (mining, manufacturing,
utilities); shops and offices with only an electricity meter are part of the buildings domain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, NoReturn

import ibis
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.catalog.models import Dataset, Status
from shuzhi.platform.warehouse import engine
from shuzhi.platform.warehouse.connection import open_warehouse
from shuzhi.platform.warehouse.liveness import process_alive, this_process
from shuzhi.platform.warehouse.models import Version
from shuzhi.platform.warehouse.selectors import current_version

from .. import pipeline, standard
from ..factor_table import active_factor_set, factor_table
from ..models import AccountingRun, EnterpriseAccount, FactorSet, SectorAccount
from .publish import (
    CITY,
    DERIVED,
    ENERGY_INPUTS,
    OUTPUT_INPUT,
    SECTOR_INPUT,
    require_carbon_steward,
    results_publish,
)
from .warnings import run_warnings_raise

REGION: Final = CITY  # the grid factor is chosen for the city (Quzhou 330800)
INDUSTRIAL_SECTIONS: Final = ("B", "C", "D")  # GB/T 4754 mining, manufacturing, utilities
HISTORY_YEARS: Final = 3  # years of intensity the historical decline compares with
_PIPELINE_NAMES: Final = {
    "enterprise_electricity_monthly": "electricity",
    "enterprise_gas_monthly": "gas",
    "enterprise_coal_oil_monthly": "coal_oil",
    "enterprise_heat_export_monthly": "heat",
}

Progress = Callable[[str], None]


class RunRefused(Exception):
    """The run cannot start; ``code`` is stable, ``message`` is for people. Nothing was written
    (the refusal is audited)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class RunFailed(Exception):
    """The run failed part-way; ``run`` is recorded FAILED with the error, nothing else kept."""

    def __init__(self, run: AccountingRun, message: str) -> None:
        super().__init__(message)
        self.run = run
        self.message = message


@dataclass(frozen=True)
class _Input:
    dataset: Dataset
    version: Version


@dataclass
class _Computed:
    records: list[dict[str, Any]]
    monthly: list[dict[str, Any]]
    sectors: list[dict[str, Any]]
    sector_report: dict[str, Any]


def _refuse(
    by: User, code: str, message: str, request: HttpRequest | None, **details: Any
) -> NoReturn:
    audit_record(
        action="carbon.run",
        actor=by,
        outcome=Outcome.FAILURE,
        request=request,
        details={"code": code, **details},
    )
    raise RunRefused(code, message)


def _inputs(year: int, by: User, request: HttpRequest | None) -> dict[str, _Input]:
    """The input datasets with their current versions; refuses when the essentials lack."""
    found: dict[str, _Input] = {}
    codes = (*ENERGY_INPUTS, OUTPUT_INPUT, SECTOR_INPUT)
    for dataset in Dataset.objects.filter(code__in=codes, status=Status.PUBLISHED):
        version = current_version(dataset)
        if version is not None:
            found[dataset.code] = _Input(dataset, version)
    missing = [
        code for code in ("enterprise_electricity_monthly", OUTPUT_INPUT) if code not in found
    ]
    if missing:
        _refuse(
            by,
            "no_input",
            _("No input data: %(datasets)s has no published, loaded version.")
            % {"datasets": ", ".join(missing)},
            request,
            missing=missing,
        )
    with open_warehouse() as warehouse:
        electricity = _table(warehouse, found["enterprise_electricity_monthly"])
        rows = electricity.filter(electricity.month.cast("date").year() == year).count()
        if int(rows.to_pyarrow().as_py()) == 0:
            _refuse(
                by,
                "no_input",
                _("No input data: no electricity readings for %(year)s.") % {"year": year},
                request,
                year=year,
            )
    return found


def _table(warehouse: engine.Warehouse, item: _Input) -> Any:
    return warehouse.connection.table(engine.table_name(item.dataset.code, item.version.number))


def _industrial(tables: Mapping[str, Any], output: Any) -> Any:
    """Credit codes of the industrial enterprises (see the module's docstring), as a table."""
    parts = [output.select(credit_code=output.credit_code.cast("string"))]
    for table in tables.values():
        code = table.industry_code.cast("string")
        industrial = code.substr(0, 1).isin(INDUSTRIAL_SECTIONS)
        parts.append(table.filter(industrial).select(credit_code=table.credit_code.cast("string")))
    return parts[0].union(*parts[1:], distinct=True)


def _history(year: int) -> Any:
    """Intensities of the enterprises' graded accounts in the current runs of earlier years."""
    rows = list(
        EnterpriseAccount.objects.filter(
            run__is_current=True,
            run__state=AccountingRun.State.COMPLETE,
            year__gte=year - HISTORY_YEARS,
            year__lt=year,
            intensity__isnull=False,
        )
        .exclude(colour="")
        .values("credit_code", "year", "intensity")
    )
    if not rows:
        return None
    return ibis.memtable(rows, schema=pipeline.history_schema())


def _month_key(value: Any) -> str:
    return value.isoformat()[:7] if hasattr(value, "isoformat") else str(value)[:7]


def _compute(*, year: int, inputs: Mapping[str, _Input], factor_set: FactorSet) -> _Computed:
    """Run the pipeline on the inputs' current versions (reads only)."""
    table = factor_table(factor_set)
    weights = standard.parse_weights(settings.CARBON_WEIGHTS)
    cuts = standard.parse_cuts(settings.CARBON_COLOUR_CUTS)
    with open_warehouse() as warehouse:
        con = warehouse.connection
        energy = {
            name: _table(warehouse, inputs[code])
            for code, name in _PIPELINE_NAMES.items()
            if code in inputs
        }
        output = _table(warehouse, inputs[OUTPUT_INPUT])
        industrial = _industrial(energy, output)
        energy = {name: t.semi_join(industrial, "credit_code") for name, t in energy.items()}
        registry = pipeline.enterprise_keys(*energy.values(), output)
        monthly = pipeline.monthly_emissions(
            electricity=energy.get("electricity"),
            gas=energy.get("gas"),
            coal_oil=energy.get("coal_oil"),
            heat=energy.get("heat"),
            factors=table,
            year=year,
            region=REGION,
        )
        annual = pipeline.annual_accounts(
            monthly=monthly, output=output, registry=registry, year=year, factors=table
        )
        graded = pipeline.evaluate(
            annual=annual, history=_history(year), weights=weights, cuts=cuts, year=year
        )
        records = pipeline.to_records(
            graded,
            weights=weights,
            cuts=cuts,
            grid=standard.grid_factor(table, year, REGION),
            con=con,
        )
        monthly_rows = con.to_pyarrow(monthly.order_by(["credit_code", "month"])).to_pylist()
        sectors: list[dict[str, Any]] = []
        if SECTOR_INPUT in inputs:
            activity = _table(warehouse, inputs[SECTOR_INPUT])
            expression = pipeline.sector_accounts(activities=activity, factors=table, year=year)
            sectors = con.to_pyarrow(
                expression.order_by(["domain", "county_code", "activity"])
            ).to_pylist()
    by_code = {r["credit_code"]: r for r in records}
    published_monthly = _monthly_rows(monthly_rows, by_code, table, year)
    for record in records:
        record["by_source"]["monthly"] = {
            _month_key(m["month"]): round(float(m["total_tco2"] or 0.0), 6)
            for m in monthly_rows
            if m["credit_code"] == record["credit_code"]
        }
    accounted = [s for s in sectors if s.get("factor") is not None and s.get("tco2") is not None]
    unknown = sorted(
        {(s["domain"], s["activity"], s["unit"]) for s in sectors if s not in accounted}
    )
    by_domain: dict[str, float] = defaultdict(float)
    for s in accounted:
        by_domain[s["domain"]] += float(s["tco2"])
    sector_report = {
        "rows": len(accounted),
        "without_factor": len(sectors) - len(accounted),
        "activities_without_factor": [
            {"domain": d, "activity": a, "unit": u} for d, a, u in unknown[:10]
        ],
        "tco2_by_domain": {k: round(v, 3) for k, v in sorted(by_domain.items())},
    }
    return _Computed(records, published_monthly, accounted, sector_report)


def _monthly_rows(
    rows: list[dict[str, Any]],
    by_code: Mapping[str, Mapping[str, Any]],
    table: standard.FactorTable,
    year: int,
) -> list[dict[str, Any]]:
    """The pipeline's wide monthly rows as the published long form: one row per source."""
    factors: dict[str, float] = {}
    for source in standard.SOURCES:
        if source in standard.FUELS and source not in table.fuels:
            continue
        factors[source] = standard.source_factor(source, table, year, REGION)[0]
    out = []
    for row in rows:
        who = by_code.get(row["credit_code"], {})
        for source, factor in factors.items():
            tco2 = row.get(f"{source}_tco2")
            if not tco2:
                continue
            out.append(
                {
                    "credit_code": row["credit_code"],
                    "enterprise_name": who.get("name"),
                    "county_code": who.get("county_code"),
                    "industry_code": who.get("industry_code"),
                    "month": row["month"],
                    "source": source,
                    "factor": factor,
                    "factor_unit": f"tCO2/{standard.BASE_UNIT[source]}",
                    "tco2": tco2,
                }
            )
    return out


def _annual_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "credit_code": r["credit_code"],
            "enterprise_name": r.get("name"),
            "county_code": r.get("county_code"),
            "industry_code": r.get("industry_code"),
            "months_reported": r.get("months_reported"),
            "total_tco2": r.get("total_tco2"),
            "gross_output": r.get("gross_output"),
            "value_added": r.get("value_added"),
            "intensity": r.get("intensity"),
            "advancement": r.get("advancement"),
            "contribution": r.get("contribution"),
            "decline": r.get("decline"),
            "score": r.get("score"),
            "colour": r.get("colour"),
            "efficiency_level": r.get("efficiency_level"),
            "problems": ",".join(p["code"] for p in r["problems"]),
        }
        for r in records
    ]


def _save_accounts(run: AccountingRun, computed: _Computed) -> None:
    EnterpriseAccount.objects.bulk_create(
        (
            EnterpriseAccount(
                run=run,
                year=run.year,
                credit_code=r["credit_code"],
                name=(r.get("name") or "")[:200],
                county_code=(r.get("county_code") or "")[:6],
                industry_code=(r.get("industry_code") or "")[:5],
                months_reported=r.get("months_reported") or 0,
                by_source=r["by_source"],
                total_tco2=float(r.get("total_tco2") or 0.0),
                gross_output=r.get("gross_output"),
                value_added=r.get("value_added"),
                intensity=r.get("intensity"),
                advancement=r.get("advancement"),
                contribution=r.get("contribution"),
                decline=r.get("decline"),
                score=r.get("score"),
                colour=r.get("colour") or "",
                efficiency_level=r.get("efficiency_level"),
                explanation=r["explanation"],
                problems=r["problems"],
            )
            for r in computed.records
        ),
        batch_size=500,
    )
    SectorAccount.objects.bulk_create(
        (
            SectorAccount(
                run=run,
                domain=s["domain"],
                county_code=s["county_code"],
                year=run.year,
                activity=s["activity"],
                quantity=float(s["quantity"]),
                unit=s["unit"],
                factor=float(s["factor"]),
                tco2=float(s["tco2"]),
            )
            for s in computed.sectors
        ),
        batch_size=500,
    )


def _drop_orphan_versions() -> list[str]:
    """Drop warehouse tables of derived-dataset versions the catalogue does not hold complete
    (left by a run that was rolled back, or killed); their names."""
    dropped = []
    codes = [d.code for d in DERIVED]
    complete = set(
        Version.objects.filter(dataset__code__in=codes, state=Version.State.COMPLETE).values_list(
            "dataset__code", "number"
        )
    )
    with open_warehouse() as warehouse:
        for code in codes:
            for number in engine.list_versions(warehouse, code):
                if (code, number) not in complete:
                    engine.drop_version(warehouse, code, number)
                    dropped.append(engine.table_name(code, number))
    return dropped


def _start(
    *, year: int, factor_set: FactorSet, by: User, request: HttpRequest | None
) -> AccountingRun:
    """Record the run as RUNNING — one run at a time, since runs share the derived datasets.

    A RUNNING run whose process still lives refuses this one; one whose process is gone (it
    was killed) is marked FAILED and its leftover warehouse tables dropped. The active factor
    set's row is locked meanwhile, so two runs starting together wait for each other.
    """
    busy: AccountingRun | None = None
    with transaction.atomic():
        FactorSet.objects.select_for_update().filter(pk=factor_set.pk).first()
        for running in AccountingRun.objects.filter(state=AccountingRun.State.RUNNING):
            holder = str((running.report or {}).get("process", ""))
            if holder and process_alive(holder):
                busy = running
                break
            running.state = AccountingRun.State.FAILED
            running.is_current = False
            running.error = "interrupted: the process running it stopped"
            running.finished_at = timezone.now()
            running.save(update_fields=["state", "is_current", "error", "finished_at"])
        if busy is None:
            _drop_orphan_versions()
            return AccountingRun.objects.create(
                year=year,
                factor_set=factor_set,
                state=AccountingRun.State.RUNNING,
                started_by=by,
                report={"process": this_process()},
            )
    _refuse(  # outside the transaction, so the refusal's audit entry stays
        by,
        "run_in_progress",
        _("The accounting for %(year)s started at %(at)s is still running.")
        % {"year": busy.year, "at": timezone.localtime(busy.started_at).strftime("%Y-%m-%d %H:%M")},
        request,
    )


def accounting_run(
    *,
    year: int,
    by: User,
    request: HttpRequest | None = None,
    progress: Progress | None = None,
) -> AccountingRun:
    """Account ``year`` from the warehouse with the active factor set; the complete run.

    Raises ``PermissionDenied`` unless ``by`` is a data steward of the carbon department,
    ``RunRefused`` when the run cannot start and ``RunFailed`` (the run recorded FAILED) when
    it fails part-way. ``progress`` is told each stage as it starts.
    """
    require_carbon_steward(by, request=request)
    say = progress or (lambda stage: None)
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not 2000 <= year <= this_year:
        _refuse(
            by,
            "bad_year",
            _("Choose a year from 2000 to %(year)s.") % {"year": this_year},
            request,
            year=str(year)[:10],
        )
    factor_set = active_factor_set()
    if factor_set is None:
        _refuse(
            by,
            "no_factor_set",
            _("No emission-factor set is active: activate one before running the accounting."),
            request,
        )
    say(_("Checking the input data"))
    inputs = _inputs(year, by, request)
    run = _start(year=year, factor_set=factor_set, by=by, request=request)
    try:
        say(_("Computing emissions and grades"))
        computed = _compute(year=year, inputs=inputs, factor_set=factor_set)
        say(_("Publishing the results"))
        with transaction.atomic():
            published = results_publish(
                by=by,
                year=year,
                run_id=run.pk,
                factor_set=factor_set,
                monthly=computed.monthly,
                annual=_annual_rows(computed.records),
                inputs={code: item.dataset for code, item in inputs.items()},
                request=request,
            )
            _save_accounts(run, computed)
            AccountingRun.objects.filter(year=year, is_current=True).exclude(pk=run.pk).update(
                is_current=False
            )
            report = pipeline.run_report(computed.records)
            report.update(
                factor_version=factor_set.version,
                inputs={
                    code: {
                        "version": item.version.number,
                        "rows_quarantined": item.version.rows_quarantined,
                    }
                    for code, item in sorted(inputs.items())
                },
                outputs=published.versions,
                sectors=computed.sector_report,
            )
            run.state = AccountingRun.State.COMPLETE
            run.is_current = True
            run.finished_at = timezone.now()
            run.report = report
            run.save()
            say(_("Opening tasks for warnings"))
            warned = run_warnings_raise(run=run, by=by, request=request)
            run.report["warnings"] = warned.as_report()
            run.save(update_fields=["report"])
            audit_record(
                action="carbon.run",
                actor=by,
                target=run,
                request=request,
                details={
                    "year": year,
                    "factor_version": factor_set.version,
                    "enterprises": report["enterprises"],
                    "graded": report["graded"],
                    "outputs": published.versions,
                    "tasks_opened": warned.opened,
                },
            )
    except Exception as error:
        _drop_orphan_versions()
        run.state = AccountingRun.State.FAILED
        run.is_current = False
        run.error = f"{type(error).__name__}: {error}"[:4000]
        run.finished_at = timezone.now()
        run.report = {}
        run.save()
        audit_record(
            action="carbon.run",
            actor=by,
            target=run,
            outcome=Outcome.FAILURE,
            request=request,
            details={"year": year, "error": run.error[:500]},
        )
        raise RunFailed(run, run.error) from error
    return run
