"""The partnership graph as Mermaid and Graphviz dot (the terminal tree is `table`'s).

Escaping rules. Every label is one line (runs of white space become one space) with
control, separator and bidi characters made visible (`render.text`), then:
- Mermaid: the label is double-quoted, and `#` `"` `<` `>` `&` `%` and the backtick become
  Mermaid's entity codes (`#35;` ...): no `%%{init: ...}%%` directive, markdown string,
  HTML or entity can come from the data. Node ids are our own slugs.
- dot: the label is double-quoted with `\\` and `"` escaped (so no `\\n`, `\\l` or `\\N`
  escape sequence of Graphviz's comes from the data), and `&` written `&amp;` (Graphviz
  decodes entities such as `&lt;` in labels).
"""

from __future__ import annotations

from exchange_cli.render.results import GraphView
from exchange_cli.render.terminal import Environment
from exchange_cli.render.text import node_label, visible

# -- Mermaid -----------------------------------------------------------------------------


_MERMAID_CODES = (
    ("#", "#35;"),  # first: the codes below start with it
    ('"', "#quot;"),
    ("<", "#lt;"),
    (">", "#gt;"),
    ("&", "#38;"),
    ("%", "#37;"),
    ("`", "#96;"),
)


def _mermaid_text(text: str) -> str:
    text = visible(" ".join(text.split()))
    for raw, code in _MERMAID_CODES:
        text = text.replace(raw, code)
    return f'"{text}"'


def _mermaid_id(node_id: str) -> str:
    return "n_" + node_id.replace("-", "_")  # never a Mermaid keyword such as `end`


def render_mermaid(graph: GraphView, env: Environment) -> None:
    lines = ["flowchart LR"]
    lines.extend(
        f"    {_mermaid_id(node['id'])}[{_mermaid_text(node_label(node))}]" for node in graph.nodes
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
    text = visible(" ".join(text.split())).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("&", "&amp;") + '"'


def render_dot(graph: GraphView, env: Environment) -> None:
    lines = [
        "digraph exchange {",
        "    rankdir=LR;",
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
    ]
    for node in graph.nodes:
        shape = ", shape=ellipse" if node["type"] == "group" else ""
        lines.append(f"    {_dot_text(node['id'])} [label={_dot_text(node_label(node))}{shape}];")
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
