"""The term snapshot: the published catalogue's postings and facets in memory, for searches of
several plain words (decision 0009).

The term index (``term_index.py``) answers a one-word search from stored aggregates, but a
search for several words must intersect their postings, and two common words each held by
70% of 50,000 datasets still match 25,000 of them, to be counted, ranked and faceted. Each
process keeps, per database, a snapshot of what that needs as compressed bitmaps
(``pyroaring``) and arrays (``numpy``):

* ``published`` — the published datasets; ``modified`` — each one's ``metadata_modified`` in
  microseconds, indexed by dataset id (the tie-break of the relevance order);
* ``facets`` — for each facet field and value, the published datasets carrying it;
* ``terms`` — for each *loaded* term, the bitmap of its postings with their ids and scores in
  id order. A term is loaded the first time a search needs it (one indexed read) and kept, the
  least recently used going once the loaded postings pass ``MAX_POSTINGS``.

So a search is a bitmap intersection, one cardinality per facet value and a score sum over
the matches, a few milliseconds for 25,000 matches.

**Freshness.** The term index writer appends every changed dataset to the change log
(``SearchChange``) under its one-writer lock, so sequence numbers grow in commit order. A
snapshot knows the last sequence number ``seq`` it has applied. Every search first reads the
log from ``seq`` on (one primary-key range read) and re-reads just the datasets changed since
(their document, facets and postings, one statement), so it never answers from data older
than the last committed edit. A snapshot whose row ``seq`` is gone (the log was pruned past
it, or emptied) or that is more than ``REBUILD_AFTER`` datasets behind is built again.

**A transaction's own edits.** A search inside a transaction that has itself changed the term
index (``term_index.uncommitted_changes``) sees those edits, as the full-text engines do: the
datasets it changed, and every log row from its first one on, are re-read through its
connection, and remembered as *suspect*, so the next search re-reads them again (from the
committed state, if it runs on another connection, or once the transaction is over); the
snapshot's ``seq`` never moves past rows that are not committed. Snapshots are shared by a
process's threads behind a lock.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.dateparse import parse_datetime
from pyroaring import BitMap

from .term_index import UncommittedChanges, chunks, marks, uncommitted_changes

__all__ = ["MAX_POSTINGS", "REBUILD_AFTER", "Matches", "Snapshot", "matches", "snapshot_for"]

REBUILD_AFTER = 2_000  # changed datasets past which a snapshot is built again
MAX_POSTINGS = 8_000_000  # loaded postings kept per snapshot (about 12 bytes each)
MAX_ID = 2**32 - 1  # the bitmaps hold 32-bit ids; a catalogue past that uses the engines
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICRO = dt.timedelta(microseconds=1)
_snapshots: dict[str, Snapshot] = {}
_snapshots_lock = threading.Lock()


class Unusable(Exception):
    """The snapshot cannot hold this catalogue (an id past 32 bits): use the engines."""


def _micros(value: Any) -> int:
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        raise ValueError(f"not a timestamp: {value!r}")
    if moment.tzinfo is None:  # SQLite keeps UTC without a zone
        moment = moment.replace(tzinfo=dt.UTC)
    return (moment - _EPOCH) // _MICRO


@dataclass
class _Postings:
    """One term's postings: the bitmap, and the same ids (sorted) with their scores."""

    bitmap: BitMap
    ids: np.ndarray
    scores: np.ndarray

    @classmethod
    def of(cls, pairs: Iterable[tuple[int, float]]) -> _Postings:
        items = sorted(pairs)
        ids = np.fromiter((i for i, _ in items), dtype=np.uint32, count=len(items))
        scores = np.fromiter((s for _, s in items), dtype=np.float64, count=len(items))
        return cls(BitMap(ids), ids, scores)

    def replace(self, gone: BitMap, new: dict[int, float]) -> _Postings:
        """These postings without the datasets ``gone``, with ``new`` (id -> score) added."""
        keep = ~np.isin(self.ids, np.frombuffer(gone.to_array(), dtype=np.uint32))
        return _Postings.of(
            [*zip(self.ids[keep].tolist(), self.scores[keep].tolist(), strict=True), *new.items()]
        )


