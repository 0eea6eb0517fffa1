"""Encrypted model fields on a real table (the demo's Resident), and key rotation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from shuzhi.domains.services.models import Resident
from shuzhi.platform.accounts.models import Division
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.security.fields import token_of
from shuzhi.platform.security.keys import field_cipher

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"


def _resident() -> Resident:
    county = Division.objects.create(code="330802", name="柯城区", level="county")
    return Resident.objects.create(
        id_number=ID,
        name="张三",
        sex="female",
        birth_date=date(1949, 12, 31),
        county=county,
        address="衢州市柯城区府山街道县学街12号",
        mobile="13900001111",
    )


def _raw(column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM services_resident WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_values_are_encrypted_in_the_database_and_plain_in_python() -> None:
    resident = _resident()
    raw = _raw("id_number", resident.pk)
    assert raw.startswith("sm4:k1:")
    assert ID not in raw
    assert Resident.objects.get(pk=resident.pk).id_number == ID
    assert _raw("name", resident.pk).startswith("sm4:")


def test_token_finds_the_row_by_equality() -> None:
    resident = _resident()
    assert Resident.objects.get(id_number_token=token_of(ID.lower())) == resident


def test_pattern_lookups_on_ciphertext_are_refused() -> None:
    _resident()
    with pytest.raises(Exception, match=r"Unsupported lookup|exact"):
        list(Resident.objects.filter(id_number=ID))


def test_rotation_re_encrypts_every_value_under_the_new_key(settings: Any) -> None:
    resident = _resident()
    settings.SM4_KEYS = [
        "k1:00112233445566778899aabbccddeeff",
        "k2:ffeeddccbbaa99887766554433221100",
    ]
    settings.SM4_ACTIVE_KEY = "k2"
    field_cipher.cache_clear()
    call_command("security", "rotate-keys", "--no-progress")
    assert _raw("id_number", resident.pk).startswith("sm4:k2:")
    assert _raw("mobile", resident.pk).startswith("sm4:k2:")
    settings.SM4_KEYS = ["k2:ffeeddccbbaa99887766554433221100"]
    field_cipher.cache_clear()
    again = Resident.objects.get(pk=resident.pk)
    assert again.id_number == ID
    assert again.id_number_token == token_of(ID)
    assert AuditEntry.objects.filter(action="security.rotate_keys").exists()


def test_tampered_ciphertext_fails_loudly() -> None:
    resident = _resident()
    raw = _raw("mobile", resident.pk)
    tampered = raw[:-3] + ("A" if raw[-3] != "A" else "B") + raw[-2:]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE services_resident SET mobile = %s WHERE id = %s", [tampered, resident.pk]
        )
    with pytest.raises(ValueError, match=r"(?i)tamper|authentic"):
        Resident.objects.get(pk=resident.pk)


def test_bulk_writes_that_would_leave_a_stale_token_are_refused() -> None:
    resident = _resident()
    with pytest.raises(TypeError, match="encrypted"):
        Resident.objects.filter(pk=resident.pk).update(id_number="330802199001011234")
    resident.id_number = "330802199001011234"
    with pytest.raises(TypeError, match="encrypted"):
        Resident.objects.bulk_update([resident], ["id_number"])
    assert Resident.objects.get(pk=resident.pk).id_number == ID
    assert Resident.objects.filter(pk=resident.pk).update(sex="male") == 1


def test_saving_an_object_keeps_its_token_in_step() -> None:
    resident = _resident()
    resident.id_number = "330802199001011234"
    resident.save()
    assert Resident.objects.get(id_number_token=token_of("330802199001011234")) == resident
