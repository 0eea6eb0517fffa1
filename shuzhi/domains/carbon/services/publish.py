"""A run's results as derived datasets in the catalogue (派生数据集): enterprise monthly emissions
(``carbon_emission_monthly``), the annual carbon account with its grade (``carbon_account_annual``)
and the emission-factor table they used (``carbon_emission_factors``).

The datasets are registered and published through the catalogue services (owner
``settings.CARBON_DEPARTMENT``, fields graded, shared on conditions, not opened), and each run's
rows are written to a Parquet file and loaded with the warehouse's ``ingest``, so versions,
quality and all-or-nothing loading come from the platform. A version holds every year's
current results: the rows of the other years are carried over from the version before.
Lineage edges name the inputs and the transformation, with the factor version.

Every public function checks that the caller is a data steward of the carbon department.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.http import HttpRequest

from shuzhi.platform.accounts.models import Department, Division, User
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
from shuzhi.platform.warehouse.connection import open_warehouse
from shuzhi.platform.warehouse.engine import table_name
from shuzhi.platform.warehouse.selectors import current_version
from shuzhi.platform.warehouse.services import ingest

from ..models import FactorSet

MONTHLY: Final = "carbon_emission_monthly"
ANNUAL: Final = "carbon_account_annual"
FACTORS: Final = "carbon_emission_factors"
# The warehouse inputs of an enterprise's account, and the five domains' activity data.
ENERGY_INPUTS: Final = (
    "enterprise_electricity_monthly",
    "enterprise_gas_monthly",
    "enterprise_coal_oil_monthly",
    "enterprise_heat_export_monthly",
)
OUTPUT_INPUT: Final = "enterprise_output_monthly"
SECTOR_INPUT: Final = "carbon_sector_activity"
CITY: Final = "330800"
_PLACES: Final = 6  # decimal places kept in the published figures
_RUN_PERMISSION: Final = "warehouse.ingest"  # the steward loads the derived datasets


def require_carbon_steward(
    by: Any, *, action: str = "carbon.run", request: HttpRequest | None = None
) -> None:
    """Raise ``PermissionDenied`` (audited) unless ``by`` is a data steward (数据管理员) of
    ``settings.CARBON_DEPARTMENT``: the one who runs the accounting and owns its datasets."""
    require_steward_of(
        by,
        department_code=settings.CARBON_DEPARTMENT,
        perm=_RUN_PERMISSION,
        action=action,
        request=request,
    )


# --- The derived datasets, as data ---------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    name: str
    label: str
    label_en: str
    data_type: str
    grade: int = Grade.L1
    semantic_type: str = "text"
    nullable: bool = True
    is_key: bool = False
    unit: str = ""
    code_table: str | None = None
    min_value: Decimal | None = None


@dataclass(frozen=True)
class _Derived:
    code: str
    name: str
    name_en: str
    description: str
    grade: int
    share_condition: str
    fields: tuple[_Field, ...]


_SHARE_CONDITION: Final = (
    "涉及企业能源消费和经营信息。政府部门为履行碳达峰碳中和、产业政策、节能监察等法定职责"
    "申请，经发改部门审核后共享；金融机构仅可申请评价结果（四色、碳效等级、强度），用于绿色"
    "信贷的，须经企业授权，并不得向第三方转提供。"
)


def _keys() -> tuple[_Field, ...]:
    return (
        _Field(
            "credit_code",
            "统一社会信用代码",
            "Unified social credit code",
            DataType.STRING,
            semantic_type="credit_code",
            nullable=False,
            is_key=True,
        ),
        _Field("enterprise_name", "企业名称", "Enterprise name", DataType.STRING),
        _Field(
            "county_code",
            "所在区县",
            "County (GB/T 2260)",
            DataType.STRING,
            semantic_type="division_code",
            code_table="gbt2260",
        ),
        _Field(
            "industry_code",
            "行业代码",
            "Industry (GB/T 4754-2017)",
            DataType.STRING,
            semantic_type="industry_code",
            code_table="gbt4754",
        ),
    )


def _figure(name: str, label: str, label_en: str, unit: str = "", grade: int = Grade.L2) -> _Field:
    return _Field(name, label, label_en, DataType.DECIMAL, grade, "amount", unit=unit)


def _provenance() -> tuple[_Field, ...]:
    return (
        _Field(
            "factor_version",
            "排放因子版本",
            "Emission factor version",
            DataType.STRING,
            nullable=False,
        ),
        _Field("run_id", "核算批次", "Accounting run", DataType.INTEGER, nullable=False),
    )


DERIVED: Final[tuple[_Derived, ...]] = (
    _Derived(
        code=MONTHLY,
        name="企业月度碳排放",
        name_en="Monthly enterprise carbon emissions",
        description=(
            "按 GB/T 32150-2015 系列标准，由企业月度用电、用气、用煤用油、外购热力和能源输出"
            "数据与排放因子核算的分排放源月度二氧化碳排放量；每行注明所用排放因子版本和核算批次。"
        ),
        grade=Grade.L2,
        share_condition=_SHARE_CONDITION,
        fields=(
            *_keys(),
            _Field("year", "年度", "Year", DataType.INTEGER, nullable=False),
            _Field(
                "month",
                "统计月份",
                "Month (first day)",
                DataType.DATE,
                semantic_type="date",
                nullable=False,
                is_key=True,
            ),
            _Field(
                "source", "排放源", "Emission source", DataType.STRING, nullable=False, is_key=True
            ),
            _figure("factor", "排放因子", "Emission factor used", grade=Grade.L1),
            _Field("factor_unit", "排放因子单位", "Unit of the factor", DataType.STRING),
            _figure("tco2", "二氧化碳排放量", "Emissions", "tCO2"),
            *_provenance(),
        ),
    ),
    _Derived(
        code=ANNUAL,
        name="企业年度碳账户",
        name_en="Annual enterprise carbon account",
        description=(
            "工业企业年度碳排放总量、碳排放强度（吨二氧化碳/万元增加值），行业先进性、区域贡献度、"
            "历史下降法三维评价得分和四色评价（深绿、浅绿、黄、红），以及碳效码等级"
            "（DB33/T 1347-2023）；数据缺漏的企业不评价，并注明原因。"
        ),
        grade=Grade.L2,
        share_condition=_SHARE_CONDITION,
        fields=(
            *_keys(),
            _Field("year", "年度", "Year", DataType.INTEGER, nullable=False, is_key=True),
            _Field("months_reported", "报送月数", "Months reported", DataType.INTEGER),
            _figure("total_tco2", "年度碳排放量", "Annual emissions", "tCO2"),
            _figure("gross_output", "工业总产值", "Gross output", "万元"),
            _figure("value_added", "工业增加值", "Value added", "万元"),
            _figure("intensity", "碳排放强度", "Carbon intensity", "tCO2/万元"),
            _figure("advancement", "行业先进性", "Industry advancement", grade=Grade.L1),
            _figure("contribution", "区域贡献度", "Regional contribution", grade=Grade.L1),
            _figure("decline", "历史下降", "Historical decline", grade=Grade.L1),
            _figure("score", "综合得分", "Composite score", grade=Grade.L1),
            _Field("colour", "四色评价", "Colour grade", DataType.STRING),
            _Field("efficiency_level", "碳效等级", "Carbon efficiency level", DataType.INTEGER),
            _Field("problems", "数据问题", "Data problems", DataType.STRING),
            *_provenance(),
        ),
    ),
    _Derived(
        code=FACTORS,
        name="碳排放因子表",
        name_en="Carbon emission factors",
        description=(
            "碳账户核算所用的排放因子：燃料低位发热量、单位热值含碳量和碳氧化率，电网排放因子，"
            "外购热力因子，以及能源、建筑、交通、农业（林业）、居民生活领域的活动排放因子；"
            "按版本保存，注明来源。"
        ),
        grade=Grade.L1,
        share_condition="",
        fields=(
            _Field(
                "factor_version",
                "因子版本",
                "Factor version",
                DataType.STRING,
                nullable=False,
                is_key=True,
            ),
            _Field("kind", "类别", "Kind", DataType.STRING, nullable=False, is_key=True),
            _Field("item", "项目", "Item", DataType.STRING, nullable=False, is_key=True),
            _Field("domain", "领域", "Domain", DataType.STRING),
            _Field("region", "区域", "Region", DataType.STRING),
            _Field("year", "年度", "Year", DataType.INTEGER),
            _figure("value", "因子值", "Value", grade=Grade.L1),
            _Field("unit", "单位", "Unit", DataType.STRING),
            _Field("source", "来源", "Source", DataType.STRING),
        ),
    ),
)
DERIVED_BY_CODE: Final = {d.code: d for d in DERIVED}


def _register(definition: _Derived, *, by: User, owner: Department, request: Any) -> Dataset:
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
                "unit": f.unit,
                "code_table": tables.get(f.code_table) if f.code_table else None,
                "min_value": f.min_value,
            },
        )
        for f in definition.fields
    ]
    factors = definition.code == FACTORS
    return dataset_create(
        by=by,
        code=definition.code,
        owner=owner,
        fields=fields,
        request=request,
        name=definition.name,
        name_en=definition.name_en,
        description=definition.description,
        division=Division.objects.get(code=CITY),
        theme=Theme.objects.filter(code="energy").first(),
        frequency="yearly",
        share_attribute=ShareAttribute.UNCONDITIONAL if factors else ShareAttribute.CONDITIONAL,
        share_condition=definition.share_condition,
        open_attribute=OpenAttribute.OPEN if factors else OpenAttribute.CLOSED,
        grade=definition.grade,
        tags=["碳账户", "双碳", "派生数据"],
    )


def derived_datasets_ensure(*, by: User, request: HttpRequest | None = None) -> dict[str, Dataset]:
    """The three derived datasets, registered and published by ``by`` if not yet (idempotent)."""
    require_carbon_steward(by, request=request)
    owner = Department.objects.get(code=settings.CARBON_DEPARTMENT)
    found: dict[str, Dataset] = {}
    for definition in DERIVED:
        dataset = Dataset.objects.filter(code=definition.code).first()
        if dataset is None:
            dataset = _register(definition, by=by, owner=owner, request=request)
        if dataset.status == Status.DRAFT:
            dataset = dataset_publish(dataset=dataset, by=by, request=request)
        found[definition.code] = dataset
    return found


# --- Rows to Parquet to a new version -----------------------------------------------------------


def _arrow_type(field: _Field) -> pa.DataType:
    return {
        DataType.STRING: pa.string(),
        DataType.INTEGER: pa.int64(),
        DataType.DECIMAL: pa.decimal128(28, _PLACES),
        DataType.DATE: pa.date32(),
        DataType.BOOLEAN: pa.bool_(),
    }[DataType(field.data_type)]


def _cell(field: _Field, value: Any) -> Any:
    if value is None or value == "":
        return None
    if field.data_type == DataType.DECIMAL:
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            return None  # not a figure (e.g. an intensity over no value added)
        return Decimal(repr(round(number, _PLACES))).quantize(Decimal(1).scaleb(-_PLACES))
    if field.data_type == DataType.INTEGER:
        return int(value)
    if field.data_type == DataType.DATE:
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return str(value)


def _arrow_table(definition: _Derived, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    schema = pa.schema([(f.name, _arrow_type(f)) for f in definition.fields])
    columns: dict[str, list[Any]] = {f.name: [] for f in definition.fields}
    for row in rows:
        for f in definition.fields:
            columns[f.name].append(_cell(f, row.get(f.name)))
    return pa.table(columns, schema=schema)


def _carried_over(dataset: Dataset, definition: _Derived, keep: Any) -> pa.Table | None:
    """Rows of the current version that this load keeps (``keep`` builds an Ibis filter)."""
    version = current_version(dataset)
    if version is None:
        return None
    names = [f.name for f in definition.fields]
    with open_warehouse() as warehouse:
        table = warehouse.connection.table(table_name(dataset.code, version.number))
        kept = table.filter(keep(table)).select(*names).to_pyarrow()
    schema = pa.schema([(f.name, _arrow_type(f)) for f in definition.fields])
    return kept.cast(schema)


def _load(
    dataset: Dataset,
    table: pa.Table,
    *,
    by: User,
    display_name: str,
    request: HttpRequest | None,
) -> int:
    """Write ``table`` to Parquet and ingest it as the dataset's new version; its number."""
    folder = Path(settings.DATA_DIR) / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="carbon-", dir=folder) as work:
        path = Path(work) / display_name
        pq.write_table(table, path)
        report = ingest(
            dataset=dataset, path=path, by=by, request=request, display_name=display_name
        )
    if report.rows_quarantined:
        # our own rows failing the catalogue's checks is a fault in the run, not bad input
        raise RuntimeError(
            f"{dataset.code}: {report.rows_quarantined} computed rows failed the catalogue's "
            f"checks, e.g. {report.quarantine[:1]}"
        )
    return int(report.version)


