"""Untrusted input that is not a catalogue file: the environment, file names, and the
text a catalogue sends to each output format (the trust issue's findings, replayed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

EXCHANGE = Path(sys.executable).parent / "exchange"


def installed(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
    base.pop("COLUMNS", None)
    return subprocess.run(
        [str(EXCHANGE), *args],
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize("value", ["²", "abc", "-5", "0", "99999999999999999999", "1000000000"])
@pytest.mark.parametrize(
    "args", [("summarize", "--format", "table"), ("--help",), ("list", "--format", "table")]
)
def test_a_strange_terminal_size_is_never_a_traceback(
    run: Any, value: str, args: tuple[str, ...]
) -> None:
    """In-process through `main` (Rich and Typer read the same environment there); the
    installed command's handling of the same values is test_a_strange_terminal_size_..."""
    for name in ("COLUMNS", "LINES"):
        result = run(*args, env={name: value})
        assert result.exit_code == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.count("\n") <= 1
        widest = max((len(line) for line in result.stdout.splitlines()), default=0)
        assert widest <= 1000


@pytest.mark.parametrize("value", ["²", "99999999999999999999"])
def test_the_installed_command_takes_a_strange_terminal_size(value: str) -> None:
    for name in ("COLUMNS", "LINES"):
        proc = installed("summarize", "--format", "table", **{name: value})
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr and proc.stderr.count("\n") <= 1
        assert max(len(line) for line in proc.stdout.splitlines()) <= 1000


@pytest.mark.parametrize("value", ["²", "١٠٠", "abc", "-1", "0", " ", "1e9"])
def test_a_bad_size_cap_is_one_line_and_exit_2(value: str) -> None:
    proc = installed("list", EXCHANGE_MAX_BYTES=value)
    if not value.strip():
        assert proc.returncode == 0
        return
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("exchange: error: EXCHANGE_MAX_BYTES")
    assert proc.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("value", "on"), [("1", True), ("yes", True), ("0", False), ("false", False)]
)
def test_debug_is_on_only_when_asked(value: str, on: bool) -> None:
    proc = installed("list", "--sector", "nope", EXCHANGE_DEBUG=value)
    assert proc.returncode == 2
    assert ("Traceback" in proc.stderr) is on


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("list", "--sector", "nope"), 2),
        (("show", "nope"), 1),
        (("list", "--data", "/nonexistent"), 3),
    ],
)
def test_an_unwritable_stderr_keeps_the_exit_code(args: tuple[str, ...], code: int) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("this system has no /dev/full")
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [str(EXCHANGE), *args], stdout=subprocess.DEVNULL, stderr=full, check=False
        )
    assert proc.returncode == code


# -- every output format against hostile text -------------------------------------------------

HOSTILE_TITLE = 'say "hi"\tthen\\tab ![img](http://evil.example/p.png) [x](javascript:alert(1))'
HOSTILE_SUMMARY = (
    "`code` R&amp;D <b>raw</b> %%{init: {'theme':'dark'}}%% &lt; line\u2028sep\u2029para\x85nel"
)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    from conftest import program_record, write_catalogue

    parties = [
        {"name": "A & <B> `c` %%{init}%%", "type": "organization", "country": None},
        {"name": "Sa\u202eudi \u2028two", "type": "country", "country": "SA"},
    ]
    record = program_record(
        "hostile", title=HOSTILE_TITLE, summary=HOSTILE_SUMMARY, parties=parties
    )
    return write_catalogue(tmp_path / "hostile.yaml", [record])


def exchange(run: object, *args: str) -> str:
    result = run(*args)  # type: ignore[operator]
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


def test_tsv_is_unambiguous_and_never_quoted(run: object, hostile: Path) -> None:
    out = exchange(
        run, "list", "--data", str(hostile), "--format", "tsv", "--fields", "title,summary"
    )
    header, row = out.splitlines()
    title, summary = row.split("\t")
    assert title.startswith('say "hi"\\tthen\\\\tab')  # a real tab, then the text \t
    assert '"""' not in out
    for char in ("\u2028", "\u2029", "\x85"):
        assert char not in out
    assert "\\u2028" in summary and "\\u2029" in summary and "\\x85" in summary

    def unescape(cell: str) -> str:
        return cell.encode("latin-1", "backslashreplace").decode("unicode_escape")

    assert unescape(title) == HOSTILE_TITLE


