"""Public area pages, downloads, subscriptions and the staff import pages (permission matrix)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bigsociety.accounts.roles import Role
from bigsociety.accounts.tests.factories import StaffFactory, UserFactory
from bigsociety.common.models import Notification
from bigsociety.crime import bulk
from bigsociety.crime.models import Crime, ForceMonth, ImportJob, Subscription
from bigsociety.crime.services import import_paths
from bigsociety.places.models import Place, Postcode

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def test_the_search_page_goes_from_a_postcode_to_its_neighbourhood(imported, client):
    # given a postcode in the demo area
    postcode = Postcode.objects.select_related("place").exclude(place=None).first()
    # when
    response = client.get(reverse("crime:area_search"), {"postcode": postcode.postcode})
    # then
    assert response.status_code == 302
    slug = response.url.rstrip("/").rsplit("/", 1)[-1]
    assert Place.objects.get(slug=slug).kind in ("neighbourhood", "ward", "local_authority")


def test_an_unknown_postcode_is_explained(imported, client):
    response = client.get(reverse("crime:area_search"), {"postcode": "ZZ99 9ZZ"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_the_area_page_shows_counts_trend_map_and_outcomes(
    imported, client, django_assert_max_num_queries
):
    # given
    ward = Place.objects.filter(kind="ward").first()
    in_june = Crime.objects.filter(month="2018-06-01", ward_id=ward.pk)
    # when
    with django_assert_max_num_queries(20):
        response = client.get(reverse("crime:area_detail", args=[ward.slug]), {"month": "2018-06"})
    # then
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.total == in_june.count()
    assert (
        summary.previous_total == Crime.objects.filter(month="2018-05-01", ward_id=ward.pk).count()
    )
    assert [n for _m, n in summary.trend][-3:] == [
        Crime.objects.filter(month=m, ward_id=ward.pk).count()
        for m in ("2018-04-01", "2018-05-01", "2018-06-01")
    ]
    assert summary.area.kind == "local_authority"
    assert (
        sum(n for _name, n, _share in summary.outcomes)
        == in_june.exclude(category="anti-social-behaviour").count()
    )
    body = response.content.decode()
    for text in (
        "Crimes by type",
        "The last 12 months",
        "What the police did",
        "crime-map-data",
        "trend-table",
    ):
        assert text in body
    assert "Investigation complete; no suspect identified" in body


def test_the_category_filter_narrows_the_list(imported, client):
    ward = Place.objects.filter(kind="ward").first()
    response = client.get(
        reverse("crime:area_detail", args=[ward.slug]),
        {"month": "2018-06", "category": "other-theft"},
    )
    assert {c.category for c in response.context["page_obj"]} == {"other-theft"}


def test_stop_and_search_summary(imported, client):
    authority = Place.objects.get(kind="local_authority")
    response = client.get(reverse("crime:area_detail", args=[authority.slug]), {"month": "2018-04"})
    summary = response.context["summary"]
    assert summary.stop_total == 58
    assert dict(summary.stops["object_of_search"])["Controlled drugs"] > 0


def test_downloads_in_the_police_layout_and_geojson(imported, client):
    ward = Place.objects.filter(kind="ward").first()
    expected = Crime.objects.filter(month="2018-06-01", ward_id=ward.pk).count()
    response = client.get(reverse("crime:area_csv", args=[ward.slug, "2018-06"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert tuple(rows[0]) == bulk.LAYOUTS["street"]
    assert len(rows) - 1 == expected
    assert {r[1] for r in rows[1:]} == {"2018-06"}
    geo = json.loads(client.get(reverse("crime:area_geojson", args=[ward.slug, "2018-06"])).content)
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == expected


def test_subscribers_are_emailed_when_a_new_month_is_imported(
    demo_places, client, django_capture_on_commit_callbacks
):
    # given a resident subscribed to the authority
    resident = UserFactory()
    authority = Place.objects.get(kind="local_authority")
    client.force_login(resident)
    client.post(reverse("crime:area_subscribe", args=[authority.slug]))
    assert Subscription.objects.filter(user=resident, place=authority).exists()
    # when April is imported (a new month)
    with django_capture_on_commit_callbacks(execute=True):
        import_paths(paths=[FIXTURES / "2018-04" / "2018-04-city-of-london-street.csv"])
    # then one notification and one email, and not again on re-import
    assert Notification.objects.filter(recipient=resident, topic="crime.monthly").count() == 1
    assert len(mail.outbox) == 1
    assert "Kingsbridge" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        import_paths(paths=[FIXTURES / "2018-04" / "2018-04-city-of-london-street.csv"])
    assert Notification.objects.filter(recipient=resident).count() == 1
    # and the resident can leave
    client.post(reverse("crime:area_subscribe", args=[authority.slug]), {"action": "unsubscribe"})
    assert not Subscription.objects.filter(user=resident).exists()


def test_subscribing_needs_an_account(imported, client):
    authority = Place.objects.get(kind="local_authority")
    response = client.post(reverse("crime:area_subscribe", args=[authority.slug]))
    assert response.status_code == 302
    assert response.url == "/accounts/sign-in/?next=/crime/kingsbridge/"
    assert Subscription.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("resident", 403),
        ("staff", 403),
        ("other_officer", 403),
        ("data_officer", 200),
    ],
)
def test_import_pages_permission_matrix(db, client, who, status):
    users = {
        "resident": lambda: UserFactory(),
        "staff": lambda: StaffFactory(),
        "other_officer": lambda: UserFactory(roles=[Role.ENGAGEMENT_OFFICER]),
        "data_officer": lambda: UserFactory(roles=[Role.DATA_OFFICER]),
    }
    if who in users:
        client.force_login(users[who]())
    assert client.get(reverse("crime:import_list")).status_code == status
    upload = SimpleUploadedFile("2018-04-city-of-london-street.csv", b"x", content_type="text/csv")
    response = client.post(reverse("crime:import_list"), {"file": upload})
    assert response.status_code in ((302, 200) if who == "data_officer" else (status,))
    if who != "data_officer":
        assert ImportJob.objects.count() == 0


def test_an_upload_is_imported_in_the_background_with_a_report(
    demo_places, client, django_capture_on_commit_callbacks
):
    # given a data officer
    client.force_login(UserFactory(roles=[Role.DATA_OFFICER]))
    content = (FIXTURES / "2018-05" / "2018-05-city-of-london-street.csv").read_bytes()
    upload = SimpleUploadedFile(
        "2018-05-city-of-london-street.csv", content, content_type="text/csv"
    )
    # when (the test task backend runs the task straight away, after commit)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("crime:import_list"), {"file": upload})
    # then
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.status == ImportJob.Status.DONE
    assert (job.files_done, job.files_total, job.rows_done) == (1, 1, 680)
    assert ForceMonth.objects.get().rows == 680
    page = client.get(job.get_absolute_url())
    assert "Imported" in page.content.decode()


def test_an_upload_with_a_bad_header_fails_with_the_columns(
    demo_places, client, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(roles=[Role.DATA_OFFICER]))
    upload = SimpleUploadedFile("2018-05-kent-street.csv", b"A,B\n1,2\n", content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("crime:import_list"), {"file": upload})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert "Found (2 columns): A,B" in job.report["files"][0]["errors"][0]
    assert Crime.objects.count() == 0


def test_a_badly_named_csv_is_refused_on_the_form(db, client):
    client.force_login(UserFactory(roles=[Role.DATA_OFFICER]))
    upload = SimpleUploadedFile("crimes.csv", b"A,B\n1,2\n", content_type="text/csv")
    response = client.post(reverse("crime:import_list"), {"file": upload})
    assert response.status_code == 200
    assert "Name the CSV as the bulk download does" in response.content.decode()
    assert ImportJob.objects.count() == 0
