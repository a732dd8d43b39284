"""Every output format, read back the way its consumer reads it."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from exchange_cli.load.loader import load_catalogue
from exchange_cli.model.records import FIELDS, program_text
from exchange_cli.render.delimited import defuse_formula
from exchange_cli.render.registry import renderer
from exchange_cli.render.results import Diff, FacetCounts, Listing, Record, Result
from exchange_cli.render.terminal import Environment
from exchange_cli.render.text import flatten, visible

FIXTURE = Path(__file__).parent / "fixtures" / "small.yaml"
GOLDEN = Path(__file__).parent / "golden"


def make_env(*, color: bool = False, width: int = 100, unicode: bool = True) -> Environment:
    return Environment(
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        is_terminal=color,
        color=color,
        width=width,
        unicode=unicode,
    )


def records() -> list[dict[str, Any]]:
    return [p.to_dict() for p in load_catalogue(FIXTURE)]


class _TextAndBytes(io.StringIO):
    """A stdout with a byte stream underneath, as a real one has (for sqlite)."""

    def __init__(self) -> None:
        super().__init__()
        self.buffer = io.BytesIO()


def output(result: Result, fmt: str, **env_options: Any) -> str:
    env = make_env(**env_options)
    env.stdout = _TextAndBytes()
    renderer(fmt, type(result)).render(result, env)
    assert isinstance(env.stdout, _TextAndBytes)
    return env.stdout.getvalue() + env.stdout.buffer.getvalue().decode("latin-1")


def test_json_is_an_array_of_full_records() -> None:
    data = json.loads(output(Listing(records(), FIELDS), "json"))
    assert data == records()
    assert list(data[0]) == list(FIELDS)


def test_json_empty_result_is_an_empty_array() -> None:
    assert json.loads(output(Listing([], FIELDS), "json")) == []


def test_json_single_is_an_object() -> None:
    one = records()[:1]
    assert json.loads(output(Record(one[0], FIELDS), "json")) == one[0]


def test_jsonl_is_one_object_per_line() -> None:
    text = output(Listing(records(), FIELDS), "jsonl")
    assert [json.loads(line) for line in text.splitlines()] == records()


def test_json_is_never_wrapped_even_for_long_values() -> None:
    long = [{"id": "x", "title": "word " * 200}]
    text = output(Listing(long, ("id", "title")), "json", width=40)
    assert json.loads(text)[0]["title"] == "word " * 200


def test_yaml_reads_back_to_the_json_data() -> None:
    text = output(Listing(records(), FIELDS), "yaml")
    assert yaml.safe_load(text) == records()


def test_yaml_quotes_strings_yaml_would_retype() -> None:
    tricky = [{"id": "NO", "title": "1:20", "sectors": ["017", "2024-01-02", "on"]}]
    text = output(Listing(tricky, ("id", "title", "sectors")), "yaml")
    assert yaml.safe_load(text) == tricky


def test_csv_round_trips_through_dictreader() -> None:
    fields = ("id", "title", "sectors", "parties", "flows", "source", "recurrence")
    text = output(Listing(records(), fields, program_text), "csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["id"] for row in rows] == ["alpha-tech", "beta-defense", "gamma-trade"]
    assert rows[0]["sectors"] == "energy; digital-technology"
    assert rows[0]["parties"] == "Saudi Arabia (SA); South Korea (KR)"
    assert rows[0]["flows"].startswith("Saudi Arabia -> South Korea: oil production methods; ")
    assert rows[0]["source"] == "Doc One / Part A"
    assert rows[2]["recurrence"] == ""
    assert text.endswith("\r\n")


def test_csv_quotes_commas_quotes_and_newlines() -> None:
    awkward = [{"id": "a", "title": 'He said "hi", then\nleft'}]
    text = output(Listing(awkward, ("id", "title")), "csv")
    [row] = list(csv.DictReader(io.StringIO(text, newline="")))
    assert row["title"] == 'He said "hi", then\nleft'


def test_tsv_has_a_header_and_one_line_per_record() -> None:
    text = output(Listing(records(), ("id", "title", "sectors")), "tsv")
    lines = text.splitlines()
    assert lines[0] == "id\ttitle\tsectors"
    assert lines[1] == "alpha-tech\tAlpha Technology Exchange\tenergy; digital-technology"
    assert len(lines) == 4


def test_markdown_is_a_github_table() -> None:
    rows = [{"id": "a|b", "title": "x <b>y</b>"}]
    text = output(Listing(rows, ("id", "title")), "markdown")
    lines = text.splitlines()
    assert lines[0] == "| id | title |"
    assert lines[1] == "| --- | --- |"
    assert lines[2] == "| a\\|b | x \\<b\\>y\\<\\/b\\> |"
    for line in lines:
        assert line.startswith("| ") and line.endswith(" |")


def test_markdown_links_no_github_mention_or_issue() -> None:
    """GitHub links `@name` and `#12` even after `\\@` and `\\#` (github/markup#1168):
    each is broken by a zero-width space, which renders as nothing."""
    rows = [{"id": "a", "title": "@octocat fixed #12, GH-3 and o/r#4; #x and a@"}]
    text = output(Listing(rows, ("id", "title")), "markdown")
    cell = text.splitlines()[2].split(" | ")[1]
    assert cell == (
        "\\@&#8203;octocat fixed \\#&#8203;12\\, GH\\-&#8203;3 and o\\/r\\#&#8203;4\\; "
        "\\#x and a\\@&#8203; |"
    )


def test_table_matches_the_golden_file() -> None:
    fields = ("id", "title", "kind", "sectors", "evidence")
    text = output(Listing(records(), fields), "table", width=100)
    assert "\x1b" not in text
    assert text == (GOLDEN / "list-table.txt").read_text(encoding="utf-8")


def test_table_uses_ascii_when_the_output_cannot_show_unicode() -> None:
    long = [{**r, "title": r["title"] * 8} for r in records()]
    text = output(Listing(long, ("id", "title", "sectors")), "table", unicode=False, width=60)
    assert text.isascii()
    assert "~" in text  # where Rich cuts with "…"


def test_layout_keeps_identifiers_whole_and_leaves_out_the_least_important() -> None:
    """Titles get the width before kinds and sectors: at 80 columns a title keeps at
    least 30 cells beside a 28-character id, at 120 at least 50; evidence (needed)
    comes in while the title keeps its floor, kind and sectors (extras) only while it
    keeps 50."""
    from exchange_cli.render.layout import Column, fit, fit_wide

    columns = [
        Column("id", 28),
        Column("title", 77),
        Column("kind", 27),
        Column("sectors", 67, 19),
        Column("evidence", 12),
    ]
    at = {width: fit(columns, width) for width in (60, 80, 120, 200)}
    for width, layout in at.items():
        assert layout.width <= width and layout.fits
        assert layout.widths["id"] == 28  # whole at every width from 60 up
    assert at[60].hidden == ("kind", "sectors", "evidence") and at[60].widths["title"] == 30
    assert at[80].hidden == ("kind", "sectors") and at[80].widths["title"] == 36
    assert at[120].hidden == ("kind", "sectors") and at[120].widths["title"] >= 50
    assert at[200].hidden == () and at[200].widths["kind"] == 27
    assert at[200].widths["title"] >= 50 and at[200].widths["sectors"] >= 20
    longer = fit([Column("id", 44), *columns[1:]], 60)  # the title would get 14: blocks
    assert not longer.fits
    wide = fit_wide(columns, 80)
    assert wide.hidden == () and wide.widths["sectors"] == 19  # wraps between values
    assert wide.widths["kind"] == 27 and not wide.fits  # whole: too wide, so blocks
    assert fit_wide(columns, 200).fits
    cramped = fit([Column("id", 200), Column("title", 50)], 60)  # a hostile id
    assert cramped.width == 60 and not cramped.fits  # blocks, which fold it


def test_a_list_column_is_cut_between_values() -> None:
    rows = [{"id": "a", "title": "T" * 90, "sectors": ["agriculture", "energy", "defense"]}]
    text = output(Listing(rows, ("id", "title", "sectors")), "table", width=80)
    assert "agriculture; …" in text or "agriculture; energy; …" in text
    assert "agri…" not in text and "energ…" not in text


def test_table_with_colour_writes_escape_codes() -> None:
    text = output(Listing(records(), ("id", "evidence")), "table", color=True)
    assert "\x1b[" in text


def test_program_detail_draws_flows_as_arrows() -> None:
    one = records()[:1]
    text = output(Record(one[0], FIELDS), "table")
    assert "Saudi Arabia → South Korea: oil production methods" in text
    assert "Parties" in text and "Benefits" in text and "Doc One / Part A" in text


def test_facet_bars_have_a_readable_length_and_countries_their_names() -> None:
    rows = [
        {"facet": "country", "value": "SA", "count": 9},
        {"facet": "country", "value": "KR", "count": 3},
    ]
    text = output(FacetCounts(rows, ("facet", "value", "count")), "table", width=200)
    lines = text.splitlines()
    assert lines[1].startswith("Saudi Arabia (SA)") and lines[2].startswith("South Korea (KR)")
    assert lines[1].count("█") == 40 and lines[2].count("█") == 13
    assert all(line == line.rstrip() for line in lines)


def test_facet_bars() -> None:
    rows = [
        {"facet": "sector", "value": "defense", "count": 4},
        {"facet": "sector", "value": "energy", "count": 2},
        {"facet": "sector", "value": "agriculture", "count": 0},
    ]
    text = output(FacetCounts(rows, ("facet", "value", "count")), "table", width=60)
    lines = [line.rstrip() for line in text.splitlines()]
    assert lines[0] == "by sector"
    defense, energy = lines[1], lines[2]
    assert abs(defense.count("█") - 2 * energy.count("█")) <= 1
    assert lines[3].startswith("agriculture") and "█" not in lines[3]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
        ("a\u202eb", "a\\u202eb"),
        ("tab\there", "tab\\there"),
        ("\x9b31m", "\\x9b31m"),
        ("del\x7f", "del\\x7f"),
        ("plain é text", "plain é text"),
    ],
)
def test_visible_escapes_controls_and_bidi(raw: str, shown: str) -> None:
    assert visible(raw) == shown


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_defused(cell: str) -> None:
    assert defuse_formula(cell) == "'" + cell


def test_flatten_nested_fields() -> None:
    assert flatten(None) == ""
    assert flatten(["a", "b"]) == "a; b"
    assert program_text("parties", [{"name": "X", "type": "group", "country": None}]) == "X"
    assert program_text("source", {"document": "D", "section": "S"}) == "D / S"
    assert flatten(3) == "3"


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_table_never_overflows_the_terminal(width: int) -> None:
    from rich.cells import cell_len

    shipped = [p.to_dict() for p in load_catalogue()]
    fields = ("id", "title", "kind", "sectors", "evidence")
    text = output(Listing(shipped, fields), "table", width=width)
    assert max(cell_len(line) for line in text.splitlines()) <= width


def sample(kind: type) -> Result:
    """A small result of each kind, from the fixture catalogue."""
    from exchange_cli.errors import Problem
    from exchange_cli.render.results import Export, GraphView, Problems

    if kind is Listing:
        return Listing(records(), FIELDS, program_text)
    if kind is Record:
        return Record({**records()[0], "related": []}, (*FIELDS, "related"), program_text)
    if kind is FacetCounts:
        return FacetCounts(
            [{"facet": "sector", "value": "energy", "count": 2}], ("facet", "value", "count")
        )
    if kind is GraphView:
        nodes = [
            {
                "id": "sa",
                "name": "Saudi Arabia",
                "type": "country",
                "country": "SA",
                "programs": ["a"],
            },
            {
                "id": "kr",
                "name": "South Korea",
                "type": "country",
                "country": "KR",
                "programs": ["a"],
            },
        ]
        edges = [{"source": "sa", "target": "kr", "kind": "flow", "label": "oil", "program": "a"}]
        tree = [
            {
                "party": nodes[0],
                "partners": [
                    {
                        "partner": nodes[1],
                        "programs": [
                            {"program": "a", "title": "A", "gives": ["oil"], "receives": []}
                        ],
                    }
                ],
            }
        ]
        return GraphView(nodes, edges, tuple(edges[0]), tree)
    if kind is Problems:
        return Problems([Problem("f.yaml", 1, 2, "programs[0]", "wrong")], Problem._fields)
    if kind is Export:
        from exchange_cli.cli.export import build_page
        from exchange_cli.query.filters import Criteria
        from exchange_cli.query.memory import MemoryRecords

        return Export(build_page(MemoryRecords(load_catalogue(FIXTURE)), Criteria(), "test"))
    if kind is Diff:
        from exchange_cli.model.records import Catalogue
        from exchange_cli.query.changes import CHANGE_FIELDS, compare_catalogues

        full = load_catalogue(FIXTURE)
        changes = compare_catalogues(Catalogue(full.programs[1:], "old"), full)
        return Diff(changes, CHANGE_FIELDS)
    raise AssertionError(kind)


def every_pair() -> list[tuple[str, type]]:
    from exchange_cli.render.registry import RENDERERS

    return [(r.name, kind) for r in RENDERERS for kind in r.kinds]


@pytest.mark.parametrize(("fmt", "kind"), every_pair(), ids=lambda v: getattr(v, "__name__", v))
def test_every_format_renders_every_kind_it_promises(fmt: str, kind: type) -> None:
    text = output(sample(kind), fmt, width=100)
    assert text.strip(), (fmt, kind)


def test_each_commands_format_option_lists_the_registrys_formats() -> None:
    import typer

    from exchange_cli.cli import commands as cli
    from exchange_cli.render.registry import formats_for

    group = typer.main.get_command(cli.app)
    specs = {
        "list": cli.LIST,
        "show": cli.SHOW,
        "search": cli.SEARCH,
        "summarize": cli.SUMMARY,
        "flows": cli.FLOWS,
        "graph": cli.GRAPH,
        "validate": cli.PROBLEMS,
        "export": cli.EXPORT,
        "diff": cli.DIFF,
    }
    for name, spec in specs.items():
        command = group.commands[name]  # type: ignore[attr-defined]
        [option] = [p for p in command.params if "--format" in p.opts]
        assert option.help.startswith(", ".join(formats_for(spec.kind)) + "."), name


# -- found by mutation testing (mutmut): behaviour no test pinned ----------------------------


def test_tsv_and_markdown_spell_out_nested_fields_as_csv_does() -> None:
    fields = ("id", "parties", "flows", "source")
    tsv = output(Listing(records(), fields, program_text), "tsv").splitlines()
    assert tsv[1] == (
        "alpha-tech\tSaudi Arabia (SA); South Korea (KR)\t"
        "Saudi Arabia -> South Korea: oil production methods; "
        "South Korea -> Saudi Arabia: chip manufacturing\tDoc One / Part A"
    )
    markdown = output(Listing(records(), fields, program_text), "markdown").splitlines()
    assert len(markdown) == 5 and all(r.startswith("| ") and r.endswith(" |") for r in markdown)
    assert markdown[2] == (
        "| alpha\\-tech | Saudi Arabia \\(SA\\)\\; South Korea \\(KR\\) | "
        "Saudi Arabia \\-\\> South Korea\\: oil production methods\\; "
        "South Korea \\-\\> Saudi Arabia\\: chip manufacturing | Doc One \\/ Part A |"
    )


def test_tsv_defuses_formulas_but_not_counts() -> None:
    rows = [{"id": '=HYPERLINK("http://x")', "title": "@SUM(A1)", "count": -3}]
    text = output(Listing(rows, ("id", "title", "count")), "tsv")
    assert text.splitlines()[1] == "'=HYPERLINK(\"http://x\")\t'@SUM(A1)\t-3"


def test_yaml_keeps_the_record_s_field_order_in_block_style() -> None:
    text = output(Listing(records()[:1], FIELDS), "yaml")
    keys = [m.group(1) for m in re.finditer(r"^(?:- |  )([a-z_]+):", text, re.MULTILINE)]
    assert keys == list(FIELDS)
    assert "  sectors:\n  - energy\n  - digital-technology\n" in text


def test_json_is_indented_for_a_person_and_one_record_a_line_when_piped() -> None:
    one = records()[0]
    assert output(Record(one, FIELDS), "json", color=True).startswith('{\n  "id": "alpha-tech",\n')
    listing = output(Listing(records(), FIELDS), "json", color=True)
    assert listing.startswith('[\n  {\n    "id": "alpha-tech",\n')
    piped = output(Listing(records(), FIELDS), "json").splitlines()
    assert [piped[0], piped[-1]] == ["[", "]"] and len(piped) == 5
    assert json.loads(piped[1].rstrip(",")) == one


@pytest.mark.parametrize("fmt", ["json", "jsonl", "yaml"])
def test_structured_output_is_ascii_when_the_output_cannot_show_unicode(fmt: str) -> None:
    rows = [{"id": "sao", "title": "São Paulo – Zürich"}]
    for result in (Listing(rows, ("id", "title")), Record(rows[0], ("id", "title"))):
        if fmt == "jsonl" and isinstance(result, Record):
            continue
        text = output(result, fmt, unicode=False)
        assert text.isascii(), text
        data = yaml.safe_load(text) if fmt != "jsonl" else json.loads(text)
        assert "São Paulo – Zürich" in str(data)
        assert not output(result, fmt, unicode=True).isascii()
        assert not output(result, fmt, unicode=True, color=True).isascii()


def test_validate_text_marks_warnings_and_github_escapes_them(tmp_path: Path) -> None:
    from exchange_cli.errors import Problem
    from exchange_cli.render.results import Problems

    problems = Problems(
        [
            Problem("a.yaml", 3, 5, "programs[0].flows", "odd", "warning"),
            Problem("b:c,d.yaml", 4, None, "programs[1].x:y,z", "100%\r\nsure"),
        ],
        ("file", "line", "column", "path", "message", "severity"),
    )
    assert output(problems, "text").splitlines() == [
        "warning: a.yaml:3:5: programs[0].flows: odd",
        "b:c,d.yaml:4: programs[1].x:y,z: 100%\\r\\nsure",
    ]
    assert output(problems, "github").splitlines() == [
        "::warning file=a.yaml,line=3,col=5,title=programs[0].flows::odd",
        "::error file=b%3Ac%2Cd.yaml,line=4,title=programs[1].x%3Ay%2Cz::100%25\\r\\nsure",
    ]


def test_list_json_is_indented_on_a_terminal_from_either_source(run: Any) -> None:
    """The store hands over records' stored JSON text; a terminal still gets it indented."""
    for _ in range(2):  # the first run compiles the cache, the second reads the store
        result = run("list", "--data", str(FIXTURE), "--format", "json", tty=True)
        assert result.stdout.startswith('[\n  {\n    "id": "alpha-tech",\n'), result.stdout


def test_a_terminal_table_spells_out_nested_fields_wide_or_stacked(run: Any) -> None:
    args = ("list", "--data", str(FIXTURE), "--fields", "id,parties,source", "--no-color")
    wide = run(*args, tty=True, env={"COLUMNS": "200"}).stdout
    assert "alpha-tech    Saudi Arabia (SA); South Korea (KR)  Doc One / Part A" in wide
    narrow = run(*args, tty=True, env={"COLUMNS": "24"}).stdout
    assert "│" not in narrow  # too narrow for columns: one block per record
    assert [line.rstrip() for line in narrow.splitlines()[:6]] == [
        "id      alpha-tech",
        "parties Saudi Arabia",
        "        (SA); South",
        "        Korea (KR)",
        "source  Doc One / Part A",
        "",
    ]


# -- found by the second mutation pass -------------------------------------------------------


def _stored(rows: list[dict[str, Any]]) -> list[Any]:
    """Records as the store hands them over: their JSON text, non-ASCII kept."""
    from exchange_cli.model.records import JsonRecord

    return [JsonRecord(json.dumps(row, ensure_ascii=False)) for row in rows]


def test_json_on_a_terminal_that_cannot_show_unicode_is_ascii() -> None:
    rows = [{"id": "sao", "title": "São Paulo – Zürich"}]
    text = output(Listing(rows, ("id", "title")), "json", unicode=False, color=True)
    assert text.isascii() and json.loads(text) == rows
    assert text.startswith("[\n  {\n")  # indented: the terminal layout


def test_stored_records_print_as_asked_ascii_and_only_the_fields_asked() -> None:
    """The store's records are printed from their own JSON text only when that is
    exactly what encoding them would write: whole records, to an output that takes
    Unicode."""
    rows = records()
    rows[0]["title"] = "São Paulo – Zürich"
    whole = output(Listing(_stored(rows), FIELDS), "json")
    assert json.loads(whole) == rows and "São Paulo" in whole
    ascii_only = output(Listing(_stored(rows), FIELDS), "json", unicode=False)
    assert ascii_only.isascii() and json.loads(ascii_only) == rows
    some = output(Listing(_stored(rows), ("id", "title")), "json")
    assert json.loads(some) == [{"id": r["id"], "title": r["title"]} for r in rows]


def test_jsonl_lines_are_compact() -> None:
    text = output(Listing(records(), ("id", "kind")), "jsonl")
    assert text.splitlines()[0] == '{"id":"alpha-tech","kind":"technology-exchange"}'


def test_yaml_never_folds_a_long_line() -> None:
    long = "word " * 100 + "end"
    text = output(Listing([{"id": "x", "title": long}], ("id", "title")), "yaml")
    assert text == f"- id: x\n  title: {long}\n"


def test_sorting_or_cutting_a_listing_keeps_how_it_reads(run: Any) -> None:
    """`--limit` cuts the rows before the listing is made: nested fields still read the
    declaration's way, and search words are still highlighted."""
    args = ("list", "--data", str(FIXTURE), "--format", "csv", "--fields", "id,parties,flows")
    assert run(*args).stdout == run(*args, "--limit", "9").stdout
    search = ("search", "chip", "--data", str(FIXTURE), "--fields", "id,flows")
    highlighted = run(*search, tty=True).stdout
    assert "\x1b[1;33mchip\x1b[0m" in highlighted
    assert run(*search, "--limit", "9", tty=True).stdout == highlighted


def test_one_record_as_a_row_reads_the_declaration_s_way(run: Any) -> None:
    shown = run("show", "alpha-tech", "--data", str(FIXTURE), "--format", "csv").stdout
    row = next(csv.DictReader(io.StringIO(shown)))
    assert row["parties"] == "Saudi Arabia (SA); South Korea (KR)"
    assert row["source"] == "Doc One / Part A"


def test_the_not_shown_line_keeps_its_hint_and_counts_what_it_cannot_name() -> None:
    from exchange_cli.render.table import _not_shown

    hidden = ["from_country", "to_country", "program", "title"]
    assert _not_shown(hidden, 200) == (
        "not shown: from_country, to_country, program, title (see --wide)"
    )
    assert _not_shown(hidden, 60) == "not shown: from_country, to_country and 2 more (see --wide)"
    assert _not_shown(hidden, 30) == "not shown: 4 columns (see --wide)"
