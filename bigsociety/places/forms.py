"""Forms for finding places."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .postcodes import normalise_postcode


class PostcodeSearchForm(forms.Form):
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        help_text=_("For example, BS1 4ST"),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
    )

    def clean_postcode(self) -> str:
        value = normalise_postcode(self.cleaned_data["postcode"])
        if value is None:
            raise forms.ValidationError(_("Enter a real postcode, like BS1 4ST"))
        return value
