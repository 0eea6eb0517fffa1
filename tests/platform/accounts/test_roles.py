from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from shuzhi.platform.accounts.roles import Role
from shuzhi.platform.accounts.services import user_roles_set
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.security.permissions import ROLE_PERMISSIONS, has_perm
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_role_has_a_permission_entry() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role.values)


def test_system_admin_changes_roles_and_the_change_is_audited() -> None:
    admin = UserFactory(username="admin", roles=["system_admin"])
    user = UserFactory(username="li", roles=["clerk"])
    user_roles_set(user=user, roles=["clerk", "approver"], by=admin)
    assert user.role_codes == {"clerk", "approver"}
    entry = AuditEntry.objects.filter(action="role.change", target_id=str(user.pk)).latest("seq")
    assert entry.actor == "admin"
    assert entry.details == {"before": ["clerk"], "after": ["approver", "clerk"]}


@pytest.mark.parametrize("role", ["clerk", "auditor", "data_steward", "leader", "public"])
def test_only_a_system_admin_may_change_roles(role: str) -> None:
    actor = UserFactory(username="actor", roles=[role])
    user = UserFactory(username="li", roles=["clerk"])
    with pytest.raises(PermissionDenied):
        user_roles_set(user=user, roles=["system_admin"], by=actor)
    assert user.role_grants.get().role == "clerk"


def test_unknown_role_is_refused() -> None:
    user = UserFactory(username="li")
    with pytest.raises(ValueError, match="unknown roles"):
        user_roles_set(user=user, roles=["king"], by=None)


def test_unchanged_roles_write_no_entry() -> None:
    user = UserFactory(username="li", roles=["clerk"])
    before = AuditEntry.objects.count()
    user_roles_set(user=user, roles=["clerk"], by=None)
    assert AuditEntry.objects.count() == before


def test_inactive_user_has_no_permission() -> None:
    user = UserFactory(username="li", roles=["auditor"], is_active=False)
    assert not has_perm(user, "audit.view")


def test_recording_a_flag_change_needs_an_administrator() -> None:
    from shuzhi.platform.accounts.selectors import user_flags
    from shuzhi.platform.accounts.services import user_flags_changed

    clerk = UserFactory(username="clerk2", roles=["clerk"])
    user = UserFactory(username="li", roles=["clerk"])
    before = user_flags(user)
    user.is_staff = True
    with pytest.raises(PermissionDenied):
        user_flags_changed(user=user, by=clerk, before=before)
    assert not AuditEntry.objects.filter(action="permission.change").exists()
