"""Closed-loop scale: the deadline scan and the rankings over a million tasks, vs plain SQL.

    python -m benchmarks.loop [--tasks 1000000]

Builds N tasks in a fresh temporary SQLite database (raw ``executemany``): six months of
reports, inspections, warnings and petitions across seven counties and 70 departments, most
closed (some late, rated, reopened), the rest open with deadlines around now. Then, in the same
run and on the same data:

- **scan**: plain SQL counts what is due for a reminder, newly overdue and due for escalation
  (levels caught up by hours overdue); then ``loop.services.scan_deadlines`` does the work
  (set-based UPDATEs, bulk events, one audit entry) and must report the same counts; a second
  scan at the same moment must change nothing (idempotent);
- **rankings**: ``loop.selectors.ranking`` per department and per county over 90 days against
  one hand-written GROUP BY; every figure must agree.

The last line is the ratio of the platform's time to the plain SQL's, scan and rankings added.
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

COUNTIES = ["330802", "330803", "330822", "330824", "330825", "330881", "330800"]
TYPES = [("report", 5), ("inspection", 5), ("warning", 3), ("petition", 15)]
LEVELS = {"petition": 3}  # others: 2


def _ts(moment: datetime) -> str:
    """The text Django's SQLite backend stores for an aware UTC datetime."""
    return str(moment.replace(tzinfo=None))


