"""Forms of the organisations pages. They translate input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bigsociety.places.models import Place

from .identifiers import normalise_org_id, validate_org_id
from .models import Membership, Organisation


class DirectoryFilterForm(forms.Form):
    """The directory's GET filters: words, types and a place (by GSS code)."""

    q = forms.CharField(
        label=_("Search by name or description"),
        required=False,
        max_length=100,
    )
    kind = forms.MultipleChoiceField(
        label=_("Type of organisation"),
        choices=Organisation.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    place = forms.ChoiceField(label=_("Place"), required=False)

    def __init__(self, *args: Any, place_choices: list[tuple[str, str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        kind_labels = dict(Place.Kind.choices)
        place = self.fields["place"]
        assert isinstance(place, forms.ChoiceField)
        place.choices = [
            ("", _("Anywhere")),
            *((code, f"{name} ({kind_labels[kind]})") for code, name, kind in place_choices),
        ]
        self.fields["q"].widget.attrs.update({"type": "search", "class": "govuk-!-width-full"})


class OrgIdField(forms.CharField):
    """An org-id, tidied (``gb-chc 1164883`` → ``GB-CHC-1164883``) and checked by its list."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("label", _("org-id identifier (optional)"))
        kwargs.setdefault(
            "help_text",
            _(
                "The organisation's registration number with its register's code, for example "
                "GB-CHC-1164883 (Charity Commission), GB-COH-09506232 (Companies House), "
                "GB-MPR-30209R (Mutuals Public Register) or GB-LAE-BIR (a council in England)."
            ),
        )
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = normalise_org_id(super().clean(value))
        if value:
            validate_org_id(value)
        return value


class ServiceModelForm(forms.ModelForm):
    """A model form whose cleaned data goes to a service: it never touches the instance, and
    the service runs the model's own checks (unique org-id and so on)."""

    def _post_clean(self) -> None:
        pass


class OrganisationContactForm(ServiceModelForm):
    """What an organisation's editors and admins may change."""

    class Meta:
        model = Organisation
        fields = ["description", "website", "email", "phone", "address"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "address": forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        }


def _place_label(place: Place) -> str:
    return f"{place.name} ({place.get_kind_display()})"


class OrganisationForm(ServiceModelForm):
    """Everything about an organisation, for staff administrators."""

    org_id = OrgIdField()
    places = forms.ModelMultipleChoiceField(
        label=_("Places served"),
        queryset=Place.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind", "org_id", "places", *OrganisationContactForm.Meta.fields]
        widgets = OrganisationContactForm.Meta.widgets

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        places = self.fields["places"]
        assert isinstance(places, forms.ModelMultipleChoiceField)
        places.queryset = Place.objects.exclude(kind=Place.Kind.LSOA).order_by("kind", "name")
        places.label_from_instance = _place_label  # type: ignore[method-assign,assignment]  # Django's documented hook


class OrganisationCreateForm(OrganisationForm):
    first_admin_email = forms.EmailField(
        label=_("Email address of its first admin (optional)"),
        help_text=_(
            "They must already have an account. They can then approve people who ask to join."
        ),
        required=False,
    )

    def clean_first_admin_email(self) -> Any:
        from django.contrib.auth import get_user_model

        email = self.cleaned_data.get("first_admin_email", "")
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise ValidationError(_("There is no account with that email address."))
        return user


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the organisation's admins (optional)"),
        help_text=_("For example, how you are involved with the organisation."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MembershipActionForm(forms.Form):
    """Names one membership of the organisation whose page the action is on."""

    membership = forms.IntegerField(widget=forms.HiddenInput)


class MembershipRoleForm(MembershipActionForm):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
