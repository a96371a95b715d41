"""Every write of the crime app: imports, publication, subscriptions, upload jobs."""

from .importer import FileReport, ImportReport, PlaceAttributor, import_file, import_paths
from .jobs import import_job_create, import_job_run
from .publishing import publish_month
from .subscriptions import month_announce, subscription_create, subscription_delete

__all__ = [
    "FileReport",
    "ImportReport",
    "PlaceAttributor",
    "import_file",
    "import_job_create",
    "import_job_run",
    "import_paths",
    "month_announce",
    "publish_month",
    "subscription_create",
    "subscription_delete",
]
