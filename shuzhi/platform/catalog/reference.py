"""Reference data every catalogue starts with: themes, thematic warehouses, standard code tables.

Loaded by a data migration, so a fresh database has them without the demo.
"""

from __future__ import annotations

from typing import Any

# 主题分类, after the open-data theme lists of Zhejiang's public data platform.
THEMES: tuple[tuple[str, str, str], ...] = (
    ("economy", "经济建设", "Economic development"),
    ("finance", "财税金融", "Finance and taxation"),
    ("market", "市场监管", "Market regulation"),
    ("credit", "信用服务", "Credit"),
    ("environment", "资源环境", "Resources and environment"),
    ("energy", "能源", "Energy"),
    ("population", "人口与社会", "Population and society"),
    ("employment", "社保就业", "Social security and employment"),
    ("health", "医疗卫生", "Health"),
    ("education", "教育科技", "Education and technology"),
    ("transport", "道路交通", "Transport"),
    ("housing", "城建住房", "Urban construction and housing"),
    ("agriculture", "农业农村", "Agriculture and rural affairs"),
    ("safety", "公共安全", "Public safety"),
    ("services", "政务服务", "Government services"),
    ("law", "法律服务", "Legal services"),
)

# 专题数据仓 (policy task 1)
THEMATIC_WAREHOUSES: tuple[tuple[str, str, str], ...] = (
    ("industry", "产业数据仓", "Industry warehouse"),
    ("talent", "人才数据仓", "Talent warehouse"),
    ("technology", "科技数据仓", "Technology warehouse"),
    ("finance", "金融数据仓", "Finance warehouse"),
    ("environment", "生态环境数据仓", "Ecology and environment warehouse"),
    ("population", "人口数据仓", "Population warehouse"),
    ("legal_entity", "法人数据仓", "Legal-entity warehouse"),
    ("credit", "信用数据仓", "Credit warehouse"),
)

CODE_TABLES: tuple[tuple[str, str, str, str], ...] = (
    ("gbt2260", "行政区划代码", "Administrative division codes", "GB/T 2260"),
    (
        "gbt4754",
        "国民经济行业分类",
        "Industrial classification for national economic activities",
        "GB/T 4754-2017",
    ),
)


def load_reference_data(theme: Any, thematic_warehouse: Any, code_table: Any) -> None:
    """Create or refresh the reference rows; takes the model classes (historical ones in a
    migration), so the data migration and a freshly flushed test database share one path."""
    for code, name, name_en in THEMES:
        theme.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en})
    for code, name, name_en in THEMATIC_WAREHOUSES:
        thematic_warehouse.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
    for code, name, name_en, source in CODE_TABLES:
        code_table.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "source": source}
        )
