"""``shuzhi ingest CODE FILE --user STEWARD``: load a file into a dataset with a progress bar."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from shuzhi.platform.accounts.models import User
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.warehouse.services import NotIngestible, ingest
from shuzhi.platform.warehouse.spec import IngestError


class Command(BaseCommand):
    help = "Load a CSV (UTF-8 or GB18030), XLSX, JSON Lines or Parquet file into a dataset."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("code", help="dataset code, e.g. enterprise_electricity_monthly")
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="a data steward of the owner department")
        parser.add_argument("--json", action="store_true", help="print the ingest report as JSON")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        dataset = Dataset.objects.filter(code=options["code"]).first()
        if dataset is None:
            raise CommandError(f"{options['code']}: no dataset with this code in the catalogue")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"--user {options['user']}: no such active user")
        with tqdm(unit="rows", desc=dataset.code, disable=options["no_progress"]) as bar:

            def advance(rows_so_far: int) -> None:  # the engine reports a running total
                bar.update(rows_so_far - bar.n)

            try:
                report = ingest(dataset=dataset, path=path, by=user, progress=advance)
            except IngestError as exc:
                raise CommandError(str(exc)) from exc
            except (NotIngestible, PermissionDenied) as exc:
                raise CommandError(f"{dataset.code}: {exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.to_json(), ensure_ascii=False))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{dataset.code} v{report.version}: {report.rows_in} rows in, "
                f"{report.rows_loaded} loaded, {report.rows_quarantined} quarantined, "
                f"quality {report.quality.get('score', 0):.1f}"
            )
        )
        for row in report.quarantine[:10]:
            self.stdout.write(f"  row {row.row}: {row.field}: {row.reason}")
