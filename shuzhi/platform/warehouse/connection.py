"""The warehouse connection, from settings (a DuckDB file by default).

DuckDB lets one process write a file at a time, so every use opens a short-lived connection
and closes it: the web server, the CLI and background work then take turns instead of one of
them holding the file for its whole life.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from django.conf import settings

from .engine import Warehouse

_WAIT_SECONDS = 30.0


@contextmanager
def open_warehouse() -> Iterator[Warehouse]:
    path = Path(settings.WAREHOUSE_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + _WAIT_SECONDS
    while True:
        try:
            warehouse = Warehouse(path)
            break
        except duckdb.IOException:
            if time.monotonic() > deadline:  # another process holds the file
                raise
            time.sleep(0.2)
    try:
        yield warehouse
    finally:
        warehouse.close()
