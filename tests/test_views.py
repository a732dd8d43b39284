"""Terminal views under a real pseudo-terminal, as a person sees them: sized by the
terminal (no COLUMNS), one line a row, identifiers whole, nothing wider than the
screen; and long views through the pager, as git and gh do."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import stat
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from rich.cells import cell_len

EXCHANGE = Path(sys.executable).parent / "exchange"
LONG = Path(__file__).parent / "fixtures" / "long.yaml"
SHIPPED = Path(__file__).resolve().parents[1] / "data" / "programs.yaml"
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def environ(**more: str) -> dict[str, str]:
    drop = {"COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "PAGER", "LESS"}
    base = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("EXCHANGE")}
    return {**base, "TERM": "xterm-256color", **more}


def on_terminal(
    *args: str,
    columns: int = 80,
    lines: int = 24,
    env: dict[str, str] | None = None,
    shell: str | None = None,
) -> tuple[int, str]:
    """Run the installed command on a pseudo-terminal of this size, which is its
    controlling terminal (as in a terminal window); return its exit code and screen text.
    With `shell`, bash runs that command line there instead (`exchange` is on PATH)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: size its terminal, then become exchange
        try:
            size = struct.pack("HHHH", lines, columns, 0, 0)
            fcntl.ioctl(1, termios.TIOCSWINSZ, size)  # the terminal, as stdout
            if shell is not None:
                path = f"{EXCHANGE.parent}:{os.environ.get('PATH', '')}"
                os.execve("/bin/bash", ["bash", "-c", shell], {**(env or environ()), "PATH": path})
            os.execve(str(EXCHANGE), [str(EXCHANGE), *args], env or environ())
        finally:
            os._exit(127)
    chunks = []
    while True:
        if not select.select([fd], [], [], 60)[0]:  # waiting on a key: a pager ran
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(fd)
            raise AssertionError(f"still running after 60 s: {args}: {b''.join(chunks)!r}")
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child is gone and the terminal closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode().replace("\r\n", "\n")


def rows_of(*args: str) -> list[dict[str, object]]:
    done = subprocess.run(
        [str(EXCHANGE), *args, "--format", "json"],
        capture_output=True,
        env=environ(),
        check=True,
    )
    return list(json.loads(done.stdout))


LISTINGS = [
    ("list", "--data", str(SHIPPED)),
    ("search", "technology", "--data", str(SHIPPED)),
    ("flows", "--data", str(SHIPPED)),
    ("flows", "--data", str(LONG)),
    ("list", "--data", str(LONG), "--fields", "id,title,parties,sectors,summary,source"),
]


@pytest.mark.parametrize("columns", [60, 80, 100])
@pytest.mark.parametrize("args", LISTINGS, ids=lambda a: " ".join(a[:2]))
def test_a_listing_is_a_line_a_row_with_identifiers_whole(
    args: tuple[str, ...], columns: int
) -> None:
    code, screen = on_terminal(*args, "--no-color", "--no-pager", columns=columns)
    assert code == 0, screen
    lines = screen.splitlines()
    assert "\x1b" not in screen
    assert max(cell_len(line) for line in lines) <= columns, screen
    rows = rows_of(*args)
    note = [line for line in lines if line.startswith("not shown: ")]
    assert len(lines) == 1 + len(rows) + len(note), screen  # a header, then a line a row
    assert len(note) <= 1
    header = lines[0].split()
    for field in ("id", "program"):
        if field not in header:
            continue
        for row, line in zip(rows, lines[1:], strict=False):
            assert str(row[field]) in line.split(), (field, row[field], line)  # whole
    for row, line in zip(rows, lines[1:], strict=False):
        for field in ("kind", "evidence"):
            if field in header:
                assert str(row[field]) in line.split(), (field, line)


def test_at_120_columns_the_list_shows_every_id_whole() -> None:
    code, screen = on_terminal("list", "--no-color", "--no-pager", columns=120)
    assert code == 0
    lines = screen.splitlines()
    ids = [str(row["id"]) for row in rows_of("list")]
    assert [line.split()[0] for line in lines[1 : 1 + len(ids)]] == ids
    assert max(cell_len(line) for line in lines) <= 120


