"""The loader: strict YAML, validation with positions, and file handling."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from exchange_cli.errors import CatalogueError
from exchange_cli.load.catalogue import default_catalogue_path, read_catalogue_bytes
from exchange_cli.load.loader import check_text, load_catalogue
from exchange_cli.load.validation import format_path

RECORD = """\
  - id: {id}
    title: {title}
    kind: technology-exchange
    sectors: [{sector}]
    parties:
      - {{name: Saudi Arabia, type: country, country: "SA"}}
      - {{name: South Korea, type: country, country: "KR"}}
    flows:
      - {{from: Saudi Arabia, to: South Korea, what: oil know-how}}
    benefits: [shared skills]
    evidence: reported
    recurrence: ongoing
    summary: Two countries swap expertise.
    source: {{document: Doc, section: Part}}
"""


def catalogue_text(*records: str) -> str:
    return "programs:\n" + "".join(records)


def record(id: str = "one", title: str = "A Title", sector: str = "energy") -> str:
    return RECORD.format(id=id, title=title, sector=sector)


def errors_of(text: str) -> list[str]:
    catalogue, problems = check_text(text, "cat.yaml")
    assert catalogue is None
    return [str(p) for p in problems if p.severity == "error"]


def test_a_valid_catalogue_loads_into_the_model(small: Path) -> None:
    catalogue = load_catalogue(small)
    assert catalogue.ids() == ("alpha-tech", "beta-defense", "gamma-trade")
    alpha = catalogue.get("ALPHA-TECH")
    assert alpha is not None
    assert alpha.parties[0].country == "SA"
    assert alpha.flows[0].giver == "Saudi Arabia"
    assert alpha.to_dict()["flows"][0] == {
        "from": "Saudi Arabia",
        "to": "South Korea",
        "what": "oil production methods",
    }
    assert catalogue.get("beta-defense").recurrence == "annual"  # type: ignore[union-attr]
    assert catalogue.get("gamma-trade").recurrence is None  # type: ignore[union-attr]


def test_every_problem_is_reported_at_once_with_its_line() -> None:
    broken = record("one").replace(
        "    evidence: reported\n", "    evidence: reported\n    evidence: reported\n"
    )
    no_title = record("two").replace("    title: A Title\n", "")
    bad_sector = record("three", sector="defnse")
    messages = errors_of(catalogue_text(broken, no_title, bad_sector))
    assert len(messages) == 3, messages
    duplicate, missing, unknown = messages
    assert duplicate.startswith("cat.yaml:13:5: programs[0].evidence: duplicate key 'evidence'")
    assert "first at line 12" in duplicate
    assert missing.startswith("cat.yaml:17:5: programs[1]: missing required field 'title'")
    assert unknown.startswith("cat.yaml:33:15: programs[2].sectors[0]: unknown sector 'defnse'")
    assert "did you mean 'defense'" in unknown


def test_party_and_flow_problems_are_reported_in_the_same_run() -> None:
    """A flow to a party the record does not have is reported with the record's other
    party problems, not after they are fixed (one run, not three)."""
    text = catalogue_text(record()).replace(
        """      - {name: South Korea, type: country, country: "KR"}
    flows:
      - {from: Saudi Arabia, to: South Korea, what: oil know-how}
""",
        """      - {name: South Korea, type: nation-state, country: "KR"}
      - {name: Saudi Arabia, type: country, country: "XX"}
      - {type: country, country: "JP"}
    flows:
      - {from: Saudi Arabia, to: Narnia, what: oil know-how}
      - {from: Japan, to: South Korea, what: farming}
      - {from: South Korea, to: South Korea}
