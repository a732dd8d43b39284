"""The command line, end to end: in-process through `cli.main`, and as the installed
`exchange` command in a subprocess from a temporary directory."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from exchange_cli.cli.commands import app
from exchange_cli.model.records import FIELDS

Run = Callable[..., Any]
EXCHANGE = Path(sys.executable).parent / "exchange"


def installed(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[bytes]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"NO_COLOR", "FORCE_COLOR", "EXCHANGE_DATA"}
    }
    return subprocess.run(
        [str(EXCHANGE), *args],
        capture_output=True,
        env={**base, **(env or {})},
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def under_pty(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> bytes:
    """Run the installed command with a pseudo-terminal as stdout; return what it wrote."""
    base = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "FORCE_COLOR"}}
    main, secondary = pty.openpty()
    proc = subprocess.Popen(
        [str(EXCHANGE), *args],
        stdout=secondary,
        stderr=subprocess.PIPE,
        env={
            **base,
            "COLUMNS": "120",
            "TERM": "xterm-256color",
            "EXCHANGE_PAGER": "",  # never paged here (tests/test_pager.py pages)
            **(env or {}),
        },
        cwd=cwd,
    )
    os.close(secondary)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([main], [], [], 20)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=20)
    os.close(main)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else b""
    return b"".join(chunks)


# -- list ----------------------------------------------------------------------------------


def test_list_json_is_full_records_and_aliases_match(run: Run) -> None:
    defense = run("list", "--sector", "defense", "--format", "json")
    defence = run("list", "--sector", "defence", "--json")
    assert defense.exit_code == defence.exit_code == 0
    assert json.loads(defense.stdout) == json.loads(defence.stdout)
    records = json.loads(defense.stdout)
    assert records, "the shipped catalogue has defense programs"
    for record in records:
        assert list(record) == list(FIELDS)
        assert "defense" in record["sectors"]
    assert defense.stderr == ""


def test_list_filters_and_or(run: Run, small: Path) -> None:
    result = run(
        "list", "--data", str(small), "-s", "defense", "-s", "e-commerce", "--fields", "id"
    )
    assert result.stdout.splitlines() == ["id", "beta-defense", "gamma-trade"]
    result = run(
        "list",
        "--data",
        str(small),
        "-s",
        "energy",
        "-s",
        "e-commerce",
        "-c",
        "Malaysia",
        "--fields",
        "id",
    )
    assert result.stdout.splitlines() == ["id", "gamma-trade"]


def test_empty_result_is_success(run: Run, small: Path) -> None:
    result = run("list", "--data", str(small), "--sector", "agriculture", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_unknown_sector_is_a_usage_error_with_a_suggestion(run: Run) -> None:
    result = run("list", "--sector", "defnse")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "did you mean 'defense'?" in result.stderr
    assert "valid sectors: agriculture" in result.stderr


def test_unknown_field_is_a_usage_error_listing_valid_fields(run: Run) -> None:
    result = run("list", "--fields", "id,nosuch")
    assert result.exit_code == 2
    assert "'nosuch'" in result.stderr and "valid fields: id, title, kind" in result.stderr


def test_unknown_option_is_one_line_exit_2(run: Run) -> None:
    result = run("list", "--sectr", "defense")
    assert result.exit_code == 2
    assert result.stderr.startswith("exchange: error: No such option: --sectr")
    assert result.stderr.count("\n") == 1


def test_fields_sort_reverse_limit(run: Run, small: Path) -> None:
    result = run(
        "list",
        "--data",
        str(small),
        "--fields",
        "title,id",
        "--sort",
        "title",
        "--reverse",
        "--limit",
        "2",
        "--format",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert [list(r) for r in rows] == [["title", "id"], ["title", "id"]]
    assert [r["id"] for r in rows] == ["gamma-trade", "beta-defense"]


def test_piped_default_is_plain_tsv(run: Run, small: Path) -> None:
    result = run("list", "--data", str(small))
    lines = result.stdout.splitlines()
    assert lines[0] == "id\ttitle\tkind\tsectors\tevidence"
    assert "\x1b" not in result.stdout
    assert not set("│─╭╮") & set(result.stdout)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "tsv", "yaml", "markdown", "table"])
@pytest.mark.parametrize("command", [("list",), ("show", "alpha-tech"), ("summarize",)])
def test_every_format_works_for_every_command(
    run: Run, small: Path, fmt: str, command: tuple[str, ...]
) -> None:
    result = run(*command, "--data", str(small), "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stdout
    assert "\x1b" not in result.stdout
    text = result.stdout
    if fmt == "json":
        data: Any = json.loads(text)
        assert isinstance(data, dict if command[0] == "show" else list)
    elif fmt == "jsonl":
        assert all(isinstance(json.loads(line), dict) for line in text.splitlines())
    elif fmt == "yaml":
        assert yaml.safe_load(text)
    elif fmt in ("csv", "tsv"):
        rows = list(
            csv.DictReader(io.StringIO(text, newline=""), delimiter="," if fmt == "csv" else "\t")
        )
        assert rows
    elif fmt == "markdown":
        assert text.splitlines()[1].startswith("| ---")


def test_yaml_and_json_agree(run: Run) -> None:
    as_json = json.loads(run("list", "--json").stdout)
    as_yaml = yaml.safe_load(run("list", "--format", "yaml").stdout)
    assert as_json == as_yaml


# -- show ----------------------------------------------------------------------------------


def test_show_json_is_one_object(run: Run, small: Path) -> None:
    result = run("show", "alpha-tech", "--data", str(small), "--json")
    assert json.loads(result.stdout)["id"] == "alpha-tech"


def test_show_unknown_id_suggests(run: Run, small: Path) -> None:
    result = run("show", "alpha-tek", "--data", str(small))  # a typo, not a start
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "did you mean 'alpha-tech'" in result.stderr


def test_show_on_a_terminal_draws_the_program(run: Run, small: Path) -> None:
    result = run("show", "alpha-tech", "--data", str(small), "--no-color", tty=True)
    assert "Saudi Arabia → South Korea: oil production methods" in result.stdout


# -- summarize -----------------------------------------------------------------------------


def test_summarize_counts_and_by(run: Run, small: Path) -> None:
    rows = json.loads(run("summarize", "--data", str(small), "--by", "evidence", "--json").stdout)
    assert rows == [
        {"facet": "evidence", "value": "reported", "count": 2},
        {"facet": "evidence", "value": "hypothetical", "count": 1},
        {"facet": "evidence", "value": "illustrative", "count": 0},
    ]
    filtered = json.loads(
        run("summarize", "--data", str(small), "--by", "sectors", "-s", "defense", "--json").stdout
    )
    assert {r["value"]: r["count"] for r in filtered if r["count"]} == {
        "defense": 1,
        "cybersecurity": 1,
    }


def test_summarize_unknown_facet(run: Run) -> None:
    result = run("summarize", "--by", "colour")
    assert result.exit_code == 2
    assert "valid facets: sector, kind, evidence, country" in result.stderr


# -- validate ------------------------------------------------------------------------------


def test_validate_passes_the_shipped_catalogue(run: Run) -> None:
    result = run("validate")
    assert result.exit_code == 0, result.stdout
    assert ": ok: 0 errors" in result.stderr


def test_validate_names_every_problem_with_its_line(run: Run, small: Path, tmp_path: Path) -> None:
    text = small.read_text(encoding="utf-8")
    text = text.replace(
        "    evidence: reported\n", "    evidence: reported\n    evidence: reported\n", 1
    )
    text = text.replace("    title: Beta Defense Work\n", "", 1)
    text = text.replace("sectors: [e-commerce]", "sectors: [e-commerse]", 1)
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    result = run("validate", str(broken))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"{broken}:14:5: programs[0].evidence: duplicate key 'evidence'")
    assert lines[1].startswith(f"{broken}:18:5: programs[1]: missing required field 'title'")
    assert lines[2].startswith(
        f"{broken}:34:15: programs[2].sectors[0]: unknown sector 'e-commerse'"
    )
    assert "3 errors" in result.stderr


def test_other_commands_exit_3_on_a_broken_catalogue(run: Run, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("programs:\n  - id: x\n", encoding="utf-8")
    result = run("list", "--data", str(broken))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert f"{broken}:2:5: programs[0]: missing required field" in result.stderr


def test_exchange_data_environment_variable(run: Run, small: Path) -> None:
    result = run("list", "--fields", "id", env={"EXCHANGE_DATA": str(small)})
    assert result.stdout.splitlines()[1:] == ["alpha-tech", "beta-defense", "gamma-trade"]


def test_debug_shows_the_traceback(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    result = run("list", "--sector", "nope", env={"EXCHANGE_DEBUG": "1"})
    assert result.exit_code == 2
    assert "Traceback" in capsys.readouterr().err + result.stderr


# -- help ----------------------------------------------------------------------------------


def test_every_command_has_help_that_opens_with_an_example() -> None:
    runner = CliRunner()
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    assert "Exit codes" in top.output
    for name in ("list", "show", "summarize", "validate"):
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        assert f"exchange {name}" in result.output, name


# -- the installed command -----------------------------------------------------------------


def test_installed_command_finds_the_shipped_catalogue_from_anywhere(tmp_path: Path) -> None:
    assert EXCHANGE.exists(), "install the package: pip install '.[test]'"
    result = installed("list", "--sector", "defence", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)
    module = subprocess.run(
        [sys.executable, "-m", "exchange_cli", "validate"],
        capture_output=True,
        cwd=tmp_path,
        check=False,
    )
    assert module.returncode == 0, module.stderr


def test_installed_table_under_a_pseudo_terminal_has_colour_and_a_line_a_row(
    tmp_path: Path,
) -> None:
    out = under_pty("list", "--sector", "defense", cwd=tmp_path)
    text = out.decode("utf-8")
    assert "\x1b[" in text
    lines = [line for line in text.splitlines() if "not shown: " not in line]
    assert len(lines) == 1 + 3, lines  # the header, then one line for each program


def test_no_color_under_a_terminal_writes_no_escape_byte(tmp_path: Path) -> None:
    for env in ({"NO_COLOR": "1"}, {"TERM": "dumb"}):
        out = under_pty("list", "--sector", "defense", cwd=tmp_path, env=env)
        assert b"\x1b" not in out, env
        assert out.startswith(b"id ") and b"joint-defense-systems" in out
    out = under_pty("list", "--no-color", cwd=tmp_path)
    assert b"\x1b" not in out


def test_piped_output_has_no_escape_byte_even_with_jq(tmp_path: Path) -> None:
    result = installed("list", cwd=tmp_path)
    assert result.returncode == 0
    assert b"\x1b" not in result.stdout
    assert result.stdout.splitlines()[0].startswith(b"id\ttitle")
    jq = shutil.which("jq")
    if jq is None:
        pytest.skip("jq is not installed (.ci/run installs it)")
    piped = installed("list", "--sector", "defence", "--format", "json", cwd=tmp_path)
    count = subprocess.run([jq, "length"], input=piped.stdout, capture_output=True, check=True)
    table = installed("list", "--sector", "defense", "--fields", "id", cwd=tmp_path)
    assert int(count.stdout) == len(table.stdout.splitlines()) - 1
    lines = installed("list", "--format", "jsonl", cwd=tmp_path).stdout
    ids = subprocess.run([jq, "-r", ".id"], input=lines, capture_output=True, check=True)
    assert len(ids.stdout.splitlines()) == len(lines.splitlines())


def big_catalogue(small: Path, path: Path, copies: int) -> Path:
    """The fixture's records repeated under fresh ids: output larger than a pipe's buffer."""
    text = small.read_text(encoding="utf-8")
    head, body = text.split("\n", 1)
    parts = [head]
    parts.extend(
        body.replace("- id: alpha-tech", f"- id: alpha-{n}")
        .replace("- id: beta-defense", f"- id: beta-{n}")
        .replace("- id: gamma-trade", f"- id: gamma-{n}")
        for n in range(copies)
    )
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def test_head_closing_the_pipe_is_quiet(tmp_path: Path, small: Path) -> None:
    data = big_catalogue(small, tmp_path / "big.yaml", 300)
    proc = subprocess.run(
        f"set -o pipefail; '{EXCHANGE}' list --data '{data}' --format jsonl | head -1; "
        'echo "status=${PIPESTATUS[0]}" >&2',
        executable="/bin/bash",
        shell=True,
        capture_output=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.stderr == b"status=141\n"
    assert len(proc.stdout.splitlines()) == 1


# -- output that cannot be written -----------------------------------------------------------


@pytest.mark.parametrize(
    "args", [["list"], ["list", "--json"], ["schema"], ["--help"], ["show", "--help"]]
)
def test_a_full_disk_is_one_line_and_exit_4(args: list[str]) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("this system has no /dev/full")
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([str(EXCHANGE), *args], stdout=full, stderr=subprocess.PIPE)
    assert proc.returncode == 4
    assert proc.stderr.decode() == (
        "exchange: error: cannot write the output: No space left on device\n"
    )


def test_a_closed_stdout_is_one_line_and_exit_4() -> None:
    proc = subprocess.run(
        f"'{EXCHANGE}' list >&-", shell=True, stderr=subprocess.PIPE, check=False
    )
    assert proc.returncode == 4
    assert proc.stderr.decode() == "exchange: error: standard output is closed\n"


def test_no_arguments_shows_help_without_an_empty_error() -> None:
    proc = installed()
    assert proc.returncode == 2
    assert b"Usage" in proc.stdout and b"list" in proc.stdout
    assert proc.stderr == b""


def test_main_leaves_the_garbage_collector_as_it_found_it(run: Run) -> None:
    import gc

    assert gc.isenabled()
    run("list")
    assert gc.isenabled()


def test_validate_reports_every_file_even_after_an_unreadable_one(
    run: Run, small: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("programs:\n  - id: x\n", encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    result = run("validate", str(missing), str(broken), str(small), "--format", "jsonl")
    assert result.exit_code == 3  # one file could not be read at all
    problems = [json.loads(line) for line in result.stdout.splitlines()]
    assert {p["file"] for p in problems} == {str(missing), str(broken)}
    assert sum(p["file"] == str(broken) for p in problems) == 10
    assert f"{small}: ok: 0 errors, 0 warnings (3 programs)" in result.stderr


def test_a_bad_size_limit_is_a_usage_error(run: Run) -> None:
    for value in ("abc", "-1", "0"):
        result = run("list", env={"EXCHANGE_MAX_BYTES": value})
        assert result.exit_code == 2, value
        assert "EXCHANGE_MAX_BYTES" in result.stderr


def test_a_load_error_names_the_file_to_validate(run: Run, tmp_path: Path) -> None:
    broken = tmp_path / "my programs.yaml"
    broken.write_text("programs:\n  - id: x\n", encoding="utf-8")
    result = run("list", "--data", str(broken))
    assert result.exit_code == 3
    assert f"run 'exchange validate '{broken}'' to list them" in result.stderr


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_help_on_a_terminal_has_no_escape_byte_when_colour_is_off(env: dict[str, str]) -> None:
    assert b"\x1b" not in under_pty("list", "--help", env=env)
    assert b"\x1b" in under_pty("list", "--help")  # the check can fail


def test_a_very_narrow_terminal_gets_stacked_records_not_a_crushed_table() -> None:
    out = under_pty("list", "--limit", "2", env={"COLUMNS": "30", "NO_COLOR": "1"}).decode()
    assert out.count("evidence ") == 2 and out.count("title ") == 2  # a block a record
    wide = under_pty("list", "--limit", "2", env={"COLUMNS": "120", "NO_COLOR": "1"}).decode()
    assert wide.startswith("id ") and wide.count("\n") - wide.count("not shown") == 1 + 2


@pytest.mark.parametrize(
    "command", ["list", "graph", "flows", "search", "summarize", "summarize --by country"]
)
def test_an_empty_result_on_a_terminal_says_so_in_one_stderr_line(run: Run, command: str) -> None:
    words = ["exchange"] if command == "search" else []
    result = run(*command.split(), *words, "--country", "France", tty=True)  # no program
    assert result.exit_code == 0
    assert result.stdout == ""
    if command == "search":
        assert result.stderr.startswith("exchange: the filters leave none of the ")
        assert result.stderr.count("\n") == 1
    else:
        assert result.stderr == "exchange: nothing matches\n"


def test_a_search_that_finds_nothing_says_why_in_one_line(run: Run) -> None:
    result = run("search", "zzzz", tty=True)
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == "exchange: no programs match 'zzzz': nothing contains 'zzzz'\n"


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--country", "Narnia"],
        ["search", "oil", "--country", "Narnia"],
        ["summarize", "--country", "Narnia"],
        ["graph", "--country", "Narnia"],
        ["flows", "--country", "Narnia"],
        ["flows", "--to", "Narnia"],
        ["flows", "--from", "Narnia"],
        ["list", "--party", "Narnia"],
        ["flows", "--party", "Narnia"],
        ["export", "--party", "Narnia"],
    ],
)
def test_a_value_that_names_no_country_and_no_party_is_exit_2_everywhere(
    run: Run, args: list[str]
) -> None:
    result = run(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1 and "'Narnia'" in result.stderr


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Arabia", "did you mean 'SA' (Saudi Arabia)?"),
        ("Saudi Arbia", "did you mean 'SA' (Saudi Arabia)?"),
        ("Japn", "did you mean 'JP' (Japan)?"),
        ("Narnia", None),
        ("Holand", "did you mean 'NL' (Netherlands)?"),
    ],
)
def test_country_hints_go_by_name(run: Run, typed: str, meant: str | None) -> None:
    result = run("list", "--country", typed)
    assert result.exit_code == 2
    if meant is None:
        assert "did you mean" not in result.stderr
    else:
        assert meant in result.stderr


@pytest.mark.parametrize(("typed", "code"), [("Holland", "NL"), ("Burma", "MM")])
def test_common_former_names_are_countries(run: Run, typed: str, code: str) -> None:
    by_name = run("list", "--country", typed, "--fields", "id")
    by_code = run("list", "--country", code, "--fields", "id")
    assert by_name.exit_code == 0 and by_name.stdout == by_code.stdout


def test_sort_suggests_a_field(run: Run) -> None:
    result = run("list", "--sort", "titel")
    assert result.exit_code == 2 and "did you mean 'title'?" in result.stderr


@pytest.mark.parametrize("args", [["export"], ["list", "--json"], ["graph", "--format", "dot"]])
def test_a_short_write_is_an_error_not_a_truncated_success(args: list[str]) -> None:
    """A file-size limit cuts writes short: the output must not pass for complete."""
    command = " ".join([str(EXCHANGE), *args])
    proc = subprocess.run(
        ["bash", "-c", f"trap '' XFSZ; ulimit -f 4; {command} > out"],
        capture_output=True,
        check=False,
        cwd=tempfile.mkdtemp(),
    )
    assert proc.returncode == 4, proc.stderr
    assert b"cannot write the output" in proc.stderr


@pytest.mark.parametrize("args", [["--help"], ["list", "--help"], ["list", "--json"]])
def test_output_into_a_closed_pipe_exits_141_quietly(args: list[str]) -> None:
    """The pipe's reading end is closed before the command starts, so its first write
    fails every time (`| head -c 1` raced: short output could fit the pipe's buffer)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [str(EXCHANGE), *args], stdout=write_end, stderr=subprocess.PIPE, check=False
        )
    finally:
        os.close(write_end)
    assert proc.returncode == 141
    assert proc.stderr == b""


def test_a_closed_stderr_does_not_stop_the_data() -> None:
    proc = subprocess.run(
        f"'{EXCHANGE}' list --json 2>&-", shell=True, capture_output=True, check=False
    )
    assert proc.returncode == 0
    assert len(json.loads(proc.stdout)) == 15


def test_no_color_flag_also_plainens_help() -> None:
    assert b"\x1b" not in under_pty("list", "--no-color", "--help")


def test_force_color_colours_a_table_even_when_piped_and_no_color_wins(run: Run) -> None:
    forced = run("list", "--format", "table", env={"FORCE_COLOR": "1"})
    assert forced.exit_code == 0 and "\x1b[" in forced.stdout
    plain = run("list", "--format", "table", env={"FORCE_COLOR": ""})
    assert "\x1b" not in plain.stdout
    both = run("list", "--format", "table", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b" not in both.stdout
    flag = run("list", "--format", "table", "--no-color", env={"FORCE_COLOR": "1"})
    assert "\x1b" not in flag.stdout


def test_an_unknown_sort_field_is_a_usage_error(run: Run) -> None:
    result = run("list", "--sort", "nosuch")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "'nosuch'" in result.stderr and "--sort" in result.stderr
    assert "valid fields: id, title" in result.stderr
