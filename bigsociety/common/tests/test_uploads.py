import io
import zipfile

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import override_settings

from bigsociety.common.uploads import (
    MEDIA_TYPES,
    LimitedFileField,
    UploadValidator,
    validate_upload,
)


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            # A fixed date: the bytes feed test ids, which every xdist worker must agree on.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), content)
    return out.getvalue()


XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODS = zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b""})
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def refused(name, content, allowed, max_bytes=10_000, content_type="application/octet-stream"):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    with pytest.raises(ValidationError) as error:
        validate_upload(upload, allowed=allowed, max_bytes=max_bytes)
    return error.value


# --- files that pass -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "allowed", "kind"),
    [
        ("data.csv", b"a,b\n1,2\n", ["csv"], "csv"),
        ("DATA.CSV", b"a,b\n1,2\n", ["csv"], "csv"),
        ("bom.csv", b"\xef\xbb\xbfname\nZo\xc3\xab\n", ["csv"], "csv"),
        ("notes.txt", "Zoë ".encode() * 100, ["csv", "txt"], "txt"),
        ("book.xlsx", XLSX, ["csv", "xlsx"], "xlsx"),
        ("sheet.ods", ODS, ["ods"], "ods"),
        ("archive.zip", zipped({"a.csv": b"a\n"}), ["zip"], "zip"),
        ("report.pdf", PDF, ["pdf"], "pdf"),
        ("map.png", PNG, ["png"], "png"),
        ("data.json", b'{"a": 1}', [".JSON"], "json"),
    ],
)
def test_good_files_pass_and_their_kind_is_returned(name, content, allowed, kind):
    upload = SimpleUploadedFile(name, content)
    assert validate_upload(upload, allowed=allowed, max_bytes=10_000) == kind
    assert upload.tell() == 0  # ready to be read from the start


def test_a_multibyte_character_cut_at_the_sniffing_boundary_is_not_an_error():
    # given 1 + 2 × 5000 bytes, so byte 8192 falls inside an "é"
    content = ("a" + "é" * 5000).encode()
    upload = SimpleUploadedFile("text.csv", content)
    assert validate_upload(upload, allowed=["csv"], max_bytes=20_000) == "csv"


def test_a_file_on_disk_is_checked_the_same_way():
    upload = TemporaryUploadedFile("big.csv", "text/csv", 9, "utf-8")
    upload.write(b"a,b\n1,2\n\x00")
    upload.flush()
    with pytest.raises(ValidationError) as error:
        validate_upload(upload, allowed=["csv"])
    assert error.value.messages == ["The selected file must be a CSV, but it contains binary data"]
    upload.close()


# --- files that are refused, and what the person is told -----------------------------------


