"""The data.police.uk-compatible API, mounted at /api/police/."""

from django.urls import path  # noqa: F401

app_name = "police_api"

urlpatterns: list = []
