"""Every form renders GOV.UK Frontend markup through GovukFormRenderer and {{ form }}."""

from __future__ import annotations

import datetime
import re

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory

from bigsociety.common.forms import GovukDateInput


class ExampleForm(forms.Form):
    name = forms.CharField(label="Your name", help_text="As on your council tax bill")
    about = forms.CharField(label="About you", widget=forms.Textarea, required=False)
    ward = forms.ChoiceField(
        label="Ward", choices=[("", "Choose"), ("a", "Ashley"), ("b", "Bedminster")]
    )
    contact = forms.ChoiceField(
        label="How should we contact you?",
        choices=[("email", "Email"), ("post", "Post")],
        widget=forms.RadioSelect,
        help_text="Choose one",
    )
    topics = forms.MultipleChoiceField(
        label="Topics",
        choices=[("parks", "Parks"), ("roads", "Roads")],
        widget=forms.CheckboxSelectMultiple,
    )
    agree = forms.BooleanField(label="I agree to the terms", help_text="You must agree")
    evidence = forms.FileField(label="Evidence", required=False)
    born = forms.DateField(label="Date of birth", widget=GovukDateInput(autocomplete="bday"))
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name") == "taken":
            raise forms.ValidationError("That name and ward are already registered together")
        return cleaned


def render(template: str, **context) -> str:
    request = RequestFactory().get("/things/?q=parks&page=2")
    return Template("{% load govuk %}" + template).render(Context({"request": request, **context}))


