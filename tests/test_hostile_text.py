"""Hostile strings in every free-text field, through every format and a real terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from exchange_cli.load.loader import load_catalogue
from exchange_cli.model.records import FIELDS
from exchange_cli.render.registry import RENDERERS
from exchange_cli.render.results import Listing

FIXTURE = Path(__file__).parent / "fixtures" / "hostile-text.yaml"
EXCHANGE = Path(sys.executable).parent / "exchange"
Run = Callable[..., Any]

# Bytes that must never reach a terminal raw: ESC, CSI (C1), BEL, DEL, bidi controls.
DANGEROUS = ["\x1b", "\x9b", "\x07", "\x7f", "\u202e", "\u2066", "\u2069", "\r"]


@pytest.fixture(scope="module")
def exact() -> list[dict[str, Any]]:
    return [p.to_dict() for p in load_catalogue(FIXTURE)]


def _strings(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(_strings(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_strings(v) for v in value)
    return str(value)


def test_fixture_really_is_hostile(exact: list[dict[str, Any]]) -> None:
    text = _strings(exact)
    for char in DANGEROUS:
        assert char in text, repr(char)


def formats(rule: str) -> list[str]:
    """The formats of a listing that follow one string rule (render/registry.py), so a
    new format is fed hostile text as soon as it is declared."""
    return [r.name for r in RENDERERS if Listing in r.kinds and r.strings == rule]


@pytest.mark.parametrize("fmt", formats("visible"))
@pytest.mark.parametrize(
    "command", [("list", "--fields", ",".join(FIELDS)), ("show", "hostile-one")]
)
def test_text_formats_show_escapes_not_controls(
    run: Run, fmt: str, command: tuple[str, ...]
) -> None:
    wide = ["--wide"] if fmt == "table" and command[0] == "list" else []  # nothing cut
    result = run(
        *command,
        *wide,
        "--data",
        str(FIXTURE),
        "-f",
        fmt,
        "--no-color",
        tty=fmt == "table",
        env={"COLUMNS": "500"},
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for char in DANGEROUS:
        assert char not in out, (fmt, repr(char))
    if fmt == "markdown":  # what a reader sees: the text a Markdown renderer shows
        out = rendered_markdown(out)
    elif fmt == "tsv":  # a backslash in the data is written twice (PostgreSQL's rule)
        out = out.replace("\\\\", "\\")
    assert "\\x1b]0;pwned\\x07" in out
    assert "\\u202e" in out


def rendered_markdown(text: str) -> str:
    """The text a CommonMark/GFM renderer shows for a Markdown table."""
    import html
    import re

    from markdown_it import MarkdownIt

    page = MarkdownIt("commonmark").enable("table").render(text)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_rich_markup_in_data_prints_literally(run: Run) -> None:
    result = run("show", "hostile-one", "--data", str(FIXTURE), "--format", "table", tty=True)
    assert "[bold red]Rich markup[/bold red]" in result.stdout
    assert "[link=http://evil.example]click[/link]" in result.stdout
    assert "[/x] stray close tag" in result.stdout


@pytest.mark.parametrize("fmt", formats("exact"))
def test_structured_formats_keep_the_exact_strings(
    run: Run, fmt: str, exact: list[dict[str, Any]]
) -> None:
    out = run("list", "--data", str(FIXTURE), "--format", fmt).stdout
    if fmt == "json":
        data = json.loads(out)
    elif fmt == "jsonl":
        data = [json.loads(line) for line in out.splitlines()]
    else:
        data = yaml.safe_load(out)
    assert data == exact
    assert "\x1b" not in out  # escaped by the format's own rules


def test_csv_defuses_formulas_and_escapes_terminal_controls(run: Run) -> None:
    out = run("list", "--data", str(FIXTURE), "--format", "csv").stdout
    for char in ("\x1b", "\x9b", "\x07", "\x7f", "\u202e"):
        assert char not in out
    [row] = list(csv.DictReader(io.StringIO(out, newline="")))
    assert row["parties"].startswith("'=HYPERLINK")
    assert row["benefits"].startswith("'-2+3")
    assert row["source"] == "<script>alert(1)</script> / \rcarriage"


def test_installed_command_under_a_pseudo_terminal_is_safe() -> None:
    import pty
    import select

    main, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "TERM": "xterm-256color", "EXCHANGE_PAGER": ""}
    proc = subprocess.Popen(
        [str(EXCHANGE), "show", "hostile-one", "--data", str(FIXTURE)], stdout=secondary, env=env
    )
    os.close(secondary)
    chunks = []
    while select.select([main], [], [], 10)[0]:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=10)
    os.close(main)
    text = b"".join(chunks).decode("utf-8")
    assert proc.returncode == 0
    assert "\x1b]" not in text  # no OSC: no title change, no hyperlink
    assert "\x1b[2J" not in text and "\x9b" not in text and "\u202e" not in text
    assert "[link=http://evil.example]click[/link]" in text
    assert "\x1b[" in text  # our own colour is still there


def test_ascii_only_output_degrades_instead_of_crashing(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "COLUMNS": "100"}
    for args in (
        ("list", "--format", "table"),
        ("show", "saudi-korea-tech-exchange", "-f", "table"),
        ("summarize", "--format", "table"),
        ("list",),
        ("list", "--json"),
    ):
        proc = subprocess.run(
            [str(EXCHANGE), *args], capture_output=True, env=env, cwd=tmp_path, check=False
        )
        assert proc.returncode == 0, (args, proc.stderr)
        assert proc.stdout.isascii(), args
        assert b"UnicodeEncodeError" not in proc.stderr
    proc = subprocess.run(
        [str(EXCHANGE), "list", "--json"], capture_output=True, env=env, check=False
    )
    assert json.loads(proc.stdout)  # lossless: non-ASCII is escaped as \\uXXXX in JSON


def test_no_command_writes_to_the_catalogue(tmp_path: Path) -> None:
    """The catalogue is byte-identical, with the same modification time, after every command."""
    data = tmp_path / "programs.yaml"
    data.write_bytes(FIXTURE.read_bytes())
    before = (data.read_bytes(), os.stat(data).st_mtime_ns)
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    commands = [
        ("list",),
        ("list", "--json"),
        ("show", "hostile-one"),
        ("summarize",),
        ("validate",),
        ("list", "--format", "csv"),
        ("list", "--format", "yaml"),
    ]
    for args in commands:
        subprocess.run(
            [str(EXCHANGE), *args, "--data", str(data)],
            capture_output=True,
            env=env,
            cwd=tmp_path,
            check=False,
        )
    assert (data.read_bytes(), os.stat(data).st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "programs.yaml"]


INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\ufe0f", "\u3164"]


@pytest.mark.parametrize("char", INVISIBLES, ids=[f"U+{ord(c):04X}" for c in INVISIBLES])
def test_invisible_characters_are_warned_and_never_print_as_nothing(
    run: Run, tmp_path: Path, char: str
) -> None:
    """Two titles that differ by one zero-width character must not print the same in any
    text view, and validate names the character and where it is."""
    import copy

    from conftest import program_record, write_catalogue
    from exchange_cli.model.vocab import visible

    shown = visible(char)  # `\\u200b`, or `\\xad` below U+0100
    assert shown != char
    plain = program_record("alpha-tech", title="Alpha Technology Exchange")
    hidden = copy.deepcopy(plain)
    hidden["title"] = f"Alpha{char} Technology Exchange"
    old = write_catalogue(tmp_path / "old.yaml", [plain])
    new = write_catalogue(tmp_path / "new.yaml", [hidden])
    checked = run("validate", str(new))
    assert checked.exit_code == 0  # a warning, not an error
    assert f"programs[0].title: holds U+{ord(char):04X} " in checked.stdout
    for args in (("list", "--fields", "id,title"), ("show", "alpha-tech")):
        for tty in (True, False):
            before = run(*args, "--data", str(old), "--no-color", tty=tty).stdout
            after = run(*args, "--data", str(new), "--no-color", tty=tty).stdout
            assert before != after, (args, tty)
            assert char not in after and shown in after, (args, tty)
    for tty in (True, False):
        changed = run("diff", str(old), str(new), "--no-color", tty=tty)
        assert changed.exit_code == 1
        assert char not in changed.stdout and shown in changed.stdout, (tty, changed.stdout)
