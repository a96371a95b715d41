"""Form rendering in GOV.UK Frontend markup.

Every Django form on the site renders through templates/django/forms/, which produce the
GOV.UK Design System's label, hint, error message and input markup, so ``{{ form }}`` is
accessible by default. Views add ``components/error_summary.html`` above the form.
"""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "django/forms/govuk.html"
    field_template_name = "django/forms/govuk_field.html"
