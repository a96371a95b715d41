import csv
import datetime as dt
import io
import math

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bigsociety.accounts.tests.factories import UserFactory
from bigsociety.common.csvimport import (
    Column,
    ImportRejected,
    Row,
    RowError,
    RowIssue,
    bulk_create_rows,
    errors_as_csv,
    issues_as_csv,
    parse_choice,
    parse_date,
    parse_float,
    parse_int,
    run_import,
)
from bigsociety.common.models import AuditEntry, NotificationPreference

pytestmark = pytest.mark.django_db


def parse_even(text: str) -> int:
    value = parse_int()(text)
    if value % 2:
        raise RowError(f"{value} is odd")
    return value


COLUMNS = [
    Column("name"),
    Column("number", aliases=("n",), parse=parse_even),
    Column("size", required=False, blank=True, parse=parse_float(0, 10)),
]


class Sink:
    def __init__(self):
        self.batches = []

    def __call__(self, rows):
        self.batches.append([(r.line, r.values) for r in rows])


def build_entry(row: Row) -> AuditEntry:
    return AuditEntry(action="test.import", target_type="test", target_id=row.values["name"])


def import_entries(data, **kwargs):
    """An importer in a few lines: the shape places and others follow."""
    return run_import(
        data, COLUMNS, handle_batch=bulk_create_rows(AuditEntry, build_entry), **kwargs
    )


# --- good files ----------------------------------------------------------------------------


def test_good_rows_arrive_in_batches_with_their_lines():
    # given
    sink = Sink()
    # when
    result = run_import("name,n\na,2\nb,4\nc,6\n", COLUMNS, handle_batch=sink, batch_size=2)
    # then
    assert (result.rows_read, result.rows_imported, result.errors) == (3, 3, [])
    assert sink.batches == [
        [
            (2, {"name": "a", "number": 2, "size": None}),
            (3, {"name": "b", "number": 4, "size": None}),
        ],
        [(4, {"name": "c", "number": 6, "size": None})],
    ]


def test_a_good_file_is_saved_through_bulk_create():
    result = import_entries(b"name,number\nx,2\ny,4\nz,6\n", batch_size=2)
    assert (result.rows_read, result.rows_imported) == (3, 3)
    assert sorted(AuditEntry.objects.values_list("target_id", flat=True)) == ["x", "y", "z"]


def test_headers_match_whatever_their_case_order_and_spacing():
    sink = Sink()
    run_import(" SIZE ,Name,N\n2.5,a,8\n", COLUMNS, handle_batch=sink)
    assert sink.batches == [[(2, {"name": "a", "number": 8, "size": 2.5})]]


def test_a_byte_order_mark_crlf_and_an_uploaded_file_are_read():
    # given the file a spreadsheet on Windows saves as "CSV UTF-8"
    upload = SimpleUploadedFile("data.csv", "\ufeffname,n\r\nZoë,2\r\n\r\nÅsa,4\r\n".encode())
    sink = Sink()
    # when
    result = run_import(upload, COLUMNS, handle_batch=sink)
    # then blank lines are skipped and counted as lines
    assert result.rows_read == 2
    assert sink.batches == [
        [
            (2, {"name": "Zoë", "number": 2, "size": None}),
            (4, {"name": "Åsa", "number": 4, "size": None}),
        ]
    ]


def test_text_files_and_lists_of_lines_are_read():
    sink = Sink()
    run_import(io.StringIO("name,n\na,2\n"), COLUMNS, handle_batch=sink)
    run_import(["name,n\n", "b,4\n"], COLUMNS, handle_batch=sink)
    assert [batch[0][1]["name"] for batch in sink.batches] == ["a", "b"]


def test_a_header_only_file_imports_nothing_and_is_fine():
    result = run_import("name,n\n", COLUMNS, handle_batch=Sink())
    assert (result.ok, result.rows_read, result.rows_imported) == (True, 0, 0)


