"""The term index: the published catalogue's words, for fast plain-word searches.

The full-text engines (PostgreSQL ``tsvector``, SQLite FTS5) must test every matching document
to count and rank a common word: on 50,000 datasets a word found in 36,000 of them costs
~20 ms to match, ~30 ms to rank and ~100 ms to facet, whatever the page size. The term index
keeps, for *published* datasets, what such a search needs already aggregated:

* ``SearchTerm`` (term, dataset, score, metadata_modified) — one row per stemmed word of a
  dataset, with the dataset's score for that word. An index on
  (term, score desc, metadata_modified desc, dataset) gives any page of a one-word search in
  relevance order directly.
* ``SearchTermFacet`` (term, field, value, datasets) — the row with field ``*`` counts the
  published datasets holding the term; for a *common* term (held by ``COMMON`` datasets or
  more) further rows count how many of them carry each facet value. So the count and every
  facet of a one-word search are a primary-key range read; a rare term's facets are counted
  from its few postings. (Storing facets for every term would cost ten rows per rare word —
  on 50,000 synthetic datasets, 500,000 rows for the numbers in titles alone.)

Both are kept by the catalogue services in the same transaction as the search documents
(``TermIndexUpdate``: ``forget`` before a dataset's facets change, ``add`` after, ``flush`` at
the end); the migration that created them filled them from the search documents the same way.
``flush`` also appends the changed datasets to the change log (``SearchChange``) that keeps the
in-memory term snapshots of ``term_snapshot.py`` fresh, and notes them on the connection
(``uncommitted_changes``) until its transaction ends.

Words: lower-cased ``\\w+`` runs, PostgreSQL's English stop words removed, stemmed with the
Snowball English stemmer (the stemmer PostgreSQL's ``english`` configuration uses), so a word
means the same here on both databases. A dataset's score for a term sums, over title, tags and
the rest of its text, weight × tf / (tf + 1) with weights 1.0, 0.4 and 0.2 (``ts_rank``'s
defaults for A, B and C): a word in the title counts most, and repeats count less each time.

Searches of several plain words are answered from the term snapshot (``term_snapshot.py``);
searches that use the query syntax (quotes, ``-word``, ``OR``, ``field:value``), filters, or
the caller's drafts go to the full-text path in ``search.py``.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]

__all__ = [
    "COMMON",
    "LOG_KEEP",
    "STOP_WORDS",
    "TOTAL",
    "TermIndexUpdate",
    "UncommittedChanges",
    "chunks",
    "document_terms",
    "marks",
    "query_terms",
    "terms_reindex",
    "uncommitted_changes",
    "words",
]

# PostgreSQL's tsearch_data/english.stop (from the Snowball project).
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against between
    into through during before after above below to from up down in out on off over under again
    further then once here there when where why how all any both each few more most other some
    such no nor not only own same so than too very s t can will just don should now""".split()  # noqa: SIM905 - a copy of the stop list file
)
WEIGHTS = (1.0, 0.4, 0.2)  # title, tags, everything else
MAX_TERM = 64
TOTAL = "*"  # the SearchTermFacet field whose row counts the datasets holding a term
# Facet counts are stored for terms held by at least this many published datasets; a rarer
# term's facets are counted from its postings when searched (at most COMMON - 1 datasets).
COMMON = 100
BATCH = 500
LOCK_KEY = 0x0DA7A7E3  # the PostgreSQL advisory lock held by a term index update
LOG_KEEP = 10_000  # change log rows kept; a snapshot further behind rebuilds
_PENDING = "_opendata_term_index_pending"  # the connection attribute uncommitted_changes reads

_WORD = re.compile(r"\w+")
_PLAIN = re.compile(r"^[\w\s,;!?]*$")  # no characters the engines' parsers read as syntax
_local = threading.local()


@functools.lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:  # Snowball stemmers keep state: one per thread
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return str(stemmer.stemWord(word))


def words(text: str) -> list[str]:
    """The stemmed terms of a text, in order, stop words left out."""
    out = []
    for word in _WORD.findall((text or "").lower()):
        if word in STOP_WORDS:
            continue
        term = _stem(word)
        if term and len(term) <= MAX_TERM:
            out.append(term)
    return out


