"""`exchange validate`'s work: check each file, keep going after one that cannot be
read, and say on stderr how each one fared."""

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from exchange_cli.errors import STDIN, CatalogueError, Problem, UsageError, display_name
from exchange_cli.load.loader import check_catalogue
from exchange_cli.render.terminal import Environment


class Checked(NamedTuple):
    problems: list[Problem]  # those kept, file by file
    errors: int  # every error found, kept or not
    dropped: int  # problems found but not kept (beyond the limit per file)
    unreadable: bool  # some file could not be read at all


def check_files(paths: Sequence[Path | None], env: Environment) -> Checked:
    if sum(str(path) == STDIN for path in paths) > 1:
        raise UsageError("'-' (standard input) can be given once: it can be read only once")
    problems: list[Problem] = []
    errors = dropped = 0
    unreadable = False
    for path in paths:
        name = display_name(path) if path is not None else "the shipped catalogue"
        try:
            catalogue, report = check_catalogue(path)
        except CatalogueError as exc:  # cannot be read at all: report it and go on
            problems.extend(exc.problems)
            errors += len(exc.problems)
            unreadable = True
            env.note(
                f"{name}: failed: {_count(len(exc.problems), 'error')}, 0 warnings (not loaded)"
            )
            continue
        problems.extend(report.problems())
        errors += report.errors
        dropped += report.dropped
        status = "ok" if report.errors == 0 else "failed"
        loaded = _count(len(catalogue), "program") if catalogue is not None else "not loaded"
        more = f"; {report.dropped:,} more not listed" if report.dropped else ""
        env.note(
            f"{name}: {status}: {_count(report.errors, 'error')}, "
            f"{_count(report.warnings, 'warning')} ({loaded}){more}"
        )
    return Checked(problems, errors, dropped, unreadable)


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}{'s' * (number != 1)}"