def test_a_quoted_value_over_several_lines_is_reported_at_its_first_line():
    sink = Sink()
    with pytest.raises(ImportRejected) as rejected:
        run_import('name,n\n"two\nlines",2\nbad,3\n', COLUMNS, handle_batch=sink)
    assert rejected.value.issues == [RowIssue(4, "number", "3 is odd")]


# --- bad files -----------------------------------------------------------------------------


BAD_FILE = "name,number,size\na,2,1\n,3,\nc,x,11\nd,4,1\n"
BAD_FILE_ISSUES = [
    "line 3, column name: is empty",
    "line 3, column number: 3 is odd",
    "line 4, column number: 'x' is not a whole number",
    "line 4, column size: 11.0 is out of range (0 to 10)",
]


def test_a_bad_file_is_read_through_first_and_nothing_is_handed_on():
    # given a file that can be read twice (a string)
    sink = Sink()
    # when
    with pytest.raises(ImportRejected) as rejected:
        run_import(BAD_FILE, COLUMNS, handle_batch=sink, batch_size=1)
    # then every problem is named and no row was ever handed on
    assert [str(i) for i in rejected.value.issues] == BAD_FILE_ISSUES
    assert str(rejected.value) == "4 problem(s); nothing was imported"
    assert rejected.value.result.rows_read == 4
    assert sink.batches == []


def test_a_stream_read_once_hands_on_rows_until_the_first_problem_then_rolls_back():
    # given lines that can be read only once
    sink = Sink()
    # when
    with pytest.raises(ImportRejected) as rejected:
        run_import(
            iter(BAD_FILE.splitlines(keepends=True)), COLUMNS, handle_batch=sink, batch_size=1
        )
    # then the same problems, and only the row before the first problem was handed on
    assert [str(i) for i in rejected.value.issues] == BAD_FILE_ISSUES
    assert sink.batches == [[(2, {"name": "a", "number": 2, "size": 1.0})]]  # rolled back


def test_reading_twice_runs_the_row_check_once_per_row_and_counts_rows_once():
    # given
    seen = []
    sink = Sink()
    upload = SimpleUploadedFile("data.csv", b"name,n\na,2\nb,4\n")
    # when
    result = run_import(
        upload, COLUMNS, handle_batch=sink, row_check=lambda row: seen.append(row.line)
    )
    # then
    assert seen == [2, 3]
    assert (result.rows_read, result.rows_imported) == (2, 2)
    assert [line for batch in sink.batches for line, _ in batch] == [2, 3]


def test_validate_first_can_be_chosen_or_refused():
    sink = Sink()
    with pytest.raises(ImportRejected):
        run_import(BAD_FILE, COLUMNS, handle_batch=sink, batch_size=1, validate_first=False)
    assert len(sink.batches) == 1  # written as it came, then rolled back
    with pytest.raises(ValueError, match="read twice"):
        run_import(iter(["name,n\n"]), COLUMNS, handle_batch=sink, validate_first=True)


@pytest.mark.parametrize("validate_first", [True, False])
def test_a_bad_row_after_committed_batches_leaves_nothing_in_the_database(validate_first):
    # given 5 good rows (saved in batches of 2) and then a bad one
    data = "name,n\n" + "".join(f"r{i},2\n" for i in range(5)) + "bad,1\n"
    # when
    with pytest.raises(ImportRejected) as rejected:
        import_entries(data, batch_size=2, validate_first=validate_first)
    # then
    assert rejected.value.issues == [RowIssue(7, "number", "1 is odd")]
    assert rejected.value.result.rows_imported == (0 if validate_first else 4)
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_all_or_nothing_holds_with_real_commits():
    with pytest.raises(ImportRejected):
        import_entries("name,n\na,2\nb,4\nc,5\n", batch_size=1)
    assert AuditEntry.objects.count() == 0
    import_entries("name,n\na,2\nb,4\n", batch_size=1)
    assert AuditEntry.objects.count() == 2


