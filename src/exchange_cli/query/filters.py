"""Questions asked of a record source: filter, order, count, relate. No I/O.

Option values arrive as the user typed them and leave as canonical vocabulary values
(`resolve_criteria`); everything else asks the source (`source.Records`), which
answers from memory or from the store.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from exchange_cli.errors import UsageError
from exchange_cli.model import vocab
from exchange_cli.model.records import Program, program_text
from exchange_cli.model.vocab import did_you_mean
from exchange_cli.model.vocab import excerpt as vocab_excerpt
from exchange_cli.query.records import FACETS, SUMMARY_FACETS, Criteria, party_keys

if TYPE_CHECKING:
    from exchange_cli.query.records import Records

__all__ = ["FACETS", "Criteria"]

#: How many related programs `show` and the web page list: the most related, not all
#: (in a large catalogue nearly every program shares a sector with every other).
RELATED_LIMIT = 10


def resolve_term(text: str, vocabulary: vocab.Vocabulary, option: str) -> str:
    """A canonical value for what the user typed, or a `UsageError` that suggests one."""
    found = vocabulary.resolve(text)
    if found is not None:
        return found
    hint = did_you_mean(vocabulary.suggest(text, limit=3), after=" ", label=vocabulary.label)
    if vocabulary is vocab.countries():
        valid = "use an ISO 3166-1 code such as SA or a name such as 'Saudi Arabia'"
    else:
        valid = f"valid {vocabulary.plural}: {', '.join(vocabulary.values)}"
    shown = vocab_excerpt(text)
    raise UsageError(f"unknown {vocabulary.name} '{shown}' for {option}; {hint}{valid}")


def resolve_criteria(
    *,
    sectors: Iterable[str] = (),
    kinds: Iterable[str] = (),
    countries: Iterable[str] = (),
    parties: Iterable[str] = (),
    evidence: Iterable[str] = (),
) -> Criteria:
    """Turn raw option values into `Criteria`, rejecting unknown vocabulary values."""
    typed: dict[str, str] = {}  # each --party fragment → the value it came from
    for party in parties:
        for fragment in _party_fragments([party]):
            typed.setdefault(fragment, party.strip())
    return Criteria(
        sectors=_unique(resolve_term(s, vocab.SECTORS, "--sector") for s in sectors),
        kinds=_unique(resolve_term(k, vocab.KINDS, "--kind") for k in kinds),
        countries=_unique(resolve_term(c, vocab.countries(), "--country") for c in countries),
        parties=tuple(typed),
        evidence=_unique(resolve_term(e, vocab.EVIDENCE, "--evidence") for e in evidence),
        typed=typed,
    )


def _party_fragments(parties: Iterable[str]) -> Iterable[str]:
    """Each `--party` value folded, and in its look-alike form (plural as singular)."""
    for party in parties:
        if party.strip():
            from exchange_cli.model.identity import lookalike  # only when --party is given

            yield vocab.normalize(party)
            yield lookalike(party)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def select(source: "Records", criteria: Criteria) -> list[int]:
    """The positions of the programs matching `criteria`. A `--party` value that is part
    of no party's name in the catalogue is a usage error, as an unknown country is: it
    can never match, whatever the other filters say."""
    if criteria.parties:
        everyone = source.parties()
        names = sorted({party.name for party in everyone} | {p.id for p in everyone if p.id})
        folded = [vocab.normalize(name) for name in names]
        values: dict[str, list[str]] = {}  # each value typed → its fragments
        for part in criteria.parties:
            values.setdefault(criteria.typed.get(part, part), []).append(part)
        for shown, parts in values.items():
            if not any(part in name for part in parts for name in folded):
                close = vocab.closest(vocab.normalize(shown), folded, n=2)
                hint = did_you_mean([names[folded.index(c)] for c in close], after=" ")
                raise UsageError(
                    f"unknown party '{vocab_excerpt(shown)}' for --party; {hint}no party's "
                    "name in the catalogue contains it"
                )
    return source.select(criteria)


def select_records(source: "Records", criteria: Criteria) -> Sequence[Mapping[str, Any]]:
    """The matching programs as JSON-ready records (what `list` prints)."""
    return source.records(select(source, criteria))


def select_programs(source: "Records", criteria: Criteria) -> list[Program]:
    return source.programs(select(source, criteria))


def facet_counts(
    source: "Records", positions: Sequence[int], facets: Sequence[str] = FACETS
) -> list[dict[str, Any]]:
    """Rows of {facet, value, count}: most common first, then by value; one row per value.

    Vocabulary facets list every value, zero counts included, so a script sees the whole
    range.
    """
    known = {"sector": vocab.SECTORS, "kind": vocab.KINDS, "evidence": vocab.EVIDENCE}
    rows: list[dict[str, Any]] = []
    for facet in facets:
        if facet == "party":
            rows += actor_counts(source.programs(positions))
            continue
        counter = source.count(facet, positions)
        if facet in known:
            for value in known[facet]:
                counter.setdefault(value, 0)
        for value, count in sorted(counter.items(), key=lambda item: (-item[1], item[0])):
            rows.append({"facet": facet, "value": value, "count": count})
    return rows


def actor_counts(programs: Sequence[Program]) -> list[dict[str, Any]]:
    """Programs per actor (`--by party`): one row per actor as the graph has them (its
    node id is the value, so one actor is one row however its parties are named), most
    programs first, then by name; each row's `label` is the actor's display name."""
    from exchange_cli.query.network import actor_nodes

    nodes, _ = actor_nodes(programs)
    nodes.sort(key=lambda node: (-len(node["programs"]), vocab.normalize(node["name"])))
    return [
        {"facet": "party", "value": node["id"], "count": len(node["programs"]),
         "label": node["name"]}
        for node in nodes
    ]  # fmt: skip


def facet_index(programs: Iterable[Program]) -> dict[str, dict[str, tuple[str, ...]]]:
    """Each program's values per facet, by id: what the exported page's filter chips match,
    read through `source.facet_values` so the page and `summarize` count the same way."""
    from exchange_cli.query.records import facet_values

    return {p.id: {facet: facet_values(p, facet) for facet in FACETS} for p in programs}


def related_entry(program: Program, other: Program) -> dict[str, Any]:
    """What `show` prints for one related program: what the two share."""
    theirs = party_keys(other)
    mine = party_keys(program)
    return {
        "id": other.id,
        "title": other.title,
        "shared_parties": [mine[key] for key in mine if key in theirs],
        "shared_sectors": [s for s in program.sectors if s in other.sectors],
    }


def record_text(field: str, value: Any) -> str:
    """One field of `show`'s record as one line: a declared field the declaration's way
    (`Saudi Arabia (SA)`), the related programs by id."""
    if field == "related":
        return "; ".join(str(entry["id"]) for entry in value)
    return program_text(field, value)


def related_programs(
    source: "Records", position: int, limit: int = RELATED_LIMIT
) -> list[dict[str, Any]]:
    """The programs sharing most parties (same country, or same name) and sectors with
    the one at `position`: most shared first, then catalogue order."""
    [program] = source.programs([position])
    others = source.programs(source.related(position, limit))
    return [related_entry(program, other) for other in others]


def resolve_facets(names: Iterable[str]) -> tuple[str, ...]:
    """`--by` values as facet names (plurals and case forgiven), all facets when none
    (`party`, the actors, only when asked for: it is as long as the catalogue is wide)."""
    facets = []
    plurals = {"countries": "country", "parties": "party", "actor": "party", "actors": "party"}
    for name in names:
        folded = vocab.normalize(name)
        found = next((f for f in SUMMARY_FACETS if folded in (f, f + "s", f + "es")), None)
        found = found or plurals.get(folded)
        if found is None:
            hint = did_you_mean(vocab.closest(folded, SUMMARY_FACETS), after=" ")
            raise UsageError(
                f"unknown facet '{vocab_excerpt(name)}' for --by; {hint}"
                f"valid facets: {', '.join(SUMMARY_FACETS)}"
            )
        facets.append(found)
    return tuple(dict.fromkeys(facets)) or FACETS


#: The most candidates an ambiguous id prefix lists.
PREFIX_CANDIDATES = 10


def find_program(source: "Records", typed: str) -> int:
    """The position of the program `typed` names: its id, or (as git takes a short
    hash) the start of exactly one id. `NotFoundError` for none (with the closest ids),
    `UsageError` for a start that several ids share (listing them, exit 2)."""
    from exchange_cli.errors import NotFoundError

    position = source.position(typed)
    if position is not None:
        return position
    wanted = typed.strip().lower()
    ids = source.ids()
    starting = [i for i, program_id in enumerate(ids) if wanted and program_id.startswith(wanted)]
    if len(starting) == 1:
        return starting[0]
    if not starting:
        raise NotFoundError(unknown_id(typed, source))
    shown = ", ".join(ids[i] for i in starting[:PREFIX_CANDIDATES])
    extra = len(starting) - PREFIX_CANDIDATES
    more = f" and {extra:,} more" if extra > 0 else ""
    raise UsageError(
        f"'{vocab_excerpt(typed)}' starts {len(starting):,} ids: {shown}{more}; "
        "type more of the one you mean"
    )


def unknown_id(program_id: str, source: "Records") -> str:
    """`show`'s message for an id the catalogue does not have, with the closest ids."""
    wanted = program_id.strip().lower()
    ids = source.ids()
    close = vocab.closest(wanted, ids, n=3)
    close += [i for i in ids if wanted and wanted in i and i not in close][: 3 - len(close)]
    hint = did_you_mean(close, before="; ")
    return f"no program with id '{vocab_excerpt(program_id)}'{hint} (see 'exchange list')"