def document_terms(title: str, tags_text: str, body: str) -> dict[str, float]:
    """Each term of a search document with its score."""
    scores: dict[str, float] = defaultdict(float)
    for weight, text in zip(WEIGHTS, (title, tags_text, body), strict=True):
        for term, tf in Counter(words(text)).items():
            scores[term] += weight * tf / (tf + 1)
    return dict(scores)


def query_terms(q: str) -> list[str] | None:
    """The distinct terms of a plain-word query, or None when the query uses syntax
    (quotes, ``-``, ``OR``, ``field:``) that only the full-text engines understand."""
    if not _PLAIN.match(q) or any(word == "or" for word in q.lower().split()):
        return None
    return list(dict.fromkeys(words(q)))


@dataclass
class UncommittedChanges:
    """What this connection's open transaction has written to the term index: the datasets,
    and the first change log sequence number it took (every row from there on is its own,
    since it holds the one-writer lock until it ends; every row before it is committed)."""

    outermost: Any  # the transaction's outermost atomic block
    first_seq: int
    dataset_ids: set[int] = dataclass_field(default_factory=set)


def uncommitted_changes(connection: Any) -> UncommittedChanges | None:
    """The term index changes this connection's open transaction has not committed yet, or
    None. Forgotten as soon as the transaction that made them is seen to have ended (committed
    or rolled back); a savepoint rolled back inside it leaves them over-counted, never under."""
    pending: UncommittedChanges | None = getattr(connection, _PENDING, None)
    if pending is None:
        return None
    blocks = connection.atomic_blocks
    if connection.in_atomic_block and blocks and blocks[0] is pending.outermost:
        return pending
    setattr(connection, _PENDING, None)
    return None


def _log_changes(cursor: Any, connection: Any, dataset_ids: set[int]) -> None:
    """Append the changed datasets to the change log (under the one-writer lock, so in commit
    order), prune it to the newest ``LOG_KEEP`` rows and note the changes on the connection."""
    ids = sorted(dataset_ids)
    first: int | None = None
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        cursor.execute(
            "INSERT INTO opendata_searchchange (dataset_id) VALUES "  # noqa: S608 - placeholders only
            + ", ".join(["(%s)"] * len(chunk))
            + " RETURNING seq",
            chunk,
        )
        seqs = [int(row[0]) for row in cursor.fetchall()]
        first = min([*seqs, first] if first is not None else seqs)
    cursor.execute(
        "DELETE FROM opendata_searchchange "
        "WHERE seq <= (SELECT MAX(seq) FROM opendata_searchchange) - %s",
        [LOG_KEEP],
    )
    if not connection.in_atomic_block or first is None:
        return  # autocommit: nothing is left uncommitted
    pending = uncommitted_changes(connection)
    if pending is None:
        pending = UncommittedChanges(connection.atomic_blocks[0], first)
        setattr(connection, _PENDING, pending)
    pending.dataset_ids.update(ids)


def marks(n: int) -> str:
    """``n`` placeholders for an IN (…) list."""
    return ", ".join(["%s"] * n)


def chunks(items: Sequence[Any]) -> Iterator[list[Any]]:
    """``items`` in lists of at most BATCH (what one IN (…) list may hold)."""
    for start in range(0, len(items), BATCH):
        yield list(items[start : start + BATCH])


