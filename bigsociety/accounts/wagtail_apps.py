"""Wagtail's users app, pointed at our user forms (see wagtail_users.py)."""

from wagtail.users.apps import WagtailUsersAppConfig


class UsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "bigsociety.accounts.wagtail_users.UserViewSet"
