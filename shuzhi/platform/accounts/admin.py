from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as BaseTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ApiKey, Department, Division, Role, User
from .selectors import user_flags
from .services import (
    admin_change_record,
    api_key_revoke,
    password_change_record,
    user_flags_changed,
    user_roles_set,
)

_M = TypeVar("_M", bound=models.Model)


class AuditedAdminMixin(admin.ModelAdmin[_M]):
    """Every add, change and delete made in the back office writes an audit entry.

    The entry names the changed fields, never their values: a value may be a secret.
    """

    def save_model(self, request: HttpRequest, obj: _M, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        admin_change_record(
            by=request.user,  # type: ignore[arg-type]
            obj=obj,
            action="admin.change" if change else "admin.add",
            changed_fields=form.changed_data,
            request=request,
        )

    def delete_model(self, request: HttpRequest, obj: _M) -> None:
        # recorded first: the object has no primary key once deleted
        admin_change_record(
            by=request.user,  # type: ignore[arg-type]
            obj=obj,
            action="admin.delete",
            changed_fields=[],
            request=request,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[_M]) -> None:
        with transaction.atomic():
            for obj in queryset:
                admin_change_record(
                    by=request.user,  # type: ignore[arg-type]
                    obj=obj,
                    action="admin.delete",
                    changed_fields=[],
                    request=request,
                )
            super().delete_queryset(request, queryset)


@admin.register(Division)
class DivisionAdmin(AuditedAdminMixin[Division]):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(AuditedAdminMixin[Department]):
    list_display = ["code", "name", "division", "parent"]
    list_filter = ["division__level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["division", "parent"]


class UserRolesForm(UserChangeForm[User]):
    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = User
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.role_codes)


@admin.register(User)
class UserAdmin(AuditedAdminMixin[User], BaseUserAdmin):
    form = UserRolesForm
    list_display = ["username", "display_name", "department", "is_active", "last_login"]
    list_filter = ["is_active", "is_staff", "role_grants__role", "department__division"]
    search_fields = ["username", "display_name", "department__name"]
    autocomplete_fields = ["department", "division"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("Organisation and roles"),
            {"fields": ("display_name", "department", "division", "roles")},
        ),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        before = user_flags(User.objects.get(pk=obj.pk)) if change else None
        request._flags_before = before  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)
        if not change and obj.has_usable_password():
            password_change_record(
                user=obj,
                by=request.user,  # type: ignore[arg-type]
                by_admin=True,
                request=request,
            )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's set-a-password page, auditing a password that an administrator set."""
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            before = user.password if user is not None else None
            response = super().user_change_password(request, id, form_url)
            if user is not None:
                # the page redirects on success and on conflicting input alike: compare hashes
                user.refresh_from_db(fields=["password"])
                if user.password != before:
                    password_change_record(
                        user=user,
                        by=request.user,  # type: ignore[arg-type]
                        by_admin=True,
                        request=request,
                    )
        return response

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        if "roles" in form.cleaned_data:
            user_roles_set(
                user=user,
                roles=list(form.cleaned_data["roles"]),
                by=request.user,  # type: ignore[arg-type]
                request=request,
            )
        before = getattr(request, "_flags_before", None)
        if before is not None:
            user_flags_changed(
                user=user,
                by=request.user,  # type: ignore[arg-type]
                before=before,
                request=request,
            )


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdminMixin[ApiKey]):
    list_display = ["prefix", "name", "owner", "created_at", "expires_at", "revoked_at"]
    readonly_fields = [
        "prefix",
        "name",
        "owner",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    exclude = ["secret_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are issued through the API or the profile page, shown once

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False  # keys are revoked, never deleted: the audit trail names them

    @admin.action(description=_("Revoke selected keys"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for key in queryset:
            api_key_revoke(key=key, by=request.user, request=request)  # type: ignore[arg-type]


# Django's and django-otp's own registrations, again with every change audited. A system
# administrator enrols another one's authenticator on the TOTP device page.
admin.site.unregister(Group)
admin.site.unregister(TOTPDevice)


@admin.register(Group)
class GroupAdmin(AuditedAdminMixin[Group], BaseGroupAdmin):
    pass


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(AuditedAdminMixin[TOTPDevice], BaseTOTPDeviceAdmin):
    pass
