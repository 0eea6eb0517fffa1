from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Data file (CSV in UTF-8 or GB18030, XLSX, JSON Lines or Parquet)"),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control touch", "accept": ".csv,.xlsx,.jsonl,.parquet"}
        ),
    )