@dataclass
class _Changed:
    """Changed datasets as re-read: the published ones' metadata_modified, facets, postings."""

    modified: dict[int, int] = field(default_factory=dict)
    facets: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    postings: dict[str, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))


@dataclass
class Matches:
    """The published datasets holding every word: ids in id order, each one's summed score and
    metadata_modified (microseconds), and the counted facets (value, datasets)."""

    ids: np.ndarray
    scores: np.ndarray
    modified: np.ndarray
    facets: dict[str, list[tuple[str, int]]]

    @property
    def count(self) -> int:
        return len(self.ids)

    def page(self, keys: list[tuple[str, str]], start: int, rows: int) -> list[int]:
        """The ids of one page ordered by ``keys`` (score and metadata_modified, asc or desc),
        then by dataset id."""
        wanted = min(start + rows, self.count)
        if rows <= 0 or start >= wanted:
            return []
        columns = {"score": self.scores, "metadata_modified": self.modified}
        sort_keys = [
            -columns[name] if direction == "desc" else columns[name] for name, direction in keys
        ]
        chosen = np.arange(self.count)
        if wanted < self.count // 4:
            # Only the matches up to the wanted-th value of the first key can be on the page.
            first = sort_keys[0]
            bound = np.partition(first, wanted - 1)[wanted - 1]
            chosen = np.flatnonzero(first <= bound)
        order = np.lexsort([self.ids[chosen], *(k[chosen] for k in reversed(sort_keys))])
        return [int(i) for i in self.ids[chosen[order[start:wanted]]]]


