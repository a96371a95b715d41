"""File uploads with size and type limits, checked by content as well as by name."""

from __future__ import annotations

import os
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# Known file kinds: extension -> (label, magic-number prefixes or None for text)
ZIP = (b"PK\x03\x04", b"PK\x05\x06")
KINDS: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "csv": ("CSV", None),
    "txt": ("text", None),
    "json": ("JSON", None),
    "geojson": ("GeoJSON", None),
    "pb": ("pabulib .pb", None),
    "ttl": ("Turtle", None),
    "xml": ("XML", None),
    "zip": ("ZIP", ZIP),
    "xlsx": ("Excel", ZIP),
    "docx": ("Word", ZIP),
    "odt": ("OpenDocument", ZIP),
    "ods": ("OpenDocument spreadsheet", ZIP),
    "pdf": ("PDF", (b"%PDF-",)),
    "png": ("PNG", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("JPEG", (b"\xff\xd8\xff",)),
    "jpeg": ("JPEG", (b"\xff\xd8\xff",)),
}
SNIFF_BYTES = 8192


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def validate_upload(
    upload: UploadedFile, *, allowed: list[str], max_bytes: int | None = None
) -> str:
    """Check an uploaded file's size, extension and content. Returns its extension.

    Raises ValidationError with a message a person can act on.
    """
    limit = max_bytes if max_bytes is not None else settings.MAX_UPLOAD_BYTES
    labels = ", ".join(KINDS[e][0] if e in KINDS else e.upper() for e in allowed)
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("The selected file is empty"), code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("The selected file must be smaller than %(limit)s"),
            code="too_big",
            params={"limit": filesizeformat(limit)},
        )
    extension = os.path.splitext(upload.name or "")[1].lower().lstrip(".")
    if extension not in allowed:
        raise ValidationError(
            _("The selected file must be a %(kinds)s file"), code="type", params={"kinds": labels}
        )
    head = _head(upload)
    magic = KINDS.get(extension, ("", None))[1]
    if magic is not None:
        if not head.startswith(magic):
            raise ValidationError(
                _("The selected file is not really a %(kind)s file"),
                code="content",
                params={"kind": KINDS[extension][0]},
            )
    elif b"\x00" in head:
        raise ValidationError(
            _("The selected file must be a %(kinds)s file, but it contains binary data"),
            code="content",
            params={"kinds": labels},
        )
    return extension


class LimitedFileField(forms.FileField):
    """A form file field that refuses files over a size or of the wrong kind."""

    def __init__(self, *args: Any, allowed: list[str], max_bytes: int | None = None, **kwargs: Any):
        self.allowed = allowed
        self.max_bytes = max_bytes
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", ",".join(f".{e}" for e in allowed))

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload:
            validate_upload(upload, allowed=self.allowed, max_bytes=self.max_bytes)
        return upload
