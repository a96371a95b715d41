"""DCAT-AP 2.1.1 (and schema.org) descriptions of the catalogue, serialised with rdflib.

URIs follow ckanext-dcat: the catalogue is the site URL, a dataset is
``{site}/dataset/{uuid}``, a distribution ``{site}/dataset/{uuid}/resource/{uuid}``.
The catalogue is paged 100 datasets a page with Hydra paging (``hydra:PagedCollection`` with
both ``hydra:next`` and the older ``hydra:nextPage`` that harvesters read) and filtered by
``modified_since``. Output validates against the DCAT-AP 2.1.1 SHACL shapes (tests/).

Not emitted: ``spdx:checksum`` (DCAT-AP 2.1.1 allows only SHA-1; we keep SHA-256, which the
CKAN API's ``hash`` carries).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from .ckan.packages import site_url
from .models import Dataset, Frequency
from .text import markdown_to_text

__all__ = [
    "FORMATS",
    "PAGE_SIZE",
    "catalogue_graph",
    "dataset_graph",
    "dataset_uri",
    "schema_org",
    "serialise",
]

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
IANA = "https://www.iana.org/assignments/media-types/"

PAGE_SIZE = 100
# format -> (rdflib serialiser, content type)
FORMATS = {
    "ttl": ("turtle", "text/turtle"),
    "rdf": ("pretty-xml", "application/rdf+xml"),
    "xml": ("pretty-xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}
FREQUENCIES = {
    Frequency.DAILY: "DAILY",
    Frequency.WEEKLY: "WEEKLY",
    Frequency.MONTHLY: "MONTHLY",
    Frequency.QUARTERLY: "QUARTERLY",
    Frequency.BIANNUAL: "BIANNUAL",
    Frequency.ANNUAL: "ANNUAL",
    Frequency.IRREGULAR: "IRREG",
    Frequency.NEVER: "NEVER",
}


def _bind(graph: Graph) -> Graph:
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("vcard", VCARD),
        ("skos", SKOS),
        ("hydra", HYDRA),
        ("adms", ADMS),
        ("xsd", XSD),
    ):
        graph.bind(prefix, ns)
    return graph


def dataset_uri(dataset: Dataset) -> URIRef:
    return URIRef(f"{site_url()}/dataset/{dataset.uuid}")


def _datetime(value: dt.datetime) -> Literal:
    return Literal(
        value.astimezone(dt.UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime
    )


def _agent(graph: Graph, organisation: Any) -> URIRef:
    node = URIRef(f"{site_url()}/publisher/{organisation.slug}")
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, RDF.type, FOAF.Organization))
    graph.add((node, FOAF.name, Literal(organisation.name)))
    if organisation.website:
        graph.add((node, FOAF.homepage, URIRef(organisation.website)))
    return node


def add_dataset(graph: Graph, dataset: Dataset) -> URIRef:
    """Add one dataset (loaded with ``Dataset.objects.for_page()``) to ``graph``."""
    node = dataset_uri(dataset)
    page = URIRef(site_url() + dataset.get_absolute_url())
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.title, Literal(dataset.title, lang="en")))
    graph.add(
        (node, DCTERMS.description, Literal(markdown_to_text(dataset.description), lang="en"))
    )
    graph.add((node, DCTERMS.identifier, Literal(str(dataset.uuid))))
    graph.add((node, DCAT.landingPage, page))
    graph.add((page, RDF.type, FOAF.Document))
    if dataset.published_at:
        graph.add((node, DCTERMS.issued, _datetime(dataset.published_at)))
    graph.add((node, DCTERMS.modified, _datetime(dataset.modified_at)))
    graph.add((node, DCTERMS.publisher, _agent(graph, dataset.publisher)))
    for tag in dataset.tags.all():
        graph.add((node, DCAT.keyword, Literal(tag.name, lang="en")))
    for theme in dataset.themes.all():
        concept = URIRef(theme.uri) if theme.uri else URIRef(f"{site_url()}/theme/{theme.slug}")
        graph.add((node, DCAT.theme, concept))
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, SKOS.prefLabel, Literal(theme.title, lang="en")))
    frequency = EU_FREQUENCY[FREQUENCIES[Frequency(dataset.update_frequency)]]
    graph.add((node, DCTERMS.accrualPeriodicity, frequency))
    graph.add((frequency, RDF.type, DCTERMS.Frequency))
    if dataset.contact_name or dataset.contact_email:
        contact = BNode()
        graph.add((node, DCAT.contactPoint, contact))
        graph.add((contact, RDF.type, VCARD.Kind))
        graph.add((contact, RDF.type, VCARD.Organization))
        graph.add((contact, VCARD.fn, Literal(dataset.contact_name or dataset.publisher.name)))
        if dataset.contact_email:
            graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{dataset.contact_email}")))
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        graph.add((node, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            graph.add((period, DCAT.startDate, Literal(dataset.temporal_start, datatype=XSD.date)))
        if dataset.temporal_end:
            graph.add((period, DCAT.endDate, Literal(dataset.temporal_end, datatype=XSD.date)))
    for place in dataset.spatial.all():
        location = URIRef(f"{site_url()}{place.get_absolute_url()}")
        graph.add((node, DCTERMS.spatial, location))
        graph.add((location, RDF.type, DCTERMS.Location))
        graph.add((location, SKOS.prefLabel, Literal(place.name, lang="en")))
        if place.code:
            graph.add((location, DCTERMS.identifier, Literal(place.code)))
    licence = URIRef(dataset.licence.url) if dataset.licence.url else None
    if licence is not None:
        graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
        graph.add((licence, RDFS.label, Literal(dataset.licence.title)))
    for resource in dataset.resources.all():
        dist = URIRef(f"{node}/resource/{resource.uuid}")
        graph.add((node, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.title, Literal(resource.name, lang="en")))
        if resource.description:
            graph.add((dist, DCTERMS.description, Literal(resource.description, lang="en")))
        path = resource.download_path()
        url = URIRef(site_url() + path if path.startswith("/") else path)
        graph.add((dist, DCAT.accessURL, url))
        if resource.is_upload:
            graph.add((dist, DCAT.downloadURL, url))
        graph.add((dist, DCTERMS.modified, _datetime(resource.last_modified)))
        if licence is not None:
            graph.add((dist, DCTERMS.license, licence))
        if resource.format:
            fmt = URIRef(
                "http://publications.europa.eu/resource/authority/file-type/"
                + resource.format.upper()
            )
            graph.add((dist, DCTERMS.format, fmt))
            graph.add((fmt, RDF.type, DCTERMS.MediaTypeOrExtent))
        if resource.media_type:
            media = URIRef(IANA + resource.media_type)
            graph.add((dist, DCAT.mediaType, media))
            graph.add((media, RDF.type, DCTERMS.MediaType))
        if resource.size is not None:
            graph.add((dist, DCAT.byteSize, Literal(resource.size, datatype=XSD.decimal)))
    return node


def _catalogue_node(graph: Graph) -> URIRef:
    node = URIRef(site_url() + "/")
    graph.add((node, RDF.type, DCAT.Catalog))
    graph.add((node, DCTERMS.title, Literal("Big Society open data", lang="en")))
    graph.add(
        (
            node,
            DCTERMS.description,
            Literal("Open data published by the organisations of the area.", lang="en"),
        )
    )
    publisher = URIRef(site_url() + "/#publisher")
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal("Big Society")))
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((node, FOAF.homepage, URIRef(site_url() + "/")))
    graph.add((URIRef(site_url() + "/"), RDF.type, FOAF.Document))
    return node


def catalogue_graph(
    *, page: int = 1, modified_since: dt.datetime | None = None, fmt: str = "ttl"
) -> Graph:
    """One page of the catalogue: published datasets, oldest id first."""
    graph = _bind(Graph())
    catalogue = _catalogue_node(graph)
    datasets = Dataset.objects.published()
    if modified_since is not None:
        datasets = datasets.filter(modified_at__gte=modified_since)
    total = datasets.count()
    page_items = list(
        datasets.for_page().order_by("uuid")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    )
    latest = None
    for dataset in page_items:
        graph.add((catalogue, DCAT.dataset, add_dataset(graph, dataset)))
        latest = max(latest or dataset.modified_at, dataset.modified_at)
    graph.add((catalogue, DCTERMS.modified, _datetime(latest or timezone.now())))

    base = f"{site_url()}/catalog.{fmt}"

    def page_url(number: int) -> URIRef:
        query: dict[str, Any] = {"page": number}
        if modified_since is not None:
            query["modified_since"] = modified_since.isoformat()
        return URIRef(f"{base}?{urlencode(query)}")

    last = max(1, math.ceil(total / PAGE_SIZE))
    paging = page_url(page)
    graph.add((paging, RDF.type, HYDRA.PagedCollection))
    graph.add((paging, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    graph.add((paging, HYDRA.itemsPerPage, Literal(PAGE_SIZE, datatype=XSD.integer)))
    for predicates, number in (
        ((HYDRA.first, HYDRA.firstPage), 1),
        ((HYDRA.last, HYDRA.lastPage), last),
        ((HYDRA.next, HYDRA.nextPage), page + 1 if page < last else None),
        ((HYDRA.previous, HYDRA.previousPage), page - 1 if page > 1 else None),
    ):
        if number is not None:
            for predicate in predicates:
                graph.add((paging, predicate, page_url(number)))
    return graph


def dataset_graph(dataset: Dataset) -> Graph:
    graph = _bind(Graph())
    add_dataset(graph, dataset)
    return graph


def serialise(graph: Graph, fmt: str) -> tuple[str, str]:
    """(body, content type) for ``fmt`` in FORMATS."""
    serialiser, content_type = FORMATS[fmt]
    if serialiser == "json-ld":
        context = {
            "dcat": str(DCAT),
            "dct": str(DCTERMS),
            "foaf": str(FOAF),
            "vcard": str(VCARD),
            "skos": str(SKOS),
            "hydra": str(HYDRA),
            "xsd": str(XSD),
        }
        return graph.serialize(format="json-ld", context=context, indent=2), content_type
    return graph.serialize(format=serialiser), content_type


def schema_org(dataset: Dataset) -> dict[str, Any]:
    """schema.org Dataset JSON-LD for the dataset page (Google Dataset Search)."""
    page = site_url() + dataset.get_absolute_url()
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": str(dataset_uri(dataset)),
        "name": dataset.title,
        "description": markdown_to_text(dataset.description)[:5000],
        "url": page,
        "identifier": str(dataset.uuid),
        "keywords": [t.name for t in dataset.tags.all()],
        "license": dataset.licence.url or dataset.licence.title,
        "isAccessibleForFree": True,
        "inLanguage": "en-GB",
        "publisher": {
            "@type": "Organization",
            "name": dataset.publisher.name,
            "url": site_url() + f"/publisher/{dataset.publisher.slug}",
        },
        "creator": {"@type": "Organization", "name": dataset.publisher.name},
        "dateModified": dataset.modified_at.isoformat(),
        "includedInDataCatalog": {
            "@type": "DataCatalog",
            "name": "Big Society open data",
            "url": site_url() + "/dataset/",
        },
        "distribution": [],
    }
    if dataset.published_at:
        data["datePublished"] = dataset.published_at.isoformat()
    if dataset.contact_email or dataset.contact_name:
        data["publisher"]["contactPoint"] = {
            "@type": "ContactPoint",
            "name": dataset.contact_name,
            "email": dataset.contact_email,
            "contactType": "data enquiries",
        }
    if dataset.temporal_start or dataset.temporal_end:
        start = dataset.temporal_start.isoformat() if dataset.temporal_start else ".."
        end = dataset.temporal_end.isoformat() if dataset.temporal_end else ".."
        data["temporalCoverage"] = f"{start}/{end}"
    places = list(dataset.spatial.all())
    if places:
        data["spatialCoverage"] = [{"@type": "Place", "name": p.name} for p in places]
    for resource in dataset.resources.all():
        path = resource.download_path()
        item = {
            "@type": "DataDownload",
            "name": resource.name,
            "contentUrl": site_url() + path if path.startswith("/") else path,
            "encodingFormat": resource.media_type or resource.format,
            "dateModified": resource.last_modified.isoformat(),
        }
        if resource.description:
            item["description"] = resource.description
        if resource.size is not None:
            item["contentSize"] = f"{resource.size} B"
        data["distribution"].append(item)
    return data
