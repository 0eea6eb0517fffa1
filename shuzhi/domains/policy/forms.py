"""Forms of the publishers' desk (policy.publish): import defaults, metadata edits, repeal/amend."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Disclosure, Genre, PolicyDocument, Publisher, Topic

SERVICE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
MAX_SERVICE_CODES = 30
MAX_FILES = 20


def _bootstrap(form: forms.Form) -> None:
    """Bootstrap classes on every widget (labels above inputs, as on the other forms)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        parent = f"{obj.parent.name} / " if obj.parent_id else ""
        return f"{obj.code} {parent}{obj.name}"


def _topics() -> Any:
    return Topic.objects.filter(parent__isnull=False).select_related("parent").order_by("code")


class ImportDefaultsForm(forms.Form):
    """The metadata used when a file's own metadata block lacks it (the files come separately)."""

    publisher = forms.ModelChoiceField(
        label=_("Publisher (发布机构)"),
        queryset=Publisher.objects.none(),
        required=False,
        empty_label=_("From the file's metadata"),
    )
    topic = TopicChoiceField(
        label=_("Topic (主题分类)"),
        queryset=Topic.objects.none(),
        required=False,
        empty_label=_("From the file's metadata"),
    )
    genre = forms.ChoiceField(
        label=_("Category (组配分类)"),
        choices=[("", _("From the file's metadata")), *list(Genre.choices)],
        required=False,
    )

    def __init__(self, *args: Any, publishers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["publisher"].queryset = publishers  # type: ignore[attr-defined]
        self.fields["topic"].queryset = _topics()  # type: ignore[attr-defined]
        _bootstrap(self)


class DocumentEditForm(forms.Form):
    """The metadata a publisher may change after publication."""

    title = forms.CharField(label=_("Title"), max_length=300)
    title_en = forms.CharField(label=_("English title"), max_length=400, required=False)
    doc_number = forms.CharField(label=_("Document number (文号)"), max_length=64, required=False)
    written_on = forms.DateField(
        label=_("Date written (成文日期)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    published_on = forms.DateField(
        label=_("Date published (发布日期)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    topic = TopicChoiceField(label=_("Topic (主题分类)"), queryset=Topic.objects.none())
    genre = forms.ChoiceField(label=_("Category (组配分类)"), choices=Genre.choices)
    disclosure = forms.ChoiceField(label=_("Disclosure (公开方式)"), choices=Disclosure.choices)
    effective_from = forms.DateField(
        label=_("In force from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_until = forms.DateField(
        label=_("In force until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("After this date the document becomes expired (失效) by itself."),
    )
    service_codes = forms.CharField(
        label=_("Service items implementing it (事项编码)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Codes of the service catalogue, separated by spaces or commas."),
    )

    FIELDS = (
        "title",
        "title_en",
        "doc_number",
        "written_on",
        "published_on",
        "topic",
        "genre",
        "disclosure",
        "effective_from",
        "effective_until",
        "service_codes",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = _topics()  # type: ignore[attr-defined]
        _bootstrap(self)

    @classmethod
    def initial_of(cls, document: PolicyDocument) -> dict[str, Any]:
        initial = {name: getattr(document, name) for name in cls.FIELDS}
        initial["service_codes"] = " ".join(document.service_codes or [])
        return initial

    def clean_service_codes(self) -> list[str]:
        raw = self.cleaned_data.get("service_codes") or ""
        codes = [c for c in re.split(r"[\s,，;；]+", raw) if c]
        bad = [c for c in codes if not SERVICE_CODE.match(c)]
        if bad:
            raise forms.ValidationError(
                _("Not a service item code: %(code)s"), params={"code": bad[0][:40]}
            )
        if len(codes) > MAX_SERVICE_CODES:
            raise forms.ValidationError(
                _("At most %(n)d service items."), params={"n": MAX_SERVICE_CODES}
            )
        return list(dict.fromkeys(codes))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("effective_from"), data.get("effective_until")
        if start and end and end < start:
            self.add_error("effective_until", _("The end date is before the start date."))
        written, published = data.get("written_on"), data.get("published_on")
        if written and published and published < written:
            self.add_error("published_on", _("A document is published after it is written."))
        return data

    def changes(self, document: PolicyDocument) -> dict[str, Any]:
        """The cleaned values that differ from ``document``."""
        out: dict[str, Any] = {}
        for name in self.FIELDS:
            value = self.cleaned_data.get(name)
            current = getattr(document, name)
            if name == "service_codes":
                current = list(current or [])
            if value != current:
                out[name] = value
        return out


class SupersedeForm(forms.Form):
    """Mark this document repealed (废止) or amended (修订) by a later document."""

    kind = forms.ChoiceField(
        label=_("What happened"),
        choices=[("repeal", _("Repealed (废止) by")), ("amend", _("Amended (修订) by"))],
        widget=forms.RadioSelect,
    )
    by_index_number = forms.CharField(
        label=_("Index number (索引号) of the later document"), max_length=48
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)
