"""Audit chain throughput: chained appends vs plain inserts of the same rows, then verification.

    python -m benchmarks.audit [--entries 100000]

Both sides write one entry per transaction into a fresh SQLite file (WAL, as in production):
the chained side through ``audit_record`` (head row lock, SM3 over the canonical form, sealed
head); the baseline inserts the same field values with a constant hash through the ORM into a
second, identical database. Then ``audit_chain_verify`` walks the whole chain. The last line is
the ratio of chained to plain throughput.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="shuzhi-bench-audit-"))
    os.environ["SHUZHI_DATA_DIR"] = str(workdir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhi.settings")

    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["plain"] = {
        **settings.DATABASES["default"],
        "NAME": workdir / "plain.sqlite3",
    }

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from tqdm import tqdm

    from shuzhi.platform.audit.chain import details_text
    from shuzhi.platform.audit.models import AuditEntry
    from shuzhi.platform.audit.services import audit_record
    from shuzhi.platform.audit.verify import audit_chain_verify

    for alias in ("default", "plain"):
        call_command("migrate", database=alias, verbosity=0)

    n = args.entries
    rows = [
        {
            "action": "dataset.read" if i % 3 else "login.success",
            "actor_name": f"user{i % 500}",
            "details": {"rows": i % 1000, "fields": ["name", "id_number"], "县": "柯城区"},
        }
        for i in range(n)
    ]

    start = time.perf_counter()
    for i, row in enumerate(tqdm(rows, desc="plain inserts", unit="rows", file=sys.stderr)):
        with transaction.atomic(using="plain"):
            AuditEntry.objects.using("plain").create(
                seq=i + 1,
                at=timezone.now(),
                actor=row["actor_name"],
                action=row["action"],
                outcome="success",
                details_json=details_text(row["details"]),
                prev_hash="0" * 64,
                entry_hash="0" * 64,
            )
    plain_s = time.perf_counter() - start

    start = time.perf_counter()
    for row in tqdm(rows, desc="chained appends", unit="rows", file=sys.stderr):
        audit_record(action=row["action"], actor_name=row["actor_name"], details=row["details"])
    chained_s = time.perf_counter() - start

    start = time.perf_counter()
    report = audit_chain_verify()
    verify_s = time.perf_counter() - start
    if not report.ok or report.checked != n:
        raise SystemExit(f"verification failed: {report}")

    print(f"entries:          {n:,}")
    print(f"plain inserts:    {n / plain_s:>10,.0f} entries/s  ({plain_s:.1f} s)")
    print(f"chained appends:  {n / chained_s:>10,.0f} entries/s  ({chained_s:.1f} s)")
    print(f"chain verify:     {n / verify_s:>10,.0f} entries/s  ({verify_s:.1f} s)")
    print(f"ratio chained/plain throughput: {plain_s / chained_s:.2f}")


if __name__ == "__main__":
    main()
