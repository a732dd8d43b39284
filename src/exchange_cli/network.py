"""Who gives what to whom: directional flows, and the partnership graph. Pure: no I/O."""

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from exchange_cli import vocab
from exchange_cli.errors import UsageError
from exchange_cli.model import Party, Program
from exchange_cli.vocab import closest, did_you_mean, excerpt


class PartyMatcher(NamedTuple):
    """What `--from`/`--to` asked for, each value an alternative (repeating ORs them).

    A value that names a country (`SA`, `KSA`, `Saudi Arabia`) matches that country's
    parties only. A value that is exactly some party's name (case and accents aside)
    matches that name only ("Islamic Nation" is not "Islamic nations"). Any other value
    matches names word by word, each word as a prefix (`islamic nat` finds both,
    `nation` does not find "International").
    """

    texts: tuple[str, ...]
    countries: tuple[str | None, ...]
    names: tuple[tuple[str, ...], ...]
    exact: tuple[str | None, ...]  # the folded full name, when some party has exactly it

    def _alternative_matches(self, index: int, party: Party) -> bool:
        code = self.countries[index]
        if code is not None:
            return party.country == code
        exact = self.exact[index]
        if exact is not None:
            return vocab.normalize(party.name) == exact
        wanted = self.names[index]
        have = vocab.words(party.name)
        return bool(wanted) and all(any(w.startswith(q) for w in have) for q in wanted)

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
    these parties' names."""
    if not texts:
        return None
    values = tuple(t for t in texts if t.strip())
    if not values:
        raise UsageError(f"{option} needs a country or a party name")
    countries = vocab.countries()
    names = {vocab.normalize(p.name) for p in parties}
    folded = [vocab.normalize(t) for t in values]
    return PartyMatcher(
        values,
        tuple(countries.resolve(t) for t in values),
        tuple(tuple(vocab.words(t)) for t in values),
        tuple(f if f in names else None for f in folded),
    )


def unmatched_hints(matcher: PartyMatcher | None, parties: Sequence[Party]) -> list[str]:
    """One line for each value that matches no party (a typo among several values, too)."""
    if matcher is None:
        return []
    names = sorted({party.name for party in parties})
    unmatched = matcher.unmatched(parties)
    hints = [
        f"exchange: no party matches '{excerpt(text)}'"
        + did_you_mean(closest(text, names, n=2, cutoff=0.5), before="; ")
        for text in unmatched[:HINTS]
    ]
    if len(unmatched) > HINTS:
        hints.append(f"exchange: ... and {len(unmatched) - HINTS:,} more values match no party")
    return hints


#: Hints printed at most, whatever was typed: a hint must stay cheap and short.
HINTS = 5


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
    """One node per country (however it is named), else per party name."""
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
    if party.country is not None and party.type == "country":
        return ("country", party.country)
    return ("name", party.name)


def build_graph(programs: Sequence[Program]) -> Graph:
    """One node per country (however it is named) or per distinct party name.

    Node ids are readable slugs, made unique: `Ünïcode` and `Unicode`, or a group called
    `SA` and the country SA, stay two nodes.
    """
    nodes: dict[tuple[str, str], dict[str, Any]] = {}
    taken: set[str] = set()
    edges: list[dict[str, Any]] = []
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
    return Graph(list(nodes.values()), edges)


def keep_edges(graph: Graph, edges: list[dict[str, Any]]) -> Graph:
    """The graph with only `edges` (after --sort/--limit), and only the nodes they touch."""
    ends = {end for edge in edges for end in (edge["source"], edge["target"])}
    return Graph([node for node in graph.nodes if node["id"] in ends], edges)


def partner_tree(graph: Graph, titles: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """party → partner → programs, with what flows each way: the terminal view's shape.
    Programs are titled from `titles` (by id), else from their partnership edges, which
    `keep_edges` may have cut.

    Each entry: {"party": node, "partners": [{"partner": node, "programs": [
        {"program": id, "title": str, "gives": [what...], "receives": [what...]}]}]}.
    """
    by_id = {node["id"]: node for node in graph.nodes}
    if titles is None:
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
    for node in graph.nodes:
        partners = links.get(node["id"], {})
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
