"""Carbon accounting at city scale: the Ibis pipeline on DuckDB against hand-written DuckDB SQL.

    python -m benchmarks.carbon [--enterprises 100000] [--repeat 3]

Generates in an in-memory DuckDB database (deterministic, from hashes of the row numbers) a
year of monthly data for N enterprises across six counties and 30 industries: electricity
(every enterprise, DECIMAL(38, 10) like the warehouse), natural gas (two in three), coal and oil
(one in five), purchased heat and exports (one in ten) and output value / value added, with
about 0.5% of enterprises missing months, a few negative readings and a few without an
industry code. Then, in the same run and on the same tables:

* ours: ``pipeline.accounts`` — annual emissions by source with the months reported, output,
  enterprise keys and problem flags (``annual_from_inputs``: one grouping of the energy
  readings, one of the output, one join), the three-dimensional evaluation (industry and
  county aggregates, four mid-rank rankings), colour and carbon-efficiency level — compiled
  by Ibis and executed to Arrow (the compilation is in the time and shown on its own too);
* SQL: one hand-written DuckDB query computing each enterprise's annual emissions by source and
  total with the same factors (emissions only, no evaluation).

Each is timed as the best of ``--repeat`` runs, the two taking turns (a machine shared with
other work slows both alike); the load average and DuckDB's threads are printed first. The
run fails unless both give the same total for every enterprise. For context, the Python-side conversion to records (by_source, problems,
explanation dicts) is timed too; it is not in the ratio. The last line is the ratio of the
SQL's time to ours (1.0 = as fast as the SQL; the goal is ≥ 0.5).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

COUNTIES = ("330802", "330803", "330822", "330824", "330825", "330881")
YEAR = 2023
REGION = "330800"


def generate(con: Any, n: int) -> None:
    """The five input tables, in DuckDB, from hashes of (enterprise, month)."""
    counties = "[" + ", ".join(f"'{c}'" for c in COUNTIES) + "]"
    r = "(hash(e * 7919 + m * 104729 + {salt}) % 1000000) / 1000000.0"
    con.raw_sql(
        f"""
        CREATE TABLE ent AS
        SELECT e,
               printf('91330800MA%08d', e) AS credit_code,
               'enterprise ' || e AS enterprise_name,
               {counties}[1 + e % 6] AS county_code,
               CASE WHEN e % 997 = 0 THEN NULL ELSE printf('C%02d', 13 + e % 30) END
                   AS industry_code,
               CASE WHEN e % 211 = 0 THEN 9 ELSE 12 END AS months
        FROM range({n}) t(e);
        CREATE TABLE em AS
        SELECT ent.*, m, make_date({YEAR}, m, 1) AS month
        FROM ent, range(1, 13) s(m) WHERE m <= months;
        CREATE TABLE electricity AS
        SELECT credit_code, enterprise_name, county_code, industry_code, month,
               CAST(CASE WHEN (e * 31 + m) % 50021 = 0 THEN -100
                         ELSE 20000 + 400000 * {r.format(salt=1)} END AS DECIMAL(38, 10))
                   AS electricity_kwh
        FROM em;
        CREATE TABLE gas AS
        SELECT credit_code, enterprise_name, county_code, industry_code, month,
               CAST(1000 + 30000 * {r.format(salt=2)} AS DECIMAL(38, 10)) AS gas_m3
        FROM em WHERE e % 3 <> 0;
        CREATE TABLE coal_oil AS
        SELECT credit_code, enterprise_name, county_code, industry_code, month,
               CAST(50 * {r.format(salt=3)} AS DECIMAL(38, 10)) AS raw_coal_t,
               CAST(2 * {r.format(salt=4)} AS DECIMAL(38, 10)) AS fuel_oil_t,
               CAST(5 * {r.format(salt=5)} AS DECIMAL(38, 10)) AS diesel_t,
               CAST(1 * {r.format(salt=6)} AS DECIMAL(38, 10)) AS lpg_t
        FROM em WHERE e % 5 = 0;
        CREATE TABLE heat AS
        SELECT credit_code, month,
               CAST(500 * {r.format(salt=7)} AS DECIMAL(38, 10)) AS heat_purchased_gj,
               CAST(5000 * {r.format(salt=8)} AS DECIMAL(38, 10)) AS electricity_exported_kwh,
               CAST(20 * {r.format(salt=9)} AS DECIMAL(38, 10)) AS heat_exported_gj,
               CAST(3 * {r.format(salt=10)} AS DECIMAL(38, 10)) AS gasoline_t
        FROM em WHERE e % 10 = 1;
        CREATE TABLE output AS
        SELECT credit_code, enterprise_name, county_code, industry_code, make_date({YEAR}, m, 1)
                   AS month,
               CAST(300 + 3000 * {r.format(salt=11)} AS DECIMAL(38, 10)) AS gross_output,
               CAST(CASE WHEN e % 1009 = 0 THEN 0 ELSE 60 + 600 * {r.format(salt=12)} END
                   AS DECIMAL(38, 10)) AS value_added
        FROM ent, range(1, 13) s(m);
        CREATE TABLE history AS
        SELECT credit_code, {YEAR} - 1 AS year, 0.5 + 3 * {r.format(salt=13)} AS intensity
        FROM ent, range(1, 2) s(m) WHERE e % 2 = 0;
        DROP TABLE em;
        DROP TABLE ent;
        """  # noqa: S608
    )


def plain_sql(factors: Any) -> str:
    """One hand-written query: annual tCO2 by source and total per enterprise."""
    from shuzhi.domains.carbon import standard

    f = {s: standard.source_factor(s, factors, YEAR, REGION)[0] for s in standard.SOURCES}

    def q(column: str, scale: float = 1.0) -> str:
        return f"CASE WHEN {column} >= 0 THEN CAST({column} AS DOUBLE) * {scale} ELSE 0 END"

    zero = "0.0"
    cols = (
        "electricity",
        "natural_gas",
        "raw_coal",
        "fuel_oil",
        "diesel",
        "lpg",
        "gasoline",
        "heat",
        "exported_electricity",
        "exported_heat",
    )

    def row(values: dict[str, str]) -> str:
        return ", ".join(f"{values.get(c, zero)} AS {c}" for c in cols)

    parts = [
        "SELECT credit_code, month, "  # noqa: S608
        + row({"electricity": q("electricity_kwh", 0.001)})
        + f" FROM electricity WHERE year(month) = {YEAR}",
        "SELECT credit_code, month, "  # noqa: S608
        + row({"natural_gas": q("gas_m3", 1e-4)})
        + f" FROM gas WHERE year(month) = {YEAR}",
        "SELECT credit_code, month, "  # noqa: S608
        + row(
            {
                "raw_coal": q("raw_coal_t"),
                "fuel_oil": q("fuel_oil_t"),
                "diesel": q("diesel_t"),
                "lpg": q("lpg_t"),
            }
        )
        + f" FROM coal_oil WHERE year(month) = {YEAR}",
        "SELECT credit_code, month, "  # noqa: S608
        + row(
            {
                "gasoline": q("gasoline_t"),
                "heat": q("heat_purchased_gj"),
                "exported_electricity": q("electricity_exported_kwh", 0.001),
                "exported_heat": q("heat_exported_gj"),
            }
        )
        + f" FROM heat WHERE year(month) = {YEAR}",
    ]
    by_source = ", ".join(f"SUM({c}) * {f[c]!r} AS {c}_tco2" for c in cols)
    total = " + ".join(f"SUM({c}) * {f[c]!r}" for c in cols)
    return (
        f"SELECT credit_code, {by_source}, {total} AS total_tco2 "  # noqa: S608 (constant SQL)
        f"FROM ({' UNION ALL '.join(parts)}) GROUP BY credit_code"
    )


def _best_alternating(repeat: int, *runs: Any) -> list[tuple[float, Any]]:
    """Best time and last result of each run, the runs taking turns ``repeat`` times."""
    best: list[tuple[float, Any]] = [(float("inf"), None) for _ in runs]
    for _ in range(repeat):
        for i, run in enumerate(runs):
            start = time.perf_counter()
            result = run()
            best[i] = (min(best[i][0], time.perf_counter() - start), result)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import ibis

    from shuzhi.domains.carbon import pipeline
    from shuzhi.domains.carbon.standard import DEFAULT_FACTORS, grid_factor

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    con = ibis.duckdb.connect()
    threads = con.raw_sql("SELECT current_setting('threads')").fetchone()[0]
    print(f"load average {load}; {os.cpu_count()} CPUs; DuckDB threads {threads}")
    start = time.perf_counter()
    generate(con, args.enterprises)
    rows = con.raw_sql("SELECT count(*) FROM electricity").fetchone()[0]
    print(
        f"generated {args.enterprises:,} enterprises, {rows:,} electricity rows "
        f"in {time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )
    t = {name: con.table(name) for name in ("electricity", "gas", "coal_oil", "heat", "output")}
    expr = pipeline.accounts(
        electricity=t["electricity"],
        gas=t["gas"],
        coal_oil=t["coal_oil"],
        heat=t["heat"],
        output=t["output"],
        history=con.table("history"),
        factors=DEFAULT_FACTORS,
        year=YEAR,
        region=REGION,
    )
    sql = plain_sql(DEFAULT_FACTORS)

    (ours_s, ours), (plain_s, plain) = _best_alternating(
        args.repeat, expr.to_pyarrow, lambda: con.raw_sql(sql).to_arrow_table()
    )
    compile_s = _best_alternating(args.repeat, lambda: con.compile(expr))[0][0]
    start = time.perf_counter()
    records = pipeline.to_records(expr, grid=grid_factor(DEFAULT_FACTORS, YEAR, REGION))
    records_s = time.perf_counter() - start
    report = pipeline.run_report(records)

    ours_total = dict(
        zip(ours["credit_code"].to_pylist(), ours["total_tco2"].to_pylist(), strict=True)
    )
    plain_total = dict(
        zip(plain["credit_code"].to_pylist(), plain["total_tco2"].to_pylist(), strict=True)
    )
    if set(ours_total) != set(plain_total):
        sys.exit(f"FAIL: enterprises differ ({len(ours_total)} vs {len(plain_total)})")
    worst = max(abs(ours_total[k] - plain_total[k]) for k in ours_total)
    if worst > 1e-6:
        sys.exit(f"FAIL: totals differ by up to {worst} tCO2")
    grand = sum(ours_total.values())
    if abs(grand - sum(plain_total.values())) > 1e-3:
        sys.exit("FAIL: grand totals differ")

    print(f"enterprises:          {len(ours_total):,}")
    print(f"graded:               {report['graded']:,} {report['colours']}")
    print(f"problems:             {report['problems']}")
    print(
        f"total emissions:      {grand:,.3f} tCO2 (same in both; max per-enterprise gap {worst:.1e})"
    )
    print(
        f"ours (Ibis, accounting + evaluation, best of {args.repeat}): {ours_s:.3f} s "
        f"(of which Ibis compiling the expression to SQL {compile_s:.3f} s)"
    )
    print(f"plain SQL (emissions only, best of {args.repeat}):          {plain_s:.3f} s")
    print(f"records in Python (by_source, problems, explanation; not in ratio): {records_s:.3f} s")
    print(f"ratio (SQL time / our time): {plain_s / ours_s:.2f}")


if __name__ == "__main__":
    main()
