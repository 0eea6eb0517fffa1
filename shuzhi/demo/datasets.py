"""The demo city's catalogued datasets (演示数据目录), as plain data.

Twenty-one datasets that a Quzhou-like city shares: who owns each one (by department suffix, see
``people.DEPARTMENTS``), how it is graded and shared, and its fields. The ``shuzhi demo``
command registers and publishes them through the catalogue services; ``rows.py`` generates
their data. Pure Python, no Django.

Grades follow DB33/T 2351-2021 and the catalogue's publishing rules (``catalog.rules``):
personal data is L3–L4; an L4 dataset is never opened; a dataset shared on conditions or not
shared writes its conditions down. Field grades never exceed the dataset's grade:

>>> all(f.grade <= d.grade for d in DATASETS for f in d.fields)
True
>>> [d.code for d in DATASETS if d.grade == 4 and d.open_attribute != "closed"]
[]
>>> len(DATASETS), len({d.code for d in DATASETS})
(25, 25)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

__all__ = [
    "BENEFIT_DATASETS",
    "BY_CODE",
    "CITY_DIVISION",
    "DATASETS",
    "LINEAGE",
    "DatasetDef",
    "FieldDef",
    "LineageDef",
]

CITY_DIVISION: Final = "330800"  # every demo dataset covers the whole city

# Units (计量单位) as the catalogue shows them.
KWH, M3, TONNE, YUAN, WAN_YUAN, SQM = "kWh", "m³", "t", "元", "万元", "m²"
GJ = "GJ"
UG_M3, MG_M3, MG_L = "μg/m³", "mg/m³", "mg/L"


@dataclass(frozen=True)
class FieldDef:  # 字段定义
    name: str
    label: str
    label_en: str
    data_type: str  # catalog DataType value: string, integer, decimal, date, datetime, boolean
    grade: int  # 1–4
    semantic_type: str = "text"
    nullable: bool = True
    is_key: bool = False
    unit: str = ""
    code_table: str | None = None  # "gbt2260" or "gbt4754"
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    decimal_places: int | None = None  # decimal fields: 小数位数, as the catalogue declares


@dataclass(frozen=True)
class DatasetDef:  # 数据集定义
    code: str
    name: str
    name_en: str
    owner: str  # department suffix; the city-level department (330800-<owner>) owns it
    description: str
    theme: str
    frequency: str
    share_attribute: str  # unconditional / conditional / none
    open_attribute: str  # open / restricted / closed
    grade: int
    fields: tuple[FieldDef, ...]
    warehouses: tuple[str, ...]  # thematic warehouse codes
    share_condition: str = ""
    deidentified: bool = False
    importance: str = "general"
    tags: tuple[str, ...] = ()

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def contact_name(self) -> str:
        return _CONTACTS[self.owner][0]

    @property
    def contact_phone(self) -> str:
        return _CONTACTS[self.owner][1]


@dataclass(frozen=True)
class LineageDef:  # 血缘: ``target`` is derived from ``source``
    source: str
    target: str
    transformation: str


ZERO = Decimal(0)

# --- Fields used by many datasets ------------------------------------------------------------


def _credit_code(*, key: bool = True, name: str = "credit_code", label: str = "") -> FieldDef:
    return FieldDef(
        name,
        label or "统一社会信用代码",
        "Unified social credit code",
        "string",
        1,
        semantic_type="credit_code",
        nullable=not key,
        is_key=key,
    )


def _enterprise_name(name: str = "enterprise_name", label: str = "企业名称") -> FieldDef:
    return FieldDef(name, label, "Enterprise name", "string", 1, nullable=False)


def _county(label: str = "所在区县", *, nullable: bool = False) -> FieldDef:
    return FieldDef(
        "county_code",
        label,
        "County (GB/T 2260)",
        "string",
        1,
        semantic_type="division_code",
        nullable=nullable,
        code_table="gbt2260",
    )


def _town() -> FieldDef:
    return FieldDef(
        "town_code",
        "所在乡镇（街道）",
        "Town or subdistrict",
        "string",
        1,
        semantic_type="division_code",
        code_table="gbt2260",
    )


def _industry() -> FieldDef:
    return FieldDef(
        "industry_code",
        "行业代码",
        "Industry (GB/T 4754-2017)",
        "string",
        1,
        semantic_type="industry_code",
        code_table="gbt4754",
    )


def _month() -> FieldDef:
    return FieldDef(
        "month",
        "统计月份",
        "Month (first day)",
        "date",
        1,
        semantic_type="date",
        nullable=False,
        is_key=True,
    )


def _date(
    name: str,
    label: str,
    label_en: str,
    *,
    grade: int = 1,
    nullable: bool = True,
    is_key: bool = False,
) -> FieldDef:
    return FieldDef(name, label, label_en, "date", grade, "date", nullable=nullable, is_key=is_key)


def _datetime(
    name: str,
    label: str,
    label_en: str,
    *,
    grade: int = 1,
    nullable: bool = True,
    is_key: bool = False,
) -> FieldDef:
    return FieldDef(
        name, label, label_en, "datetime", grade, "date", nullable=nullable, is_key=is_key
    )


def _text(
    name: str,
    label: str,
    label_en: str,
    *,
    grade: int = 1,
    nullable: bool = True,
    is_key: bool = False,
) -> FieldDef:
    return FieldDef(name, label, label_en, "string", grade, nullable=nullable, is_key=is_key)


def _quantity(
    name: str,
    label: str,
    label_en: str,
    unit: str,
    *,
    grade: int = 1,
    nullable: bool = True,
    maximum: Decimal | None = None,
) -> FieldDef:
    """A measured amount or money: a decimal of at least zero; yuan are kept to the fen (分)."""
    return FieldDef(
        name,
        label,
        label_en,
        "decimal",
        grade,
        semantic_type="amount",
        nullable=nullable,
        unit=unit,
        min_value=ZERO,
        max_value=maximum,
        decimal_places=2 if unit == YUAN else None,
    )


def _person_name(name: str, label: str, label_en: str, *, nullable: bool = True) -> FieldDef:
    return FieldDef(
        name, label, label_en, "string", 3, semantic_type="person_name", nullable=nullable
    )


def _id_number(name: str, label: str, *, key: bool = False, nullable: bool = False) -> FieldDef:
    return FieldDef(
        name,
        label,
        "Citizen ID number",
        "string",
        4,
        semantic_type="id_number",
        nullable=nullable and not key,
        is_key=key,
    )


def _mobile(name: str = "mobile", label: str = "联系电话") -> FieldDef:
    return FieldDef(name, label, "Mobile number", "string", 3, semantic_type="mobile")


def _address(name: str, label: str, label_en: str, *, grade: int = 3) -> FieldDef:
    return FieldDef(name, label, label_en, "string", grade, semantic_type="address")


def _enterprise_keys() -> tuple[FieldDef, ...]:
    """Who and where: the columns every enterprise-level statistic starts with."""
    return (_credit_code(), _enterprise_name(), _county(), _industry())


# --- Conditions and contacts -------------------------------------------------------------------

_ENTERPRISE_OPERATING = (
    "涉及企业经营信息，政府部门为履行产业监测、碳账户核算、惠企政策兑现等法定职责申请，"
    "经数据提供部门审核后共享；不向第三方转提供。"
)
_PERSONAL_VERIFY = (
    "个人信息依《个人信息保护法》仅向履行法定职责的部门共享，优先以核验、比对方式提供；"
    "批量获取须经本人授权或法律、法规明确规定，并说明用途、范围和期限。"
)

_CONTACTS: Final[dict[str, tuple[str, str]]] = {
    "AMR": ("徐立新", "0570-8000101"),
    "EIB": ("郑晓峰", "0570-8000102"),
    "DRC": ("吴志强", "0570-8000108"),
    "FIN": ("汪丽娟", "0570-8000103"),
    "HRS": ("毛建国", "0570-8000104"),
    "BDB": ("祝文斌", "0570-8000105"),
    "EEB": ("余海燕", "0570-8000106"),
    "GOV": ("徐卫东", "0570-8000107"),
    # the owners of the 免申即享 datasets (BENEFIT_DATASETS)
    "CAB": ("郑美华", "0570-8000109"),
    "SCI": ("姜立新", "0570-8000110"),
}


# --- The datasets ------------------------------------------------------------------------------

ENTERPRISE_REGISTRY = DatasetDef(
    code="enterprise_registry",
    name="市场主体登记信息",
    name_en="Market entity registration",
    owner="AMR",
    description="全市企业、个体工商户等市场主体的登记信息，含名称、类型、住所、行业、注册资本和登记状态。",
    theme="market",
    frequency="daily",
    share_attribute="conditional",
    share_condition=(
        "登记公示信息无条件共享；法定代表人（经营者）姓名、住所和联系电话仅向履行市场监管、"
        "税务、属地管理等法定职责的部门共享。"
    ),
    open_attribute="restricted",
    grade=3,
    tags=("市场主体", "一企一档"),
    warehouses=("legal_entity", "industry", "credit"),
    fields=(
        _credit_code(),
        _enterprise_name(),
        _text("enterprise_type", "市场主体类型", "Entity type", nullable=False),
        _person_name(
            "legal_representative", "法定代表人（经营者）", "Legal representative", nullable=False
        ),
        _county(),
        _town(),
        _address("address", "住所（经营场所）", "Registered address"),
        _industry(),
        _quantity("registered_capital", "注册资本", "Registered capital", WAN_YUAN),
        _date("established_on", "成立日期", "Date established", nullable=False),
        _text("status", "登记状态", "Registration status", nullable=False),
        _mobile(),
    ),
)

ENTERPRISE_ELECTRICITY = DatasetDef(
    code="enterprise_electricity_monthly",
    name="企业月度用电量",
    name_en="Monthly enterprise electricity use",
    owner="EIB",
    description="供电公司按月报送、经信部门归集的市场主体用电量、峰谷电量和电费。",
    theme="energy",
    frequency="monthly",
    share_attribute="conditional",
    share_condition=_ENTERPRISE_OPERATING,
    open_attribute="closed",
    grade=2,
    importance="important",
    tags=("能源", "碳账户", "电力大数据"),
    warehouses=("industry", "environment", "finance"),
    fields=(
        *_enterprise_keys(),
        _month(),
        _quantity("electricity_kwh", "用电量", "Electricity used", KWH, grade=2, nullable=False),
        _quantity("peak_kwh", "峰时段电量", "Peak-period electricity", KWH, grade=2),
        _quantity("valley_kwh", "谷时段电量", "Off-peak electricity", KWH, grade=2),
        _quantity("electricity_fee", "电费", "Electricity bill", YUAN, grade=2),
    ),
)

ENTERPRISE_GAS = DatasetDef(
    code="enterprise_gas_monthly",
    name="企业月度用气量",
    name_en="Monthly enterprise natural-gas use",
    owner="EIB",
    description="管道燃气企业按月报送的工业和商业用户天然气用量及燃气费。",
    theme="energy",
    frequency="monthly",
    share_attribute="conditional",
    share_condition=_ENTERPRISE_OPERATING,
    open_attribute="closed",
    grade=2,
    tags=("能源", "碳账户"),
    warehouses=("industry", "environment"),
    fields=(
        *_enterprise_keys(),
        _month(),
        _quantity("gas_m3", "天然气用量", "Natural gas used", M3, grade=2, nullable=False),
        _quantity("gas_fee", "燃气费", "Gas bill", YUAN, grade=2),
    ),
)

ENTERPRISE_COAL_OIL = DatasetDef(
    code="enterprise_coal_oil_monthly",
    name="企业用煤用油情况",
    name_en="Monthly enterprise coal and oil use",
    owner="EIB",
    description="重点用能企业按月填报的原煤、燃料油、柴油和液化石油气消费量。",
    theme="energy",
    frequency="monthly",
    share_attribute="conditional",
    share_condition=_ENTERPRISE_OPERATING,
    open_attribute="closed",
    grade=2,
    tags=("能源", "碳账户", "重点用能单位"),
    warehouses=("industry", "environment"),
    fields=(
        *_enterprise_keys(),
        _month(),
        _quantity("raw_coal_t", "原煤", "Raw coal", TONNE, grade=2),
        _quantity("fuel_oil_t", "燃料油", "Fuel oil", TONNE, grade=2),
        _quantity("diesel_t", "柴油", "Diesel", TONNE, grade=2),
        _quantity("lpg_t", "液化石油气", "LPG", TONNE, grade=2),
    ),
)

ENTERPRISE_OUTPUT = DatasetDef(
    code="enterprise_output_monthly",
    name="工业企业产值与增加值",
    name_en="Monthly industrial output and value added",
    owner="EIB",
    description="工业企业按月报送的工业总产值、工业增加值和营业收入（现价）。",
    theme="economy",
    frequency="monthly",
    share_attribute="conditional",
    share_condition=_ENTERPRISE_OPERATING,
    open_attribute="closed",
    grade=2,
    tags=("工业经济", "亩均效益", "碳效码"),
    warehouses=("industry", "finance"),
    fields=(
        *_enterprise_keys(),
        _month(),
        FieldDef("above_scale", "规模以上企业", "Above designated size", "boolean", 1),
        _quantity(
            "gross_output",
            "工业总产值",
            "Gross industrial output",
            WAN_YUAN,
            grade=2,
            nullable=False,
        ),
        FieldDef(
            "value_added",
            "工业增加值",
            "Industrial value added",
            "decimal",
            2,
            semantic_type="amount",
            unit=WAN_YUAN,
        ),
        _quantity("revenue", "营业收入", "Operating revenue", WAN_YUAN, grade=2),
    ),
)

ENTERPRISE_TAX = DatasetDef(
    code="enterprise_tax_quarterly",
    name="企业纳税情况",
    name_en="Quarterly enterprise tax paid",
    owner="FIN",
    description="市场主体按季度入库的增值税、企业所得税及其他税费。",
    theme="finance",
    frequency="quarterly",
    share_attribute="conditional",
    share_condition=(
        "涉税信息依《税收征收管理法》第八条保密，仅向履行法定职责的部门按户、按需共享，"
        "用于惠企政策兑现、信用评价和金融服务须经企业授权。"
    ),
    open_attribute="closed",
    grade=3,
    tags=("税收", "一企一档"),
    warehouses=("finance", "legal_entity", "credit", "industry"),
    fields=(
        *_enterprise_keys(),
        _date("quarter", "所属季度", "Quarter (first day)", nullable=False, is_key=True),
        _quantity("vat", "增值税", "Value-added tax", YUAN, grade=3),
        _quantity("corporate_income_tax", "企业所得税", "Corporate income tax", YUAN, grade=3),
        _quantity("other_taxes", "其他税费", "Other taxes and surcharges", YUAN, grade=3),
        _quantity("total_tax", "税收合计", "Total tax paid", YUAN, grade=3, nullable=False),
    ),
)

SOCIAL_INSURANCE = DatasetDef(
    code="social_insurance_enrolment",
    name="社会保险参保信息",
    name_en="Social insurance enrolment",
    owner="HRS",
    description="参保人员按险种的参保单位、参保日期、缴费基数和参保状态。",
    theme="employment",
    frequency="monthly",
    share_attribute="conditional",
    share_condition=_PERSONAL_VERIFY,
    open_attribute="closed",
    grade=4,
    importance="important",
    tags=("社保", "就业", "一人一档"),
    warehouses=("talent", "population"),
    fields=(
        _id_number("id_number", "公民身份号码", key=True),
        _person_name("name", "姓名", "Name", nullable=False),
        _text("insurance_type", "险种", "Insurance scheme", nullable=False, is_key=True),
        _credit_code(key=False, name="employer_credit_code", label="参保单位统一社会信用代码"),
        _text("employer_name", "参保单位名称", "Employer"),
        _county("参保地"),
        _date("enrolled_on", "参保日期", "Enrolled on", grade=2, nullable=False),
        _text("status", "参保状态", "Enrolment status", nullable=False),
        _quantity("contribution_base", "缴费基数", "Contribution base (monthly)", YUAN, grade=3),
    ),
)

ADMINISTRATIVE_PENALTY = DatasetDef(
    code="administrative_penalty",
    name="行政处罚信息",
    name_en="Administrative penalty decisions",
    owner="AMR",
    description="市场监管部门作出的行政处罚决定，按“双公示”要求公开的决定书要素。",
    theme="credit",
    frequency="daily",
    share_attribute="unconditional",
    open_attribute="open",
    grade=1,
    tags=("双公示", "信用监管"),
    warehouses=("credit", "legal_entity"),
    fields=(
        _text(
            "decision_number", "行政处罚决定书文号", "Decision number", nullable=False, is_key=True
        ),
        _credit_code(key=False, label="当事人统一社会信用代码"),
        _enterprise_name("enterprise_name", "当事人名称"),
        _county(),
        _text("violation", "违法行为类型", "Violation", nullable=False),
        _text("legal_basis", "处罚依据", "Legal basis"),
        _text("penalty_type", "处罚类别", "Penalty type", nullable=False),
        _quantity("fine", "罚款金额", "Fine", YUAN),
        _quantity("confiscated", "没收违法所得", "Illegal gains confiscated", YUAN),
        _date("decided_on", "处罚决定日期", "Decided on", nullable=False),
        _text("authority", "处罚机关", "Deciding authority", nullable=False),
    ),
)

ABNORMAL_OPERATION = DatasetDef(
    code="abnormal_operation_list",
    name="经营异常名录",
    name_en="Abnormal-operation list",
    owner="AMR",
    description="被列入经营异常名录（状态）的市场主体及列入、移出的日期和事由。",
    theme="credit",
    frequency="daily",
    share_attribute="unconditional",
    open_attribute="open",
    grade=1,
    tags=("信用监管", "年报"),
    warehouses=("credit", "legal_entity"),
    fields=(
        _credit_code(),
        _enterprise_name(),
        _county(),
        _date("listed_on", "列入日期", "Listed on", nullable=False, is_key=True),
        _text("listing_reason", "列入事由", "Reason for listing", nullable=False),
        _text("listing_authority", "作出决定机关", "Listing authority", nullable=False),
        _date("removed_on", "移出日期", "Removed on"),
        _text("removal_reason", "移出事由", "Reason for removal"),
    ),
)

POPULATION = DatasetDef(
    code="population_basic",
    name="人口基本信息",
    name_en="Basic population information",
    owner="BDB",
    description="由公安、民政、卫健等部门数据融合形成的实有人口基本信息库。",
    theme="population",
    frequency="daily",
    share_attribute="conditional",
    share_condition=_PERSONAL_VERIFY,
    open_attribute="closed",
    grade=4,
    importance="important",
    tags=("人口库", "一人一档", "基础库"),
    warehouses=("population",),
    fields=(
        _id_number("id_number", "公民身份号码", key=True),
        _person_name("name", "姓名", "Name", nullable=False),
        _text("sex", "性别", "Sex", grade=2, nullable=False),
        FieldDef(
            "birth_date", "出生日期", "Date of birth", "date", 3, "birth_date", nullable=False
        ),
        _county("居住地区县"),
        _town(),
        _address("address", "居住地址", "Home address", grade=4),
        _mobile(),
    ),
)

AIR_QUALITY = DatasetDef(
    code="air_quality_hourly",
    name="空气质量小时数据",
    name_en="Hourly air quality",
    owner="EEB",
    description="全市环境空气质量自动监测站点六项污染物的小时浓度（HJ 633-2012）。",
    theme="environment",
    frequency="realtime",
    share_attribute="unconditional",
    open_attribute="open",
    grade=1,
    tags=("空气质量", "AQI", "生态环境"),
    warehouses=("environment",),
    fields=(
        _text("station_code", "站点编码", "Station code", nullable=False, is_key=True),
        _text("station_name", "站点名称", "Station name", nullable=False),
        _county(),
        _datetime("observed_at", "监测时间", "Hour observed", nullable=False, is_key=True),
        _quantity("so2", "二氧化硫（SO2）", "SO2", UG_M3),
        _quantity("no2", "二氧化氮（NO2）", "NO2", UG_M3),
        _quantity("pm10", "颗粒物（PM10）", "PM10", UG_M3),
        _quantity("pm2_5", "细颗粒物（PM2.5）", "PM2.5", UG_M3),
        _quantity("co", "一氧化碳（CO）", "CO", MG_M3),
        _quantity("o3", "臭氧（O3）", "O3 (1 hour)", UG_M3),
    ),
)

SURFACE_WATER = DatasetDef(
    code="surface_water_monthly",
    name="地表水断面水质监测",
    name_en="Monthly surface-water section monitoring",
    owner="EEB",
    description="全市河流和湖库监测断面的月度水质监测结果（GB 3838-2002 基本项目）。",
    theme="environment",
    frequency="monthly",
    share_attribute="unconditional",
    open_attribute="open",
    grade=1,
    tags=("水环境", "断面", "生态环境"),
    warehouses=("environment",),
    fields=(
        _text("section_code", "断面编码", "Section code", nullable=False, is_key=True),
        _text("section_name", "断面名称", "Section name", nullable=False),
        _text("water_body", "所在水体", "Water body", nullable=False),
        _text("water_body_type", "水体类型", "Water-body type (river / lake)", nullable=False),
        _county(),
        _text("target_class", "目标水质类别", "Target water class"),
        _date("sampled_on", "采样日期", "Sampled on", nullable=False, is_key=True),
        FieldDef(
            "ph",
            "pH值",
            "pH",
            "decimal",
            1,
            semantic_type="amount",
            unit="无量纲",
            min_value=ZERO,
            max_value=Decimal(14),
        ),
        _quantity("do", "溶解氧（DO）", "DO", MG_L),
        _quantity("codmn", "高锰酸盐指数（CODMn）", "CODMn", MG_L),
        _quantity("cod", "化学需氧量（COD）", "COD", MG_L),
        _quantity("bod5", "五日生化需氧量（BOD5）", "BOD5", MG_L),
        _quantity("nh3_n", "氨氮（NH3-N）", "NH3-N", MG_L),
        _quantity("tp", "总磷（TP）", "TP", MG_L),
        _quantity("tn", "总氮（TN，湖库）", "TN (lakes and reservoirs)", MG_L),
    ),
)

REAL_ESTATE = DatasetDef(
    code="real_estate_transaction",
    name="不动产交易信息",
    name_en="Real-estate transactions",
    owner="FIN",
    description="网签备案的不动产买卖合同及契税征收情况。",
    theme="housing",
    frequency="daily",
    share_attribute="conditional",
    share_condition=_PERSONAL_VERIFY,
    open_attribute="closed",
    grade=4,
    tags=("不动产", "契税"),
    warehouses=("finance",),
    fields=(
        _text("contract_number", "合同备案号", "Contract number", nullable=False, is_key=True),
        _date("signed_on", "签约日期", "Signed on", nullable=False),
        _county(),
        _address("property_address", "房屋坐落", "Property address"),
        _text("property_type", "房屋用途", "Property use", nullable=False),
        _quantity("floor_area", "建筑面积", "Floor area", SQM, nullable=False),
        _quantity("total_price", "成交总价", "Price", WAN_YUAN, grade=2, nullable=False),
        _quantity("deed_tax", "契税", "Deed tax", YUAN, grade=2),
        _person_name("buyer_name", "买受人姓名", "Buyer", nullable=False),
        _id_number("buyer_id_number", "买受人公民身份号码"),
        _mobile("buyer_mobile", "买受人联系电话"),
    ),
)

SERVICE_CASE = DatasetDef(
    code="service_case",
    name="政务服务办件信息",
    name_en="Government service cases",
    owner="GOV",
    description="全市政务服务事项的受理、办结和“好差评”评价记录。",
    theme="services",
    frequency="daily",
    share_attribute="conditional",
    share_condition=(
        "办件统计信息无条件共享；申请人身份信息仅向承办部门和履行监督职责的部门共享。"
    ),
    open_attribute="closed",
    grade=4,
    tags=("一网通办", "好差评"),
    warehouses=("population", "legal_entity"),
    fields=(
        _text("case_number", "办件编号", "Case number", nullable=False, is_key=True),
        _text("service_item", "事项名称", "Service item", nullable=False),
        _text("department", "受理部门", "Department", nullable=False),
        _text("applicant_type", "申请人类型", "Applicant type", nullable=False),
        _person_name("applicant_name", "申请人姓名", "Applicant name"),
        _id_number("applicant_id_number", "申请人公民身份号码", nullable=True),
        _credit_code(key=False, name="applicant_credit_code", label="申请单位统一社会信用代码"),
        _text("applicant_enterprise", "申请单位名称", "Applicant enterprise"),
        _text("channel", "申报渠道", "Channel", nullable=False),
        _county("办理地"),
        _datetime("received_at", "受理时间", "Received at", nullable=False),
        _datetime("completed_at", "办结时间", "Completed at"),
        FieldDef(
            "promised_days",
            "承诺办结时限（工作日）",
            "Promised time (working days)",
            "integer",
            1,
            min_value=ZERO,
        ),
        _text("status", "办件状态", "Status", nullable=False),
        _text("rating", "好差评评价", "Rating"),
    ),
)

HOTLINE = DatasetDef(
    code="hotline_12345",
    name="12345政务服务便民热线诉求",
    name_en="12345 hotline requests",
    owner="GOV",
    description="12345热线受理的群众和企业咨询、求助、投诉、举报和建议及其办理结果。",
    theme="services",
    frequency="daily",
    share_attribute="conditional",
    share_condition=(
        "诉求人姓名和联系电话仅向承办单位共享，用于回访；其他部门按需申请去标识化后的诉求数据。"
    ),
    open_attribute="restricted",
    grade=3,
    tags=("12345", "民生诉求"),
    warehouses=("population",),
    fields=(
        _text("ticket_number", "工单编号", "Ticket number", nullable=False, is_key=True),
        _datetime("received_at", "受理时间", "Received at", nullable=False),
        _text("channel", "来源渠道", "Channel", nullable=False),
        _person_name("caller_name", "诉求人姓名", "Caller name"),
        _mobile("caller_mobile", "诉求人联系电话"),
        _text("category", "诉求类型", "Request type", nullable=False),
        _text("topic", "诉求分类", "Topic", nullable=False),
        _text("content", "诉求内容", "Request", grade=2, nullable=False),
        _county("诉求发生地"),
        _town(),
        _text("handling_department", "承办单位", "Handled by"),
        _text("status", "办理状态", "Status", nullable=False),
        _datetime("closed_at", "办结时间", "Closed at"),
        _text("satisfaction", "满意度", "Satisfaction"),
    ),
)

PATENT = DatasetDef(
    code="patent",
    name="专利信息",
    name_en="Patents",
    owner="AMR",
    description="本市企业作为申请人的发明、实用新型和外观设计专利及其法律状态。",
    theme="education",
    frequency="monthly",
    share_attribute="unconditional",
    open_attribute="open",
    grade=1,
    tags=("知识产权", "科技创新"),
    warehouses=("technology", "industry", "talent"),
    fields=(
        _text("application_number", "申请号", "Application number", nullable=False, is_key=True),
        _text("title", "专利名称", "Title", nullable=False),
        _text("patent_type", "专利类型", "Patent type", nullable=False),
        _credit_code(key=False, name="applicant_credit_code", label="申请人统一社会信用代码"),
        _text("applicant_name", "申请人", "Applicant", nullable=False),
        _county(),
        _text("ipc_class", "主分类号（IPC）", "Main IPC class"),
        _date("application_date", "申请日", "Application date", nullable=False),
        _date("grant_date", "授权公告日", "Grant date"),
        _text("legal_status", "法律状态", "Legal status", nullable=False),
    ),
)

ENTERPRISE_HEAT_EXPORT = DatasetDef(
    code="enterprise_heat_export_monthly",
    name="企业外购热力与能源输出情况",
    name_en="Monthly purchased heat, exported energy and gasoline of enterprises",
    owner="EIB",
    description=(
        "重点用能企业按月填报的外购热力、输出电力（如余热发电、屋顶光伏上网）、输出热力和"
        "汽油消费量，与用电、用气、用煤用油数据一起用于企业碳账户核算。"
    ),
    theme="energy",
    frequency="monthly",
    share_attribute="conditional",
    share_condition=_ENTERPRISE_OPERATING,
    open_attribute="closed",
    grade=2,
    tags=("能源", "碳账户", "重点用能单位"),
    warehouses=("industry", "environment"),
    fields=(
        *_enterprise_keys(),
        _month(),
        _quantity("heat_purchased_gj", "外购热力", "Purchased heat", GJ, grade=2),
        _quantity("electricity_exported_kwh", "输出电量", "Electricity exported", KWH, grade=2),
        _quantity("heat_exported_gj", "输出热力", "Heat exported", GJ, grade=2),
        _quantity("gasoline_t", "汽油", "Gasoline", TONNE, grade=2),
    ),
)

CARBON_SECTOR_ACTIVITY = DatasetDef(
    code="carbon_sector_activity",
    name="碳账户领域活动数据",
    name_en="Activity data of the carbon-account domains",
    owner="DRC",
    description=(
        "能源、建筑、交通、农业（林业）和居民生活五个领域按区县、年度汇总的活动水平数据"
        "（如公共建筑用电量、机动车燃油消费量、化肥施用量、森林面积、居民生活用气量），"
        "由发改部门会同统计、住建、交通、农业农村、林业等部门归集，用于领域碳账户核算。"
    ),
    theme="energy",
    frequency="yearly",
    share_attribute="unconditional",
    open_attribute="open",
    grade=1,
    tags=("碳账户", "双碳", "统计"),
    warehouses=("environment",),
    fields=(
        _text("domain", "领域", "Domain", nullable=False, is_key=True),
        FieldDef(
            "county_code",
            "区县",
            "County (GB/T 2260)",
            "string",
            1,
            semantic_type="division_code",
            nullable=False,
            is_key=True,
            code_table="gbt2260",
        ),
        FieldDef(
            "year",
            "年度",
            "Year",
            "integer",
            1,
            nullable=False,
            is_key=True,
            min_value=Decimal(2000),
            max_value=Decimal(2100),
        ),
        _text("activity", "活动", "Activity", nullable=False, is_key=True),
        _quantity("quantity", "活动水平", "Quantity", "", nullable=False),
        _text("unit", "计量单位", "Unit", nullable=False),
    ),
)

TRADEMARK = DatasetDef(
    code="trademark",
    name="商标注册信息",
    name_en="Registered trademarks",
    owner="AMR",
    description="本市企业作为注册人的注册商标：注册号、商标名称、尼斯分类、注册日期、专用权期限和商标状态。",
    theme="market",
    frequency="monthly",
    share_attribute="unconditional",
    open_attribute="open",
    grade=1,
    tags=("知识产权", "商标"),
    warehouses=("legal_entity", "industry"),
    fields=(
        _text("registration_number", "注册号", "Registration number", nullable=False, is_key=True),
        _credit_code(key=False, label="注册人统一社会信用代码"),
        _enterprise_name("enterprise_name", "注册人名称"),
        _county(),
        _text("mark_name", "商标名称", "Mark", nullable=False),
        FieldDef(
            "nice_class",
            "国际分类（尼斯分类）",
            "Nice class",
            "integer",
            1,
            nullable=False,
            min_value=Decimal(1),
            max_value=Decimal(45),
        ),
        _date("registered_on", "注册日期", "Registered on", nullable=False),
        _date("valid_until", "专用权期限截止日", "Valid until", nullable=False),
        _text("status", "商标状态", "Status", nullable=False),
    ),
)

PRODUCT_QUALITY_INSPECTION = DatasetDef(
    code="product_quality_inspection",
    name="产品质量监督抽查结果",
    name_en="Product quality supervision spot checks",
    owner="AMR",
    description="市场监管部门组织的产品质量监督抽查：受检企业、产品、抽样日期、检验结论和不合格项目，按规定向社会公布。",
    theme="market",
    frequency="quarterly",
    share_attribute="unconditional",
    open_attribute="open",
    grade=1,
    tags=("产品质量", "监督抽查"),
    warehouses=("legal_entity", "industry", "credit"),
    fields=(
        _text("inspection_number", "抽查编号", "Inspection number", nullable=False, is_key=True),
        _credit_code(key=False, label="受检单位统一社会信用代码"),
        _enterprise_name("enterprise_name", "受检单位名称"),
        _county(),
        _text("product", "产品名称", "Product", nullable=False),
        _text("product_category", "产品类别", "Product category", nullable=False),
        _date("sampled_on", "抽样日期", "Sampled on", nullable=False),
        _text("result", "检验结论", "Result (合格 / 不合格)", nullable=False),
        _text("failed_items", "不合格项目", "Failed items"),
        _text("authority", "组织抽查机关", "Authority", nullable=False),
    ),
)

ADMINISTRATIVE_LICENCE = DatasetDef(
    code="administrative_licence",
    name="行政许可信息",
    name_en="Administrative licensing decisions",
    owner="AMR",
    description=(
        "市场监管部门作出的行政许可决定（食品生产、食品经营、药品经营、特种设备生产、"
        "工业产品生产许可），按“双公示”要求公开的许可证编号、许可内容、有效期和许可状态。"
    ),
    theme="credit",
    frequency="daily",
    share_attribute="unconditional",
    open_attribute="open",
    grade=1,
    tags=("双公示", "信用监管"),
    warehouses=("credit", "legal_entity"),
    fields=(
        _text("licence_number", "许可证编号", "Licence number", nullable=False, is_key=True),
        _credit_code(key=False, label="行政相对人统一社会信用代码"),
        _enterprise_name("enterprise_name", "行政相对人名称"),
        _county(),
        _text("licence_type", "许可证名称", "Licence type", nullable=False),
        _text("licence_scope", "许可内容", "Licensed scope", nullable=False),
        _date("issued_on", "许可决定日期", "Issued on", nullable=False),
        _date("valid_until", "有效期至", "Valid until", nullable=False),
        _text("authority", "许可机关", "Licensing authority", nullable=False),
        _text("status", "许可状态", "Status", nullable=False),
    ),
)

# --- The shared data of 免申即享 (benefits without applying) --------------------------------------
# Kept apart from DATASETS: the demo command registers those with one data steward per owner,
# and the Civil Affairs and science bureaus (CAB, SCI) have none among ``people.DEMO_ACCOUNTS``;
# ``shuzhi.demo.services_benefits`` registers and ingests these with its own stewards.

DISABILITY_CERTIFICATE = DatasetDef(
    code="disability_certificate",
    name="残疾人证信息",
    name_en="Disability certificates",
    owner="CAB",
    description="第二代残疾人证持证人员的残疾类别、残疾等级、发证日期和有效期，用于残疾人两项补贴免申即享比对。",
    theme="population",
    frequency="monthly",
    share_attribute="conditional",
    share_condition=_PERSONAL_VERIFY,
    open_attribute="closed",
    grade=4,
    importance="important",
    tags=("残疾人", "免申即享", "一人一档"),
    warehouses=("population",),
    fields=(
        _id_number("id_number", "公民身份号码", key=True),
        _text("certificate_number", "残疾人证号", "Certificate number", grade=3, nullable=False),
        _text("disability_type", "残疾类别", "Type of disability", grade=3, nullable=False),
        FieldDef(
            # L2, not encrypted: the rules read it; without the ID number it identifies no one
            "grade",
            "残疾等级",
            "Disability grade (1 most severe)",
            "integer",
            2,
            nullable=False,
            min_value=Decimal(1),
            max_value=Decimal(4),
        ),
        _date("issued_on", "发证日期", "Issued on", nullable=False),
        _date("valid_until", "有效期至", "Valid until"),
    ),
)

MINIMUM_LIVING_ALLOWANCE = DatasetDef(
    code="minimum_living_allowance",
    name="最低生活保障对象信息",
    name_en="Minimum living allowance recipients",
    owner="CAB",
    description="城乡最低生活保障家庭成员名单及保障起止日期（低保），用于困难群众救助和免申即享比对。",
    theme="population",
    frequency="monthly",
    share_attribute="conditional",
    share_condition=_PERSONAL_VERIFY,
    open_attribute="closed",
    grade=4,
    importance="important",
    tags=("低保", "社会救助", "免申即享"),
    warehouses=("population",),
    fields=(
        _id_number("id_number", "公民身份号码", key=True),
        _text("household_number", "低保家庭编号", "Household number", grade=3, nullable=False),
        _county("保障地区县"),
        _date("starts_on", "保障起始日期", "Allowance from", nullable=False),
        _date("ends_on", "保障终止日期", "Allowance until"),
    ),
)

SOCIAL_INSURANCE_UNIT = DatasetDef(
    code="social_insurance_unit_monthly",
    name="单位社会保险参保缴费信息",
    name_en="Employers' monthly social-insurance contributions",
    owner="HRS",
    description="参保单位每月参保职工人数、失业保险单位缴费额和欠费金额，用于稳岗返还免申即享比对。",
    theme="employment",
    frequency="monthly",
    share_attribute="conditional",
    share_condition="仅向人力社保、财政、税务等履行稳岗返还和社保征缴职责的部门共享。",
    open_attribute="restricted",
    grade=2,
    tags=("社保", "稳岗返还", "一企一档"),
    warehouses=("talent", "legal_entity"),
    fields=(
        _credit_code(),
        _enterprise_name(),
        FieldDef(
            "month", "所属月份", "Month (first day)", "date", 1, "date", nullable=False, is_key=True
        ),
        FieldDef(
            "insured_count",
            "参保职工人数",
            "Insured employees",
            "integer",
            2,
            nullable=False,
            min_value=ZERO,
        ),
        _quantity(
            "unemployment_contribution",
            "失业保险单位缴费",
            "Unemployment contribution",
            YUAN,
            grade=2,
            nullable=False,
        ),
        _quantity("arrears", "欠缴金额", "Arrears owed", YUAN, grade=2),
    ),
)

TECH_SME_LIST = DatasetDef(
    code="tech_sme_list",
    name="科技型中小企业入库名单",
    name_en="Technology-based SME list",
    owner="SCI",
    description="经评价入库的科技型中小企业名单、入库编号和上年度研发费用，用于科技型中小企业奖励免申即享比对。",
    theme="market",
    frequency="yearly",
    share_attribute="unconditional",
    open_attribute="open",
    grade=1,
    tags=("科技型中小企业", "免申即享"),
    warehouses=("industry",),
    fields=(
        _credit_code(),
        _enterprise_name(),
        FieldDef("year", "入库年度", "Year", "integer", 1, nullable=False, is_key=True),
        _text("list_number", "入库登记编号", "List number", nullable=False),
        _quantity("rd_expense", "研发费用", "R&D spending", YUAN, nullable=False),
    ),
)

BENEFIT_DATASETS: Final[tuple[DatasetDef, ...]] = (
    DISABILITY_CERTIFICATE,
    MINIMUM_LIVING_ALLOWANCE,
    SOCIAL_INSURANCE_UNIT,
    TECH_SME_LIST,
)


DATASETS: Final[tuple[DatasetDef, ...]] = (
    ENTERPRISE_REGISTRY,
    ENTERPRISE_ELECTRICITY,
    ENTERPRISE_GAS,
    ENTERPRISE_COAL_OIL,
    ENTERPRISE_OUTPUT,
    ENTERPRISE_TAX,
    SOCIAL_INSURANCE,
    ADMINISTRATIVE_PENALTY,
    ABNORMAL_OPERATION,
    POPULATION,
    AIR_QUALITY,
    SURFACE_WATER,
    REAL_ESTATE,
    SERVICE_CASE,
    HOTLINE,
    PATENT,
    ENTERPRISE_HEAT_EXPORT,
    CARBON_SECTOR_ACTIVITY,
    TRADEMARK,
    PRODUCT_QUALITY_INSPECTION,
    ADMINISTRATIVE_LICENCE,
    *BENEFIT_DATASETS,
)
BY_CODE: Final[dict[str, DatasetDef]] = {d.code: d for d in DATASETS}


LINEAGE: Final[tuple[LineageDef, ...]] = (
    LineageDef(
        "enterprise_registry",
        "abnormal_operation_list",
        "年报核查：未按期报送年度报告或住所无法联系的市场主体列入经营异常名录",
    ),
    LineageDef(
        "enterprise_registry",
        "enterprise_electricity_monthly",
        "按统一社会信用代码关联登记信息，补全企业名称、所在区县和行业代码",
    ),
    LineageDef(
        "enterprise_registry",
        "enterprise_heat_export_monthly",
        "按统一社会信用代码关联登记信息，补全企业名称、所在区县和行业代码",
    ),
    LineageDef(
        "enterprise_registry",
        "enterprise_tax_quarterly",
        "纳税人识别号即统一社会信用代码，关联登记信息补全名称、区县和行业",
    ),
    LineageDef(
        "population_basic",
        "social_insurance_enrolment",
        "按公民身份号码核验参保人姓名和身份",
    ),
)
