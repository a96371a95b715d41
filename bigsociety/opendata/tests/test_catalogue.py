"""Catalogue services, datastore loading, bad input, release schedules and the staff pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from bigsociety.accounts.tests.factories import StaffFactory, UserFactory
from bigsociety.common.models import AuditEntry
from bigsociety.opendata.models import Dataset, DatasetChange, Resource
from bigsociety.opendata.services import catalogue as services
from bigsociety.organisations.models import Membership

from .catalogue_helpers import CSV, csv_upload, dataset, member, officer, organisation, today

pytestmark = pytest.mark.django_db


def _tables() -> set[str]:
    return {t for t in connection.introspection.table_names() if t.startswith("ds_")}


def test_create_defaults_to_ogl_and_records_history():
    # given
    user = officer()
    # when
    item = services.dataset_create(
        publisher=organisation(),
        title="Bus stops",
        description="Where buses stop.",
        acting_user=user,
        tags=["Transport", "transport", "buses"],
    )
    # then
    assert item.name == "bus-stops"
    assert item.state == Dataset.State.DRAFT
    assert item.licence.code == "OGL-UK-3.0"
    assert sorted(item.tags.values_list("name", flat=True)) == ["buses", "transport"]
    change = DatasetChange.objects.get(dataset=item)
    assert (change.action, change.actor) == ("create", user)
    assert AuditEntry.objects.filter(action="dataset.create", target_id=str(item.pk)).count() == 1


def test_editor_of_another_organisation_cannot_edit_and_nothing_changes():
    # given
    item = dataset(title="Parks")
    outsider = member(organisation("other-org", "Other org"))
    # when / then
    with pytest.raises(PermissionDenied):
        services.dataset_update(dataset=item, acting_user=outsider, title="Hacked")
    item.refresh_from_db()
    assert item.title == "Parks"
    assert DatasetChange.objects.filter(dataset=item, action="update").count() == 0


def test_editor_of_the_publisher_can_edit():
    item = dataset(title="Parks")
    editor = member(item.publisher)
    updated = services.dataset_update(dataset=item, acting_user=editor, title="Parks and gardens")
    assert updated.title == "Parks and gardens"
    assert DatasetChange.objects.get(dataset=item, action="update").changes["title"] == {
        "before": "Parks",
        "after": "Parks and gardens",
    }


def test_state_machine():
    item = dataset(title="Toilets", publish=False)
    with pytest.raises(ValidationError):
        services.dataset_withdraw(dataset=item, reason="x", acting_user=None)
    item = services.dataset_publish(dataset=item, acting_user=None)
    assert item.published_at is not None
    with pytest.raises(ValidationError):
        services.dataset_publish(dataset=item, acting_user=None)
    with pytest.raises(ValidationError) as error:
        services.dataset_withdraw(dataset=item, reason=" ", acting_user=None)
    assert error.value.message_dict == {"reason": ["Say why the dataset is withdrawn."]}
    item = services.dataset_withdraw(dataset=item, reason="Superseded", acting_user=None)
    assert item.state == Dataset.State.WITHDRAWN
    assert item.search_document.state == "withdrawn"


def test_validation_names_fields():
    with pytest.raises(ValidationError) as error:
        services.dataset_create(
            publisher=organisation(),
            title=" ",
            description="",
            name="Bad Name!",
            acting_user=None,
            contact_email="nope",
        )
    assert set(error.value.message_dict) == {"name", "title", "description", "contact_email"}
    assert Dataset.objects.count() == 0


def test_csv_is_loaded_with_types_and_preview():
    item = dataset(title="Crime counts", csv=CSV)
    resource = item.resources.get()
    assert resource.datastore_active
    assert [(f["id"], f["type"]) for f in resource.datastore_fields] == [
        ("Month", "text"),
        ("Ward", "text"),
        ("Crime type", "text"),
        ("Count", "int"),
        ("Rate", "numeric"),
        ("Reported", "date"),
    ]
    assert resource.datastore_rows == 4
    assert resource.preview["rows"][0] == [
        "2024-01",
        "Castle",
        "Burglary",
        "12",
        "1.5",
        "2024-02-01",
    ]
    assert resource.checksum and len(resource.checksum) == 64
    assert f"ds_{resource.uuid.hex}" in _tables()


@pytest.mark.parametrize(
    "content,message",
    [
        (b"a,b\n1,2\n\xff\xfe,3\n", "Line 3: the file is not UTF-8 text"),
        (b"a,b\n1,2\n3\n", "Line 3: expected 2 fields but found 1."),
        (b'a,b\n1,"unclosed\n', "Line 2: unexpected end of data."),
        (b"a,a\n1,2\n", "Line 1: column name “a” is repeated or starts with _."),
        (b",b\n1,2\n", "Line 1: column 1 has no name."),
    ],
)
def test_bad_csv_is_refused_with_the_line_and_nothing_is_left(content, message):
    item = dataset(title="Crime counts")
    before = _tables()
    with pytest.raises(ValidationError) as error:
        services.resource_create(
            dataset=item, name="Bad", acting_user=None, upload=csv_upload(content)
        )
    assert error.value.message_dict["upload"][0].startswith(message)
    assert Resource.objects.filter(name="Bad").count() == 0
    assert _tables() == before


def test_uploads_over_the_limit_are_refused():
    item = dataset(title="Big")
    with pytest.raises(ValidationError) as error:
        services.resource_create(
            dataset=item, name="Huge", acting_user=None, upload=csv_upload(CSV), max_bytes=10
        )
    assert "smaller than" in error.value.message_dict["upload"][0]
    assert Resource.objects.filter(name="Huge").count() == 0


def test_description_is_sanitised_on_the_page(client):
    item = dataset(
        title="Unsafe",
        description="Hello <script>alert(1)</script> [x](javascript:alert(2)) **bold**",
    )
    html = client.get(item.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "javascript:" not in html
    assert "<strong>bold</strong>" in html


def test_release_schedule_record_and_overdue():
    item = dataset(title="Monthly crime", update_frequency="R/P1M")
    assert item.next_release_on is not None
    due = today() + dt.timedelta(days=3)
    item = services.dataset_set_release_schedule(
        dataset=item, frequency="R/P1M", next_release_on=due, acting_user=None
    )
    assert item.next_release_on == due
    with pytest.raises(ValidationError):
        services.dataset_set_release_schedule(
            dataset=item, frequency="R/P1M", next_release_on=today(), acting_user=None
        )
    item = services.release_record(dataset=item, acting_user=None, released_on=due)
    assert item.next_release_on == services.next_release_after("R/P1M", due)
    Dataset.objects.filter(pk=item.pk).update(next_release_on=today() - dt.timedelta(days=1))
    assert list(Dataset.objects.overdue()) == [item]


def test_reminders_are_sent_once_before_a_release_is_due():
    from bigsociety.common.models import Notification
    from bigsociety.opendata.tasks import send_release_reminders

    item = dataset(title="Monthly crime", update_frequency="R/P1M")
    editor = member(item.publisher)
    member(item.publisher, role=Membership.Role.MEMBER)  # plain members are not told
    Dataset.objects.filter(pk=item.pk).update(next_release_on=today() + dt.timedelta(days=5))
    send_release_reminders.call()
    send_release_reminders.call()
    notes = Notification.objects.filter(topic="opendata.release_due")
    assert [n.recipient for n in notes] == [editor]
    assert "Monthly crime" in notes[0].subject


# --- pages and the permission matrix ---------------------------------------------------------


def _people(org):
    return {
        "anonymous": None,
        "resident": UserFactory(),
        "member": member(org, role=Membership.Role.MEMBER),
        "org_editor": member(org, role=Membership.Role.EDITOR),
        "org_admin": member(org, role=Membership.Role.ADMIN),
        "staff_without_role": StaffFactory(),
        "data_officer": officer(),
    }


EDIT_ALLOWED = {"org_editor", "org_admin", "data_officer"}


@pytest.mark.parametrize("page", ["edit", "resource_create", "schedule", "withdraw"])
def test_staff_pages_permission_matrix(client, page):
    item = dataset(title="Parks")
    for who, user in _people(item.publisher).items():
        client.logout()
        if user is not None:
            client.force_login(user)
        path = {"resource_create": "resource/new"}.get(page, page)
        response = client.get(f"/dataset/{item.name}/{path}/")
        if who == "anonymous":
            assert response.status_code == 302, who
        elif who in EDIT_ALLOWED:
            assert response.status_code == 200, who
        else:
            assert response.status_code == 403, who


def test_drafts_are_hidden_from_the_public(client):
    draft = dataset(title="Draft", publish=False)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(member(draft.publisher))
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_create_edit_publish_through_the_pages(client):
    org = organisation()
    client.force_login(officer())
    response = client.post(
        "/dataset/new/",
        {
            "title": "Library visits",
            "name": "",
            "description": "Visits per *library*.",
            "publisher": org.slug,
            "licence": "",
            "tags": "libraries, visits",
            "update_frequency": "R/P1M",
        },
    )
    assert response.status_code == 302
    item = Dataset.objects.get(name="library-visits")
    response = client.post(
        f"/dataset/{item.name}/resource/new/",
        {"name": "Visits", "upload": csv_upload(CSV, "visits.csv")},
    )
    assert response.status_code == 302
    response = client.post(
        f"/dataset/{item.name}/resource/new/",
        {"name": "Broken", "upload": csv_upload("a,b\n1\n", "broken.csv")},
    )
    assert response.status_code == 200
    assert "Line 2: expected 2 fields but found 1." in response.content.decode()
    response = client.post(f"/dataset/{item.name}/publish/")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == Dataset.State.PUBLISHED
    response = client.get("/dataset/?q=library&tags=visits")
    assert "Library visits" in response.content.decode()


def test_public_pages(client):
    item = dataset(title="Street crime", csv=CSV, update_frequency="R/P1M")
    resource = item.resources.get()
    for url in [
        "/dataset/",
        "/publisher/",
        f"/publisher/{item.publisher.slug}/",
        "/releases/",
        resource.get_absolute_url(),
    ]:
        assert client.get(url).status_code == 200, url
    feed = client.get("/feeds/datasets.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert b"Street crime" in feed.content
    download = client.get(f"/download/{resource.uuid}")
    assert b"".join(download.streaming_content).decode() == CSV
    calendar = client.get("/releases/").content.decode()
    assert "Street crime" in calendar


def test_overdue_list_for_staff(client):
    item = dataset(title="Late data", update_frequency="R/P1M")
    Dataset.objects.filter(pk=item.pk).update(next_release_on=today() - dt.timedelta(days=2))
    client.force_login(UserFactory())
    assert client.get("/releases/overdue/").status_code == 403
    client.force_login(officer())
    assert "Late data" in client.get("/releases/overdue/").content.decode()
