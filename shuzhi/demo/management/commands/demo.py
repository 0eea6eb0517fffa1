"""``shuzhi demo --scale N``: build (or top up) the deterministic synthetic Quzhou.

Idempotent: every record has a natural key (division code, department code, user name, credit
code, ID-number token) and only missing records are created, so a re-run changes nothing and a
bigger scale only adds.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from tqdm import tqdm

from shuzhi.demo import datasets, environment, people, policy, rows, synth
from shuzhi.domains.market.models import Enterprise
from shuzhi.domains.services.models import Resident
from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.accounts.services import user_roles_set
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.catalog.models import (
    CodeEntry,
    CodeTable,
    Dataset,
    LineageEdge,
    Status,
    ThematicWarehouse,
    Theme,
)
from shuzhi.platform.catalog.reference import load_reference_data
from shuzhi.platform.catalog.services import (
    FieldInput,
    dataset_create,
    dataset_publish,
    lineage_add,
)
from shuzhi.platform.security.fields import token_of
from shuzhi.platform.security.identifiers import credit_code_check_char

T = TypeVar("T")
R = TypeVar("R")
BATCH = 1000


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass(frozen=True)
class _Ingestion:
    current_version: Callable[[Dataset], Any]
    ingest: Callable[..., Any]
    error: type[Exception]


class Command(BaseCommand):
    help = "Build the deterministic synthetic Quzhou: divisions, departments, accounts, data."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--scale", type=int, default=1, help="N: N×1,000 enterprises, N×10,000 residents"
        )
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
        parser.add_argument(
            "--no-datasets",
            action="store_true",
            help="skip the catalogued datasets: registration, data files and ingestion",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "`demo` creates accounts with public passwords; it runs only with "
                "SHUZHI_DEMO_MODE=1 (as `make demo` sets)"
            )
        scale = options["scale"]
        if not 1 <= scale <= 1000:
            raise CommandError("--scale must be between 1 and 1000")
        self.quiet = options["no_progress"]
        divisions = self.load_divisions()
        self.load_departments(divisions)
        self.load_accounts()
        self.load_industries()
        added_e = self.load_enterprises(scale, options["seed"])
        added_r = self.load_residents(scale, options["seed"])
        added_d = 0 if options["no_datasets"] else self.load_datasets(scale, options["seed"])
        if not options["no_datasets"]:
            self.load_exchanges()
            self.load_governance()
            self.load_carbon()
            self.load_market()
            self.load_services()
            policy.load(stdout=self.stdout, style=self.style, quiet=self.quiet)
            environment.load_environment(self.stdout)
        audit_record(
            action="demo.load",
            actor_name="cli",
            details={
                "scale": scale,
                "enterprises_added": added_e,
                "residents_added": added_r,
                "datasets_added": added_d,
            },
        )
        self.print_accounts()

    def load_exchanges(self) -> None:
        """Sharing, opening and operation under way, so that each page has something to show.

        Made once, through the services as people would (a rerun leaves them as they are):
        a grant and two requests (one decided) between departments, a pending application for
        restricted open data, and a vetted operator with two authorised datasets and a
        released analysis.
        """
        from shuzhi.platform.opendata.models import Application
        from shuzhi.platform.opendata.services import application_submit
        from shuzhi.platform.operation.models import Operator
        from shuzhi.platform.operation.services import (
            analysis_review,
            analysis_submit,
            authorisation_grant,
            operator_register,
            operator_set_status,
        )
        from shuzhi.platform.sharing.models import ShareRequest
        from shuzhi.platform.sharing.services import share_request_approve, share_request_create

        names = [account.username for account in people.DEMO_ACCOUNTS]
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        by_code = {d.code: d for d in Dataset.objects.filter(code__in=datasets.BY_CODE)}
        today = timezone.localdate()
        period = today + timedelta(days=180)
        if not ShareRequest.objects.exists():
            for who, code, approve in (
                ("kecheng_clerk", "air_quality_hourly", False),  # unconditional: granted at once
                ("kecheng_clerk", "enterprise_electricity_monthly", False),  # waits for EIB
                ("clerk", "enterprise_output_monthly", True),
            ):
                dataset = by_code[code]
                outcome = share_request_create(
                    by=users[who],
                    dataset=dataset,
                    fields=[f.name for f in dataset.fields.all()],
                    purpose="市场主体分类监管与企业画像（演示）",
                    legal_basis="《浙江省公共数据条例》第二十五条",
                    period_end=period,
                )
                if approve:
                    share_request_approve(
                        share_request=outcome.share_request, by=users["eib_approver"]
                    )
        if not Application.objects.exists():
            application_submit(
                by=users["resident"],
                dataset=by_code["enterprise_registry"],
                purpose="研究衢州市小微企业的行业分布与存续情况，用于高校课程论文（演示）。",
                agreed=True,
            )
        if not Operator.objects.exists():
            bureau = users["steward"]  # a data steward of the big-data bureau
            body = "91330800MA2DEM0DA"
            operator = operator_register(
                by=bureau,
                name="衢州数智科技有限公司",
                credit_code=body + credit_code_check_char(body),
                users=[users["enterprise"]],
            )
            operator = operator_set_status(by=bureau, operator=operator, status="vetted")
            for code in ("enterprise_electricity_monthly", "air_quality_hourly"):
                authorisation_grant(
                    by=bureau,
                    operator=operator,
                    dataset=by_code[code],
                    starts_on=today,
                    ends_on=today + timedelta(days=365),
                    purpose="区域能耗与空气质量分析产品（演示）",
                )
            analysis = analysis_submit(
                by=users["enterprise"],
                title="各区县企业月均用电量",
                language="sql",
                text=(
                    "SELECT county_code, count(DISTINCT credit_code) AS enterprises, "
                    "avg(electricity_kwh) AS average_kwh "
                    "FROM enterprise_electricity_monthly GROUP BY county_code"
                ),
            )
            if analysis.status == "awaiting_review":
                analysis_review(by=bureau, analysis=analysis, decision="release", comment="演示")

    def load_governance(self) -> None:
        """Indicators, warning rules and loop tasks in every state, made once through the services.

        The brain computes monthly industrial electricity and real-estate transactions by
        county and opens loop tasks for its warnings; residents' reports go through dispatch,
        acceptance, handling, review and rating; one task is past its deadline, so the deadline
        scan marks it overdue and escalates it.
        """
        from django.core.files.uploadedfile import SimpleUploadedFile

        from shuzhi.platform.brain.models import Indicator
        from shuzhi.platform.brain.services import indicator_compute, indicator_save, rule_save
        from shuzhi.platform.loop.models import Task
        from shuzhi.platform.loop.services import (
            scan_deadlines,
            task_accept,
            task_dispatch,
            task_open,
            task_rate,
            task_review,
            task_submit,
        )

        names = [account.username for account in people.DEMO_ACCOUNTS]
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        by_code = {d.code: d for d in Dataset.objects.filter(code__in=datasets.BY_CODE)}
        if not Indicator.objects.exists():
            for steward, code, values, rules in (
                (
                    "eib_steward",
                    "enterprise_electricity_monthly",
                    {
                        "code": "industrial_electricity",
                        "name": "工业企业月度用电量",
                        "name_en": "Monthly electricity use of enterprises",
                        "expression": "SUM(electricity_kwh)",
                        "period_field": "month",
                        "unit": "kWh",
                    },
                    [
                        {"name": "用电量同比下降超过 10%", "kind": "yoy", "threshold": -10},
                        {"name": "用电量异常波动", "kind": "zscore", "threshold": 3},
                    ],
                ),
                (
                    "fin_steward",
                    "real_estate_transaction",
                    {
                        "code": "real_estate_volume",
                        "name": "不动产交易量",
                        "name_en": "Real-estate transactions",
                        "expression": "COUNT(*)",
                        "period_field": "signed_on",
                        "unit": "件",
                    },
                    [{"name": "交易量异常波动", "kind": "zscore", "threshold": 3}],
                ),
            ):
                indicator = indicator_save(
                    by=users[steward],
                    dataset=by_code[code],
                    values={**values, "grain": "month", "dimension": "county_code", "key": True},
                )
                for rule in rules:
                    direction = "below" if rule["kind"] == "yoy" else "above"
                    rule_save(
                        by=users[steward],
                        indicator=indicator,
                        values={**rule, "direction": direction, "window": 12},
                    )
                indicator_compute(by=users[steward], indicator=indicator)
        if Task.objects.filter(type_code="report").exists():
            return
        reporter, dispatcher = users["resident"], users["supervisor"]
        handler = users["kecheng_clerk"]
        department = handler.department
        assert department is not None
        reports = [
            ("荷花街道某小区楼道堆放杂物", "荷花街道", "pending_dispatch"),
            ("府山街道人行道地砖破损", "府山街道", "pending_acceptance"),
            ("双港街道夜间施工噪声扰民", "双港街道", "in_progress"),
            ("新新街道餐馆油烟直排", "新新街道", "pending_review"),
            ("信安街道路灯不亮", "信安街道", "closed"),
            ("花园街道共享单车乱停放", "花园街道", "rated"),
            ("衢化街道河道漂浮垃圾", "衢化街道", "rated_low"),
            ("白云街道占道经营", "白云街道", "overdue"),
        ]
        steps = ["pending_dispatch", "pending_acceptance", "in_progress", "pending_review"]
        steps += ["closed", "rated"]
        kecheng = Division.objects.get(code="330802")
        for title, place, goal in reports:
            task = task_open(
                type_code="report",
                title=title,
                division=kecheng,
                location=f"柯城区{place}",
                description=f"市民反映：{title}，请尽快处理。（演示）",
                category="城市管理",
                reporter=reporter,
                by=reporter,
            )
            target = {"rated_low": "rated", "overdue": "in_progress"}.get(goal, goal)
            if steps.index(target) >= 1:
                task = task_dispatch(task=task, department=department, by=dispatcher)
            if steps.index(target) >= 2:
                task = task_accept(task=task, by=handler)
            if steps.index(target) >= 3:
                photo = SimpleUploadedFile("现场照片.txt", "整改前后对比（演示）".encode())
                task = task_submit(
                    task=task, by=handler, comment="已现场核实并处置完毕。", files=[photo]
                )
            if steps.index(target) >= 4:
                task = task_review(task=task, by=dispatcher, approve=True, comment="同意办结。")
            if target == "rated":
                score, comment = (2, "处理较慢。") if goal == "rated_low" else (5, "很满意。")
                task_rate(task=task, by=reporter, score=score, comment=comment)
            if goal == "overdue":  # opened a week ago: the scan finds it past its deadline
                past = timezone.now() - timedelta(days=7)
                Task.objects.filter(pk=task.pk).update(opened_at=past, deadline=past)
        scan_deadlines()

    def load_market(self) -> None:
        """Credit-risk classes (信用风险分类): the market department's steward classifies once."""
        from shuzhi.domains.market.models import CreditRun
        from shuzhi.domains.market.services.credit import CreditRefused, credit_classify

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Credit-risk classes (信用风险分类)"))
        done = CreditRun.objects.filter(is_current=True, state=CreditRun.State.COMPLETE).first()
        if done is None:
            try:
                done = credit_classify(by=User.objects.get(username="amr_steward"))
            except CreditRefused as exc:
                self.stdout.write(self.style.ERROR(f"  not classified: {exc}"))
                return
        self.stdout.write(
            f"  run #{done.pk}, {done.report.get('enterprises', 0)} enterprises, "
            f"classes {done.report.get('classes', {})}"
        )
        self.load_market_supervision()

    def load_market_supervision(self) -> None:
        """The rest of market supervision, on top of the classes: life cycle, cases and lenient
        lists, random inspections, enterprise codes, traceability, IP and quality."""
        from importlib import import_module

        for name, title in (
            ("market_lifecycle", "Enterprise life cycle (市场主体全生命周期)"),
            ("market_cases", "Cases and lenient supervision (包容审慎监管)"),
            ("market_inspections", "Random inspections (双随机一公开)"),
            ("market_codes", "Enterprise codes and self-checks (一码四色 · 五自)"),
            ("market_trace", "Traceability and recalls (追溯 · 召回)"),
            ("market_ip", "Intellectual property and quality (知识产权 · 质量)"),
        ):
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS(title))
            import_module(f"shuzhi.demo.{name}").load(stdout=self.stdout)

    def load_services(self) -> None:
        """Public services: the service catalogue and 一件事 bundles, applications under way,
        e-licences, 免申即享 benefits, and the residents and enterprises the portals show."""
        from importlib import import_module

        for name, title in (
            ("services_catalogue", "Service catalogue and 一件事 bundles (政务服务事项)"),
            ("services_licences", "Electronic licences (电子证照)"),
            ("services_benefits", "Benefits without applying (免申即享)"),
            ("services_portal", "Citizen portal and 政企通 accounts"),
        ):
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS(title))
            import_module(f"shuzhi.demo.{name}").load(stdout=self.stdout)

    def load_carbon(self) -> None:
        """Carbon accounts (碳账户) with history, and green finance on them, made once.

        The default emission factors are seeded and the carbon department's steward runs the
        accounting for the last two complete years of the data (历史下降法 compares a year with
        the one before). A dispatch rule sends the run's warnings to the economy bureau. The
        bank is granted the annual accounts (asked for and approved through sharing), the
        demo enterprise user acts for an enterprise with a carbon account and authorises the
        bank, and the bank offers three illustrative green-loan products.
        """
        from shuzhi.domains.carbon.factor_table import factor_set_seed_default
        from shuzhi.domains.carbon.models import AccountingRun, EnterpriseAccount, LoanProduct
        from shuzhi.domains.carbon.services.finance import bank_authorise, loan_product_save
        from shuzhi.domains.carbon.services.publish import ANNUAL
        from shuzhi.domains.carbon.services.run import RunFailed, RunRefused, accounting_run
        from shuzhi.platform.sharing.models import ShareRequest
        from shuzhi.platform.sharing.services import share_request_approve, share_request_create

        names = [account.username for account in people.DEMO_ACCOUNTS]
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        steward = users["drc_steward"]
        factor_set_seed_default(by=steward)
        last = synth.REFERENCE_DATE.year + rows.TimeShift.to(timezone.localdate()).years
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Carbon accounts (碳账户)"))
        for year in (last - 1, last):
            done = AccountingRun.objects.filter(
                year=year, is_current=True, state=AccountingRun.State.COMPLETE
            ).first()
            if done is None:
                try:
                    done = accounting_run(year=year, by=steward)
                except (RunRefused, RunFailed) as exc:
                    self.stdout.write(self.style.ERROR(f"  {year}: not accounted: {exc}"))
                    continue
            report = done.report
            self.stdout.write(
                f"  {year}: run #{done.pk}, {report.get('enterprises', 0)} enterprises, "
                f"{report.get('graded', 0)} graded, problems {report.get('problems', {})}, "
                f"tasks opened {report.get('warnings', {}).get('opened', {})}"
            )
        bank = Department.objects.get(code=people.CONSUMERS[0][0])
        annual = Dataset.objects.filter(code=ANNUAL).first()
        if annual is not None and not ShareRequest.objects.filter(dataset=annual).exists():
            outcome = share_request_create(
                by=users["bank"],
                dataset=annual,
                fields=[
                    "credit_code",
                    "enterprise_name",
                    "county_code",
                    "industry_code",
                    "year",
                    "intensity",
                    "score",
                    "colour",
                    "efficiency_level",
                    "problems",
                    "factor_version",
                ],
                purpose="碳账户金融：按企业碳账户评价结果实行绿色信贷差异化定价（演示）",
                legal_basis="《衢州市碳账户金融管理办法》（演示）；企业书面授权",
                period_end=timezone.localdate() + timedelta(days=180),
            )
            share_request_approve(share_request=outcome.share_request, by=users["approver"])
        enterprise = users["enterprise"]
        if not enterprise.credit_code:
            account = (
                EnterpriseAccount.objects.filter(
                    run__is_current=True,
                    run__year=last,
                    colour__in=("dark_green", "light_green"),
                    problems=[],
                )
                .order_by("credit_code")
                .first()
            )
            if account is not None:
                enterprise.credit_code = account.credit_code
                enterprise.save(update_fields=["credit_code"])
                bank_authorise(by=enterprise, bank=bank)
        if not LoanProduct.objects.filter(bank=bank).exists():
            illustrative = "示例产品，利率调整仅为演示（illustrative）"
            for name, adjustments in (
                ("碳效贷", (-50, -25, 0, 30)),
                ("绿色技改贷", (-60, -30, -10, 20)),
                ("碳账户信用贷", (-40, -20, 0, 50)),
            ):
                for colour, bp in zip(
                    ("dark_green", "light_green", "yellow", "red"), adjustments, strict=True
                ):
                    loan_product_save(
                        by=users["bank"],
                        values={
                            "name": name,
                            "colour": colour,
                            "rate_adjustment_bp": bp,
                            "description": f"{name}：{illustrative}",
                        },
                    )

    def progress(self, total: int, desc: str) -> tqdm:
        return tqdm(total=total, desc=desc, unit="rows", disable=self.quiet)

    @transaction.atomic
    def load_divisions(self) -> dict[str, Division]:
        province, _ = Division.objects.get_or_create(
            code="330000", defaults={"name": "浙江省", "name_en": "Zhejiang", "level": "province"}
        )
        known = {d.code: d for d in Division.objects.all()}
        for record in synth.load_divisions():
            if record.code in known:
                continue
            parent = known.get(record.parent_code or "", province)
            known[record.code] = Division.objects.create(
                code=record.code,
                name=record.name_zh,
                name_en=record.name_en,
                level=record.level,
                parent=parent,
            )
        return known

    @transaction.atomic
    def load_departments(self, divisions: dict[str, Division]) -> None:
        city = divisions["330800"]
        counties = [d for d in divisions.values() if d.level == Division.Level.COUNTY]
        for suffix, city_name, county_pattern, name_en in people.DEPARTMENTS:
            parent, _ = Department.objects.get_or_create(
                code=people.department_code(city.code, suffix),
                defaults={"name": city_name, "name_en": f"Quzhou {name_en}", "division": city},
            )
            for county in counties:
                Department.objects.get_or_create(
                    code=people.department_code(county.code, suffix),
                    defaults={
                        "name": county_pattern.format(county=county.name),
                        "name_en": f"{county.name_en} {name_en}",
                        "division": county,
                        "parent": parent,
                    },
                )
        # Organisations outside government that consume shared data (e.g. a bank, 碳账户金融).
        for code, name, name_en in people.CONSUMERS:
            Department.objects.get_or_create(
                code=code, defaults={"name": name, "name_en": name_en, "division": city}
            )

    @transaction.atomic
    def load_accounts(self) -> None:
        for account in people.DEMO_ACCOUNTS:
            department = (
                Department.objects.get(code=account.department_code)
                if account.department_code
                else None
            )
            user, created = User.objects.get_or_create(
                username=account.username,
                defaults={
                    "display_name": account.display_name,
                    "department": department,
                    "division": department.division
                    if department
                    else Division.objects.get(code="330802"),
                    "is_staff": account.role == "system_admin",
                    "is_superuser": account.role == "system_admin",
                },
            )
            if created:
                user.set_password(people.DEMO_PASSWORD)
                user.save(update_fields=["password"])
            user_roles_set(user=user, roles=[account.role], by=None)
            if account.role == "system_admin":
                TOTPDevice.objects.get_or_create(
                    user=user,
                    name="demo",
                    defaults={"key": people.DEMO_TOTP_SECRET_HEX, "confirmed": True},
                )

    @transaction.atomic
    def load_industries(self) -> None:
        """GB/T 4754 industries and GB/T 2260 divisions become catalogue code tables."""
        load_reference_data(Theme, ThematicWarehouse, CodeTable)  # gone if the tables were flushed
        industries = CodeTable.objects.get(code="gbt4754")
        divisions = CodeTable.objects.get(code="gbt2260")
        existing = set(CodeEntry.objects.values_list("table_id", "code"))
        CodeEntry.objects.bulk_create(
            [
                CodeEntry(table=industries, code=i.code, name=i.name_zh, name_en=i.name_en)
                for i in synth.load_industries()
                if ("gbt4754", i.code) not in existing
            ]
            + [
                CodeEntry(table=divisions, code=d.code, name=d.name, name_en=d.name_en)
                for d in Division.objects.all()
                if ("gbt2260", d.code) not in existing
            ]
        )

    def load_enterprises(self, scale: int, seed: int) -> int:
        existing = set(Enterprise.objects.values_list("credit_code", flat=True))
        towns = self.town_codes()
        shift = rows.TimeShift.to(timezone.localdate())  # as the dataset files are moved
        return self.load_missing(
            model=Enterprise,
            records=synth.enterprises(scale=scale, seed=seed),
            total=scale * 1000,
            is_new=lambda r: r.credit_code not in existing,
            build=lambda r: Enterprise(
                credit_code=r.credit_code,
                name=r.name,
                enterprise_type=r.enterprise_type,
                legal_representative=r.legal_representative,
                address=r.address,
                county_id=r.county_code,
                town_id=r.town_code if r.town_code in towns else None,
                industry_code=r.industry_code,
                registered_capital=r.registered_capital_10k_yuan,
                established_on=shift.day(r.established_on),
                status=r.status,
            ),
        )

    def load_residents(self, scale: int, seed: int) -> int:
        existing = set(Resident.objects.values_list("id_number_token", flat=True))
        towns = self.town_codes()
        return self.load_missing(
            model=Resident,
            records=synth.residents(scale=scale, seed=seed),
            total=scale * 10000,
            is_new=lambda r: token_of(r.id_number) not in existing,
            build=lambda r: Resident(
                id_number=r.id_number,
                name=r.name,
                sex=r.sex,
                birth_date=r.birth_date,
                county_id=r.county_code,
                town_id=r.town_code if r.town_code in towns else None,
                address=r.address,
                mobile=r.mobile,
            ),
        )

    def load_datasets(self, scale: int, seed: int) -> int:
        """Register and publish the demo datasets, then write their files and ingest them.

        Each dataset is registered by a steward of its owner department; existing datasets
        are left as they are, and a dataset with a current version is not ingested again.
        """
        stewards = self.dataset_stewards()
        added = 0
        for definition in datasets.DATASETS:
            dataset = Dataset.objects.filter(code=definition.code).first()
            steward = stewards[definition.owner]
            if dataset is None:
                dataset = self.register_dataset(definition, steward)
                added += 1
            if dataset.status == Status.DRAFT:
                dataset_publish(dataset=dataset, by=steward)
        by_code = {d.code: d for d in Dataset.objects.filter(code__in=datasets.BY_CODE)}
        for warehouse in ThematicWarehouse.objects.all():
            warehouse.datasets.add(
                *(by_code[d.code] for d in datasets.DATASETS if warehouse.code in d.warehouses)
            )
        for edge in datasets.LINEAGE:
            source, target = by_code[edge.source], by_code[edge.target]
            if not LineageEdge.objects.filter(source=source, target=target).exists():
                lineage_add(
                    source=source,
                    target=target,
                    transformation=edge.transformation,
                    by=stewards[datasets.BY_CODE[edge.target].owner],
                )
        self.load_dataset_files(scale, seed, by_code, stewards)
        return added

    @staticmethod
    def dataset_stewards() -> dict[str, User]:
        """The data steward of each owner department (people.DEMO_ACCOUNTS has one each)."""
        stewards = {
            account.department_code: account.username
            for account in people.DEMO_ACCOUNTS
            if account.role == "data_steward"
        }
        users = {u.username: u for u in User.objects.filter(username__in=stewards.values())}
        return {
            owner: users[stewards[people.department_code(datasets.CITY_DIVISION, owner)]]
            for owner in {d.owner for d in datasets.DATASETS}
        }

    @staticmethod
    def register_dataset(definition: datasets.DatasetDef, steward: User) -> Dataset:
        code_tables = {t.code: t for t in CodeTable.objects.all()}
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
                    "code_table": code_tables[f.code_table] if f.code_table else None,
                    "min_value": f.min_value,
                    "max_value": f.max_value,
                    "decimal_places": f.decimal_places,
                },
            )
            for f in definition.fields
        ]
        return dataset_create(
            by=steward,
            code=definition.code,
            owner=Department.objects.get(
                code=people.department_code(datasets.CITY_DIVISION, definition.owner)
            ),
            fields=fields,
            name=definition.name,
            name_en=definition.name_en,
            description=definition.description,
            division=Division.objects.get(code=datasets.CITY_DIVISION),
            theme=Theme.objects.get(code=definition.theme),
            frequency=definition.frequency,
            share_attribute=definition.share_attribute,
            share_condition=definition.share_condition,
            open_attribute=definition.open_attribute,
            deidentified=definition.deidentified,
            grade=definition.grade,
            importance=definition.importance,
            tags=list(definition.tags),
            contact_name=definition.contact_name,
            contact_phone=definition.contact_phone,
        )

    def load_dataset_files(
        self, scale: int, seed: int, by_code: dict[str, Dataset], stewards: dict[str, User]
    ) -> None:
        """Write the data files into DATA_DIR/demo/files and ingest those not yet loaded.

        Ingestion belongs to the warehouse; without it (an older build) the files are still
        written, for upload by hand. A file of the same scale and seed is not written again.
        """
        warehouse = self.warehouse_ingestion()
        pending = [
            code
            for code in by_code
            if warehouse is None or warehouse.current_version(by_code[code]) is None
        ]
        folder = Path(settings.DATA_DIR) / "demo" / "files"
        manifest = folder / "files.json"
        # The data window ends yesterday (rows.TimeShift), so the city's data is current.
        as_of = timezone.localdate()
        wanted = {"scale": scale, "seed": seed, "as_of": as_of.isoformat()}
        same = manifest.exists() and json.loads(manifest.read_text("utf-8")) == wanted
        rows.write_demo_files(
            scale=scale,
            seed=seed,
            folder=folder,
            codes=[c for c in pending if not (same and (folder / f"{c}.csv").exists())],
            as_of=as_of,
        )
        manifest.write_text(json.dumps(wanted), "utf-8")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo datasets (files in {folder})"))
        if warehouse is None:
            self.stdout.write(
                self.style.WARNING("  warehouse ingestion is not available: files not ingested")
            )
        failed = []
        for definition in datasets.DATASETS:
            dataset = by_code[definition.code]
            label = f"  {definition.code:<32} {definition.owner} L{definition.grade}"
            if warehouse is None:
                self.stdout.write(f"{label}  file written, not ingested")
                continue
            if definition.code not in pending:
                version = warehouse.current_version(dataset)
                self.stdout.write(f"{label}  already loaded: {version.rows_loaded} rows")
                continue
            if dataset.status != Status.PUBLISHED:
                self.stdout.write(f"{label}  {dataset.get_status_display()}: not ingested")
                continue
            try:
                with tqdm(desc=definition.code, unit="rows", disable=self.quiet) as bar:
                    report = warehouse.ingest(
                        dataset=dataset,
                        path=folder / f"{definition.code}.csv",
                        by=stewards[definition.owner],
                        progress=lambda read, bar=bar: bar.update(read - bar.n),
                    )
            except warehouse.error as exc:
                failed.append(definition.code)
                self.stdout.write(self.style.ERROR(f"{label}  not ingested: {exc}"))
                continue
            self.stdout.write(
                f"{label}  {report.rows_in} rows in, {report.rows_loaded} loaded, "
                f"{report.rows_quarantined} quarantined"
            )
        if failed:
            raise CommandError(f"ingestion failed for: {', '.join(failed)}")

    @staticmethod
    def warehouse_ingestion() -> _Ingestion | None:
        """The warehouse's ingestion, or None while this build has none (it is optional here)."""
        try:
            from shuzhi.platform.warehouse.selectors import current_version
            from shuzhi.platform.warehouse.services import ingest
            from shuzhi.platform.warehouse.spec import IngestError
        except ImportError:
            return None
        return _Ingestion(current_version=current_version, ingest=ingest, error=IngestError)

    @staticmethod
    def town_codes() -> set[str]:
        return set(Division.objects.filter(level="town").values_list("code", flat=True))

    def load_missing(
        self,
        *,
        model: type[models.Model],
        records: Iterable[R],
        total: int,
        is_new: Callable[[R], bool],
        build: Callable[[R], models.Model],
    ) -> int:
        """Create the records not yet loaded, a batch per transaction, with a progress bar."""
        added = 0
        with self.progress(total, model._meta.model_name or "rows") as bar:
            for batch in _batches(records, BATCH):
                new = [build(r) for r in batch if is_new(r)]
                with transaction.atomic():
                    model._default_manager.bulk_create(new)
                added += len(new)
                bar.update(len(batch))
        return added

    def print_accounts(self) -> None:
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"Demo accounts (password for all: {people.DEMO_PASSWORD})")
        )
        width = max(len(account.username) for account in people.DEMO_ACCOUNTS)
        for account in people.DEMO_ACCOUNTS:
            self.stdout.write(
                f"  {account.username:<{width}}  {account.role:<13} {account.display_name}  "
                f"{account.note}"
            )
        self.stdout.write(
            "  admin also needs a TOTP code: run `SHUZHI_DEMO_MODE=1 .venv/bin/shuzhi demo_otp`"
        )
