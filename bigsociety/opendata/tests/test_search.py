"""Search: the fq parser, ranking, facets in the database, fixed query counts, stable paging."""

from __future__ import annotations

import contextlib
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from bigsociety.opendata import term_index
from bigsociety.opendata.ckan.query import QueryError, parse, parse_sort
from bigsociety.opendata.search import SearchParams, search
from bigsociety.opendata.services import catalogue as services

from .catalogue_helpers import dataset, organisation


def test_parser_shapes():
    node = parse('+organization:city -tags:"road safety" (res_format:CSV OR res_format:JSON)')
    assert node.op == "and"
    assert [c.op for c in node.children] == ["term", "not", "or"]
    assert node.children[1].children[0].term.value == "road safety"
    node = parse("tags:(a OR b)")
    assert [c.term.value for c in node.children] == ["a", "b"]
    node = parse("metadata_modified:[2024-01-31T10:00:00Z TO NOW]")
    assert node.term.low.isoformat() == "2024-01-31T10:00:00+00:00"
    assert parse("*:*") is None
    assert parse_sort("score desc, metadata_modified desc") == [
        ("score", "desc"),
        ("metadata_modified", "desc"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "colour:red",
        "tags:(a",
        "tags:",
        "metadata_modified:[yesterday TO *]",
        "name:[a TO b]",
        "tags:a)",
        "metadata_modified:[2024-01-01]",
    ],
)
def test_parser_refuses_malformed_queries(text):
    with pytest.raises(QueryError):
        parse(text)


@given(st.text(max_size=40))
def test_parser_never_crashes(text):
    with contextlib.suppress(QueryError):
        parse(text)


@pytest.mark.django_db
def test_ranking_prefers_titles_and_stems_words():
    dataset(
        title="Library visits", description="Counts of people at each branch.", tags=("culture",)
    )
    dataset(
        title="Footfall", description="People visiting the library and the market.", tags=("town",)
    )
    result = search(SearchParams(q="libraries"))
    assert [p["title"] for p in result.packages] == ["Library visits", "Footfall"]


@pytest.mark.django_db
def test_query_count_does_not_grow_with_results():
    def queries(n: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            search(
                SearchParams(
                    q="data", rows=100, facet_fields=["organization", "tags", "res_format"]
                )
            )
        return len(ctx.captured_queries)

    org = organisation()
    for i in range(3):
        dataset(title=f"Data {i}", publisher=org)
    small = queries(3)
    for i in range(3, 15):
        dataset(title=f"Data {i}", publisher=org)
    # a rare word: count and page in one statement, its facets from its postings in another
    assert queries(15) == small == 2
    with mock.patch.object(term_index, "COMMON", 10):
        # a common word: count, page and three stored facets in one statement
        assert queries(15) == 1


@pytest.mark.django_db
def test_deep_paging_by_id_is_stable_under_edits():
    made = [dataset(title=f"Item {i}") for i in range(12)]
    seen: list[str] = []
    start = 0
    while True:
        page = search(SearchParams(rows=5, start=start, sort="id asc")).packages
        if not page:
            break
        seen.extend(p["id"] for p in page)
        # another editor changes a dataset between our pages
        services.dataset_update(dataset=made[start], acting_user=None, title=f"Edited {start}")
        start += 5
    assert seen == sorted(str(d.uuid) for d in made)


@pytest.mark.django_db
def test_facets_are_counted_with_filters_applied():
    a = organisation("a-org", "A org")
    b = organisation("b-org", "B org")
    dataset(title="One", publisher=a, tags=("x", "y"))
    dataset(title="Two", publisher=a, tags=("x",))
    dataset(title="Three", publisher=b, tags=("y",))
    result = search(SearchParams(fq="tags:x", facet_fields=["organization", "tags"]))
    assert result.count == 2
    assert result.facets == {"organization": [("a-org", 2)], "tags": [("x", 2), ("y", 1)]}
    limited = search(SearchParams(facet_fields=["tags"], facet_limit=1, facet_mincount=2))
    assert limited.facets == {"tags": [("x", 2)]}


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["name asc", "title desc", "metadata_modified desc", "id asc"])
def test_one_statement_search_pages_like_the_plain_search(sort):
    # given seven datasets; a search with facets runs as one statement, one without as two
    org = organisation()
    for i in (3, 1, 6, 0, 5, 2, 4):
        dataset(title=f"Item {i}", publisher=org, tags=(f"t{i % 2}",))
    for start in (0, 3, 6, 9):
        plain = search(SearchParams(sort=sort, rows=3, start=start))
        once = search(SearchParams(sort=sort, rows=3, start=start, facet_fields=["tags"]))
        # then both give the same count and the same page, in the same order
        assert once.count == plain.count == 7
        assert [p["name"] for p in once.packages] == [p["name"] for p in plain.packages]
        assert once.facets == {"tags": [("t0", 4), ("t1", 3)]}
    ranked = search(SearchParams(q="item", rows=10, facet_fields=["organization"]))
    assert ranked.count == 7
    assert ranked.facets == {"organization": [(org.slug, 7)]}
