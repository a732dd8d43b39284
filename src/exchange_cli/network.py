"""Who gives what to whom: directional flows, and the partnership graph. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from exchange_cli import vocab
from exchange_cli.model import Party, Program

FLOW_ROW_FIELDS: tuple[str, ...] = (
    "from",
    "from_country",
    "to",
    "to_country",
    "what",
    "program",
    "title",
)
NODE_FIELDS: tuple[str, ...] = ("id", "name", "type", "country", "programs")
EDGE_FIELDS: tuple[str, ...] = ("source", "target", "kind", "label", "program")


@dataclass(frozen=True, slots=True)
class PartyMatcher:
    """What `--from`/`--to` asked for: a country code, or part of a party's name."""

    text: str
    country: str | None
    name: str

    def matches(self, party: Party) -> bool:
        if self.country is not None and party.country == self.country:
            return True
        return bool(self.name) and self.name in vocab.normalize(party.name)


def party_matcher(text: str) -> PartyMatcher:
    """`SA`, `KSA` and `Saudi Arabia` all name the country SA; anything else matches names."""
    return PartyMatcher(text, vocab.countries().resolve(text), vocab.normalize(text))


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


def known_party_names(programs: Iterable[Program]) -> list[str]:
    return sorted({p.name for program in programs for p in program.parties})


_SLUG = re.compile(r"[^a-z0-9]+")


def node_id(party: Party) -> str:
    """One node per country (however it is named), else per party name."""
    if party.country is not None and party.type == "country":
        return party.country.lower()
    return _SLUG.sub("-", vocab.normalize(party.name)).strip("-") or "party"


@dataclass(frozen=True, slots=True)
class Graph:
    """Parties as nodes; flows (directed, labelled) and partnerships (undirected) as edges."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "edges": self.edges}


def build_graph(programs: Sequence[Program]) -> Graph:
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []
    for program in programs:
        ids = {}
        for party in program.parties:
            key = node_id(party)
            ids[party.name] = key
            node = nodes.setdefault(
                key,
                {
                    "id": key,
                    "name": party.name,
                    "type": party.type,
                    "country": party.country,
                    "programs": [],
                },
            )
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


def partner_tree(graph: Graph) -> list[dict[str, Any]]:
    """party → partner → programs, with what flows each way: the terminal view's shape.

    Each entry: {"party": node, "partners": [{"partner": node, "programs": [
        {"program": id, "title": str, "gives": [what...], "receives": [what...]}]}]}.
    """
    by_id = {node["id"]: node for node in graph.nodes}
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