@pytest.mark.parametrize(
    ("name", "content", "allowed", "message"),
    [
        ("data.csv", b"", ["csv"], "The selected file is empty"),
        ("data.exe", b"MZ", ["csv"], "The selected file must be a CSV"),
        ("data", b"a,b", ["csv", "txt"], "The selected file must be a CSV or TXT"),
        ("data.doc", b"x", ["csv", "json", "pdf"], "The selected file must be a CSV, JSON or PDF"),
        ("data.csv.exe", b"MZ", ["csv"], "The selected file must be a CSV"),
        (
            "data.csv",
            b"a,b\x00\x01",
            ["csv"],
            "The selected file must be a CSV, but it contains binary data",
        ),
        (
            "renamed.csv",
            PDF,
            ["csv"],
            "The selected file must be a CSV, but it contains binary data",
        ),
        (
            "renamed.csv",
            XLSX,
            ["csv"],
            "The selected file must be a CSV, but it contains binary data",
        ),
        (
            "utf16.csv",
            "a,b\n".encode("utf-16"),
            ["csv"],
            "The selected file must be saved as UTF-8 text (for example “CSV UTF-8”)",
        ),
        (
            "latin1.csv",
            "name\nJosé\n".encode("latin-1"),
            ["csv"],
            "The selected file must be saved as UTF-8 text (for example “CSV UTF-8”)",
        ),
        ("data.zip", b"not a zip", ["zip"], "The selected file is not a real ZIP file"),
        (
            "cut.zip",
            zipped({"a.csv": b"a\n" * 100})[:40],
            ["zip"],
            "The selected file is not a real ZIP file, or it is damaged",
        ),
        (
            "book.xlsx",
            zipped({"a.csv": b"a\n"}),
            ["xlsx"],
            "The selected file is not a real XLSX file, or it is damaged",
        ),
        (
            "sheet.ods",
            zipped({"mimetype": b"application/vnd.oasis.opendocument.text"}),
            ["ods"],
            "The selected file is not a real ODS file, or it is damaged",
        ),
        (
            "report.pdf",
            b"<html>not a pdf</html>",
            ["pdf"],
            "The selected file is not a real PDF file",
        ),
        ("photo.png", b"\xff\xd8\xff\xe0JFIF", ["png"], "The selected file is not a real PNG file"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(name, content, allowed, message):
    assert refused(name, content, allowed).messages == [message]


@pytest.mark.parametrize(
    ("max_bytes", "size", "message"),
    [
        (100, 101, "The selected file must be smaller than 100 bytes"),
        (2048, 3000, "The selected file must be smaller than 2 KB"),
        (50 * 1024 * 1024, 50 * 1024 * 1024 + 1, "The selected file must be smaller than 50 MB"),
        (1536 * 1024, 1536 * 1024 + 1, "The selected file must be smaller than 1.5 MB"),
    ],
)
def test_files_over_the_limit_are_refused_with_the_limit(max_bytes, size, message):
    # given a small file that reports a large size (nothing big is held in memory)
    upload = SimpleUploadedFile("data.csv", b"a")
    upload.size = size
    with pytest.raises(ValidationError) as error:
        validate_upload(upload, allowed=["csv"], max_bytes=max_bytes)
    assert error.value.messages == [message]
    assert error.value.code == "too_big"


def test_a_file_exactly_at_the_limit_passes():
    assert validate_upload(SimpleUploadedFile("a.csv", b"a" * 100), allowed=["csv"], max_bytes=100)


@override_settings(MAX_UPLOAD_BYTES=10)
def test_the_default_limit_comes_from_settings():
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("a.csv", b"a" * 11), allowed=["csv"])
    assert error.value.messages == ["The selected file must be smaller than 10 bytes"]


def test_declared_media_types_are_checked_when_allowed_is_a_mapping():
    # given a file the browser says is a web page
    allowed = {"csv": {"text/csv"}}
    assert refused("a.csv", b"a,b\n", allowed, content_type="text/html").messages == [
        "The selected file must be a CSV"
    ]
    # a parameter on the type is ignored, and an empty set accepts any type
    ok = SimpleUploadedFile("a.csv", b"a,b\n", content_type="text/csv; charset=utf-8")
    assert validate_upload(ok, allowed=allowed) == "csv"
    anything = SimpleUploadedFile("a.csv", b"a,b\n", content_type="text/html")
    assert validate_upload(anything, allowed={"csv": set()}) == "csv"
    # Excel on Windows calls a CSV application/vnd.ms-excel: the preset accepts it
    excel = SimpleUploadedFile("a.csv", b"a,b\n", content_type="application/vnd.ms-excel")
    assert validate_upload(excel, allowed={"csv": MEDIA_TYPES["csv"]}) == "csv"


def test_a_bare_string_of_extensions_is_a_programming_error():
    with pytest.raises(TypeError):
        validate_upload(SimpleUploadedFile("a.csv", b"a"), allowed="csv")


# --- the form field and the model validator ------------------------------------------------


class UploadForm(forms.Form):
    file = LimitedFileField(label="File", allowed=["csv", "txt"], max_bytes=10)


def test_the_form_field_reports_on_its_field():
    form = UploadForm(files={"file": SimpleUploadedFile("big.csv", b"a" * 11)})
    assert not form.is_valid()
    assert form.errors["file"] == ["The selected file must be smaller than 10 bytes"]
    assert form.fields["file"].widget.attrs["accept"] == ".csv,.txt"


@pytest.mark.parametrize(
    ("files", "errors"),
    [
        ({}, ["Select a file"]),
        ({"file": SimpleUploadedFile("a.csv", b"")}, ["The selected file is empty"]),
        (
            {"file": SimpleUploadedFile("a.pdf", b"%PDF-")},
            ["The selected file must be a CSV or TXT"],
        ),
        (
            {"file": SimpleUploadedFile("a.csv", b"\x00")},
            ["The selected file must be a CSV, but it contains binary data"],
        ),
    ],
)
def test_the_form_field_errors(files, errors):
    form = UploadForm(files=files)
    assert not form.is_valid()
    assert form.errors["file"] == errors


def test_the_form_field_accepts_a_good_file():
    upload = SimpleUploadedFile("a.txt", b"hello")
    form = UploadForm(files={"file": upload})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["file"] is upload


def test_the_form_field_takes_a_mapping_of_media_types():
    class Form(forms.Form):
        file = LimitedFileField(allowed={"csv": {"text/csv"}}, max_bytes=100)

    bad = Form(files={"file": SimpleUploadedFile("a.csv", b"a\n", content_type="image/png")})
    good = Form(files={"file": SimpleUploadedFile("a.csv", b"a\n", content_type="text/csv")})
    assert bad.errors["file"] == ["The selected file must be a CSV"]
    assert good.is_valid()


def test_the_model_validator_checks_and_deconstructs():
    validator = UploadValidator(["pdf"], max_bytes=100)
    validator(SimpleUploadedFile("a.pdf", PDF))
    with pytest.raises(ValidationError):
        validator(SimpleUploadedFile("a.pdf", b"nope"))
    path, args, kwargs = validator.deconstruct()
    assert path == "bigsociety.common.uploads.UploadValidator"
    assert UploadValidator(*args, **kwargs) == validator
    assert UploadValidator({"csv": {"text/csv"}}) == UploadValidator({"csv": ["text/csv"]})
