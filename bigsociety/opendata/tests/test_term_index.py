"""The term index (term_index.py): its words, its upkeep through the services, and one-word
searches that agree with the full-text engines."""

from __future__ import annotations

from collections import Counter
from unittest import mock

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bigsociety.opendata import term_index
from bigsociety.opendata.models import (
    Dataset,
    SearchDocument,
    SearchFacet,
    SearchTerm,
    SearchTermFacet,
)
from bigsociety.opendata.search import SearchParams, search
from bigsociety.opendata.services import catalogue as services

from .catalogue_helpers import dataset, organisation

FACETS = ["organization", "tags", "res_format", "license_id", "groups"]


def recount() -> tuple[set[tuple[str, int]], dict[tuple[str, str, str], int]]:
    """The term index as it should be, worked out from the stored search documents."""
    postings: set[tuple[str, int]] = set()
    held: Counter[str] = Counter()
    by_dataset: dict[int, set[str]] = {}
    for doc in SearchDocument.objects.filter(state=Dataset.State.PUBLISHED):
        terms = set(term_index.document_terms(doc.title, doc.tags_text, doc.body))
        by_dataset[doc.dataset_id] = terms
        postings.update((t, doc.dataset_id) for t in terms)
        held.update(terms)
    counts: dict[tuple[str, str, str], int] = {
        (t, term_index.TOTAL, ""): n for t, n in held.items()
    }
    for facet in SearchFacet.objects.filter(dataset_id__in=by_dataset):
        for t in by_dataset[facet.dataset_id]:
            if held[t] >= term_index.COMMON:
                key = (t, facet.field, facet.value)
                counts[key] = counts.get(key, 0) + 1
    return postings, counts


def stored() -> tuple[set[tuple[str, int]], dict[tuple[str, str, str], int]]:
    postings = set(SearchTerm.objects.values_list("term", "dataset_id"))
    counts = {
        (row.term, row.field, row.value): row.datasets for row in SearchTermFacet.objects.all()
    }
    return postings, counts


def full_text(q: str, **kwargs) -> object:
    # drafts="all" takes the full-text path; the tests hold no drafts, so it sees the same set
    return search(SearchParams(q=q, drafts="all", **kwargs))


def test_words_drop_stop_words_and_stem():
    assert term_index.words("The Libraries of the City, visited!") == ["librari", "citi", "visit"]
    assert term_index.query_terms("library visits") == ["librari", "visit"]
    assert term_index.query_terms("the of") == []
    for syntax in ['"road safety"', "crime -parking", "crime OR parking", "tags:crime", "a.b"]:
        assert term_index.query_terms(syntax) is None


@pytest.mark.django_db
def test_words_are_postgresqls_english_lexemes():
    if connection.vendor != "postgresql":
        pytest.skip("compares with PostgreSQL's english configuration")
    text = "Libraries visited; recycling quality of housing, parking fines and 2024 museums"
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(to_tsvector('english', %s))", [text])
        lexemes = set(cursor.fetchone()[0])
    assert set(term_index.words(text)) == lexemes


@pytest.mark.django_db
@pytest.mark.parametrize("common", [1, 1000])  # stored facets for every term / for none
def test_one_word_search_agrees_with_the_full_text_engine(common):
    with mock.patch.object(term_index, "COMMON", common):  # for every write, as in production
        a = organisation("a-org", "A org")
        b = organisation("b-org", "B org")
        dataset(title="Library visits", publisher=a, tags=("culture", "libraries"))
        dataset(title="Street crime", publisher=a, description="Crime near the library.")
        dataset(title="Parking fines", publisher=b, tags=("transport",))
        dataset(title="Libraries open hours", publisher=b, tags=("culture",))
        assert stored() == recount()
        services.dataset_reindex(dataset_ids=Dataset.objects.values_list("pk", flat=True))
        assert stored() == recount()
        for q in ["library", "libraries", "crime", "culture", "parking", "nothing"]:
            fast = search(SearchParams(q=q, rows=10, facet_fields=FACETS))
            slow = full_text(q, rows=10, facet_fields=FACETS)
            assert fast.count == slow.count
            assert {p["name"] for p in fast.packages} == {p["name"] for p in slow.packages}
            assert fast.facets == slow.facets
    ranked = search(SearchParams(q="library"))
    assert ranked.packages[0]["title"] == "Library visits"  # title and tag beat the body


