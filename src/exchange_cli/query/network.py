"""Who gives what to whom: directional flows, and the partnership graph. Pure: no I/O."""

import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from exchange_cli.errors import UsageError
from exchange_cli.model import vocab
from exchange_cli.model.identity import actor_key, actor_names, nfc, singular
from exchange_cli.model.records import Party, Program
from exchange_cli.model.vocab import closest, did_you_mean, excerpt


class PartyMatcher(NamedTuple):
    """What `--from`/`--to` asked for, each value an alternative (repeating ORs them),
    matched against actors (`identity.actor_key`): a party matches when its actor does.

    A value that names a country (`SA`, `KSA`, `Saudi Arabia`) matches that country's
    parties only. A value that is exactly an actor's id, or exactly one of its names
    (case and accents aside), matches that actor only: with an id shared by "Islamic
    Nation" and "Islamic nations", either name finds both. Any other value matches an
    actor's names word by word, each word as a prefix, a plural as its singular
    (`islamic nations` finds "Islamic Nation", `nation` does not find "International").
    """

    texts: tuple[str, ...]
    countries: tuple[str | None, ...]
    names: tuple[tuple[str, ...], ...]
    exact: tuple[frozenset[str] | None, ...]  # the actors named exactly, when any is
    actors: dict[str, tuple[str, ...]]  # actor key → its folded names and id

    def _alternative_matches(self, index: int, party: Party) -> bool:
        code = self.countries[index]
        if code is not None:
            return party.country == code
        actor = actor_key(party)
        exact = self.exact[index]
        if exact is not None:
            return actor in exact
        wanted = self.names[index]
        if not wanted:
            return False
        known = self.actors.get(actor) or (vocab.normalize(party.name),)
        return any(
            all(any(w.startswith(q) for w in vocab.words(name)) for q in wanted) for name in known
        )

    def matches(self, party: Party) -> bool:
        return any(self._alternative_matches(i, party) for i in range(len(self.texts)))

    def unmatched(self, parties: Iterable[Party]) -> list[str]:
        """The values that match none of these parties (for a 'did you mean' hint)."""
        everyone = list(parties)
        return [
            text
            for i, text in enumerate(self.texts)
            if not any(self._alternative_matches(i, p) for p in everyone)
        ]


def party_matcher(
    texts: Sequence[str], parties: Iterable[Party] = (), option: str = "--from"
) -> PartyMatcher | None:
    """Alternatives from the command line (None when there are none), matched against
    the actors these parties are. A value that is neither a country nor a match for one
    of them is a usage error, as an unknown `--country` is: it can never match."""
    if not texts:
        return None
    values = tuple(t for t in texts if t.strip())
    if not values:
        raise UsageError(f"{option} needs a country or a party name")
    countries = vocab.countries()
    everyone = list(parties)
    actors = actor_names(everyone, looks=False)
    by_name: dict[str, set[str]] = {}
    for actor, names in actors.items():
        for name in names:
            by_name.setdefault(name, set()).add(actor)
    folded = [vocab.normalize(t) for t in values]
    matcher = PartyMatcher(
        values,
        tuple(countries.resolve(t) for t in values),
        tuple(tuple(singular(word) for word in vocab.words(t)) for t in values),
        tuple(frozenset(by_name[f]) if f in by_name else None for f in folded),
        actors,
    )
    for text in matcher.unmatched(everyone):
        if countries.resolve(text) is None:
            raise UsageError(_unknown_party(text, everyone, option))
    return matcher


def _unknown_party(text: str, parties: Sequence[Party], option: str) -> str:
    """The message for a value that names no country and no party, with the party names
    and countries it may have meant."""
    countries = vocab.countries()
    names = sorted({party.name for party in parties})
    close = closest(text, names, n=2, cutoff=0.6)
    taken = {vocab.normalize(name) for name in close}
    close += [
        code
        for code in countries.suggest(text)
        if vocab.normalize(countries.describe(code)) not in taken
    ]
    hint = did_you_mean(close, after=" ", label=countries.label)
    return (
        f"unknown country or party '{excerpt(text)}' for {option}; {hint}give a country "
        "code or name (SA, 'Saudi Arabia') or the name of a party in the catalogue"
    )


def _party(program: Program, name: str) -> Party:
    return next(p for p in program.parties if p.name == name)


def flow_rows(
    programs: Iterable[Program],
    giver: PartyMatcher | None = None,
    receiver: PartyMatcher | None = None,
) -> list[dict[str, Any]]:
    """One row per directional flow, optionally only from / to matching parties."""
    rows: list[dict[str, Any]] = []
    for program in programs:
        for flow in program.flows:
            source, target = _party(program, flow.giver), _party(program, flow.receiver)
            if giver is not None and not giver.matches(source):
                continue
            if receiver is not None and not receiver.matches(target):
                continue
            rows.append(
                {
                    "from": flow.giver,
                    "from_country": source.country,
                    "to": flow.receiver,
                    "to_country": target.country,
                    "what": flow.what,
                    "program": program.id,
                    "title": program.title,
                }
            )
    return rows


def node_id(party: Party) -> str:
    """A node's readable id: the party's id, else the country's code, else a slug of
    the name."""
    if party.id is not None:
        return party.id
    if party.country is not None and party.type == "country":
        return party.country.lower()
    return re.sub(r"[^a-z0-9]+", "-", vocab.normalize(party.name)).strip("-") or "party"