def squash(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def test_a_valid_unbound_form_renders_labels_hints_and_govuk_inputs_without_errors():
    html = squash(str(ExampleForm()))
    assert '<label class="govuk-label govuk-label--s" for="id_name">Your name</label>' in html
    assert '<div id="id_name_helptext" class="govuk-hint">As on your council tax bill</div>' in html
    assert 'class="govuk-input"' in html
    assert 'aria-describedby="id_name_helptext"' in html
    assert '<textarea name="about" cols="40" rows="10" class="govuk-textarea"' in html
    assert '<select name="ward" class="govuk-select"' in html
    assert 'class="govuk-file-upload"' in html
    assert "govuk-error-message" not in html
    assert "govuk-form-group--error" not in html
    assert " required" not in html  # the server validates; no browser bubbles
    # the hidden field is rendered without a form group
    assert '<input type="hidden" name="token" id="id_token">' in html


def test_a_form_with_errors_marks_each_field_and_lists_the_form_errors():
    # given a form sent with a taken name and nothing else
    form = ExampleForm(data={"name": "taken", "born_0": "31", "born_1": "2", "born_2": "2001"})
    # when it is validated and rendered
    assert not form.is_valid()
    html = squash(str(form))
    # then the text input is in an error group, with the error message linked to it
    assert (
        '<p id="id_ward_error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> This field is required.</p>'
    ) in html
    assert (
        '<select name="ward" class="govuk-select govuk-select--error" aria-invalid="true" '
        'aria-describedby="id_ward_error" id="id_ward">' in html
    )
    assert html.count("govuk-form-group govuk-form-group--error") == 6  # 5 fields + the form
    # radios and checkboxes sit in a fieldset described by their hint and error
    assert (
        '<fieldset class="govuk-fieldset" aria-describedby="id_contact_helptext id_contact_error">'
        in html
    )
    assert (
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">How should we contact '
        "you?</legend>" in html
    )
    assert '<div class="govuk-radios" data-module="govuk-radios">' in html
    assert 'class="govuk-radios__input" aria-invalid="true" id="id_contact_0"' in html
    assert '<label class="govuk-label govuk-radios__label" for="id_contact_0">Email</label>' in html
    assert '<div class="govuk-checkboxes" data-module="govuk-checkboxes">' in html
    assert 'class="govuk-checkboxes__input" aria-invalid="true" id="id_topics_1"' in html
    # the single checkbox has its own GOV.UK item with its hint
    assert (
        '<input type="checkbox" name="agree" class="govuk-checkboxes__input" aria-invalid="true" '
        'aria-describedby="id_agree_helptext id_agree_error" id="id_agree">' in html
    )
    assert (
        '<div id="id_agree_helptext" class="govuk-hint govuk-checkboxes__hint">You must agree</div>'
        in html
    )
    # the whole form's error is shown at the top
    assert html.index("That name and ward are already registered together") < html.index("id_name")
    # the impossible date is shown back as typed, in error, in a GOV.UK date input
    assert '<fieldset class="govuk-fieldset" aria-describedby="id_born_error" role="group">' in html
    assert (
        '<input class="govuk-input govuk-date-input__input govuk-input--width-2 '
        'govuk-input--error" '
        'id="id_born_0" name="born_0" type="text" inputmode="numeric" value="31" '
        'autocomplete="bday-day">'
    ) in html
    assert (
        'id="id_born_2" name="born_2" type="text" inputmode="numeric" value="2001" '
        'autocomplete="bday-year">' in html
    )
    assert "Enter a valid date." in html


def test_the_error_summary_links_each_error_to_its_input():
    form = ExampleForm(data={"name": "taken", "born_0": "31", "born_1": "2", "born_2": "2001"})
    form.is_valid()
    html = squash(render('{% include "components/error_summary.html" %}', form=form))
    assert (
        '<div class="govuk-error-summary" data-module="govuk-error-summary"> <div role="alert">'
        in html
    )
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    assert "<li>That name and ward are already registered together</li>" in html
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', html)
    assert links == [
        ("id_ward", "This field is required."),
        ("id_contact_0", "This field is required."),
        ("id_topics_0", "This field is required."),
        ("id_agree", "This field is required."),
        ("id_born_0", "Enter a valid date."),
    ]


def test_the_error_summary_is_empty_for_a_form_without_errors():
    assert render('{% include "components/error_summary.html" %}', form=ExampleForm()).strip() == ""


def test_a_valid_govuk_date_becomes_a_date_and_blank_parts_are_required():
    base = {"name": "Ann", "ward": "a", "contact": "email", "topics": ["parks"], "agree": "on"}
    form = ExampleForm(data={**base, "born_0": "7", "born_1": "3", "born_2": "1990"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["born"] == datetime.date(1990, 3, 7)
    form = ExampleForm(data={**base, "born_0": "", "born_1": "", "born_2": ""})
    assert form.errors["born"] == ["This field is required."]
    form = ExampleForm(data={**base, "born_0": "7", "born_1": "3", "born_2": "90"})
    assert form.errors["born"] == ["Enter a valid date."]


def test_a_bound_date_shows_its_parts():
    form = ExampleForm(initial={"born": datetime.date(2001, 12, 5)})
    html = squash(str(form["born"].as_field_group()))
    assert 'name="born_0" type="text" inputmode="numeric" value="5"' in html
    assert 'name="born_1" type="text" inputmode="numeric" value="12"' in html
    assert 'name="born_2" type="text" inputmode="numeric" value="2001"' in html


def test_a_file_field_in_error_gets_the_error_class():
    form = ExampleForm(data={}, files={"evidence": SimpleUploadedFile("a.txt", b"")})
    form.is_valid()
    html = squash(str(form["evidence"].as_field_group()))
    assert 'class="govuk-file-upload govuk-file-upload--error"' in html


def test_pagination_keeps_the_other_query_parameters():
    from django.core.paginator import Paginator

    page_obj = Paginator(list(range(100)), 10).page(2)
    html = squash(render('{% include "components/pagination.html" %}', page_obj=page_obj))
    assert '<nav class="govuk-pagination" aria-label="Pages">' in html
    assert 'href="?q=parks&amp;page=1" rel="prev"' in html
    assert 'href="?q=parks&amp;page=3" rel="next"' in html
    assert 'aria-current="page">2</a>' in html
    assert (
        '<li class="govuk-pagination__item govuk-pagination__item--ellipses">&ctdot;</li>' in html
    )


@pytest.mark.parametrize(
    ("template", "context", "expected"),
    [
        (
            '{% include "components/breadcrumbs.html" %}',
            {"breadcrumbs": [("Home", "/"), ("Places", "")]},
            '<li class="govuk-breadcrumbs__list-item"><a class="govuk-breadcrumbs__link" '
            'href="/">Home</a></li>'
            '<li class="govuk-breadcrumbs__list-item">Places</li>',
        ),
        (
            '{% include "components/tag.html" with text="Open" colour="green" %}',
            {},
            '<strong class="govuk-tag govuk-tag--green">Open</strong>',
        ),
        (
            '{% include "components/summary_list.html" %}',
            {"rows": [("Name", "Ann", "/edit/"), ("Phone", "")]},
            '<dd class="govuk-summary-list__actions"><a class="govuk-link" '
            'href="/edit/">Change<span class="govuk-visually-hidden"> name</span></a></dd>',
        ),
        (
            '{% include "components/table.html" with caption="Crimes" numeric=numeric %}',
            {"head": ["Month", "Count"], "rows": [["May", 3]], "numeric": [1]},
            '<td class="govuk-table__cell govuk-table__cell--numeric">3</td>',
        ),
        (
            '{% include "components/notification_banner.html" with text="Saved" level="success" %}',
            {},
            'class="govuk-notification-banner govuk-notification-banner--success" role="alert"',
        ),
    ],
)
def test_components_render_govuk_markup(template, context, expected):
    assert expected in squash(render(template, **context)).replace("> <", "><")


def test_the_summary_list_says_not_given_for_an_empty_value():
    html = squash(render('{% include "components/summary_list.html" %}', rows=[("Phone", "")]))
    assert '<dd class="govuk-summary-list__value">Not given</dd>' in html
    assert "govuk-summary-list__row--no-actions" in html


def test_the_post_button_carries_the_csrf_token_and_hidden_fields():
    html = squash(
        Template(
            '{% include "components/button.html" with action="/x/" label="Delete" '
            'variant="warning" fields=fields %}'
        ).render(Context({"csrf_token": "tok", "fields": {"id": 7}}))
    )
    assert '<form method="post" action="/x/" class="bs-button-form" novalidate>' in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="tok">' in html
    assert '<input type="hidden" name="id" value="7">' in html
    assert 'class="govuk-button govuk-button--warning"' in html