@pytest.mark.django_db
def test_pages_of_a_one_word_search_partition_the_matches():
    org = organisation()
    for i in range(9):
        dataset(title=f"Budget {i}", publisher=org, description="The budget. " * (i % 3 + 1))
    for sort in ["score desc, metadata_modified desc", "name asc", "id asc"]:
        names: list[str] = []
        for start in range(0, 12, 4):
            page = search(SearchParams(q="budget", rows=4, start=start, sort=sort))
            assert page.count == 9
            names.extend(p["name"] for p in page.packages)
        assert sorted(names) == sorted({*names}) and len(names) == 9
        if sort == "name asc":
            assert names == sorted(names)


@pytest.mark.django_db
def test_drafts_and_withdrawn_datasets_are_not_in_the_term_index():
    draft = dataset(title="Secret plans", publish=False)
    shown = dataset(title="Public plans")
    assert {d for _, d in stored()[0]} == {shown.pk}
    assert search(SearchParams(q="plans")).count == 1
    services.dataset_withdraw(dataset=shown, reason="Superseded", acting_user=None)
    assert stored() == (set(), {})
    assert search(SearchParams(q="plans")).count == 0
    services.dataset_publish(dataset=draft, acting_user=None)
    assert search(SearchParams(q="secret")).count == 1
    assert stored() == recount()


OPS = st.lists(
    st.tuples(
        st.sampled_from(["create", "retitle", "retag", "withdraw", "publish"]),
        st.integers(min_value=0, max_value=5),
        st.lists(st.sampled_from(["crime", "parks", "library", "waste", "roads"]), max_size=3),
    ),
    max_size=12,
)


def apply_edit(
    made: list[Dataset], orgs: list, op: tuple[str, int, list[str]], description: str = ""
) -> None:
    """One step of the random edits: create (published or draft), retitle, retag, withdraw or
    publish one of ``made``. ``description`` ({words} for the step's words) for new datasets."""
    action, i, chosen = op
    words = " ".join(chosen) or "misc"
    if action == "create" or not made:
        extra = {"description": description.format(words=words)} if description else {}
        made.append(
            dataset(
                title=f"{words} {len(made)}",
                publisher=orgs[i % 2],
                tags=tuple(chosen),
                publish=i % 3 != 0,
                **extra,
            )
        )
        return
    item = made[i % len(made)]
    item.refresh_from_db()
    if action == "retitle":
        services.dataset_update(dataset=item, acting_user=None, title=f"{words} {i}")
    elif action == "retag":
        services.dataset_update(dataset=item, acting_user=None, tags=chosen)
    elif action == "withdraw" and item.state == Dataset.State.PUBLISHED:
        services.dataset_withdraw(dataset=item, reason="Gone", acting_user=None)
    elif action == "publish" and item.state == Dataset.State.DRAFT:
        services.dataset_publish(dataset=item, acting_user=None)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPS)
def test_upkeep_keeps_the_index_equal_to_a_recount(ops):
    # With COMMON = 2, terms keep crossing the line where their facets are stored.
    with mock.patch.object(term_index, "COMMON", 2), transaction.atomic():
        orgs = [organisation("a-org", "A org"), organisation("b-org", "B org")]
        made: list[Dataset] = []
        for op in ops:
            apply_edit(made, orgs, op)
        assert stored() == recount()
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_migrations_fill_equals_the_services_upkeep():
    # Small chunks and a low threshold: terms become common part-way through one update.
    with mock.patch.object(term_index, "COMMON", 3), mock.patch.object(term_index, "BATCH", 2):
        for i in range(7):
            dataset(title=f"Waste collection {i}", tags=("waste", f"round-{i % 2}"))
        kept = stored()
        assert kept == recount()
        SearchTerm.objects.all().delete()
        SearchTermFacet.objects.all().delete()
        ids = Dataset.objects.values_list("pk", flat=True)
        assert term_index.terms_reindex(connection, ids) == 7
        assert stored() == kept
