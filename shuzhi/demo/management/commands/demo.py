"""``shuzhi demo --scale N``: build (or top up) the deterministic synthetic Quzhou.

Idempotent: every record has a natural key (division code, department code, user name, credit
code, ID-number token) and only missing records are created, so a re-run changes nothing and a
bigger scale only adds.
"""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from tqdm import tqdm

from shuzhi.demo import people, synth
from shuzhi.domains.market.models import Enterprise
from shuzhi.domains.services.models import Resident
from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.accounts.services import user_roles_set
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.catalog.models import CodeEntry, CodeTable
from shuzhi.platform.security.fields import token_of

T = TypeVar("T")
R = TypeVar("R")
BATCH = 1000


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class Command(BaseCommand):
    help = "Build the deterministic synthetic Quzhou: divisions, departments, accounts, data."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--scale", type=int, default=1, help="N: N×1,000 enterprises, N×10,000 residents"
        )
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument("--no-progress", action="store_true", help="hide progress bars")

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
        audit_record(
            action="demo.load",
            actor_name="cli",
            details={"scale": scale, "enterprises_added": added_e, "residents_added": added_r},
        )
        self.print_accounts()

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
                established_on=r.established_on,
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
        for account in people.DEMO_ACCOUNTS:
            self.stdout.write(
                f"  {account.username:<16} {account.role:<13} {account.display_name}  {account.note}"
            )
        self.stdout.write(
            "  admin also needs a TOTP code: run `SHUZHI_DEMO_MODE=1 .venv/bin/shuzhi demo_otp`"
        )
