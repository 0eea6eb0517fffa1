"""Forms of the carbon pages. They parse what was typed; the services check the rules (positive
factors, oxidation in (0, 1], sources) and the pages show those errors beside the values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shuzhi.platform.accounts.models import Department

from .models import Colour, Domain


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select"
        else:
            widget.attrs["class"] = "form-control"


class _Styled:
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _style(self)  # type: ignore[arg-type]


def _number(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=14, decimal_places=6, **kwargs)


class DraftForm(_Styled, forms.Form):
    version = forms.CharField(label=_("Version"), max_length=32)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)


class FactorSetForm(_Styled, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    source = forms.CharField(
        label=_("Source"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    heat_factor = _number(_("Purchased heat factor (tCO2/GJ)"))
    heat_source = forms.CharField(label=_("Heat factor source"), max_length=300)


class FuelForm(_Styled, forms.Form):
    fuel = forms.CharField(label=_("Fuel"), max_length=32)
    ncv = _number(_("Net calorific value"))
    ncv_unit = forms.CharField(label=_("NCV unit"), max_length=16)
    carbon_content = _number(_("Carbon content (tC/TJ)"))
    oxidation = _number(_("Oxidation rate"))
    source = forms.CharField(label=_("Source"), max_length=300)


class GridForm(_Styled, forms.Form):
    year = forms.IntegerField(label=_("Year"))
    region = forms.CharField(label=_("Region"), max_length=16)
    value = _number(_("tCO2/MWh"))
    source = forms.CharField(label=_("Source"), max_length=300)


class ActivityForm(_Styled, forms.Form):
    domain = forms.ChoiceField(
        label=_("Domain"), choices=[(d.value, d.label) for d in Domain if d != Domain.INDUSTRY]
    )
    activity = forms.CharField(label=_("Activity"), max_length=48)
    unit = forms.CharField(label=_("Unit"), max_length=16)
    value = _number(_("tCO2 per unit"))
    source = forms.CharField(label=_("Source"), max_length=300)


FuelFormSet = forms.formset_factory(FuelForm, extra=1, can_delete=True)
GridFormSet = forms.formset_factory(GridForm, extra=1, can_delete=True)
ActivityFormSet = forms.formset_factory(ActivityForm, extra=1, can_delete=True)


class AuthoriseForm(_Styled, forms.Form):
    bank: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        label=_("Bank"), queryset=Department.objects.none()
    )
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=365, initial=365)

    def __init__(self, *args: Any, banks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = banks  # type: ignore[attr-defined]


class LoanProductForm(_Styled, forms.Form):
    name = forms.CharField(label=_("Product name"), max_length=100)
    colour = forms.ChoiceField(label=_("Colour"), choices=Colour.choices)
    rate_adjustment_bp = forms.IntegerField(
        label=_("Rate adjustment (basis points)"),
        help_text=_("Negative lowers the rate; 100 basis points are one percentage point."),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
