"""Right-to-data request pages (namespace "opendata", included by urls.py)."""

from django.urls import path

from .views import requests as views

urlpatterns = [
    path("data-requests/", views.request_list, name="request_list"),
    path("data-requests/new/", views.request_create, name="request_create"),
    path("data-requests/log/", views.request_log, name="request_log"),
    path("data-requests/queue/", views.staff_request_queue, name="staff_request_queue"),
    path("data-requests/statistics/", views.request_statistics, name="request_statistics"),
    path("data-requests/<slug:reference>/", views.request_detail, name="request_detail"),
    path(
        "data-requests/<slug:reference>/ask-clarification/",
        views.request_ask_clarification,
        name="request_ask_clarification",
    ),
    path("data-requests/<slug:reference>/clarify/", views.request_clarify, name="request_clarify"),
    path("data-requests/<slug:reference>/respond/", views.request_respond, name="request_respond"),
    path(
        "data-requests/<slug:reference>/review/",
        views.request_request_review,
        name="request_request_review",
    ),
    path(
        "data-requests/<slug:reference>/withdraw/", views.request_withdraw, name="request_withdraw"
    ),
    path("data-requests/<slug:reference>/hide/", views.request_hide, name="request_hide"),
    path("data-requests/<slug:reference>/unhide/", views.request_unhide, name="request_unhide"),
]
