"""The partnership graph as Mermaid, Graphviz dot, JSON/YAML, or a Rich tree on a terminal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from exchange_cli.render import GraphView
from exchange_cli.render.text import visible
from exchange_cli.terminal import Environment


def _node_label(node: Mapping[str, Any]) -> str:
    name = str(node["name"])
    return f"{name} ({node['country']})" if node.get("country") else name


# -- Mermaid -----------------------------------------------------------------------------


def _mermaid_text(text: str) -> str:
    """Mermaid labels are quoted; quotes and angle brackets become entity codes."""
    text = visible(" ".join(text.split()))
    for raw, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(raw, code)
    return f'"{text}"'


def _mermaid_id(node_id: str) -> str:
    return "n_" + node_id.replace("-", "_")  # never a Mermaid keyword such as `end`


def render_mermaid(graph: GraphView, env: Environment) -> None:
    lines = ["flowchart LR"]
    lines.extend(
        f"    {_mermaid_id(node['id'])}[{_mermaid_text(_node_label(node))}]"
        for node in graph.nodes
    )
    for edge in graph.edges:
        source, target = _mermaid_id(edge["source"]), _mermaid_id(edge["target"])
        if edge["kind"] == "flow":
            lines.append(f"    {source} -->|{_mermaid_text(edge['label'])}| {target}")
        else:
            lines.append(f"    {source} -.-|{_mermaid_text(edge['program'])}| {target}")
    env.stdout.write("\n".join(lines) + "\n")


# -- Graphviz dot ------------------------------------------------------------------------


def _dot_text(text: str) -> str:
    text = visible(" ".join(text.split()))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(graph: GraphView, env: Environment) -> None:
    lines = [
        "digraph exchange {",
        "    rankdir=LR;",
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ]
    for node in graph.nodes:
        shape = ", shape=ellipse" if node["type"] == "group" else ""
        lines.append(f"    {_dot_text(node['id'])} [label={_dot_text(_node_label(node))}{shape}];")
    for edge in graph.edges:
        ends = f"{_dot_text(edge['source'])} -> {_dot_text(edge['target'])}"
        if edge["kind"] == "flow":
            lines.append(f"    {ends} [label={_dot_text(edge['label'])}];")
        else:
            lines.append(
                f"    {ends} [label={_dot_text(edge['program'])}, style=dashed, dir=none, "
                'color="gray50", fontcolor="gray40"];'
            )
    lines.append("}")
    env.stdout.write("\n".join(lines) + "\n")


# -- terminal tree -------------------------------------------------------------------------


def render_tree(tree: Sequence[Mapping[str, Any]], env: Environment) -> None:
    from rich.text import Text
    from rich.tree import Tree

    from exchange_cli.render.table import make_console

    console = make_console(env)
    arrow_out, arrow_in = ("→", "←") if env.unicode else ("->", "<-")
    strong = "bold" if env.color else ""
    dim = "dim" if env.color else ""
    guide = "tree.line" if env.unicode else ""
    for entry in tree:
        root = Tree(Text(visible(_node_label(entry["party"])), style=strong), guide_style=guide)
        for link in entry["partners"]:
            branch = root.add(Text(visible(_node_label(link["partner"]))))
            for program in link["programs"]:
                leaf = branch.add(
                    Text(visible(program["program"]), style="cyan" if env.color else "")
                )
                leaf.label.append(": " + visible(program["title"]))  # type: ignore[union-attr]
                for what in program["gives"]:
                    leaf.add(Text(f"{arrow_out} gives: " + visible(what)))
                for what in program["receives"]:
                    leaf.add(Text(f"{arrow_in} receives: " + visible(what)))
                if not program["gives"] and not program["receives"]:
                    leaf.add(Text("partners (no flow recorded)", style=dim))
        console.print(root)
