"""The official holiday schedules for 2025 and 2026 (法定节假日安排).

Sources: 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12) and
国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04). Later years are added by administrators
in the back office.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import migrations

# (name, first holiday, last holiday, adjusted working days 调休上班)
SCHEDULES: list[tuple[str, date, date, tuple[date, ...]]] = [
    # 2025
    ("元旦", date(2025, 1, 1), date(2025, 1, 1), ()),
    ("春节", date(2025, 1, 28), date(2025, 2, 4), (date(2025, 1, 26), date(2025, 2, 8))),
    ("清明节", date(2025, 4, 4), date(2025, 4, 6), ()),
    ("劳动节", date(2025, 5, 1), date(2025, 5, 5), (date(2025, 4, 27),)),
    ("端午节", date(2025, 5, 31), date(2025, 6, 2), ()),
    (
        "国庆节、中秋节",
        date(2025, 10, 1),
        date(2025, 10, 8),
        (date(2025, 9, 28), date(2025, 10, 11)),
    ),
    # 2026
    ("元旦", date(2026, 1, 1), date(2026, 1, 3), (date(2026, 1, 4),)),
    ("春节", date(2026, 2, 15), date(2026, 2, 23), (date(2026, 2, 14), date(2026, 2, 28))),
    ("清明节", date(2026, 4, 4), date(2026, 4, 6), ()),
    ("劳动节", date(2026, 5, 1), date(2026, 5, 5), (date(2026, 5, 9),)),
    ("端午节", date(2026, 6, 19), date(2026, 6, 21), ()),
    ("中秋节", date(2026, 9, 25), date(2026, 9, 27), ()),
    ("国庆节", date(2026, 10, 1), date(2026, 10, 7), (date(2026, 9, 20), date(2026, 10, 10))),
]


def _rows() -> list[tuple[date, str, str]]:
    rows = []
    for name, first, last, workdays in SCHEDULES:
        day = first
        while day <= last:
            rows.append((day, "holiday", name))
            day += timedelta(days=1)
        rows.extend((workday, "workday", name) for workday in workdays)
    return rows


def load(apps: Any, schema_editor: Any) -> None:
    DayAdjustment = apps.get_model("workdays", "DayAdjustment")
    for day, kind, name in _rows():
        DayAdjustment.objects.update_or_create(date=day, defaults={"kind": kind, "name": name})


def unload(apps: Any, schema_editor: Any) -> None:
    DayAdjustment = apps.get_model("workdays", "DayAdjustment")
    DayAdjustment.objects.filter(date__in=[day for day, _, _ in _rows()]).delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
