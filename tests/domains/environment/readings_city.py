"""Stations and EEB staff for the readings tests (imported by test_stations/test_push/
test_readings): the city, two counties, the city and Kecheng bureaus, a key per station."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shuzhi.domains.environment.models import Station
from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.accounts.services import user_roles_set
from tests.factories import CountyFactory, DepartmentFactory, DivisionFactory

KECHENG, JIANGSHAN = "330802", "330881"


@dataclass
class City:
    city: Division
    kecheng: Division
    jiangshan: Division
    steward: User  # city EEB data steward
    county_steward: User  # Kecheng EEB data steward
    clerk: User  # city EEB clerk (view only)
    other_steward: User  # a data steward of another bureau
    air: Station  # Kecheng
    water: Station  # Jiangshan


def build() -> City:
    city = DivisionFactory()
    kecheng = CountyFactory(code=KECHENG, name="柯城区", parent=city)
    jiangshan = CountyFactory(code=JIANGSHAN, name="江山市", parent=city)
    eeb = DepartmentFactory(code="330800-EEB", name="市生态环境局", division=city)
    kc_eeb = DepartmentFactory(code=f"{KECHENG}-EEB", name="柯城生态环境分局", division=kecheng)
    cab = DepartmentFactory(code="330800-CAB", name="市民政局", division=city)
    return City(
        city=city,
        kecheng=kecheng,
        jiangshan=jiangshan,
        steward=_user("eeb_steward", eeb, "data_steward"),
        county_steward=_user("kc_eeb_steward", kc_eeb, "data_steward"),
        clerk=_user("eeb_clerk", eeb, "clerk"),
        other_steward=_user("cab_steward", cab, "data_steward"),
        air=Station.objects.create(
            code="3308A01",
            name="市监测站",
            kind=Station.Kind.AIR,
            division=kecheng,
            latitude=Decimal("28.970000"),
            longitude=Decimal("118.870000"),
        ),
        water=Station.objects.create(
            code="3308W19",
            name="清湖",
            kind=Station.Kind.WATER,
            division=jiangshan,
            latitude=Decimal("28.700000"),
            longitude=Decimal("118.600000"),
            water_body=Station.WaterBody.RIVER,
            water_body_name="江山港",
            target_class="II",
        ),
    )


def _user(username: str, department: Department, role: str) -> User:
    """A member of staff without a password (hashing one per user would slow every test)."""
    user = User.objects.create(
        username=username,
        display_name=username,
        department=department,
        division=department.division,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    user_roles_set(user=user, roles=[role], by=None)
    return user