def _factor_rows(factor_set: FactorSet) -> list[dict[str, Any]]:
    version = factor_set.version
    rows: list[dict[str, Any]] = []
    for fuel in factor_set.fuels.all():
        unit = fuel.ncv_unit.split("/", 1)[-1]
        factor = float(fuel.ncv) * float(fuel.carbon_content) / 1000 * float(fuel.oxidation)
        rows.append(
            {
                "kind": "fuel",
                "item": fuel.fuel,
                "value": factor * 44 / 12,
                "unit": f"tCO2/{unit}",
                "source": f"NCV {fuel.ncv} {fuel.ncv_unit}, {fuel.carbon_content} tC/TJ, "
                f"oxidation {fuel.oxidation}; {fuel.source}",
            }
        )
    for grid in factor_set.grids.all():
        rows.append(
            {
                "kind": "grid",
                "item": f"{grid.region}/{grid.year}",
                "region": grid.region,
                "year": grid.year,
                "value": grid.value,
                "unit": "tCO2/MWh",
                "source": grid.source,
            }
        )
    rows.append(
        {
            "kind": "heat",
            "item": "purchased_heat",
            "value": factor_set.heat_factor,
            "unit": "tCO2/GJ",
            "source": factor_set.heat_source,
        }
    )
    for activity in factor_set.activities.all():
        rows.append(
            {
                "kind": "activity",
                "item": f"{activity.domain}/{activity.activity}",
                "domain": activity.domain,
                "value": activity.value,
                "unit": f"tCO2/{activity.unit}",
                "source": activity.source,
            }
        )
    for row in rows:
        row["factor_version"] = version
        row["source"] = str(row.get("source") or "")[:500]
    return rows


