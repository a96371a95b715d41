from django.urls import path

from . import views

app_name = "common"

urlpatterns = [
    path("cookies/", views.cookies, name="cookies"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("notifications/", views.notification_list, name="notification_list"),
]
