from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ApiKey, Department, Division, Role, User
from .services import api_key_revoke, user_flags, user_flags_changed, user_roles_set


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin[Division]):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
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
class UserAdmin(BaseUserAdmin):
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
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
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

    @admin.action(description=_("Revoke selected keys"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for key in queryset:
            api_key_revoke(key=key, by=request.user, request=request)  # type: ignore[arg-type]
