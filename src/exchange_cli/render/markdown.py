"""A GitHub-flavoured Markdown table."""

from __future__ import annotations

from exchange_cli.render.results import Listing
from exchange_cli.render.text import cell_text, visible
from exchange_cli.terminal import Environment


def _cell(text: str) -> str:
    # Backslashes escape and pipes end a cell; angle brackets would render as HTML.
    text = visible(text).replace("\\", "\\\\").replace("|", "\\|")
    return text.replace("<", "&lt;").replace(">", "&gt;")


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
