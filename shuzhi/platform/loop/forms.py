"""Forms of the loop pages: report a problem (立案)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Division

from .models import Priority, State
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


class TaskFilterForm(forms.Form):
    """The task list's filters (GET); a bad value is reported and left out, never a 500."""

    scope = forms.ChoiceField(
        label=_("Tasks"),
        choices=[("mine", _("My department")), ("all", _("All I oversee"))],
        required=False,
    )
    state = forms.ChoiceField(label=_("State"), choices=[("", "—"), *State.choices], required=False)
    county = forms.ChoiceField(label=_("County"), required=False)
    department = forms.IntegerField(
        label=_("Department"), required=False, min_value=1, widget=forms.HiddenInput
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    open = forms.BooleanField(label=_("Open only"), required=False)
    opened_since = forms.DateField(
        label=_("Opened since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    closed_since = forms.DateField(
        label=_("Closed since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("Search"), max_length=100, required=False)

    def __init__(self, *args: Any, counties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        county_field = self.fields["county"]
        assert isinstance(county_field, forms.ChoiceField)
        county_field.choices = [("", _("Whole city")), *counties]
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                field.widget.attrs.setdefault("class", "form-check-input")
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def value(self, name: str) -> Any:
        """The field's clean value, or its empty value when the field was bad."""
        cleaned = getattr(self, "cleaned_data", {})
        if name in cleaned:
            return cleaned[name]
        return self.fields[name].to_python(None)
