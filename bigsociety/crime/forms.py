"""Forms of the crime pages."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bigsociety.places.api import normalise_postcode

from .services.jobs import MAX_UPLOAD_BYTES


class AreaSearchForm(forms.Form):
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        help_text=_("For example, KB1 1AA"),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
    )

    def clean_postcode(self) -> str:
        value = normalise_postcode(self.cleaned_data["postcode"])
        if value is None:
            raise ValidationError(_("Enter a real postcode, like KB1 1AA"))
        return value


class MonthForm(forms.Form):
    """The month and category shown on an area page (GET)."""

    month = forms.ChoiceField(label=_("Month"), required=False)
    category = forms.ChoiceField(label=_("Crime type on the map and list"), required=False)

    def __init__(
        self,
        *args: Any,
        months: list[tuple[str, str]],
        categories: list[tuple[str, str]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["month"]).choices = months
        cast(forms.ChoiceField, self.fields["category"]).choices = categories


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Bulk file from data.police.uk"),
        help_text=_(
            "A zip as downloaded from data.police.uk, or one CSV named like "
            "2024-04-city-of-london-street.csv. Up to %(size)s MB."
        )
        % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
    )
