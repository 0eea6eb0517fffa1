"""A small Quzhou for the catalogue and application tests (imported by the test modules).

``build(tmp_path, registry=...)`` makes the city's departments that services route to, loads the
demo catalogue (``shuzhi.demo.services_catalogue.load_catalogue``), and creates the people:
an enterprise user (of firm M1 of the market tests' registry), a resident with a linked
resident record, a public user with none, and a clerk of each handling department. With
``registry=True`` the warehouse dataset ``enterprise_registry`` is loaded too (the market tests'
six firms; M3 is revoked 吊销).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from shuzhi.demo.services_catalogue import load_catalogue
from shuzhi.domains.services.models import Resident
from shuzhi.platform.accounts.models import Department, Division, User
from tests.domains.market import city as market_city
from tests.factories import UserFactory

KECHENG = market_city.KECHENG
SUFFIXES = ("AMR", "UMB", "FIRE", "TOB", "TAX", "HRS", "CAB", "SCI", "GOV")

NO_PASSWORD = "!"  # unusable: the tests sign in with force_login (argon2 hashing is slow)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64

# item and bundle codes of the demo catalogue
FOOD = "330800-AMR-XK-003"
VERIFY = "330800-AMR-XK-001"
SIGNBOARD = "330800-UMB-XK-001"
FIRE = "330800-FIRE-XK-001"
TOBACCO = "330800-TOB-XK-001"
INVOICE = "330800-TAX-FW-002"
UNEMPLOYMENT = "330800-HRS-GF-002"
DEREGISTER = "330800-AMR-DJ-005"
RESTAURANT = "YJS-KBCYD"
SIMPLE_DEREGISTRATION = "YJS-QYJYZX"


@dataclass
class City:
    enterprise: User
    resident_user: User
    resident: Resident
    public: User
    clerks: dict[str, User] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, "image/png")


def text_file(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"just some text, not a PDF\n", "application/pdf")


def build(folder: Path, *, registry: bool = False) -> City:
    if registry:
        folder.mkdir(parents=True, exist_ok=True)
        market_city.build_city(folder, codes=("enterprise_registry",))
    province, _ = Division.objects.get_or_create(
        code="330000", defaults={"name": "浙江省", "name_en": "Zhejiang", "level": "province"}
    )
    quzhou, _ = Division.objects.get_or_create(
        code="330800",
        defaults={"name": "衢州市", "name_en": "Quzhou", "level": "city", "parent": province},
    )
    kecheng, _ = Division.objects.get_or_create(
        code=KECHENG,
        defaults={"name": "柯城区", "name_en": "Kecheng", "level": "county", "parent": quzhou},
    )
    departments = {}
    for suffix in SUFFIXES:
        departments[suffix], _ = Department.objects.get_or_create(
            code=f"330800-{suffix}", defaults={"name": f"市{suffix}", "division": quzhou}
        )
    load_catalogue()
    clerks = {
        suffix: UserFactory(
            username=f"svc_{suffix.lower()}_clerk",
            department=departments[suffix],
            roles=["clerk"],
            password=NO_PASSWORD,
        )
        for suffix in SUFFIXES
    }
    enterprise = UserFactory(
        username="svc_enterprise",
        department=None,
        division=kecheng,
        roles=["enterprise"],
        password=NO_PASSWORD,
    )
    enterprise.credit_code = market_city.by_key("M1")
    enterprise.save(update_fields=["credit_code"])
    resident_user = UserFactory(
        username="svc_resident",
        department=None,
        division=kecheng,
        roles=["public"],
        password=NO_PASSWORD,
    )
    resident = Resident.objects.create(
        id_number="330802199001011234",
        name="李四",
        sex="male",
        birth_date=date(1990, 1, 1),
        county=kecheng,
        address="衢州市柯城区府山街道1号",
        mobile="13900000001",
        account=resident_user,
    )
    public = UserFactory(
        username="svc_public",
        department=None,
        division=kecheng,
        roles=["public"],
        password=NO_PASSWORD,
    )
    return City(enterprise, resident_user, resident, public, clerks, departments)


def restaurant_facts(**more: Any) -> dict[str, Any]:
    return {
        "premises_address": "衢州市柯城区荷花中路88号",
        "business_format": "餐饮服务经营者",
        "business_scope": "热食类食品制售",
        "premises_area": "120",
        "signboard_text": "衢州味道",
        "signboard_size": "6x1.2",
        "signboard_location": "店面正上方",
        "seating_capacity": "60",
        **more,
    }


def media_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
