"""The CKAN Action API driven by the real ckanapi client against a live test server."""

from __future__ import annotations

import datetime as dt
import io
import json
import time

import ckanapi
import pytest
import requests

from bigsociety.accounts.services import api_token_issue
from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.opendata.models import Dataset, Resource

from .catalogue_helpers import CSV, dataset, officer, organisation, theme

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.live]


@pytest.fixture
def catalogue():
    council = organisation("city-council", "City Council")
    police = organisation("city-police", "City Police")
    crime = theme("crime-and-justice", "Crime and justice")
    a = dataset(
        title="Street crime", publisher=police, tags=("crime", "police"), themes=(crime,), csv=CSV
    )
    b = dataset(title="Spend over 500", publisher=council, tags=("spend", "finance"))
    c = dataset(title="Crime prevention grants", publisher=council, tags=("crime", "grants"))
    draft = dataset(title="Draft crime figures", publisher=police, publish=False)
    return {"street": a, "spend": b, "grants": c, "draft": draft}


@pytest.fixture(params=[False, True], ids=["post", "get_only"])
def ckan(request, live_server):
    return ckanapi.RemoteCKAN(live_server.url, get_only=request.param)


def test_package_search_returns_the_envelope_and_full_dicts(ckan, catalogue):
    # when
    result = ckan.action.package_search(
        q="crime", facet=True, **{"facet.field": json.dumps(["organization", "tags"])}
    )
    # then
    assert result["count"] == 2
    assert sorted(p["name"] for p in result["results"]) == [
        "crime-prevention-grants",
        "street-crime",
    ]
    assert result["facets"] == {
        "organization": {"city-council": 1, "city-police": 1},
        "tags": {"crime": 2, "police": 1, "grants": 1},
    }
    assert result["search_facets"]["organization"]["items"] == [
        {"name": "city-police", "display_name": "City Police", "count": 1},
        {"name": "city-council", "display_name": "City Council", "count": 1},
    ]
    street = next(p for p in result["results"] if p["name"] == "street-crime")
    assert street["organization"]["name"] == "city-police"
    assert street["groups"][0]["name"] == "crime-and-justice"
    assert street["resources"][0]["datastore_active"] is True
    assert street["license_id"] == "OGL-UK-3.0"


def test_raw_envelope_and_status_codes(live_server, catalogue):
    base = live_server.url
    # when / then: success envelope on the versioned and unversioned paths
    for path in ("/api/3/action/package_list", "/api/action/package_list"):
        response = requests.get(base + path, allow_redirects=False, timeout=10)
        assert response.status_code == 200
        assert response.json() == {
            "help": f"{base}/api/3/action/help_show?name=package_list",
            "success": True,
            "result": ["crime-prevention-grants", "spend-over-500", "street-crime"],
        }
    # not found
    response = requests.get(base + "/api/3/action/package_show?id=nope", timeout=10)
    assert response.status_code == 404
    assert response.json()["error"] == {
        "__type": "Not Found Error",
        "message": "Not found: Dataset not found",
    }
    # validation error names the field
    response = requests.get(base + "/api/3/action/package_search?rows=many", timeout=10)
    assert response.status_code == 409
    assert response.json()["error"] == {"rows": ["Invalid integer"], "__type": "Validation Error"}
    # malformed fq: 400 Search Query Error, never a 500
    response = requests.get(base + "/api/3/action/package_search?fq=colour:red", timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]["__type"] == "Search Query Error"
    assert "colour" in response.json()["error"]["message"]
    # unknown action and GET on a write: a bare string
    response = requests.get(base + "/api/3/action/no_such_thing", timeout=10)
    assert response.status_code == 400
    assert response.json() == "Bad request - Action name not known: no_such_thing"
    response = requests.get(base + "/api/3/action/package_create", timeout=10)
    assert response.status_code == 400
    assert "Please use POST" in response.json()
    # POST with a body that is not JSON
    response = requests.post(
        base + "/api/3/action/package_show",
        data=b"{nope",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400


def test_errors_map_to_ckanapi_exceptions(ckan, catalogue):
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id=catalogue["draft"].name)  # drafts are not public
    with pytest.raises(ckanapi.ValidationError) as error:
        ckan.action.package_search(start="-3")
    assert error.value.error_dict == {
        "start": ["Must be a natural number of at least 0"],
        "__type": "Validation Error",
    }
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="tags:(crime")
    if ckan.get_only:  # writes are POST only: CKAN answers a GET with a bare 400 string
        with pytest.raises(ckanapi.CKANAPIError, match="Please use POST"):
            ckan.action.package_create(name="x", owner_org="city-council")
    else:
        with pytest.raises(ckanapi.NotAuthorized):
            ckan.action.package_create(name="x", owner_org="city-council")


