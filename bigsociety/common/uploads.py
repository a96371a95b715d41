"""File uploads with size and type limits, checked by content as well as by name.

``validate_upload(upload, allowed=..., max_bytes=...)`` refuses, with a message a person can
act on (the GOV.UK file upload patterns):

* an empty file ("The selected file is empty");
* a file over the limit ("The selected file must be smaller than 50 MB"; the default limit is
  ``settings.MAX_UPLOAD_BYTES``);
* a file whose extension is not allowed ("The selected file must be a CSV or TXT");
* a file whose declared media type is not allowed, where ``allowed`` maps extensions to media
  types;
* a file whose *content* is not what its name says: a binary file (NUL bytes, or the magic
  number of a ZIP, PDF, image or executable) named as text, text that is not UTF-8, a "ZIP",
  "PDF" or image without the right magic number, an "XLSX"/"DOCX"/"ODS" that is not that kind
  of package inside.

``LimitedFileField`` is the form field; ``UploadValidator`` the model field validator.
"""

from __future__ import annotations

import codecs
import os
import zipfile
from collections.abc import Iterable, Mapping
from typing import IO, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SNIFF_BYTES = 8192
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# Extensions whose content is text, checked for binary data and for UTF-8.
TEXT_KINDS = frozenset({"csv", "txt", "json", "geojson", "pb", "ttl", "xml", "md", "tsv", "rdf"})
# Extensions with a magic number at the start of the file.
MAGIC: dict[str, tuple[bytes, ...]] = {
    "zip": ZIP_MAGIC,
    "xlsx": ZIP_MAGIC,
    "docx": ZIP_MAGIC,
    "pptx": ZIP_MAGIC,
    "odt": ZIP_MAGIC,
    "ods": ZIP_MAGIC,
    "odp": ZIP_MAGIC,
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
}
# What a ZIP-based office document must hold: a member name, or the "mimetype" member's content.
PACKAGE_MEMBER = {
    "xlsx": "xl/workbook.xml",
    "docx": "word/document.xml",
    "pptx": "ppt/presentation.xml",
}
ODF_MIMETYPE = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
    "odp": b"application/vnd.oasis.opendocument.presentation",
}
# Magic numbers that betray a binary file given a text name.
BINARY_MAGIC = (
    *ZIP_MAGIC,
    b"%PDF-",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"MZ",  # Windows executable
    b"\x7fELF",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # old Office (.xls, .doc)
    b"\x1f\x8b",  # gzip
)
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# Media types browsers send for common kinds (for ``allowed`` as a mapping). Browsers and
# operating systems disagree, so these are generous; the content check is what counts.
MEDIA_TYPES: dict[str, frozenset[str]] = {
    "csv": frozenset(
        {
            "text/csv",
            "text/plain",
            "application/csv",
            "text/x-csv",
            "application/vnd.ms-excel",
            "application/octet-stream",
        }
    ),
    "txt": frozenset({"text/plain", "application/octet-stream"}),
    "pdf": frozenset({"application/pdf", "application/x-pdf", "application/octet-stream"}),
    "xlsx": frozenset(
        {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/octet-stream",
            "application/zip",
        }
    ),
    "zip": frozenset(
        {"application/zip", "application/x-zip-compressed", "application/octet-stream"}
    ),
}


