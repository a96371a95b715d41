"""Staff uploads: a zip or CSV of bulk files, imported by a background task with progress."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from bigsociety.accounts.roles import Role, has_role
from bigsociety.common.audit import audit_record
from bigsociety.common.uploads import validate_upload

from ..bulk import parse_bulk_name
from ..models import ImportJob

MAX_UPLOAD_BYTES = 500 * 1024 * 1024


def can_import(user: Any) -> bool:
    return has_role(user, Role.DATA_OFFICER)


def live_rows_key(job_id: int) -> str:
    return f"crime-import-rows-{job_id}"


@transaction.atomic
def import_job_create(*, upload: UploadedFile, acting_user: Any) -> ImportJob:
    """Queue an upload for import. Raises PermissionDenied or ValidationError."""
    from django.core.exceptions import ValidationError

    if not can_import(acting_user):
        raise PermissionDenied(_("Only data officers can import police data."))
    extension = validate_upload(upload, allowed=["zip", "csv"], max_bytes=MAX_UPLOAD_BYTES)
    if extension == "csv" and parse_bulk_name(upload.name or "") is None:
        raise ValidationError(
            _(
                "Name the CSV as the bulk download does: "
                "YYYY-MM-<force>-<street|outcomes|stop-and-search>.csv"
            ),
            code="name",
        )
    job = ImportJob(
        original_name=os.path.basename(upload.name or "upload")[:255], created_by=acting_user
    )
    job.upload.save(job.original_name, upload, save=False)
    job.save()
    audit_record(actor=acting_user, action="crime.import.create", target=job)
    from ..tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.enqueue(job_id=job.pk))
    return job


def _transition(job: ImportJob, target: str) -> None:
    if target not in ImportJob.TRANSITIONS[job.status]:
        raise ValueError(f"an import cannot go from {job.status} to {target}")
    job.status = target
    job.save(update_fields=["status", "updated_at"])


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued import (safe to call twice: a started job is left alone)."""
    from .importer import import_paths

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportJob.Status.QUEUED:
            return job
        _transition(job, ImportJob.Status.RUNNING)
    workdir = Path(tempfile.mkdtemp(prefix="crime-import-"))
    try:
        target = workdir / job.original_name
        with job.upload.open("rb") as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)

        def on_file(done: int, total: int, report: Any) -> None:
            ImportJob.objects.filter(pk=job.pk).update(
                files_done=done, files_total=total, rows_done=job.rows_done + report.rows
            )
            job.rows_done += report.rows

        def on_rows(rows: int) -> None:
            cache.set(live_rows_key(job.pk), rows, 3600)

        report = import_paths(
            paths=[target], acting_user=job.created_by, on_file=on_file, on_rows=on_rows
        )
        job.refresh_from_db()
        job.report = report.as_dict()
        job.save(update_fields=["report", "updated_at"])
        _transition(
            job, ImportJob.Status.DONE if report.ok and report.files else ImportJob.Status.FAILED
        )
    except Exception as exc:  # the job must end in a state a person can see
        job.refresh_from_db()
        job.report = {**job.report, "problems": [*job.report.get("problems", []), str(exc)]}
        job.save(update_fields=["report", "updated_at"])
        if job.status == ImportJob.Status.RUNNING:
            _transition(job, ImportJob.Status.FAILED)
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    audit_record(
        actor=job.created_by,
        action="crime.import.finish",
        target=job,
        changes={"status": job.status, "rows": job.report.get("rows", 0)},
    )
    return job
