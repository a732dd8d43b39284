"""The exported page's partnership network: a circle layout drawn as SVG, and the same
information as a list (for screen readers and for anyone who prefers words)."""

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from exchange_cli.render.htmltext import plural as _plural
from exchange_cli.render.htmltext import text as _text
from exchange_cli.render.text import visible_keep_lines


def _partnerships(graph: Mapping[str, Any]) -> dict[tuple[str, str], list[str]]:
    """Unordered node pair → titles of the programs they share, in graph order."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for edge in graph["edges"]:
        if edge["kind"] != "partnership":
            continue
        a, b = str(edge["source"]), str(edge["target"])
        key = (a, b) if a <= b else (b, a)
        titles = pairs.setdefault(key, [])
        if edge["label"] not in titles:
            titles.append(str(edge["label"]))
    return pairs


@dataclass(frozen=True, slots=True)
class Spot:
    """Where a party sits, on a circle of radius 1 around (0, 0)."""

    x: float
    y: float
    hub: bool  # inside the ring (one of the best-connected parties) rather than on it


def network_layout(node_ids: Sequence[str], pairs: Iterable[tuple[str, str]]) -> dict[str, Spot]:
    """A circle layout that keeps lines short: the best-connected parties (three or more
    partners; at most a quarter of all) sit inside the ring, every other party on the ring
    next to the hubs it works with, and parties with no hub partner fill the widest gap,
    partners side by side. Deterministic: ties keep the input order."""
    neighbours: dict[str, list[str]] = {n: [] for n in node_ids}
    for a, b in pairs:
        if b not in neighbours[a]:
            neighbours[a].append(b)
            neighbours[b].append(a)
    position = {n: i for i, n in enumerate(node_ids)}
    by_degree = sorted(node_ids, key=lambda n: (-len(neighbours[n]), position[n]))
    most = min(5, max(1, len(node_ids) // 4))
    hubs = [n for n in by_degree if len(neighbours[n]) >= 3][:most]
    spots: dict[str, Spot] = {}
    hub_angle: dict[str, float] = {}
    for i, hub in enumerate(hubs):
        angle = math.pi + 2 * math.pi * i / len(hubs)  # the first hub on the left
        hub_angle[hub] = angle
        inner = 0.0 if len(hubs) == 1 else 0.42
        spots[hub] = Spot(inner * math.cos(angle), inner * math.sin(angle), True)
    ring = [n for n in node_ids if n not in spots]
    home: dict[str, float] = {}
    for node in ring:
        near = [hub_angle[h] for h in neighbours[node] if h in hub_angle]
        if near:
            x, y = sum(math.cos(a) for a in near), sum(math.sin(a) for a in near)
            home[node] = math.atan2(y, x) if abs(x) + abs(y) > 1e-9 else -math.pi / 2
    start = 0.0
    homed = sorted(set(home.values()))
    if homed:  # the ring begins just after the widest gap between preferred angles
        gaps = [
            ((homed[(i + 1) % len(homed)] - a) % (2 * math.pi) or 2 * math.pi, -i)
            for i, a in enumerate(homed)
        ]
        width, minus_i = max(gaps)
        start = homed[-minus_i] + width / 2
    ordered = sorted(
        (n for n in ring if n in home),
        key=lambda n: ((home[n] - start) % (2 * math.pi), position[n]),
    )
    seen = set(ordered)
    for node in ring:  # the rest, each small group of partners together
        if node in seen:
            continue
        seen.add(node)
        queue = [node]
        while queue:
            current = queue.pop(0)
            ordered.append(current)
            for other in neighbours[current]:
                if other not in seen and other in neighbours and other not in spots:
                    seen.add(other)
                    queue.append(other)
    if not ordered:
        return spots
    step = 2 * math.pi / len(ordered)

    def cost(offset: float) -> float:
        total = 0.0
        for i, node in enumerate(ordered):
            if node in home:
                delta = (offset + i * step - home[node] + math.pi) % (2 * math.pi) - math.pi
                total += delta * delta
        return round(total, 9)

    # Eight tries between two neighbours' places, at most 512 in all: the search stays
    # linear in the number of parties.
    tries = min(8 * len(ordered), 512)
    spacing = step / 8 if tries == 8 * len(ordered) else 2 * math.pi / tries
    offsets = [-math.pi / 2 + k * spacing for k in range(tries)]
    best = min(range(len(offsets)), key=lambda k: (cost(offsets[k]), k))
    for i, node in enumerate(ordered):
        angle = offsets[best] + i * step
        spots[node] = Spot(math.cos(angle), math.sin(angle), False)
    return spots


_RADIUS = 170.0  # of the ring, in SVG units
_LABEL_GAP = 14.0
_LABEL_WIDTH = 150.0
_LABEL_CHARS = 22


#: A ring of more parties than this is a blur at the page's size, and its SVG grows with
#: the square of a program's parties: past it, the page lists the network in words only.
MAX_DRAWN = 200


def network_section(graph: Mapping[str, Any]) -> str:
    nodes = {str(n["id"]): n for n in graph["nodes"]}
    pairs = _partnerships(graph)
    if not nodes:
        return _network_section('<p class="help">No parties in this selection.</p>', "")
    if len(nodes) > MAX_DRAWN:
        note = (
            f'<p class="help">{len(nodes):,} parties are too many to draw legibly (the '
            f"drawing stops at {MAX_DRAWN}): the list below has the whole network, and "
            "<code>exchange graph --format dot</code> draws it with Graphviz.</p>"
        )
        return _network_section(note, _network_list(nodes, pairs))
    spots = network_layout(list(nodes), pairs)
    centre_x = _RADIUS + _LABEL_GAP + _LABEL_WIDTH
    centre_y = _RADIUS + _LABEL_GAP + 40.0

    def point(node_id: str) -> tuple[float, float]:
        spot = spots[node_id]
        return centre_x + _RADIUS * spot.x, centre_y + _RADIUS * spot.y

    lines = []
    for (a, b), titles in pairs.items():
        (x1, y1), (x2, y2) = point(a), point(b)
        names = f"{nodes[a]['name']} and {nodes[b]['name']}: {'; '.join(titles)}"
        lines.append(
            f'<line class="edge" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke-width="{1.25 + 0.75 * (len(titles) - 1):.2f}"><title>{_text(names)}'
            "</title></line>"
        )
    circles = []
    for node_id, node in nodes.items():
        x, y = point(node_id)
        count = len(node["programs"])
        radius = 5.0 + 2.5 * math.sqrt(count)
        circles.append(
            f'<g class="node node-{_text(node["type"])}"><title>{_text(node["name"])}: '
            f"{_text(_plural(count, 'program'))}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}"/>'
            f"{_node_label(str(node['name']), spots[node_id], x, y, radius)}</g>"
        )
    svg = (
        f'<svg class="network" viewBox="0 0 {2 * centre_x:.0f} {2 * centre_y:.0f}" role="img" '
        'aria-labelledby="network-svg-title network-svg-desc">'
        '<title id="network-svg-title">Partnership network</title>'
        f'<desc id="network-svg-desc">{_text(_plural(len(nodes), "party", "parties"))}; '
        "a line joins two parties that share a program, thicker when they share several. "
        "The list below says the same in words.</desc>"
        f'<g class="edges">{"".join(lines)}</g><g class="nodes">{"".join(circles)}</g></svg>'
    )
    return _network_section(f'<div class="network-frame">{svg}</div>', _network_list(nodes, pairs))


def _node_label(name: str, spot: Spot, x: float, y: float, radius: float) -> str:
    """Ring labels sit outside the ring, away from the centre; a hub's label under it."""
    lines = textwrap.wrap(visible_keep_lines(name), _LABEL_CHARS) or [""]
    if spot.hub:
        anchor, first = "middle", 0.8
        y += radius + 2
    else:
        x += _LABEL_GAP * spot.x
        y += _LABEL_GAP * spot.y
        anchor = "start" if spot.x > 0.2 else "end" if spot.x < -0.2 else "middle"
        # Above the ring labels grow upwards, below it downwards, beside it they centre.
        if spot.y < -0.5:
            first = -(len(lines) - 1) * 1.15
        elif spot.y > 0.5:
            first = 0.8
        else:
            first = 0.35 - (len(lines) - 1) * 0.575
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{(first if i == 0 else 1.15):.2f}em">{_text(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{spans}</text>'


