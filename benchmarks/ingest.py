"""Ingestion throughput: validated ``ingest_file`` against DuckDB's own ``read_csv``, same file.

    python -m benchmarks.ingest [--rows 1000000] [--repeat 5]

Generates, in a temporary folder, an enterprise monthly electricity CSV (credit_code with a
valid GB 32100 check character, month as YYYY-MM-01, kwh a decimal >= 0 with two places, as
the field declares, county one of the six Quzhou county codes) in which about 1% of rows are invalid: a wrong check character, a negative
kwh, a date that does not exist, or an unknown county. Then, each in a fresh child process:

* raw: ``CREATE TABLE raw AS SELECT * FROM read_csv(...)`` in DuckDB (types inferred, nothing
  checked) — the baseline of the ratio;
* typed, for context: DuckDB's ``read_csv`` into the same column types as ours (DATE,
  DECIMAL(18, 2)), skipping the rows it cannot parse (``ignore_errors``), nothing else checked;
* ours: ``ingest_file`` with the four fields, their checks and the key (credit_code, month) —
  reading, checking every cell, quarantining bad rows, staging, the duplicate-key pass, quality,
  and the atomic rename. A tiny warm-up load first keeps lazy imports out of the timing.

The raw load and ours take turns ``--repeat`` times, each in a fresh child process on a
fresh database file, and each is timed as the best of its runs (as the other benchmarks here
do: on this machine single runs of either move by a third from one to the next); every run's
time is printed. The typed load runs once afterwards, for context (it keeps both cores busy
for seconds, which would slow whatever ran next).

Peak memory is each child's maximum resident set size (``resource.getrusage`` in the child,
so it includes the interpreter and the libraries it imported); the figure before the timed
load is shown beside it. CPU is the child's user + system time over the timed load, all
threads together (on two cores, CPU above the wall time means both were busy); the load
average before the run is printed first, since other work on the machine shifts every figure.
The last line is the ratio of our throughput to DuckDB's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

COUNTIES = ("330802", "330803", "330822", "330824", "330825", "330881")


def generate(path: Path, rows: int, *, seed: int = 2026) -> int:
    """Write the electricity CSV; return how many rows were made invalid."""
    from shuzhi.platform.security.identifiers import CREDIT_CODE_ALPHABET, credit_code_check_char

    rng = random.Random(seed)
    invalid = 0
    enterprises = max(1, -(-rows // 12))
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("credit_code,month,kwh,county\n")
        written = 0
        for enterprise in range(enterprises):
            body = f"91{rng.choice(COUNTIES)}MA{enterprise:07d}"
            code = body + credit_code_check_char(body)
            county = rng.choice(COUNTIES)
            for month in range(1, 13):
                if written == rows:
                    break
                when = f"2025-{month:02d}-01"
                kwh = f"{rng.uniform(0, 250_000):.2f}"
                row_code, row_county = code, county
                if rng.random() < 0.01:
                    invalid += 1
                    kind = rng.randrange(4)
                    if kind == 0:
                        wrong = rng.choice(CREDIT_CODE_ALPHABET.replace(code[-1], ""))
                        row_code = code[:-1] + wrong
                    elif kind == 1:
                        kwh = f"-{kwh}"
                    elif kind == 2:
                        when = "2025-02-30"
                    else:
                        row_county = "330899"
                out.write(f"{row_code},{when},{kwh},{row_county}\n")
                written += 1
    return invalid


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child_raw(csv: Path, database: Path, *, typed: bool = False) -> dict[str, float]:
    import duckdb

    con = duckdb.connect(str(database))
    before = _peak_rss_mb()
    source = str(csv).replace("'", "''")
    options = (
        ", columns = {'credit_code': 'VARCHAR', 'month': 'DATE', "
        "'kwh': 'DECIMAL(18, 2)', 'county': 'VARCHAR'}, header = true, ignore_errors = true"
        if typed
        else ""
    )
    start, cpu = time.perf_counter(), _cpu_seconds()
    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{source}'{options})")  # noqa: S608 - a quoted path
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    found = con.execute("SELECT count(*) FROM raw").fetchone()
    con.close()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rows": float(found[0] if found else 0),
        "rss_before_mb": before,
        "rss_peak_mb": _peak_rss_mb(),
    }


def _child_ours(csv: Path, database: Path) -> dict[str, float]:
    from shuzhi.platform.warehouse.engine import Warehouse, ingest_file
    from shuzhi.platform.warehouse.spec import FieldSpec

    fields = [
        FieldSpec("credit_code", "string", semantic_type="credit_code", nullable=False),
        FieldSpec("month", "date", semantic_type="date", nullable=False),
        FieldSpec("kwh", "decimal", semantic_type="amount", min_value=0, decimal_places=2),
        FieldSpec(
            "county", "string", semantic_type="division_code", code_values=frozenset(COUNTIES)
        ),
    ]
    warm_up = csv.with_name("warm_up.csv")
    generate(warm_up, 120)
    with Warehouse(database) as warehouse:
        options: dict[str, Any] = {
            "warehouse": warehouse,
            "fields": fields,
            "key_fields": ["credit_code", "month"],
        }
        ingest_file(path=warm_up, dataset_code="warm_up", version=1, **options)
        before = _peak_rss_mb()
        start, cpu = time.perf_counter(), _cpu_seconds()
        report = ingest_file(path=csv, dataset_code="electricity", version=1, **options)
        seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rows": float(report.rows_in),
        "loaded": float(report.rows_loaded),
        "quarantined": float(report.rows_quarantined),
        "score": report.quality["score"],
        "rss_before_mb": before,
        "rss_peak_mb": _peak_rss_mb(),
    }


def _run_child(side: str, csv: Path, database: Path) -> dict[str, float]:
    done = subprocess.run(  # noqa: S603 - this same module, with paths it made
        [sys.executable, "-m", "benchmarks.ingest", "--child", side, str(csv), str(database)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _seconds(runs: list[dict[str, float]]) -> str:
    return ", ".join(f"{figures['seconds']:.2f}" for figures in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--child", nargs=3, metavar=("SIDE", "CSV", "DATABASE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        side, csv, database = args.child
        runs: dict[str, Callable[[Path, Path], dict[str, float]]] = {
            "raw": _child_raw,
            "typed": lambda csv, database: _child_raw(csv, database, typed=True),
            "ours": _child_ours,
        }
        print(json.dumps(runs[side](Path(csv), Path(database))))
        return

    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="shuzhi-bench-ingest-") as folder:
        workdir = Path(folder)
        csv = workdir / "electricity.csv"
        invalid = generate(csv, args.rows)
        size_mb = csv.stat().st_size / 1e6
        raws: list[dict[str, float]] = []
        ourses: list[dict[str, float]] = []
        for run in range(max(1, args.repeat)):
            raws.append(_run_child("raw", csv, workdir / f"raw{run}.duckdb"))
            ourses.append(_run_child("ours", csv, workdir / f"ours{run}.duckdb"))
        typed = _run_child("typed", csv, workdir / "typed.duckdb")
    for ours in ourses:
        if ours["quarantined"] != invalid or ours["loaded"] + ours["quarantined"] != args.rows:
            raise SystemExit(f"ingest did not account for the rows as generated: {ours}")
    raw = min(raws, key=lambda figures: figures["seconds"])
    ours = min(ourses, key=lambda figures: figures["seconds"])

    n = args.rows
    print(f"machine:           {os.cpu_count()} CPUs, load average {load:.2f} before the run")
    print(f"rows:              {n:,} ({size_mb:.1f} MB; {invalid:,} made invalid)")
    print(f"runs (s), taking turns: duckdb {_seconds(raws)}; shuzhi {_seconds(ourses)}")
    print(
        f"duckdb read_csv:   {n / raw['seconds']:>10,.0f} rows/s  (best {raw['seconds']:.2f} s, "
        f"CPU {raw['cpu_seconds']:.2f} s)  "
        f"peak RSS {raw['rss_peak_mb']:.0f} MB (child; {raw['rss_before_mb']:.0f} MB before)"
    )
    print(
        f"duckdb typed:      {n / typed['seconds']:>10,.0f} rows/s  ({typed['seconds']:.2f} s, "
        f"CPU {typed['cpu_seconds']:.2f} s)  peak RSS {typed['rss_peak_mb']:.0f} MB "
        f"(same column types; {n - typed['rows']:,.0f} rows skipped, nothing else checked)"
    )
    print(
        f"shuzhi ingest:     {n / ours['seconds']:>10,.0f} rows/s  (best {ours['seconds']:.2f} s, "
        f"CPU {ours['cpu_seconds']:.2f} s)  "
        f"peak RSS {ours['rss_peak_mb']:.0f} MB (child; {ours['rss_before_mb']:.0f} MB before)"
    )
    print(
        f"                   loaded {ours['loaded']:,.0f}, quarantined {ours['quarantined']:,.0f}, "
        f"quality score {ours['score']:.2f}"
    )
    print(f"ratio ours/raw throughput: {raw['seconds'] / ours['seconds']:.2f}")


if __name__ == "__main__":
    main()
