"""Data API throughput: CKAN ``datastore_search`` over HTTP against the same queries in DuckDB.

    python -m benchmarks.data_api [--rows 1000000] [--requests 2000] [--clients 16]

Builds, in a temporary folder, a platform with one open (无条件开放) dataset of monthly
enterprise electricity use — ``--rows`` rows ingested through the warehouse — and serves it
with ``shuzhi runserver`` (the server of ``make demo``; threaded, one process) in a child
process. Then ``--clients`` threads send ``--requests`` datastore_search-style queries over HTTP
(a county filter, a sort on kWh descending, a page of 100 rows at a random offset, with the
total), each answer checked; and the same queries, as SQL on the version table, run directly on
DuckDB in this process by the same number of threads, each with its own cursor. Both print
requests per second and p50/p99 latency; the last line is the ratio of HTTP to in-process
throughput. The anonymous rate limit is lifted for the child server only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

COUNTIES = ("330802", "330803", "330822", "330824", "330825", "330881")
PAGE = 100


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _write_csv(path: Path, rows: int) -> None:
    from shuzhi.platform.security.identifiers import credit_code_check_char

    rng = random.Random(2026)
    with path.open("w", encoding="utf-8") as out:
        out.write("credit_code,month,kwh,county\n")
        for n in range(-(-rows // 12)):
            body = f"91330802MA{n:07d}"
            code = body + credit_code_check_char(body)
            county = COUNTIES[n % len(COUNTIES)]
            for month in range(1, 13):
                if rows <= 0:
                    return
                out.write(f"{code},2025-{month:02d}-01,{rng.uniform(0, 250_000):.2f},{county}\n")
                rows -= 1


def _prepare(workdir: Path, rows: int) -> tuple[str, int]:
    """Migrate, register and publish the open dataset, ingest its rows; return (code, version)."""
    import django

    django.setup()
    from django.core.management import call_command

    from shuzhi.platform.accounts.models import Department, Division, User
    from shuzhi.platform.accounts.services import user_roles_set
    from shuzhi.platform.catalog.services import FieldInput, dataset_create, dataset_publish
    from shuzhi.platform.warehouse.services import ingest

    call_command("migrate", verbosity=0)
    city, _ = Division.objects.get_or_create(
        code="330800", defaults={"name": "衢州市", "level": Division.Level.CITY}
    )
    owner, _ = Department.objects.get_or_create(
        code="330800-EIB", defaults={"name": "市经信局", "division": city}
    )
    steward = User.objects.create_user(username="bench_steward", password=None, department=owner)
    user_roles_set(user=steward, roles=["data_steward"], by=None)
    dataset = dataset_create(
        by=steward,
        code="electricity",
        owner=owner,
        name="企业月度用电量",
        division=city,
        frequency="monthly",
        share_attribute="unconditional",
        open_attribute="open",
        grade=1,
        fields=[
            FieldInput("credit_code", "统一社会信用代码", "string", {"grade": 1}),
            FieldInput("month", "统计月份", "date", {"grade": 1}),
            FieldInput("kwh", "用电量", "decimal", {"grade": 1, "unit": "kWh"}),
            FieldInput("county", "区县", "string", {"grade": 1}),
        ],
    )
    dataset_publish(dataset=dataset, by=steward)
    csv = workdir / "electricity.csv"
    _write_csv(csv, rows)
    report = ingest(dataset=dataset, path=csv, by=steward)
    if report.rows_loaded != rows:
        raise SystemExit(f"ingest loaded {report.rows_loaded} of {rows} rows")
    return dataset.code, report.version


def _queries(count: int, rows: int) -> list[tuple[str, int]]:
    """(county, offset) pairs: a filter and a random page within that county's rows."""
    rng = random.Random(7)
    per_county = rows // len(COUNTIES)
    return [(rng.choice(COUNTIES), rng.randrange(max(1, per_county - PAGE))) for _ in range(count)]


