"""CKAN Action API actions. Each takes (data_dict, context) and returns the ``result``.

Errors are raised as the exceptions below (CKAN's names); ``ckan.views`` turns them into
CKAN's envelope and status codes. Read actions are ``side_effect_free`` (GET-able); writes
need an API token of a data officer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q

from bigsociety.organisations.models import Organisation

from .. import datastore as datastore_reader
from ..models import Dataset, Licence, Resource, SearchDocument, SearchFacet, Tag, Theme
from ..search import SearchParams, search
from ..selectors import editable_publisher_ids, is_data_officer
from ..services import catalogue as services
from .packages import group_dict, license_dict, organisation_id, organization_dict, theme_id
from .query import FACET_FIELDS, QueryError

ROWS_MAX = 1000
FACET_LIMIT_DEFAULT = 50
SEARCH_PARAMS = {
    "q",
    "fq",
    "fq_list",
    "rows",
    "start",
    "sort",
    "facet",
    "facet.field",
    "facet.limit",
    "facet.mincount",
    "include_private",
    "include_drafts",
    "include_deleted",
    "use_default_schema",
    "fl",
    "qf",
    "wt",
    "defType",
    "mm",
    "bf",
    "boost",
    "tie",
    "df",
    "callback",
    "_",
}


class ActionError(Exception):
    pass


class NotFound(ActionError):
    pass


class NotAuthorized(ActionError):
    pass


class ValidationError(ActionError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(str(errors))
        self.errors = errors


class SearchQueryError(ActionError):
    pass


class SearchError(ActionError):
    pass


@dataclass
class Context:
    user: Any  # a User or None (anonymous)
    site_url: str
    method: str


Action = Callable[[dict[str, Any], Context], Any]
ACTIONS: dict[str, Action] = {}
SIDE_EFFECT_FREE: set[str] = set()


def action(*, get: bool) -> Callable[[Action], Action]:
    def register(func: Action) -> Action:
        ACTIONS[func.__name__] = func
        if get:
            SIDE_EFFECT_FREE.add(func.__name__)
        return func

    return register


# --- parameter helpers -----------------------------------------------------------------------


def _int(data: dict[str, Any], name: str, default: int | None, minimum: int = 0) -> int | None:
    value = data.get(name, default)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise ValidationError({name: ["Invalid integer"]})
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise ValidationError({name: ["Invalid integer"]}) from exc
    if number < minimum:
        raise ValidationError({name: [f"Must be a natural number of at least {minimum}"]})
    return number


def _bool(data: dict[str, Any], name: str, default: bool) -> bool:
    value = data.get(name, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", ""):
        return False
    raise ValidationError({name: ["Value must be one of: true, false"]})


def _str(data: dict[str, Any], name: str, default: str = "") -> str:
    value = data.get(name, default)
    if value is None:
        return default
    if isinstance(value, list | dict):
        raise ValidationError({name: ["Must be a string"]})
    return str(value)


def _json_list(data: dict[str, Any], name: str) -> list[str]:
    value = data.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ValidationError({name: ["Must be a JSON list of strings"]}) from exc
        if isinstance(value, str):  # JSON-encoded string of a list
            try:
                value = json.loads(value)
            except ValueError:
                value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError({name: ["Must be a JSON list of strings"]})
    return value


def _json_value(data: dict[str, Any], name: str) -> Any:
    value = data.get(name)
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ValidationError({name: ["Could not parse as valid JSON"]}) from exc
    return value


def _required(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({name: ["Missing value"]})
    if isinstance(value, list | dict):
        raise ValidationError({name: ["Must be a string"]})
    return str(value).strip()


def _drafts_for(user: Any) -> Any:
    ids = editable_publisher_ids(user)
    if ids is None:
        return "all"
    return ids or None


# --- reads -----------------------------------------------------------------------------------


def _search_result(data: dict[str, Any], ctx: Context) -> dict[str, Any]:
    unknown = sorted(k for k in data if k not in SEARCH_PARAMS and not k.startswith("ext_"))
    if unknown:
        raise SearchError(f"Invalid search parameters: {unknown}")
    rows = min(_int(data, "rows", 10) or 0, ROWS_MAX)
    start = _int(data, "start", 0) or 0
    facet = _bool(data, "facet", True)
    fields = _json_list(data, "facet.field") if facet else []
    facet_limit = _int(data, "facet.limit", FACET_LIMIT_DEFAULT, minimum=-1)
    facet_mincount = _int(data, "facet.mincount", 1) or 1
    fq = _str(data, "fq")
    fq_list = data.get("fq_list") or []
    if isinstance(fq_list, str):
        fq_list = [fq_list]
    if fq_list:
        fq = " ".join(f"({part})" for part in [fq, *fq_list] if str(part).strip())
    drafts = None
    if ctx.user is not None and (
        _bool(data, "include_private", False) or _bool(data, "include_drafts", False)
    ):
        drafts = _drafts_for(ctx.user)
    params = SearchParams(
        q=_str(data, "q"),
        fq=fq,
        sort=_str(data, "sort"),
        rows=rows,
        start=start,
        facet_fields=fields,
        facet_limit=facet_limit if facet_limit is not None else FACET_LIMIT_DEFAULT,
        facet_mincount=facet_mincount,
        drafts=drafts,
    )
    try:
        result = search(params)
    except QueryError as exc:
        raise SearchQueryError(f"{exc.param}: {exc}") from exc
    facets = {name: dict(values) for name, values in result.facets.items()}
    titles = _display_names(result.facets)
    search_facets = {}
    for name, values in result.facets.items():
        items: list[dict[str, Any]] = [
            {"name": value, "display_name": titles.get((name, value), value), "count": count}
            for value, count in values
        ]
        items.sort(key=lambda item: item["display_name"], reverse=True)
        search_facets[name] = {"title": name, "items": items}
    return {
        "count": result.count,
        "facets": facets,
        "results": result.packages,
        "sort": result.sort,
        "search_facets": search_facets,
    }


def _display_names(facets: dict[str, list[tuple[str, int]]]) -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    if facets.get("organization"):
        slugs = [v for v, _n in facets["organization"]]
        for slug, title in Organisation.objects.filter(slug__in=slugs).values_list("slug", "name"):
            names[("organization", slug)] = title
    if facets.get("groups"):
        slugs = [v for v, _n in facets["groups"]]
        for slug, title in Theme.objects.filter(slug__in=slugs).values_list("slug", "title"):
            names[("groups", slug)] = title
    if facets.get("license_id"):
        codes = [v for v, _n in facets["license_id"]]
        for code, title in Licence.objects.filter(code__in=codes).values_list("code", "title"):
            names[("license_id", code)] = title
    return names


@action(get=True)
def package_search(data: dict[str, Any], ctx: Context) -> Any:
    """Search datasets. Parameters: q, fq (field:value, -field:value, OR,
    metadata_modified:[2024-01-01T00:00:00Z TO *]), fq_list, rows (default 10, at most 1000),
    start, sort (score desc, metadata_modified desc, id asc, name asc, title_string asc,
    metadata_created desc), facet, facet.field (a JSON list of organization, tags, res_format,
    license_id, groups), facet.limit (default 50, -1 for all), facet.mincount,
    include_private, include_drafts. Returns count, results, facets, search_facets, sort."""
    return _search_result(data, ctx)


def _document(ctx: Context, identifier: str) -> dict[str, Any]:
    document = (
        SearchDocument.objects.filter(Q(uuid=identifier) | Q(name=identifier))
        .values("package", "state", "publisher_id")
        .first()
    )
    if document is None:
        raise NotFound("Dataset not found")
    if document["state"] == Dataset.State.DRAFT:
        ids = editable_publisher_ids(ctx.user) if ctx.user else set()
        if ids is not None and document["publisher_id"] not in ids:
            raise NotFound("Dataset not found")
    package = document["package"]
    return json.loads(package) if isinstance(package, str) else package


@action(get=True)
def package_show(data: dict[str, Any], ctx: Context) -> Any:
    """The full dict of one dataset. Parameters: id (the dataset's id or name)."""
    return _document(ctx, _required(data, "id"))


@action(get=True)
def package_list(data: dict[str, Any], ctx: Context) -> Any:
    """The names of all published datasets, alphabetically. Parameters: limit, offset."""
    limit = _int(data, "limit", None)
    offset = _int(data, "offset", 0) or 0
    names = (
        SearchDocument.objects.filter(state=Dataset.State.PUBLISHED)
        .order_by("name")
        .values_list("name", flat=True)
    )
    return list(names[offset : offset + limit] if limit is not None else names[offset:])


@action(get=True)
def current_package_list_with_resources(data: dict[str, Any], ctx: Context) -> Any:
    """Full dicts of published datasets, most recently modified first.
    Parameters: limit (default and maximum 1000), offset (page is deprecated)."""
    limit = min(_int(data, "limit", ROWS_MAX) or 0, ROWS_MAX)
    offset = _int(data, "offset", 0) or 0
    page = _int(data, "page", None, minimum=1)
    if page is not None and "offset" not in data:
        offset = (page - 1) * limit
    result = search(SearchParams(sort="metadata_modified desc", rows=limit, start=offset))
    return result.packages


@action(get=True)
def resource_show(data: dict[str, Any], ctx: Context) -> Any:
    """One resource's dict. Parameters: id (the resource's id)."""
    identifier = _required(data, "id")
    resource = (
        Resource.objects.filter(uuid=_uuid_or_none(identifier)).values("dataset__uuid").first()
    )
    if resource is None:
        raise NotFound("Resource was not found.")
    package = _document(ctx, str(resource["dataset__uuid"]))
    for item in package["resources"]:
        if item["id"] == identifier.lower():
            return item
    raise NotFound("Resource was not found.")


def _uuid_or_none(value: str) -> str:
    """The canonical form of a uuid, or the nil uuid (which matches nothing)."""
    import uuid

    try:
        return str(uuid.UUID(value))
    except ValueError:
        return str(uuid.UUID(int=0))


def _publishers() -> Any:
    return Organisation.objects.annotate(
        package_count=Count("datasets", filter=Q(datasets__state=Dataset.State.PUBLISHED))
    ).filter(package_count__gt=0)


def _themes() -> Any:
    return Theme.objects.annotate(
        package_count=Count("datasets", filter=Q(datasets__state=Dataset.State.PUBLISHED))
    )


def _group_list(
    data: dict[str, Any],
    queryset: Any,
    *,
    slug: str,
    title: str,
    build: Callable[..., Any],
    names_param: str,
) -> Any:
    all_fields = _bool(data, "all_fields", False)
    limit_max = 25 if all_fields else ROWS_MAX
    limit = min(_int(data, "limit", limit_max) or 0, limit_max)
    offset = _int(data, "offset", 0) or 0
    sort = _str(data, "sort", "title asc").strip() or "title asc"
    bits = sort.split()
    column = {"name": slug, "title": title, "package_count": "package_count"}.get(bits[0])
    direction = bits[1].lower() if len(bits) > 1 else "asc"
    if column is None or direction not in ("asc", "desc") or len(bits) > 2:
        raise ValidationError({"sort": ["Cannot sort by field " + repr(sort)]})
    wanted = data.get(names_param)
    if wanted:
        wanted = _json_list(data, names_param) if isinstance(wanted, str) else wanted
        queryset = queryset.filter(**{f"{slug}__in": wanted})
    queryset = queryset.order_by(("-" if direction == "desc" else "") + column, slug)
    rows = list(queryset[offset : offset + limit])
    if not all_fields:
        return [getattr(row, slug) for row in rows]
    include_count = _bool(data, "include_dataset_count", True)
    return [build(row, package_count=row.package_count if include_count else None) for row in rows]


@action(get=True)
def organization_list(data: dict[str, Any], ctx: Context) -> Any:
    """Publishers (organisations with published datasets). Parameters: sort (title asc,
    name, package_count), limit, offset, organizations, all_fields, include_dataset_count."""
    return _group_list(
        data,
        _publishers(),
        slug="slug",
        title="name",
        build=organization_dict,
        names_param="organizations",
    )


@action(get=True)
def group_list(data: dict[str, Any], ctx: Context) -> Any:
    """Themes. Parameters: sort (title asc, name, package_count), limit, offset, groups,
    all_fields, include_dataset_count."""
    return _group_list(
        data, _themes(), slug="slug", title="title", build=group_dict, names_param="groups"
    )


def _group_show(
    data: dict[str, Any],
    ctx: Context,
    *,
    found: Any,
    build: Callable[..., Any],
    fq_field: str,
    label: str,
) -> Any:
    if found is None:
        raise NotFound(f"{label} not found")
    result = build(found, package_count=found.package_count)
    if _bool(data, "include_datasets", False):
        slug = getattr(found, "slug")  # noqa: B009
        result["packages"] = search(
            SearchParams(fq=f'{fq_field}:"{slug}"', rows=ROWS_MAX, sort="name asc")
        ).packages
    result["extras"] = []
    result["users"] = []
    result["groups"] = []
    result["tags"] = []
    return result


@action(get=True)
def organization_show(data: dict[str, Any], ctx: Context) -> Any:
    """One publisher. Parameters: id (id or name), include_datasets (default false)."""
    identifier = _required(data, "id")
    found = None
    for org in (
        Organisation.objects.annotate(
            package_count=Count("datasets", filter=Q(datasets__state=Dataset.State.PUBLISHED))
        )
        .filter(Q(slug=identifier) | Q(datasets__isnull=False))
        .distinct()
    ):
        if org.slug == identifier or organisation_id(org) == identifier:
            found = org
            break
    return _group_show(
        data,
        ctx,
        found=found,
        build=organization_dict,
        fq_field="organization",
        label="Organization",
    )


@action(get=True)
def group_show(data: dict[str, Any], ctx: Context) -> Any:
    """One theme. Parameters: id (id or name), include_datasets (default false)."""
    identifier = _required(data, "id")
    found = None
    for theme in _themes():
        if theme.slug == identifier or theme_id(theme) == identifier:
            found = theme
            break
    return _group_show(data, ctx, found=found, build=group_dict, fq_field="groups", label="Group")


@action(get=True)
def tag_list(data: dict[str, Any], ctx: Context) -> Any:
    """Tags of published datasets. Parameters: query (or q), all_fields."""
    query = _str(data, "query") or _str(data, "q")
    tag_names = (
        SearchFacet.objects.filter(field="tags", dataset__state=Dataset.State.PUBLISHED)
        .values_list("value", flat=True)
        .distinct()
        .order_by("value")
    )
    if query:
        tag_names = tag_names.filter(value__icontains=query.lower())
    names = list(tag_names)
    if _bool(data, "all_fields", False):
        tags = {t.name: t for t in Tag.objects.filter(name__in=names)}
        from .packages import tag_id

        return [
            {"id": tag_id(n), "name": n, "display_name": n, "vocabulary_id": None}
            for n in names
            if n in tags
        ]
    return names


@action(get=True)
def license_list(data: dict[str, Any], ctx: Context) -> Any:
    """Licences datasets may use."""
    return [license_dict(licence) for licence in Licence.objects.order_by("title")]


@action(get=True)
def status_show(data: dict[str, Any], ctx: Context) -> Any:
    """About this site's CKAN-compatible API."""
    return {
        "site_title": "Big Society open data",
        "site_description": "Open data published by the organisations of the area.",
        "site_url": ctx.site_url,
        "error_emails_to": None,
        "locale_default": "en_GB",
        "extensions": ["datastore", "dcat"],
        "ckan_version": "2.11.0",
    }


@action(get=True)
def help_show(data: dict[str, Any], ctx: Context) -> Any:
    """The documentation of an action. Parameters: name."""
    name = _required(data, "name")
    if name not in ACTIONS:
        raise NotFound("Action function not found")
    return ACTIONS[name].__doc__


@action(get=True)
def datastore_search(data: dict[str, Any], ctx: Context) -> Any:
    """Rows of a CSV resource loaded into the datastore. Parameters: resource_id, filters
    ({"field": value or [values]}), q (text, or {"field": text}), limit (default 100, at
    most 32000), offset, sort ("field desc, other"), fields, include_total, records_format
    (objects or lists)."""
    identifier = _required(data, "resource_id")
    resource = (
        Resource.objects.select_related("dataset").filter(uuid=_uuid_or_none(identifier)).first()
    )
    if resource is None:
        raise NotFound(f'Resource "{identifier}" was not found.')
    _document(ctx, str(resource.dataset.uuid))  # visibility
    if not resource.datastore_active:
        raise NotFound(f'Resource "{identifier}" is not in the datastore.')
    limit = _int(data, "limit", datastore_reader.DEFAULT_LIMIT) or 0
    if limit > datastore_reader.MAX_LIMIT:
        limit = datastore_reader.MAX_LIMIT
    fields = data.get("fields")
    if isinstance(fields, str):
        fields = (
            _json_value(data, "fields")
            if fields.strip().startswith("[")
            else [f.strip() for f in fields.split(",") if f.strip()]
        )
    sort = data.get("sort")
    try:
        return datastore_reader.search_records(
            resource=resource,
            filters=_json_value(data, "filters"),
            q=_json_value(data, "q"),
            limit=limit,
            offset=_int(data, "offset", 0) or 0,
            sort=sort,
            fields=fields or None,
            include_total=_bool(data, "include_total", True),
            records_format=_str(data, "records_format", "objects") or "objects",
        )
    except datastore_reader.DatastoreError as exc:
        raise ValidationError(exc.errors) from exc


# --- writes (data officers with an API token) -------------------------------------------------

FIELD_NAMES = {
    "description": "notes",
    "publisher": "owner_org",
    "licence": "license_id",
    "contact_email": "maintainer_email",
    "contact_name": "maintainer",
    "update_frequency": "frequency",
    "__all__": "message",
}


def _officer(ctx: Context) -> Any:
    if ctx.user is None or not is_data_officer(ctx.user):
        raise NotAuthorized(
            "User not authorized to change datasets: a data officer's API token is needed"
        )
    return ctx.user


def _translate(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError(
            {FIELD_NAMES.get(k, k): [str(m) for m in v] for k, v in exc.message_dict.items()}
        )
    return ValidationError({"message": [str(m) for m in exc.messages]})


def _extras(data: dict[str, Any]) -> dict[str, str]:
    extras = data.get("extras") or []
    if not isinstance(extras, list) or not all(isinstance(e, dict) and "key" in e for e in extras):
        raise ValidationError({"extras": ["Must be a list of {key, value} objects"]})
    return {str(e["key"]): str(e.get("value", "")) for e in extras}


def _fields_from(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    import datetime as dt

    fields: dict[str, Any] = {}
    simple = {
        "name": "name",
        "title": "title",
        "notes": "description",
        "maintainer": "contact_name",
        "maintainer_email": "contact_email",
    }
    for ckan_name, ours in simple.items():
        if ckan_name in data:
            fields[ours] = _str(data, ckan_name)
    if "owner_org" in data:
        ref = _str(data, "owner_org")
        org = next(
            (o for o in Organisation.objects.all() if ref in (o.slug, organisation_id(o))), None
        )
        if org is None:
            raise ValidationError({"owner_org": ["Organization does not exist"]})
        fields["publisher"] = org
    if "license_id" in data:
        licence = Licence.objects.filter(code=_str(data, "license_id")).first()
        if licence is None:
            raise ValidationError({"license_id": ["Licence not found"]})
        fields["licence"] = licence
    extras = _extras(data) if "extras" in data else {}
    frequency = extras.get("frequency") or extras.get("update_frequency")
    if frequency:
        fields["update_frequency"] = frequency
    for key in ("temporal_start", "temporal_end", "next_release"):
        if extras.get(key):
            try:
                value = dt.date.fromisoformat(extras[key][:10])
            except ValueError as exc:
                raise ValidationError({"extras": [f"{key}: use YYYY-MM-DD"]}) from exc
            fields["next_release_on" if key == "next_release" else key] = value
    if not partial:
        for required in ("name", "owner_org"):
            if required not in data:
                raise ValidationError({required: ["Missing value"]})
    return fields


def _tags_and_themes(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "tags" in data or "tag_string" in data:
        tags = data.get("tags")
        if tags is not None:
            if not isinstance(tags, list) or not all(isinstance(t, dict) for t in tags):
                raise ValidationError({"tags": ["Must be a list of {name} objects"]})
            out["tags"] = [str(t.get("name", "")) for t in tags]
        else:
            out["tags"] = [t for t in _str(data, "tag_string").split(",") if t.strip()]
    if "groups" in data:
        groups = data["groups"]
        if not isinstance(groups, list):
            raise ValidationError({"groups": ["Must be a list of {name} objects"]})
        themes = []
        for group in groups:
            ref = str(group.get("name") or group.get("id") or "") if isinstance(group, dict) else ""
            theme = next((t for t in Theme.objects.all() if ref in (t.slug, theme_id(t))), None)
            if theme is None:
                raise ValidationError({"groups": [f"Group {ref!r} does not exist"]})
            themes.append(theme)
        out["themes"] = themes
    return out


def _dataset_for(data: dict[str, Any], ctx: Context, key: str = "id") -> Dataset:
    identifier = _required(data, key)
    dataset = Dataset.objects.filter(Q(name=identifier) | Q(uuid=_uuid_or_none(identifier))).first()
    if dataset is None:
        raise NotFound("Dataset not found")
    return dataset


@action(get=False)
def package_create(data: dict[str, Any], ctx: Context) -> Any:
    """Create a dataset (data officers). Parameters: name, title, notes, owner_org,
    license_id (default OGL-UK-3.0), maintainer, maintainer_email, tags [{name}], tag_string,
    groups [{name}], extras [{key: frequency|temporal_start|temporal_end|next_release, value}],
    resources [{url, name, format, description}], private (true keeps it a draft)."""
    user = _officer(ctx)
    fields = _fields_from(data, partial=False)
    relations = _tags_and_themes(data)
    private = _bool(data, "private", False)
    resources = data.get("resources") or []
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        raise ValidationError({"resources": ["Must be a list of resource objects"]})
    try:
        from django.db import transaction

        with transaction.atomic():
            dataset = services.dataset_create(
                acting_user=user,
                publisher=fields.pop("publisher"),
                title=fields.pop("title", "") or fields.get("name", ""),
                description=fields.pop("description", ""),
                tags=relations.get("tags", ()),
                themes=relations.get("themes", ()),
                **fields,
            )
            for item in resources:
                services.resource_create(
                    dataset=dataset,
                    acting_user=user,
                    url=str(item.get("url", "")),
                    name=str(item.get("name", "")),
                    format=str(item.get("format", "")),
                    description=str(item.get("description", "")),
                )
            if not private:
                services.dataset_publish(dataset=dataset, acting_user=user)
    except DjangoValidationError as exc:
        raise _translate(exc) from exc
    except PermissionDenied as exc:
        raise NotAuthorized(str(exc)) from exc
    return _document(ctx, str(dataset.uuid))


@action(get=False)
def package_patch(data: dict[str, Any], ctx: Context) -> Any:
    """Change some fields of a dataset (data officers). Parameters: id, and any field of
    package_create; private: false publishes a draft."""
    user = _officer(ctx)
    dataset = _dataset_for(data, ctx)
    fields = _fields_from(data, partial=True)
    relations = _tags_and_themes(data)
    try:
        from django.db import transaction

        with transaction.atomic():
            if fields or relations:
                dataset = services.dataset_update(
                    dataset=dataset, acting_user=user, **fields, **relations
                )
            if "private" in data:
                private = _bool(data, "private", False)
                if not private and dataset.state != Dataset.State.PUBLISHED:
                    dataset = services.dataset_publish(dataset=dataset, acting_user=user)
                elif private and dataset.state == Dataset.State.PUBLISHED:
                    raise ValidationError(
                        {"private": ["A published dataset cannot go back to draft; withdraw it"]}
                    )
    except DjangoValidationError as exc:
        raise _translate(exc) from exc
    except PermissionDenied as exc:
        raise NotAuthorized(str(exc)) from exc
    return _document(ctx, str(dataset.uuid))


@action(get=False)
def resource_create(data: dict[str, Any], ctx: Context) -> Any:
    """Add a resource to a dataset (data officers). Parameters: package_id, url or upload
    (a file, multipart), name, format, description, mimetype. A CSV upload is loaded into the
    datastore; a CSV that cannot be read is refused with the line and the reason."""
    user = _officer(ctx)
    dataset = _dataset_for(data, ctx, "package_id")
    upload = data.get("upload")
    if upload is not None and not hasattr(upload, "read"):
        if upload == "":
            upload = None
        else:
            raise ValidationError({"upload": ["Send the file as multipart/form-data"]})
    try:
        resource = services.resource_create(
            dataset=dataset,
            acting_user=user,
            url=_str(data, "url") if not upload else "",
            upload=upload,
            name=_str(data, "name"),
            format=_str(data, "format"),
            description=_str(data, "description"),
            media_type=_str(data, "mimetype"),
        )
    except DjangoValidationError as exc:
        raise _translate(exc) from exc
    except PermissionDenied as exc:
        raise NotAuthorized(str(exc)) from exc
    package = _document(ctx, str(dataset.uuid))
    return next(r for r in package["resources"] if r["id"] == str(resource.uuid))


__all__ = ["ACTIONS", "FACET_FIELDS", "SIDE_EFFECT_FREE", "Context"]
