"""Catalogue URLs (namespace "opendata"): pages, the CKAN Action API, DCAT, the datastore."""

from django.urls import path, re_path

from .ckan import views as ckan_views
from .views import catalogue as views

urlpatterns = [
    # CKAN Action API: no trailing slash, no redirect.
    path("api/3/action/<str:name>", ckan_views.action, name="ckan_action_v3"),
    path("api/action/<str:name>", ckan_views.action, name="ckan_action"),
    path("datastore/dump/<str:resource_id>", ckan_views.datastore_dump, name="datastore_dump"),
    # DCAT
    re_path(r"^catalog\.(?P<fmt>ttl|rdf|xml|jsonld)$", views.catalogue_rdf, name="catalogue_rdf"),
    re_path(
        r"^dataset/(?P<name>[-\w]+)\.(?P<fmt>ttl|rdf|xml|jsonld)$",
        views.dataset_rdf,
        name="dataset_rdf",
    ),
    # Pages
    path("dataset/", views.dataset_list, name="dataset_list"),
    path("dataset/new/", views.dataset_create, name="dataset_create"),
    path("dataset/<slug:name>/", views.dataset_detail, name="dataset_detail"),
    path("dataset/<slug:name>/edit/", views.dataset_edit, name="dataset_edit"),
    path("dataset/<slug:name>/publish/", views.dataset_publish, name="dataset_publish"),
    path("dataset/<slug:name>/withdraw/", views.dataset_withdraw, name="dataset_withdraw"),
    path("dataset/<slug:name>/schedule/", views.dataset_schedule, name="dataset_schedule"),
    path("dataset/<slug:name>/resource/new/", views.resource_create, name="resource_create"),
    path(
        "dataset/<slug:name>/resource/<uuid:resource>/",
        views.resource_detail,
        name="resource_detail",
    ),
    path("download/<uuid:resource>", views.resource_download, name="resource_download"),
    path("publisher/", views.publisher_list, name="publisher_list"),
    path("publisher/<slug:slug>/", views.publisher_detail, name="publisher_detail"),
    path("feeds/datasets.atom", views.DatasetFeed(), name="dataset_feed"),
    path("releases/", views.release_calendar, name="release_calendar"),
    path("releases/overdue/", views.release_overdue, name="release_overdue"),
]
