"""csv and tsv, safe to open in a spreadsheet and to cut, grep and awk.

Escaping rules:
- csv: RFC 4180 through Python's csv module (quotes around a cell with a comma, quote or
  line break, quotes doubled). Tab, CR and LF stay inside the quotes; other control,
  separator and bidi characters become visible escapes (`render.text`).
- tsv: one line per row and one tab between cells, never quotes (a `"` is just a
  character). As in PostgreSQL's text format, a backslash is written `\\\\`, a tab `\\t`,
  a newline `\\n`, a carriage return `\\r`, and other control, separator and bidi
  characters `\\xNN` or `\\uNNNN`; so every cell reads back unambiguously. `show`'s
  text form is one `field<TAB>value` line a field, each value a tsv cell.
- both: a cell that a spreadsheet would run as a formula (starting with = + - @, tab or
  CR) gets a leading `'` (OWASP's guidance on CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from exchange_cli.render.results import Listing
from exchange_cli.render.terminal import Environment
from exchange_cli.render.text import cell_text, visible, visible_keep_lines

# OWASP CSV injection guidance: a cell starting with one of these is read as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse_formula(cell: str) -> str:
    """Prefix `'` to a cell a spreadsheet would evaluate as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _rows(listing: Listing, escape: Callable[[str], str]) -> list[list[str]]:
    """Every record's cells, escaped for the format and defused for spreadsheets.

    Every row is made before the first is written: a record that cannot be read (a
    damaged cache) stops the command before anything reaches stdout."""
    text = cell_text(listing)

    def cell(field: str, value: Any) -> str:
        shown = text(field, value)
        if not isinstance(value, int | float):  # counts are numbers, not formulas
            shown = defuse_formula(shown)
        return escape(shown)

    return [[cell(f, record.get(f)) for f in listing.fields] for record in listing.records]


def render_csv(listing: Listing, env: Environment) -> None:
    rows = _rows(listing, visible_keep_lines)
    writer = csv.writer(env.stdout, lineterminator="\r\n")
    writer.writerow(listing.fields)
    writer.writerows(rows)


def tsv_cell(text: str) -> str:
    """A tsv cell: backslashes doubled first, so every escape after them is unambiguous."""
    return visible(text.replace("\\", "\\\\"))


def render_fields(listing: Listing, env: Environment) -> None:
    """One record as `field<TAB>value` lines (as `gh issue view` prints when piped): the
    readable view of `show` for grep and less, each value a tsv cell."""
    rows = _rows(listing, tsv_cell)
    lines = [
        f"{tsv_cell(f)}\t{cell}"
        for row in rows
        for f, cell in zip(listing.fields, row, strict=True)
    ]
    env.stdout.write("".join(line + "\n" for line in lines))


def render_tsv(listing: Listing, env: Environment) -> None:
    """Also the plain output when stdout is not a terminal: one line per record, so
    grep, cut and awk work."""
    rows = _rows(listing, tsv_cell)
    lines = [[tsv_cell(f) for f in listing.fields], *rows]
    env.stdout.write("".join("\t".join(line) + "\n" for line in lines))
