"""How a listing's columns share a terminal's width: which are shown, and how wide.

The rules, as kubectl's and gh's tables keep them:

- one line a row: nothing wraps (except with `--wide`, where free text does);
- identifiers and vocabulary values (ids, kinds, codes, numbers, field paths) are shown
  whole; names and lists of values may be cut at the end with "…", never broken;
- free text (titles, flows, messages) takes the width that is left, cut with "…";
- columns come in by importance: the ones a reader needs (ranks 0 to 2: the id, what
  the row is about, its title, its evidence) while the others keep their floor; the
  extras (kind, sectors, codes) only while the more important ones keep a comfortable
  width, so titles get the width before kinds and sectors do; the rest are left out
  whole, and the caller says which;
- when even the columns a row is about (`essential`) do not fit at their floors, the
  layout says so (`Layout.fits`) and the caller prints the records as blocks instead.

Pure arithmetic over cell widths, without Rich, so the rules can be read and tested alone.
"""

from collections.abc import Mapping, Sequence
from typing import NamedTuple

#: Cells between two columns (no box: a box costs three a column, 15 at 80 columns).
GAP = 2
#: (floor, comfort) by what a column holds: narrower than its floor a column says too
#: little to be shown at all; a column that matters less comes in only while this one
#: can still have its comfortable width.
_TEXT = (30, 50)  # a title: its first 30 characters at 80 columns, 50 at 120
_NAME = (14, 16)
_LIST = (20, 20)
#: The text a row is about (a flow, a problem): it needs more to say anything.
_ROW_TEXT = (30, 34)
#: When the row's only free text would not fit at its floor, it goes down to this.
TEXT_LAST_RESORT = 8
#: Columns of a rank above this come in only while the more important ones keep their
#: comfortable width (extras); up to it, while those keep their floor.
NEEDED = 2

# What a column holds decides how it may shrink.
TOKEN = "token"  # an id, a vocabulary value, a code or a number: whole
NAME = "name"  # a party's name: whole if it can be, else cut to NAME_FLOOR
LIST = "list"  # values joined with "; ": cut between values; --wide wraps between them
TEXT = "text"  # free text: takes what is left; --wide wraps it

_ROLES: Mapping[str, str] = {
    **dict.fromkeys(
        (
            "title",
            "what",
            "summary",
            "benefits",
            "flows",
            "source",
            "message",
            "label",
            "old",
            "new",
        ),
        TEXT,
    ),
    **dict.fromkeys(("sectors", "parties"), LIST),
    **dict.fromkeys(("from", "to"), NAME),
}

#: How long a column stays as the terminal narrows: 0 stays longest. Ties leave from the
#: right. What a row is about and the id to copy stay; then what says most per cell.
_RANKS: Mapping[str, int] = {
    **dict.fromkeys(("id", "from", "to", "what", "file", "line", "message", "change", "field"), 0),
    **dict.fromkeys(("old", "new"), 0),
    **dict.fromkeys(("title", "program", "column", "path"), 1),
    **dict.fromkeys(("evidence", "severity", "count", "facet", "value"), 2),
    **dict.fromkeys(("kind", "score", "from_country", "to_country", "recurrence"), 3),
    **dict.fromkeys(("sectors", "parties"), 4),
}
_OTHER_RANK = 5


def role(field: str) -> str:
    return _ROLES.get(field, TOKEN if field in _RANKS else TEXT)


