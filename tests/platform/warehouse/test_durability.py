"""A killed ingestion leaves no version behind, and ingestion streams instead of loading files whole."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from shuzhi.platform.warehouse.engine import Warehouse, ingest_file, table_name

from .files import ELECTRICITY, credit_code

ROOT = Path(__file__).resolve().parents[3]


def write_electricity(path: Path, rows: int, enterprises: int = 1000) -> Path:
    """A monthly electricity CSV of ``rows`` rows, every hundredth row with a negative kwh."""
    codes = [credit_code(n) for n in range(enterprises)]
    counties = ["330802", "330803", "330822", "330824", "330825", "330881"]
    with path.open("w", encoding="utf-8") as out:
        out.write("credit_code,month,kwh,county\n")
        for i in range(rows):
            kwh = -1 if i % 100 == 99 else i % 9973
            out.write(
                f"{codes[i % enterprises]},{2000 + i // (12 * enterprises)}-{i // enterprises % 12 + 1:02d}-01,"
                f"{kwh}.25,{counties[i % 6]}\n"
            )
    return path


def run_python(code: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


CHILD = """
    import sys, time
    from pathlib import Path
    from shuzhi.platform.warehouse.engine import Warehouse, ingest_file
    from tests.platform.warehouse.files import ELECTRICITY

    def progress(rows):
        if rows == 2000:
            print("first batch written", flush=True)
        time.sleep(0.01)  # keep the load going long enough to be killed part-way

    with Warehouse({db!r}) as warehouse:
        ingest_file(warehouse=warehouse, path=Path({csv!r}), dataset_code="electricity",
                    version=1, fields=ELECTRICITY, batch_size=2000, progress=progress)
    print("finished", flush=True)
"""


@pytest.mark.slow
def test_kill_9_part_way_leaves_no_version_and_the_next_run_loads_everything(
    tmp_path: Path,
) -> None:
    csv = write_electricity(tmp_path / "electricity.csv", 300_000)
    db = tmp_path / "warehouse.duckdb"
    child = run_python(CHILD.format(db=str(db), csv=str(csv)))
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line == "first batch written\n", child.stderr.read() if child.stderr else ""
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    with Warehouse(db) as warehouse:
        names = warehouse.table_names()
        assert table_name("electricity", 1) not in names
        assert table_name("electricity", 1, quarantine=True) not in names
        staging = table_name("electricity", 1, staging=True)
        assert staging in names  # the killed run got this far
        staged = warehouse.duckdb.execute(f'SELECT count(*) FROM "{staging}"').fetchone()
        assert staged is not None
        assert staged[0] < 300_000  # one INSERT: what it wrote was never committed

        report = ingest_file(
            warehouse=warehouse,
            path=csv,
            dataset_code="electricity",
            version=1,
            fields=ELECTRICITY,
            batch_size=20_000,
        )
        assert report.rows_in == 300_000
        assert (report.rows_loaded, report.rows_quarantined) == (297_000, 3_000)
        assert warehouse.table_names() == ["electricity__v1", "electricity__v1__quarantine"]


MEASURE = """
    import json, resource, sys, time, tracemalloc
    from pathlib import Path
    import pyarrow as pa
    from shuzhi.platform.warehouse.engine import Warehouse, ingest_file
    from tests.platform.warehouse.files import ELECTRICITY

    with Warehouse({db!r}) as warehouse:
        # A first small load imports what loads lazily, so only the big load is measured.
        ingest_file(warehouse=warehouse, path=Path({small!r}), dataset_code="warm_up",
                    version=1, fields=ELECTRICITY)
        tracemalloc.start()
        started = time.perf_counter()
        report = ingest_file(warehouse=warehouse, path=Path({csv!r}), dataset_code="electricity",
                             version=1, fields=ELECTRICITY, batch_size=10_000)
        seconds = time.perf_counter() - started
        python_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(json.dumps({{
        "rows": report.rows_in,
        "python_peak": python_peak,
        "arrow_peak": pa.default_memory_pool().max_memory(),
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "seconds": seconds,
    }}))
"""


@pytest.mark.slow
def test_ingesting_a_50_mb_file_streams_in_batches(tmp_path: Path) -> None:
    """Memory follows the batch size (a few batches are in flight), not the file size."""
    csv = write_electricity(tmp_path / "electricity.csv", 1_150_000)
    size = csv.stat().st_size
    assert size > 50_000_000
    small = write_electricity(tmp_path / "small.csv", 100)
    child = run_python(
        MEASURE.format(db=str(tmp_path / "warehouse.duckdb"), csv=str(csv), small=str(small))
    )
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    measured = json.loads(out.strip().splitlines()[-1])
    assert measured["rows"] == 1_150_000
    # Python objects stay a small fraction of the file; Arrow buffers stay within the few
    # reader pieces (1 MB of text each) and batches in flight, whatever the file's size.
    assert measured["python_peak"] < size / 5, measured
    assert measured["arrow_peak"] < 16 * 2**20, measured
