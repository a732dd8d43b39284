"""`exchange diff` for people: a table on a terminal, and Markdown for a pull-request
comment. (json and jsonl print `Changes.to_dict()` and its rows, like any result.)

Escaping. Terminal: every string from the data goes in as a Rich `Text` (never markup)
after control and bidi characters are made visible (`render.text.visible`). Markdown:
the same, then the characters that mean something inline (`\\ ` * _ [ ] | ~`) and `:`
and `.` (no bare URL, `www.` or domain autolink) are backslash-escaped, `& < >` written
as entities, a zero-width space (`&#8203;`, as Renovate writes it) after `@` and after
`#` or `GH-` before a digit (so GitHub links no mention and no issue: `render.markdown`),
and a line-starting block marker (`# - + > = !`, `1.`)
escaped, so a program's text can neither format the comment, nor break its table, nor
add a link, HTML, a heading, or a mention of someone.
"""

from __future__ import annotations

import re
from typing import Any

from exchange_cli.model.records import program_text
from exchange_cli.render.markdown import unreferenced
from exchange_cli.render.terminal import Environment
from exchange_cli.render.text import flatten, visible


def value_text(field: str | None, value: Any) -> str:
    """One field's value as one line: the declaration's way (`Saudi Arabia (SA)`)."""
    if field is None or value is None:
        return flatten(value)
    try:
        return program_text(field, value)
    except KeyError:
        return flatten(value)


def headline(changes: Any) -> str:
    """Counts first, then the two files: cut to the terminal's width, a long path loses
    its tail, never the answer."""
    counts = changes.summary()
    if changes.equal:
        return f"no changes ({counts['unchanged']} programs): {changes.old} and {changes.new}"
    return (
        f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} "
        f"changed, {counts['unchanged']} unchanged: {changes.old} → {changes.new}"
    )


# -- terminal ------------------------------------------------------------------------------


def render_table(result: Any, env: Environment) -> None:
    """The headline, then one line a change, laid out as every listing is (ids whole,
    values cut with "…" to fit, `--wide` for the rest): `table.render`."""
    from rich.text import Text

    from exchange_cli.render import table
    from exchange_cli.render.results import rows_of

    changes = result.changes
    arrow = "→" if env.unicode else "->"
    line = Text(visible(headline(changes).replace("→", arrow)))
    line.truncate(env.width, overflow="ellipsis")
    table.make_console(env).print(line, soft_wrap=True)
    if not changes.equal:
        table.render(rows_of(result), env)


# -- Markdown ------------------------------------------------------------------------------

#: `:` and `.` too: GitHub links a bare `https://...` or `www.x.y` (GFM's autolinks).
#: `$` too: GitHub reads `$x^2$` as math.
_INLINE = re.compile(r"([\\`*_\[\]|~:.$])")
_BLOCK_START = re.compile(r"^(\s*\d*)([#+\-=!.)])")


def markdown_text(text: str) -> str:
    """Text that reads as itself in GitHub Markdown, in a table cell or a paragraph."""
    text = visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = unreferenced(_INLINE.sub(r"\\\1", text))
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def render_markdown(result: Any, env: Environment) -> None:
    changes = result.changes
    counts = changes.summary()
    old, new = markdown_text(changes.old), markdown_text(changes.new)
    lines = ["### Catalogue changes", ""]
    if changes.equal:
        lines.append(f"No changes: {old} and {new} hold the same {counts['unchanged']} programs.")
        env.stdout.write("\n".join(lines) + "\n")
        return
    lines.append(
        f"{old} → {new}: **{counts['added']} added**, **{counts['removed']} removed**, "
        f"**{counts['changed']} changed**, {counts['unchanged']} unchanged."
    )
    for title, records in (("Added", changes.added), ("Removed", changes.removed)):
        if records:
            lines += ["", f"#### {title}", "", "| id | title | kind | evidence |",
                      "| --- | --- | --- | --- |"]  # fmt: skip
            lines += [
                "| " + " | ".join(markdown_text(str(r[k])) for k in ("id", "title", "kind",
                                                                        "evidence")) + " |"
                for r in records
            ]  # fmt: skip
    if changes.changed:
        lines += [
            "",
            "#### Changed",
            "",
            "| id | field | old | new |",
            "| --- | --- | --- | --- |",
        ]
        for entry in changes.changed:
            for field in entry["fields"]:
                cells = (
                    entry["id"],
                    field["field"],
                    value_text(field["field"], field["old"]),
                    value_text(field["field"], field["new"]),
                )
                lines.append("| " + " | ".join(markdown_text(c) for c in cells) + " |")
    env.stdout.write("\n".join(lines) + "\n")