def test_fq_semantics(ckan, catalogue):
    def names(**kw):
        return sorted(p["name"] for p in ckan.action.package_search(**kw)["results"])

    assert names(fq="organization:city-council") == ["crime-prevention-grants", "spend-over-500"]
    assert names(fq="-organization:city-council") == ["street-crime"]
    assert names(fq="tags:spend OR tags:police") == ["spend-over-500", "street-crime"]
    assert names(fq="+tags:crime -tags:police") == ["crime-prevention-grants"]
    assert names(fq='groups:"crime-and-justice"') == ["street-crime"]
    assert names(fq="res_format:CSV") == ["street-crime"]
    assert names(fq="license_id:OGL-UK-3.0 capacity:public", rows=2, sort="name asc") == [
        "crime-prevention-grants",
        "spend-over-500",
    ]
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert names(fq=f"metadata_modified:[{later} TO *]") == []
    assert len(names(fq="metadata_modified:[2000-01-01T00:00:00Z TO *]")) == 3


def test_rows_default_and_cap(live_server):
    # given 12 datasets
    for i in range(12):
        dataset(title=f"Dataset {i:02d}", url="https://example.org/x.csv")
    ckan = ckanapi.RemoteCKAN(live_server.url)
    # when / then
    assert len(ckan.action.package_search()["results"]) == 10
    result = ckan.action.package_search(rows=5000)  # clamped silently, not an error
    assert len(result["results"]) == 12
    assert result["count"] == 12


def test_harvester_paging_and_incremental_harvest(live_server):
    # given 23 datasets
    created = [dataset(title=f"Harvest {i}", url="https://example.org/h.csv") for i in range(23)]
    session = requests.Session()
    base = live_server.url + "/api/3/action/package_search"

    # when: the CKAN harvester's loop (rows=10 here, 100 in production)
    def harvest(fq: str | None = None) -> list[str]:
        ids: list[str] = []
        start, previous = 0, None
        while True:
            params = {"rows": 10, "start": start, "sort": "id asc"}
            if fq:
                params["fq"] = fq
            response = session.get(base, params=params, timeout=10)
            assert response.status_code == 200
            assert response.content != previous, "The paging doesn't seem to work"
            previous = response.content
            results = response.json()["result"]["results"]
            if not results:
                return ids
            ids.extend(p["id"] for p in results)
            start += 10

    ids = harvest()
    # then: every dataset once, in id order
    assert ids == sorted(str(d.uuid) for d in created)
    # and an incremental harvest sees only what changed since the last one
    time.sleep(1.1)
    since = dt.datetime.now(dt.UTC).replace(microsecond=0)
    from bigsociety.opendata.services import catalogue as services

    services.dataset_update(dataset=created[5], acting_user=None, title="Harvest five, revised")
    changed = harvest(fq=f"metadata_modified:[{since.strftime('%Y-%m-%dT%H:%M:%SZ')} TO *]")
    assert changed == [str(created[5].uuid)]


def test_read_actions(ckan, catalogue):
    street = catalogue["street"]
    resource = street.resources.get()
    assert ckan.action.package_show(id=str(street.uuid))["name"] == "street-crime"
    assert ckan.action.resource_show(id=str(resource.uuid))["format"] == "CSV"
    assert ckan.action.organization_list() == ["city-council", "city-police"]
    orgs = ckan.action.organization_list(all_fields=True, sort="package_count desc")
    assert [(o["name"], o["package_count"]) for o in orgs] == [
        ("city-council", 2),
        ("city-police", 1),
    ]
    shown = ckan.action.organization_show(id="city-police", include_datasets=True)
    assert shown["title"] == "City Police"
    assert [p["name"] for p in shown["packages"]] == ["street-crime"]
    assert ckan.action.organization_show(id=shown["id"])["name"] == "city-police"
    assert ckan.action.group_list() == ["crime-and-justice"]
    assert ckan.action.group_show(id="crime-and-justice")["package_count"] == 1
    assert ckan.action.tag_list() == ["crime", "finance", "grants", "police", "spend"]
    assert ckan.action.tag_list(query="cri") == ["crime"]
    licences = {lic["id"]: lic for lic in ckan.action.license_list()}
    assert licences["OGL-UK-3.0"]["title"] == "Open Government Licence v3.0"
    assert ckan.action.status_show()["extensions"] == ["datastore", "dcat"]
    assert "Search datasets" in ckan.action.help_show(name="package_search")
    recent = ckan.action.current_package_list_with_resources(limit=2)
    assert [p["name"] for p in recent] == ["crime-prevention-grants", "spend-over-500"]


