"""Electronic licences (电子证照): issuance, seals, revocation, expiry, verification and the
permission rules around them. Helpers here are shared by the other licence test modules."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shuzhi.domains.services.licence_seal import seal_verify
from shuzhi.domains.services.models.applications import Application, ApplicationPart
from shuzhi.domains.services.models.catalogue import ServiceItem
from shuzhi.domains.services.models.licences import Licence, SealKey
from shuzhi.domains.services.models.residents import Resident
from shuzhi.domains.services.selectors.licences import licence_payload
from shuzhi.domains.services.services.licences import (
    LicenceRefused,
    licence_issue,
    licence_issue_for_part,
    licence_revoke,
    licence_verify,
    seal_for,
    seal_list,
    seal_rotate,
)
from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.audit.models import AuditEntry
from tests.factories import CountyFactory, DepartmentFactory, DivisionFactory, UserFactory

CREDIT = "91330802MA2DEMO01X"
OTHER_CREDIT = "91330802MA2DEMO02Y"
FOOD_FACTS = {
    "enterprise_name": "衢州市柯城区示范餐饮有限公司",
    "legal_representative": "张三",
    "registered_address": "衢州市柯城区荷花中路1号",
    "premises_address": "衢州市柯城区荷花中路1号一层",
    "business_format": "餐饮服务经营者（小型餐饮）",
    "business_scope": "热食类食品制售",
}


@dataclass
class World:
    amr: Department
    fire: Department
    clerk: User  # services.handle in AMR
    steward: User  # services.manage in AMR
    fire_clerk: User
    fire_steward: User
    enterprise: User  # the enterprise user of CREDIT
    other_enterprise: User  # of OTHER_CREDIT
    resident_user: User
    resident: Resident


def make_world() -> World:
    city = DivisionFactory()
    county = CountyFactory()
    amr = DepartmentFactory(code="330800-AMR", name="衢州市市场监督管理局", division=city)
    fire = DepartmentFactory(code="330800-FIRE", name="衢州市消防救援支队", division=city)
    resident_user = UserFactory(username="lic_resident", department=None, roles=["public"])
    resident = Resident.objects.create(
        id_number="330802199001011234",
        name="李四",
        sex=Resident.Sex.MALE,
        birth_date=dt.date(1990, 1, 1),
        county=county,
        address="衢州市柯城区府山街道",
        mobile="13800000000",
        account=resident_user,
    )
    return World(
        amr=amr,
        fire=fire,
        clerk=UserFactory(username="lic_clerk", department=amr, roles=["clerk"]),
        steward=UserFactory(username="lic_steward", department=amr, roles=["data_steward"]),
        fire_clerk=UserFactory(username="lic_fire_clerk", department=fire, roles=["clerk"]),
        fire_steward=UserFactory(
            username="lic_fire_steward", department=fire, roles=["data_steward"]
        ),
        enterprise=UserFactory(
            username="lic_enterprise", department=None, credit_code=CREDIT, roles=["enterprise"]
        ),
        other_enterprise=UserFactory(
            username="lic_other", department=None, credit_code=OTHER_CREDIT, roles=["enterprise"]
        ),
        resident_user=resident_user,
        resident=resident,
    )


def issue_food(world: World, **overrides: Any) -> Licence:
    arguments: dict[str, Any] = {
        "licence_type": "food_operation",
        "issuer": world.amr,
        "facts": FOOD_FACTS,
        "by": world.clerk,
        "holder_name": FOOD_FACTS["enterprise_name"],
        "holder_credit_code": CREDIT,
    }
    arguments.update(overrides)
    return licence_issue(**arguments)


def audits(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def details(entry: AuditEntry) -> dict[str, Any]:
    return dict(json.loads(entry.details_json))


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()  # verification budgets and audit de-duplication live there


@pytest.fixture
def world(db: None, settings: Any) -> World:
    # fast password hashing: these tests make many users and never sign in with a password
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


# --- Issuance and seals -----------------------------------------------------------------------


def test_food_permit_is_issued_signed_and_audited(world: World) -> None:
    licence = issue_food(world)
    assert licence.number.startswith("JY330800")
    assert len(licence.number) == 2 + 6 + 7
    assert licence.title == "食品经营许可证"
    assert ["经营场所", FOOD_FACTS["premises_address"]] in licence.fields
    assert ["社会信用代码", CREDIT] in licence.fields
    assert licence.valid_until == dt.date(
        licence.issued_on.year + 5, licence.issued_on.month, licence.issued_on.day
    ) - dt.timedelta(days=1)
    seal = SealKey.objects.get(department=world.amr, active=True)
    assert seal.name == "衢州市市场监督管理局电子印章"
    assert licence.seal == seal
    assert seal_verify(
        public_key_hex=seal.public_key_hex,
        payload=licence_payload(licence),
        signature_hex=licence.signature_hex,
    )
    assert [details(e)["number"] for e in audits("services.licence_issue")] == [licence.number]
    assert len(audits("services.seal_create")) == 1
    # a second licence uses the same seal and the next serial
    second = issue_food(world)
    assert second.seal == seal
    assert second.number != licence.number
    assert SealKey.objects.filter(department=world.amr).count() == 1


def test_private_key_is_encrypted_at_rest(world: World) -> None:
    seal = seal_for(department=world.amr, by=world.clerk)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key_hex FROM services_sealkey WHERE id = %s", [seal.pk])
        stored = cursor.fetchone()[0]
    assert seal.private_key_hex not in stored
    assert SealKey.objects.get(pk=seal.pk).private_key_hex == seal.private_key_hex


def test_business_licence_number_is_the_credit_code(world: World) -> None:
    facts = {"enterprise_name": "示范公司", "business_scope": "餐饮服务"}
    licence = licence_issue(
        licence_type="business_licence",
        issuer=world.amr,
        facts=facts,
        by=world.clerk,
        holder_name="示范公司",
        holder_credit_code=CREDIT,
    )
    assert licence.number == CREDIT
    assert licence.fields[0] == ["统一社会信用代码", CREDIT]
    again = licence_issue(
        licence_type="business_licence",
        issuer=world.amr,
        facts=facts,
        by=world.clerk,
        holder_name="示范公司",
        holder_credit_code=CREDIT,
    )
    assert again.number == f"{CREDIT}-01"


def test_missing_required_fact_is_refused_and_nothing_is_issued(world: World) -> None:
    facts = {k: v for k, v in FOOD_FACTS.items() if k != "premises_address"}
    with pytest.raises(LicenceRefused) as refused:
        issue_food(world, facts=facts)
    assert refused.value.code == "missing_fact"
    assert refused.value.field == "premises_address"
    assert not Licence.objects.exists()
    assert details(audits("services.licence_issue")[-1])["code"] == "missing_fact"


def test_unknown_type_is_refused(world: World) -> None:
    with pytest.raises(LicenceRefused) as refused:
        issue_food(world, licence_type="driving_licence")
    assert refused.value.code == "unknown_type"


@pytest.mark.parametrize("who", ["fire_clerk", "steward", "enterprise", "resident_user"])
def test_only_handlers_of_the_issuing_department_issue(world: World, who: str) -> None:
    with pytest.raises(PermissionDenied):
        issue_food(world, by=getattr(world, who))
    assert not Licence.objects.exists()
    assert audits("services.licence_issue")[-1].outcome == "denied"


def _food_item(world: World) -> ServiceItem:
    return ServiceItem.objects.create(
        code="330800-AMR-FOOD",
        name="食品经营许可",
        item_type=ServiceItem.ItemType.LICENSING,
        department=world.amr,
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        time_limit_days=10,
        licence_type="food_operation",
        licence_valid_years=4,
    )


def test_issue_for_an_enterprise_application_part(world: World) -> None:
    item = _food_item(world)
    application = Application.objects.create(
        number="SQ-1",
        applicant=world.enterprise,
        credit_code=CREDIT,
        item=item,
        facts=FOOD_FACTS,
    )
    part = ApplicationPart.objects.create(application=application, item=item, department=world.amr)
    licence = licence_issue_for_part(part=part, by=world.clerk)
    assert licence.part == part
    assert licence.holder_credit_code == CREDIT
    assert licence.holder_name == FOOD_FACTS["enterprise_name"]
    assert licence.valid_until.year == licence.issued_on.year + 4  # the item's validity
    assert licence_issue_for_part(part=part, by=world.clerk) == licence  # once per part
    with pytest.raises(PermissionDenied):
        licence_issue_for_part(part=part, by=world.fire_clerk)


def test_issue_for_a_resident_carries_the_id_token_never_the_number(world: World) -> None:
    item = _food_item(world)
    facts = {**FOOD_FACTS, "enterprise_name": "", "applicant_name": "李四"}
    application = Application.objects.create(
        number="SQ-2", applicant=world.resident_user, item=item, facts=facts
    )
    part = ApplicationPart.objects.create(application=application, item=item, department=world.amr)
    licence = licence_issue_for_part(part=part, by=world.clerk)
    assert licence.holder_resident == world.resident
    assert licence.holder_name == "李四"
    payload = licence_payload(licence)
    assert payload["holder_id"] == world.resident.id_number_token
    assert "330802199001011234" not in json.dumps(payload, ensure_ascii=False)


def test_steward_rotates_the_seal_and_old_licences_still_verify(world: World) -> None:
    old = issue_food(world)
    new_seal = seal_rotate(department=world.amr, by=world.steward)
    assert new_seal.active
    assert new_seal != old.seal
    old.seal.refresh_from_db()
    assert not old.seal.active
    assert licence_verify(number=old.number, signature_hex=old.signature_hex).authentic
    fresh = issue_food(world)
    assert fresh.seal == new_seal
    assert licence_verify(number=fresh.number, signature_hex=fresh.signature_hex).authentic
    assert [s.pk for s in seal_list(by=world.steward)] == [new_seal.pk, old.seal.pk]
    assert details(audits("services.seal_rotate")[-1])["retired"] == [old.seal.pk]


@pytest.mark.parametrize("who", ["fire_steward", "clerk", "enterprise"])
def test_others_cannot_rotate_the_seal(world: World, who: str) -> None:
    seal = seal_for(department=world.amr, by=world.clerk)
    with pytest.raises(PermissionDenied):
        seal_rotate(department=world.amr, by=getattr(world, who))
    assert list(SealKey.objects.filter(department=world.amr, active=True)) == [seal]
    assert audits("services.seal_rotate")[-1].outcome == "denied"


def test_seal_is_made_only_for_its_own_staff(world: World) -> None:
    with pytest.raises(PermissionDenied):
        seal_for(department=world.amr, by=world.fire_clerk)
    assert not SealKey.objects.exists()


# --- Revocation and expiry --------------------------------------------------------------------


def test_revoke_needs_a_reason_and_the_issuer(world: World) -> None:
    licence = issue_food(world)
    with pytest.raises(LicenceRefused) as refused:
        licence_revoke(licence=licence, by=world.clerk, reason="  ")
    assert refused.value.code == "reason_required"
    with pytest.raises(PermissionDenied):
        licence_revoke(licence=licence, by=world.fire_clerk, reason="违法经营")
    with pytest.raises(PermissionDenied):
        licence_revoke(licence=licence, by=world.enterprise, reason="不想要了")
    licence.refresh_from_db()
    assert licence.status == Licence.Status.VALID

    licence_revoke(licence=licence, by=world.clerk, reason="申请人申请注销")
    licence.refresh_from_db()
    assert licence.status == Licence.Status.REVOKED
    assert licence.revoked_at is not None
    assert details(audits("services.licence_revoke")[-1])["reason"] == "申请人申请注销"
    with pytest.raises(LicenceRefused) as twice:
        licence_revoke(licence=licence, by=world.clerk, reason="again")
    assert twice.value.code == "already_revoked"

    result = licence_verify(number=licence.number, signature_hex=licence.signature_hex)
    assert result.authentic
    assert result.status == "revoked"
    assert "revoked" in result.reasons


def test_expired_licence_is_authentic_but_expired(world: World) -> None:
    today = timezone.localdate()
    licence = issue_food(world, issued_on=today.replace(year=today.year - 6))
    assert licence.valid_until < today
    result = licence_verify(number=licence.number, signature_hex=licence.signature_hex)
    assert result.authentic
    assert result.status == "expired"
    assert result.reasons == ("expired",)
    current = issue_food(world)
    assert licence_verify(number=current.number, signature_hex=current.signature_hex).status == (
        "valid"
    )


# --- Verification ----------------------------------------------------------------------------


def test_verification_by_number_and_signature(world: World) -> None:
    licence = issue_food(world)
    result = licence_verify(number=licence.number, signature_hex=licence.signature_hex)
    assert result.authentic
    assert result.status == "valid"
    assert result.reasons == ()
    assert result.as_dict()["holder_name"] == FOOD_FACTS["enterprise_name"]
    assert result.as_dict()["issuer"] == "衢州市市场监督管理局"


def test_signature_of_another_licence_is_a_forgery_and_audited(world: World) -> None:
    one, two = issue_food(world), issue_food(world)
    result = licence_verify(number=one.number, signature_hex=two.signature_hex)
    assert not result.authentic
    assert result.reasons == ("bad_signature",)
    assert result.licence is None
    assert result.as_dict()["holder_name"] is None
    entry = audits("services.licence_forgery")[-1]
    assert entry.outcome == "failure"
    assert details(entry)["number"] == one.number


def test_unknown_number_is_a_forgery(world: World) -> None:
    licence = issue_food(world)
    result = licence_verify(number="JY3308009999999", signature_hex=licence.signature_hex)
    assert not result.authentic
    assert result.status == "unknown"
    assert details(audits("services.licence_forgery")[-1])["number"] == "JY3308009999999"


def test_wrong_seal_fails(world: World) -> None:
    """A licence pointed at another department's seal no longer verifies."""
    licence = issue_food(world)
    other = seal_for(department=world.fire, by=world.fire_clerk)
    Licence.objects.filter(pk=licence.pk).update(seal=other)
    result = licence_verify(number=licence.number, signature_hex=licence.signature_hex)
    assert not result.authentic


