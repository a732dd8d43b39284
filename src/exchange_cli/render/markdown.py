"""A GitHub-flavoured Markdown table.

Escaping rule: a cell shows its text literally in any CommonMark/GFM renderer. Control,
separator and bidi characters become visible escapes (`render.text`), then every ASCII
punctuation character is backslash-escaped (CommonMark allows it for all of them): so no
link, image, autolink, raw HTML, code span, emphasis, entity (`&amp;` shows as typed) or
cell break (`|`) can come from the data.
"""

from __future__ import annotations

import re

from exchange_cli.render.results import Listing
from exchange_cli.render.text import cell_text, visible
from exchange_cli.terminal import Environment

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def _cell(text: str) -> str:
    return _PUNCTUATION.sub(r"\\\1", visible(text))


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
