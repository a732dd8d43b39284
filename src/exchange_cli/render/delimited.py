"""csv and tsv through the csv module (RFC 4180 quoting), safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from exchange_cli.render.results import Listing
from exchange_cli.render.text import cell_text, visible, visible_keep_lines
from exchange_cli.terminal import Environment

# OWASP CSV injection guidance: a cell starting with one of these is read as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse_formula(cell: str) -> str:
    """Prefix `'` to a cell a spreadsheet would evaluate as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _write(
    listing: Listing, env: Environment, delimiter: str, escape: Callable[[str], str]
) -> None:
    writer = csv.writer(
        env.stdout, delimiter=delimiter, lineterminator="\r\n" if delimiter == "," else "\n"
    )
    text = cell_text(listing)

    def cell(field: str, value: Any) -> str:
        shown = text(field, value)
        if not isinstance(value, int | float):  # counts are numbers, not formulas
            shown = defuse_formula(shown)
        return escape(shown)

    # Every row is made before the first is written: a record that cannot be read
    # (a damaged cache) stops the command before anything reaches stdout.
    rows = [
        [cell(field, record.get(field)) for field in listing.fields] for record in listing.records
    ]
    writer.writerow(listing.fields)
    writer.writerows(rows)


def render_csv(listing: Listing, env: Environment) -> None:
    _write(listing, env, ",", visible_keep_lines)


def render_tsv(listing: Listing, env: Environment) -> None:
    """Also the plain output when stdout is not a terminal: one line per record, so
    grep, cut and awk work (tabs and newlines inside values are shown as \\t and \\n)."""
    _write(listing, env, "\t", visible)
