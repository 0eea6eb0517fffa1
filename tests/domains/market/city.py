"""A small registry for the credit-classification tests (imported by the test modules).

Kecheng: M1 clean (A), M2 penalised twice and a restaurant (food points), M3 listed as
abnormal and revoked, M4 young with the same legal representative as M2 (related risk);
Jiangshan: M5 an elevator maker penalised once (special-equipment points), M6 clean.
All pay tax except M3.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from shuzhi.demo import datasets
from shuzhi.demo.management.commands.demo import Command
from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.catalog.models import CodeEntry, CodeTable, Dataset, ThematicWarehouse, Theme
from shuzhi.platform.catalog.reference import load_reference_data
from shuzhi.platform.catalog.services import dataset_publish
from shuzhi.platform.security.identifiers import credit_code_check_char
from shuzhi.platform.warehouse.services import ingest
from tests.factories import UserFactory

KECHENG, JIANGSHAN = "330802", "330881"
AS_OF = date(2025, 11, 1)


def code(n: int) -> str:
    body = f"91{KECHENG}MA2C{n:05d}"
    return body + credit_code_check_char(body)


# key, n, county, industry, legal representative, established, status
FIRMS = (
    ("M1", 1, KECHENG, "C2221", "张一", "2010-01-01", "存续"),
    ("M2", 2, KECHENG, "H6210", "王二", "2012-05-01", "存续"),
    ("M3", 3, KECHENG, "F5123", "李三", "2015-03-01", "吊销"),
    ("M4", 4, KECHENG, "C2221", "王二", "2025-06-01", "存续"),
    ("M5", 5, JIANGSHAN, "C3435", "赵五", "2011-01-01", "存续"),
    ("M6", 6, JIANGSHAN, "C2221", "钱六", "2009-01-01", "存续"),
)


def by_key(key: str) -> str:
    return next(code(n) for k, n, *_ in FIRMS if k == key)


def rows(dataset: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    firms = {
        k: (code(n), county, industry, person, est, status)
        for k, n, county, industry, person, est, status in FIRMS
    }
    if dataset == "enterprise_registry":
        for key, (cc, county, industry, person, est, status) in firms.items():
            out.append(
                {
                    "credit_code": cc,
                    "enterprise_name": f"测试{key}有限公司",
                    "enterprise_type": "有限责任公司",
                    "legal_representative": person,
                    "county_code": county,
                    "industry_code": industry,
                    "established_on": est,
                    "status": status,
                }
            )
    elif dataset == "administrative_penalty":
        for i, (key, day) in enumerate(
            (("M2", "2024-03-01"), ("M2", "2025-02-01"), ("M5", "2025-07-01"), ("M6", "2019-01-01"))
        ):
            cc, county, *_ = firms[key]
            out.append(
                {
                    "decision_number": f"衢市监罚〔2025〕{i + 1}号",
                    "credit_code": cc,
                    "enterprise_name": f"测试{key}有限公司",
                    "county_code": county,
                    "violation": "测试",
                    "penalty_type": "罚款",
                    "decided_on": day,
                    "authority": "衢州市市场监督管理局",
                }
            )
    elif dataset == "abnormal_operation_list":
        cc, county, *_ = firms["M3"]
        out.append(
            {
                "credit_code": cc,
                "enterprise_name": "测试M3有限公司",
                "county_code": county,
                "listed_on": "2024-07-01",
                "listing_reason": "未按规定报送年度报告",
                "listing_authority": "衢州市市场监督管理局",
            }
        )
    elif dataset == "administrative_licence":
        for number, key, kind, issued, until, status in (
            ("JY23308020000017", "M2", "食品经营许可证", "2017-01-22", "2022-01-21", "过期"),
            ("JY23308020000024", "M2", "食品经营许可证", "2021-12-20", "2026-12-19", "有效"),
            ("TS3133001-2027", "M5", "特种设备生产许可证", "2023-06-21", "2027-06-20", "有效"),
        ):
            cc, county, *_ = firms[key]
            out.append(
                {
                    "licence_number": number,
                    "credit_code": cc,
                    "enterprise_name": f"测试{key}有限公司",
                    "county_code": county,
                    "licence_type": kind,
                    "licence_scope": "热食类食品制售" if key == "M2" else "电梯制造",
                    "issued_on": issued,
                    "valid_until": until,
                    "authority": "衢州市市场监督管理局",
                    "status": status,
                }
            )
    elif dataset == "enterprise_tax_quarterly":
        for key, (cc, county, industry, *_rest) in firms.items():
            if key == "M3":
                continue
            out.append(
                {
                    "credit_code": cc,
                    "enterprise_name": f"测试{key}有限公司",
                    "county_code": county,
                    "industry_code": industry,
                    "quarter": "2025-07-01",
                    "total_tax": "1000.00",
                }
            )
    return out


INPUTS = (
    "enterprise_registry",
    "administrative_penalty",
    "abnormal_operation_list",
    "enterprise_tax_quarterly",
)


@dataclass
class City:
    amr: User  # the market department's data steward: loads the inputs, runs the classification
    fin: User
    clerk: User  # a regulator who views the classes
    datasets: dict[str, Dataset]


def _write(folder: Path, dataset: str) -> Path:
    path = folder / f"{dataset}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=datasets.BY_CODE[dataset].field_names, restval=""
        )
        writer.writeheader()
        writer.writerows(rows(dataset))
    return path


def build_city(folder: Path, *, codes: tuple[str, ...] = INPUTS) -> City:
    load_reference_data(Theme, ThematicWarehouse, CodeTable)
    province, _ = Division.objects.get_or_create(
        code="330000", defaults={"name": "浙江省", "name_en": "Zhejiang", "level": "province"}
    )
    city, _ = Division.objects.get_or_create(
        code="330800",
        defaults={"name": "衢州市", "name_en": "Quzhou", "level": "city", "parent": province},
    )
    for cc, name in ((KECHENG, "柯城区"), (JIANGSHAN, "江山市")):
        Division.objects.get_or_create(
            code=cc, defaults={"name": name, "name_en": name, "level": "county", "parent": city}
        )
    divisions = CodeTable.objects.get(code="gbt2260")
    industries = CodeTable.objects.get(code="gbt4754")
    for cc in ("330800", KECHENG, JIANGSHAN):
        CodeEntry.objects.get_or_create(table=divisions, code=cc, defaults={"name": cc})
    for cc in {f[3] for f in FIRMS}:
        CodeEntry.objects.get_or_create(table=industries, code=cc, defaults={"name": cc})
    departments = {}
    for cc, name in (("330800-AMR", "市市场监管局"), ("330800-FIN", "市财政局")):
        departments[cc], _ = Department.objects.get_or_create(
            code=cc, defaults={"name": name, "division": city}
        )
    amr = UserFactory(
        username="amr_steward", department=departments["330800-AMR"], roles=["data_steward"]
    )
    fin = UserFactory(
        username="fin_steward", department=departments["330800-FIN"], roles=["data_steward"]
    )
    clerk = UserFactory(username="amr_clerk", department=departments["330800-AMR"], roles=["clerk"])
    found = {}
    for dataset_code in codes:
        definition = datasets.BY_CODE[dataset_code]
        steward = fin if definition.owner == "FIN" else amr
        dataset = Dataset.objects.filter(code=dataset_code).first() or Command.register_dataset(
            definition, steward
        )
        found[dataset_code] = dataset_publish(dataset=dataset, by=steward)
        report = ingest(dataset=found[dataset_code], path=_write(folder, dataset_code), by=steward)
        assert report.rows_quarantined == 0, report.quarantine[:2]
    return City(amr, fin, clerk, found)
