"""The results as derived catalogue datasets (派生数据集): the daily AQI of each air station
(``environment_daily_aqi``) and the monthly class of each water section against its target
(``section_monthly_class``).

Registered and published through the catalogue services (owner ``settings.ENVIRONMENT_DEPARTMENT``,
the city ecology bureau; not sensitive, shared unconditionally, open), each publication writes
every row again to a Parquet file loaded with the warehouse's ``ingest`` (a new version), and
records lineage from the readings datasets (``air_quality_hourly``, ``surface_water_monthly``)
when the catalogue has them. A data steward of that bureau publishes.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.http import HttpRequest

from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.catalog.models import (
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
from shuzhi.platform.warehouse.services import ingest

from ..models import AirDaily, WaterSample
from ..selectors import results as selectors

__all__ = ["DAILY", "SECTIONS", "require_environment_steward", "results_publish"]

DAILY: Final = "environment_daily_aqi"
SECTIONS: Final = "section_monthly_class"
AIR_INPUT: Final = "air_quality_hourly"
WATER_INPUT: Final = "surface_water_monthly"
CITY: Final = "330800"


@dataclass(frozen=True)
class _Field:
    name: str
    label: str
    label_en: str
    data_type: str
    is_key: bool = False
    unit: str = ""


_DAILY_FIELDS: Final = (
    _Field("station_code", "站点编码", "Station code", DataType.STRING, is_key=True),
    _Field("station_name", "站点名称", "Station name", DataType.STRING),
    _Field("county_code", "所在区县", "County (GB/T 2260)", DataType.STRING),
    _Field("day", "日期", "Day", DataType.DATE, is_key=True),
    _Field("aqi", "空气质量指数", "AQI", DataType.INTEGER),
    _Field("level", "级别", "Level", DataType.INTEGER),
    _Field("primary_pollutants", "首要污染物", "Primary pollutants", DataType.STRING),
    _Field("exceeding_pollutants", "超标污染物", "Exceeding pollutants", DataType.STRING),
    _Field("pm2_5", "PM2.5 日均值", "PM2.5 24-hour mean", DataType.DECIMAL, unit="µg/m³"),
    _Field("pm10", "PM10 日均值", "PM10 24-hour mean", DataType.DECIMAL, unit="µg/m³"),
    _Field("so2", "SO2 日均值", "SO2 24-hour mean", DataType.DECIMAL, unit="µg/m³"),
    _Field("no2", "NO2 日均值", "NO2 24-hour mean", DataType.DECIMAL, unit="µg/m³"),
    _Field("co", "CO 日均值", "CO 24-hour mean", DataType.DECIMAL, unit="mg/m³"),
    _Field("o3_8h", "O3 日最大8小时", "O3 daily max 8-hour", DataType.DECIMAL, unit="µg/m³"),
    _Field("o3_1h", "O3 日最大1小时", "O3 daily max 1-hour", DataType.DECIMAL, unit="µg/m³"),
    _Field("valid_hours", "有效小时数", "Valid hours", DataType.INTEGER),
    _Field("edition", "标准版本", "Edition (HJ 633)", DataType.STRING),
)
_SECTION_FIELDS: Final = (
    _Field("station_code", "断面编码", "Section code", DataType.STRING, is_key=True),
    _Field("station_name", "断面名称", "Section name", DataType.STRING),
    _Field("county_code", "所在区县", "County (GB/T 2260)", DataType.STRING),
    _Field("month", "月份", "Month (first day)", DataType.DATE, is_key=True),
    _Field("samples", "监测次数", "Samples", DataType.INTEGER),
    _Field("water_class", "水质类别", "Water class (GB 3838-2002)", DataType.STRING),
    _Field("target_class", "目标类别", "Target class", DataType.STRING),
    _Field("worse", "不达标", "Worse than target", DataType.BOOLEAN),
    _Field("limiting_factors", "超标因子", "Limiting factors", DataType.STRING),
)
_DEFINITIONS: Final = {
    DAILY: (
        "空气质量日报",
        "Daily air quality (AQI)",
        "各空气质量监测站点按 HJ 633 逐日计算的空气质量指数、级别、首要污染物和超标污染物，"
        "及各污染物日均浓度（有效小时数不足 20 的污染物不计），注明所用标准版本。",
        "daily",
        _DAILY_FIELDS,
    ),
    SECTIONS: (
        "断面月度水质类别",
        "Monthly water class of sections",
        "各地表水监测断面按月平均浓度以 GB 3838-2002 单因子评价法确定的水质类别，与水功能区"
        "目标类别比较是否达标，列出超标因子。",
        "monthly",
        _SECTION_FIELDS,
    ),
}
_ARROW: Final = {
    DataType.STRING: pa.string(),
    DataType.INTEGER: pa.int64(),
    DataType.DECIMAL: pa.float64(),
    DataType.DATE: pa.date32(),
    DataType.BOOLEAN: pa.bool_(),
}


def require_environment_steward(
    by: Any, *, action: str = "environment.results_publish", request: HttpRequest | None = None
) -> None:
    """Raise ``PermissionDenied`` (audited) unless ``by`` is a data steward of the city ecology
    bureau (``settings.ENVIRONMENT_DEPARTMENT``), the owner of the derived datasets."""
    require_steward_of(
        by,
        department_code=settings.ENVIRONMENT_DEPARTMENT,
        perm="warehouse.ingest",
        action=action,
        request=request,
    )


def _ensure(code: str, *, by: User, request: HttpRequest | None) -> Dataset:
    dataset = Dataset.objects.filter(code=code).first()
    if dataset is None:
        name, name_en, description, frequency, fields = _DEFINITIONS[code]
        dataset = dataset_create(
            by=by,
            code=code,
            owner=Department.objects.get(code=settings.ENVIRONMENT_DEPARTMENT),
            fields=[
                FieldInput(
                    f.name,
                    f.label,
                    f.data_type,
                    {"label_en": f.label_en, "is_key": f.is_key, "unit": f.unit, "grade": Grade.L1},
                )
                for f in fields
            ],
            request=request,
            name=name,
            name_en=name_en,
            description=description,
            division=Division.objects.get(code=CITY),
            theme=Theme.objects.filter(code="environment").first(),
            frequency=frequency,
            share_attribute=ShareAttribute.UNCONDITIONAL,
            open_attribute=OpenAttribute.OPEN,
            grade=Grade.L1,
            tags=["生态环境", "派生数据"],
        )
    if dataset.status == Status.DRAFT:
        dataset = dataset_publish(dataset=dataset, by=by, request=request)
    return dataset


def _daily_rows() -> list[dict[str, Any]]:
    rows = []
    for d in AirDaily.objects.select_related("station").order_by("station__code", "day"):
        c = d.concentrations
        rows.append(
            {
                "station_code": d.station.code,
                "station_name": d.station.name,
                "county_code": d.station.division_id,
                "day": d.day,
                "aqi": d.aqi,
                "level": d.level,
                "primary_pollutants": ",".join(d.primary),
                "exceeding_pollutants": ",".join(d.exceeding),
                "pm2_5": c.get("PM2.5"),
                "pm10": c.get("PM10"),
                "so2": c.get("SO2"),
                "no2": c.get("NO2"),
                "co": c.get("CO"),
                "o3_8h": c.get("O3_8h"),
                "o3_1h": c.get("O3_1h"),
                "valid_hours": d.valid_hours,
                "edition": d.edition,
            }
        )
    return rows


def _section_rows() -> list[dict[str, Any]]:
    months = {f"{day:%Y-%m}" for day in WaterSample.objects.values_list("sampled_on", flat=True)}
    return [
        {
            "station_code": row.station.code,
            "station_name": row.station.name,
            "county_code": row.station.division_id,
            "month": date.fromisoformat(f"{row.month}-01"),
            "samples": row.samples,
            "water_class": row.water_class,
            "target_class": row.target,
            "worse": row.worse,
            "limiting_factors": ",".join(row.limiting),
        }
        for row in selectors.section_months(months=months)
    ]


def _load(
    dataset: Dataset,
    fields: tuple[_Field, ...],
    rows: list[dict[str, Any]],
    *,
    by: User,
    request: HttpRequest | None,
) -> int:
    schema = pa.schema([(f.name, _ARROW[DataType(f.data_type)]) for f in fields])
    table = pa.table({f.name: [row.get(f.name) for row in rows] for f in fields}, schema=schema)
    folder = Path(settings.DATA_DIR) / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="environment-", dir=folder) as work:
        path = Path(work) / f"{dataset.code}.parquet"
        pq.write_table(table, path)
        report = ingest(dataset=dataset, path=path, by=by, request=request, display_name=path.name)
    if report.rows_quarantined:
        raise RuntimeError(
            f"{dataset.code}: {report.rows_quarantined} computed rows failed the catalogue's "
            f"checks, e.g. {report.quarantine[:1]}"
        )
    return int(report.version)


def results_publish(*, by: User, request: HttpRequest | None = None) -> dict[str, int]:
    """Publish every daily AQI and section-month class as new dataset versions, with lineage;
    the version number of each dataset."""
    require_environment_steward(by, request=request)
    daily = _ensure(DAILY, by=by, request=request)
    sections = _ensure(SECTIONS, by=by, request=request)
    versions = {
        DAILY: _load(daily, _DAILY_FIELDS, _daily_rows(), by=by, request=request),
        SECTIONS: _load(sections, _SECTION_FIELDS, _section_rows(), by=by, request=request),
    }
    for source_code, target, transformation in (
        (
            AIR_INPUT,
            daily,
            "HJ 633 日报：24 小时均值（≥20 有效小时）、O3 日最大 8 小时滑动平均，按日期所在版本计算 AQI",
        ),
        (WATER_INPUT, sections, "GB 3838-2002 单因子评价：断面月均浓度定类别，与目标类别比较"),
    ):
        source = Dataset.objects.filter(code=source_code).first()
        if source is not None:
            lineage_add(
                source=source, target=target, transformation=transformation, by=by, request=request
            )
    # the publication itself, beside the catalogue's own entries for each step
    audit_record(
        action="environment.results_publish",
        actor=by,
        request=request,
        details={"versions": versions},
    )
    return versions