def _fetch(cursor: Any, sql: str, ids: Sequence[int]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for chunk in chunks(ids):
        cursor.execute(sql.format(ids=marks(len(chunk))), chunk)
        rows.extend(cursor.fetchall())
    return rows


def _add_counts(cursor: Any, counts: dict[tuple[str, str, str], int]) -> None:
    """Add (or, with negative counts, take away) dataset counts; rows that reach 0 go."""
    rows = sorted((key, n) for key, n in counts.items() if n)  # one lock order for all writers
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        params: list[Any] = []
        for (term, field, value), n in chunk:
            params.extend([term, field, value, n])
        cursor.execute(
            "INSERT INTO opendata_searchtermfacet (term, field, value, datasets) VALUES "  # noqa: S608 - placeholders only
            + ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            + " ON CONFLICT (term, field, value) DO UPDATE"
            " SET datasets = opendata_searchtermfacet.datasets + excluded.datasets",
            params,
        )
    gone = sorted({term for (term, _, _), n in counts.items() if n < 0})
    for start in range(0, len(gone), BATCH):
        terms = gone[start : start + BATCH]
        cursor.execute(
            f"DELETE FROM opendata_searchtermfacet WHERE term IN ({marks(len(terms))})"  # noqa: S608 - placeholders only
            " AND datasets <= 0",
            terms,
        )


class TermIndexUpdate:
    """One change to the term index: ``forget`` datasets (while their old facets are still
    stored), rewrite their documents and facets, ``add`` them, and ``flush`` once at the end.

    Postings are written at once; the counts are summed in memory and written by ``flush``,
    so a reindex of the whole catalogue upserts each (term, facet value) row once rather than
    once per chunk. Whether a term's facets are stored depends on its total before this update
    (read once per term, since totals change only at ``flush``) and after it:

    * common before and after: its facet counts change by this update's differences;
    * common before, rare after: its facet rows go;
    * rare before, common after: its facet rows are counted from its postings;
    * rare before and after: only its total changes.
    """

    def __init__(self, connection: Any, *, log: bool = True) -> None:
        self.connection = connection
        self.log = log  # append the changed datasets to the change log at flush
        self.changed: set[int] = set()
        self.locked = False
        self.before: dict[str, int] = {}
        self.totals: Counter[str] = Counter()
        self.facets: Counter[tuple[str, str, str]] = Counter()

    def _lock(self, cursor: Any) -> None:
        """One writer of the term index at a time, until the transaction ends. The totals read
        as "before" must not change under the update: two concurrent updates could otherwise
        both see a term below the line, or one drop its facet rows while the other adds to
        them. Catalogue edits are rare and short, so they may queue. (SQLite has one writer.)"""
        if not self.locked and self.connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        self.locked = True

    def _read_before(self, cursor: Any, terms: Iterable[str]) -> None:
        unseen = sorted(t for t in set(terms) if t not in self.before)
        for start in range(0, len(unseen), BATCH):
            chunk = unseen[start : start + BATCH]
            cursor.execute(
                "SELECT term, datasets FROM opendata_searchtermfacet "  # noqa: S608 - placeholders only
                f"WHERE field = %s AND term IN ({marks(len(chunk))})",
                [TOTAL, *chunk],
            )
            found = dict(cursor.fetchall())
            self.before.update((t, int(found.get(t, 0))) for t in chunk)

    def _changing(self, dataset_ids: Iterable[int]) -> list[int]:
        """The datasets, sorted and once each, noted as changed (for the change log)."""
        ids = sorted(set(dataset_ids))
        self.changed.update(ids)
        return ids

    def _common(self, term: str) -> bool:
        return self.before[term] >= COMMON

    def forget(self, dataset_ids: Iterable[int]) -> None:
        """Take these datasets' postings out (call while their facets are still stored)."""
        ids = self._changing(dataset_ids)
        if not ids:
            return
        with self.connection.cursor() as cursor:
            self._lock(cursor)
            removed = _fetch(
                cursor,
                "SELECT term, COUNT(*) FROM opendata_searchterm WHERE dataset_id IN ({ids}) "
                "GROUP BY term",
                ids,
            )
            self._read_before(cursor, (term for term, _ in removed))
            for term, n in removed:
                self.totals[term] -= int(n)
            for term, field, value, n in _fetch(
                cursor,
                "SELECT t.term, f.field, f.value, COUNT(*) FROM opendata_searchterm t "
                "JOIN opendata_searchfacet f ON f.dataset_id = t.dataset_id "
                "WHERE t.dataset_id IN ({ids}) GROUP BY t.term, f.field, f.value",
                ids,
            ):
                if self._common(term):
                    self.facets[(term, field, value)] -= int(n)
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                cursor.execute(
                    f"DELETE FROM opendata_searchterm WHERE dataset_id IN ({marks(len(chunk))})",  # noqa: S608 - placeholders only
                    chunk,
                )

    def add(self, dataset_ids: Iterable[int]) -> int:
        """Put these datasets' stored search documents in, if published; returns how many."""
        ids = self._changing(dataset_ids)
        if not ids:
            return 0
        with self.connection.cursor() as cursor:
            self._lock(cursor)
            documents = _fetch(
                cursor,
                "SELECT dataset_id, title, tags_text, body, metadata_modified "
                "FROM opendata_searchdocument "
                "WHERE dataset_id IN ({ids}) AND state = 'published'",
                ids,
            )
            held: dict[int, list[tuple[str, str]]] = defaultdict(list)
            for dataset_id, field, value in _fetch(
                cursor,
                "SELECT dataset_id, field, value FROM opendata_searchfacet "
                "WHERE dataset_id IN ({ids})",
                [row[0] for row in documents],
            ):
                held[dataset_id].append((field, value))
            postings: list[tuple[str, int, float, Any]] = []
            for dataset_id, title, tags_text, body, modified in documents:
                for term, score in document_terms(title, tags_text, body).items():
                    postings.append((term, dataset_id, score, modified))
            for start in range(0, len(postings), BATCH):
                chunk = postings[start : start + BATCH]
                cursor.execute(
                    "INSERT INTO opendata_searchterm "  # noqa: S608 - placeholders only
                    "(term, dataset_id, score, metadata_modified) VALUES "
                    + ", ".join(["(%s, %s, %s, %s)"] * len(chunk)),
                    [value for row in chunk for value in row],
                )
            self._read_before(cursor, (term for term, *_ in postings))
            for term, dataset_id, _, _ in postings:
                self.totals[term] += 1
                if self._common(term):
                    for field, value in held.get(dataset_id, ()):
                        self.facets[(term, field, value)] += 1
        return len(documents)

    def flush(self) -> None:
        """Write the summed counts (see the class's description)."""
        after = {t: self.before[t] + n for t, n in self.totals.items()}
        falling = sorted(t for t, n in after.items() if self._common(t) and n < COMMON)
        rising = sorted(t for t, n in after.items() if not self._common(t) and n >= COMMON)
        counts = {(t, TOTAL, ""): n for t, n in self.totals.items()}
        counts.update(
            (key, n)
            for key, n in self.facets.items()
            if self._common(key[0]) and after.get(key[0], self.before[key[0]]) >= COMMON
        )
        with self.connection.cursor() as cursor:
            _drop_facets(cursor, falling)
            _add_counts(cursor, counts)
            _build_facets(cursor, rising)
            if self.log and self.changed:
                self._lock(cursor)
                _log_changes(cursor, self.connection, self.changed)
        self.changed.clear()
        self.before.clear()
        self.totals.clear()
        self.facets.clear()


def terms_reindex(connection: Any, dataset_ids: Iterable[int], *, log: bool = True) -> int:
    """Put datasets whose documents are stored but not yet in the term index in (the
    migration that created the index uses it, before the change log existed: ``log=False``)."""
    update = TermIndexUpdate(connection, log=log)
    ids = list(dataset_ids)
    count = 0
    for start in range(0, len(ids), BATCH):
        count += update.add(ids[start : start + BATCH])
    update.flush()
    return count


def _drop_facets(cursor: Any, terms: Sequence[str]) -> None:
    for start in range(0, len(terms), BATCH):
        chunk = list(terms[start : start + BATCH])
        cursor.execute(
            "DELETE FROM opendata_searchtermfacet WHERE field <> %s "  # noqa: S608 - placeholders only
            f"AND term IN ({marks(len(chunk))})",
            [TOTAL, *chunk],
        )


def _build_facets(cursor: Any, terms: Sequence[str]) -> None:
    """Count the facets of terms that have just become common, from their postings."""
    for start in range(0, len(terms), BATCH):
        chunk = list(terms[start : start + BATCH])
        cursor.execute(
            "INSERT INTO opendata_searchtermfacet (term, field, value, datasets) "  # noqa: S608 - placeholders only
            "SELECT t.term, f.field, f.value, COUNT(*) FROM opendata_searchterm t "
            "JOIN opendata_searchfacet f ON f.dataset_id = t.dataset_id "
            f"WHERE t.term IN ({marks(len(chunk))}) GROUP BY t.term, f.field, f.value "
            "ON CONFLICT (term, field, value) DO UPDATE SET datasets = excluded.datasets",
            chunk,
        )
