"""The term snapshot (term_snapshot.py): searches of several plain words answered from memory
agree with the full-text engines (count, set, order, pages, facets), under random edits, and
stay fresh from the change log (a pruned or emptied log makes the snapshot build again)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings

from bigsociety.opendata import term_index, term_snapshot
from bigsociety.opendata.models import Dataset, SearchChange
from bigsociety.opendata.search import SearchParams, SearchResult, search
from bigsociety.opendata.services import catalogue as services

from .catalogue_helpers import dataset, organisation
from .test_term_index import FACETS, OPS, apply_edit

QUERIES = [
    "library visits",
    "street crime",
    "crime library",
    "library, crime!",
    "parking fines transport",
    "culture libraries",
    "crime nothing",
    "crime crimes",  # one term after stemming: the one-word path
]
# Every sort the API offers: the ones led by score are the snapshot's own order (compared as
# sets); the others must be exactly the engines' order.
SCORE_SORTS = [
    "score desc, metadata_modified desc",
    "score desc",
    "metadata_modified desc, score desc",
]
OTHER_SORTS = [
    "name asc",
    "name desc",
    "id asc",
    "title_string asc",
    "title desc",
    "metadata_modified desc",
    "metadata_modified asc",
    "metadata_created desc",
    "metadata_created asc",
]


def fast_search(q: str, **kwargs) -> SearchResult:
    """A public search that must be answered without the full-text engines."""
    with CaptureQueriesContext(connection) as queries:
        result = search(SearchParams(q=q, **kwargs))
    engine = [s for s in (q["sql"] for q in queries) if "search_fts" in s or "search_vector" in s]
    assert engine == []
    return result


def full_text(q: str, **kwargs) -> SearchResult:
    """The same public search on the full-text path (drafts of no publisher: none shown)."""
    return search(SearchParams(q=q, drafts=[-1], **kwargs))


def names(result: SearchResult) -> list[str]:
    return [p["name"] for p in result.packages]


def assert_agrees(q: str) -> None:
    slow = full_text(q, rows=1000, facet_fields=FACETS)
    fast = fast_search(q, rows=1000, facet_fields=FACETS)
    assert fast.count == slow.count == len(slow.packages)
    assert set(names(fast)) == set(names(slow))
    assert fast.facets == slow.facets
    for sort in OTHER_SORTS:
        assert names(fast_search(q, rows=1000, sort=sort)) == names(
            full_text(q, rows=1000, sort=sort)
        )
    for sort in SCORE_SORTS + OTHER_SORTS:
        whole = names(fast_search(q, rows=1000, sort=sort))
        assert set(whole) == set(names(slow))
        paged: list[str] = []
        for start in range(0, fast.count + 2, 2):
            page = fast_search(q, rows=2, start=start, sort=sort)
            assert page.count == fast.count
            paged.extend(names(page))
        assert paged == whole  # pages partition the matches, in one order


def catalogue() -> None:
    a = organisation("a-org", "A org")
    b = organisation("b-org", "B org")
    dataset(title="Library visits", publisher=a, tags=("culture", "libraries"))
    dataset(title="Library visits by ward", publisher=b, tags=("culture",))
    dataset(title="Street crime", publisher=a, description="Crime near the library.")
    dataset(title="Street crime outcomes", publisher=b, description="Crime in the street.")
    dataset(title="Parking fines", publisher=b, tags=("transport",))
    dataset(title="Parking fines by street", publisher=a, tags=("transport", "crime"))
    dataset(title="Libraries open hours", publisher=b, tags=("culture",))
    gone = dataset(title="Library crime", publisher=a, tags=("crime", "libraries"))
    services.dataset_withdraw(dataset=gone, reason="Superseded", acting_user=None)
    dataset(title="Street crime draft", publisher=a, tags=("library",), publish=False)


@pytest.mark.django_db
@pytest.mark.parametrize("common", [1, 1000])  # stored facets for every term / for none
def test_several_words_agree_with_the_full_text_engine(common):
    # given a catalogue made in this (uncommitted) transaction, a withdrawn one and a draft
    with mock.patch.object(term_index, "COMMON", common):
        catalogue()
        # then every query, sort and page agrees with the engines
        for q in QUERIES:
            assert_agrees(q)
        assert set(names(fast_search("street crime"))) == {
            "street-crime",
            "street-crime-outcomes",
            "parking-fines-by-street",  # street in the title, crime a tag
        }
        assert names(fast_search("library crime")) == ["street-crime"]  # not the withdrawn one
        # the words' scores add up: the title holding both words comes first
        assert names(fast_search("library visits"))[:2] == [
            "library-visits",
            "library-visits-by-ward",
        ]


@pytest.mark.django_db(transaction=True)
def test_several_words_agree_when_the_catalogue_is_committed():
    # given a committed catalogue (the snapshot catches up from the change log)
    catalogue()
    # then
    for q in QUERIES:
        assert_agrees(q)
    # when a dataset is withdrawn and another published, then the next search has caught up
    services.dataset_withdraw(
        dataset=Dataset.objects.get(name="street-crime"), reason="Gone", acting_user=None
    )
    services.dataset_publish(dataset=Dataset.objects.get(name="library-crime"), acting_user=None)
    assert set(names(fast_search("street crime"))) == {
        "street-crime-outcomes",
        "parking-fines-by-street",
    }
    assert names(fast_search("library crime")) == ["library-crime"]
    for q in QUERIES:
        assert_agrees(q)


@pytest.mark.django_db
def test_queries_with_syntax_or_filters_or_drafts_take_the_engines():
    dataset(title="Street crime", tags=("crime",))
    with mock.patch.object(term_snapshot, "matches", wraps=term_snapshot.matches) as matches:
        search(SearchParams(q="street OR parking"))  # (SQLite's FTS5 path reads OR as a word)
        counts = [
            search(params).count
            for params in [
                SearchParams(q='"street crime"'),
                SearchParams(q="street crime", fq="tags:crime"),
                SearchParams(q="street crime", drafts="all"),
                SearchParams(q="street crime", sort="score desc, name asc"),
            ]
        ]
        assert counts == [1, 1, 1, 1]
        # then the snapshot was asked only for the plain public query
        assert matches.call_count == 0
        assert search(SearchParams(q="street crime")).count == 1
        assert matches.call_count == 1


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPS)
def test_random_edits_keep_several_word_searches_equal_to_the_engines(ops):
    with mock.patch.object(term_index, "COMMON", 2), transaction.atomic():
        orgs = [organisation("a-org", "A org"), organisation("b-org", "B org")]
        made: list[Dataset] = []
        for op in ops:
            apply_edit(made, orgs, op, description="About {words} and crime roads.")
            for q in ["crime roads", "library crime", "parks waste roads"]:
                fast = fast_search(q, rows=100, facet_fields=FACETS)
                slow = full_text(q, rows=100, facet_fields=FACETS)
                assert (fast.count, set(names(fast)), fast.facets) == (
                    slow.count,
                    set(names(slow)),
                    slow.facets,
                )
                assert names(fast_search(q, rows=100, sort="name asc")) == names(
                    full_text(q, rows=100, sort="name asc")
                )
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_a_pruned_change_log_makes_the_snapshot_build_again():
    # given a snapshot that has caught up with a committed catalogue
    org = organisation()
    for i in range(3):
        dataset(title=f"Waste collection {i}", publisher=org, tags=("waste",))
    assert fast_search("waste collection").count == 3
    snapshot = term_snapshot.snapshot_for(connection)
    builds = snapshot.builds
    # when one more edit is logged, then the snapshot catches up without building again
    dataset(title="Waste collection 3", publisher=org)
    assert fast_search("waste collection").count == 4
    assert snapshot.builds == builds
    # when the log is pruned past the snapshot's place
    with mock.patch.object(term_index, "LOG_KEEP", 1):
        dataset(title="Waste collection 4", publisher=org)
        dataset(title="Waste collection 5", publisher=org)
    assert SearchChange.objects.count() == 1  # the newest LOG_KEEP rows only
    # then the next search builds the snapshot again, and agrees with the engines
    assert_agrees("waste collection")
    assert snapshot.builds == builds + 1
    assert fast_search("waste collection").count == 6


@pytest.mark.django_db(transaction=True)
def test_a_snapshot_far_behind_builds_again_and_an_emptied_log_too():
    org = organisation()
    dataset(title="Road casualties 0", publisher=org)
    assert fast_search("road casualties").count == 1
    snapshot = term_snapshot.snapshot_for(connection)
    builds = snapshot.builds
    # when more datasets changed than the snapshot catches up with
    with mock.patch.object(term_snapshot, "REBUILD_AFTER", 2):
        for i in range(1, 5):
            dataset(title=f"Road casualties {i}", publisher=org)
        # then it builds again
        assert fast_search("road casualties").count == 5
    assert snapshot.builds == builds + 1
    # when the log is emptied behind its back, then it builds again too
    SearchChange.objects.all().delete()
    assert fast_search("road casualties").count == 5
    assert snapshot.builds == builds + 2


@pytest.mark.django_db
def test_the_snapshot_measures_its_memory():
    dataset(title="Air quality readings", tags=("air",))
    assert fast_search("air quality").count == 1
    snapshot = term_snapshot.snapshot_for(connection)
    assert {"air", "qualiti"} <= set(snapshot.terms)
    assert snapshot.size_bytes() > 0