def test_at_80_by_24_each_view_fits_the_screen() -> None:
    """list, search, flows, validate's table, summarize, show and the graph at 80x24:
    nothing wider than 80 columns, colour on, and no line ends in blanks."""
    views = [
        ("list",),
        ("search", "japan"),
        ("flows", "--to", "KSA"),
        ("validate", "--format", "table"),
        ("summarize", "--by", "country"),
        ("show", "saudi-korea-tech-exchange"),
        ("graph", "--country", "SA"),
    ]
    for args in views:
        code, screen = on_terminal(*args, "--no-pager")
        assert code == 0, (args, screen)
        plain = ESCAPES.sub("", screen)
        assert "\x1b[" in screen or args[0] == "validate", args  # colour on a terminal
        for line in plain.splitlines():
            assert cell_len(line) <= 80, (args, line)
            assert line == line.rstrip(), (args, line)


@pytest.mark.parametrize(("columns", "first"), [(80, 30), (120, 50)])
def test_every_title_can_be_read_at_80_and_120_columns(columns: int, first: int) -> None:
    """The first screen: every id whole and at least the first 30 characters of every
    title at 80 columns, 50 at 120 (titles get the width before kinds and sectors)."""
    code, screen = on_terminal("list", "--no-color", "--no-pager", columns=columns, lines=24)
    assert code == 0, screen
    for row in rows_of("list"):
        line = next(line for line in screen.splitlines() if line.startswith(f"{row['id']} "))
        assert str(row["title"])[:first] in line, (row["title"], line)
    assert max(cell_len(line) for line in screen.splitlines()) <= columns


def test_wide_on_a_narrow_terminal_prints_blocks_no_wider_than_it() -> None:
    """--wide wants every column; when they cannot fit, each record is a block of
    `field  value` lines with a blank line between records (psql's expanded view)."""
    code, screen = on_terminal("list", "--wide", "--no-color", "--no-pager", columns=80)
    assert code == 0, screen
    lines = screen.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    rows = rows_of("list")
    blocks = screen.strip("\n").split("\n\n")
    assert len(blocks) == len(rows)
    for row, block in zip(rows, blocks, strict=True):
        assert block.splitlines()[0].split() == ["id", str(row["id"])]
        assert [line.split()[0] for line in block.splitlines() if not line.startswith(" ")] == [
            "id", "title", "kind", "sectors", "evidence"
        ]  # fmt: skip


def test_wide_shows_every_column_and_wraps_only_free_text() -> None:
    code, screen = on_terminal("list", "--wide", "--no-color", "--no-pager", columns=200)
    assert code == 0
    lines = screen.splitlines()
    assert lines[0].split() == ["id", "title", "kind", "sectors", "evidence"]
    ids = {str(row["id"]) for row in rows_of("list")}
    kinds = {str(row["kind"]) for row in rows_of("list")}
    words = {word for line in lines for word in line.split()}
    assert ids <= words and kinds <= words  # every id and kind whole
    assert "not shown" not in screen


# -- the pager ------------------------------------------------------------------------------


