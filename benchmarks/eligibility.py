"""免申即享 eligibility at city scale: facts.py + OpenFisca against hand-written DuckDB SQL.

    python -m benchmarks.eligibility [--residents 1000000] [--enterprises 100000] [--repeat 3]

Generates in a DuckDB file in a temporary folder (deterministic, from hashes of the row numbers)
N residents (birth dates 1916-2025, most of them young, six Quzhou counties and one in fifty registered elsewhere)
with the Civil Affairs datasets keyed by the ID-number token — disability certificates (one
resident in sixteen, grades 1-4, a few lapsed or not yet issued, some with two certificates)
and minimum-living-allowance members (one in forty, some ended) — and M enterprises (one in
twenty not in business) with twelve months of employer social-insurance rows for the previous
year (insured count, unemployment contribution, arrears in December for a few) and the
technology-based SME list (one in twenty, R&D spending around the threshold). Then, in the same
run and on the same tables, for November 2026 (monthly rules) and 2026 (yearly rules, judged
on 2025):

* ours: the production path — ``facts.resident_arrays`` and ``facts.enterprise_arrays``
  (DuckDB to numpy) and the OpenFisca calculation (``rules.evaluate``) of all four rules with
  their version-1 parameters, giving each rule's eligible list with amounts;
* SQL: one hand-written DuckDB query of the same four rules giving the same lists.

The run fails unless both give the same beneficiaries and amounts for every rule. Each is timed
as the best of ``--repeat`` runs, taking turns; the load average and DuckDB's threads are
printed first; the last line is the ratio of the SQL's time to ours.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

COUNTIES = ("330802", "330803", "330822", "330824", "330825", "330881")
MONTH, YEAR = "2026-11", "2026"


def generate(con: duckdb.DuckDBPyConnection, residents: int, enterprises: int) -> None:
    counties = "[" + ", ".join(f"'{c}'" for c in COUNTIES) + "]"
    h = "(hash(i * 7919 + {salt}) % 1000000)"
    con.execute(
        f"""
        CREATE TABLE residents AS
        SELECT i AS key, 'tok' || i AS token,
               DATE '2025-12-31' - CAST(40150 * power({h.format(salt=1)} / 1000000.0, 2)
                                        AS INTEGER) AS birth_date,
               CASE WHEN i % 50 = 0 THEN '330102' ELSE {counties}[1 + i % 6] END AS county
        FROM range({residents}) t(i);
        CREATE TABLE disability_certificate AS
        SELECT 'tok' || i AS id_number__token,
               'sm4:cipher' AS id_number,
               1 + {h.format(salt=2)} % 4 AS grade,
               CASE WHEN i % 997 = 0 THEN DATE '2026-11-02'
                    ELSE DATE '2010-01-01' + CAST({h.format(salt=3)} % 5000 AS INTEGER) END
                   AS issued_on,
               CASE WHEN i % 13 = 0 THEN DATE '2026-10-31'
                    WHEN i % 3 = 0 THEN NULL ELSE DATE '2036-01-01' END AS valid_until
        FROM range({residents}) t(i) WHERE i % 16 = 5
        UNION ALL
        SELECT 'tok' || i, 'sm4:cipher', 1, DATE '2020-01-01', DATE '2021-01-01'
        FROM range({residents}) t(i) WHERE i % 160 = 5;
        CREATE TABLE minimum_living_allowance AS
        SELECT 'tok' || i AS id_number__token, 'DB' || (i // 3) AS household_number,
               DATE '2015-01-01' + CAST({h.format(salt=4)} % 4000 AS INTEGER) AS starts_on,
               CASE WHEN i % 11 = 0 THEN DATE '2026-10-31'
                    WHEN i % 17 = 0 THEN DATE '2026-11-01' ELSE NULL END AS ends_on
        FROM range({residents}) t(i) WHERE i % 40 = 7 OR i % 48 = 5;
        CREATE TABLE enterprise_registry AS
        SELECT printf('91330800MA%08d', i) AS credit_code, 'enterprise ' || i AS enterprise_name,
               CASE WHEN i % 97 = 0 THEN '330102' ELSE {counties}[1 + i % 6] END AS county_code,
               CASE WHEN i % 20 = 3 THEN '吊销' ELSE '存续' END AS status
        FROM range({enterprises}) t(i);
        CREATE TABLE social_insurance_unit_monthly AS
        WITH base AS (
            SELECT i, printf('91330800MA%08d', i) AS credit_code,
                   CASE WHEN i % 5 = 0 THEN 5 + {h.format(salt=5)} % 26
                        ELSE 10 + {h.format(salt=5)} % 1500 END AS staff,
                   ({h.format(salt=6)} % 1000) / 1000.0 AS drift
            FROM range({enterprises}) t(i) WHERE i % 10 <> 9
        )
        SELECT credit_code, make_date(2025, m, 1) AS month,
               CAST(CASE WHEN m = 12 THEN round(staff * (1 - 0.3 * drift * drift * drift))
                         ELSE staff END AS BIGINT) AS insured_count,
               CAST(26 * staff AS DOUBLE) AS unemployment_contribution,
               CAST(CASE WHEN m = 12 AND i % 37 = 0 THEN 1000 ELSE 0 END AS DOUBLE) AS arrears
        FROM base, range(1, 13) s(m);
        CREATE TABLE tech_sme_list AS
        SELECT printf('91330800MA%08d', i) AS credit_code, y AS year,
               '2025' || i AS list_number,
               CAST(200000 + {h.format(salt=7)} % 800000 AS DOUBLE) AS rd_expense
        FROM range({enterprises}) t(i), (VALUES (2024), (2025)) v(y) WHERE i % 20 = 7;
        """  # noqa: S608 - numbers and constants only
    )


SQL = """
WITH first AS (SELECT DATE '2026-11-01' AS d),
cert AS (
    SELECT id_number__token AS token, min(grade) AS grade FROM disability_certificate, first
    WHERE issued_on <= first.d AND (valid_until IS NULL OR valid_until >= first.d) GROUP BY 1
), low AS (
    SELECT DISTINCT id_number__token AS token FROM minimum_living_allowance, first
    WHERE starts_on <= first.d AND (ends_on IS NULL OR ends_on >= first.d)
), people AS (
    SELECT r.key,
           year(first.d) - year(r.birth_date)
             - CASE WHEN month(r.birth_date) > month(first.d)
                     OR (month(r.birth_date) = month(first.d) AND day(r.birth_date) > day(first.d))
                    THEN 1 ELSE 0 END AS age,
           CAST(r.county AS INTEGER) // 100 = 3308 AS quzhou,
           cert.token IS NOT NULL AS certified, coalesce(cert.grade, 0) AS grade,
           low.token IS NOT NULL AS low_income
    FROM residents r CROSS JOIN first
    LEFT JOIN cert ON cert.token = r.token LEFT JOIN low ON low.token = r.token
), ins AS (
    SELECT credit_code,
           max(CASE WHEN month = DATE '2025-01-01' THEN insured_count END) AS s,
           max(CASE WHEN month = DATE '2025-12-01' THEN insured_count END) AS e,
           sum(unemployment_contribution) AS paid,
           max(CASE WHEN month = DATE '2025-12-01' THEN arrears END) AS owed
    FROM social_insurance_unit_monthly
    WHERE month BETWEEN DATE '2025-01-01' AND DATE '2025-12-01' GROUP BY 1
), firms AS (
    SELECT f.credit_code, f.status = '存续' AS active,
           CAST(f.county_code AS INTEGER) // 100 = 3308 AS quzhou,
           coalesce(ins.s, 0) AS s, coalesce(ins.e, 0) AS e, coalesce(ins.paid, 0) AS paid,
           coalesce(ins.owed, 0) AS owed, tech.rd IS NOT NULL AS listed, coalesce(tech.rd, 0) AS rd
    FROM enterprise_registry f
    LEFT JOIN ins ON ins.credit_code = f.credit_code
    LEFT JOIN (SELECT credit_code, max(rd_expense) AS rd FROM tech_sme_list WHERE year = 2025
               GROUP BY 1) tech ON tech.credit_code = f.credit_code
)
SELECT 'elderly_allowance' AS rule, CAST(key AS VARCHAR) AS who,
       CASE WHEN age >= 100 THEN 500.0 WHEN age >= 90 THEN 200.0 ELSE 100.0 END AS amount
FROM people WHERE age >= 80 AND quzhou
UNION ALL
SELECT 'disability_subsidies', CAST(key AS VARCHAR),
       (CASE WHEN low_income THEN 270.0 ELSE 0 END)
       + (CASE WHEN grade BETWEEN 1 AND 2 THEN 270.0 ELSE 0 END)
FROM people WHERE certified AND (low_income OR grade BETWEEN 1 AND 2)
UNION ALL
SELECT 'job_retention_refund', credit_code,
       round(paid * CASE WHEN s <= 300 THEN 0.6 ELSE 0.3 END, 2)
FROM firms
WHERE active AND owed <= 0 AND paid > 0 AND s > 0
  AND (s - e) <= s * CASE WHEN s <= 30 THEN 0.2 ELSE 0.055 END + 1e-9
UNION ALL
SELECT 'tech_sme_reward', credit_code, 50000.0 FROM firms WHERE listed AND quzhou AND rd >= 500000
"""

RULE_CODES = (
    "elderly_allowance",
    "disability_subsidies",
    "job_retention_refund",
    "tech_sme_reward",
)


def ours(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, float]]:
    from shuzhi.domains.services import facts, rules

    people = facts.resident_arrays(
        con,
        period=MONTH,
        disability="disability_certificate",
        low_income="minimum_living_allowance",
    )
    firms = facts.enterprise_arrays(
        con,
        period=YEAR,
        registry="enterprise_registry",
        insurance="social_insurance_unit_monthly",
        tech_sme="tech_sme_list",
    )
    out: dict[str, dict[str, float]] = {}
    for system, population, period in (("resident", people, MONTH), ("enterprise", firms, YEAR)):
        codes = [c for c in RULE_CODES if rules.RULES[c].system == system]
        found = rules.evaluate(system, population.inputs, period, codes=codes, explain=False)
        for code, outcome in found.items():
            keys = population.keys[outcome.eligible].astype(str)
            out[code] = dict(
                zip(keys.tolist(), outcome.amount[outcome.eligible].tolist(), strict=True)
            )
    return out


def baseline(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, float]]:
    rows = con.execute(SQL).fetchnumpy()
    out: dict[str, dict[str, float]] = {code: {} for code in RULE_CODES}
    for rule, who, amount in zip(rows["rule"], rows["who"], rows["amount"], strict=True):
        out[str(rule)][str(who)] = round(float(amount), 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as folder:
        con = duckdb.connect(str(Path(folder) / "eligibility.duckdb"))
        threads = con.execute("SELECT current_setting('threads')").fetchone()[0]  # type: ignore[index]
        print(f"load average {load}; {os.cpu_count()} CPUs; DuckDB threads {threads}")
        started = time.perf_counter()
        generate(con, args.residents, args.enterprises)
        print(
            f"generated {args.residents:,} residents and {args.enterprises:,} enterprises "
            f"in {time.perf_counter() - started:.1f} s"
        )
        a, b = ours(con), baseline(con)
        for code in RULE_CODES:
            if a[code] != b[code]:
                differ = sorted(set(a[code].items()) ^ set(b[code].items()))[:5]
                sys.exit(f"{code}: ours and SQL differ, e.g. {differ}")
        for code in RULE_CODES:
            print(f"{code:<22} {len(a[code]):>9,} eligible {sum(a[code].values()):>16,.2f} yuan")
        ours_s = plain_s = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            ours(con)
            ours_s = min(ours_s, time.perf_counter() - started)
            started = time.perf_counter()
            baseline(con)
            plain_s = min(plain_s, time.perf_counter() - started)
        con.close()
    print(f"ours (facts.py + OpenFisca, best of {args.repeat}): {ours_s:.3f} s")
    print(f"plain SQL (best of {args.repeat}):                  {plain_s:.3f} s")
    print(f"ratio (SQL time / our time): {plain_s / ours_s:.2f}")


if __name__ == "__main__":
    main()
