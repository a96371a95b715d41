"""Catalogue search over the denormalised search documents.

A search with a text query or facets is one SQL statement: the matching datasets (with their
score and sort keys) are found once, in a materialised common table expression, and the count,
the page of stored package dicts and every facet's counts (GROUP BY) are read from it. Other
searches (listing and harvest paging, where indexes give the page directly) count with one
statement and fetch the page with another. The number of queries does not grow with the number
of results.

* PostgreSQL: ``search_vector @@ websearch_to_tsquery('english', q)``, ranked by
  ``ts_rank_cd`` over the weighted vector (title A, tags B, description C).
* SQLite: the FTS5 table ``opendata_search_fts`` (porter stemmer), ranked by ``bm25`` with
  weights 10/5/1.
* A one-word search of the public catalogue (no filter, no query syntax) reads the term index
  instead (``term_index.py``): its count and facets are stored aggregates and its page comes
  from an index in relevance order, so a word held by most datasets costs no more than a rare
  one. Its score is the term index's, not the engine's.
* A search of several plain words of the public catalogue is answered from the term snapshot
  (``term_snapshot.py``, decision 0009): the words' postings and the facet values as bitmaps
  in memory, kept fresh from the change log. Its score is the sum of the words' term index
  scores; ordered by score (and metadata_modified) in memory, by any other key in SQL over
  the matching ids, so those orders are the full-text path's.
* Every sort ends with the dataset id, so pages never overlap or skip under ties; sorting by
  ``id asc`` (what harvesters use) is stable while datasets are edited.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from . import term_index, term_snapshot
from .ckan.query import DATE_FIELDS, FACET_FIELDS, SORT_FIELDS, Node, QueryError, parse, parse_sort
from .term_index import TOTAL, query_terms

__all__ = ["DEFAULT_SORT", "SearchParams", "SearchResult", "search"]

DEFAULT_SORT = "score desc, metadata_modified desc"
STATE_VALUES = {"active": "published", "draft": "draft", "deleted": "withdrawn"}
_FIELD_IN_Q = re.compile(r"(?:^|[\s(+\-])(\w+):")


@dataclass
class SearchParams:
    q: str = ""
    fq: str = ""
    sort: str = ""
    rows: int = 10
    start: int = 0
    facet_fields: list[str] = field(default_factory=list)
    facet_limit: int = 50
    facet_mincount: int = 1
    # Drafts visible to the caller: None = none, "all" = every draft, or publisher ids.
    drafts: Any = None


@dataclass
class SearchResult:
    count: int
    packages: list[dict[str, Any]]
    facets: dict[str, list[tuple[str, int]]]
    sort: str


def _fts5_query(text: str) -> str:
    words = re.findall(r"\w+", text, flags=re.UNICODE)
    return " ".join(f'"{w}"' for w in words)


class _Builder:
    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.params: list[Any] = []

    def text(self, value: str) -> str:
        if self.postgres:
            self.params.append(value)
            return "d.search_vector @@ websearch_to_tsquery('english', %s)"
        query = _fts5_query(value)
        if not query:
            return "1=1"
        self.params.append(query)
        return (
            "d.dataset_id IN (SELECT rowid FROM opendata_search_fts "
            "WHERE opendata_search_fts MATCH %s)"
        )

    def node(self, node: Node) -> str:
        if node.op == "and":
            return "(" + " AND ".join(self.node(c) for c in node.children) + ")"
        if node.op == "or":
            return "(" + " OR ".join(self.node(c) for c in node.children) + ")"
        if node.op == "not":
            return "(NOT " + self.node(node.children[0]) + ")"
        term = node.term
        assert term is not None
        name = term.field
        if name in FACET_FIELDS:
            if term.is_range:  # field:*
                self.params.append(name)
                return (
                    "EXISTS (SELECT 1 FROM opendata_searchfacet f "
                    "WHERE f.dataset_id = d.dataset_id AND f.field = %s)"
                )
            value = term.value or ""
            if name == "tags":
                value = value.lower()
            self.params.extend([name, value])
            return (
                "EXISTS (SELECT 1 FROM opendata_searchfacet f WHERE f.dataset_id = d.dataset_id "
                "AND f.field = %s AND f.value = %s)"
            )
        if name in DATE_FIELDS:
            column = f"d.{name}"
            parts = []
            if term.low is not None:
                parts.append(f"{column} >= %s")
                self.params.append(term.low)
            if term.high is not None:
                parts.append(f"{column} <= %s")
                self.params.append(term.high)
            return "(" + " AND ".join(parts) + ")" if parts else "1=1"
        if name == "name":
            self.params.append(term.value)
            return "d.name = %s"
        if name == "id":
            self.params.append(term.value)
            return "d.uuid = %s"
        if name == "capacity":
            if term.value == "public":
                return "d.state <> 'draft'"
            if term.value == "private":
                return "d.state = 'draft'"
            raise QueryError("capacity is public or private")
        if name == "state":
            state = STATE_VALUES.get(term.value or "")
            if state is None:
                raise QueryError("state is active, draft or deleted")
            self.params.append(state)
            return "d.state = %s"
        return self.text(term.value or "")  # text:, title:


def _visibility(builder: _Builder, drafts: Any) -> str:
    if drafts == "all":
        return "d.state IN ('published', 'draft')"
    if drafts:
        ids = [int(i) for i in drafts]
        builder.params.extend(ids)
        marks = ", ".join(["%s"] * len(ids))
        return f"(d.state = 'published' OR (d.state = 'draft' AND d.publisher_id IN ({marks})))"
    return "d.state = 'published'"


def _load(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str | bytes) else value


def search(params: SearchParams) -> SearchResult:
    """Run a package search. Raises ``QueryError`` for a malformed q, fq or sort."""
    builder = _Builder()
    where: list[str] = [_visibility(builder, params.drafts)]
    q = (params.q or "").strip()
    rank_text: str | None = None
    if q and q not in ("*:*", "*"):
        match = _FIELD_IN_Q.search(q)
        if match:
            node = parse(q, "q")
            if node is not None:
                where.append(builder.node(node))
        else:
            rank_text = q
    fq_node = parse(params.fq, "fq")
    if fq_node is not None:
        where.append(builder.node(fq_node))
    sort_text = params.sort.strip() or DEFAULT_SORT
    order = parse_sort(sort_text)

    facet_fields = [name for name in params.facet_fields if name in FACET_FIELDS]
    if rank_text is not None and params.drafts is None and fq_node is None:
        plain = query_terms(rank_text)
        if plain is not None and len(plain) == 1:
            return _search_term(params, plain[0], order, facet_fields, sort_text)
        if plain is not None and len(plain) > 1:
            answered = _search_words(params, plain, order, facet_fields, sort_text)
            if answered is not None:
                return answered

    # The ranked text search joins the full-text match (with its score) to the documents.
    from_sql = "opendata_searchdocument d"
    from_params: list[Any] = []
    score_sql = "0"
    if rank_text is not None:
        if builder.postgres:
            from_sql += ", websearch_to_tsquery('english', %s) AS tsq"
            from_params.append(rank_text)
            where.append("d.search_vector @@ tsq")
            score_sql = "ts_rank_cd(d.search_vector, tsq)"
        else:
            fts = _fts5_query(rank_text)
            if fts:
                # Drive the query from the full-text match (CROSS JOIN fixes the loop order):
                # otherwise SQLite may re-run the MATCH once per document.
                from_sql = (
                    "opendata_search_fts CROSS JOIN opendata_searchdocument d"
                    " ON d.dataset_id = opendata_search_fts.rowid"
                )
                where.insert(0, "opendata_search_fts MATCH %s")
                builder.params.insert(0, fts)
                score_sql = "(-bm25(opendata_search_fts, 10.0, 5.0, 1.0))"
    where_sql = " AND ".join(where)
    all_params = [*from_params, *builder.params]

    terms = []
    for name, direction in order:
        column = score_sql if name == "score" else SORT_FIELDS[name]
        if column == "0":
            continue
        terms.append((column, direction.upper()))
    if not any(column == "d.uuid" for column, _ in terms):
        terms.append(("d.uuid", "ASC"))
    if rank_text is not None or facet_fields:
        return _search_once(
            params, from_sql, where_sql, all_params, score_sql, terms, facet_fields, sort_text
        )

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {from_sql} WHERE {where_sql}", all_params)  # noqa: S608 - identifiers are ours; values are bound
        count = int(cursor.fetchone()[0])
        packages: list[dict[str, Any]] = []
        if params.rows > 0 and params.start < count:
            order_sql = ", ".join(f"{column} {direction}" for column, direction in terms)
            cursor.execute(
                f"SELECT d.package FROM {from_sql} WHERE {where_sql} "  # noqa: S608 - identifiers are ours; values are bound
                f"ORDER BY {order_sql} LIMIT %s OFFSET %s",
                [*all_params, params.rows, params.start],
            )
            packages = [_load(row[0]) for row in cursor.fetchall()]
    return SearchResult(
        count=count,
        packages=packages,
        facets={name: [] for name in params.facet_fields},
        sort=sort_text,
    )


# The columns a materialised match carries: what every sort can use.
_MATCH_COLUMNS = {
    "d.uuid": "uuid",
    "d.name": "name",
    "d.title_sort": "title_sort",
    "d.metadata_modified": "metadata_modified",
    "d.metadata_created": "metadata_created",
}


def _facets(
    params: SearchParams, counted: dict[str, list[tuple[str, int]]]
) -> dict[str, list[tuple[str, int]]]:
    facets: dict[str, list[tuple[str, int]]] = {}
    for name in params.facet_fields:
        values = sorted(counted.get(name, []), key=lambda item: (-item[1], item[0]))
        facets[name] = values if params.facet_limit < 0 else values[: params.facet_limit]
    return facets


def _run(
    cursor: Any, sql: list[str], params: list[Any], facet_fields: list[str]
) -> tuple[int, list[tuple[int, Any]], dict[str, list[tuple[str, int]]]]:
    """Run the parts of a one-statement search (UNION ALL of rows tagged 'count', 'page' or
    a facet field) and sort its rows out: the count, the page with ranks, the facet counts."""
    count = 0
    page: list[tuple[int, Any]] = []
    counted: dict[str, list[tuple[str, int]]] = {name: [] for name in facet_fields}
    cursor.execute(" UNION ALL ".join(sql), params)
    for kind, value, n, package in cursor.fetchall():
        if kind == "count":
            count = int(n)
        elif kind == "page":
            page.append((int(n), package))
        else:
            counted[kind].append((value, int(n)))
    return count, page, counted


def _result(
    params: SearchParams,
    count: int,
    page: list[tuple[int, Any]],
    counted: dict[str, list[tuple[str, int]]],
    sort_text: str,
) -> SearchResult:
    page.sort(key=lambda item: item[0])
    return SearchResult(
        count=count,
        packages=[_load(package) for _, package in page],
        facets=_facets(params, counted),
        sort=sort_text,
    )


def _search_term(
    params: SearchParams,
    term: str,
    order: list[tuple[str, str]],
    facet_fields: list[str],
    sort_text: str,
) -> SearchResult:
    """A one-word search of the published catalogue from the term index: one statement
    (two for a rare term with facets)."""
    columns: list[tuple[str, str]] = []
    for name, direction in order:
        if name == "score":
            columns.append(("t.score", direction.upper()))
        elif name == "metadata_modified":
            columns.append(("t.metadata_modified", direction.upper()))
        else:
            columns.append((SORT_FIELDS[name], direction.upper()))
    joined = any(column.startswith("d.") for column, _ in columns)
    if not any(column in ("d.uuid", "t.dataset_id") for column, _ in columns):
        # The tie-break: the dataset id, or (when the documents are joined anyway) the uuid
        # as on the full-text path.
        columns.append(("d.uuid" if joined else "t.dataset_id", "ASC"))
        joined = joined or columns[-1][0] == "d.uuid"
    inner_order = ", ".join(f"{column} {direction}" for column, direction in columns)
    keys = ", ".join(f"{column} AS k{i}" for i, (column, _) in enumerate(columns))
    outer_order = ", ".join(f"k{i} {direction}" for i, (_, direction) in enumerate(columns))
    source = "opendata_searchterm t"
    if joined:
        source += " JOIN opendata_searchdocument d ON d.dataset_id = t.dataset_id"
    sql = [
        "SELECT 'count' AS kind, NULL AS value, datasets AS n, NULL AS package "
        "FROM opendata_searchtermfacet WHERE term = %s AND field = %s",
        f"SELECT 'page', NULL, p.rank, d.package FROM (SELECT id, ROW_NUMBER() OVER "  # noqa: S608 - identifiers are ours; values are bound
        f"(ORDER BY {outer_order}) AS rank FROM (SELECT t.dataset_id AS id, {keys} "
        f"FROM {source} WHERE t.term = %s ORDER BY {inner_order} LIMIT %s OFFSET %s) AS top) "
        "AS p JOIN opendata_searchdocument d ON d.dataset_id = p.id",
    ]
    sql_params: list[Any] = [term, TOTAL, term, max(params.rows, 0), max(params.start, 0)]
    marks = ", ".join(["%s"] * len(facet_fields))
    if facet_fields:
        sql.append(
            "SELECT field, value, datasets, NULL FROM opendata_searchtermfacet "  # noqa: S608 - placeholders only
            f"WHERE term = %s AND field IN ({marks}) "
            "AND datasets >= %s"
        )
        sql_params.extend([term, *facet_fields, max(params.facet_mincount, 1)])
    with connection.cursor() as cursor:
        count, page, counted = _run(cursor, sql, sql_params, facet_fields)
        if facet_fields and 0 < count < term_index.COMMON:
            # A rare term has no stored facet counts: count its few postings' facets.
            cursor.execute(
                "SELECT f.field, f.value, COUNT(*) FROM opendata_searchterm t "  # noqa: S608 - placeholders only
                "JOIN opendata_searchfacet f ON f.dataset_id = t.dataset_id WHERE t.term = %s "
                f"AND f.field IN ({marks}) "
                "GROUP BY f.field, f.value HAVING COUNT(*) >= %s",
                [term, *facet_fields, max(params.facet_mincount, 1)],
            )
            for field_name, value, n in cursor.fetchall():
                counted[field_name].append((value, int(n)))
    return _result(params, count, page, counted, sort_text)


def _search_once(
    params: SearchParams,
    from_sql: str,
    where_sql: str,
    all_params: list[Any],
    score_sql: str,
    terms: list[tuple[str, str]],
    facet_fields: list[str],
    sort_text: str,
) -> SearchResult:
    """Count, page and facets in one statement over the matches, found once."""
    carried = ", ".join(f"{column} AS {alias}" for column, alias in _MATCH_COLUMNS.items())
    order_sql = ", ".join(
        f"{'score' if column == score_sql else _MATCH_COLUMNS[column]} {direction}"
        for column, direction in terms
    )
    rows = max(params.rows, 0)
    sql = [
        f"WITH m AS MATERIALIZED (SELECT d.dataset_id AS id, {score_sql} AS score, {carried} "  # noqa: S608 - identifiers are ours; values are bound
        f"FROM {from_sql} WHERE {where_sql}) "
        "SELECT 'count' AS kind, NULL AS value, COUNT(*) AS n, NULL AS package FROM m",
        # The page: its rank within the page (n) orders it; the package is read for it only.
        "SELECT 'page', NULL, p.rank, d.package FROM (SELECT id, "  # noqa: S608 - identifiers are ours
        f"ROW_NUMBER() OVER (ORDER BY {order_sql}) AS rank FROM (SELECT * FROM m "
        f"ORDER BY {order_sql} LIMIT %s OFFSET %s) AS top) AS p "
        "JOIN opendata_searchdocument d ON d.dataset_id = p.id",
    ]
    sql_params: list[Any] = [*all_params, rows, max(params.start, 0)]
    if facet_fields:
        marks = ", ".join(["%s"] * len(facet_fields))
        sql.append(
            "SELECT f.field, f.value, COUNT(*), NULL FROM opendata_searchfacet f "  # noqa: S608 - identifiers are ours; values are bound
            f"JOIN m ON f.dataset_id = m.id WHERE f.field IN ({marks}) "
            "GROUP BY f.field, f.value HAVING COUNT(*) >= %s"
        )
        sql_params.extend([*facet_fields, max(params.facet_mincount, 1)])
    with connection.cursor() as cursor:
        count, page, counted = _run(cursor, sql, sql_params, facet_fields)
    return _result(params, count, page, counted, sort_text)


# The keys the term snapshot orders by itself (then by dataset id, as the one-word path does).
_SNAPSHOT_KEYS = {"score", "metadata_modified"}


def _search_words(
    params: SearchParams,
    terms: list[str],
    order: list[tuple[str, str]],
    facet_fields: list[str],
    sort_text: str,
) -> SearchResult | None:
    """A search of several plain words of the published catalogue from the term snapshot: the
    datasets holding every word. None (the full-text path answers) for an order of score with
    a text key, or a catalogue the snapshot cannot hold."""
    names = {name for name, _ in order}
    scored = "score" in names
    if scored and not names <= _SNAPSHOT_KEYS:
        return None
    found = term_snapshot.matches(connection, terms, facet_fields, params.facet_mincount)
    if found is None:
        return None
    rows, start = max(params.rows, 0), max(params.start, 0)
    packages: list[dict[str, Any]] = []
    with connection.cursor() as cursor:
        if scored:
            ids = found.page(order, start, rows)
            if ids:
                cursor.execute(
                    "SELECT dataset_id, package FROM opendata_searchdocument "  # noqa: S608 - placeholders only
                    f"WHERE dataset_id IN ({', '.join(['%s'] * len(ids))})",
                    ids,
                )
                by_id = {int(i): package for i, package in cursor.fetchall()}
                packages = [_load(by_id[i]) for i in ids if i in by_id]
        elif rows and start < found.count:
            # Any other order is the database's (its collation), over the matching ids.
            columns = [(SORT_FIELDS[name], direction.upper()) for name, direction in order]
            if not any(column == "d.uuid" for column, _ in columns):
                columns.append(("d.uuid", "ASC"))
            order_sql = ", ".join(f"{column} {direction}" for column, direction in columns)
            if connection.vendor == "postgresql":
                among, among_param = "d.dataset_id = ANY(%s)", found.ids.tolist()
            else:
                among = "d.dataset_id IN (SELECT value FROM json_each(%s))"
                among_param = json.dumps(found.ids.tolist())
            cursor.execute(
                f"SELECT d.package FROM opendata_searchdocument d WHERE {among} "  # noqa: S608 - identifiers are ours; values are bound
                f"ORDER BY {order_sql} LIMIT %s OFFSET %s",
                [among_param, rows, start],
            )
            packages = [_load(row[0]) for row in cursor.fetchall()]
    return SearchResult(
        count=found.count, packages=packages, facets=_facets(params, found.facets), sort=sort_text
    )
