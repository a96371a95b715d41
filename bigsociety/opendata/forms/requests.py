"""Forms for right-to-data requests. They translate input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bigsociety.common.forms import GovukDateInput
from bigsociety.organisations.models import Organisation

from ..models import FREQUENCY_STEPS, DataRequest, Dataset, Frequency

Status = DataRequest.Status


class PublisherChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _publisher_field() -> PublisherChoiceField:
    return PublisherChoiceField(
        label=_("Who holds the data? (optional)"),
        help_text=_("Leave this if you are not sure: our data officers will find out."),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=_("I’m not sure"),
        to_field_name="slug",
    )


class DataRequestForm(forms.Form):
    title = forms.CharField(
        label=_("Give your request a short title"),
        max_length=200,
        help_text=_("For example: Street light faults reported in 2025."),
    )
    description = forms.CharField(
        label=_("What data do you want?"),
        help_text=_(
            "Describe the data as exactly as you can: what it covers, which years or areas. "
            "Your request and the answer are published in the register, so do not include "
            "personal details."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    purpose = forms.CharField(
        label=_("Why do you want it? (optional)"),
        help_text=_("Knowing how the data will be used helps the publisher get it right."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    publisher = _publisher_field()
    contact_email = forms.EmailField(
        label=_("Email address for updates"),
        help_text=_(
            "We will tell you about every change to your request. This is never published."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class OfflineRequestForm(forms.Form):
    """A data officer logs a request that arrived by post or email."""

    requester_name = forms.CharField(label=_("Requester’s name"), max_length=200)
    requester_email = forms.EmailField(
        label=_("Requester’s email address"),
        required=False,
        help_text=_("Give an email address or a postal address. Never published."),
    )
    requester_address = forms.CharField(
        label=_("Requester’s postal address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    channel = forms.ChoiceField(
        label=_("How did the request arrive?"),
        choices=[
            (DataRequest.Channel.EMAIL.value, DataRequest.Channel.EMAIL.label),
            (DataRequest.Channel.POST.value, DataRequest.Channel.POST.label),
        ],
        widget=forms.RadioSelect,
    )
    received_on = forms.DateField(
        label=_("Date of receipt"),
        help_text=_("The day the request reached the council is day 0 of the deadline."),
        widget=GovukDateInput(),
    )
    title = forms.CharField(label=_("Short title"), max_length=200)
    description = forms.CharField(
        label=_("What data is wanted?"), widget=forms.Textarea(attrs={"rows": 6})
    )
    purpose = forms.CharField(
        label=_("Why it is wanted (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    publisher = _publisher_field()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("requester_email") and not (data.get("requester_address") or "").strip():
            self.add_error(
                "requester_email", _("Give an email address or a postal address for the reply.")
            )
        return data


class MessageForm(forms.Form):
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(
        self, *args: Any, label: str | None = None, required: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["message"].label = label
        self.fields["message"].required = required


class ClarifyForm(MessageForm):
    replied_on = forms.DateField(
        label=_("Date the reply arrived"),
        help_text=_("For a reply that came by post or email. The clock restarts from this day."),
        widget=GovukDateInput(),
        required=False,
    )

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, label=str(_("Your clarification")), **kwargs)
        if not staff:
            del self.fields["replied_on"]


class RespondForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(s.value, s.label) for s in DataRequest.OUTCOMES],
        widget=forms.RadioSelect,
    )
    dataset = forms.ModelChoiceField(
        label=_("Published dataset"),
        help_text=_("Required when the request is successful. Publish it in the catalogue first."),
        queryset=Dataset.objects.none(),
        required=False,
        to_field_name="name",
    )
    release_frequency = forms.ChoiceField(
        label=_("How often will the dataset be updated?"),
        help_text=_(
            "Only if the dataset has no release schedule yet: a successful request means the "
            "data is kept up to date."
        ),
        choices=[
            ("", _("It already has a release schedule")),
            *[(f.value, f.label) for f in Frequency if FREQUENCY_STEPS.get(f) is not None],
        ],
        required=False,
    )
    next_release_on = forms.DateField(
        label=_("Next release due (if it has no schedule yet)"),
        widget=GovukDateInput(),
        required=False,
    )
    refusal_reason = forms.ChoiceField(
        label=_("Reason for refusing"),
        help_text=_("Required when the request is refused."),
        choices=[("", _("Not refused")), *DataRequest.RefusalReason.choices],
        required=False,
    )
    message = forms.CharField(
        label=_("Message to the requester"),
        help_text=_("Published in the register. Explain the answer; required unless successful."),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )

    def __init__(self, *args: Any, datasets: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if datasets is not None:
            self.fields["dataset"].queryset = datasets  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        if outcome == Status.SUCCESSFUL and not data.get("dataset"):
            self.add_error(
                "dataset", _("Link the published dataset to mark the request successful.")
            )
        if outcome == Status.REFUSED and not data.get("refusal_reason"):
            self.add_error("refusal_reason", _("Choose the reason for refusing."))
        if outcome and outcome != Status.REFUSED and data.get("refusal_reason"):
            self.add_error("refusal_reason", _("Only a refusal has a reason for refusing."))
        if data.get("release_frequency") and not data.get("next_release_on"):
            self.add_error("next_release_on", _("Give the date the next release is due."))
        if outcome and outcome != Status.SUCCESSFUL and not (data.get("message") or "").strip():
            self.add_error("message", _("Explain the answer to the requester."))
        return data


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why hide this request?"),
        help_text=_("Kept for the audit log and told to the requester; not published."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def apply_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
