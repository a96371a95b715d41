from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("", views.place_list, name="place_list"),
    path("find/", views.find, name="find"),
    path("<slug:slug>/", views.place_detail, name="place_detail"),
    path("<slug:slug>.geojson", views.place_boundary, name="place_boundary"),
]
