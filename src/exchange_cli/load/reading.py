"""Catalogue text → checked programs, one record at a time, for YAML (`safeyaml`) and
JSON (`safejson`): the loop both formats share (`Programs.take`), where a record that is
exactly right takes the compiled check (`fastcheck`) and any other goes through the full
walk (`validation`) with its positions. Imported only when a file is parsed.

The programs are kept in a list (`read_text`), or handed one by one to a sink, the
store's tables, as the text arrives in pieces (`read_stream`: a first load, which then
holds a piece of the file and the store's batch, not the catalogue). Both report the
same problems in the same words and places: ids already used are asked of the sink.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from exchange_cli.model.outputs import ADDED_TO_RECORDS

if TYPE_CHECKING:  # (defined for the type checker alone: no run pays for them)
    from typing import Protocol

    from exchange_cli.load.safeyaml import Pieces
    from exchange_cli.load.streaming import FileText
    from exchange_cli.load.validation import Actors, Marks, Report
    from exchange_cli.model.records import Program

    class Sink(Protocol):
        """Where `read_stream` hands checked programs, in file order (`store.build.Sink`):
        it can say where a program of a given id went, and the first party of an id."""

        def add(self, position: int, program: Program) -> None: ...

        def position_of(self, program_id: str) -> int | None: ...

        def first_party(self, party_id: str) -> tuple[str, str | None, int, int] | None: ...


def read_text(text: str, name: str, form: str, *, lint: bool) -> tuple[list[Program], Report]:
    """The programs (complete only when the report has no error) and the report."""
    from exchange_cli.load.validation import Report

    report = Report(name)
    programs = Programs(report, lint)
    if form in ("json", "jsonl"):
        _read_json(text, report, programs, form == "jsonl")
    else:
        _read_yaml(text, report, programs)
    programs.finish()
    return programs.found, report


def read_stream(
    text: FileText, name: str, form: str, sink: Sink, used: dict[str, int], actors: Actors
) -> Report:
    """Check a catalogue as its text arrives, handing each program to `sink` until the
    first error; `used` holds the ids already used and `actors` the party ids, and both
    ask the sink about the programs it was handed (`streaming.Claims`, `StoredActors`).
    The report is `read_text`'s for the whole text. The file is read to its end, even
    past a fatal error: a byte that is not UTF-8 anywhere is the one problem reported,
    as when the file is decoded whole first."""
    from exchange_cli.load.validation import Report

    report = Report(name)
    programs = Programs(report, False, sink, used, actors)
    if form in ("json", "jsonl"):
        pieces = text.pieces()

        def more() -> str:
            return next(pieces, "")

        _read_json(more(), report, programs, form == "jsonl", more)
    else:
        _read_yaml(text, report, programs)
    programs.finish()
    text.drain()
    return report


class Programs:
    """Checked programs, in file order, taken one record at a time. A record that is
    exactly right is built by the compiled check (`fastcheck`); anything else, and every
    record when warnings are wanted, goes through the full walk, with its positions.
    They are kept in `found`, or handed to a sink as they come."""

    __slots__ = ("report", "lint", "found", "first_ids", "fast", "actors", "sink", "ignored")

    def __init__(
        self,
        report: Report,
        lint: bool,
        sink: Sink | None = None,
        used: dict[str, int] | None = None,
        actors: Actors | None = None,
    ) -> None:
        from exchange_cli.load.fastcheck import fast_checker
        from exchange_cli.load.validation import Actors
        from exchange_cli.model.records import Program

        self.report, self.lint, self.sink = report, lint, sink
        self.found: list[Program] = []
        self.first_ids: dict[str, int] = {} if used is None else used
        self.fast = None if lint else fast_checker(Program)
        self.actors = Actors() if actors is None else actors
        self.ignored: set[str] = set()  # output keys already warned about

    def _keep(self, program: Program, index: int) -> None:
        """A program with no problem, in a catalogue with none so far."""
        if self.sink is None:
            self.found.append(program)
            for name in (program.id, *program.aliases):
                self.first_ids[name] = index
        else:
            self.sink.add(index, program)
            for name in (program.id, *program.aliases):
                self.first_ids.pop(name, None)  # the sink answers for it now
            self.actors.handed_on()

    def take(self, raw: Any, index: int, marks: Callable[[], Marks], slow: bool = False) -> None:
        from exchange_cli.load.validation import Marks, check_record, claim_id, names_taken
        from exchange_cli.model.fields import INVALID
        from exchange_cli.model.records import Program

        report = self.report
        if type(raw) is dict and any(key in raw for key in ADDED_TO_RECORDS):
            raw = self._without_output_keys(raw, index)
        program = self.fast(raw) if self.fast is not None and not slow else None
        if program is not None and not names_taken(program, self.first_ids):
            conflicts = self.actors.conflicts(program, index)
            if not conflicts and not report.errors:
                self._keep(program, index)
                return
            for name in (program.id, *program.aliases):
                self.first_ids[name] = index
            if not conflicts:
                return
            report.marks = marks()
            for path, message in conflicts:
                report.error(path, message)
            report.marks = Marks()
            return
        report.marks = marks()
        unique = claim_id(raw, index, self.first_ids, report)
        program = check_record(
            Program, raw, ("programs", index), report, "a program", lint=self.lint
        )
        if program is not INVALID:
            for path, message in self.actors.conflicts(program, index):
                report.error(path, message)
            if self.lint:
                self.actors.note(program, index, report)
        if program is not INVALID and unique and not report.errors:
            self._keep(program, index)
        report.marks = Marks()

    def _without_output_keys(self, raw: dict[str, Any], index: int) -> dict[str, Any]:
        """The record without the keys our own output adds (`outputs.ADDED_TO_RECORDS`):
        a search's or a show's JSON is a catalogue again."""
        for key in ADDED_TO_RECORDS:
            if key in raw and self.lint and key not in self.ignored:
                self.ignored.add(key)
                self.report.warn(
                    ("programs", index, key),
                    f"'{key}' is what exchange's output adds to a program, not a field: "
                    "ignored here and in every program after",
                )
        return {key: value for key, value in raw.items() if key not in ADDED_TO_RECORDS}

    def finish(self) -> None:
        """What only the whole file shows: actors that look alike (warnings)."""
        if self.lint:
            self.actors.warnings(self.report)


def _read_yaml(text: str | Pieces, report: Report, programs: Programs) -> None:
    from exchange_cli.load.safeyaml import Reader, YamlError

    def duplicate(path: tuple[str | int, ...], mark: tuple[int, int], message: str) -> None:
        report.at(*mark, message, path)

    with Reader(text, duplicate) as reader:
        try:
            reader.begin()
            _read_document(reader, report, programs)
            reader.end()
        except YamlError as exc:
            report.fatal(exc.line, exc.column, exc.message)


def _read_json(
    text: str,
    report: Report,
    programs: Programs,
    lines: bool,
    more: Callable[[], str] | None = None,
) -> None:
    """A JSON document or JSON Lines, record by record; a record's positions are worked
    out only when it has a problem (and only while problems are still being kept). With
    `more`, `text` is the first piece of the text and `more()` gives the next."""
    from exchange_cli.load.safejson import JsonError, Reader
    from exchange_cli.load.validation import Marks

    def problem(line: int, column: int, message: str, path: tuple[str | int, ...]) -> None:
        report.at(line, column, message, ("programs", *path) if lines else path)

    reader = Reader(text, problem, lines=lines, more=more)
    try:
        for index, raw, start, end in reader.records():
            at = ("programs", index)
            surrogate = reader.lone_surrogate(start, end)
            if surrogate is not None:
                message = "a lone surrogate escape (\\ud800 to \\udfff) is not a character"
                report.at(*surrogate, message, at)
                continue
            found: list[Marks] = []

            def marks(
                start: int = start,
                end: int = end,
                at: tuple[str | int, ...] = at,
                found: list[Marks] = found,
            ) -> Marks:
                if not found:
                    if report.errors >= report.limit and report.warnings >= report.limit:
                        return Marks()  # nothing more is kept: no position is needed
                    found.append(Marks(*reader.record_marks(start, end, at)))
                return found[0]

            if reader.duplicated:  # each repeated key reported as the scan finds it
                reader.record_marks(start, end, at, positions=False, on_duplicate=report.at)
            programs.take(raw, index, marks, slow=reader.duplicated)
    except JsonError as exc:
        report.fatal(exc.line, exc.column, exc.message)


def _read_document(reader: Any, report: Report, programs: Programs) -> None:
    from exchange_cli.model.fields import describe
    from exchange_cli.model.vocab import excerpt

    line, column = reader.mark()
    kind = reader.kind()
    if kind == "sequence":  # the programs alone, as `list --format yaml` prints them
        _read_programs(reader, programs)
        return
    if kind == "mapping" and reader.first_key() == "id":  # one program, as `show` prints
        _read_program(reader, programs, 0)
        return
    if kind != "mapping":
        value = reader.read(()) if kind == "scalar" else reader.skip() or []
        report.at(
            line,
            column,
            "the top level must be a mapping with a 'programs' list, or a list of programs, "
            f"not {describe(value)}",
        )
        return
    found = False
    for key, key_mark in reader.entries(()):
        if key != "programs":
            unknown = f"unknown top-level key '{excerpt(key)}' (expected only 'programs')"
            report.at(key_mark[0], key_mark[1], unknown, (key,))
            reader.skip()
            continue
        found = True
        at_line, at_column = reader.mark()
        if reader.kind() != "sequence":
            value = (
                reader.read(("programs",)) if reader.kind() == "scalar" else reader.skip() or {}
            )
            got = f"expected a list of programs, got {describe(value)}"
            report.at(at_line, at_column, got, ("programs",))
            continue
        _read_programs(reader, programs)
    if not found:
        report.at(line, column, "missing the top-level 'programs' list")


def _read_programs(reader: Any, programs: Programs) -> None:
    for index in reader.items():
        _read_program(reader, programs, index)


def _read_program(reader: Any, programs: Programs, index: int) -> None:
    from exchange_cli.load.validation import Marks

    values: dict[tuple[str | int, ...], tuple[int, int]] = {}
    keys: dict[tuple[str | int, ...], tuple[int, int]] = {}
    raw = reader.read(("programs", index), values, keys)
    programs.take(raw, index, lambda: Marks(values, keys))
