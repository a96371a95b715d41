"""The site's URLs plus a test-only form page exercising every GOV.UK widget we render."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template import engines
from django.urls import URLPattern, URLResolver, path

from bigsociety.common.forms import GovukDateInput
from config.urls import urlpatterns as site_urlpatterns


class EveryWidgetForm(forms.Form):
    name = forms.CharField(label="Your name", help_text="As it appears on your council tax bill")
    email = forms.EmailField(label="Email address")
    about = forms.CharField(label="Tell us about your group", widget=forms.Textarea)
    ward = forms.ChoiceField(
        label="Ward", choices=[("", "Choose a ward"), ("a", "Ashley"), ("b", "Bedminster")]
    )
    contact = forms.ChoiceField(
        label="How should we contact you?",
        choices=[("email", "Email"), ("post", "Post")],
        widget=forms.RadioSelect,
    )
    topics = forms.MultipleChoiceField(
        label="Which topics interest you?",
        choices=[("parks", "Parks"), ("roads", "Roads"), ("housing", "Housing")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
    )
    started = forms.DateField(
        label="When did your group start?",
        help_text="For example, 27 3 2007",
        widget=GovukDateInput(),
    )
    evidence = forms.FileField(label="Upload your constitution", required=False)
    agree = forms.BooleanField(label="I agree to the terms of use")


PAGE = engines["django"].from_string(
    """{% extends "base.html" %}{% load i18n %}
{% block title %}Every widget{% endblock %}
{% block content %}
<div class="govuk-grid-row"><div class="govuk-grid-column-two-thirds">
{% include "components/error_summary.html" with form=form %}
<h1 class="govuk-heading-l">Every widget</h1>
<form method="post" enctype="multipart/form-data" novalidate>{% csrf_token %}
{{ form }}
<button type="submit" class="govuk-button" data-module="govuk-button">Send</button>
</form>
</div></div>
{% endblock %}"""
)


def every_widget(request: HttpRequest) -> HttpResponse:
    """Test only."""
    form = EveryWidgetForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        from django.contrib import messages

        messages.success(request, "Your details have been sent")
        return redirect("/cookies/")
    return HttpResponse(PAGE.render({"form": form}, request))


urlpatterns: list[URLPattern | URLResolver] = [
    path("e2e/every-widget/", every_widget),
    *site_urlpatterns,
]