class Graph(NamedTuple):
    """Parties as nodes; flows (directed, labelled) and partnerships (undirected) as edges."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "edges": self.edges}


def _node_key(party: Party) -> tuple[str, str]:
    if party.id is not None:
        return ("id", party.id)
    if party.country is not None and party.type == "country":
        return ("country", party.country)
    return ("name", nfc(party.name))


def actor_nodes(
    programs: Sequence[Program],
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """One node per actor: per party id, else per country (however it is named), else
    per NFC-normalised party name; a node is named by its first party. Also, for each
    program, its party names → their node ids (what the graph and the SQLite export
    link parties by).

    Node ids are readable slugs, made unique: `Ünïcode` and `Unicode`, or a group called
    `SA` and the country SA, stay two nodes.
    """
    nodes: dict[tuple[str, str], dict[str, Any]] = {}
    taken: set[str] = set()
    by_program: list[dict[str, str]] = []
    for program in programs:
        ids = {}
        for party in program.parties:
            node = nodes.get(_node_key(party))
            if node is None:
                base = node_id(party)
                unique, n = base, 2
                while unique in taken:
                    unique, n = f"{base}-{n}", n + 1
                taken.add(unique)
                node = nodes[_node_key(party)] = {
                    "id": unique,
                    "name": party.name,
                    "type": party.type,
                    "country": party.country,
                    "programs": [],
                }
            ids[party.name] = node["id"]
            if program.id not in node["programs"]:
                node["programs"].append(program.id)
        by_program.append(ids)
    return list(nodes.values()), by_program


def build_graph(programs: Sequence[Program]) -> Graph:
    """The actors (`actor_nodes`) as nodes; each flow an edge, and each pair of a
    program's actors a partnership edge."""
    nodes, by_program = actor_nodes(programs)
    edges: list[dict[str, Any]] = []
    for program, ids in zip(programs, by_program, strict=True):
        edges.extend(
            {
                "source": ids[flow.giver],
                "target": ids[flow.receiver],
                "kind": "flow",
                "label": flow.what,
                "program": program.id,
            }
            for flow in program.flows
        )
        keys = list(dict.fromkeys(ids[p.name] for p in program.parties))
        edges.extend(
            {
                "source": first,
                "target": second,
                "kind": "partnership",
                "label": program.title,
                "program": program.id,
            }
            for i, first in enumerate(keys)
            for second in keys[i + 1 :]
        )
    return Graph(nodes, edges)


def ordered(graph: "Graph", sort: str | None, *, reverse: bool, limit: int | None) -> "Graph":
    """The graph with its edges sorted, reversed and cut as `--sort`, `--reverse` and
    `--limit` say (its nodes those the kept edges still use)."""
    if sort is None and not reverse and limit is None:
        return graph
    from exchange_cli.query.ordering import order_records

    edges = order_records(graph.edges, sort=sort, reverse=reverse, limit=limit)
    return keep_edges(graph, [dict(edge) for edge in edges])


def keep_edges(graph: Graph, edges: list[dict[str, Any]]) -> Graph:
    """The graph with only `edges` (after --sort/--limit), and only the nodes they touch."""
    ends = {end for edge in edges for end in (edge["source"], edge["target"])}
    return Graph([node for node in graph.nodes if node["id"] in ends], edges)


def partner_tree(graph: Graph, programs: Sequence[Program] | None = None) -> list[dict[str, Any]]:
    """party → partner → programs, with what flows each way: the terminal view's shape.
    Programs are titled from `programs` (the graph's), else from their partnership
    edges, which `--sort` or `--limit` may have cut.

    Each partnership once: under the party that comes first, what it gives and receives;
    a party whose partnerships all appeared under earlier parties is not repeated.
    Each entry: {"party": node, "partners": [{"partner": node, "programs": [
        {"program": id, "title": str, "gives": [what...], "receives": [what...]}]}]}.
    """
    by_id = {node["id"]: node for node in graph.nodes}
    if programs is not None:
        titles = {program.id: program.title for program in programs}
    else:
        titles = {e["program"]: e["label"] for e in graph.edges if e["kind"] == "partnership"}
    links: dict[str, dict[str, dict[str, dict[str, list[str]]]]] = {}
    for edge in graph.edges:
        source, target, program = edge["source"], edge["target"], edge["program"]
        for a, b in ((source, target), (target, source)):
            entry = (
                links.setdefault(a, {})
                .setdefault(b, {})
                .setdefault(program, {"gives": [], "receives": []})
            )
            if edge["kind"] == "flow":
                entry["gives" if a == source else "receives"].append(edge["label"])
    tree = []
    shown: set[str] = set()
    for node in graph.nodes:
        shown.add(node["id"])
        known = links.get(node["id"], {})
        partners = {partner: known[partner] for partner in known if partner not in shown}
        if known and not partners:
            continue  # every partnership of this party is under an earlier one
        tree.append(
            {
                "party": node,
                "partners": [
                    {
                        "partner": by_id[partner],
                        "programs": [
                            {"program": pid, "title": titles.get(pid, pid), **sides}
                            for pid, sides in programs.items()
                        ],
                    }
                    for partner, programs in partners.items()
                ],
            }
        )
    return tree
