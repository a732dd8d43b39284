"""Untrusted catalogues: every hostile file is refused with one clear line, exit 3, fast.

Each case runs the installed `exchange` in a subprocess, so a crash in a C library
(libyaml on deep nesting) would show up as a failed test, not a dead test runner.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from childproc import Finished, ordinary_run_cpu, run_measured

HOSTILE = Path(__file__).parent / "hostile"
EXCHANGE = Path(sys.executable).parent / "exchange"

#: file in tests/hostile → words its one-line error must contain.
CASES: dict[str, str] = {
    "alias-bomb.yaml": "anchors (&a) are not allowed",
    "self-alias.yaml": "anchors (&loop) are not allowed",
    "python-tag.yaml": "the tag !!python/object/apply:os.system is not allowed",
    "binary-tag.yaml": "the tag !!binary is not allowed",
    "set-tag.yaml": "the tag !!set is not allowed",
    "custom-tag.yaml": "the tag !shell is not allowed",
    "duplicate-key.yaml": "duplicate key 'programs' (first at line 1)",
    "list-key.yaml": "mapping keys must be strings",
    "integer-key.yaml": "mapping keys must be strings; quote the key integer `1`",
    "two-documents.yaml": "more than one YAML document",
    "empty.yaml": "no YAML document (it is empty or only comments)",
    "comments-only.yaml": "no YAML document (it is empty or only comments)",
    "top-level-list.yaml": "programs[0]: missing required field 'title'",  # a list is programs
    "top-level-string.yaml": "top level must be a mapping",
    "huge-integer.yaml": "got an unquoted integer `9999",
    "boolean-no.yaml": 'reads as a boolean in YAML; quote the country code: "NO"',
    "boolean-on.yaml": "got an unquoted boolean `on`; quote it",
    "sexagesimal.yaml": "got an unquoted integer `1:20`; quote it",
    "octal.yaml": "got an unquoted integer `017`; quote it",
    "float-version.yaml": "got an unquoted number `3.10`; quote it",
    "date.yaml": "got an unquoted date `2024-01-02`; quote it",
    "nan.yaml": "got an unquoted number `.nan`; quote it",
    "latin1.yaml": "not UTF-8: invalid byte 0xe9 at byte offset 34",
    "utf16.yaml": "not UTF-8: invalid byte 0xff at byte offset 0",
    "nul-byte.yaml": "character U+0000 is not allowed in YAML",
    "raw-escape.yaml": "character U+001B is not allowed in YAML",
    "syntax-error.yaml": "syntax-error.yaml:4:1: ",  # the parser's words vary; the place not
}


def run_exchange(*args: str, timeout: float = 120) -> Finished:
    """Run the installed command and measure what it alone cost (CPU, not wall time, so a
    loaded CI machine cannot make the bound flake; its own peak memory, whatever ran
    before it). The timeout only stops a hung child."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
    return run_measured([str(EXCHANGE), *args], env=env, timeout=timeout)


def assert_refused(proc: Finished, words: str) -> None:
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 3, err
    assert proc.stdout == b""
    assert err.startswith("exchange: error: ") and err.count("\n") == 1, err
    assert words in err, err
    assert "Traceback" not in err
    assert b"\x1b" not in proc.stderr
    # A refusal costs about what an ordinary run does (measured on this machine, so a
    # slower one is no harder to pass), and about 30 MiB.
    assert proc.cpu_seconds < 4 * ordinary_run_cpu(), proc.cpu_seconds
    assert proc.peak_mib < 200


def test_the_corpus_and_the_cases_agree() -> None:
    assert {p.name for p in HOSTILE.glob("*.yaml")} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_is_refused(name: str) -> None:
    path = HOSTILE / name
    proc = run_exchange("list", "--data", str(path))
    assert_refused(proc, CASES[name])
    err = proc.stderr.decode("utf-8", "replace")
    assert f"{path}:" in err  # file (and line:column where known) lead the message


@pytest.mark.parametrize("name", ["alias-bomb.yaml", "python-tag.yaml", "boolean-no.yaml"])
def test_validate_reports_the_same_problem_and_exits_1(name: str) -> None:
    proc = run_exchange("validate", str(HOSTILE / name))
    assert proc.returncode == 1
    assert CASES[name] in proc.stdout.decode()


def test_fifty_thousand_nested_brackets_do_not_crash(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("programs: " + "[" * 50_000 + "]" * 50_000 + "\n")
    proc = run_exchange("list", "--data", str(deep))
    assert_refused(proc, "nesting deeper than 64 levels is not allowed")


def test_deep_block_nesting_is_refused(tmp_path: Path) -> None:
    deep = tmp_path / "deep-block.yaml"
    deep.write_text("programs:\n" + "".join("  " * i + "- \n" for i in range(1, 200)))
    proc = run_exchange("list", "--data", str(deep))
    assert_refused(proc, "nesting deeper than 64 levels")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    proc = run_exchange("list", "--data", str(tmp_path))
    assert_refused(proc, "is a directory")


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    proc = run_exchange("list", "--data", str(fifo))
    assert_refused(proc, "is a pipe (a FIFO, or <(...) process substitution), not a regular file")


def test_dev_zero_is_refused() -> None:
    proc = run_exchange("list", "--data", "/dev/zero")
    assert_refused(proc, "is not a regular file")


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    proc = run_exchange("list", "--data", str(tmp_path / "nope.yaml"))
    assert_refused(proc, "no such file")


def test_an_oversized_file_fails_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(65 * 1024 * 1024)  # sparse: costs no disk
    proc = run_exchange("list", "--data", str(huge))
    assert_refused(proc, "over the 67,108,864-byte limit")
