"""``shuzhi security rotate-keys``: re-encrypt every SM4 field value under the active key."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from tqdm import tqdm

from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.security.fields import EncryptedTextField
from shuzhi.platform.security.keys import field_cipher

BATCH = 1000


class Command(BaseCommand):
    help = "Security tools. `rotate-keys` re-encrypts values still under a retired SM4 key."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["rotate-keys"])
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        cipher = field_cipher()
        active = f"sm4:{cipher.active_key_id}:"
        total = 0
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, EncryptedTextField):
                    continue
                table = connection.ops.quote_name(model._meta.db_table)
                column = connection.ops.quote_name(field.column)
                pk = connection.ops.quote_name(model._meta.pk.column)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {pk}, {column} FROM {table} "  # noqa: S608 - quoted names
                        f"WHERE {column} IS NOT NULL AND {column} <> '' "
                        f"AND {column} NOT LIKE %s",
                        [active + "%"],
                    )
                    stale = cursor.fetchall()
                label = f"{model._meta.label}.{field.name}"
                for start in tqdm(
                    range(0, len(stale), BATCH),
                    desc=label,
                    unit="batch",
                    disable=options["no_progress"],
                ):
                    with transaction.atomic(), connection.cursor() as cursor:
                        for row_pk, ciphertext in stale[start : start + BATCH]:
                            # only if unchanged since it was read: a concurrent write wins
                            cursor.execute(
                                f"UPDATE {table} SET {column} = %s "  # noqa: S608
                                f"WHERE {pk} = %s AND {column} = %s",
                                [cipher.rotate(ciphertext), row_pk, ciphertext],
                            )
                total += len(stale)
                self.stdout.write(f"{label}: {len(stale)} values re-encrypted")
        audit_record(
            action="security.rotate_keys",
            actor_name="cli",
            details={"active_key": cipher.active_key_id, "reencrypted": total},
        )
        self.stdout.write(self.style.SUCCESS(f"done: {total} values now under {active[4:-1]}"))
