from django.urls import path, register_converter

from . import views

app_name = "crime"


class MonthConverter:
    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(MonthConverter, "yyyymm")

urlpatterns = [
    path("", views.area_search, name="area_search"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("<slug:slug>/", views.area_detail, name="area_detail"),
    path("<slug:slug>/subscribe/", views.area_subscribe, name="area_subscribe"),
    path("<slug:slug>/<yyyymm:month>.csv", views.area_download, {"fmt": "csv"}, name="area_csv"),
    path(
        "<slug:slug>/<yyyymm:month>.geojson",
        views.area_download,
        {"fmt": "geojson"},
        name="area_geojson",
    ),
]
