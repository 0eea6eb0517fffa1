"""``shuzhi audit verify``: walk the chain and name the first tampered entry."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.audit.services import anchor_path, audit_anchor_write
from shuzhi.platform.audit.verify import audit_chain_verify


class Command(BaseCommand):
    help = "Audit log tools. `verify` recomputes the SM3 chain and checks its sealed head."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
        parser.add_argument(
            "--no-anchor",
            action="store_true",
            help="do not append the verified head to the anchor file",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditEntry.objects.count()
        with tqdm(
            total=total, unit="entries", disable=options["no_progress"], desc="verify"
        ) as bar:
            report = audit_chain_verify(progress=bar.update)
        if not report.ok:
            raise CommandError(
                f"audit chain broken at entry #{report.first_bad_seq} ({report.problem}): "
                f"{report.message}"
            )
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {report.checked} entries"))
        if report.checked and not options["no_anchor"]:
            audit_anchor_write(seq=report.checked, last_hash=report.last_hash)
            self.stdout.write(f"anchored #{report.checked} in {anchor_path()}")
