"""A small city for the accounting-run tests (not a conftest: the run's test files import it).

Two counties, two industries and a handful of enterprises whose numbers are chosen so that the
run's outcomes are known: in 2025 E1 falls from the best of its industry to red, E8 stays red,
Kecheng's intensity falls while Jiangshan's rises; Q1 skips months, Q2 has no industry code, Q3
produced nothing, Q4's only electricity reading of one month is negative (quarantined on
ingestion), S1 is a shop (not industrial, not accounted).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from shuzhi.demo import datasets
from shuzhi.demo.management.commands.demo import Command
from shuzhi.domains.carbon.factor_table import factor_set_seed_default
from shuzhi.domains.carbon.models import FactorSet
from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.catalog.models import CodeEntry, CodeTable, Dataset, ThematicWarehouse, Theme
from shuzhi.platform.catalog.reference import load_reference_data
from shuzhi.platform.catalog.services import dataset_publish
from shuzhi.platform.security.identifiers import credit_code_check_char
from shuzhi.platform.warehouse.services import ingest
from tests.factories import UserFactory

KECHENG, JIANGSHAN = "330802", "330881"
PAPER, CEMENT, RESTAURANT = "C2221", "C3011", "H6210"
INPUTS = (
    "enterprise_electricity_monthly",
    "enterprise_gas_monthly",
    "enterprise_coal_oil_monthly",
    "enterprise_heat_export_monthly",
    "enterprise_output_monthly",
    "carbon_sector_activity",
)


def credit_code(n: int) -> str:
    body = f"91{KECHENG if n < 50 else JIANGSHAN}MA2C{n:05d}"
    return body + credit_code_check_char(body)


@dataclass(frozen=True)
class Firm:
    key: str
    n: int
    county: str
    industry: str
    energy: dict[int, float]  # year -> energy per unit of output (lower is better)
    size: float = 1.0
    quirk: str = ""

    @property
    def code(self) -> str:
        return credit_code(self.n)

    @property
    def name(self) -> str:
        return f"测试{self.key}有限公司"


def firms() -> list[Firm]:
    out = []
    for i in range(1, 9):
        county = KECHENG if i <= 4 else JIANGSHAN
        e2024 = 0.6 + 0.1 * i
        if i == 1:
            e2025 = e2024 * 3  # falls from the best to the worst
        elif i <= 4:
            e2025 = e2024 * 0.4  # Kecheng improves overall
        else:
            e2025 = e2024 * 1.1  # Jiangshan worsens
        n = i if county == KECHENG else 50 + i
        out.append(Firm(f"E{i}", n, county, PAPER, {2024: e2024, 2025: e2025}))
    for i in range(1, 4):
        out.append(
            Firm(f"K{i}", 60 + i, JIANGSHAN, CEMENT, {2024: 1.0 + i / 10, 2025: 1.0 + i / 10})
        )
    same = {2024: 1.0, 2025: 1.0}
    out.append(Firm("Q1", 21, KECHENG, PAPER, same, quirk="missing_months"))
    out.append(Firm("Q2", 22, KECHENG, PAPER, same, quirk="no_industry"))
    out.append(Firm("Q3", 23, KECHENG, PAPER, same, quirk="zero_output"))
    out.append(Firm("Q4", 24, KECHENG, PAPER, same, quirk="negative"))
    out.append(Firm("S1", 31, KECHENG, RESTAURANT, same, quirk="shop"))
    return out


def by_key(key: str) -> Firm:
    return next(f for f in firms() if f.key == key)


def _months(firm: Firm, year: int) -> list[date]:
    skipped = {4, 5, 6} if firm.quirk == "missing_months" else set()
    return [date(year, m, 1) for m in range(1, 13) if m not in skipped]


def _keys(firm: Firm) -> dict[str, str]:
    return {
        "credit_code": firm.code,
        "enterprise_name": firm.name,
        "county_code": firm.county,
        "industry_code": "" if firm.quirk == "no_industry" else firm.industry,
    }


def input_rows(code: str, years: tuple[int, ...]) -> Iterator[dict[str, str]]:
    if code == "carbon_sector_activity":
        for year in years:
            for county in (KECHENG, JIANGSHAN):
                for domain, activity, unit, quantity in (
                    ("energy", "power_plant_raw_coal", "t", 1000.0),
                    ("buildings", "building_electricity", "MWh", 500.0),
                    ("transport", "vehicle_gasoline", "t", 200.0),
                    ("agriculture", "forest_sink", "ha", 300.0),
                    ("household", "household_electricity", "MWh", 800.0),
                    ("agriculture", "rice_paddy", "ha", 50.0),  # no factor for it
                ):
                    yield {
                        "domain": domain,
                        "county_code": county,
                        "year": str(year),
                        "activity": activity,
                        "quantity": str(quantity + (year - 2024) * 10),
                        "unit": unit,
                    }
        return
    for year in years:
        for firm in firms():
            e = firm.energy[year] * firm.size
            for month in _months(firm, year):
                base = {**_keys(firm), "month": month.isoformat()}
                if code == "enterprise_electricity_monthly":
                    kwh = 200_000 * e
                    if firm.quirk == "negative" and month.month == 3:
                        kwh = -kwh  # quarantined by the warehouse
                    yield {**base, "electricity_kwh": f"{kwh:.0f}"}
                elif firm.quirk == "shop" or (
                    firm.quirk == "negative" and code != "enterprise_output_monthly"
                ):
                    continue  # a shop has electricity only, Q4 electricity and output
                elif code == "enterprise_gas_monthly":
                    yield {**base, "gas_m3": f"{5000 * e:.0f}"}
                elif code == "enterprise_coal_oil_monthly":
                    coal = 50 * e * (3 if firm.industry == CEMENT else 1)
                    yield {**base, "raw_coal_t": f"{coal:.3f}", "diesel_t": "0.5"}
                elif code == "enterprise_heat_export_monthly":
                    yield {
                        **base,
                        "heat_purchased_gj": "100" if firm.key == "E2" else "0",
                        "electricity_exported_kwh": "5000" if firm.key == "E3" else "0",
                        "heat_exported_gj": "0",
                        "gasoline_t": "0.2" if firm.key == "E4" else "0",
                    }
                elif code == "enterprise_output_monthly":
                    gross = 0.0 if firm.quirk == "zero_output" else 1000.0 * firm.size
                    yield {
                        **base,
                        "above_scale": "是",
                        "gross_output": f"{gross:.2f}",
                        "value_added": f"{gross * 0.25:.2f}",
                        "revenue": f"{gross:.2f}",
                    }


def write_csv(folder: Path, code: str, rows: Iterator[dict[str, str]]) -> Path:
    definition = datasets.BY_CODE[code]
    path = folder / f"{code}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=definition.field_names, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


@dataclass
class City:
    drc: User  # the carbon department's data steward: runs the accounting
    eib: User  # the economy bureau's data steward: loads the energy data
    supervisor: User
    datasets: dict[str, Dataset]
    factor_set: FactorSet | None
    folder: Path

    def load(self, code: str, years: tuple[int, ...]) -> Any:
        steward = self.drc if code == "carbon_sector_activity" else self.eib
        path = write_csv(self.folder, code, input_rows(code, years))
        return ingest(dataset=self.datasets[code], path=path, by=steward)


def build_city(
    folder: Path,
    *,
    years: tuple[int, ...] = (2024, 2025),
    codes: tuple[str, ...] = INPUTS,
    seed_factors: bool = True,
) -> City:
    """Divisions, departments, stewards, the input datasets published and loaded, factors."""
    load_reference_data(Theme, ThematicWarehouse, CodeTable)
    province, _ = Division.objects.get_or_create(
        code="330000", defaults={"name": "浙江省", "name_en": "Zhejiang", "level": "province"}
    )
    city, _ = Division.objects.get_or_create(
        code="330800",
        defaults={"name": "衢州市", "name_en": "Quzhou", "level": "city", "parent": province},
    )
    for code, name in ((KECHENG, "柯城区"), (JIANGSHAN, "江山市")):
        Division.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name, "level": "county", "parent": city}
        )
    divisions = CodeTable.objects.get(code="gbt2260")
    industries = CodeTable.objects.get(code="gbt4754")
    for code in ("330800", KECHENG, JIANGSHAN):
        CodeEntry.objects.get_or_create(table=divisions, code=code, defaults={"name": code})
    for code in (PAPER, CEMENT, RESTAURANT):
        CodeEntry.objects.get_or_create(table=industries, code=code, defaults={"name": code})
    departments = {}
    for code, name in (
        ("330800-DRC", "市发改委"),
        ("330800-EIB", "市经信局"),
        ("330800-GOV", "市政府办公室"),
        ("330800-BANK", "衢州绿色银行"),
    ):
        departments[code], _ = Department.objects.get_or_create(
            code=code, defaults={"name": name, "division": city}
        )
    drc = UserFactory(
        username="drc_steward", department=departments["330800-DRC"], roles=["data_steward"]
    )
    eib = UserFactory(
        username="eib_steward", department=departments["330800-EIB"], roles=["data_steward"]
    )
    supervisor = UserFactory(
        username="supervisor", department=departments["330800-GOV"], roles=["supervisor"]
    )
    found = {}
    for code in codes:
        definition = datasets.BY_CODE[code]
        steward = drc if definition.owner == "DRC" else eib
        dataset = Dataset.objects.filter(code=code).first() or Command.register_dataset(
            definition, steward
        )
        found[code] = dataset_publish(dataset=dataset, by=steward)
    city_data = City(drc, eib, supervisor, found, None, folder)
    for code in codes:
        city_data.load(code, years)
    if seed_factors:
        city_data.factor_set = factor_set_seed_default(by=drc)
    return city_data
