"""Forms of the sharing pages: a share request, a decision, a revocation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.catalog.models import Dataset, Grade


def _field_choices(dataset: Dataset, *, graded_only: bool = False) -> list[tuple[str, str]]:
    choices = []
    for f in dataset.fields.all():
        if graded_only and (f.grade or 0) < Grade.L3:
            continue
        choices.append((f.name, f"{f.label} ({f.name}) · L{f.grade or '?'}"))
    return choices


CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})


class ShareRequestForm(forms.Form):  # 共享申请表
    columns = forms.MultipleChoiceField(label=_("Fields"), widget=CHECKBOXES, required=True)
    raw_fields = forms.MultipleChoiceField(
        label=_("Unmasked fields (L3–L4; always needs the owner's approval)"),
        widget=CHECKBOXES,
        required=False,
    )
    purpose = forms.CharField(
        label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    scope_field = forms.ChoiceField(
        label=_("Limit rows by field"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    scope_values = forms.CharField(
        label=_("Allowed values (separated by commas)"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    period_end = forms.DateField(
        label=_("Period ends"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, dataset: Dataset, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = _field_choices(dataset)  # type: ignore[attr-defined]
        self.fields["raw_fields"].choices = _field_choices(dataset, graded_only=True)  # type: ignore[attr-defined]
        self.fields["scope_field"].choices = [  # type: ignore[attr-defined]
            ("", _("All rows")),
            *[(f.name, f"{f.label} ({f.name})") for f in dataset.fields.all()],
        ]
        if not self.fields["raw_fields"].choices:  # type: ignore[attr-defined]
            del self.fields["raw_fields"]
        self.fields["period_end"].widget.attrs["max"] = (
            timezone.localdate() + timedelta(days=settings.SHARING_GRANT_DAYS)
        ).isoformat()

    def scope(self) -> dict[str, list[str]]:
        name = self.cleaned_data.get("scope_field") or ""
        values = [
            v.strip()
            for v in (self.cleaned_data.get("scope_values") or "").replace("，", ",").split(",")
            if v.strip()
        ]
        return {name: values} if name else {}


class ApproveForm(forms.Form):
    columns = forms.MultipleChoiceField(label=_("Fields granted"), widget=CHECKBOXES, required=True)
    raw_fields = forms.MultipleChoiceField(
        label=_("Unmasked fields granted"), widget=CHECKBOXES, required=False
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, asked: list[str], raw: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = [(f, f) for f in asked]  # type: ignore[attr-defined]
        self.fields["raw_fields"].choices = [(f, f) for f in raw]  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
