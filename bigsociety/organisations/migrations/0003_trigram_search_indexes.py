"""PostgreSQL only: trigram indexes so the directory's word search (UPPER(...) LIKE '%word%',
what Django's icontains produces) need not read every organisation. Other databases skip it."""

from django.db import migrations

INDEXES = [
    ("organisation_name_trgm", "name"),
    ("organisation_description_trgm", "description"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON organisations_organisation '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("organisations", "0002_directory_indexes_and_membership_rules")]

    operations = [migrations.RunPython(forwards, backwards)]