def _human_size(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{round(size / scale, 1):g} {unit}"
    return _("%(count)s bytes") % {"count": size}


def _kinds_label(extensions: Iterable[str]) -> str:
    labels = [e.upper() for e in extensions]
    if len(labels) == 1:
        return labels[0]
    return _("%(list)s or %(last)s") % {"list": ", ".join(labels[:-1]), "last": labels[-1]}


def _size(upload: Any) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        position = upload.tell()
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(position)
    return int(size)


def _head(upload: Any) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head if isinstance(head, bytes) else head.encode()


def _is_package(upload: IO[bytes], extension: str) -> bool:
    """Whether a ZIP-based file is a readable ZIP holding what its kind must hold."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if extension in PACKAGE_MEMBER:
                return PACKAGE_MEMBER[extension] in names and "[Content_Types].xml" in names
            if extension in ODF_MIMETYPE:
                return (
                    "mimetype" in names
                    and archive.read("mimetype").strip() == ODF_MIMETYPE[extension]
                )
            return True
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, ValueError):
        return False
    finally:
        upload.seek(0)


def _allowed_map(allowed: Iterable[str] | Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    if isinstance(allowed, str):
        raise TypeError("allowed must be a list of extensions or a mapping, not a string")
    if isinstance(allowed, Mapping):
        return {e.lower().lstrip("."): frozenset(m) for e, m in allowed.items()}
    return {e.lower().lstrip("."): frozenset() for e in allowed}


def validate_upload(
    upload: Any,
    *,
    allowed: Iterable[str] | Mapping[str, Iterable[str]],
    max_bytes: int | None = None,
) -> str:
    """Check an uploaded file's size, extension, declared type and content.

    ``allowed`` is a list of extensions (``["csv", "txt"]``), or a mapping of extension to the
    media types accepted for it (``{"csv": MEDIA_TYPES["csv"]}``; an empty set accepts any).
    ``max_bytes`` defaults to ``settings.MAX_UPLOAD_BYTES``. Returns the file's extension, in
    lower case. Raises ``ValidationError`` with a message a person can act on.
    """
    kinds = _allowed_map(allowed)
    limit = max_bytes if max_bytes is not None else settings.MAX_UPLOAD_BYTES
    size = _size(upload)
    if size == 0:
        raise ValidationError(_("The selected file is empty"), code="empty")
    if size > limit:
        raise ValidationError(
            _("The selected file must be smaller than %(limit)s") % {"limit": _human_size(limit)},
            code="too_big",
        )
    extension = os.path.splitext(getattr(upload, "name", "") or "")[1].lower().lstrip(".")
    wrong_kind = _("The selected file must be a %(kinds)s") % {"kinds": _kinds_label(kinds)}
    if extension not in kinds:
        raise ValidationError(wrong_kind, code="type")
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if kinds[extension] and declared and declared not in kinds[extension]:
        raise ValidationError(wrong_kind, code="type")
    head = _head(upload)
    kind = extension.upper()
    if extension in MAGIC:
        if not head.startswith(MAGIC[extension]):
            raise ValidationError(
                _("The selected file is not a real %(kind)s file") % {"kind": kind},
                code="content",
            )
        if MAGIC[extension] == ZIP_MAGIC and not _is_package(upload, extension):
            raise ValidationError(
                _("The selected file is not a real %(kind)s file, or it is damaged")
                % {"kind": kind},
                code="content",
            )
    elif extension in TEXT_KINDS:
        if head.startswith(UTF16_BOMS):
            raise ValidationError(
                _("The selected file must be saved as UTF-8 text (for example “CSV UTF-8”)"),
                code="encoding",
            )
        if b"\x00" in head or head.startswith(BINARY_MAGIC):
            raise ValidationError(
                _("The selected file must be a %(kind)s, but it contains binary data")
                % {"kind": kind},
                code="content",
            )
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SNIFF_BYTES)
        except UnicodeDecodeError:
            raise ValidationError(
                _("The selected file must be saved as UTF-8 text (for example “CSV UTF-8”)"),
                code="encoding",
            ) from None
    return extension


@deconstructible
class UploadValidator:
    """A model field validator: ``FileField(validators=[UploadValidator(["pdf"])])``."""

    def __init__(
        self,
        allowed: Iterable[str] | Mapping[str, Iterable[str]],
        max_bytes: int | None = None,
    ) -> None:
        self.allowed = (
            {k: sorted(v) for k, v in allowed.items()}
            if isinstance(allowed, Mapping)
            else list(allowed)
        )
        self.max_bytes = max_bytes

    def __call__(self, upload: Any) -> None:
        validate_upload(upload, allowed=self.allowed, max_bytes=self.max_bytes)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, UploadValidator)
            and self.allowed == other.allowed
            and self.max_bytes == other.max_bytes
        )


class LimitedFileField(forms.FileField):
    """A form file field that refuses files over a size or of the wrong kind.

    ``LimitedFileField(label=_("CSV file"), allowed=["csv"], max_bytes=10 * 1024 * 1024)``.
    The browser's file picker is narrowed to the allowed extensions (``accept``); the server
    checks everything again.
    """

    default_error_messages = {
        "required": gettext_lazy("Select a file"),
        "empty": gettext_lazy("The selected file is empty"),
        "missing": gettext_lazy("Select a file"),
    }

    def __init__(
        self,
        *args: Any,
        allowed: Iterable[str] | Mapping[str, Iterable[str]],
        max_bytes: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.allowed = _allowed_map(allowed)
        self.max_bytes = max_bytes
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", ",".join(f".{e}" for e in self.allowed))

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload and upload is not initial:
            validate_upload(
                upload,
                allowed={e: set(m) for e, m in self.allowed.items()},
                max_bytes=self.max_bytes,
            )
        return upload
