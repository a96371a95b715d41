"""Street force-months record the id range of their rows; the (force, month) index goes.

The crime-key index leaves out the rows with no crime ID (anti-social behaviour).
"""

from django.db import migrations, models
from django.db.models import Max, Min


def record_row_ids(apps, schema_editor):
    """Fill the range of every street force-month already imported (while the index stands)."""
    ForceMonth = apps.get_model("crime", "ForceMonth")
    Crime = apps.get_model("crime", "Crime")
    for record in ForceMonth.objects.filter(kind="street").select_related("force"):
        span = Crime.objects.filter(force=record.force.slug, month=record.month).aggregate(
            first=Min("id"), last=Max("id")
        )
        record.first_row_id, record.last_row_id = span["first"], span["last"]
        record.save(update_fields=["first_row_id", "last_row_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("crime", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="forcemonth",
            name="first_row_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="forcemonth",
            name="last_row_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(record_row_ids, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="crime",
            name="crime_force_month",
        ),
        migrations.RemoveIndex(
            model_name="crime",
            name="crime_crime_key",
        ),
        migrations.AddIndex(
            model_name="crime",
            index=models.Index(
                condition=models.Q(("crime_key__isnull", False)),
                fields=["crime_key"],
                name="crime_crime_key",
            ),
        ),
    ]
