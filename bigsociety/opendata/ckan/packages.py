"""CKAN dictionaries built from our models (the adapter's vocabulary: package, organization,
group, license). Built once per change by the services and stored in the search document, so
``package_search`` and harvests never rebuild them per result.

Mapping: dataset -> package (``id`` = dataset uuid, ``state`` active/draft/deleted for
published/draft/withdrawn, ``notes`` = Markdown description, ``maintainer`` = contact);
publisher -> organization; theme -> group; update frequency, next release, temporal and
spatial coverage -> ``extras``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings

from bigsociety.organisations.models import Organisation

from ..models import Dataset, Licence, Resource, Theme

_NAMESPACE = uuid.UUID("5b0c1e3a-4f4e-4b8e-9a61-6f70656e6461")

STATE_TO_CKAN: dict[str, str] = {
    Dataset.State.PUBLISHED: "active",
    Dataset.State.DRAFT: "draft",
    Dataset.State.WITHDRAWN: "deleted",
}


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def iso(value: Any) -> str | None:
    """CKAN's timestamp form: naive UTC ISO 8601 with microseconds, no offset."""
    if value is None:
        return None
    if getattr(value, "tzinfo", None) is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat()


def organisation_id(organisation: Organisation) -> str:
    """A stable, non-sequential id for an organisation (CKAN organization ``id``)."""
    return str(uuid.uuid5(_NAMESPACE, f"organisation:{organisation.pk}"))


def theme_id(theme: Theme) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"theme:{theme.pk}"))


def tag_id(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"tag:{name}"))


def organization_dict(org: Organisation, *, package_count: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": organisation_id(org),
        "name": org.slug,
        "title": org.name,
        "display_name": org.name,
        "type": "organization",
        "description": org.description,
        "image_url": "",
        "image_display_url": "",
        "created": iso(org.created_at),
        "is_organization": True,
        "approval_status": "approved",
        "state": "active",
    }
    if package_count is not None:
        data["package_count"] = package_count
    return data


def group_dict(theme: Theme, *, package_count: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": theme_id(theme),
        "name": theme.slug,
        "title": theme.title,
        "display_name": theme.title,
        "type": "group",
        "description": theme.description,
        "image_url": "",
        "image_display_url": "",
        "created": iso(theme.created_at),
        "is_organization": False,
        "approval_status": "approved",
        "state": "active",
    }
    if package_count is not None:
        data["package_count"] = package_count
    return data


def license_dict(licence: Licence) -> dict[str, Any]:
    return {
        "id": licence.code,
        "title": licence.title,
        "url": licence.url,
        "status": "active",
        "maintainer": "",
        "family": "",
        "od_conformance": "approved" if licence.is_open else "not reviewed",
        "osd_conformance": "not reviewed",
        "domain_content": True,
        "domain_data": True,
        "domain_software": False,
        "is_generic": False,
        "is_okd_compliant": licence.is_open,
        "is_osi_compliant": False,
    }


def resource_dict(resource: Resource, dataset: Dataset) -> dict[str, Any]:
    path = resource.download_path()
    url = site_url() + path if path.startswith("/") else path
    return {
        "id": str(resource.uuid),
        "package_id": str(dataset.uuid),
        "name": resource.name,
        "description": resource.description,
        "url": url,
        "url_type": "upload" if resource.is_upload else None,
        "format": resource.format,
        "mimetype": resource.media_type or None,
        "mimetype_inner": None,
        "size": resource.size,
        "hash": f"sha256:{resource.checksum}" if resource.checksum else "",
        "state": "active",
        "position": resource.position,
        "resource_type": None,
        "cache_url": None,
        "cache_last_updated": None,
        "created": iso(resource.created_at),
        "last_modified": iso(resource.last_modified),
        "metadata_modified": iso(resource.updated_at),
        "datastore_active": resource.datastore_active,
    }


def package_dict(dataset: Dataset) -> dict[str, Any]:
    """The full CKAN package dict. ``dataset`` must come from ``Dataset.objects.for_page()``
    (or have the same relations loaded), so this runs no queries."""
    tags = sorted(t.name for t in dataset.tags.all())
    resources = sorted(dataset.resources.all(), key=lambda r: (r.position, r.pk))
    extras = [
        {"key": "frequency", "value": dataset.update_frequency},
        {"key": "update_frequency", "value": dataset.update_frequency},
    ]
    if dataset.next_release_on:
        extras.append({"key": "next_release", "value": dataset.next_release_on.isoformat()})
    if dataset.temporal_start:
        extras.append({"key": "temporal_start", "value": dataset.temporal_start.isoformat()})
    if dataset.temporal_end:
        extras.append({"key": "temporal_end", "value": dataset.temporal_end.isoformat()})
    places = sorted(dataset.spatial.all(), key=lambda p: p.name)
    if places:
        extras.append({"key": "spatial_text", "value": ", ".join(p.name for p in places)})
        codes = [p.code for p in places if getattr(p, "code", "")]
        if codes:
            extras.append({"key": "spatial_codes", "value": ",".join(codes)})
    licence = dataset.licence
    return {
        "id": str(dataset.uuid),
        "name": dataset.name,
        "title": dataset.title,
        "type": "dataset",
        "state": STATE_TO_CKAN[dataset.state],
        "private": dataset.state == Dataset.State.DRAFT,
        "author": None,
        "author_email": None,
        "maintainer": dataset.contact_name or None,
        "maintainer_email": dataset.contact_email or None,
        "license_id": licence.code,
        "license_title": licence.title,
        "license_url": licence.url,
        "isopen": licence.is_open,
        "notes": dataset.description,
        "url": site_url() + dataset.get_absolute_url(),
        "version": None,
        "owner_org": organisation_id(dataset.publisher),
        "organization": organization_dict(dataset.publisher),
        "groups": [group_dict(t) for t in sorted(dataset.themes.all(), key=lambda t: t.slug)],
        "tags": [
            {
                "id": tag_id(name),
                "name": name,
                "display_name": name,
                "state": "active",
                "vocabulary_id": None,
            }
            for name in tags
        ],
        "num_tags": len(tags),
        "resources": [resource_dict(r, dataset) for r in resources],
        "num_resources": len(resources),
        "extras": extras,
        "metadata_created": iso(dataset.created_at),
        "metadata_modified": iso(dataset.modified_at),
        "creator_user_id": None,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
