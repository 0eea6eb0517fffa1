"""Stations, push keys and the station and rejected-readings pages: who may do what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from shuzhi.domains.environment import keys
from shuzhi.domains.environment.models import RejectedReading, Source, Station
from shuzhi.domains.environment.services.readings import (
    ReadingsRefused,
    station_key_issue,
    station_save,
)
from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.security.permissions import has_perm

from .readings_city import City, _user, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def city() -> City:
    return build()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_permissions_by_role() -> None:
    class Staff:
        is_authenticated = True
        is_active = True

        def __init__(self, role: str) -> None:
            self.role_codes = [role]

    for role in ("data_steward", "clerk", "approver", "supervisor", "leader"):
        assert has_perm(Staff(role), "environment.view"), role
    assert has_perm(Staff("data_steward"), "environment.manage")
    for role in ("clerk", "approver", "supervisor", "leader", "public", "enterprise", "bank"):
        assert not has_perm(Staff(role), "environment.manage"), role
    for role in ("public", "enterprise", "bank", "auditor", "system_admin"):
        assert not has_perm(Staff(role), "environment.view"), role


def test_a_key_is_returned_once_and_only_its_hash_kept(city: City) -> None:
    raw = station_key_issue(by=city.steward, station=city.air)
    city.air.refresh_from_db()
    prefix, secret = keys.split_key(raw) or ("", "")
    assert raw.startswith(f"env_{city.air.key_prefix}_")
    assert prefix == city.air.key_prefix
    assert secret not in city.air.key_hash
    assert keys.key_matches(raw, prefix=city.air.key_prefix, hashed=city.air.key_hash)
    assert not keys.key_matches(raw + "x", prefix=city.air.key_prefix, hashed=city.air.key_hash)
    entry = AuditEntry.objects.filter(action="environment.station_key_issue").latest("pk")
    assert entry.details == {"code": "3308A01", "prefix": prefix}
    assert secret not in str(entry.details)


def test_a_county_bureau_issues_keys_in_its_county_only(city: City) -> None:
    assert station_key_issue(by=city.county_steward, station=city.air)  # Kecheng
    with pytest.raises(ReadingsRefused) as refused:
        station_key_issue(by=city.county_steward, station=city.water)  # Jiangshan
    assert (refused.value.code, refused.value.status) == ("wrong_county", 403)


@pytest.mark.parametrize("who", ["clerk", "other_steward"])
def test_others_may_not_issue_keys(city: City, who: str) -> None:
    with pytest.raises(ReadingsRefused) as refused:
        station_key_issue(by=getattr(city, who), station=city.air)
    assert refused.value.code == "forbidden"
    city.air.refresh_from_db()
    assert city.air.key_hash == ""
    refusal = AuditEntry.objects.filter(action="environment.station_key_issue").latest("pk")
    assert refusal.details["code"] == "forbidden"


def test_station_save_creates_and_changes(city: City) -> None:
    station = station_save(
        by=city.steward,
        code="3308W01",
        name="双港口",
        kind="water",
        division=city.kecheng,
        latitude=28.95,
        longitude=118.83,
        water_body="river",
        water_body_name="衢江",
        target_class="II",
    )
    assert (station.latitude, station.target_class) == (Decimal("28.950000"), "II")
    station = station_save(
        by=city.steward,
        code="3308W01",
        name="双港口断面",
        kind="water",
        division=city.kecheng,
        latitude=28.95,
        longitude=118.83,
        water_body="river",
        target_class="III",
    )
    assert Station.objects.get(code="3308W01").name == "双港口断面"
    assert station.target_class == "III"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "soil"}, "kind"),
        ({"water_body": "sea"}, "water_body"),
        ({"target_class": "VI"}, "target_class"),
        ({"code": " "}, "code"),
        ({"code": "3308A01"}, "kind"),  # an air station stays an air station
    ],
)
def test_station_save_refuses_bad_input(city: City, changes: dict[str, str], field: str) -> None:
    values = {
        "code": "3308W02",
        "name": "黄坛口",
        "kind": "water",
        "water_body": "river",
        "target_class": "II",
    } | changes
    with pytest.raises(ReadingsRefused) as refused:
        station_save(by=city.steward, division=city.kecheng, latitude=29, longitude=118.9, **values)
    assert (refused.value.field, refused.value.status) == (field, 422)


def test_station_save_needs_the_bureau(city: City) -> None:
    for user, code in ((city.clerk, "forbidden"), (city.county_steward, "wrong_county")):
        with pytest.raises(ReadingsRefused) as refused:
            station_save(
                by=user,
                code="3308A05",
                name="常山",
                kind="air",
                division=city.jiangshan,
                latitude=28.9,
                longitude=118.5,
            )
        assert refused.value.code == code
    assert not Station.objects.filter(code="3308A05").exists()


def test_station_list_page(city: City) -> None:
    page = _client(city.clerk).get("/environment/stations/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "3308A01" in text
    assert "3308W19" in text
    assert "environment/stations/3308A01/key/" not in text  # a clerk issues no keys
    water_only = _client(city.clerk).get("/environment/stations/?kind=water").content.decode()
    assert "3308A01" not in water_only
    assert "3308W19" in water_only
    steward = _client(city.steward).get("/environment/stations/?kind=nonsense").content.decode()
    assert "environment/stations/3308A01/key/" in steward
    assert "environment/rejected/" in steward
    assert "CO ≤ 150 mg/m³" in steward
    assert "pH ≤ 14 </li>" in steward


def test_county_staff_see_their_county(city: City) -> None:
    county_clerk = _user("kc_clerk", Department.objects.get(code="330802-EEB"), "clerk")
    text = _client(county_clerk).get("/environment/stations/").content.decode()
    assert "3308A01" in text
    assert "3308W19" not in text


def test_the_public_sees_no_station_pages(city: City) -> None:
    resident = User.objects.create(username="resident")
    from shuzhi.platform.accounts.services import user_roles_set

    user_roles_set(user=resident, roles=["public"], by=None)
    assert _client(resident).get("/environment/stations/").status_code == 403
    assert _client(resident).get("/environment/rejected/").status_code == 403
    assert Client().get("/environment/stations/").status_code == 302  # to sign in


def test_a_key_from_the_page_works_for_pushing(city: City) -> None:
    client = _client(city.steward)
    assert client.get("/environment/stations/3308A01/key/").status_code == 405
    page = client.post("/environment/stations/3308A01/key/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    city.air.refresh_from_db()
    raw = page.content.decode().split('id="raw-key">', 1)[1].split("<", 1)[0]
    assert keys.key_matches(raw, prefix=city.air.key_prefix, hashed=city.air.key_hash)
    assert client.post("/environment/stations/NOPE/key/").status_code == 404


def test_the_key_page_refuses_others(city: City) -> None:
    page = _client(city.clerk).post("/environment/stations/3308A01/key/")
    assert page.status_code == 403
    page = _client(city.county_steward).post("/environment/stations/3308W19/key/")
    assert page.status_code == 403
    city.water.refresh_from_db()
    assert city.water.key_hash == ""


def test_rejected_page(city: City) -> None:
    for code, kind in (("3308A01", "air"), ("3308W19", "water"), ("NOPE", "air")):
        RejectedReading.objects.create(
            station_code=code,
            kind=kind,
            source=Source.PUSH,
            field="hour",
            reason="in the future",
            payload={"hour": "2099-01-01T00:00:00+08:00"},
        )
    text = _client(city.steward).get("/environment/rejected/").content.decode()
    assert all(code in text for code in ("3308A01", "3308W19", "NOPE"))
    assert "{&quot;hour&quot;: &quot;2099-01-01T00:00:00+08:00&quot;}" in text  # as JSON
    county = _client(city.county_steward).get("/environment/rejected/").content.decode()
    assert "3308A01" in county
    assert "3308W19" not in county
    assert "NOPE" not in county
    water = _client(city.steward).get("/environment/rejected/?kind=water").content.decode()
    assert "3308A01" not in water
    assert _client(city.clerk).get("/environment/rejected/").status_code == 403
    assert _client(city.other_steward).get("/environment/rejected/").status_code == 403
