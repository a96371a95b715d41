from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="organisation_list"),
    path("new/", views.organisation_create, name="organisation_create"),
    path("<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("<slug:slug>/verify/", views.organisation_verify, name="organisation_verify"),
    path("<slug:slug>/join/", views.membership_request, name="membership_request"),
    path("<slug:slug>/leave/", views.membership_leave, name="membership_leave"),
    path("<slug:slug>/members/approve/", views.membership_approve, name="membership_approve"),
    path("<slug:slug>/members/decline/", views.membership_decline, name="membership_decline"),
    path("<slug:slug>/members/role/", views.membership_set_role, name="membership_set_role"),
    path("<slug:slug>/members/remove/", views.membership_remove, name="membership_remove"),
]
