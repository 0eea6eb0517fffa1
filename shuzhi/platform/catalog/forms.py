from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Dataset, Grade, OpenAttribute, ShareAttribute


class DatasetFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    owner = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    theme = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    grade = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", ""), *Grade.choices],
        widget=forms.HiddenInput,
    )
    share_attribute = forms.ChoiceField(
        required=False, choices=[("", ""), *ShareAttribute.choices], widget=forms.HiddenInput
    )
    open_attribute = forms.ChoiceField(
        required=False, choices=[("", ""), *OpenAttribute.choices], widget=forms.HiddenInput
    )


class DatasetForm(forms.ModelForm[Dataset]):
    """The metadata a steward edits on the page; fields are edited through the API or CLI."""

    class Meta:
        model = Dataset
        fields = [
            "name",
            "name_en",
            "description",
            "theme",
            "frequency",
            "share_attribute",
            "share_condition",
            "open_attribute",
            "deidentified",
            "grade",
            "importance",
            "contact_name",
            "contact_phone",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "share_condition": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select touch")
            else:
                widget.attrs.setdefault("class", "form-control touch")