def test_registry_record_changed_behind_the_seal_fails(world: World) -> None:
    licence = issue_food(world)
    Licence.objects.filter(pk=licence.pk).update(holder_name="冒名公司")
    assert not licence_verify(number=licence.number, signature_hex=licence.signature_hex).authentic


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("number", "JY3308000000999"),
        ("licence_type", "tobacco_retail"),
        ("title", "烟草专卖零售许可证"),
        ("holder_name", "冒名公司"),
        ("holder_id", OTHER_CREDIT),
        ("fields", [["经营者名称", "冒名公司"]]),
        ("issuer", "330800-FIRE"),
        ("issued_on", "2020-01-01"),
        ("valid_until", "2099-12-31"),
        ("seal", 999),
    ],
)
def test_any_altered_field_of_the_presented_payload_fails(
    world: World, key: str, value: Any
) -> None:
    licence = issue_food(world)
    payload = {**licence_payload(licence), key: value}
    result = licence_verify(payload=payload, signature_hex=licence.signature_hex)
    assert not result.authentic
    assert details(audits("services.licence_forgery")[-1])["mode"] == "payload"


def test_one_changed_face_value_fails(world: World) -> None:
    licence = issue_food(world)
    payload = licence_payload(licence)
    payload["fields"][-1][1] += "、冷食类食品制售"
    result = licence_verify(payload=payload, signature_hex=licence.signature_hex)
    assert not result.authentic
    assert "altered" in result.reasons