def _network_list(
    nodes: Mapping[str, Mapping[str, Any]], pairs: Mapping[tuple[str, str], list[str]]
) -> str:
    partners: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in pairs:
        partners[a].append(b)
        partners[b].append(a)
    items = []
    for node_id, node in nodes.items():
        kind = str(node["type"])
        country = f", {node['country']}" if node.get("country") else ""
        names = ", ".join(str(nodes[p]["name"]) for p in partners[node_id]) or "no one"
        items.append(
            f"<li><strong>{_text(node['name'])}</strong> "
            f'<span class="muted">({_text(kind)}{_text(country)})</span> works with '
            f"{_text(names)}.</li>"
        )
    return (
        '<details class="network-list"><summary>The network as a list</summary>'
        f"<ul>{''.join(items)}</ul></details>"
    )


def _network_section(figure: str, listing: str) -> str:
    legend = "".join(
        f'<li><span class="swatch node-{kind}" aria-hidden="true"></span>{label}</li>'
        for kind, label in (
            ("country", "country"),
            ("organization", "organization"),
            ("group", "group of parties"),
        )
    )
    return (
        '<section id="network" class="network-section" aria-labelledby="network-title">'
        '<h2 id="network-title" tabindex="-1">Partnership network</h2>'
        '<p class="help">Who works with whom. Larger circles take part in more programs. '
        "On a small screen, scroll the drawing sideways.</p>"
        f'{figure}<ul class="network-legend" aria-label="Legend">{legend}</ul>{listing}'
        "</section>"
    )
