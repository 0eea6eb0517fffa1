"""Credit-risk classification runs (信用风险分类) and their derived dataset.

:func:`credit_classify` reads the current versions of the warehouse inputs
(``CREDIT_INPUTS``; the registry is required, a missing other input counts zero points and is
named in the run's report) plus the market cases decided with a penalty and not yet published
in ``administrative_penalty``, computes every registered enterprise's indicator points, score
and class with ``credit_pipeline`` (weights and cuts from the settings), and in one transaction
stores the run's ``CreditClass`` rows with their explanation (the indicators that drove the
class), loads a new version of the graded derived dataset ``market_credit_class`` (catalogue
services + warehouse ingest of a Parquet file, lineage to the inputs), makes the run current
and audits ``market.credit_run``. A run that fails part-way is recorded FAILED and nothing else
it wrote remains.

When it runs: monthly (``tasks.classify_monthly``, registered as the recurring schedule
``market.credit`` — the worker starts it), by a data steward of ``settings.MARKET_DEPARTMENT``
(市场监管局) from the page, and when a new administrative penalty arrives: deciding a market
case with a penalty (``services/cases.py``) queues ``tasks.reclassify_after_penalty``, which
calls :func:`credit_reclassify_on_penalty` with the penalised enterprise's credit code (checked:
an invalid code is refused with the validator's reason) and runs the classification again.

Every public function checks that the caller is a data steward of the market department.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, NoReturn

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.audit.models import Outcome
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.catalog.models import (
    CodeTable,
    Dataset,
    DataType,
    Grade,
    OpenAttribute,
    ShareAttribute,
    Status,
    Theme,
)
from shuzhi.platform.catalog.services import (
    FieldInput,
    dataset_create,
    dataset_publish,
    lineage_add,
    require_steward_of,
)
from shuzhi.platform.security.identifiers import check_credit_code
from shuzhi.platform.warehouse import engine
from shuzhi.platform.warehouse.connection import open_warehouse
from shuzhi.platform.warehouse.models import Version
from shuzhi.platform.warehouse.selectors import current_version
from shuzhi.platform.warehouse.services import ingest

from .. import credit, credit_pipeline
from ..models import Case, CreditClass, CreditRun
from ..refusals import MarketRefused, audit_refusal

DERIVED: Final = "market_credit_class"
CITY: Final = "330800"
# warehouse dataset code → the pipeline's input name
CREDIT_INPUTS: Final = {
    "enterprise_registry": "registry",
    "administrative_penalty": "penalty",
    "abnormal_operation_list": "abnormal",
    "enterprise_tax_quarterly": "tax",
    "social_insurance_enrolment": "insurance",
    "patent": "patent",
    "service_case": "cases",
}
DEREGISTERED_STATUS: Final = "注销"  # the registry's status of an enterprise that has ended
STALE_HOURS: Final = 6  # a run still RUNNING after this long was interrupted
_RUN_PERMISSION: Final = "warehouse.ingest"  # the steward loads the derived dataset


class CreditRefused(MarketRefused):
    """The run cannot start (audited)."""


def require_market_steward(
    by: Any, *, action: str = "market.credit_run", request: HttpRequest | None = None
) -> None:
    """Raise ``PermissionDenied`` (audited) unless ``by`` is a data steward (数据管理员) of
    ``settings.MARKET_DEPARTMENT``: the one who runs the classification and owns its dataset."""
    require_steward_of(
        by,
        department_code=settings.MARKET_DEPARTMENT,
        perm=_RUN_PERMISSION,
        action=action,
        request=request,
    )


def _refuse(
    by: User, code: str, message: str, request: HttpRequest | None, **details: Any
) -> NoReturn:
    audit_refusal(action="market.credit_run", by=by, code=code, request=request, details=details)
    raise CreditRefused(code, message)


# --- The derived dataset --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    name: str
    label: str
    label_en: str
    data_type: str
    grade: int = Grade.L2
    semantic_type: str = "text"
    nullable: bool = True
    is_key: bool = False
    code_table: str | None = None


FIELDS: Final[tuple[_Field, ...]] = (
    _Field(
        "credit_code",
        "统一社会信用代码",
        "Unified social credit code",
        DataType.STRING,
        grade=Grade.L1,
        semantic_type="credit_code",
        nullable=False,
        is_key=True,
    ),
    _Field("enterprise_name", "企业名称", "Enterprise name", DataType.STRING, grade=Grade.L1),
    _Field(
        "county_code",
        "所在区县",
        "County (GB/T 2260)",
        DataType.STRING,
        grade=Grade.L1,
        semantic_type="division_code",
        code_table="gbt2260",
    ),
    _Field(
        "industry_code",
        "行业代码",
        "Industry (GB/T 4754-2017)",
        DataType.STRING,
        grade=Grade.L1,
        semantic_type="industry_code",
        code_table="gbt4754",
    ),
    _Field("as_of", "分类基准日", "Reference date", DataType.DATE, semantic_type="date"),
    _Field("score", "信用风险得分", "Credit score", DataType.DECIMAL, semantic_type="amount"),
    _Field("credit_class", "信用风险分类", "Credit-risk class (A–D)", DataType.STRING),
    _Field("drivers", "主要扣分指标", "Indicators that drove the class", DataType.STRING),
    _Field("run_id", "分类批次", "Classification run", DataType.INTEGER, nullable=False),
)
_DESCRIPTION: Final = (
    "按《关于推进企业信用风险分类管理进一步提升监管效能的意见》（国市监信发〔2022〕6号），"
    "由市场主体登记、行政处罚、经营异常名录、纳税、社保参保、专利和政务服务评价数据计算的"
    "企业信用风险分类（A 信用风险低、B 信用风险一般、C 信用风险较高、D 信用风险高）、得分和"
    "主要扣分指标；供监管部门内部配置监管资源使用，不对外公开。"
)
_SHARE_CONDITION: Final = (
    "信用风险分类结果是监管部门内部配置“双随机”抽查等监管资源的参考，不作为对企业的公开评价；"
    "仅向履行市场监管、行业监管法定职责的部门共享，不得向社会公开或向第三方转提供。"
)


def credit_dataset_ensure(*, by: User, request: HttpRequest | None = None) -> Dataset:
    """The derived dataset, registered and published by ``by`` if not yet (idempotent)."""
    require_market_steward(by, request=request)
    dataset = Dataset.objects.filter(code=DERIVED).first()
    if dataset is None:
        owner = Department.objects.get(code=settings.MARKET_DEPARTMENT)
        tables = {t.code: t for t in CodeTable.objects.filter(code__in=("gbt2260", "gbt4754"))}
        fields = [
            FieldInput(
                f.name,
                f.label,
                f.data_type,
                {
                    "label_en": f.label_en,
                    "semantic_type": f.semantic_type,
                    "grade": f.grade,
                    "nullable": f.nullable,
                    "is_key": f.is_key,
                    "code_table": tables.get(f.code_table) if f.code_table else None,
                },
            )
            for f in FIELDS
        ]
        dataset = dataset_create(
            by=by,
            code=DERIVED,
            owner=owner,
            fields=fields,
            request=request,
            name="企业信用风险分类结果",
            name_en="Enterprise credit-risk classes",
            description=_DESCRIPTION,
            division=Division.objects.get(code=CITY),
            theme=Theme.objects.filter(code="credit").first(),
            frequency="monthly",
            share_attribute=ShareAttribute.CONDITIONAL,
            share_condition=_SHARE_CONDITION,
            open_attribute=OpenAttribute.CLOSED,
            grade=Grade.L2,
            tags=["信用监管", "信用风险分类", "派生数据"],
        )
    if dataset.status == Status.DRAFT:
        dataset = dataset_publish(dataset=dataset, by=by, request=request)
    return dataset


def _arrow(rows: list[dict[str, Any]], as_of: date, run_id: int) -> pa.Table:
    return pa.table(
        {
            "credit_code": pa.array([r["credit_code"] for r in rows], pa.string()),
            "enterprise_name": pa.array([r["enterprise_name"] for r in rows], pa.string()),
            "county_code": pa.array([r["county_code"] or None for r in rows], pa.string()),
            "industry_code": pa.array([r["industry_code"] or None for r in rows], pa.string()),
            "as_of": pa.array([as_of] * len(rows), pa.date32()),
            "score": pa.array(
                [Decimal(str(r["score"])).quantize(Decimal("0.01")) for r in rows],
                pa.decimal128(8, 2),
            ),
            "credit_class": pa.array([r["credit_class"] for r in rows], pa.string()),
            "drivers": pa.array(
                [",".join(d["indicator"] for d in r["explanation"]) or None for r in rows],
                pa.string(),
            ),
            "run_id": pa.array([run_id] * len(rows), pa.int64()),
        }
    )


def _publish(
    *,
    by: User,
    rows: list[dict[str, Any]],
    as_of: date,
    run_id: int,
    inputs: dict[str, Dataset],
    request: HttpRequest | None,
) -> int:
    dataset = credit_dataset_ensure(by=by, request=request)
    folder = Path(settings.DATA_DIR) / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{DERIVED}-{as_of.isoformat()}.parquet"
    with tempfile.TemporaryDirectory(prefix="market-", dir=folder) as work:
        path = Path(work) / name
        pq.write_table(_arrow(rows, as_of, run_id), path)
        report = ingest(dataset=dataset, path=path, by=by, request=request, display_name=name)
    if report.rows_quarantined:
        raise RuntimeError(
            f"{DERIVED}: {report.rows_quarantined} computed rows failed the catalogue's checks, "
            f"e.g. {report.quarantine[:1]}"
        )
    for source in inputs.values():
        lineage_add(
            source=source,
            target=dataset,
            transformation=(
                "企业信用风险分类（国市监信发〔2022〕6号）：通用指标（基础属性、动态经营、监管"
                "信息、关联关系、社会评价）和专业指标（食品、特种设备）计分，按权重扣分定 A–D 类"
            ),
            by=by,
            request=request,
        )
    return int(report.version)


# --- The run ------------------------------------------------------------------------------------


def _inputs() -> dict[str, tuple[Dataset, Version]]:
    found = {}
    for dataset in Dataset.objects.filter(code__in=CREDIT_INPUTS, status=Status.PUBLISHED):
        version = current_version(dataset)
        if version is not None:
            found[dataset.code] = (dataset, version)
    return found


def _with_decided_cases(penalty: Any, *, as_of: date) -> Any:
    """The penalties the classification counts: the published decisions of the warehouse
    (``administrative_penalty``) and the market cases decided with a penalty (处罚, 减轻处罚) up to
    ``as_of`` that are not published there yet (matched on the decision number), so a penalty
    counts from the day it is decided — the trigger of a ``PENALTY`` run."""
    decided = list(
        Case.objects.filter(
            outcome__in=(Case.Outcome.PENALTY, Case.Outcome.REDUCED),
            decided_on__isnull=False,
            decided_on__lte=as_of,
        ).values_list("number", "credit_code", "decided_on")
    )
    if not decided:
        return penalty
    cases = ibis.memtable(
        pa.table(
            {
                "decision_number": pa.array([number for number, _c, _d in decided], pa.string()),
                "credit_code": pa.array([code for _n, code, _d in decided], pa.string()),
                "decided_on": pa.array([day for _n, _c, day in decided], pa.date32()),
            }
        )
    )
    if penalty is None:
        return cases
    published = penalty.select(
        decision_number=penalty.decision_number.cast("string"),
        credit_code=penalty.credit_code.cast("string"),
        decided_on=penalty.decided_on.cast("date"),
    )
    unpublished = cases.anti_join(published, "decision_number")
    return published.union(unpublished)


def _compute(
    inputs: dict[str, tuple[Dataset, Version]],
    *,
    as_of: date,
    weights: dict[str, float],
    cuts: tuple[float, float, float],
) -> list[dict[str, Any]]:
    with open_warehouse() as warehouse:
        con = warehouse.connection
        tables = {
            CREDIT_INPUTS[code]: con.table(engine.table_name(code, version.number))
            for code, (_dataset, version) in inputs.items()
        }
        registry = tables["registry"]
        if "legal_representative__token" in registry.columns:  # encrypted: equal tokens match
            tables["registry"] = registry.mutate(
                legal_representative=registry["legal_representative__token"]
            )
        tax = tables.get("tax")
        if tax is not None and "total_tax__token" in tax.columns:  # encrypted: rows only
            tables["tax"] = tax.select("credit_code", "quarter")
        penalty = _with_decided_cases(tables.get("penalty"), as_of=as_of)
        if penalty is not None:
            tables["penalty"] = penalty
        expression = credit_pipeline.classify(
            tables=tables, as_of=as_of, weights=weights, cuts=cuts
        )
        rows: list[dict[str, Any]] = con.to_pyarrow(expression.order_by("credit_code")).to_pylist()
        # a deregistered enterprise no longer exists: it gets no class (its penalties still
        # count for the related enterprises of its legal representative)
        gone = registry.filter(registry.status.cast("string") == DEREGISTERED_STATUS)
        ended = set(con.to_pyarrow(gone.select("credit_code")).column(0).to_pylist())
    rows = [row for row in rows if row["credit_code"] not in ended]
    for row in rows:
        points = {code: row[code] for code in credit.INDICATOR_CODES}
        row["indicators"] = points
        row["explanation"] = credit.explain(points, weights)
    return rows


def _distribution(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "enterprises": len(rows),
        "classes": dict(sorted(Counter(r["credit_class"] for r in rows).items())),
    }


def credit_classify(
    *,
    by: User,
    as_of: date | None = None,
    trigger: str = CreditRun.Trigger.MANUAL,
    request: HttpRequest | None = None,
) -> CreditRun:
    """Classify every registered enterprise as of ``as_of`` (today); the complete run.

    Raises ``PermissionDenied`` unless ``by`` is a data steward of the market department,
    ``CreditRefused`` when the registry has no loaded version or a run is in progress, and
    re-raises the error of a run that failed part-way (the run recorded FAILED).
    """
    require_market_steward(by, request=request)
    day = as_of or timezone.localdate()
    weights = credit.parse_weights(settings.MARKET_CREDIT_WEIGHTS)
    cuts = credit.parse_cuts(settings.MARKET_CREDIT_CUTS)
    inputs = _inputs()
    if "enterprise_registry" not in inputs:
        _refuse(
            by,
            "no_input",
            _("No input data: enterprise_registry has no published, loaded version."),
            request,
        )
    stale = timezone.now() - timedelta(hours=STALE_HOURS)
    CreditRun.objects.filter(state=CreditRun.State.RUNNING, started_at__lt=stale).update(
        state=CreditRun.State.FAILED, error="interrupted: not finished in time"
    )
    if CreditRun.objects.filter(state=CreditRun.State.RUNNING).exists():
        _refuse(by, "run_in_progress", _("A credit classification is still running."), request)
    run = CreditRun.objects.create(
        as_of=day,
        state=CreditRun.State.RUNNING,
        trigger=trigger,
        started_by=by,
        weights=weights,
        cuts=list(cuts),
    )
    try:
        rows = _compute(inputs, as_of=day, weights=weights, cuts=cuts)
        with transaction.atomic():
            version = _publish(
                by=by,
                rows=rows,
                as_of=day,
                run_id=run.pk,
                inputs={code: dataset for code, (dataset, _v) in inputs.items()},
                request=request,
            )
            CreditClass.objects.bulk_create(
                (
                    CreditClass(
                        run=run,
                        credit_code=r["credit_code"],
                        name=(r["enterprise_name"] or "")[:200],
                        county_code=(r["county_code"] or "")[:6],
                        industry_code=(r["industry_code"] or "")[:5],
                        score=r["score"],
                        credit_class=r["credit_class"],
                        indicators=r["indicators"],
                        explanation=r["explanation"],
                    )
                    for r in rows
                ),
                batch_size=1000,
            )
            CreditRun.objects.filter(is_current=True).update(is_current=False)
            report = _distribution(rows)
            report.update(
                inputs={
                    code: version.number for code, (_dataset, version) in sorted(inputs.items())
                },
                missing_inputs=sorted(set(CREDIT_INPUTS) - set(inputs)),
                output={DERIVED: version},
            )
            run.state = CreditRun.State.COMPLETE
            run.is_current = True
            run.finished_at = timezone.now()
            run.report = report
            run.save()
            audit_record(
                action="market.credit_run",
                actor=by,
                target=run,
                request=request,
                details={"as_of": day.isoformat(), "trigger": trigger, **_distribution(rows)},
            )
    except Exception as error:
        with open_warehouse() as warehouse:  # a version the rollback left without a record
            numbers = set(
                Version.objects.filter(
                    dataset__code=DERIVED, state=Version.State.COMPLETE
                ).values_list("number", flat=True)
            )
            for number in engine.list_versions(warehouse, DERIVED):
                if number not in numbers:
                    engine.drop_version(warehouse, DERIVED, number)
        run.state = CreditRun.State.FAILED
        run.error = f"{type(error).__name__}: {error}"[:4000]
        run.finished_at = timezone.now()
        run.save()
        audit_record(
            action="market.credit_run",
            actor=by,
            target=run,
            outcome=Outcome.FAILURE,
            request=request,
            details={"error": run.error[:500]},
        )
        raise
    return run


def credit_reclassify_on_penalty(
    *, credit_code: str, by: User, request: HttpRequest | None = None
) -> CreditRun:
    """The hook for the penalty path: a new penalty of ``credit_code`` was loaded, classify again.

    The decided case counts at once (see ``_with_decided_cases``); a penalty that arrives only in
    the ``administrative_penalty`` dataset counts once that version is loaded. An
    invalid credit code is refused (``CreditRefused`` with code ``bad_credit_code`` and the
    GB 32100 validator's reason) before anything runs.
    """
    require_market_steward(by, request=request)
    checked = check_credit_code(credit_code)
    if not checked.valid:
        _refuse(
            by,
            "bad_credit_code",
            _("Invalid credit code: %(reason)s") % {"reason": checked.reason},
            request,
            credit_code=str(credit_code)[:40],
        )
    return credit_classify(by=by, trigger=CreditRun.Trigger.PENALTY, request=request)
