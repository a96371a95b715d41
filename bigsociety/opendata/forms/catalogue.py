"""Forms for the catalogue's staff pages. They translate input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bigsociety.common.uploads import LimitedFileField
from bigsociety.organisations.models import Organisation
from bigsociety.places.models import Place

from ..models import Frequency, Licence, Theme
from ..services.catalogue import RESOURCE_UPLOAD_TYPES


class _NameChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "name", None) or getattr(obj, "title", obj))


class _NameMultiChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "title", None) or getattr(obj, "name", obj))


class DatasetForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    name = forms.SlugField(
        label=_("URL name"),
        max_length=100,
        required=False,
        help_text=_(
            "Lower-case letters, digits and hyphens. Leave empty to make one from the title."
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the data is, how it was collected, and its limits. Markdown is allowed."),
    )
    publisher = _NameChoice(
        label=_("Publisher"), queryset=Organisation.objects.none(), to_field_name="slug"
    )
    licence = _NameChoice(
        label=_("Licence"),
        queryset=Licence.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Open Government Licence v3.0"),
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate tags with commas, for example: crime, police"),
    )
    themes = _NameMultiChoice(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        required=False,
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    places = _NameMultiChoice(
        label=_("Areas covered"),
        queryset=Place.objects.none(),
        required=False,
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    temporal_start = forms.DateField(
        label=_("Covers from"), required=False, help_text=_("For example, 2024-04-01")
    )
    temporal_end = forms.DateField(
        label=_("Covers until"), required=False, help_text=_("For example, 2025-03-31")
    )
    update_frequency = forms.ChoiceField(
        label=_("How often is it updated?"), choices=Frequency.choices, initial=Frequency.MONTHLY
    )

    def __init__(self, *args: Any, publishers: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["publisher"].queryset = publishers  # type: ignore[attr-defined]
        self.fields["places"].queryset = Place.objects.filter(  # type: ignore[attr-defined]
            kind__in=["local_authority", "ward"]
        ).order_by("kind", "name")

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["tags"] = [t.strip() for t in data.pop("tags", "").split(",") if t.strip()]
        if not data.get("licence"):
            data.pop("licence", None)
        return data


class ResourceForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("For example: Street crime, April 2025"),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    upload = LimitedFileField(
        label=_("Upload a file"),
        required=False,
        allowed=RESOURCE_UPLOAD_TYPES,
        help_text=_("CSV files are checked and loaded into the data API."),
    )
    url = forms.URLField(
        label=_("Or link to the data"), required=False, max_length=1000, assume_scheme="https"
    )
    format = forms.CharField(
        label=_("Format"),
        max_length=30,
        required=False,
        help_text=_("Leave empty to use the file's extension"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("upload")) == bool(data.get("url")):
            raise ValidationError(_("Upload a file or give a link, but not both."))
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the dataset withdrawn?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ScheduleForm(forms.Form):
    frequency = forms.ChoiceField(label=_("How often is it updated?"), choices=Frequency.choices)
    next_release_on = forms.DateField(
        label=_("Next release due"), required=False, help_text=_("For example, 2025-07-01")
    )


def apply_service_error(
    form: forms.Form, error: ValidationError, names: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form's fields (or the whole form)."""
    names = names or {}
    if hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            field = names.get(key, key)
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
