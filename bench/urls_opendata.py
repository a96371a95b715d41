"""Only the open-data URLs, so bench_opendata.py measures the catalogue on its own."""

from django.urls import include, path

urlpatterns = [path("", include("bigsociety.opendata.urls"))]
