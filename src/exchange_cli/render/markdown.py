"""A GitHub-flavoured Markdown table.

Escaping rule: a cell shows its text literally in any CommonMark/GFM renderer. Control,
separator and bidi characters become visible escapes (`render.text`), then every ASCII
punctuation character is backslash-escaped (CommonMark allows it for all of them): so no
link, image, autolink, raw HTML, code span, emphasis, entity (`&amp;` shows as typed) or
cell break (`|`) can come from the data. GitHub links mentions (`@name`) and issue
references (`#12`, `GH-12`, `owner/repo#12`) in the rendered text, after the escapes
are gone, so a zero-width space (`&#8203;`, as Renovate writes it) follows each `@`, and
each `#` or `GH-` before a digit: no one is notified, no issue gets a back-reference.
"""

from __future__ import annotations

import re

from exchange_cli.render.results import Listing
from exchange_cli.render.terminal import Environment
from exchange_cli.render.text import cell_text, visible

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
#: What GitHub links after rendering, whatever the escapes: `@name`, `#12`, `GH-12`
#: (also after a backslash escape, `\@` `\#` `GH\-`, which GitHub ignores for these).
_GITHUB_REFERENCE = re.compile(r"(@|#(?=\d)|\bGH\\?-(?=\d))", re.IGNORECASE)


def unreferenced(markdown: str) -> str:
    """Markdown in which GitHub finds no mention and no issue reference to link."""
    return _GITHUB_REFERENCE.sub(r"\1&#8203;", markdown)


def _cell(text: str) -> str:
    return unreferenced(_PUNCTUATION.sub(r"\\\1", visible(text)))


def render_markdown(listing: Listing, env: Environment) -> None:
    text = cell_text(listing)
    rows = [  # all made before anything is written (see delimited.py)
        "| "
        + " | ".join(_cell(text(field, record.get(field))) for field in listing.fields)
        + " |\n"
        for record in listing.records
    ]
    head = "| " + " | ".join(_cell(f) for f in listing.fields) + " |\n"
    env.stdout.write(head + "|" + "|".join(" --- " for _ in listing.fields) + "|\n")
    env.stdout.write("".join(rows))