class Snapshot:
    """One database's published catalogue in memory (see the module's description)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.builds = 0  # how many times it was built (for the tests and the benchmark)
        self._reset()

    # --- keeping it fresh ------------------------------------------------------------------

    def _reset(self) -> None:
        self.built = False
        self.seq = 0
        self.published = BitMap()
        self.modified = np.zeros(0, dtype=np.int64)
        self.facets: dict[str, dict[str, BitMap]] = {}
        self.terms: OrderedDict[str, _Postings] = OrderedDict()
        self.loaded = 0  # postings held in self.terms
        self.suspect: set[int] = set()

    def refresh(self, connection: Any, terms: Sequence[str]) -> None:
        """Bring the snapshot up to the last committed edit (and this transaction's own), with
        ``terms`` loaded. Call with ``self.lock`` held."""
        pending = uncommitted_changes(connection)
        if not self.built or not self._catch_up(connection, pending, terms, rebuilt=False):
            self._build(connection, pending)
            self._catch_up(connection, pending, terms, rebuilt=True)
        for term in terms:
            self.terms.move_to_end(term)
        self._evict(keep=set(terms))

    def _catch_up(
        self,
        connection: Any,
        pending: UncommittedChanges | None,
        terms: Sequence[str],
        *,
        rebuilt: bool,
    ) -> bool:
        """Load the missing terms, then apply the log from ``seq`` on; False when the snapshot
        must be built again instead. The log is read after the terms are loaded, so an edit
        committed while they load is re-read too."""
        own_from = pending.first_seq if pending is not None else None
        with connection.cursor() as cursor:
            self._load(cursor, [t for t in terms if t not in self.terms])
            cursor.execute(
                "SELECT seq, dataset_id FROM opendata_searchchange WHERE seq >= %s "
                "ORDER BY seq LIMIT %s",
                [self.seq, REBUILD_AFTER + 2],
            )
            log = [(int(seq), int(dataset_id)) for seq, dataset_id in cursor.fetchall()]
        lost = self.seq > 0 and (not log or log[0][0] != self.seq)  # pruned past us, or emptied
        if not rebuilt and (lost or len(log) > REBUILD_AFTER + 1):
            return False
        # Rows from this transaction's first on are its own, not committed: re-read, suspect.
        committed = [(s, i) for s, i in log if s > self.seq and (own_from is None or s < own_from)]
        own = {i for s, i in log if own_from is not None and s >= own_from}
        if pending is not None:
            own |= pending.dataset_ids
        changed = {i for _, i in committed} | self.suspect
        if not rebuilt:  # a build has just read this transaction's own edits
            changed |= own
        if changed:
            self._apply(connection, changed)
        if committed:
            self.seq = committed[-1][0]
        self.suspect = own
        return True

    def _build(self, connection: Any, pending: UncommittedChanges | None) -> None:
        """Read the published catalogue afresh (loaded terms go; they load again)."""
        self._reset()
        self.builds += 1
        with connection.cursor() as cursor:
            if pending is None:
                cursor.execute("SELECT MAX(seq) FROM opendata_searchchange")
            else:  # the newest committed row: this transaction's own rows come after it
                cursor.execute(
                    "SELECT MAX(seq) FROM opendata_searchchange WHERE seq < %s",
                    [pending.first_seq],
                )
            self.seq = int(cursor.fetchone()[0] or 0)
            cursor.execute(
                "SELECT dataset_id, metadata_modified FROM opendata_searchdocument "
                "WHERE state = 'published'"
            )
            modified = {int(i): _micros(m) for i, m in cursor.fetchall()}
            cursor.execute(
                "SELECT f.field, f.value, f.dataset_id FROM opendata_searchfacet f "
                "JOIN opendata_searchdocument d ON d.dataset_id = f.dataset_id "
                "WHERE d.state = 'published'"
            )
            facets: dict[tuple[str, str], list[int]] = defaultdict(list)
            for name, value, dataset_id in cursor.fetchall():
                facets[(name, value)].append(int(dataset_id))
        self._put(modified, facets)
        self.built = True

    def _put(self, modified: dict[int, int], facets: dict[tuple[str, str], list[int]]) -> None:
        if modified:
            top = max(modified)
            if top > MAX_ID:
                raise Unusable(top)
            if top >= len(self.modified):
                grown = np.zeros(max(top + 1, len(self.modified) * 5 // 4), dtype=np.int64)
                grown[: len(self.modified)] = self.modified
                self.modified = grown
            keys = np.fromiter(modified, dtype=np.int64, count=len(modified))
            self.modified[keys] = np.fromiter(
                modified.values(), dtype=np.int64, count=len(modified)
            )
            self.published |= BitMap(keys.astype(np.uint32))
        for (name, value), ids in facets.items():
            values = self.facets.setdefault(name, {})
            values.setdefault(value, BitMap()).update(ids)

    def _load(self, cursor: Any, terms: list[str]) -> None:
        """Load terms' postings (terms held by no published dataset load empty)."""
        if not terms:
            return
        cursor.execute(
            "SELECT term, dataset_id, score FROM opendata_searchterm "  # noqa: S608 - placeholders only
            f"WHERE term IN ({marks(len(terms))})",
            terms,
        )
        found: dict[str, list[tuple[int, float]]] = {t: [] for t in terms}
        for term, dataset_id, score in cursor.fetchall():
            found[term].append((int(dataset_id), float(score)))
        for term, pairs in found.items():
            self.terms[term] = _Postings.of(pairs)
            self.loaded += len(pairs)

    def _read(self, connection: Any, ids: Sequence[int]) -> _Changed:
        """Re-read datasets: their document, facets and postings, one statement a chunk."""
        changed = _Changed()
        with connection.cursor() as cursor:
            for chunk in chunks(ids):
                holes = marks(len(chunk))
                cursor.execute(
                    "SELECT 'doc' AS kind, dataset_id, NULL AS a, NULL AS b, metadata_modified, "  # noqa: S608 - placeholders only
                    "CAST(NULL AS DOUBLE PRECISION) AS score FROM opendata_searchdocument "
                    f"WHERE state = 'published' AND dataset_id IN ({holes}) "
                    "UNION ALL SELECT 'facet', f.dataset_id, f.field, f.value, NULL, NULL "
                    "FROM opendata_searchfacet f JOIN opendata_searchdocument d "
                    "ON d.dataset_id = f.dataset_id "
                    f"WHERE d.state = 'published' AND f.dataset_id IN ({holes}) "
                    "UNION ALL SELECT 'term', dataset_id, term, NULL, NULL, score "
                    f"FROM opendata_searchterm WHERE dataset_id IN ({holes})",
                    chunk * 3,
                )
                for kind, dataset_id, a, b, modified, score in cursor.fetchall():
                    if kind == "doc":
                        changed.modified[int(dataset_id)] = _micros(modified)
                    elif kind == "facet":
                        changed.facets[(a, b)].append(int(dataset_id))
                    else:
                        changed.postings[a][int(dataset_id)] = float(score)
        return changed

    def _apply(self, connection: Any, ids: set[int]) -> None:
        """Replace these datasets' entries with what the database holds now."""
        changed = self._read(connection, sorted(ids))
        gone = BitMap(sorted(i for i in ids if 0 <= i <= MAX_ID))
        self.published -= gone
        for values in self.facets.values():
            for value in [v for v, bitmap in values.items() if not bitmap.isdisjoint(gone)]:
                values[value] -= gone
                if not values[value]:
                    del values[value]
        self._put(changed.modified, changed.facets)
        for term, postings in self.terms.items():
            new = changed.postings.get(term, {})
            if new or not postings.bitmap.isdisjoint(gone):
                replaced = postings.replace(gone, new)
                self.loaded += len(replaced.ids) - len(postings.ids)
                self.terms[term] = replaced

    def _evict(self, keep: set[str]) -> None:
        while self.loaded > MAX_POSTINGS:
            term = next((t for t in self.terms if t not in keep), None)
            if term is None:
                return
            self.loaded -= len(self.terms.pop(term).ids)

    # --- answering -------------------------------------------------------------------------

    def match(self, terms: Sequence[str], facet_fields: Sequence[str], mincount: int) -> Matches:
        """The published datasets holding every term (call after ``refresh``, lock held)."""
        postings = [self.terms[t] for t in sorted(terms)]  # one order, so sums are repeatable
        found = BitMap.intersection(*(p.bitmap for p in postings))
        ids = np.frombuffer(found.to_array(), dtype=np.uint32)
        scores = np.zeros(len(ids), dtype=np.float64)
        for p in postings:
            scores += p.scores[np.searchsorted(p.ids, ids)]
        facets: dict[str, list[tuple[str, int]]] = {}
        for name in facet_fields:
            counted = []
            for value, bitmap in self.facets.get(name, {}).items():
                n = found.intersection_cardinality(bitmap)
                if n >= mincount:
                    counted.append((value, n))
            facets[name] = counted
        return Matches(ids.copy(), scores, self.modified[ids], facets)

    def size_bytes(self) -> int:
        """What the snapshot holds in memory, roughly (bitmaps serialised, arrays' buffers)."""
        total = self.modified.nbytes + len(self.published.serialize())
        for values in self.facets.values():
            total += sum(len(b.serialize()) + 64 for b in values.values())
        for p in self.terms.values():
            total += len(p.bitmap.serialize()) + p.ids.nbytes + p.scores.nbytes + 3 * 112
        return total


def snapshot_for(connection: Any) -> Snapshot:
    """This process's snapshot of the database behind ``connection``."""
    key = f"{connection.alias}:{connection.settings_dict['NAME']}"
    with _snapshots_lock:
        snapshot = _snapshots.get(key)
        if snapshot is None:
            snapshot = _snapshots[key] = Snapshot()
        return snapshot


def matches(
    connection: Any, terms: Sequence[str], facet_fields: Sequence[str], mincount: int
) -> Matches | None:
    """The published datasets holding every term, as of the last committed edit (and this
    transaction's own); None when the snapshot cannot hold the catalogue."""
    snapshot = snapshot_for(connection)
    with snapshot.lock:
        try:
            snapshot.refresh(connection, terms)
        except Unusable:
            snapshot.built = False
            return None
        return snapshot.match(terms, facet_fields, max(mincount, 1))
