from django.urls import path

app_name = "budgeting"

urlpatterns: list = []
