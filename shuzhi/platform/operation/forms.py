"""Forms of the authorised-operation pages (labels above inputs, errors in the user's language)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Analysis, Operator

_TEXT = {"class": "form-control touch"}


class ApplyForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200, widget=forms.TextInput(_TEXT))
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=18, widget=forms.TextInput(_TEXT)
    )


class RegisterForm(ApplyForm):
    usernames = forms.CharField(
        label=_("Enterprise accounts (user names, comma-separated)"),
        max_length=500,
        widget=forms.TextInput(_TEXT),
    )


class SubmitForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, widget=forms.TextInput(_TEXT)
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Analysis.Language.choices,
        initial=Analysis.Language.SQL,
        widget=forms.Select(attrs={"class": "form-select touch"}),
    )
    text = forms.CharField(
        label=_("Query"),
        max_length=20_000,
        widget=forms.Textarea(
            attrs={"class": "form-control font-monospace", "rows": 8, "spellcheck": "false"}
        ),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(Operator.Status.VETTED, _("Vet")), (Operator.Status.SUSPENDED, _("Suspend"))]
    )
    comment = forms.CharField(label=_("Comment"), max_length=1000, required=False)


class GrantForm(forms.Form):
    dataset = forms.CharField(label=_("Dataset code"), max_length=64)
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    purpose = forms.CharField(label=_("Purpose"), max_length=1000, required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("release", _("Release")), ("reject", _("Reject"))])
    comment = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
