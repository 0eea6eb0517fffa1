"""``shuzhi carbon run --year YYYY --user USERNAME``: the year's carbon accounting (核算) from
the command line, with its stages shown as they start and a summary of the run's report."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from shuzhi.domains.carbon.services.run import RunFailed, RunRefused, accounting_run
from shuzhi.platform.accounts.models import User

STAGES = 4  # the stages accounting_run reports through ``progress``


class Command(BaseCommand):
    help = "Carbon accounts: `run` accounts a year from the warehouse with the active factors."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        run = actions.add_parser("run", help="account a year (industry and the five domains)")
        run.add_argument("--year", type=int, required=True, help="the calendar year, e.g. 2025")
        run.add_argument(
            "--user",
            required=True,
            help=f"a data steward of the carbon department ({settings.CARBON_DEPARTMENT})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"--user {options['user']}: no such active user")
        step = 0

        def progress(stage: str) -> None:
            nonlocal step
            step += 1
            self.stdout.write(f"[{step}/{STAGES}] {stage} …")
            self.stdout.flush()

        try:
            run = accounting_run(year=options["year"], by=user, progress=progress)
        except PermissionDenied as exc:
            raise CommandError(
                f"--user {user.username}: not a data steward of the carbon department "
                f"{settings.CARBON_DEPARTMENT} ({exc})"
            ) from exc
        except RunRefused as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        except RunFailed as exc:
            raise CommandError(
                f"accounting run #{exc.run.pk} for {exc.run.year} failed and was rolled back: "
                f"{exc.message}"
            ) from exc
        report = run.report
        self.stdout.write(
            self.style.SUCCESS(
                f"Accounting run #{run.pk} for {run.year} complete (factors "
                f"{report.get('factor_version')}): {report.get('enterprises', 0)} enterprises, "
                f"{report.get('graded', 0)} graded, {report.get('total_tco2', 0):,.1f} tCO2"
            )
        )
        colours = report.get("colours") or {}
        self.stdout.write(
            "  colours: " + (", ".join(f"{k} {v}" for k, v in sorted(colours.items())) or "none")
        )
        problems = report.get("problems") or {}
        if problems:
            self.stdout.write(
                self.style.WARNING(
                    "  not graded, with problems: "
                    + ", ".join(f"{k} {v}" for k, v in sorted(problems.items()))
                )
            )
        sectors = report.get("sectors") or {}
        self.stdout.write(
            f"  domain accounts: {sectors.get('rows', 0)} rows"
            + (
                f", {sectors['without_factor']} without a factor"
                if sectors.get("without_factor")
                else ""
            )
        )
        outputs = report.get("outputs") or {}
        self.stdout.write(
            "  published: " + ", ".join(f"{code} v{n}" for code, n in sorted(outputs.items()))
        )
        warnings = report.get("warnings") or {}
        opened = warnings.get("opened") or {}
        self.stdout.write(
            f"  tasks opened: {opened.get('red', 0)} red grades, "
            f"{opened.get('county', 0)} counties with rising intensity"
        )
        if sum(opened.values()) and not warnings.get("routed_to"):
            self.stdout.write(
                self.style.WARNING(
                    "  no dispatch rule sends category 'carbon' to "
                    f"{settings.CARBON_TASK_DEPARTMENT}: the tasks wait for manual dispatch"
                )
            )
