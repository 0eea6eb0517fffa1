"""``shuzhi policy …``: the policy library (政策文件库) from the command line.

- ``import FOLDER_OR_FILE [--topic CODE] [--genre G] [--publisher NAME] [--as USERNAME]``:
  import .txt (UTF-8 or GB18030), .html and .docx files with a progress bar; each file on its
  own (a bad one is listed with the file, line and field at fault, and the exit code is 1).
- ``reindex``: rebuild the search index from the database.
- ``check-index``: compare the index with the database; exit code 1 when they differ.
- ``refresh-validity``: the daily validity refresh (有效性), now.

Without ``--as`` the import acts as the system (whoever runs the command has the server).
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from shuzhi.platform.accounts.models import User

from ...importing.text import GENRES
from ...models import Genre, Publisher, Topic
from ...refusals import PolicyRefused


class Command(BaseCommand):
    help = "Policy library: import documents, rebuild or check the search index, refresh validity"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        imp = sub.add_parser("import", help="import .txt, .html and .docx files")
        imp.add_argument("path", type=Path, help="a folder (searched recursively) or one file")
        imp.add_argument("--topic", default="", help="second-level topic code, e.g. 0102")
        imp.add_argument(
            "--genre", default="", help=f"one of {', '.join(Genre.values)} or 市政府文件…"
        )
        imp.add_argument("--publisher", default="", help="publisher name, e.g. 市人民政府")
        imp.add_argument(
            "--as", dest="as_user", default="", help="act as this user (policy.publish)"
        )
        imp.add_argument("--json", action="store_true", help="print the report as JSON")
        imp.add_argument("--no-progress", action="store_true", help="hide the progress bar")
        reindex = sub.add_parser("reindex", help="rebuild the search index from the database")
        reindex.add_argument("--no-progress", action="store_true", help="hide the progress bar")
        sub.add_parser("check-index", help="compare the search index with the database")
        sub.add_parser("refresh-validity", help="mark expired, repealed and amended documents")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["command"]
        if command == "import":
            self.import_(options)
        elif command == "reindex":
            self.reindex(options)
        elif command == "check-index":
            self.check_index()
        else:
            from ...services.documents import refresh_validity

            changed = refresh_validity()
            self.stdout.write(
                self.style.SUCCESS(f"validity refreshed: {changed} documents changed")
            )

    def import_(self, options: dict[str, Any]) -> None:
        from ...services.importing import ImportDefaults, import_folder

        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path}: no such file or folder")
        by = None
        if options["as_user"]:
            by = User.objects.filter(username=options["as_user"], is_active=True).first()
            if by is None:
                raise CommandError(f"--as {options['as_user']}: no such active user")
        defaults = ImportDefaults()
        if options["topic"]:
            defaults.topic = Topic.objects.filter(code=options["topic"]).first()
            if defaults.topic is None:
                raise CommandError(f"--topic {options['topic']}: no such topic code")
            if defaults.topic.parent_id is None:
                raise CommandError(f"--topic {options['topic']}: choose a second-level topic")
        if options["genre"]:
            genre = options["genre"]
            defaults.genre = genre if genre in Genre.values else GENRES.get(genre)
            if defaults.genre is None:
                raise CommandError(f"--genre {genre}: one of {', '.join(Genre.values)}")
        if options["publisher"]:
            defaults.publisher = Publisher.objects.filter(name=options["publisher"]).first()
            if defaults.publisher is None:
                raise CommandError(f"--publisher {options['publisher']}: no such publisher")
        with tqdm(unit="files", desc="import", disable=options["no_progress"]) as bar:

            def advance(done: int, total: int, name: str) -> None:
                bar.total = total
                bar.set_postfix_str(name[-40:], refresh=False)
                bar.update(done - bar.n)

            try:
                report = import_folder(path, by=by, defaults=defaults, progress=advance)
            except (PolicyRefused, PermissionDenied) as error:
                raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"imported": report.imported, "failed": report.failed}, ensure_ascii=False
                )
            )
        else:
            for name, pk in report.imported:
                self.stdout.write(f"  imported {name} → document {pk}")
            for name, reason in report.failed:
                self.stderr.write(f"  FAILED {name}: {reason}")
        summary = f"{len(report.imported)} imported, {len(report.failed)} failed"
        if report.failed:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def reindex(self, options: dict[str, Any]) -> None:
        from ...services.indexing import rebuild_index

        with tqdm(unit="docs", desc="reindex", disable=options["no_progress"]) as bar:

            def advance(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            count = rebuild_index(by=None, progress=advance)
        self.stdout.write(self.style.SUCCESS(f"index rebuilt: {count} documents"))

    def check_index(self) -> None:
        from ...services.indexing import index_differences

        missing, extra = index_differences()
        if missing or extra:
            self.stderr.write(f"public documents missing from the index: {sorted(missing)[:50]}")
            self.stderr.write(f"indexed documents not public in the database: {sorted(extra)[:50]}")
            raise CommandError(
                f"index differs from the database: {len(missing)} missing, {len(extra)} extra"
            )
        self.stdout.write(self.style.SUCCESS("index and database agree"))
