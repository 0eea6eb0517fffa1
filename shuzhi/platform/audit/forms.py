from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Outcome


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    action = forms.CharField(label=_("Action"), required=False, max_length=64)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("Any")), *Outcome.choices]
    )
    department = forms.CharField(label=_("Department code"), required=False, max_length=32)
    target = forms.CharField(label=_("Target"), required=False, max_length=128)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, field in self.fields.items():
            css = "form-select" if name == "outcome" else "form-control"
            field.widget.attrs.setdefault("class", f"{css} touch")
        self.fields["action"].widget.attrs["list"] = "audit-actions"
