"""The project's expected failures; `cli.main` maps each to its exit code in one place."""

from pathlib import Path
from typing import Any

#: What names standard input on the command line, and how messages name it.
STDIN, STDIN_NAME = "-", "<stdin>"


def display_name(path: Path | str) -> str:
    """How a catalogue is named in messages and output: `<stdin>` for `-`, and a name
    that is not UTF-8 with its odd bytes written `\\xNN` (it must print in every format,
    and the lone surrogates Python decodes such bytes into cannot)."""
    name = str(path)
    if name == STDIN:
        return STDIN_NAME
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class ExitCode:
    """Exit codes documented in the README and in `exchange --help` (plain ints: an
    IntEnum costs every run a few hundred microseconds to define)."""

    OK = 0
    NOT_FOUND = 1  # also: validation found problems
    USAGE = 2
    CATALOGUE = 3  # the catalogue cannot be read or is invalid
    OUTPUT = 4  # the output cannot be written (disk full, stdout closed)
    INTERRUPTED = 130  # 128 + SIGINT
    BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports it
    ALL = (OK, NOT_FOUND, USAGE, CATALOGUE, OUTPUT, INTERRUPTED, BROKEN_PIPE)


#: The exit codes as `--help` lists them (README's "Exit codes" has the long form).
EXIT_CODES_HELP = (
    "Exit codes: 0 success (an empty result is success) · 1 not found, validation found "
    "problems, or diff found changes · 2 usage error (also an id's start that several "
    "share) · 3 the catalogue cannot be read or is invalid · "
    "4 the output cannot be written · 130 interrupted · 141 output pipe closed early."
)


class Problem:
    """One thing wrong with a catalogue file, located as precisely as we can."""

    __slots__ = ("file", "line", "column", "path", "message", "severity")
    _fields = ("file", "line", "column", "path", "message", "severity")  # JSON keys, in order

    def __init__(
        self,
        file: str,
        line: int | None,
        column: int | None,
        path: str,
        message: str,
        severity: str = "error",
    ) -> None:
        self.file, self.line, self.column = file, line, column
        self.path, self.message, self.severity = path, message, severity

    def _asdict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._fields}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and self._asdict() == other._asdict()

    def __hash__(self) -> int:
        return hash(tuple(self._asdict().values()))

    def __repr__(self) -> str:
        return f"Problem({str(self)!r}, {self.severity})"

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        what = f"{self.path}: {self.message}" if self.path else self.message
        return f"{where}: {what}"


class ExchangeError(Exception):
    """Base of every expected failure; carries the exit code it maps to."""

    exit_code: int = ExitCode.NOT_FOUND


class UsageError(ExchangeError):
    """The command line asked for something that does not exist (exit 2)."""

    exit_code = ExitCode.USAGE


class NotFoundError(ExchangeError):
    """A lookup found nothing, e.g. an unknown program id (exit 1)."""

    exit_code = ExitCode.NOT_FOUND


class CatalogueError(ExchangeError):
    """The catalogue cannot be read or does not validate (exit 3).

    `problems` holds the problems kept (the first ones, in file order); `errors` counts
    every error found, so the message can say how many more there are.
    """

    exit_code = ExitCode.CATALOGUE

    def __init__(self, problems: list[Problem], *, errors: int | None = None) -> None:
        self.problems = problems
        self.errors = (
            errors if errors is not None else sum(p.severity == "error" for p in problems)
        )
        first = str(problems[0]) if problems else "invalid catalogue"
        more = self.errors - 1
        if more > 0:
            import shlex

            if problems and problems[0].file == STDIN_NAME:  # stdin is read once: say so
                rerun = "'exchange validate -' on the same input"
            else:
                where = f" {shlex.quote(problems[0].file)}" if problems else ""
                rerun = f"'exchange validate{where}'"
            first += f" (and {more:,} more; run {rerun} to list them)"
        super().__init__(first)


class OutputClosed(ExchangeError):
    """Whoever read our output went away (`exchange list | head -1`): stop quietly."""

    exit_code = ExitCode.BROKEN_PIPE


class OutputFailed(ExchangeError):
    """The output cannot take our data (disk full, closed, an I/O error): exit 4.
    `on_stdout` is False for the file named by `--output` (stdout itself is fine)."""

    exit_code = ExitCode.OUTPUT

    def __init__(self, message: str, *, on_stdout: bool = True) -> None:
        super().__init__(message)
        self.on_stdout = on_stdout


class Finished(ExchangeError):
    """The command has said what it had to (validate listed the problems); exit with this
    code and no further message."""

    def __init__(self, exit_code: int) -> None:
        super().__init__("")
        self.exit_code = exit_code


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while a file was being written: unwind (so the partial
    file is removed), then exit as the signal would, 128 + its number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