def build(n: int, now: datetime, department_ids: list[int], seed: int = 2026) -> int:
    from django.db import connection, transaction

    from shuzhi.platform.loop.models import Task

    rnd = random.Random(seed)
    fields = [f for f in Task._meta.concrete_fields if f.column != "id"]
    columns = [f.column for f in fields]
    defaults: dict[str, Any] = {}
    for f in fields:
        value = f.get_default()
        defaults[f.column] = int(value) if isinstance(value, bool) else value
    sql = (
        f"INSERT INTO {Task._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 (constant SQL; no user input)
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    dept_county = {d: COUNTIES[i % len(COUNTIES)] for i, d in enumerate(department_ids)}
    batch: list[tuple[Any, ...]] = []
    written = 0
    from tqdm import tqdm

    progress = tqdm(total=n, desc="building tasks", unit="tasks", file=sys.stderr)
    with transaction.atomic():
        cursor = connection.cursor()
        for i in range(n):
            kind, days = TYPES[i % 4]
            department = department_ids[rnd.randrange(len(department_ids))]
            county = dept_county[department]
            is_open = rnd.random() < 0.06
            if is_open:
                opened = now - timedelta(seconds=rnd.uniform(3600, 25 * 86400))
                deadline = now + timedelta(seconds=rnd.uniform(-6 * 86400, 3 * 86400))
            else:
                opened = now - timedelta(seconds=rnd.uniform(20 * 86400, 180 * 86400))
                deadline = opened + timedelta(days=days * 7 / 5, seconds=rnd.uniform(0, 3600))
            row = dict(defaults)
            row.update(
                type_code=kind,
                title=f"task {i}",
                category=kind,
                division_id=county,
                county_code=county,
                department_id=department,
                opened_at=_ts(opened),
                deadline=_ts(deadline),
                updated_at=_ts(now),
                source="bench",
                source_ref=f"bench:{i}",
            )
            if is_open:
                row["state"] = rnd.choice(["pending_acceptance", "in_progress", "in_progress"])
                row["dispatched_at"] = _ts(opened)
            else:
                closed = opened + timedelta(hours=rnd.uniform(2, days * 24 * 1.8))
                late = closed > deadline
                rated = rnd.random() < 0.6
                row.update(
                    state="rated" if rated else "closed",
                    closed_at=_ts(closed),
                    closed_on_time=0 if late else 1,
                    overdue=1 if late and rnd.random() < 0.5 else 0,
                    handling_hours=round((closed - opened).total_seconds() / 3600, 3),
                    rating=rnd.randint(1, 5) if rated else None,
                    reopen_count=1 if rnd.random() < 0.03 else 0,
                )
            batch.append(tuple(row[c] for c in columns))
            if len(batch) == 20_000:
                cursor.executemany(sql, batch)
                written += len(batch)
                progress.update(len(batch))
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
            progress.update(len(batch))
    progress.close()
    return written


def plain_scan(now: datetime, remind_h: float, escalate_h: float) -> dict[str, int]:
    from django.db import connection

    running = "state IN ('pending_dispatch', 'pending_acceptance', 'in_progress')"
    levels = (
        "CASE type_code "
        + "".join(f"WHEN '{k}' THEN {v} " for k, v in LEVELS.items())
        + "ELSE 2 END"
    )
    with connection.cursor() as c:
        c.execute(
            f"SELECT COUNT(*) FROM loop_task WHERE {running} AND reminded_at IS NULL "  # noqa: S608 (constant SQL; no user input)
            "AND overdue = 0 AND deadline > %s AND deadline <= %s",
            [_ts(now), _ts(now + timedelta(hours=remind_h))],
        )
        reminded = c.fetchone()[0]
        c.execute(
            f"SELECT COUNT(*) FROM loop_task WHERE {running} AND overdue = 0 AND deadline <= %s",  # noqa: S608
            [_ts(now)],
        )
        overdue = c.fetchone()[0]
        # levels owed: hours overdue / escalate_h, capped by the type, minus the level held
        c.execute(
            f"SELECT COALESCE(SUM(MAX(0, MIN({levels}, "  # noqa: S608 (constant SQL; no user input)
            "CAST((julianday(%s) - julianday(deadline)) * 24 / %s AS INTEGER)) "
            f"- supervision_level)), 0) FROM loop_task WHERE {running} AND deadline <= %s",
            [_ts(now), escalate_h, _ts(now - timedelta(hours=escalate_h))],
        )
        escalated = c.fetchone()[0]
    return {"reminded": reminded, "overdue": overdue, "escalated": escalated}


def plain_ranking(group: str, start: datetime, end: datetime) -> dict[str, tuple[Any, ...]]:
    from django.db import connection

    key = "department_id" if group == "department" else "county_code"
    with connection.cursor() as c:
        c.execute(
            f"SELECT {key}, COUNT(*), "  # noqa: S608 (constant SQL; no user input)
            "SUM(state IN ('closed', 'rated')), SUM(closed_on_time = 1), "
            "SUM(overdue = 1 OR closed_on_time = 0), SUM(reopen_count > 0), "
            "AVG(handling_hours), AVG(rating) "
            "FROM loop_task WHERE opened_at >= %s AND opened_at < %s AND completion_rule = '' "
            "AND department_id IS NOT NULL AND state <> 'cancelled' "
            f"GROUP BY {key}",
            [_ts(start), _ts(end)],
        )
        return {str(r[0]): tuple(r[1:]) for r in c.fetchall()}


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="shuzhi-bench-loop-"))
    atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    os.environ["SHUZHI_DATA_DIR"] = str(workdir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhi.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from shuzhi.platform.accounts.models import Department, Division
    from shuzhi.platform.loop.selectors import ranking
    from shuzhi.platform.loop.services import scan_deadlines

    call_command("migrate", verbosity=0)
    city = Division.objects.create(code="330800", name="衢州市", level="city")
    for code in COUNTIES[:-1]:
        Division.objects.create(code=code, name=f"县 {code}", level="county", parent=city)
    department_ids = [
        Department.objects.create(
            code=f"D{i:03d}",
            name=f"部门 {i:03d}",
            division_id=COUNTIES[i % len(COUNTIES)],
        ).pk
        for i in range(70)
    ]
    now = datetime.now(UTC).replace(microsecond=123456)
    start = time.perf_counter()
    n = build(args.tasks, now, department_ids)
    build_s = time.perf_counter() - start
    remind_h = float(settings.LOOP_REMIND_BEFORE_HOURS)
    escalate_h = float(settings.LOOP_ESCALATE_AFTER_HOURS)

    start = time.perf_counter()
    expected = plain_scan(now, remind_h, escalate_h)
    plain_scan_s = time.perf_counter() - start
    start = time.perf_counter()
    got = scan_deadlines(now=now)
    scan_s = time.perf_counter() - start
    if got != expected:
        raise SystemExit(f"scan disagrees with plain SQL: {got} != {expected}")
    start = time.perf_counter()
    again = scan_deadlines(now=now)
    rescan_s = time.perf_counter() - start
    if any(again.values()):
        raise SystemExit(f"second scan changed something: {again}")

    since, until = now - timedelta(days=90), now
    ranking_s = plain_ranking_s = 0.0
    groups = 0
    for group in ("department", "county"):
        start = time.perf_counter()
        rows = ranking(by=group, start=since, end=until)
        ranking_s += time.perf_counter() - start
        start = time.perf_counter()
        plain = plain_ranking(group, since, until)
        plain_ranking_s += time.perf_counter() - start
        if len(rows) != len(plain):
            raise SystemExit(f"{group}: {len(rows)} groups != {len(plain)}")
        for r in rows:
            p = plain[r.key]
            mine = (r.total, r.closed, r.on_time, r.overdue, r.reopened, r.avg_hours, r.avg_rating)
            if not all(_same(a, b) for a, b in zip(mine, p, strict=True)):
                raise SystemExit(f"{group} {r.key}: {mine} != {p}")
        groups += len(rows)

    ours = scan_s + ranking_s
    theirs = plain_scan_s + plain_ranking_s
    print(f"tasks:              {n:,} (built in {build_s:.1f} s)")
    print(
        f"scan found:         {got['reminded']:,} due soon, {got['overdue']:,} overdue, "
        f"{got['escalated']:,} escalations"
    )
    print(f"plain SQL scan:     {plain_scan_s * 1000:>9,.0f} ms (counts only)")
    print(f"scan_deadlines:     {scan_s * 1000:>9,.0f} ms (updates, events, audit)")
    print(f"second scan:        {rescan_s * 1000:>9,.0f} ms (nothing to do)")
    print(
        f"plain SQL ranking:  {plain_ranking_s * 1000:>9,.0f} ms ({groups} groups: departments and counties)"
    )
    print(f"ranking():          {ranking_s * 1000:>9,.0f} ms")
    print(f"ratio platform/plain SQL time (scan + rankings): {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