def test_the_true_payload_verifies(world: World) -> None:
    licence = issue_food(world)
    result = licence_verify(payload=licence_payload(licence), signature_hex=licence.signature_hex)
    assert result.authentic
    assert result.status == "valid"


@pytest.mark.parametrize(
    "arguments",
    [
        {"number": "JY1", "signature_hex": "zz"},
        {"number": "", "signature_hex": "a" * 128},
        {"number": "x" * 41, "signature_hex": "a" * 128},
        {"payload": {"number": "JY1"}, "signature_hex": "a" * 128},
        {"payload": [], "signature_hex": "a" * 128},
    ],
)
def test_malformed_verification_input_is_refused(world: World, arguments: dict) -> None:
    with pytest.raises(LicenceRefused) as refused:
        licence_verify(**arguments)
    assert refused.value.status == 422
    assert refused.value.code == "malformed"
    assert not audits("services.licence_forgery")


def test_successful_checks_are_audited_once_per_number_and_hour(world: World) -> None:
    licence = issue_food(world)
    for _ in range(5):
        licence_verify(number=licence.number, signature_hex=licence.signature_hex)
    assert len(audits("services.licence_verify")) == 1
    for _ in range(3):
        licence_verify(number=licence.number, signature_hex="1" * 128)
    assert len(audits("services.licence_forgery")) == 3  # every failure is kept