@pytest.fixture
def pager(tmp_path: Path) -> tuple[Path, Path]:
    """A pager script that keeps what it was given (and its LESS), then exits 0."""
    kept, seen = tmp_path / "paged.txt", tmp_path / "less.txt"
    script = tmp_path / "pager"
    script.write_text(
        f'#!/bin/sh\nprintf "%s" "$LESS" > "{seen}"\ncat > "{kept}"\n', encoding="utf-8"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, kept


LONG_VIEW = ("show", "military-education-exchange", "--data", str(LONG))


def test_a_view_taller_than_the_screen_goes_through_the_pager(pager: tuple[Path, Path]) -> None:
    script, kept = pager
    code, screen = on_terminal(*LONG_VIEW, env=environ(PAGER=str(script)))
    assert code == 0, screen
    paged = kept.read_text(encoding="utf-8")
    assert "Related programs" in paged and "Related programs" not in screen
    assert "\x1b[" in paged  # colours kept
    assert (kept.parent / "less.txt").read_text() == "FRX"  # as git sets it for less
    assert len(paged.splitlines()) > 24


def test_exchange_pager_comes_before_pager(pager: tuple[Path, Path], tmp_path: Path) -> None:
    script, kept = pager
    env = environ(PAGER="/nonexistent/pager", EXCHANGE_PAGER=str(script))
    code, _ = on_terminal(*LONG_VIEW, env=env)
    assert code == 0 and "Related programs" in kept.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "more"),
    [
        (("--no-pager",), {}),  # asked not to
        ((), {"EXCHANGE_PAGER": ""}),  # turned off
        (("--sector", "defense"), {}),  # short: fits the screen
    ],
    ids=["--no-pager", "empty EXCHANGE_PAGER", "short view"],
)
def test_no_pager_when_asked_or_when_it_fits(
    pager: tuple[Path, Path], args: tuple[str, ...], more: dict[str, str]
) -> None:
    script, kept = pager
    view = ("list", *args) if "--sector" in args else (*LONG_VIEW, *args)
    code, screen = on_terminal(*view, env=environ(PAGER=str(script), **more))
    assert code == 0, screen
    assert not kept.exists()
    assert ("Related programs" in screen) or ("defense" in screen)


def test_piped_output_never_pages(pager: tuple[Path, Path]) -> None:
    script, kept = pager
    done = subprocess.run(
        [str(EXCHANGE), *LONG_VIEW, "--format", "table"],
        capture_output=True,
        env=environ(PAGER=str(script), COLUMNS="80", LINES="24"),
        check=False,
    )
    assert done.returncode == 0 and b"Related programs" in done.stdout
    assert not kept.exists()


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ("true", 0),  # quits without reading, as `q` in less does: a normal end
        ("false", 141),  # fails: stop quietly, as a closed pipe does
        ("sh -c 'head -c 10 >/dev/null; exit 3'", 141),  # reads a little, then fails
    ],
)
def test_a_pager_that_quits_or_fails_ends_quietly(command: str, code: int) -> None:
    exit_code, screen = on_terminal(*LONG_VIEW, env=environ(PAGER=command))
    assert exit_code == code, screen
    assert "Traceback" not in screen and "error" not in screen


def test_a_pager_that_cannot_start_is_said_once_and_the_view_printed() -> None:
    code, screen = on_terminal(*LONG_VIEW, env=environ(PAGER="/nonexistent/pager"))
    assert code == 0
    assert screen.count("cannot run the pager '/nonexistent/pager'") == 1
    assert "Related programs" in screen


def test_on_a_terminal_narrower_than_an_id_the_id_stays_whole() -> None:
    """Blocks fold free text to the terminal; an id is never folded, so on a 24-column
    terminal the id line alone is wider than the screen (and copies whole)."""
    code, screen = on_terminal("list", "--no-color", "--no-pager", columns=24)
    assert code == 0, screen
    ids = [str(row["id"]) for row in rows_of("list")]
    shown = [line.split()[1] for line in screen.splitlines() if line.startswith("id ")]
    assert shown == ids


def test_a_table_asked_for_in_a_pipe_fits_the_terminal_stderr_is_on() -> None:
    """`exchange list -f table | less`: the table is as wide as the terminal the user
    sees (stderr's), not a fixed width; with no terminal at all, 80 columns."""
    for columns in (60, 120):
        code, screen = on_terminal(columns=columns, shell="exchange list -f table | cat")
        assert code == 0, screen
        widest = max(cell_len(line) for line in screen.splitlines())
        assert columns - 10 <= widest <= columns, screen
    alone = subprocess.run(
        [str(EXCHANGE), "list", "-f", "table"], capture_output=True, text=True, check=True,
        env=environ(), stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    assert 70 <= max(cell_len(line) for line in alone.stdout.splitlines()) <= 80