def _run(clients: int, queries: list[tuple[str, int]], ask: Callable[[str, int], int]) -> Any:
    """Send the queries from ``clients`` threads; return (seconds, latencies in ms)."""
    latencies: list[float] = []
    lock = threading.Lock()
    cursor = iter(queries)
    failures: list[BaseException] = []

    def work() -> None:
        while True:
            with lock:
                query = next(cursor, None)
            if query is None or failures:
                return
            start = time.perf_counter()
            try:
                got = ask(*query)
                if got != PAGE:
                    raise AssertionError(f"expected {PAGE} rows, got {got}")
            except BaseException as error:  # reported after the run
                failures.append(error)
                return
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if failures:
        raise failures[0]
    return seconds, latencies


def _report(label: str, seconds: float, latencies: list[float]) -> float:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    rate = len(latencies) / seconds
    print(
        f"{label:<22}{rate:>9,.0f} req/s   p50 {statistics.median(ordered):7.1f} ms"
        f"   p99 {p99:7.1f} ms   ({len(latencies):,} in {seconds:.1f} s)"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="shuzhi-bench-api-"))
    env = {
        **os.environ,
        "SHUZHI_DATA_DIR": str(workdir),
        "SHUZHI_WAREHOUSE_PATH": str(workdir / "warehouse.duckdb"),
        "SHUZHI_OPENDATA_ANONYMOUS_RATE": str(10**9),
        "DJANGO_SETTINGS_MODULE": "shuzhi.settings",
    }
    env.pop("DATABASE_URL", None)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("SHUZHI_", "DJANGO_"))})
    os.environ.pop("DATABASE_URL", None)
    print(f"preparing {args.rows:,} rows in {workdir} …", flush=True)
    code, version = _prepare(workdir, args.rows)
    queries = _queries(args.requests, args.rows)

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "shuzhi.cli", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "server.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}/api/3/action/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}package_show?id={code}") as answer:  # noqa: S310 - local
                    resource = json.load(answer)["result"]["resources"][0]["id"]
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

        def over_http(county: str, offset: int) -> int:
            params = urllib.parse.urlencode(
                {
                    "resource_id": resource,
                    "filters": json.dumps({"county": county}),
                    "sort": "kwh desc",
                    "limit": PAGE,
                    "offset": offset,
                    "include_total": "true",
                }
            )
            with urllib.request.urlopen(f"{base}datastore_search?{params}") as answer:  # noqa: S310 - local
                body = json.load(answer)
            if not body["success"]:
                raise AssertionError(body)
            return len(body["result"]["records"])

        _run(4, queries[:20], over_http)  # warm up the server
        http = _run(args.clients, queries, over_http)
    finally:
        server.terminate()
        server.wait(timeout=30)

    import duckdb

    from shuzhi.platform.warehouse.engine import table_name

    con = duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True)
    table = table_name(code, version)
    local = threading.local()
    sql = (
        f'SELECT credit_code, month, kwh, county FROM "{table}" WHERE county = ? '  # noqa: S608 - our table
        'ORDER BY kwh DESC, "__row" LIMIT ? OFFSET ?'
    )
    count = f'SELECT count(*) FROM "{table}" WHERE county = ?'  # noqa: S608 - our table

    def in_process(county: str, offset: int) -> int:
        cursor = getattr(local, "cursor", None)
        if cursor is None:
            cursor = local.cursor = con.cursor()
        rows = cursor.execute(sql, [county, PAGE, offset]).fetchall()
        cursor.execute(count, [county]).fetchone()
        return len(rows)

    _run(4, queries[:20], in_process)
    direct = _run(args.clients, queries, in_process)
    con.close()

    print(f"rows: {args.rows:,}; {args.requests:,} queries from {args.clients} clients")
    ours = _report("datastore_search HTTP", *http)
    theirs = _report("DuckDB in-process", *direct)
    print(f"ratio HTTP/in-process throughput: {ours / theirs:.2f}")


if __name__ == "__main__":
    main()
