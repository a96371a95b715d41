"""DCAT-AP output: validated against the DCAT-AP 2.1.1 SHACL shapes with pyshacl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from bigsociety.opendata import dcat

from .catalogue_helpers import CSV, dataset, organisation, theme

pytestmark = pytest.mark.django_db
SHAPES = Path(__file__).parent / "fixtures" / "dcat"
HYDRA = "http://www.w3.org/ns/hydra/core#"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    graph = Graph()
    for name in (
        "dcat-ap_2.1.1_shacl_shapes.ttl",
        "dcat-ap_2.1.1_shacl_shapes_recommended.ttl",
        "dcat-ap_2.1.1_shacl_range.ttl",
    ):
        graph.parse(SHAPES / name, format="turtle")
    return graph


def _conforms(data: Graph, shapes: Graph) -> None:
    conforms, _graph, text = validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    assert conforms, text


@pytest.fixture
def rich_dataset():
    return dataset(
        title="Street crime",
        publisher=organisation("city-police", "City Police"),
        csv=CSV,
        tags=("crime", "police"),
        themes=(theme(),),
        contact_name="Data team",
        contact_email="data@example.org",
        temporal_start=dt.date(2024, 1, 1),
        temporal_end=dt.date(2024, 12, 31),
        update_frequency="R/P1M",
    )


@pytest.mark.parametrize("fmt,parser", [("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld")])
def test_dataset_endpoints_validate(client, shapes, rich_dataset, fmt, parser):
    # when
    response = client.get(f"/dataset/{rich_dataset.name}.{fmt}")
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith(dcat.FORMATS[fmt][1])
    graph = Graph().parse(data=response.content, format=parser)
    node = URIRef(f"http://127.0.0.1:8000/dataset/{rich_dataset.uuid}")
    assert (node, RDF.type, DCAT.Dataset) in graph
    assert str(graph.value(node, DCTERMS.title)) == "Street crime"
    assert graph.value(node, DCTERMS.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
    )
    assert len(list(graph.objects(node, DCAT.distribution))) == 1
    _conforms(graph, shapes)


def test_catalogue_validates_and_pages_with_hydra(client, shapes, monkeypatch):
    # given 5 datasets, 2 a page
    monkeypatch.setattr(dcat, "PAGE_SIZE", 2)
    made = sorted((dataset(title=f"Data {i}") for i in range(5)), key=lambda d: str(d.uuid))
    # when
    response = client.get("/catalog.ttl?page=2")
    # then
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="turtle")
    catalogue = URIRef("http://127.0.0.1:8000/")
    listed = {str(o) for o in graph.objects(catalogue, DCAT.dataset)}
    assert listed == {f"http://127.0.0.1:8000/dataset/{d.uuid}" for d in made[2:4]}
    page = URIRef("http://127.0.0.1:8000/catalog.ttl?page=2")
    assert str(graph.value(page, URIRef(HYDRA + "totalItems"))) == "5"
    assert str(graph.value(page, URIRef(HYDRA + "nextPage"))) == (
        "http://127.0.0.1:8000/catalog.ttl?page=3"
    )
    assert str(graph.value(page, URIRef(HYDRA + "previous"))) == (
        "http://127.0.0.1:8000/catalog.ttl?page=1"
    )
    _conforms(graph, shapes)


def test_catalogue_modified_since_and_bad_parameters(client):
    dataset(title="Old data")
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    graph = Graph().parse(
        data=client.get(f"/catalog.jsonld?modified_since={future}").content, format="json-ld"
    )
    assert list(graph.subjects(RDF.type, DCAT.Dataset)) == []
    assert client.get("/catalog.rdf?page=0").status_code == 400
    response = client.get("/catalog.rdf?modified_since=yesterday")
    assert response.status_code == 400
    assert b"modified_since" in response.content


def test_dataset_page_links_alternates_and_embeds_schema_org(client, rich_dataset):
    response = client.get(rich_dataset.get_absolute_url())
    html = response.content.decode()
    name = rich_dataset.name
    assert f'<link rel="alternate" type="text/turtle" href="/dataset/{name}.ttl">' in html
    assert f'<link rel="alternate" type="application/rdf+xml" href="/dataset/{name}.rdf">' in html
    assert (
        f'<link rel="alternate" type="application/ld+json" href="/dataset/{name}.jsonld">' in html
    )
    assert '<script type="application/ld+json">' in html
    data = dcat.schema_org(rich_dataset)
    assert data["@type"] == "Dataset"
    assert data["name"] == "Street crime"
    assert data["temporalCoverage"] == "2024-01-01/2024-12-31"
    assert data["distribution"][0]["encodingFormat"] == "text/csv"


def test_drafts_are_not_in_dcat(client):
    draft = dataset(title="Secret draft", publish=False)
    assert client.get(f"/dataset/{draft.name}.ttl").status_code == 404
    graph = Graph().parse(data=client.get("/catalog.ttl").content, format="turtle")
    assert list(graph.subjects(RDF.type, DCAT.Dataset)) == []
