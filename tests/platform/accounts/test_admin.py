from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from shuzhi.platform.accounts.models import ApiKey, Department, Division, User
from shuzhi.platform.accounts.services import admin_change_record, api_key_issue
from shuzhi.platform.audit.actions import action_label
from shuzhi.platform.audit.models import AuditEntry
from tests.factories import CountyFactory, DepartmentFactory, DivisionFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kecheng@2026-new"


def _user_form(user: User, **changes: Any) -> dict[str, Any]:
    """The back office's user form as the page would post it back, with ``changes``."""
    joined = timezone.localtime(user.date_joined)
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        # a field with a callable default posts its initial value back, hidden
        "initial-date_joined_0": joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": joined.strftime("%H:%M:%S"),
        "display_name": user.display_name,
        "department": str(user.department_id or ""),
        "division": "",
        "roles": sorted(user.role_codes),
    }
    data.update(changes)
    return data


def test_adding_a_division_writes_an_admin_add_entry_with_field_names_only(
    back_office: Client,
) -> None:
    DivisionFactory()
    response = back_office.post(
        "/admin/accounts/division/add/",
        {
            "code": "330803",
            "name": "衢江区",
            "name_en": "Qujiang",
            "level": "county",
            "parent": "330800",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin.add")
    assert entry.actor == "root"
    assert (entry.target_type, entry.target_id) == ("accounts.division", "330803")
    assert entry.details == {
        "model": "accounts.division",
        "fields": ["code", "level", "name", "name_en", "parent"],
    }
    assert "衢江区" not in str(entry.details)


def test_changing_a_department_writes_an_admin_change_entry(back_office: Client) -> None:
    department = DepartmentFactory(name="大数据局")
    response = back_office.post(
        f"/admin/accounts/department/{department.pk}/change/",
        {
            "code": department.code,
            "name": "数据资源局",
            "name_en": "",
            "short_name": "",
            "division": department.division_id,
            "parent": "",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.target_id == str(department.pk)
    assert entry.details == {"model": "accounts.department", "fields": ["name"]}


def test_deleting_a_division_writes_an_admin_delete_entry(back_office: Client) -> None:
    county = CountyFactory()
    response = back_office.post(f"/admin/accounts/division/{county.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Division.objects.filter(pk=county.pk).exists()
    entry = AuditEntry.objects.get(action="admin.delete")
    assert (entry.target_type, entry.target_id) == ("accounts.division", county.pk)
    assert entry.details == {"model": "accounts.division", "fields": []}


def test_deleting_selected_departments_writes_one_entry_each(back_office: Client) -> None:
    departments = [DepartmentFactory(), DepartmentFactory()]
    response = back_office.post(
        "/admin/accounts/department/",
        {
            "action": "delete_selected",
            "_selected_action": [d.pk for d in departments],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not Department.objects.filter(pk__in=[d.pk for d in departments]).exists()
    deleted = AuditEntry.objects.filter(action="admin.delete")
    assert sorted(e.target_id for e in deleted) == sorted(str(d.pk) for d in departments)


def test_changing_a_user_is_audited_and_roles_still_are_too(back_office: Client) -> None:
    joined = timezone.now().replace(microsecond=0)  # as precise as the form's time field
    user = UserFactory(username="li", roles=["clerk"], display_name="李", date_joined=joined)
    response = back_office.post(
        f"/admin/accounts/user/{user.pk}/change/",
        _user_form(user, display_name="李明", roles=["clerk", "approver"]),
    )
    assert response.status_code == 302
    change = AuditEntry.objects.get(action="admin.change")
    assert change.target_id == str(user.pk)
    assert change.details == {"model": "accounts.user", "fields": ["display_name", "roles"]}
    roles = AuditEntry.objects.get(action="role.change", actor="root")
    assert roles.details == {"before": ["clerk"], "after": ["approver", "clerk"]}


def test_a_password_set_by_an_administrator_is_audited(back_office: Client) -> None:
    user = UserFactory(username="li", roles=["clerk"])
    response = back_office.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action="password.change")
    assert entry.actor == "root"
    assert entry.target_id == str(user.pk)
    assert entry.details == {"by_admin": True}


def test_a_refused_password_writes_no_entry(back_office: Client) -> None:
    user = UserFactory(username="li", roles=["clerk"])
    response = back_office.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": "different", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action="password.change").exists()


def test_adding_a_user_with_a_password_audits_the_add_and_the_password(
    back_office: Client,
) -> None:
    response = back_office.post(
        "/admin/accounts/user/add/",
        {
            "username": "wang",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    wang = User.objects.get(username="wang")
    assert AuditEntry.objects.get(action="admin.add").target_id == str(wang.pk)
    password = AuditEntry.objects.get(action="password.change")
    assert password.details == {"by_admin": True}


def test_enrolling_an_authenticator_in_the_back_office_is_audited_without_the_key(
    back_office: Client,
) -> None:
    admin_two = UserFactory(username="zhang", roles=["system_admin"], is_staff=True)
    key = "3132333435363738393031323334353637383930"
    response = back_office.post(
        "/admin/otp_totp/totpdevice/add/",
        {
            "user": admin_two.pk,
            "name": "phone",
            "confirmed": "on",
            "key": key,
            "step": 30,
            "t0": 0,
            "digits": 6,
            "tolerance": 1,
            "drift": 0,
            "throttling_failure_count": 0,
        },
    )
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=admin_two)
    entry = AuditEntry.objects.get(action="admin.add")
    assert entry.target_id == str(device.pk)
    assert entry.details["model"] == "otp_totp.totpdevice"
    assert "key" in entry.details["fields"]
    assert key not in str(entry.details)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/accounts/division/add/",
        "/admin/accounts/user/",
        "/admin/accounts/apikey/",
    ],
)
def test_staff_without_the_system_administrator_role_gets_no_access(
    url: str, second_factor_passed: Callable[[User], Client]
) -> None:
    staff = UserFactory(username="li", roles=["clerk"], is_staff=True, is_superuser=True)
    client = second_factor_passed(staff)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_the_role_cannot_add_in_the_back_office(
    second_factor_passed: Callable[[User], Client],
) -> None:
    DivisionFactory()
    staff = UserFactory(username="li", roles=["clerk"], is_staff=True, is_superuser=True)
    client = second_factor_passed(staff)
    client.post(
        "/admin/accounts/division/add/",
        {"code": "330803", "name": "衢江区", "level": "county", "parent": "330800"},
    )
    assert not Division.objects.filter(code="330803").exists()
    assert not AuditEntry.objects.filter(action__startswith="admin.").exists()


def test_an_api_key_cannot_be_deleted_from_the_back_office(back_office: Client, root: User) -> None:
    key, _secret = api_key_issue(by=root, name="etl")
    assert back_office.get(f"/admin/accounts/apikey/{key.pk}/delete/").status_code == 403
    back_office.post(
        "/admin/accounts/apikey/",
        {"action": "delete_selected", "_selected_action": [key.pk], "post": "yes"},
    )
    assert ApiKey.objects.filter(pk=key.pk).exists()
    changelist = back_office.get("/admin/accounts/apikey/")
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    request = RequestFactory().get("/admin/accounts/apikey/")
    request.user = root
    assert "delete_selected" not in admin.site._registry[ApiKey].get_actions(request)


def test_back_office_entries_are_refused_for_a_non_administrator() -> None:
    clerk = UserFactory(username="li", roles=["clerk"], is_staff=True)
    division = DivisionFactory()
    with pytest.raises(PermissionDenied):
        admin_change_record(
            by=clerk, obj=division, action="admin.change", changed_fields=[], request=None
        )
    assert not AuditEntry.objects.filter(action="admin.change").exists()


def test_an_unknown_back_office_action_is_refused(root: User) -> None:
    with pytest.raises(ValueError, match="unknown back-office action"):
        admin_change_record(
            by=root, obj=root, action="admin.purge", changed_fields=[], request=None
        )


def test_back_office_entries_have_human_names() -> None:
    for code in ["admin.add", "admin.change", "admin.delete", "otp.replace", "password.change"]:
        assert action_label(code) != code
