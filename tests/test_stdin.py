"""Standard input as a catalogue: `-` for `--data` (and EXCHANGE_DATA) and for `validate`,
through the installed command (Typer's Path type must let `-` through), under the same
size cap, with positions that name `<stdin>`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from exchange_cli.load.loader import default_catalogue_path

EXCHANGE = Path(sys.executable).parent / "exchange"
SHIPPED = default_catalogue_path().read_bytes()


def piped(
    *args: str, stdin: bytes | None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
    return subprocess.run(
        [str(EXCHANGE), *args],
        input=stdin.decode("utf-8", "surrogateescape") if stdin is not None else None,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_validate_reads_the_shipped_catalogue_from_stdin(tmp_path: Path) -> None:
    result = piped("validate", "-", stdin=SHIPPED, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("<stdin>: ok: 0 errors")


def test_list_reads_the_catalogue_from_stdin(tmp_path: Path) -> None:
    result = piped("list", "--data", "-", "--json", stdin=SHIPPED, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 15


def test_exchange_data_dash_means_stdin(tmp_path: Path) -> None:
    result = piped("list", "--fields", "id", stdin=SHIPPED, env={"EXCHANGE_DATA": "-"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        line.split("\t")[0]
        for line in piped("list", "--fields", "id", stdin=None).stdout.splitlines()[1:]
    ]


def test_problems_on_stdin_are_placed_in_stdin() -> None:
    text = SHIPPED.replace(b"evidence: hypothetical", b"evidence: imagined")
    line = text[: text.index(b"evidence: imagined")].count(b"\n") + 1
    result = piped("validate", "-", "--format", "json", stdin=text)
    assert result.returncode == 1
    [problem] = json.loads(result.stdout)
    assert (problem["file"], problem["line"], problem["column"]) == ("<stdin>", line, 15)
    listed = piped("list", "--data", "-", stdin=text)
    assert listed.returncode == 3 and listed.stdout == ""
    assert listed.stderr.startswith(f"exchange: error: <stdin>:{line}:15: ")
    assert listed.stderr.count("\n") == 1


def test_more_problems_on_stdin_point_at_validate_dash() -> None:
    result = piped("list", "--data", "-", stdin=b"programs:\n  - id: X\n")
    assert result.returncode == 3
    assert "run 'exchange validate -' on the same input" in result.stderr


def test_the_size_cap_holds_for_stdin() -> None:
    result = piped("list", "--data", "-", stdin=SHIPPED, env={"EXCHANGE_MAX_BYTES": "1000"})
    assert result.returncode == 3 and result.stdout == ""
    assert result.stderr == (
        "exchange: error: <stdin>: is over the 1,000-byte limit (raise it with "
        "EXCHANGE_MAX_BYTES)\n"
    )
    checked = piped("validate", "-", stdin=SHIPPED, env={"EXCHANGE_MAX_BYTES": "1000"})
    assert checked.returncode == 3
    assert checked.stdout.startswith("<stdin>: is over the 1,000-byte limit")


def test_closed_or_empty_stdin_is_one_line() -> None:
    empty = piped("list", "--data", "-", stdin=b"")
    assert empty.returncode == 3
    assert empty.stderr.startswith("exchange: error: <stdin>:1:1: the file holds no YAML")
    closed = subprocess.run(
        [str(EXCHANGE), "list", "--data", "-"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        pass_fds=(),
        preexec_fn=lambda: os.close(0),
    )
    assert closed.returncode == 3
    assert closed.stderr == "exchange: error: <stdin>: standard input is closed; nothing to read\n"


@pytest.mark.parametrize("args", [("validate", "-", "-"), ("validate", "-", "--data", "x")])
def test_stdin_twice_is_a_usage_error(args: tuple[str, ...]) -> None:
    if args[-1] == "x":  # --data does not add a second stdin to explicit paths: fine
        result = piped(*args, stdin=SHIPPED)
        assert result.returncode == 0
        return
    result = piped(*args, stdin=SHIPPED)
    assert result.returncode == 2
    assert "can be read only once" in result.stderr
