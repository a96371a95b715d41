"""Account forms. Every message names the field and says how to fix it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bigsociety.places.api import normalise_postcode, place_for_postcode

from .models import User


class SignUpForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We'll send you a link to confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=100,
        help_text=_("Shown beside what you contribute. You can use a nickname."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    password = forms.CharField(
        label=_("Create a password"),
        strip=False,
        help_text=_("At least 10 characters. Avoid common words and numbers only."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        candidate = User(
            email=self.cleaned_data.get("email", ""),
            display_name=self.cleaned_data.get("display_name", ""),
        )
        password_validation.validate_password(password, candidate)
        return password


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _(
            "Enter the email address and password of your account. They did not match."
        ),
        "inactive": _("This account has been closed."),
        "unconfirmed": _(
            "Confirm your email address first: follow the link we emailed you. "
            "You can ask for a new link below."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if user.email_confirmed_at is None:
            raise forms.ValidationError(self.error_messages["unconfirmed"], code="unconfirmed")


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=100,
        help_text=_("Shown beside what you contribute."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    home_postcode = forms.CharField(
        label=_("Home postcode (optional)"),
        required=False,
        max_length=10,
        help_text=_("We use it to show what is happening in your area."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth (optional)"),
        required=False,
        help_text=_(
            "Only used to check age limits, for example to vote in a youth budget. "
            "For example, 2008-03-27."
        ),
        widget=forms.DateInput(attrs={"autocomplete": "bday", "type": "date"}),
    )

    def clean_home_postcode(self) -> str:
        value = self.cleaned_data["home_postcode"]
        if not value:
            return ""
        postcode = normalise_postcode(value)
        if postcode is None:
            raise forms.ValidationError(_("Enter a real postcode, like BS1 4ST"))
        if place_for_postcode(postcode) is None:
            raise forms.ValidationError(
                _("%(postcode)s is not in our area. Leave it blank if you live elsewhere."),
                params={"postcode": postcode},
            )
        return postcode

    def clean_date_of_birth(self) -> dt.date | None:
        value = self.cleaned_data["date_of_birth"]
        if value is None:
            return None
        today = timezone.localdate()
        if value > today:
            raise forms.ValidationError(_("Date of birth must be in the past"))
        if value.year < today.year - 120:
            raise forms.ValidationError(
                _("Enter a date of birth after %(year)s"), params={"year": today.year - 120}
            )
        return value


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        help_text=_("To confirm it is you."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right"))
        return password


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("So you can tell your tokens apart, for example 'Harvester'."),
    )
