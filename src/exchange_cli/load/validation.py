"""Parsed catalogue data checked against the declaration (`model`, read through `fields`):
every problem with its field path and position, in memory and time that stay small
whatever the file holds.

The loader hands records over one at a time, each with the positions of its values
(`Marks`); `Report` keeps the first problems whole and only counts the rest, and builds
no message it will not show.
"""

from collections.abc import Callable, Mapping
from typing import Any

from exchange_cli.errors import Problem
from exchange_cli.model import vocab
from exchange_cli.model.fields import (
    INVALID,
    SLUG,
    Invalid,
    ListOf,
    Nested,
    Path,
    describe,
    fields_of,
)
from exchange_cli.model.records import Flow, Program
from exchange_cli.model.vocab import excerpt

Mark = tuple[int, int]
#: Problems of each severity kept whole; beyond this they are only counted.
LIMIT = 100


def format_path(path: Path) -> str:
    """`("programs", 3, "sectors", 1)` → `programs[3].sectors[1]`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _line_column(mark: Any) -> tuple[int, int]:
    """Marks are kept as the parser made them (PyYAML's objects) until a problem needs
    its position; a (line, column) pair passes through."""
    if type(mark) is tuple:
        return mark
    return (mark.line + 1, mark.column + 1)


class Marks:
    """Where values start (line, column): by path, and for mapping keys by the path of
    the value they name. A path not recorded falls back to its nearest recorded parent."""

    __slots__ = ("values", "keys", "offset")

    def __init__(
        self,
        values: Mapping[Path, Any] | None = None,
        keys: Mapping[Path, Any] | None = None,
    ) -> None:
        self.values: Mapping[Path, Any] = values if values is not None else {}
        self.keys: Mapping[Path, Any] = keys if keys is not None else {}

    def locate(self, path: Path, at_key: bool = False) -> tuple[int | None, int | None]:
        if at_key and path in self.keys:
            return _line_column(self.keys[path])
        while path:
            if path in self.values:
                return _line_column(self.values[path])
            path = path[:-1]
        found = self.values.get(())
        return (None, None) if found is None else _line_column(found)


class Report:
    """The problems of one file: the first `limit` errors and warnings kept whole (with
    their positions), the rest counted."""

    __slots__ = ("name", "limit", "kept", "errors", "warnings", "marks")

    def __init__(self, name: str, limit: int = LIMIT) -> None:
        self.name = name
        self.limit = limit
        self.kept: list[Problem] = []
        self.errors = 0
        self.warnings = 0
        self.marks = Marks()  # of the record being checked; the loader sets them

    def error(self, path: Path, message: str | Callable[[], str], *, at_key: bool = False) -> None:
        self.errors += 1
        if self.errors <= self.limit:
            self._keep("error", path, message, at_key)

    def warn(self, path: Path, message: str) -> None:
        self.warnings += 1
        if self.warnings <= self.limit:
            self._keep("warning", path, message, False)

    def at(self, line: int | None, column: int | None, message: str, path: Path = ()) -> None:
        """An error found at a known place (by the reader: YAML, JSON, encoding)."""
        self.errors += 1
        if self.errors <= self.limit:
            self.kept.append(Problem(self.name, line, column, format_path(path), message))

    def warn_at(self, line: int | None, column: int | None, message: str, path: Path) -> None:
        """A warning found at a known place (across records: look-alike actors)."""
        self.warnings += 1
        if self.warnings <= self.limit:
            problem = Problem(self.name, line, column, format_path(path), message, "warning")
            self.kept.append(problem)

    def fatal(self, line: int | None, column: int | None, message: str) -> None:
        """The file is not a document we read (bad YAML, a forbidden tag): that one
        problem stands alone, as what was read before it cannot be trusted."""
        self.kept.clear()
        self.errors = self.warnings = 0
        self.at(line, column, message)

    def _keep(
        self, severity: str, path: Path, message: str | Callable[[], str], at_key: bool
    ) -> None:
        text = message if isinstance(message, str) else message()
        line, column = self.marks.locate(path, at_key)
        self.kept.append(Problem(self.name, line, column, format_path(path), text, severity))

    def problems(self) -> list[Problem]:
        """The kept problems in file order."""
        return sorted(self.kept, key=lambda p: (p.line or 0, p.column or 0))

    @property
    def dropped(self) -> int:
        return self.errors + self.warnings - len(self.kept)


# -- the walk ------------------------------------------------------------------------------


def check_record(
    record: type, value: Any, at: Path, report: Report, noun: str, *, lint: bool = True
) -> Any:
    """A record built from parsed data, or `INVALID` once its problems are reported."""
    if type(value) is not dict:
        report.error(at, f"expected {noun} (a mapping), got {describe(value)}")
        return INVALID
    declared = fields_of(record)
    ok = True
    if len(value) > len(declared) or any(key not in _KEYS[record] for key in value):
        for key in value:
            if key not in _KEYS[record]:
                report.error((*at, key), _unknown_field(key, record, noun), at_key=True)
                ok = False
    values = {}
    for field in declared:
        if field.key not in value:
            if field.spec.required:
                report.error(at, f"missing required field '{field.key}'")
                ok = False
            continue
        checked = _check_value(field.spec, value[field.key], (*at, field.key), report, lint)
        if checked is INVALID:
            ok = False
        else:
            values[field.attribute] = checked
    for rule in RULES.get(record, ()):
        ok = rule(value, at, report) and ok
    if not ok:
        return INVALID
    built = record(**values)
    if lint:
        for lint_rule in LINTS.get(record, ()):
            lint_rule(built, at, report)
    return built


def _check_value(spec: Any, value: Any, at: Path, report: Report, lint: bool) -> Any:
    if isinstance(spec, ListOf):
        return _check_list(spec, value, at, report, lint)
    if isinstance(spec, Nested):
        return check_record(spec.record, value, at, report, spec.noun, lint=lint)
    checked = spec.check(value)
    if type(checked) is Invalid:
        report.error(at, checked._message)
        return INVALID
    return checked


def _check_list(spec: ListOf, value: Any, at: Path, report: Report, lint: bool) -> Any:
    singular, plural = spec.noun
    if value is None and spec.nullable:
        return ()  # an optional list written as null: none
    if type(value) is not list or len(value) < spec.min_items:
        some = "one or more " if spec.min_items else ""
        got = "an empty list" if value == [] else describe(value)
        report.error(at, f"expected a list of {some}{plural}, got {got}")
        return INVALID
    if spec.max_items is not None and len(value) > spec.max_items:
        report.error(at, f"at most {spec.max_items} {plural}, got {len(value):,}")
        return INVALID
    items = [_check_value(spec.item, item, (*at, i), report, lint) for i, item in enumerate(value)]
    ok = INVALID not in items
    if spec.unique_by is not None:
        seen: set[Any] = set()
        for i, item in enumerate(value):
            key = item if spec.unique_by == "" else _get(item, spec.unique_by)
            if type(key) is not str:
                continue
            if key in seen:
                where = (*at, i) if spec.unique_by == "" else (*at, i, spec.unique_by)
                report.error(where, f"{singular} '{excerpt(key)}' is listed twice")
                ok = False
            seen.add(key)
    return tuple(items) if ok else INVALID


def _get(item: Any, key: str) -> Any:
    return item.get(key) if type(item) is dict else None


def _unknown_field(key: str, record: type, noun: str) -> Callable[[], str]:
    def message() -> str:
        import difflib

        keys = [f.key for f in fields_of(record)]
        close = difflib.get_close_matches(key, keys, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown field '{excerpt(key)}'{hint}; the fields of {noun} are: {', '.join(keys)}"

    return message


class _KeySets(dict[type, frozenset[str]]):
    def __missing__(self, record: type) -> frozenset[str]:
        keys = self[record] = frozenset(f.key for f in fields_of(record))
        return keys


_KEYS = _KeySets()


# -- rules across fields, and warnings -----------------------------------------------------

Rule = Callable[[dict[str, Any], Path, Report], bool]


def _flow_between_two_parties(raw: dict[str, Any], at: Path, report: Report) -> bool:
    giver, receiver = raw.get("from"), raw.get("to")
    if type(giver) is str and giver == receiver:
        report.error((*at, "to"), "a flow must go from one party to another")
        return False
    return True


def _flows_name_parties(raw: dict[str, Any], at: Path, report: Report) -> bool:
    """Every flow's ends are names of this program's parties; checked against every party
    that has a name, even one with other problems, so one run reports everything."""
    parties, flows = raw.get("parties"), raw.get("flows")
    if type(parties) is not list or type(flows) is not list:
        return True
    names = {p["name"] for p in parties if type(p) is dict and type(p.get("name")) is str}
    listed = ", ".join(excerpt(name) for name in sorted(names)) or "none named"
    ok = True
    for i, flow in enumerate(flows):
        if type(flow) is not dict:
            continue
        for end in ("from", "to"):
            name = flow.get(end)
            if type(name) is str and name.strip() and name not in names:
                report.error(
                    (*at, "flows", i, end),
                    f"'{excerpt(name)}' is not a party of this program (parties: {listed})",
                )
                ok = False
    return ok


RULES: dict[type, tuple[Rule, ...]] = {
    Flow: (_flow_between_two_parties,),
    Program: (_flows_name_parties,),
}


def _lint_program(program: Program, at: Path, report: Report) -> None:
    """Legal, but probably a mistake."""
    if not program.flows:
        report.warn((*at, "flows"), "no flows: say what each party gives or teaches the other")
    for i, party in enumerate(program.parties):
        if party.type == "country" and party.country is None:
            report.warn(
                (*at, "parties", i, "country"),
                f"country party '{excerpt(party.name)}' has no ISO code",
            )
    if vocab.normalize(program.summary).strip(".") == vocab.normalize(program.title).strip("."):
        report.warn((*at, "summary"), "the summary only repeats the title")
    _lint_invisible(program.to_dict(), at, report)


def _lint_invisible(value: Any, at: Path, report: Report) -> None:
    """Default-ignorable characters (zero-width spaces and joiners, U+FEFF, soft hyphens,
    variation selectors) print as nothing: two values that differ would look the same.
    Each string holding one gets a warning naming the first and its code point."""
    if isinstance(value, str):
        found = vocab.invisible_character(value)
        if found is not None:
            import unicodedata

            name = unicodedata.name(found, "an unnamed character")
            report.warn(
                at,
                f"holds U+{ord(found):04X} {name}, which prints as nothing (shown as "
                f"{vocab.visible(found)}): remove it unless it is meant",
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _lint_invisible(item, (*at, key), report)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _lint_invisible(item, (*at, index), report)


LINTS: dict[type, tuple[Callable[[Any, Path, Report], None], ...]] = {Program: (_lint_program,)}


def claim_id(raw: Any, index: int, first: dict[str, int], report: Report) -> bool:
    """Ids and aliases are one namespace, unique across the catalogue (an old id must
    name one program): False (and a problem) for a name already taken."""
    program_id = raw.get("id") if type(raw) is dict else None
    unique = True
    if type(program_id) is str and SLUG.match(program_id):
        if program_id in first:
            report.error(
                ("programs", index, "id"),
                f"duplicate id '{program_id}' (already used by programs[{first[program_id]}])",
            )
            unique = False
        else:
            first[program_id] = index
    aliases = raw.get("aliases") if type(raw) is dict else None
    if type(aliases) is not list:
        return unique  # none, or its own problem is reported by the record check
    for number, alias in enumerate(aliases):
        if type(alias) is not str or not SLUG.match(alias):
            continue
        if alias not in first:
            first[alias] = index
            continue
        owner = first[alias]
        if owner != index:  # (a repeat within the list is the list's own problem)
            report.error(
                ("programs", index, "aliases", number),
                f"alias '{alias}' is already used by programs[{owner}]",
            )
            unique = False
        elif alias == program_id:
            report.error(("programs", index, "aliases", number), "an alias repeats the id")
            unique = False
    return unique


def names_taken(program: Any, first: "dict[str, int] | Any") -> bool:
    """Whether any of a checked program's names (its id, its aliases) is already taken,
    or one of them repeats another: then the full walk says which (`claim_id`)."""
    names = (program.id, *program.aliases)
    if len(set(names)) != len(names):
        return True
    return any(name in first for name in names)


# -- actors across records: one id, one actor -----------------------------------------------

#: Where a party was first seen: (line, column, path).
Seen = tuple[int | None, int | None, Path]


class Actors:
    """The parties of one file as actors (`identity`): parties sharing an id must agree
    on type and country (errors, as records arrive); names that look like one actor but
    are two, and one actor written two ways, are warnings at the end (`validate`)."""

    __slots__ = ("kinds", "names", "looks")

    def __init__(self) -> None:
        self.kinds: dict[str, tuple[str, str | None, Path]] = {}  # id → type, country, where
        self.names: dict[str, dict[str, Seen]] = {}  # actor → its spellings, first seen
        self.looks: dict[str, dict[str, tuple[str, Seen]]] = {}  # look-alike → actors

    def conflicts(self, program: Program, index: int) -> list[tuple[Path, str]]:
        """Problems of this program's party ids against the earlier ones (cheap: most
        parties have no id)."""
        found: list[tuple[Path, str]] = []
        mine: set[str] = set()
        for j, party in enumerate(program.parties):
            if party.id is None:
                continue
            at: Path = ("programs", index, "parties", j)
            if party.id in mine:
                found.append(((*at, "id"), f"party id '{party.id}' is listed twice"))
            mine.add(party.id)
            first = self.first_use(party.id, (party.type, party.country, at))
            for field, value, theirs in (
                ("type", party.type, first[0]),
                ("country", party.country, first[1]),
            ):
                if value != theirs:
                    shown = "null" if theirs is None else f"'{theirs}'"
                    found.append(
                        (
                            (*at, field),
                            f"party id '{party.id}' has {field} {shown} at "
                            f"{format_path(first[2])}; parties sharing an id are one actor "
                            "and must agree",
                        )
                    )
        return found

    def first_use(
        self, party_id: str, this: tuple[str, str | None, Path]
    ) -> tuple[str, str | None, Path]:
        """The type, country and place of the first party with this id: `this` one, when
        it is the first (a streamed first load asks its store: `streaming.StoredActors`)."""
        return self.kinds.setdefault(party_id, this)

    def handed_on(self) -> None:
        """The program just checked went to the store (a streamed first load)."""

    def note(self, program: Program, index: int, report: Report) -> None:
        """Remember where each actor's spellings first appear (for `warnings`)."""
        from exchange_cli.model.identity import actor_key, lookalike

        for j, party in enumerate(program.parties):
            at: Path = ("programs", index, "parties", j, "name")
            actor = actor_key(party)
            spellings = self.names.setdefault(actor, {})
            if party.name in spellings:
                continue
            seen = (*report.marks.locate(at), at)
            spellings[party.name] = seen
            for look in {lookalike(party.name), lookalike(party.id or party.name)}:
                self.looks.setdefault(look, {}).setdefault(actor, (party.name, seen))

    def warnings(self, report: Report) -> None:
        for actor, spellings in self.names.items():
            (first, (line, _, _)), *others = spellings.items()
            for name, (at_line, at_column, path) in others:
                what = f"id '{actor[1:]}'" if actor.startswith("#") else "name"
                report.warn_at(
                    at_line,
                    at_column,
                    f"'{excerpt(name)}' and '{excerpt(first)}' (line {line}) are one actor "
                    f"(same {what}) written two ways; give it one display name",
                    path,
                )
        for actors in self.looks.values():
            if len(actors) < 2 or all(actor.startswith("#") for actor in actors):
                continue  # one actor; or distinct ids, which say they are different
            (_, (first, (line, _, _))), *rest = actors.items()
            for _, (name, (at_line, at_column, path)) in rest:
                report.warn_at(
                    at_line,
                    at_column,
                    f"'{excerpt(name)}' looks like '{excerpt(first)}' (line {line}) but they "
                    "are two actors; give both the same party id if they are one, or "
                    "different ids if they are not",
                    path,
                )