def test_missing_columns_are_named_with_what_was_found():
    with pytest.raises(ImportRejected) as rejected:
        run_import("title,size\nx,1\n", COLUMNS, handle_batch=Sink())
    assert rejected.value.issues == [
        RowIssue(1, "", "expected columns name, number (or n); found title, size")
    ]


def test_a_column_given_twice_is_refused():
    with pytest.raises(ImportRejected) as rejected:
        run_import("name,number,N\nx,2,4\n", COLUMNS, handle_batch=Sink())
    assert rejected.value.issues == [
        RowIssue(1, "number", "the column appears more than once (number, N)")
    ]


@pytest.mark.parametrize("data", ["", b"", "\n\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(data):
    with pytest.raises(ImportRejected) as rejected:
        run_import(data, COLUMNS, handle_batch=Sink())
    assert [str(i) for i in rejected.value.issues] in (
        ["line 1: the file is empty"],
        ["line 1: expected columns name, number (or n); found no column names"],
    )


def test_lines_that_are_not_utf8_are_each_reported_and_reading_goes_on():
    # given a file saved as Latin-1 with a bad number further down
    data = "name,n\na,2\nZoë,4\nb,3\nJosé,6\n".encode("latin-1")
    # when
    with pytest.raises(ImportRejected) as rejected:
        run_import(data, COLUMNS, handle_batch=Sink())
    # then
    message = "this line is not UTF-8 text: save the file as “CSV UTF-8” and try again"
    assert rejected.value.issues == [
        RowIssue(3, "", message),
        RowIssue(4, "number", "3 is odd"),
        RowIssue(5, "", message),
    ]


def test_a_header_that_is_not_utf8_stops_the_import():
    with pytest.raises(ImportRejected) as rejected:
        run_import(b"n\xe4me,n\na,2\n", COLUMNS, handle_batch=Sink())
    assert [i.line for i in rejected.value.issues] == [1]


def test_broken_quoting_is_reported_by_line_and_reading_goes_on():
    with pytest.raises(ImportRejected) as rejected:
        run_import('name,n\n"a"b,2\nc,3\n"open,4\n', COLUMNS, handle_batch=Sink())
    assert rejected.value.issues == [
        RowIssue(2, "", 'a " inside a value must be doubled ("") and the value quoted'),
        RowIssue(3, "number", "3 is odd"),
        RowIssue(4, "", 'a quoted value is not closed (a " is missing)'),
    ]


def test_row_checks_can_return_issues_or_raise():
    def no_zed(row):
        if row.values["name"].startswith("z"):
            raise RowError("name", "must not start with z")
        if row.values["number"] > 100:
            return [RowIssue(row.line, "number", "is too big")]
        return None

    with pytest.raises(ImportRejected) as rejected:
        run_import(
            "name,n\nzed,2\nann,200\nbob,4\n", COLUMNS, handle_batch=Sink(), row_check=no_zed
        )
    assert rejected.value.issues == [
        RowIssue(2, "name", "must not start with z"),
        RowIssue(3, "number", "is too big"),
    ]


def test_a_batch_the_database_refuses_is_reported_by_its_lines():
    # given a file that repeats a (user, topic) pair the database holds unique
    person = UserFactory()

    def build(row):
        return NotificationPreference(user=person, topic=row.values["name"], delivery="site")

    data = "name,n\ncrime,2\nbudget,2\ncrime,2\nnews,2\n"
    # when
    with pytest.raises(ImportRejected) as rejected:
        run_import(
            data,
            COLUMNS,
            handle_batch=bulk_create_rows(NotificationPreference, build),
            batch_size=3,
        )
    # then
    [issue] = rejected.value.issues
    assert (issue.line, issue.column) == (2, "")
    assert issue.message.startswith("lines 2 to 4 could not be saved (")
    assert NotificationPreference.objects.count() == 0


def test_the_error_report_is_a_csv_and_says_how_many_more():
    with pytest.raises(ImportRejected) as rejected:
        run_import("name,n\n" + "a,1\n" * 5, COLUMNS, handle_batch=Sink(), max_issues=2)
    result = rejected.value.result
    assert (len(result.errors), result.more_errors, result.total_issues) == (2, 3, 5)
    assert errors_as_csv(result).splitlines() == [
        "line,column,problem",
        "2,number,1 is odd",
        "3,number,1 is odd",
        ",,…and 3 more problems",
    ]


def test_the_error_report_cannot_smuggle_a_spreadsheet_formula():
    report = issues_as_csv([RowIssue(5, "name", '=HYPERLINK("http://x") is not allowed')])
    rows = list(csv.reader(io.StringIO(report)))
    assert rows[1] == ["5", "name", '\'=HYPERLINK("http://x") is not allowed']


def test_row_error_takes_a_message_or_a_column_and_a_message():
    assert (RowError("bad").column, RowError("bad").message) == ("", "bad")
    assert (RowError("size", "too big").column, RowError("size", "too big").message) == (
        "size",
        "too big",
    )
    with pytest.raises(TypeError):
        RowError()


# --- parsers -------------------------------------------------------------------------------


def test_parsers():
    assert parse_int(0, 10)("7") == 7
    assert parse_date("2025-03-31") == dt.date(2025, 3, 31)
    assert parse_date("31/03/2025") == dt.date(2025, 3, 31)
    assert parse_choice(["Ward", "LSOA"])("lsoa") == "LSOA"
    assert math.isclose(parse_float(-90, 90)("51.5"), 51.5)
    for parse, text, message in [
        (parse_int(0, 10), "11", "11 is out of range (0 to 10)"),
        (parse_int(), "1.5", "'1.5' is not a whole number"),
        (parse_float(0, 1), "nan", "nan is out of range (0 to 1)"),
        (parse_float(0, 1), "inf", "inf is out of range (0 to 1)"),
        (parse_float(0, 1), "one", "'one' is not a number"),
        (parse_date, "31/02/2025", "'31/02/2025' is not a date (use 2025-03-31 or 31/03/2025)"),
        (parse_choice(["Ward", "LSOA"]), "county", "'county' is not one of Ward, LSOA"),
    ]:
        with pytest.raises(RowError) as error:
            parse(text)
        assert error.value.message == message


# --- property: any bad row means nothing is imported and exactly the bad lines are named ---

names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() and s.strip() not in ("name", "n"))
rows = st.lists(
    st.tuples(names, st.sampled_from(["good", "good", "odd", "word", "blank"])),
    min_size=1,
    max_size=30,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows, st.booleans(), st.integers(min_value=1, max_value=5), st.booleans())
def test_a_file_with_any_bad_row_imports_nothing_and_names_exactly_the_bad_lines(
    generated, bom, batch_size, validate_first
):
    # given a file written by a real CSV writer (names may hold commas, quotes and newlines)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "n"])
    bad_lines = []
    for name, kind in generated:
        line = out.getvalue().count("\n") + 1
        number = {"good": "2", "odd": "3", "word": "two", "blank": ""}[kind]
        writer.writerow([name, number])
        if kind != "good":
            bad_lines.append(line)
    data = ("\ufeff" if bom else "") + out.getvalue()
    with transaction.atomic():
        # when
        if bad_lines:
            with pytest.raises(ImportRejected) as rejected:
                import_entries(data.encode(), batch_size=batch_size, validate_first=validate_first)
            # then
            assert [i.line for i in rejected.value.issues] == bad_lines
            assert AuditEntry.objects.count() == 0
        else:
            result = import_entries(
                data.encode(), batch_size=batch_size, validate_first=validate_first
            )
            assert result.rows_imported == len(generated)
            assert sorted(AuditEntry.objects.values_list("target_id", flat=True)) == sorted(
                name.strip() for name, _ in generated
            )
        transaction.set_rollback(True)
