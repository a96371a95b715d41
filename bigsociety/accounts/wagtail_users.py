"""Staff manage people in Wagtail's admin with forms that fit our user model.

Wagtail's default user forms ask for first and last names; ours has one display name and the
email as the login, and marks people staff when they are given a role.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .models import User

FIELDS = ["email", "display_name", "is_staff", "is_superuser", "groups"]


class _Fields(forms.ModelForm):
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    display_name = forms.CharField(label=_("Display name"), max_length=100)
    is_staff = forms.BooleanField(
        label=_("Staff"),
        required=False,
        help_text=_("Staff can sign in to the back office (with two factors)."),
    )


class PersonCreationForm(_Fields, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = FIELDS
        widgets = {"groups": forms.CheckboxSelectMultiple}


class PersonEditForm(_Fields, UserEditForm):
    class Meta(UserEditForm.Meta):
        model = User
        fields = [*FIELDS, "is_active"]
        widgets = {"groups": forms.CheckboxSelectMultiple}

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=False)
        if user.groups and self.cleaned_data.get("groups"):
            user.is_staff = True
        if commit:
            user.save()
            self.save_m2m()
        return user


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update: bool = False) -> type[forms.ModelForm]:
        return PersonEditForm if for_update else PersonCreationForm
