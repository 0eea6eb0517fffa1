"""Forms of the loop pages: report a problem (立案)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Division

from .models import Priority
from .registry import task_types


class TaskForm(forms.Form):
    type_code = forms.ChoiceField(label=_("Type"))
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    category = forms.CharField(
        label=_("Category"),
        max_length=64,
        required=False,
        help_text=_("Routes the task to a department by the dispatch rules, e.g. housing."),
    )
    division = forms.ModelChoiceField(label=_("Division"), queryset=Division.objects.none())
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial="normal")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        type_field = self.fields["type_code"]
        assert isinstance(type_field, forms.ChoiceField)
        type_field.choices = [(t.code, t.name) for t in task_types()]
        division_field = self.fields["division"]
        assert isinstance(division_field, forms.ModelChoiceField)
        division_field.queryset = Division.objects.filter(
            level__in=["city", "county", "town"]
        ).order_by("code")
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