def test_markdown_shows_the_literal_text_in_a_gfm_renderer(run: object, hostile: Path) -> None:
    from markdown_it import MarkdownIt

    out = exchange(
        run,
        "list",
        "--data",
        str(hostile),
        "--format",
        "markdown",
        "--fields",
        "title,summary,parties",
    )
    for preset in ("commonmark", "gfm-like"):
        md = MarkdownIt(preset)
        if preset == "commonmark":
            md.enable("table")
        page = md.render(out)
        for tag in ("<img", "<a ", "<code", "<b>", "<em", "<strong", "<del"):
            assert tag not in page, (preset, tag)
        assert "&amp;amp;D" in page  # `R&amp;D` is shown as typed, not as `R&D`
        assert "&lt;b&gt;raw&lt;/b&gt;" in page
        assert "![img](http://evil.example/p.png)" in page
        assert "\u2028" not in page and "\x85" not in page


def test_mermaid_neutralises_directives_markdown_strings_and_entities(
    run: object, hostile: Path
) -> None:
    import re

    out = exchange(run, "graph", "--data", str(hostile), "--format", "mermaid")
    labels = " ".join(re.findall(r'"([^"]*)"', out))
    for raw in ("%", "`", "&", "<", ">"):
        assert raw not in labels, raw
    assert "#37;#37;{init}#37;#37;" in labels
    assert "#38;" in labels and "#96;c#96;" in labels
    assert "%%" not in out


def test_dot_labels_keep_entities_literal(run: object, hostile: Path, tmp_path: Path) -> None:
    import shutil

    out = exchange(run, "graph", "--data", str(hostile), "--format", "dot")
    assert "A &amp; <B>" in out and "\u2028" not in out and "\u202e" not in out
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz's dot is not installed (.ci/run installs it)")
    svg = subprocess.run([dot, "-Tsvg"], input=out.encode(), capture_output=True, check=True)
    assert b"A &amp; &lt;B&gt;" in svg.stdout  # shown as typed, not decoded


def test_github_annotations_escape_file_names_and_controls(tmp_path: Path) -> None:
    name = "bad\x1b]0;title\x07\u202e, odd:%.yaml"
    path = tmp_path / name
    path.write_text("programs:\n  - id: x\n", encoding="utf-8")
    proc = installed("validate", str(path), "--format", "github")
    assert proc.returncode == 1
    for char in ("\x1b", "\x07", "\u202e"):
        assert char not in proc.stdout
    first = proc.stdout.splitlines()[0]
    props, _, message = first[len("::error ") :].partition("::")
    file = props.split(",")[0]
    assert file.startswith("file=") and "%2C" in file and "%3A" in file and "%25" in file


def test_a_file_name_that_is_not_utf8_prints_in_every_format(tmp_path: Path) -> None:
    raw = os.fsencode(str(tmp_path)) + b"/bad\xff.yaml"
    with open(raw, "wb") as handle:
        handle.write(b"programs:\n  - id: x\n")
    for fmt in ("text", "json", "jsonl", "yaml", "csv", "tsv", "markdown", "github", "table"):
        proc = subprocess.run(
            [os.fsencode(str(EXCHANGE)), b"validate", raw, b"--format", fmt.encode()],
            capture_output=True,
            check=False,
        )
        assert proc.returncode == 1, (fmt, proc.stderr)
        assert b"Traceback" not in proc.stderr
        shown = proc.stdout.decode("utf-8")
        if fmt == "table":  # a narrow column folds the long name: no traceback is the point
            continue
        if fmt == "markdown":
            from test_hostile_text import rendered_markdown

            shown = rendered_markdown(shown)
        assert "bad\\xff.yaml" in shown.replace("\\\\", "\\"), fmt


# -- echoes stay bounded ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("show", "a" * 115_000),
        ("list", "--sector", "s" * 115_000),
        ("list", "--fields", ",".join(f"x{i}" * 20 for i in range(1000))),
        ("list", "--sort", "z" * 115_000),
        ("list", "--" + "o" * 115_000),
        ("search", *[f"zz{i}qq" for i in range(5000)]),
        ("flows", *[arg for i in range(2000) for arg in ("--to", f"Narnia{i}")]),
    ],
    ids=["id", "sector", "fields", "sort", "option", "search", "flows"],
)
def test_an_echo_of_a_huge_value_is_short_and_quick(args: tuple[str, ...]) -> None:
    from childproc import ordinary_run_cpu, run_measured

    env = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
    proc = run_measured([str(EXCHANGE), *args], env=env, timeout=60)
    assert "Traceback" not in proc.stderr.decode("utf-8", "replace")
    assert len(proc.stderr) < 3000, proc.stderr[:300]
    # about an ordinary run's cost (measured on this machine): never work per character
    # squared
    assert proc.cpu_seconds < 4 * ordinary_run_cpu(), proc.cpu_seconds
