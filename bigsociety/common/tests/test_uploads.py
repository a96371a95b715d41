import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from bigsociety.common.uploads import LimitedFileField, validate_upload


def test_a_good_csv_passes():
    upload = SimpleUploadedFile("data.csv", b"a,b\n1,2\n", content_type="text/csv")
    assert validate_upload(upload, allowed=["csv"]) == "csv"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("data.csv", b"", "The selected file is empty"),
        ("data.csv", b"x" * 101, "The selected file must be smaller than 100\xa0bytes"),
        ("data.exe", b"MZ", "The selected file must be a CSV file"),
        ("data.csv", b"a,b\x00\x01", "contains binary data"),
        ("data.zip", b"not a zip", "The selected file is not really a ZIP file"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(name, content, message):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError) as error:
        validate_upload(
            upload, allowed=["csv", "zip"] if name.endswith("zip") else ["csv"], max_bytes=100
        )
    assert message in error.value.messages[0]


def test_the_form_field_reports_on_its_field():
    class UploadForm(forms.Form):
        file = LimitedFileField(label="File", allowed=["csv"], max_bytes=10)

    form = UploadForm(files={"file": SimpleUploadedFile("big.csv", b"a" * 11)})
    assert not form.is_valid()
    assert form.errors["file"] == ["The selected file must be smaller than 10\xa0bytes"]
    assert form.fields["file"].widget.attrs["accept"] == ".csv"