@dataclass(frozen=True)
class Published:
    """The versions a run loaded: dataset code → version number (factors only when new)."""

    versions: dict[str, int]


def results_publish(
    *,
    by: User,
    year: int,
    run_id: int,
    factor_set: FactorSet,
    monthly: Sequence[Mapping[str, Any]],
    annual: Sequence[Mapping[str, Any]],
    inputs: Mapping[str, Dataset],
    request: HttpRequest | None = None,
) -> Published:
    """Load a run's rows as new versions of the derived datasets, with lineage to the inputs.

    ``monthly`` and ``annual`` rows hold the fields of ``DERIVED`` (``year``, ``run_id`` and
    ``factor_version`` are filled in here). The other years' rows are carried over. Call it
    inside the run's transaction: a failure then leaves the catalogue's versions as they were
    (the caller drops the warehouse tables of versions that were rolled back).
    """
    require_carbon_steward(by, request=request)
    datasets = derived_datasets_ensure(by=by, request=request)
    stamp = {"year": year, "run_id": run_id, "factor_version": factor_set.version}
    versions: dict[str, int] = {}

    factors = datasets[FACTORS]
    held = _carried_over(factors, DERIVED_BY_CODE[FACTORS], lambda t: t.factor_version.notnull())
    held_versions = set(held.column("factor_version").to_pylist()) if held is not None else set()
    if factor_set.version not in held_versions:
        new = _arrow_table(DERIVED_BY_CODE[FACTORS], _factor_rows(factor_set))
        table = pa.concat_tables([held, new]) if held is not None else new
        versions[FACTORS] = _load(
            factors, table, by=by, display_name=f"{FACTORS}.parquet", request=request
        )

    for code, rows in ((MONTHLY, monthly), (ANNUAL, annual)):
        definition = DERIVED_BY_CODE[code]
        new = _arrow_table(definition, ({**row, **stamp} for row in rows))
        held = _carried_over(datasets[code], definition, lambda t: t.year != year)
        table = pa.concat_tables([held, new]) if held is not None else new
        versions[code] = _load(
            datasets[code], table, by=by, display_name=f"{code}-{year}.parquet", request=request
        )

    _lineage(datasets, inputs, factor_set.version, by=by, request=request)
    return Published(versions=versions)


