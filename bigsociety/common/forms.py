"""Form rendering in GOV.UK Frontend markup.

Every Django form on the site renders through templates/django/forms/govuk*.html, which produce
the GOV.UK Design System's form group, label (or fieldset and legend), hint, error message and
input markup, so ``{{ form }}`` is accessible by default. Views add
``components/error_summary.html`` above the form.

Django's own widget templates are left alone (the Django and Wagtail admins use them); the
GOV.UK versions of radios, checkboxes and the file input live in templates/govuk/widgets/ and
are picked by the ``govuk_widget`` template tag (bigsociety.common.templatetags.govuk).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "django/forms/govuk.html"
    field_template_name = "django/forms/govuk_field.html"


class GovukDateInput(forms.MultiWidget):
    """GOV.UK's date input: three text boxes for day, month and year, in a fieldset.

    Use it on a ``forms.DateField``: ``DateField(widget=GovukDateInput())``. The three parts are
    joined as ``YYYY-MM-DD`` for the field to parse, so an impossible date (31 February, a
    two-digit year, letters) gets the field's own "Enter a valid date." message, and what the
    person typed is shown back to them. ``GovukDateInput(autocomplete="bday")`` for a date of
    birth.
    """

    template_name = "govuk/widgets/date_input.html"
    PARTS = (("day", _("Day"), 2), ("month", _("Month"), 2), ("year", _("Year"), 4))

    def __init__(self, attrs: dict[str, Any] | None = None, *, autocomplete: str = "") -> None:
        self.autocomplete = autocomplete
        widgets = [forms.TextInput(attrs={"inputmode": "numeric"}) for _part in self.PARTS]
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str | None]:
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, str) and value:
            year, _sep, rest = value.partition("-")
            month, _sep, day = rest.partition("-")
            return [day, month, year]
        return [None, None, None]

    # Returns one string, not MultiWidget's list: the field is a plain DateField, which parses
    # "YYYY-MM-DD" itself (no MultiValueField needed).
    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:  # type: ignore[override]
        day, month, year = ((data.get(f"{name}_{i}") or "").strip() for i in range(len(self.PARTS)))
        if not (day or month or year):
            return ""
        return f"{year}-{month}-{day}"

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return all(f"{name}_{i}" not in data for i in range(len(self.PARTS)))

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        for subwidget, (part, label, width) in zip(
            context["widget"]["subwidgets"], self.PARTS, strict=True
        ):
            subwidget["label"] = label
            subwidget["width"] = width
            subwidget["part"] = part
            subwidget["autocomplete"] = f"{self.autocomplete}-{part}" if self.autocomplete else ""
        return context