class Column(NamedTuple):
    field: str
    natural: int  # the widest cell, header included, in terminal cells
    widest_item: int = 0  # for a LIST: its widest single value (with its "; ")

    @property
    def role(self) -> str:
        return role(self.field)

    @property
    def rank(self) -> int:
        return _RANKS.get(self.field, _OTHER_RANK)

    def _bounds(self) -> tuple[int, int]:
        if self.role == TOKEN:
            return self.natural, self.natural
        if self.role == TEXT:
            least, comfort = _ROW_TEXT if self.rank == 0 else _TEXT
        else:
            least, comfort = _NAME if self.role == NAME else _LIST
        header = len(self.field)
        return min(self.natural, max(least, header)), min(self.natural, max(comfort, header))

    def floor(self, last_resort: bool = False) -> int:
        """The narrowest this column is shown."""
        if last_resort and self.role == TEXT:
            return min(self.natural, max(TEXT_LAST_RESORT, len(self.field)))
        return self._bounds()[0]

    def least(self) -> int:
        """The narrowest at which an essential column still says enough for a table
        (else blocks): free text two thirds of its floor, anything else its floor."""
        if self.role == TEXT:
            return min(self.natural, max(self.floor() * 2 // 3, len(self.field)))
        return self.floor()

    def comfort(self) -> int:
        """The width it keeps before a less important column comes in."""
        return self._bounds()[1]

    def wide_floor(self) -> int:
        """The narrowest with `--wide`, where only free text and lists wrap."""
        if self.role == TEXT:
            return self.floor()
        if self.role == LIST:
            return max(self.widest_item, len(self.field))
        return self.natural


class Layout(NamedTuple):
    widths: dict[str, int]  # the columns shown, in the listing's order
    hidden: tuple[str, ...]  # the columns left out, in the listing's order
    fits: bool = True  # every essential column shown, at its floor or wider

    @property
    def width(self) -> int:
        return sum(self.widths.values()) + GAP * max(len(self.widths) - 1, 0)


def _room(columns: Sequence[object], width: int) -> int:
    return width - GAP * max(len(columns) - 1, 0)


def fit(columns: Sequence[Column], width: int) -> Layout:
    """One line a row within `width` cells.

    Columns come in by importance (rank, then from the left), each while it fits at its
    floor beside the more important ones at their comfortable widths; the first that
    does not, and every one after it, is left out. The row's only free text comes in at
    a last-resort width rather than not at all. Then each shown column grows to its
    comfortable width, most important first, and the room left is shared in proportion
    to what each still lacks. When even the most important column is too wide, it is cut.
    """
    order = sorted(columns, key=lambda c: (c.rank, columns.index(c)))
    shown: list[Column] = []
    for column in order:
        last_resort = column.role == TEXT and not any(c.role == TEXT for c in shown)
        if column.rank > NEEDED:
            need = sum(c.comfort() for c in shown) + column.floor(last_resort)
        else:
            need = sum(c.floor() for c in shown) + column.floor(last_resort)
        if shown and need > _room([*shown, column], width):
            break
        shown.append(column)
    shown.sort(key=columns.index)
    room = _room(shown, width)
    widths = {c.field: c.floor() for c in shown}
    if sum(widths.values()) > room:
        widths = {c.field: c.floor(last_resort=True) for c in shown}
    if sum(widths.values()) > room:  # even what matters most is too wide: cut it too
        widths = _squeeze(widths, room)
    else:
        for column in sorted(shown, key=lambda c: (c.rank, columns.index(c))):
            spare = room - sum(widths.values())
            field = column.field
            widths[field] = max(widths[field], min(column.comfort(), widths[field] + spare))
        widths = grow(shown, widths, room)
    hidden = tuple(c.field for c in columns if c.field not in widths)
    fits = all(widths.get(c.field, 0) >= c.least() for c in essential(columns))
    return Layout(widths, hidden, fits)


def essential(columns: Sequence[Column]) -> list[Column]:
    """What a row is about, which a table must show or give way to blocks: the columns
    of rank 0 (an id, a flow's parties and what flows, a change's values), and when none
    of them is free text, the first text column (a program's title)."""
    found = [c for c in columns if c.rank == 0]
    if not any(c.role == TEXT for c in found):
        found += [c for c in columns if c.role == TEXT][:1]
    return found


def fit_wide(columns: Sequence[Column], width: int) -> Layout:
    """Every column; identifiers, names and values whole, free text and lists wrapped.
    When the whole values alone need more than `width`, it does not fit (the caller
    prints blocks, psql's `\\x auto`)."""
    widths = {c.field: c.wide_floor() for c in columns}
    room = _room(columns, width)
    return Layout(grow(columns, widths, room), (), sum(widths.values()) <= room)


def grow(columns: Sequence[Column], widths: dict[str, int], room: int) -> dict[str, int]:
    """Share `room - sum(widths)` among the columns below their natural width, in
    proportion to what each lacks (largest remainders first)."""
    spare = room - sum(widths.values())
    lacking = {
        c.field: c.natural - widths[c.field] for c in columns if c.natural > widths[c.field]
    }
    total = sum(lacking.values())
    if spare <= 0 or not total:
        return widths
    if spare >= total:
        return {field: w + lacking.get(field, 0) for field, w in widths.items()}
    shares = {field: spare * lack / total for field, lack in lacking.items()}
    given = {field: int(share) for field, share in shares.items()}
    left = spare - sum(given.values())
    for field in sorted(shares, key=lambda f: shares[f] - given[f], reverse=True)[:left]:
        given[field] += 1
    return {field: w + given.get(field, 0) for field, w in widths.items()}


def _squeeze(widths: dict[str, int], room: int) -> dict[str, int]:
    """The widest columns cut down to one level, the highest at which all fit `room`
    (each keeps at least one cell)."""
    low, high = 1, max(widths.values(), default=1)
    while low < high:
        level = (low + high + 1) // 2
        if sum(min(w, level) for w in widths.values()) <= room:
            low = level
        else:
            high = level - 1
    return {field: min(w, low) for field, w in widths.items()}
