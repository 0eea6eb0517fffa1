"""Shared test data of the policy library: topics, publishers and documents written straight to
the database (no services, no index) — tests of the services and the search build on these."""

from __future__ import annotations

from datetime import date
from itertools import count
from typing import Any

from shuzhi.domains.policy.models import Genre, PolicyDocument, Publisher, Topic
from tests.factories import DepartmentFactory

_serial = count(1)


def topic(
    code: str = "0102", name: str = "电子政务", parent: tuple[str, str] = ("01", "综合政务")
) -> Topic:
    """A second-level topic (and its first-level parent), reused when the codes exist."""
    top, _ = Topic.objects.get_or_create(code=parent[0], defaults={"name": parent[1]})
    sub, _ = Topic.objects.get_or_create(code=code, defaults={"name": name, "parent": top})
    return sub


def publisher(
    name: str = "市人民政府",
    *,
    org_code: str = "11330800002618015K",
    department_code: str = "330800-GOV",
) -> Publisher:
    """A publisher and the department that publishes for it."""
    department = DepartmentFactory(code=department_code, name=f"{name}办公室")
    found, _ = Publisher.objects.get_or_create(
        name=name, defaults={"org_code": org_code, "department": department}
    )
    return found


def document(**fields: Any) -> PolicyDocument:
    """A public (主动公开) document in force; any field may be given."""
    serial = next(_serial)
    pub = fields.pop("publisher", None) or publisher()
    written = fields.pop("written_on", date(2023, 3, 1))
    values: dict[str, Any] = {
        "index_number": f"{pub.org_code}/{written.year}-{900000 + serial:06d}",
        "title": f"关于测试文件的通知（第{serial}号）",
        "doc_number": f"衢政发〔{written.year}〕{serial}号",
        "written_on": written,
        "published_on": written,
        "topic": fields.pop("topic", None) or topic(),
        "genre": Genre.GOVERNMENT,
        "body": "各县（市、区）人民政府：\n一、总体要求\n推进数字政府建设，深化一网通办。",
    }
    values.update(fields)
    return PolicyDocument.objects.create(publisher=pub, **values)
