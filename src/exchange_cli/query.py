"""Pure functions over programs: filter, sort, facet counts. No I/O.

Every option value arriving here is already resolved to a canonical vocabulary value
(`resolve_criteria`), so matching below is plain equality.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from exchange_cli import vocab
from exchange_cli.errors import UsageError
from exchange_cli.model import Catalogue, Facets, Program


class Criteria(NamedTuple):
    """What `list` and friends filter by. Values within a field OR; fields AND."""

    sectors: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.sectors or self.kinds or self.countries or self.parties or self.evidence)


def resolve_term(text: str, vocabulary: vocab.Vocabulary, option: str) -> str:
    """A canonical value for what the user typed, or a `UsageError` that suggests one."""
    found = vocabulary.resolve(text)
    if found is not None:
        return found
    close = vocabulary.suggest(text, limit=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    if vocabulary is vocab.countries():
        valid = "use an ISO 3166-1 code such as SA or a name such as 'Saudi Arabia'"
    else:
        valid = f"valid {vocabulary.plural}: {', '.join(vocabulary.values)}"
    raise UsageError(f"unknown {vocabulary.name} '{text}' for {option}; {hint}{valid}")


def resolve_criteria(
    *,
    sectors: Iterable[str] = (),
    kinds: Iterable[str] = (),
    countries: Iterable[str] = (),
    parties: Iterable[str] = (),
    evidence: Iterable[str] = (),
) -> Criteria:
    """Turn raw option values into `Criteria`, rejecting unknown vocabulary values."""
    return Criteria(
        sectors=_unique(resolve_term(s, vocab.SECTORS, "--sector") for s in sectors),
        kinds=_unique(resolve_term(k, vocab.KINDS, "--kind") for k in kinds),
        countries=_unique(resolve_term(c, vocab.countries(), "--country") for c in countries),
        parties=_unique(vocab.normalize(p) for p in parties if p.strip()),
        evidence=_unique(resolve_term(e, vocab.EVIDENCE, "--evidence") for e in evidence),
    )


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def select_indexes(catalogue: Catalogue, criteria: Criteria) -> list[int]:
    """Positions of the programs that satisfy every given field (by any of its values).

    Column by column, each narrowing the candidates of the one before: a query reads only
    the columns it filters on, and builds no program.
    """
    keep: Iterable[int] = range(len(catalogue))
    columns = catalogue.columns
    if criteria.sectors:
        sectors, wanted = columns["sectors"], frozenset(criteria.sectors)
        keep = [i for i in keep if not wanted.isdisjoint(sectors[i])]
    if criteria.kinds:
        kinds, wanted = columns["kind"], frozenset(criteria.kinds)
        keep = [i for i in keep if kinds[i] in wanted]
    if criteria.evidence:
        evidence, wanted = columns["evidence"], frozenset(criteria.evidence)
        keep = [i for i in keep if evidence[i] in wanted]
    if criteria.countries:
        countries, wanted = columns["countries"], frozenset(criteria.countries)
        keep = [i for i in keep if not wanted.isdisjoint(countries[i])]
    if criteria.parties:
        names, parts = columns["party_names"], criteria.parties
        keep = [i for i in keep if _names_contain(names[i], parts)]
    return list(keep)


def _names_contain(names: Iterable[str], parts: tuple[str, ...]) -> bool:
    folded = [vocab.normalize(name) for name in names]
    return any(part in name for part in parts for name in folded)


def filter_programs(programs: Iterable[Program], criteria: Criteria) -> list[Program]:
    """The programs matching `criteria`, in their original order."""
    return select(Catalogue(programs), criteria)


def select(catalogue: Catalogue, criteria: Criteria) -> list[Program]:
    """The matching programs of a catalogue, building only those."""
    return [catalogue.program(i) for i in select_indexes(catalogue, criteria)]


def select_records(catalogue: Catalogue, criteria: Criteria) -> list[Mapping[str, Any]]:
    """The matching programs as JSON-ready records (what `list` prints)."""
    return [catalogue.record(i) for i in select_indexes(catalogue, criteria)]


def select_facets(catalogue: Catalogue, criteria: Criteria) -> list[Facets]:
    """The facets of the matching programs: all `summarize` needs, no program text."""
    columns = catalogue.columns
    return [columns.row(i) for i in select_indexes(catalogue, criteria)]


def _sort_key(value: Any) -> tuple[int, Any]:
    """Order mixed values: numbers, then text (case-folded), lists by their text; nulls last."""
    if value is None:
        return (2, "")
    if isinstance(value, bool | int | float):
        return (0, value)
    if isinstance(value, list):
        return (1, "; ".join(vocab.normalize(str(v)) for v in value))
    if isinstance(value, dict):
        return (1, vocab.normalize(" ".join(str(v) for v in value.values())))
    return (1, vocab.normalize(str(value)))


def order_records(
    records: Sequence[Mapping[str, Any]],
    *,
    sort: str | None = None,
    reverse: bool = False,
    limit: int | None = None,
) -> list[Mapping[str, Any]]:
    """Sort by one field (stable, nulls last), optionally reversed, then cut to `limit`."""
    result = list(records)
    if sort is not None:
        result.sort(key=lambda record: _sort_key(record.get(sort)))
    if reverse:
        result.reverse()
    if limit is not None:
        result = result[:limit]
    return result


#: Facets `summarize` can count, and how each reads its values off a program.
FACETS: tuple[str, ...] = ("sector", "kind", "evidence", "country")


def facet_values(program: Facets, facet: str) -> tuple[str, ...]:
    if facet == "sector":
        return program.sectors
    if facet == "kind":
        return (program.kind,)
    if facet == "evidence":
        return (program.evidence,)
    if facet == "country":
        return program.countries
    raise ValueError(facet)


def facet_index(programs: Iterable[Program]) -> dict[str, dict[str, tuple[str, ...]]]:
    """Each program's values per facet, by id: what the exported page's filter chips match,
    read through `facet_values` so the page and `summarize` count the same way."""
    return {p.id: {facet: facet_values(Facets.of(p), facet) for facet in FACETS} for p in programs}


def facet_counts(
    programs: Sequence[Facets], facets: Sequence[str] = FACETS
) -> list[dict[str, Any]]:
    """Rows of {facet, value, count}: most common first, then by value; one row per value.

    Vocabulary facets list every value, zero counts included, so a script sees the whole range.
    """
    rows: list[dict[str, Any]] = []
    for facet in facets:
        counter: Counter[str] = Counter()
        for program in programs:
            counter.update(facet_values(program, facet))
        known = {"sector": vocab.SECTORS, "kind": vocab.KINDS, "evidence": vocab.EVIDENCE}
        if facet in known:
            for value in known[facet]:
                counter.setdefault(value, 0)
        for value, count in sorted(counter.items(), key=lambda item: (-item[1], item[0])):
            rows.append({"facet": facet, "value": value, "count": count})
    return rows


#: How many related programs `show` and the web page list: the most related, not all
#: (in a large catalogue nearly every program shares a sector with every other).
RELATED_LIMIT = 10


def related_programs(
    program: Program, programs: Iterable[Program], limit: int = RELATED_LIMIT
) -> list[dict[str, Any]]:
    """Programs sharing a party (same country, or same name) or a sector, most shared first."""

    def party_keys(p: Program) -> dict[str, str]:
        return {(party.country or vocab.normalize(party.name)): party.name for party in p.parties}

    mine = party_keys(program)
    related: list[tuple[int, dict[str, Any]]] = []
    for other in programs:
        if other.id == program.id:
            continue
        theirs = party_keys(other)
        parties = [mine[key] for key in mine if key in theirs]
        sectors = [s for s in program.sectors if s in other.sectors]
        if parties or sectors:
            shared = {"shared_parties": parties, "shared_sectors": sectors}
            related.append(
                (len(parties) + len(sectors), {"id": other.id, "title": other.title, **shared})
            )
    related.sort(key=lambda item: -item[0])
    return [entry for _, entry in related[:limit]]
