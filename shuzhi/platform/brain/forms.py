"""Forms of the brain's pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Direction, Grain, RuleKind


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


class RuleForm(_Styled, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=RuleKind.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    threshold = forms.CharField(
        label=_("Threshold"),
        required=False,
        help_text=_("A value, a change in per cent, or a z-score, depending on the kind."),
    )
    target = forms.CharField(label=_("Target"), required=False)
    window = forms.IntegerField(label=_("Periods of history"), initial=12, min_value=3)
    condition = forms.CharField(
        label=_("Condition"),
        required=False,
        max_length=500,
        help_text=_(
            "For a condition rule, e.g. yoy < -10 and value > 1000. Names: value, previous, "
            "last_year, mom, yoy, target, deviation, z."
        ),
    )
    dimension_value = forms.CharField(
        label=_("Only for dimension value"), required=False, max_length=64
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class IndicatorForm(_Styled, forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=300, required=False)
    expression = forms.CharField(
        label=_("Expression"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "An aggregate over the dataset's fields, e.g. SUM(kwh); a whole SELECT returning "
            "period, dimension_value and value; or an Ibis measure such as ibis: t.kwh.sum()."
        ),
    )
    period_field = forms.CharField(label=_("Period field"), max_length=64)
    grain = forms.ChoiceField(label=_("Grain"), choices=Grain.choices)
    dimension = forms.CharField(label=_("Dimension field"), max_length=64, required=False)
    filter = forms.CharField(label=_("Filter"), max_length=500, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=32, required=False)
    target = forms.FloatField(label=_("Target"), required=False)
    key = forms.BooleanField(label=_("Key indicator"), required=False)
    active = forms.BooleanField(label=_("Computed on schedule"), required=False, initial=True)
