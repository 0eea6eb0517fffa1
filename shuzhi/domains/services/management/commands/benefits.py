"""``shuzhi benefits run --period 2026-11 [--user cab_steward]``: one 免申即享 eligibility run.

Without ``--user`` the run acts as the schedule (every active policy); with it, as that data
steward (the policies of their department)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from shuzhi.platform.accounts.models import User

from ...services.benefits import BenefitRefused, eligibility_run


class Command(BaseCommand):
    help = "免申即享: run the eligibility of the active benefit policies for a period"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        run = sub.add_parser("run", help="one eligibility run")
        run.add_argument("--period", required=True, help="YYYY-MM (or YYYY: yearly only)")
        run.add_argument("--user", default="", help="a data steward (default: the schedule)")

    def handle(self, *args: Any, **options: Any) -> None:
        by = None
        if options["user"]:
            by = User.objects.filter(username=options["user"], is_active=True).first()
            if by is None:
                raise CommandError(f"no active user {options['user']!r}")
        try:
            run = eligibility_run(period=options["period"], by=by)
        except (BenefitRefused, PermissionDenied) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(run.report, ensure_ascii=False, indent=1))
        if run.state != run.State.COMPLETE:
            raise CommandError(f"run {run.pk} failed: {run.error}")
        self.stdout.write(self.style.SUCCESS(f"run {run.pk} complete"))
