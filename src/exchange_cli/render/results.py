"""What commands hand to the renderers: a listing, one record, facet counts, a graph,
validation problems, or a whole-catalogue export; and the two views every row format
takes of them (`rows_of`, `as_data`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exchange_cli.errors import Problem

#: How one field's value reads as one line of text (csv, tsv, markdown, table cells).
Flat = Callable[[str, Any], str]


class Listing:
    """Records (JSON-ready mappings), the fields to print in order, and how nested values
    read as text (the record declaration's, for programs)."""

    __slots__ = ("records", "fields", "flat", "highlight")

    def __init__(
        self,
        records: Sequence[Mapping[str, Any]],
        fields: Sequence[str],
        flat: Flat | None = None,
        highlight: tuple[str, ...] = (),  # normalized words to emphasise (search)
    ) -> None:
        self.records, self.fields, self.flat, self.highlight = records, fields, flat, highlight


class Record:
    """One record in full (`show`): an object in json, a page of text on a terminal."""

    __slots__ = ("record", "fields", "flat")

    def __init__(
        self, record: Mapping[str, Any], fields: Sequence[str], flat: Flat | None = None
    ) -> None:
        self.record, self.fields, self.flat = record, fields, flat


class FacetCounts:
    """`summarize`'s rows of {facet, value, count}: bars on a terminal."""

    __slots__ = ("rows", "fields", "programs")

    def __init__(
        self, rows: Sequence[Mapping[str, Any]], fields: Sequence[str], programs: int = 1
    ) -> None:
        self.rows, self.fields = rows, fields
        self.programs = programs  # how many programs were counted: none is "nothing matches"


class GraphView:
    """The partnership graph: nodes and edges, and the tree a terminal draws."""

    __slots__ = ("nodes", "edges", "fields", "tree")

    def __init__(
        self,
        nodes: Sequence[Mapping[str, Any]],
        edges: Sequence[Mapping[str, Any]],
        fields: Sequence[str],
        tree: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self.nodes, self.edges, self.fields, self.tree = nodes, edges, fields, tree


class Problems:
    """`validate`'s problems, and how many more were found than are listed."""

    __slots__ = ("problems", "fields", "dropped")

    def __init__(
        self, problems: Sequence[Problem], fields: Sequence[str], dropped: int = 0
    ) -> None:
        self.problems, self.fields, self.dropped = problems, fields, dropped


class Export:
    """A whole catalogue (or a filtered part) as one document: `exchange export`. The
    web page (`page`, a `render.html.Page`) or the programs of a database; `target` is
    `--output` (None: stdout), a `directory` for a database and its datasette metadata;
    `keep` the (device, inode) of the files read, which the output must never replace."""

    __slots__ = ("page", "programs", "actors", "target", "directory", "keep")

    def __init__(
        self,
        page: Any = None,
        programs: Sequence[Any] = (),
        target: Any = None,
        directory: bool = False,
        actors: tuple[Sequence[Any], Sequence[Any]] = ((), ()),
        keep: Collection[tuple[int, int]] = (),
    ) -> None:
        self.page, self.programs, self.target, self.directory = page, programs, target, directory
        self.actors = actors  # for a database: `network.actor_nodes(programs)`
        self.keep = keep


class Diff:
    """Two catalogues compared (`changes.Changes`): `diff`'s result."""

    __slots__ = ("changes", "fields")

    def __init__(self, changes: Any, fields: Sequence[str]) -> None:
        self.changes, self.fields = changes, fields


Result = Listing | Record | FacetCounts | GraphView | Problems | Export | Diff


def is_empty(result: Any) -> bool:
    """Nothing matched: a listing without rows, counts of no program, a graph without
    nodes."""
    if isinstance(result, Listing):
        return not result.records
    if isinstance(result, FacetCounts):
        return not result.programs
    return isinstance(result, GraphView) and not result.nodes


def rows_of(result: Any) -> Listing:
    """Any tabular result as a listing of rows: what the row formats (csv, tsv, jsonl,
    markdown, a table) print. A graph lists its edges; problems one row each."""
    if isinstance(result, Listing):
        return result
    if isinstance(result, Record):
        return Listing([result.record], result.fields, result.flat)
    if isinstance(result, FacetCounts):
        return Listing(result.rows, result.fields)
    if isinstance(result, GraphView):
        return Listing(result.edges, result.fields)
    if isinstance(result, Problems):
        return Listing([p._asdict() for p in result.problems], result.fields)
    if isinstance(result, Diff):
        return Listing(diff_text_rows(result.changes.rows()), result.fields)
    raise TypeError(type(result).__name__)


def diff_text_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`diff`'s rows for the text formats (table, tsv, csv): each old and new value as
    one line the declaration's way (`Saudi Arabia (SA)`), and a program added or
    removed by its title in `new` or `old` (its `field` stays empty)."""
    from exchange_cli.model.records import program_text

    def text(field: str | None, value: Any) -> Any:
        if field is None or value is None:
            return value
        try:
            return program_text(field, value)
        except KeyError:
            return value

    shown = []
    for row in rows:
        if row["field"] is None:
            title = row["title"]
            old, new = (title, None) if row["change"] == "removed" else (None, title)
        else:
            old, new = text(row["field"], row["old"]), text(row["field"], row["new"])
        shown.append({**row, "old": old, "new": new})
    return shown


def json_rows(result: Any) -> Listing:
    """The rows one JSON object a line prints: as `rows_of`, but `diff`'s old and new
    values as the JSON the catalogue holds."""
    if isinstance(result, Diff):
        return Listing(result.changes.rows(), result.fields)
    return rows_of(result)


def as_data(result: Any) -> Any:
    """What json and yaml print: the rows as a list of objects; one record as an object;
    the graph as {nodes, edges}."""
    if isinstance(result, Record):
        return {field: result.record.get(field) for field in result.fields}
    if isinstance(result, GraphView):
        return {"nodes": list(result.nodes), "edges": list(result.edges)}
    if isinstance(result, Diff):
        return result.changes.to_dict()
    listing = rows_of(result)
    return [{f: record.get(f) for f in listing.fields} for record in listing.records]
