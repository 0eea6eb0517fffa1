"""Credit-risk classification at city scale: the Ibis pipeline against hand-written DuckDB SQL.

    python -m benchmarks.credit [--enterprises 1000000] [--repeat 3]

Generates in an in-memory DuckDB database (deterministic, from the row numbers) a registry of
N enterprises over six counties and 40 industry codes (food and special-equipment ones among
them), shared legal representatives (about three enterprises each), some young and some not
active, and the other inputs: administrative penalties (about 0.3 N over five years),
abnormal-operation listings (about 0.05 N, a third removed), quarterly tax (four quarters for
nine in ten), social-insurance enrolments (about 2 N), patents (about 0.2 N) and service-case
ratings (about 0.5 N). Then, in the same run and on the same tables:

* ours: ``credit_pipeline.classify`` — every indicator of ``credit.INDICATORS`` (the general
  ones incl. the related-party self-join, and the professional ones by industry code), the
  score and the class, compiled by Ibis and executed to Arrow (compilation in the time);
* SQL: one hand-written DuckDB query computing the same points, score and class.

Each is timed as the best of ``--repeat`` runs, taking turns. The run fails unless both give
every enterprise the same score and class. The last line is the ratio of the SQL's time to
ours (1.0 = as fast as the SQL).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from typing import Any

AS_OF = date(2025, 11, 1)
COUNTIES = ("330802", "330803", "330822", "330824", "330825", "330881")
INDUSTRIES = (
    "C1391",
    "C1431",
    "H6210",
    "F5123",
    "C3411",
    "C3435",
    "C3441",
    *tuple(f"C{c}" for c in range(2211, 2244)),
)


def generate(con: Any, n: int) -> None:
    counties = "[" + ", ".join(f"'{c}'" for c in COUNTIES) + "]"
    industries = "[" + ", ".join(f"'{c}'" for c in INDUSTRIES) + "]"
    k = len(INDUSTRIES)
    con.raw_sql(
        f"""
        CREATE TABLE registry AS
        SELECT printf('91330800MA%08d', e) AS credit_code,
               'enterprise ' || e AS enterprise_name,
               {counties}[1 + e % 6] AS county_code,
               CASE WHEN e % 499 = 0 THEN NULL ELSE {industries}[1 + (e * 7) % {k}] END
                   AS industry_code,
               'person ' || (hash(e) % {max(n // 3, 1)}) AS legal_representative,
               DATE '2025-10-31' - CAST(hash(e + 1) % 9000 AS INTEGER) AS established_on,
               CASE WHEN e % 97 = 0 THEN '吊销' WHEN e % 89 = 0 THEN '注销' ELSE '存续' END
                   AS status
        FROM range({n}) t(e);
        CREATE TABLE penalty AS
        SELECT printf('91330800MA%08d', hash(i * 3) % {n}) AS credit_code,
               DATE '2025-11-01' - CAST(hash(i + 7) % 1900 AS INTEGER) AS decided_on
        FROM range({max(n * 3 // 10, 1)}) t(i);
        CREATE TABLE abnormal AS
        SELECT printf('91330800MA%08d', hash(i * 5) % {n}) AS credit_code,
               DATE '2025-10-01' - CAST(hash(i + 3) % 1500 AS INTEGER) AS listed_on,
               CASE WHEN i % 3 = 0 THEN DATE '2025-10-15' - CAST(hash(i) % 300 AS INTEGER)
                    ELSE NULL END AS removed_on
        FROM range({max(n // 20, 1)}) t(i);
        CREATE TABLE tax AS
        SELECT printf('91330800MA%08d', e) AS credit_code,
               make_date(2025, 3 * q - 2, 1) - INTERVAL 3 MONTH AS quarter,
               CAST(CASE WHEN (e + q) % 41 = 0 THEN 0 ELSE 1000 + hash(e * q) % 50000 END
                   AS DECIMAL(38, 10)) AS total_tax
        FROM range({n}) t(e), range(1, 5) s(q) WHERE e % 10 <> 0;
        CREATE TABLE insurance AS
        SELECT printf('91330800MA%08d', hash(i * 11) % {n}) AS employer_credit_code,
               CASE WHEN i % 17 = 0 THEN '暂停缴费' ELSE '正常参保' END AS status
        FROM range({2 * n}) t(i);
        CREATE TABLE patent AS
        SELECT printf('91330800MA%08d', hash(i * 13) % {n}) AS applicant_credit_code,
               CASE WHEN i % 2 = 0 THEN DATE '2025-01-01' - CAST(i % 2000 AS INTEGER)
                    ELSE NULL END AS grant_date
        FROM range({max(n // 5, 1)}) t(i);
        CREATE TABLE cases AS
        SELECT printf('91330800MA%08d', hash(i * 17) % {n}) AS applicant_credit_code,
               CASE WHEN i % 9 = 0 THEN '不满意' ELSE '满意' END AS rating
        FROM range({max(n // 2, 1)}) t(i);
        """  # noqa: S608
    )


def plain_sql(weights: dict[str, float], cuts: tuple[float, float, float]) -> str:
    """One hand-written query: the same points, score and class per enterprise."""
    from shuzhi.domains.market import credit

    food = " OR ".join(
        f"starts_with(coalesce(industry_code, ''), '{p}')" for p in credit.FOOD_PREFIXES
    )
    equipment = " OR ".join(
        f"starts_with(coalesce(industry_code, ''), '{p}')"
        for p in credit.SPECIAL_EQUIPMENT_PREFIXES
    )
    caps = {i.code: i.cap for i in credit.INDICATORS}
    deduction = " + ".join(
        f"least(greatest({code}, 0), {caps[code]}) * {float(weights[code])!r}"
        for code in credit.INDICATOR_CODES
    )
    a, b, c = cuts
    return f"""
    WITH pen AS (
        SELECT credit_code, count(*) AS n FROM penalty
        WHERE decided_on > DATE '2022-11-01' AND decided_on <= DATE '2025-11-01'
        GROUP BY credit_code),
    ab AS (
        SELECT DISTINCT credit_code FROM abnormal
        WHERE listed_on <= DATE '2025-11-01'
          AND (removed_on IS NULL OR removed_on > DATE '2025-11-01')),
    tx AS (
        SELECT credit_code, count(*) AS n FROM tax
        WHERE quarter > DATE '2024-11-01' AND quarter <= DATE '2025-11-01' AND total_tax > 0
        GROUP BY credit_code),
    ins AS (
        SELECT employer_credit_code AS credit_code, count(*) AS n FROM insurance
        WHERE status = '正常参保' GROUP BY 1),
    pat AS (
        SELECT applicant_credit_code AS credit_code, count(*) AS n FROM patent
        WHERE grant_date IS NOT NULL AND grant_date <= DATE '2025-11-01' GROUP BY 1),
    cs AS (
        SELECT applicant_credit_code AS credit_code, count(*) AS n FROM cases
        WHERE rating = '不满意' GROUP BY 1),
    p AS (
        SELECT r.credit_code, r.legal_representative, r.industry_code,
               CAST(r.established_on > DATE '2024-11-01' AS BIGINT) AS young,
               CAST(coalesce(r.status <> '存续', TRUE) AS BIGINT) AS irregular_status,
               CAST(coalesce(tx.n, 0) = 0 AS BIGINT) AS no_tax,
               CAST(coalesce(ins.n, 0) = 0 AS BIGINT) AS no_insured,
               coalesce(pen.n, 0) AS penalties,
               CAST(ab.credit_code IS NOT NULL AS BIGINT) AS abnormal_listed,
               coalesce(cs.n, 0) AS complaints,
               coalesce(pat.n, 0) AS patents
        FROM registry r
        LEFT JOIN pen USING (credit_code) LEFT JOIN ab USING (credit_code)
        LEFT JOIN tx USING (credit_code) LEFT JOIN ins USING (credit_code)
        LEFT JOIN pat USING (credit_code) LEFT JOIN cs USING (credit_code)),
    risky AS (
        SELECT credit_code, legal_representative FROM p
        WHERE (penalties > 0 OR abnormal_listed > 0) AND legal_representative IS NOT NULL),
    rel AS (
        SELECT p.credit_code, count(*) AS n FROM p JOIN risky
          ON p.legal_representative = risky.legal_representative
         AND p.credit_code <> risky.credit_code
        GROUP BY p.credit_code),
    pts AS (
        SELECT p.*, coalesce(rel.n, 0) AS related_risk,
               CASE WHEN {food} THEN penalties ELSE 0 END AS food_penalties,
               CASE WHEN ({equipment}) AND NOT ({food}) THEN penalties ELSE 0 END
                   AS equipment_penalties
        FROM p LEFT JOIN rel USING (credit_code)),
    s AS (
        SELECT credit_code, round(least(greatest(100.0 - ({deduction}), 0.0), 100.0), 2) AS score
        FROM pts)
    SELECT credit_code, score,
           CASE WHEN score >= {a} THEN 'A' WHEN score >= {b} THEN 'B'
                WHEN score >= {c} THEN 'C' ELSE 'D' END AS credit_class
    FROM s
    """  # noqa: S608


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import ibis

    from shuzhi.domains.market import credit, credit_pipeline

    weights = credit.parse_weights([])
    cuts = credit.parse_cuts(credit.DEFAULT_CUTS)
    con = ibis.duckdb.connect()
    print(
        f"load average {os.getloadavg()[0]:.2f}; DuckDB threads "
        f"{con.raw_sql('SELECT current_setting(' + repr('threads') + ')').fetchone()[0]}"
    )
    started = time.perf_counter()
    generate(con, args.enterprises)
    print(f"generated {args.enterprises:,} enterprises in {time.perf_counter() - started:.1f} s")
    names = ("registry", "penalty", "abnormal", "tax", "insurance", "patent", "cases")
    sql = plain_sql(weights, cuts)

    def ours() -> Any:
        tables = {name: con.table(name) for name in names}
        expression = credit_pipeline.classify(
            tables=tables, as_of=AS_OF, weights=weights, cuts=cuts
        )
        return con.to_pyarrow(expression)

    def theirs() -> Any:
        return con.raw_sql(sql).to_arrow_table()

    best_ours = best_sql = float("inf")
    result_ours = result_sql = None
    for _ in range(args.repeat):
        t = time.perf_counter()
        result_ours = ours()
        best_ours = min(best_ours, time.perf_counter() - t)
        t = time.perf_counter()
        result_sql = theirs()
        best_sql = min(best_sql, time.perf_counter() - t)
    assert result_ours is not None
    assert result_sql is not None
    con.con.register("ours_result", result_ours.select(["credit_code", "score", "credit_class"]))
    con.con.register("sql_result", result_sql)
    differ = con.raw_sql(
        """SELECT count(*) FROM ours_result o FULL JOIN sql_result s USING (credit_code)
           WHERE o.score IS DISTINCT FROM s.score
              OR o.credit_class IS DISTINCT FROM s.credit_class"""
    ).fetchone()[0]
    classes = con.raw_sql(
        "SELECT credit_class, count(*) FROM ours_result GROUP BY 1 ORDER BY 1"
    ).fetchall()
    print(f"enterprises classified: ours {result_ours.num_rows:,}, SQL {result_sql.num_rows:,}")
    print("classes: " + ", ".join(f"{c} {n:,}" for c, n in classes))
    print(f"ours (Ibis pipeline, compile + execute): best of {args.repeat} {best_ours:.3f} s")
    print(f"hand-written DuckDB SQL:                 best of {args.repeat} {best_sql:.3f} s")
    if differ or result_ours.num_rows != args.enterprises:
        print(f"FAILED: {differ} enterprises differ in score or class", file=sys.stderr)
        return 1
    print("scores and classes agree for every enterprise")
    print(f"ratio (SQL time / ours): {best_sql / best_ours:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