""",
    )
    messages = errors_of(text)
    expected = [
        "parties[1].type: unknown party type 'nation-state'",
        "parties[2].country: unknown country code 'XX'",
        "parties[2].name: party 'Saudi Arabia' is listed twice",
        "parties[3]: missing required field 'name'",
        "flows[0].to: 'Narnia' is not a party of this program",
        "flows[1].from: 'Japan' is not a party of this program",
        "flows[2]: missing required field 'what'",
        "flows[2].to: a flow must go from one party to another",
    ]
    for part in expected:
        assert sum(part in m for m in messages) == 1, (part, messages)
    assert len(messages) == len(expected), messages


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("NO", "boolean"),
        ("yes", "boolean"),
        ("on", "boolean"),
        ("1:20", "integer"),
        ("017", "integer"),
        ("3.10", "number"),
        ("2024-01-02", "date"),
        (".nan", "number"),
        ("1" * 5000, "integer"),
    ],
)
def test_yaml_1_1_scalars_are_never_silently_converted(value: str, kind: str) -> None:
    messages = errors_of(catalogue_text(record(title=value)))
    assert len(messages) == 1
    assert f"programs[0].title: expected a string, got an unquoted {kind}" in messages[0]
    assert "quote it" in messages[0]


def test_quoted_lookalikes_are_strings() -> None:
    catalogue, problems = check_text(catalogue_text(record(title='"NO"')))
    assert catalogue is not None and not problems
    assert catalogue.programs[0].title == "NO"


def test_unquoted_norway_code_is_an_error_that_says_to_quote_it() -> None:
    text = catalogue_text(record()).replace('country: "KR"', "country: NO")
    [message] = errors_of(text)
    assert "programs[0].parties[1].country" in message
    assert 'quote the country code: "NO"' in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("to: South Korea", "to: Korea"), "'Korea' is not a party of this program"),
        (("to: South Korea", "to: Saudi Arabia"), "a flow must go from one party to another"),
        (("kind: technology-exchange", "kind: tech"), "write the kind as 'technology-exchange'"),
        (("sectors: [energy]", "sectors: [energy, energy]"), "sector 'energy' is listed twice"),
        (("sectors: [energy]", "sectors: []"), "one or more sectors"),
        (('country: "SA"', 'country: "sa"'), "write the ISO 3166-1 alpha-2 code 'SA'"),
        (('country: "SA"', 'country: "XX"'), "unknown country code 'XX'"),
        (("id: one", "id: One Two"), "must be a lowercase slug"),
        (("evidence: reported", "evidence: rumoured"), "unknown evidence level 'rumoured'"),
        (("    summary:", "    sumary:"), "unknown field 'sumary' (did you mean 'summary'?)"),
        (
            ('type: country, country: "SA"', 'type: nation-state, country: "SA"'),
            "unknown party type 'nation-state'",
        ),
        (("title: A Title", "title: ''"), "must not be empty"),
        (("benefits: [shared skills]", "benefits: shared skills"), "expected a list of benefits"),
    ],
)
def test_field_rules(change: tuple[str, str], expected: str) -> None:
    text = catalogue_text(record()).replace(*change, 1)
    messages = errors_of(text)
    assert any(expected in m for m in messages), messages


def test_duplicate_ids_name_the_first_use() -> None:
    messages = errors_of(catalogue_text(record("same"), record("same")))
    expected = "duplicate id 'same' (already used by programs[0])"
    assert any(expected in m for m in messages)


def test_warnings_do_not_fail_validation() -> None:
    text = catalogue_text(record(title="Two countries swap expertise"))
    text = text.replace('country: "SA"', "country: null")
    catalogue, problems = check_text(text)
    assert catalogue is not None
    assert {p.severity for p in problems} == {"warning"}
    assert any("has no ISO code" in p.message for p in problems)
    assert any("only repeats the title" in p.message for p in problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "no YAML document"),
        ("# only a comment\n", "no YAML document"),
        ("- a\n- b\n", "programs[0]: expected a program (a mapping), got the string 'a'"),
        ("just words\n", "top level must be a mapping with a 'programs' list, or a list of"),
        ("programs: {}\n", "expected a list of programs"),
        ("programs: []\nextra: 1\n", "unknown top-level key 'extra'"),
        ("programs: [\n", "did not find expected node content"),
    ],
)
def test_document_level_errors(text: str, expected: str) -> None:
    messages = errors_of(text)
    assert any(expected in m for m in messages), messages


def test_format_path() -> None:
    assert format_path(("programs", 3, "sectors", 1)) == "programs[3].sectors[1]"
    assert format_path(()) == ""


def test_missing_file_and_directory_are_catalogue_errors(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="no such file"):
        load_catalogue(tmp_path / "nope.yaml")
    with pytest.raises(CatalogueError, match="is a directory"):
        load_catalogue(tmp_path)


def test_size_cap_is_checked_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(2048)
    with pytest.raises(CatalogueError, match="over the 1,000-byte limit"):
        read_catalogue_bytes(big, max_bytes=1000)


def test_non_utf8_names_the_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("programs:\n  - title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    assert "invalid byte 0xe9 at byte offset 24" in str(caught.value)
    assert str(caught.value).startswith(f"{path}:2:15:")


def test_a_utf8_bom_is_fine(tmp_path: Path, small: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + small.read_bytes())
    assert len(load_catalogue(path)) == 3


def test_the_default_catalogue_exists_and_loads() -> None:
    path = default_catalogue_path()
    assert path.is_file()
    assert len(load_catalogue()) >= 13


def test_environment_size_cap(
    tmp_path: Path, small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXCHANGE_MAX_BYTES", "100")
    with pytest.raises(CatalogueError, match="EXCHANGE_MAX_BYTES"):
        load_catalogue(small)
    assert os.environ["EXCHANGE_MAX_BYTES"] == "100"


# -- found by mutation testing (mutmut): behaviour no test pinned ----------------------------


def test_a_bad_field_value_is_located_at_the_value_not_its_key() -> None:
    """Editors jump to the column given: the value for a bad value, the key for an
    unknown field."""
    text = catalogue_text(record().replace("    kind: technology-exchange", "    kind: bogus"))
    text = text.replace("    evidence: reported\n", "    evidence: reported\n    colour: red\n")
    bad_kind, unknown = errors_of(text)
    assert bad_kind.startswith("cat.yaml:4:11: programs[0].kind: unknown kind 'bogus'")
    assert unknown.startswith("cat.yaml:13:5: programs[0].colour: unknown field 'colour'")


def test_problems_are_in_file_order_line_first() -> None:
    """A later line comes later even when its column is smaller."""
    text = catalogue_text(record("one", sector="defnse"), record("two")).replace(
        "  - id: two\n    title: A Title\n", "  - id: two\n"
    )
    lines = [problem.line for problem in check_text(text, "cat.yaml")[1]]
    assert lines == [5, 16], lines  # the sector's value at column 15, then the record at 5


def test_lint_warnings_name_their_field_and_line() -> None:
    text = catalogue_text(record(title="Two countries swap expertise"))
    text = text.replace('country: "SA"', "country: null")
    text = text.replace(
        "    flows:\n      - {from: Saudi Arabia, to: South Korea, what: oil know-how}\n",
        "    flows: []\n",
    )
    catalogue, problems = check_text(text, "cat.yaml")
    assert catalogue is not None
    found = [(p.line, p.column, p.path, p.message, p.severity) for p in problems]
    assert found == [
        (
            7,
            54,
            "programs[0].parties[0].country",
            "country party 'Saudi Arabia' has no ISO code",
            "warning",
        ),
        (
            9,
            12,
            "programs[0].flows",
            "no flows: say what each party gives or teaches the other",
            "warning",
        ),
        (13, 14, "programs[0].summary", "the summary only repeats the title", "warning"),
    ]
    assert check_text(text, "cat.yaml", warnings=False)[1] == []


def test_a_summary_that_repeats_the_title_but_its_full_stop_is_flagged() -> None:
    text = catalogue_text(record(title="Two countries swap expertise."))
    text = text.replace(
        "    summary: Two countries swap expertise.", "    summary: Two countries swap expertise"
    )
    assert [p.message for p in check_text(text)[1]] == ["the summary only repeats the title"]


def test_the_report_keeps_exactly_its_limit_and_counts_the_rest() -> None:
    from exchange_cli.load.validation import Report

    report = Report("cat.yaml", limit=2)
    for _ in range(2):
        report.error(("programs",), "bad")
        report.warn(("programs",), "odd")
    assert (len(report.kept), report.errors, report.warnings, report.dropped) == (4, 2, 2, 0)
    report.at(1, 1, "worse")
    report.warn(("programs",), "odder")
    assert (len(report.kept), report.errors, report.warnings, report.dropped) == (4, 3, 3, 2)
    report.fatal(2, 3, "not YAML")
    assert (report.errors, report.warnings, report.dropped) == (1, 0, 0)
    report.at(3, 1, "the limit's own problem is kept whole")
    assert (len(report.kept), report.dropped) == (2, 0)


def test_validate_counts_warnings_and_a_yaml_error_as_one_error(run: Any, tmp_path: Path) -> None:
    """The summary line CI reads: warnings counted, and a file that is not YAML is one error."""
    text = catalogue_text(record(title="Two countries swap expertise"))
    warned = tmp_path / "warned.yaml"
    warned.write_text(text.replace('country: "SA"', "country: null"), encoding="utf-8")
    result = run("validate", str(warned))
    assert result.exit_code == 0
    assert f"{warned}: ok: 0 errors, 2 warnings (1 program)" in result.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace('country: "SA"', "country: null") + "programs: [\n")
    result = run("validate", str(broken))
    assert result.exit_code == 1
    assert f"{broken}: failed: 1 error, 0 warnings (not loaded)" in result.stderr


def test_validate_locates_a_non_utf8_byte(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("programs:\n  - id: x\n    title: caf\xe9\n\n\n".encode("latin-1"))
    result = run("validate", "--format", "json", str(path))
    assert result.exit_code == 1
    [problem] = json.loads(result.stdout)
    assert problem == {
        "file": str(path),
        "line": 3,
        "column": 15,
        "path": "",
        "message": "not UTF-8: invalid byte 0xe9 at byte offset 34",
        "severity": "error",
    }


def test_validate_honours_the_size_cap(run: Any, tmp_path: Path, small: Path) -> None:
    result = run("validate", str(small), env={"EXCHANGE_MAX_BYTES": "100"})
    assert result.exit_code != 0
    assert "over the 100-byte limit (raise it with EXCHANGE_MAX_BYTES)" in result.stdout
    result = run("validate", "--format", "json", str(small), env={"EXCHANGE_MAX_BYTES": "100"})
    [problem] = json.loads(result.stdout)
    assert (problem["line"], problem["column"], problem["path"]) == (None, None, "")


def test_a_file_exactly_at_the_size_cap_is_read_whole(tmp_path: Path, small: Path) -> None:
    data = small.read_bytes()
    path = tmp_path / "exact.yaml"
    path.write_bytes(data)
    assert read_catalogue_bytes(path, max_bytes=len(data)) == data
    with pytest.raises(CatalogueError, match=f"over the {len(data) - 1:,}-byte limit"):
        read_catalogue_bytes(path, max_bytes=len(data) - 1)


def test_a_catalogue_from_standard_input(small: Path) -> None:
    """`--data -` reads stdin, under the same size cap (a pipe has no size to check first)."""
    import subprocess
    import sys

    exchange = Path(sys.executable).parent / "exchange"
    base = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
    args = [str(exchange), "list", "--data", "-", "--format", "json"]
    proc = subprocess.run(
        args, input=small.read_bytes(), capture_output=True, env=base, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert [r["id"] for r in json.loads(proc.stdout)] == [
        "alpha-tech",
        "beta-defense",
        "gamma-trade",
    ]
    capped = {**base, "EXCHANGE_MAX_BYTES": "100"}
    proc = subprocess.run(
        args, input=small.read_bytes(), capture_output=True, env=capped, check=False
    )
    assert proc.returncode == 3 and proc.stdout == b""
    assert b"<stdin>: is over the 100-byte limit" in proc.stderr


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("  - id: one\n    title: A Title\n", "  - title: A Title\n"), "programs[0]: missing "),
        (("id: one", "id: 5"), "cat.yaml:2:9: programs[0].id: expected a string"),
    ],
)
def test_a_missing_or_non_text_id_is_reported_not_a_crash(
    change: tuple[str, str], expected: str
) -> None:
    [message] = errors_of(catalogue_text(record(), record("two")).replace(*change, 1))
    assert expected in message


def test_a_program_lists_at_most_max_parties(tmp_path: Path) -> None:
    """The graph joins a program's parties pairwise, so the declaration bounds them; both
    the compiled check and the full walk refuse one more, and say how many there were."""
    from conftest import program_record, write_catalogue
    from exchange_cli.model.records import MAX_PARTIES

    def parties(count: int) -> list[dict[str, object]]:
        return [{"name": f"G{k}", "type": "group", "country": None} for k in range(count)]

    fine = write_catalogue(tmp_path / "fine.yaml", [program_record("a", parties=parties(12))])
    assert len(load_catalogue(fine).programs[0].parties) == MAX_PARTIES == 12
    crowd = write_catalogue(tmp_path / "crowd.yaml", [program_record("a", parties=parties(13))])
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(crowd)
    assert "programs[0].parties: at most 12 parties, got 13" in str(raised.value)


# -- found by the second mutation pass -------------------------------------------------------


def _open(path: Path) -> int:
    return os.open(path, os.O_RDONLY)


def test_a_stream_is_read_whole_across_chunks(tmp_path: Path) -> None:
    """Standard input has no size to go by: it is read 64 KiB at a time, and every
    chunk is kept, in order."""
    from exchange_cli.load.loader import read_all

    data = bytes(range(256)) * 400  # 102,400 bytes: two reads
    path = tmp_path / "stream"
    path.write_bytes(data)
    fd = _open(path)
    try:
        assert read_all(fd, "<stdin>", 1 << 20) == data
    finally:
        os.close(fd)


def test_a_stream_one_byte_over_the_cap_is_refused_and_read_no_further(tmp_path: Path) -> None:
    """One byte past the cap is enough to refuse (never a silently cut catalogue), and
    nothing past that byte is read (`yes | exchange list --data -` ends)."""
    from exchange_cli.load.loader import read_all

    cap = 1 << 16  # the first read takes exactly the cap, the next the extra byte
    path = tmp_path / "stream"
    path.write_bytes(b"x" * (3 * cap))
    fd = _open(path)
    try:
        with pytest.raises(CatalogueError, match=f"<stdin>: is over the {cap:,}-byte limit"):
            read_all(fd, "<stdin>", cap)
        assert os.lseek(fd, 0, os.SEEK_CUR) == cap + 1
    finally:
        os.close(fd)


def test_an_unreadable_stream_says_why(tmp_path: Path) -> None:
    """`exchange list --data - < some-directory`: the read fails, and says why."""
    from exchange_cli.load.loader import read_all

    fd = _open(tmp_path)
    try:
        with pytest.raises(CatalogueError) as caught:
            read_all(fd, "<stdin>", 100)
    finally:
        os.close(fd)
    assert str(caught.value) == "<stdin>: cannot read: Is a directory"


def test_loading_counts_every_error_not_only_those_kept() -> None:
    """Past the first 100 problems only counts are kept; the message still says how
    many more there are."""
    from exchange_cli.load.loader import catalogue_from_bytes

    text = catalogue_text(*(record(f"p{i}", sector="nowhere") for i in range(150)))
    with pytest.raises(CatalogueError) as caught:
        catalogue_from_bytes(text.encode(), "cat.yaml")
    assert caught.value.errors == 150
    assert "(and 149 more; run 'exchange validate cat.yaml' to list them)" in str(caught.value)


def _problems(records: list[Any], name: str = "c.json") -> list[tuple[Any, ...]]:
    """Each problem `check_text` finds (the full walk, as `validate` runs it)."""
    text = json.dumps({"programs": records}, indent=1)
    _, found = check_text(text, name)
    return [(p.line, p.column, p.path, p.message) for p in found]


def test_record_shape_messages_in_full() -> None:
    from conftest import program_record

    assert _problems([["not", "a mapping"]]) == [
        (3, 3, "programs[0]", "expected a program (a mapping), got a list")
    ]
    fields = (
        "id, title, kind, sectors, parties, flows, benefits, evidence, recurrence, summary, "
        "source, aliases"
    )
    unknown = program_record("a", zzz=1, titel=2)
    assert _problems([unknown]) == [
        (39, 4, "programs[0].zzz", f"unknown field 'zzz'; the fields of a program are: {fields}"),
        (
            40,
            4,
            "programs[0].titel",
            f"unknown field 'titel' (did you mean 'title'?); the fields of a program are: "
            f"{fields}",
        ),
    ]
    stringly = program_record("a")
    stringly["parties"][0] = "Saudi"  # type: ignore[index]
    assert _problems([stringly])[0] == (
        11,
        5,
        "programs[0].parties[0]",
        "expected a party (a mapping), got the string 'Saudi'",
    )
    assert _problems([program_record("a", sectors=[])]) == [
        (7, 15, "programs[0].sectors", "expected a list of one or more sectors, got an empty list")
    ]
    assert _problems([program_record("a", sectors="energy")]) == [
        (
            7,
            15,
            "programs[0].sectors",
            "expected a list of one or more sectors, got the string 'energy'",
        )
    ]


def test_repeats_in_a_list_are_found_and_placed() -> None:
    """A repeated sector is placed at the repeat; a party without a name does not end
    the search for repeated names after it."""
    from conftest import program_record

    assert _problems([program_record("a", sectors=["energy", "energy"])]) == [
        (9, 5, "programs[0].sectors[1]", "sector 'energy' is listed twice")
    ]
    group = {"type": "group", "country": None}
    parties = [group, {"name": "A", **group}, {"name": "A", **group}]
    nameless = program_record("a", flows=[])
    nameless["parties"] = parties
    assert _problems([nameless]) == [
        (11, 5, "programs[0].parties[0]", "missing required field 'name'"),
        (21, 14, "programs[0].parties[2].name", "party 'A' is listed twice"),
    ]
    assert _problems([program_record("a"), program_record("a")]) == [
        (41, 10, "programs[1].id", "duplicate id 'a' (already used by programs[0])")
    ]


def test_validate_allows_exactly_max_parties() -> None:
    """The full walk (`validate`), not only the compiled check, takes 12 parties."""
    from conftest import program_record
    from exchange_cli.model.records import MAX_PARTIES

    parties = [{"name": f"G{k}", "type": "group", "country": None} for k in range(MAX_PARTIES)]
    assert _problems([program_record("a", parties=parties)]) == []


def test_problems_on_one_line_are_in_column_order() -> None:
    """A JSON Lines record is one line: its problems read left to right."""
    _, found = check_text('{"title": 5, "id": 3}\n', "c.jsonl")
    columns = [p.column for p in found]
    assert columns == sorted(columns) and found[-1].path == "programs[0].id"


def test_a_position_not_recorded_is_its_nearest_recorded_parent_s() -> None:
    from exchange_cli.load.validation import Marks

    marks = Marks({(): (1, 1), ("programs",): (2, 3), ("programs", 0): (3, 5)})
    assert marks.locate(("programs", 0, "parties", 1, "name")) == (3, 5)
    assert marks.locate(("programs", 1, "id")) == (2, 3)
    assert marks.locate(("elsewhere",)) == (1, 1)
    assert Marks().locate(("programs",)) == (None, None)


def test_files_that_cannot_be_read_say_why_in_full(tmp_path: Path) -> None:
    """In-process (the FIFO tests elsewhere run a subprocess): each refusal's whole
    message, and a FIFO refused at once rather than waiting for a writer."""
    import signal

    def message(path: Path) -> str:
        with pytest.raises(CatalogueError) as caught:
            load_catalogue(path)
        return str(caught.value)

    assert message(tmp_path / "nope.yaml") == f"{tmp_path}/nope.yaml: no such file"
    assert message(tmp_path) == f"{tmp_path}: is a directory, not a catalogue file"
    (tmp_path / "file").write_text("x")
    assert message(tmp_path / "file" / "x.yaml") == (
        f"{tmp_path}/file/x.yaml: cannot open: Not a directory"
    )
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def stuck(*_: object) -> None:
        raise TimeoutError("opening a FIFO waited for a writer")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(5)
    try:
        refused = message(fifo)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert refused == (
        f"{fifo}: is a pipe (a FIFO, or <(...) process substitution), not a regular file; "
        "send it to standard input and name it '-' instead"
    )


def test_more_refusals_and_names_in_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from exchange_cli.errors import display_name
    from exchange_cli.load.loader import max_bytes_from_env

    with pytest.raises(CatalogueError) as device:
        load_catalogue(Path("/dev/null"))
    assert str(device.value) == (
        "/dev/null: is not a regular file (a device, FIFO or socket); refusing to read it"
    )
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 2048)
    with pytest.raises(CatalogueError) as over:
        read_catalogue_bytes(big, max_bytes=1000)
    assert str(over.value) == (
        f"{big}: is 2,048 bytes, over the 1,000-byte limit (raise it with EXCHANGE_MAX_BYTES)"
    )
    odd = Path(os.fsdecode(b"caf\xe9.yaml"))  # not UTF-8: a lone surrogate in Python
    assert display_name(odd) == "caf\\xe9.yaml"
    monkeypatch.setenv("EXCHANGE_MAX_BYTES", "9" * 18)
    assert max_bytes_from_env() == int("9" * 18)
    for bad in ("9" * 19, "12abc"):
        monkeypatch.setenv("EXCHANGE_MAX_BYTES", bad)
        with pytest.raises(Exception) as caught:
            max_bytes_from_env()
        assert str(caught.value) == (
            f"EXCHANGE_MAX_BYTES must be a positive number of bytes, not '{bad}'"
        )


def test_a_bad_byte_after_a_leading_newline_is_on_line_two() -> None:
    from exchange_cli.load.loader import decode_text

    with pytest.raises(CatalogueError) as caught:
        decode_text(b"\n\xff", "c.yaml")
    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.path) == (2, 1, "")


def test_how_each_name_is_read() -> None:
    from exchange_cli.load.loader import catalogue_format

    assert [
        catalogue_format(name, "")
        for name in ("c.yaml", "c.JSON", "c.jsonl", "c.NDJSON", "c.ndjson", "c.txt")
    ] == ["yaml", "json", "jsonl", "jsonl", "jsonl", "yaml"]
    assert catalogue_format("<stdin>", '{"programs": []}') == "json"
    assert catalogue_format("<stdin>", "programs: []") == "yaml"


def test_a_flow_in_a_program_whose_parties_have_no_names() -> None:
    from conftest import program_record

    nameless = program_record("a")
    nameless["parties"] = [{"type": "group", "country": None}]
    messages = [message for _, _, _, message in _problems([nameless])]
    assert "'Saudi Arabia' is not a party of this program (parties: none named)" in messages


def test_a_flow_that_is_no_mapping_does_not_end_the_check_of_later_flows() -> None:
    from conftest import program_record

    record = program_record("a")
    record["flows"] = [
        "not a flow",
        {"from": "Nobody", "to": "Saudi Arabia", "what": "x"},
    ]
    messages = [message for _, _, _, message in _problems([record])]
    assert (
        "'Nobody' is not a party of this program (parties: Saudi Arabia, South Korea)" in messages
    )


def test_text_from_standard_input_is_sniffed_and_keeps_its_name(small: Path) -> None:
    from exchange_cli.load.loader import inspect_text

    records = [p.to_dict() for p in load_catalogue(small)]
    for record in records:
        record.pop("related", None)
    text = json.dumps({"programs": records})
    catalogue, report = inspect_text(text, "<stdin>")
    assert report.errors == 0 and catalogue is not None
    assert catalogue.name == "<stdin>" and len(catalogue.programs) == 3


def test_a_name_with_a_line_break_is_echoed_on_one_line() -> None:
    """Found by the fuzz test: a flow mapping folds a blank line into the party's name
    (`S\\naudi Arabia`), which the message listing the parties echoed raw."""
    from exchange_cli.load.loader import check_text

    text = (Path(__file__).parent / "fixtures" / "small.yaml").read_text(encoding="utf-8")
    text = text.replace("{name: Saudi Arabia,", "{name: S\n\naudi Arabia,", 1)
    catalogue, problems = check_text(text, "folded.yaml")
    assert catalogue is None and problems
    assert all("\n" not in str(problem) for problem in problems)
    assert "parties: S\\naudi Arabia, South Korea" in problems[0].message