def _lineage(
    derived: Mapping[str, Dataset],
    inputs: Mapping[str, Dataset],
    version: str,
    *,
    by: User,
    request: HttpRequest | None,
) -> None:
    edges: list[tuple[Dataset, Dataset, str]] = []
    for code in ENERGY_INPUTS:
        if code in inputs:
            edges.append(
                (
                    inputs[code],
                    derived[MONTHLY],
                    f"碳排放核算（GB/T 32150-2015）：月度能源消费量 × 排放因子，净购入电力和热力"
                    f"计入、输出电力和热力扣减（排放因子版本 {version}）",
                )
            )
    edges.append(
        (
            derived[FACTORS],
            derived[MONTHLY],
            f"按核算年度和区域选取燃料、电网和热力排放因子（排放因子版本 {version}）",
        )
    )
    if OUTPUT_INPUT in inputs:
        edges.append(
            (
                inputs[OUTPUT_INPUT],
                derived[ANNUAL],
                f"工业增加值（万元）作分母计算碳排放强度，与行业均值比较定碳效等级"
                f"（排放因子版本 {version}）",
            )
        )
    edges.append(
        (
            derived[MONTHLY],
            derived[ANNUAL],
            f"按企业汇总全年排放；行业先进性、区域贡献度、历史下降法三维评价定四色"
            f"（排放因子版本 {version}）",
        )
    )
    edges.append(
        (
            derived[FACTORS],
            derived[ANNUAL],
            f"年度碳账户所依据的排放因子（排放因子版本 {version}）",
        )
    )
    for source, target, transformation in edges:
        lineage_add(
            source=source, target=target, transformation=transformation, by=by, request=request
        )
