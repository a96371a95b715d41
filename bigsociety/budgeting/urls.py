from django.urls import path

from . import views

app_name = "budgeting"

urlpatterns = [
    path("", views.process_list, name="process_list"),
    # Engagement officers (two factors required by views.officer_required).
    path("staff/", views.staff_process_list, name="staff_process_list"),
    path("staff/new/", views.staff_process_create, name="staff_process_create"),
    path("staff/import/", views.staff_pb_import, name="staff_pb_import"),
    path("staff/<slug:slug>/", views.staff_process_edit, name="staff_process_edit"),
    path("staff/<slug:slug>/phase/", views.staff_transition, name="staff_transition"),
    path("staff/<slug:slug>/budgets/new/", views.staff_budget_create, name="staff_budget_create"),
    path(
        "staff/<slug:slug>/budgets/<slug:budget_slug>/projects/new/",
        views.staff_project_create,
        name="staff_project_create",
    ),
    path(
        "staff/<slug:slug>/projects/<int:pk>/review/",
        views.staff_project_review,
        name="staff_project_review",
    ),
    path(
        "staff/<slug:slug>/projects/<int:pk>/delivery/",
        views.staff_delivery,
        name="staff_delivery",
    ),
    path("staff/<slug:slug>/voters/", views.staff_electors, name="staff_electors"),
    path(
        "staff/<slug:slug>/voters/codes/", views.staff_codes_generate, name="staff_codes_generate"
    ),
    path(
        "staff/<slug:slug>/budgets/<slug:budget_slug>/paper/",
        views.staff_paper_entry,
        name="staff_paper_entry",
    ),
    path(
        "staff/<slug:slug>/paper/<int:pk>/resolve/",
        views.staff_paper_resolve,
        name="staff_paper_resolve",
    ),
    path("staff/<slug:slug>/count/", views.staff_count, name="staff_count"),
    path(
        "staff/<slug:slug>/budgets/<slug:budget_slug>/override/",
        views.staff_override,
        name="staff_override",
    ),
    # Public.
    path("<slug:slug>/", views.process_detail, name="process_detail"),
    path("<slug:slug>/ideas/new/", views.idea_create, name="idea_create"),
    path("<slug:slug>/vote/", views.vote, name="vote"),
    path("<slug:slug>/vote/<slug:budget_slug>/", views.ballot_edit, name="ballot_edit"),
    path("<slug:slug>/vote/<slug:budget_slug>/total/", views.ballot_total, name="ballot_total"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/results.json", views.results_json, name="results_json"),
    path("<slug:slug>/delivery/", views.delivery, name="delivery"),
    path("<slug:slug>/data/<slug:budget_slug>.pb", views.export_pb, name="export_pb"),
    path(
        "<slug:slug>/data/<slug:budget_slug>-ballots.csv",
        views.export_ballots_csv,
        name="export_ballots_csv",
    ),
    path(
        "<slug:slug>/data/<slug:budget_slug>-results.csv",
        views.export_results_csv,
        name="export_results_csv",
    ),
]