def test_datastore_search(ckan, catalogue, live_server):
    resource = catalogue["street"].resources.get()
    rid = str(resource.uuid)
    result = ckan.action.datastore_search(resource_id=rid, limit=2)
    assert result["total"] == 4
    assert [f["id"] for f in result["fields"]] == [
        "_id",
        "Month",
        "Ward",
        "Crime type",
        "Count",
        "Rate",
        "Reported",
    ]
    assert [f["type"] for f in result["fields"]] == [
        "int",
        "text",
        "text",
        "text",
        "int",
        "numeric",
        "date",
    ]
    assert result["records"][0] == {
        "_id": 1,
        "Month": "2024-01",
        "Ward": "Castle",
        "Crime type": "Burglary",
        "Count": 12,
        "Rate": 1.5,
        "Reported": "2024-02-01",
    }
    filtered = ckan.action.datastore_search(
        resource_id=rid,
        filters=json.dumps({"Ward": "Castle", "Crime type": "Burglary"}),
        sort="Count desc",
        fields="Month,Count",
    )
    assert filtered["total"] == 2
    assert filtered["records"] == [
        {"Month": "2024-01", "Count": 12},
        {"Month": "2024-02", "Count": 9},
    ]
    with pytest.raises(ckanapi.ValidationError) as error:
        ckan.action.datastore_search(resource_id=rid, filters=json.dumps({"Count": "lots"}))
    assert error.value.error_dict["filters"] == ["'Count' is int: cannot use 'lots'"]
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=rid, sort="Colour asc")
    assert ckan.action.datastore_search(resource_id=rid, limit=99999)["limit"] == 32000
    with pytest.raises(ckanapi.NotFound):
        ckan.action.datastore_search(resource_id="00000000-0000-0000-0000-000000000000")
    dump = requests.get(f"{live_server.url}/datastore/dump/{rid}", timeout=10)
    assert dump.status_code == 200
    assert dump.text.splitlines()[0] == "_id,Month,Ward,Crime type,Count,Rate,Reported"
    assert dump.text.splitlines()[4] == "4,2024-02,Castle,Burglary,9,1.1,2024-03-01"


def test_writes_need_a_data_officers_token(live_server, catalogue):
    # given
    _token, officer_key = api_token_issue(user=officer(), name="ckan")
    _token, resident_key = api_token_issue(user=UserFactory(), name="mine")
    before = Dataset.objects.count()
    # when a resident tries
    resident = ckanapi.RemoteCKAN(live_server.url, apikey=resident_key)
    with pytest.raises(ckanapi.NotAuthorized):
        resident.action.package_create(
            name="bus-stops",
            title="Bus stops",
            notes="Where the buses stop.",
            owner_org="city-council",
        )
    assert Dataset.objects.count() == before
    # and with a wrong token
    response = requests.post(
        live_server.url + "/api/3/action/package_show",
        json={"id": "x"},
        headers={"Authorization": "Bearer bs_wrong"},
        timeout=10,
    )
    assert response.status_code == 403
    # when an officer creates a dataset with ckanapi (Authorization without "Bearer")
    ckan = ckanapi.RemoteCKAN(live_server.url, apikey=officer_key)
    created = ckan.action.package_create(
        name="bus-stops",
        title="Bus stops",
        notes="Where the **buses** stop.",
        owner_org="city-council",
        tags=[{"name": "Transport"}],
        extras=[{"key": "frequency", "value": "R/P1M"}],
        private=True,
    )
    # then
    assert created["state"] == "draft"
    assert created["private"] is True
    assert created["tags"][0]["name"] == "transport"
    # when a CSV is uploaded (multipart) and the dataset is made public
    resource = ckan.action.resource_create(
        package_id="bus-stops", name="Stops", upload=("stops.csv", io.BytesIO(CSV.encode()))
    )
    assert resource["datastore_active"] is True
    assert resource["size"] == len(CSV.encode())
    published = ckan.action.package_patch(id="bus-stops", private=False)
    assert published["state"] == "active"
    # and a Bearer header works too
    response = requests.post(
        live_server.url + "/api/action/package_patch",
        json={"id": "bus-stops", "title": "Bus stops and shelters"},
        headers={"Authorization": f"Bearer {officer_key}"},
        timeout=10,
    )
    assert response.json()["result"]["title"] == "Bus stops and shelters"
    # bad input names the field
    with pytest.raises(ckanapi.ValidationError) as error:
        ckan.action.package_create(name="bus-stops", notes="again", owner_org="city-council")
    assert error.value.error_dict["name"] == ["That URL is already in use."]
    with pytest.raises(ckanapi.ValidationError) as error:
        ckan.action.package_create(name="x1", notes="n", owner_org="nobody")
    assert error.value.error_dict["owner_org"] == ["Organization does not exist"]


def test_bad_csv_through_the_api_is_refused_with_the_line(live_server, catalogue):
    _token, key = api_token_issue(user=officer(), name="ckan")
    ckan = ckanapi.RemoteCKAN(live_server.url, apikey=key)
    bad = "a,b\n1,2\n3,4,5\n"
    with pytest.raises(ckanapi.ValidationError) as error:
        ckan.action.resource_create(
            package_id="spend-over-500", name="Bad", upload=("bad.csv", io.BytesIO(bad.encode()))
        )
    assert error.value.error_dict["upload"] == ["Line 3: expected 2 fields but found 3."]
    assert Resource.objects.filter(name="Bad").count() == 0
