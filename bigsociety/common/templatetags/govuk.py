"""Template helpers for GOV.UK Frontend markup: form widgets, error links, query strings."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlencode

from django import template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

register = template.Library()

# The GOV.UK class each kind of widget gets (BoundField.widget_type names); anything not
# listed is a text-like <input> and gets govuk-input.
WIDGET_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "selectmultiple": "govuk-select",
    "nullbooleanselect": "govuk-select",
    "selectdate": "govuk-select",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
    "checkbox": "govuk-checkboxes__input",
    "radioselect": "govuk-radios__input",
    "checkboxselectmultiple": "govuk-checkboxes__input",
    "govukdate": "",
}
# Widgets whose error state is shown by the form group alone, not by a class on the input.
NO_ERROR_CLASS = {"checkbox", "radioselect", "checkboxselectmultiple"}
# GOV.UK markup for widgets whose Django markup does not fit; Django's own templates stay
# untouched for the admin sites.
WIDGET_TEMPLATES = {
    "radioselect": "govuk/widgets/radios.html",
    "checkboxselectmultiple": "govuk/widgets/checkboxes.html",
    "clearablefile": "govuk/widgets/clearable_file_input.html",
}
# Sensible default widths for short inputs (GOV.UK asks widths to fit the expected answer).
WIDTH_CLASSES = {
    "date": "govuk-input--width-10",
    "time": "govuk-input--width-5",
    "number": "govuk-input--width-10",
}


@register.simple_tag
def govuk_widget(field: BoundField) -> SafeString:
    """Render a field's widget with GOV.UK classes and error state.

    Django adds ``aria-describedby`` (``<id>_helptext`` and ``<id>_error``) and
    ``aria-invalid``; for fieldsets the field template puts ``aria-describedby`` on the
    fieldset instead.
    """
    widget_type = field.widget_type
    widget = field.field.widget
    base = WIDGET_CLASSES.get(widget_type, "govuk-input")
    classes = [base] if base else []
    existing = widget.attrs.get("class")
    if existing:
        classes.append(existing)
    elif widget_type in WIDTH_CLASSES:
        classes.append(WIDTH_CLASSES[widget_type])
    if field.errors and widget_type not in NO_ERROR_CLASS:
        classes.append(f"{base or 'govuk-input'}--error")
    attrs: dict[str, Any] = {"class": " ".join(classes)} if classes else {}
    # A copy, so the form's own widget is left as it was: GOV.UK markup for some widgets, and
    # no HTML "required" attribute (GOV.UK forms validate on the server and show the error
    # summary; the browser's own bubbles would pre-empt it).
    widget = copy.copy(widget)
    widget.use_required_attribute = _never  # type: ignore[method-assign]
    template_name = WIDGET_TEMPLATES.get(widget_type)
    if template_name:
        widget.template_name = template_name
    return field.as_widget(widget=widget, attrs=attrs)


def _never(initial: Any) -> bool:
    return False


@register.simple_tag
def govuk_error_target(field: BoundField) -> str:
    """The id an error summary link should point at: the input itself, or, for a fieldset
    (radios, checkboxes, date parts), its first input."""
    if field.use_fieldset:
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id or ""


@register.simple_tag
def govuk_described_by(field: BoundField) -> str:
    """The ids of a field's hint and error message, for a fieldset's aria-describedby."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters changed (for pagination and filters)."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else None
    if params is None:
        from django.http import QueryDict

        params = QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def urlencode_pairs(pairs: list[tuple[str, str]]) -> str:
    return urlencode(pairs)
