import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bigsociety.common.csvimport import (
    Column,
    ImportRejected,
    RowError,
    issues_as_csv,
    parse_float,
    run_import,
)

pytestmark = pytest.mark.django_db


def parse_even(text: str) -> int:
    value = int(text)
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


def test_good_rows_arrive_in_batches_with_their_lines():
    sink = Sink()
    result = run_import("name,n\na,2\nb,4\nc,6\n", COLUMNS, handle_batch=sink, batch_size=2)
    assert (result.rows_read, result.rows_imported) == (3, 3)
    assert sink.batches == [
        [
            (2, {"name": "a", "number": 2, "size": None}),
            (3, {"name": "b", "number": 4, "size": None}),
        ],
        [(4, {"name": "c", "number": 6, "size": None})],
    ]


def test_every_bad_row_is_reported_and_nothing_is_handed_on_after_the_first():
    sink = Sink()
    with pytest.raises(ImportRejected) as rejected:
        run_import(
            "name,number,size\na,2,1\n,3,\nc,x,11\nd,4,1\n",
            COLUMNS,
            handle_batch=sink,
            batch_size=1,
        )
    assert [str(i) for i in rejected.value.issues] == [
        "line 3, column name: is empty",
        "line 3, column number: 3 is odd",
        "line 4, column number: invalid literal for int() with base 10: 'x'",
        "line 4, column size: 11.0 is out of range (0 to 10)",
    ]
    assert sink.batches == [[(2, {"name": "a", "number": 2, "size": 1.0})]]  # rolled back


def test_missing_columns_and_bad_encoding_are_reported():
    with pytest.raises(ImportRejected) as rejected:
        run_import("title\nx\n", COLUMNS, handle_batch=Sink())
    assert rejected.value.issues[0].message == ("expected columns name, number (or n); found title")
    with pytest.raises(ImportRejected) as rejected:
        run_import(b"name,n\na,2\n\xff,4\n", COLUMNS, handle_batch=Sink())
    assert rejected.value.issues[0].line == 3
    assert "not UTF-8" in rejected.value.issues[0].message


def test_the_error_report_is_a_csv_and_says_how_many_more():
    with pytest.raises(ImportRejected) as rejected:
        run_import("name,n\n" + "a,1\n" * 5, COLUMNS, handle_batch=Sink(), max_issues=2)
    assert rejected.value.result.more_issues == 3
    report = issues_as_csv(rejected.value.issues, rejected.value.result.more_issues)
    assert report.splitlines() == [
        "line,column,problem",
        "2,number,1 is odd",
        "3,number,1 is odd",
        ",,…and 3 more problems",
    ]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.booleans(), min_size=1, max_size=40))
def test_a_file_with_any_bad_row_imports_nothing_and_names_exactly_the_bad_lines(bad_rows):
    sink = Sink()
    text = "name,n\n" + "".join(f"r{i},{1 if bad else 2}\n" for i, bad in enumerate(bad_rows))
    if any(bad_rows):
        with pytest.raises(ImportRejected) as rejected:
            run_import(text, COLUMNS, handle_batch=sink, batch_size=3)
        assert [i.line for i in rejected.value.issues] == [
            n + 2 for n, bad in enumerate(bad_rows) if bad
        ]
    else:
        result = run_import(text, COLUMNS, handle_batch=sink, batch_size=3)
        assert result.rows_imported == len(bad_rows)
