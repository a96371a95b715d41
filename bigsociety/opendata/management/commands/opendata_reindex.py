"""Rebuild every dataset's search document (after a bulk change or a publisher rename)."""

from django.core.management.base import BaseCommand

from bigsociety.opendata.models import Dataset
from bigsociety.opendata.services.catalogue import dataset_reindex


class Command(BaseCommand):
    help = "Rebuild the catalogue's search documents."

    def handle(self, *args: object, **options: object) -> None:
        count = dataset_reindex(dataset_ids=Dataset.objects.values_list("pk", flat=True))
        self.stdout.write(f"{count} datasets reindexed")
