"""The data.police.uk-compatible API, mounted at /api/police/ (see police_api.py)."""

from django.urls import path

from . import police_api as views

app_name = "police_api"

urlpatterns = [
    path("crimes-street/<slug:category>", views.crimes_street, name="crimes_street"),
    path("crimes-at-location", views.crimes_at_location, name="crimes_at_location"),
    path("crimes-no-location", views.crimes_no_location, name="crimes_no_location"),
    path("crime-categories", views.crime_categories, name="crime_categories"),
    path("crime-last-updated", views.crime_last_updated, name="crime_last_updated"),
    path("crimes-street-dates", views.crimes_street_dates, name="crimes_street_dates"),
    path(
        "outcomes-for-crime/<str:persistent_id>",
        views.outcomes_for_crime,
        name="outcomes_for_crime",
    ),
    path("outcomes-at-location", views.outcomes_at_location, name="outcomes_at_location"),
    path("stops-street", views.stops_street, name="stops_street"),
    path("forces", views.force_list, name="force_list"),
    path("forces/<slug:force>", views.force_detail, name="force_detail"),
]
