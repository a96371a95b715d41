from django.urls import path

app_name = "crime"

urlpatterns: list = []
