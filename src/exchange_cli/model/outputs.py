"""The fields of every output that is not a program record, declared once: what scripts
read from `flows`, `graph`, `summarize`, `show`'s related programs, `search`'s score and
`diff`. Each field has one JSON type (null only where it says so) and a one-line doc.

The commands' `--fields` choices and the rows' keys come from here; the README's output
reference is generated from it (`scripts/generate.py`), and tests/test_outputs.py reads
each command's JSON and checks every field against its declared type.
"""


class OutputField:
    """One field of an output: its key, its one JSON type (null allowed only when
    `nullable`), and what it holds."""

    __slots__ = ("key", "type", "nullable", "doc")

    def __init__(self, key: str, type: str, nullable: bool, doc: str) -> None:
        self.key, self.type, self.nullable, self.doc = key, type, nullable, doc


#: Declared as plain tuples (key, JSON type, doc[, "nullable"]), which cost nothing to
#: build on every run; `fields` makes them `OutputField`s for those who read the docs.
Declared = tuple[str, ...]


#: Output name → its fields, in the order they are printed.
OUTPUTS: dict[str, tuple[Declared, ...]] = {
    "flows": (
        ("from", "string", "The giving party's name, as its program gives it."),
        ("from_country", "string", "The giver's ISO code.", "nullable"),
        ("to", "string", "The receiving party's name."),
        ("to_country", "string", "The receiver's ISO code.", "nullable"),
        ("what", "string", "What flows, in a short phrase."),
        ("program", "string", "The id of the program the flow belongs to."),
        ("title", "string", "That program's title."),
    ),
    "graph.nodes": (
        ("id", "string", "The actor's id: its party id, else its country's code in "
               "lower case, else a slug of its name (made unique)."),
        ("name", "string", "Its display name (its first party's)."),
        ("type", "string", "country, organization or group."),
        ("country", "string", "Its ISO code.", "nullable"),
        ("programs", "array of strings", "The ids of the programs it takes part in."),
    ),
    "graph.edges": (
        ("source", "string", "The id of the node the edge starts at (a flow's giver)."),
        ("target", "string", "The id of the node it ends at (a flow's receiver)."),
        ("kind", "string", "flow (one direction) or partnership (two actors of one "
               "program)."),
        ("label", "string", "What flows, or the program's title for a partnership."),
        ("program", "string", "The id of the program the edge comes from."),
    ),
    "summarize": (
        ("facet", "string", "sector, kind, evidence, country or party."),
        ("value", "string", "The facet's value: a vocabulary value, an ISO code, or "
               "an actor's id (as graph.nodes has it)."),
        ("count", "integer", "How many of the selected programs have it."),
    ),
    "show.related": (
        ("id", "string", "A related program's id."),
        ("title", "string", "Its title."),
        ("shared_parties", "array of strings", "The parties both take part with."),
        ("shared_sectors", "array of strings", "The sectors both touch."),
    ),
    "search": (
        ("score", "number", "How well the program matches: higher is better (title "
               "words weigh most, then flows, parties, kinds and sectors, benefits, "
               "summaries); then every field of the program."),
    ),
    "diff.rows": (
        ("change", "string", "added, removed or changed."),
        ("id", "string", "The program's id."),
        ("title", "string", "Its title (the new one when it changed)."),
        ("field", "string", "The field that changed; null for a whole program.", "nullable"),
        ("old", "any JSON value", "The field's old value (null for a whole program).", "nullable"),
        ("new", "any JSON value", "The field's new value (null for a whole program).", "nullable"),
    ),
    "diff": (
        ("old", "string", "The old catalogue, as messages name it."),
        ("new", "string", "The new catalogue."),
        ("equal", "boolean", "Whether both hold the same programs."),
        ("summary", "object", "How many programs were added, removed, changed and "
               "unchanged (integers)."),
        ("added", "array of objects", "The programs added, whole."),
        ("removed", "array of objects", "The programs removed, whole."),
        ("changed", "array of objects", "Per changed program: its id, title and the "
               "fields that changed, each {field, old, new}."),
    ),
}  # fmt: skip


#: The keys `search` (`score`) and `show` (`related`) add to a program record: not fields
#: of a catalogue, so a catalogue read back from our own output ignores them (`validate`
#: says so) and what we write, we read (`exchange list --json | exchange diff - mine.yaml`).
ADDED_TO_RECORDS = ("score", "related")


def keys(output: str) -> tuple[str, ...]:
    """The keys of one output's rows, in order."""
    return tuple(declared[0] for declared in OUTPUTS[output])


def fields(output: str) -> tuple[OutputField, ...]:
    """One output's fields, in order."""
    return tuple(
        OutputField(key, kind, "nullable" in rest, doc)
        for key, kind, doc, *rest in OUTPUTS[output]
    )
