"""Full-text search for the catalogue, and the licence list.

PostgreSQL: a generated, weighted tsvector column (title A, tags B, body C) with a GIN index.
SQLite: an FTS5 table over the search documents, kept in step by triggers.
Licences: CKAN's usual licence ids; the Open Government Licence v3.0 is the default.
"""

from django.db import migrations

PG_FORWARD = [
    """
    ALTER TABLE opendata_searchdocument ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, coalesce(tags_text, '')), 'B') ||
        setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX opendata_sd_search_vector ON opendata_searchdocument USING GIN (search_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS opendata_sd_search_vector",
    "ALTER TABLE opendata_searchdocument DROP COLUMN IF EXISTS search_vector",
]
SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE opendata_search_fts USING fts5(
        title, tags_text, body,
        content='opendata_searchdocument', content_rowid='dataset_id',
        tokenize='porter unicode61'
    )
    """,
    """
    CREATE TRIGGER opendata_search_fts_ai AFTER INSERT ON opendata_searchdocument BEGIN
        INSERT INTO opendata_search_fts(rowid, title, tags_text, body)
        VALUES (new.dataset_id, new.title, new.tags_text, new.body);
    END
    """,
    """
    CREATE TRIGGER opendata_search_fts_ad AFTER DELETE ON opendata_searchdocument BEGIN
        INSERT INTO opendata_search_fts(opendata_search_fts, rowid, title, tags_text, body)
        VALUES ('delete', old.dataset_id, old.title, old.tags_text, old.body);
    END
    """,
    """
    CREATE TRIGGER opendata_search_fts_au AFTER UPDATE ON opendata_searchdocument BEGIN
        INSERT INTO opendata_search_fts(opendata_search_fts, rowid, title, tags_text, body)
        VALUES ('delete', old.dataset_id, old.title, old.tags_text, old.body);
        INSERT INTO opendata_search_fts(rowid, title, tags_text, body)
        VALUES (new.dataset_id, new.title, new.tags_text, new.body);
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS opendata_search_fts_au",
    "DROP TRIGGER IF EXISTS opendata_search_fts_ad",
    "DROP TRIGGER IF EXISTS opendata_search_fts_ai",
    "DROP TABLE IF EXISTS opendata_search_fts",
]

LICENCES = [
    (
        "OGL-UK-3.0",
        "Open Government Licence v3.0",
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        True,
        True,
    ),
    (
        "cc-by",
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
        True,
        False,
    ),
    (
        "cc-by-sa",
        "Creative Commons Attribution Share-Alike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        True,
        False,
    ),
    (
        "cc-zero",
        "Creative Commons CCZero",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        True,
        False,
    ),
    (
        "odc-by",
        "Open Data Commons Attribution License",
        "https://opendatacommons.org/licenses/by/1-0/",
        True,
        False,
    ),
    (
        "odc-odbl",
        "Open Data Commons Open Database License (ODbL)",
        "https://opendatacommons.org/licenses/odbl/1-0/",
        True,
        False,
    ),
    (
        "odc-pddl",
        "Open Data Commons Public Domain Dedication and License (PDDL)",
        "https://opendatacommons.org/licenses/pddl/1-0/",
        True,
        False,
    ),
    ("other-closed", "Other (Not Open)", "", False, False),
]


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forward_search(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_FORWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_FORWARD)


def backward_search(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_BACKWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)


def add_licences(apps, schema_editor):
    Licence = apps.get_model("opendata", "Licence")
    for code, title, url, is_open, is_default in LICENCES:
        Licence.objects.get_or_create(
            code=code,
            defaults={"title": title, "url": url, "is_open": is_open, "is_default": is_default},
        )


def remove_licences(apps, schema_editor):
    Licence = apps.get_model("opendata", "Licence")
    Licence.objects.filter(code__in=[row[0] for row in LICENCES], datasets__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("opendata", "0001_initial")]

    operations = [
        migrations.RunPython(forward_search, backward_search),
        migrations.RunPython(add_licences, remove_licences),
    ]
