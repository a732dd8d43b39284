"""The `exchange` command: parse options, then load → query → render.

This module stays thin: no filtering, formatting or YAML here. Expected failures are
exceptions (`errors.py`) turned into one stderr line and an exit code in `main()`.
"""

import contextlib
import errno
import gc
import os
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer
from typer import _click as click  # typer vendors click; its exceptions are what it raises

from exchange_cli import __version__, query, vocab
from exchange_cli.errors import (
    CatalogueError,
    ExchangeError,
    ExitCode,
    NotFoundError,
    OutputClosed,
    OutputFailed,
    Problem,
    UsageError,
)
from exchange_cli.model import FIELDS, Facets
from exchange_cli.render import Listing, OutputFormat, Shape
from exchange_cli.terminal import Environment, output_error

if TYPE_CHECKING:
    from exchange_cli import search as search_terms
    from exchange_cli.model import Catalogue

EXIT_CODES_HELP = (
    "Exit codes: 0 success (an empty result is success) · 1 not found, or validation "
    "found problems · 2 usage error · 3 the catalogue cannot be read or is invalid · "
    "4 the output cannot be written · 130 interrupted · 141 output pipe closed early."
)
ENVIRONMENT_HELP = (
    "Environment: EXCHANGE_DATA (catalogue file), NO_COLOR, FORCE_COLOR, "
    "EXCHANGE_MAX_BYTES (size cap, default 64 MiB), EXCHANGE_DEBUG=1 (tracebacks), "
    "EXCHANGE_NO_CACHE=1 (no cache), XDG_CACHE_HOME (where the cache lives)."
)

APP_SETTINGS: dict[str, Any] = {
    "name": "exchange",
    "help": (
        "A terminal catalogue of international cooperation and exchange programs.\n\n"
        "exchange list --sector defense\n\n"
        "exchange show saudi-korea-technology-exchange\n\n"
        "exchange list --country SA --format json | jq '.[].title'"
    ),
    "epilog": f"{EXIT_CODES_HELP}\n\n{ENVIRONMENT_HELP}",
    "no_args_is_help": True,
    "rich_markup_mode": "rich",
    "pretty_exceptions_enable": False,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(**APP_SETTINGS)

COMPACT_FIELDS = ("id", "title", "kind", "sectors", "evidence")
TABULAR_FORMATS = {OutputFormat.TABLE, OutputFormat.TSV, OutputFormat.MARKDOWN}
FACET_FIELDS = ("facet", "value", "count")
SHOW_FIELDS = (*FIELDS, "related")
SEARCH_FIELDS = ("score", *FIELDS)
SEARCH_COMPACT = ("score", "id", "title", "kind", "sectors", "evidence")
PROBLEM_FIELDS = ("file", "line", "column", "path", "message", "severity")


# -- completion (runs on every Tab: keep it to vocabularies and one catalogue load) --------


def _complete_terms(
    vocabulary: vocab.Vocabulary, incomplete: str, *, aliases: bool = True
) -> list[tuple[str, str]]:
    return list(vocabulary.complete(incomplete, aliases=aliases))


def complete_sector(incomplete: str) -> list[tuple[str, str]]:
    return _complete_terms(vocab.SECTORS, incomplete)


def complete_kind(incomplete: str) -> list[tuple[str, str]]:
    return _complete_terms(vocab.KINDS, incomplete)


def complete_evidence(incomplete: str) -> list[tuple[str, str]]:
    return _complete_terms(vocab.EVIDENCE, incomplete)


def complete_country(incomplete: str) -> list[tuple[str, str]]:
    """ISO codes only (names have spaces, which shells split); the name is the help text."""
    return _complete_terms(vocab.countries(), incomplete, aliases=False)


def complete_facet(incomplete: str) -> list[str]:
    return [f for f in query.FACETS if f.startswith(incomplete.lower())]


def complete_fields(ctx: typer.Context, incomplete: str) -> list[str]:
    """Field names for --fields, continuing after the last comma."""
    done, _, current = incomplete.rpartition(",")
    prefix = f"{done}," if done else ""
    chosen = set(done.split(",")) if done else set()
    available = _fields_for(ctx.info_name or "")
    return [prefix + f for f in available if f.startswith(current) and f not in chosen]


def complete_sort(ctx: typer.Context, incomplete: str) -> list[str]:
    return [f for f in _fields_for(ctx.info_name or "") if f.startswith(incomplete)]


def complete_program_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    try:
        data = ctx.params.get("data")  # may still be the raw string while completing
        catalogue = _load(Path(data) if data else None, bool(ctx.params.get("no_cache")))
    except ExchangeError:
        return []
    wanted = incomplete.lower()
    return [(p.id, p.title) for p in catalogue if p.id.startswith(wanted)]


def _fields_for(command: str) -> tuple[str, ...]:
    from exchange_cli.network import EDGE_FIELDS, FLOW_ROW_FIELDS

    return {
        "summarize": FACET_FIELDS,
        "validate": PROBLEM_FIELDS,
        "show": SHOW_FIELDS,
        "search": SEARCH_FIELDS,
        "flows": FLOW_ROW_FIELDS,
        "graph": EDGE_FIELDS,
    }.get(command, FIELDS)


# -- shared options: declared once, used by every command that prints data ----------------

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        envvar="EXCHANGE_DATA",
        help="Catalogue file to read instead of the shipped one.",
        show_default=False,
        dir_okay=True,
    ),
]
FormatOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format. Default: table on a terminal, tsv when piped.",
        show_default=False,
        case_sensitive=False,
    ),
]
NoCacheOption = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Read the catalogue afresh, ignoring the cache of validated catalogues "
        "(also: EXCHANGE_NO_CACHE=1).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")]
FieldsOption = Annotated[
    str | None,
    typer.Option(
        "--fields",
        help="Comma-separated fields to print, in order (e.g. id,title,sectors).",
        autocompletion=complete_fields,
        show_default=False,
    ),
]
SortOption = Annotated[
    str | None,
    typer.Option("--sort", help="Sort by this field.", autocompletion=complete_sort),
]
ReverseOption = Annotated[bool, typer.Option("--reverse", help="Reverse the order.")]
LimitOption = Annotated[
    int | None, typer.Option("--limit", min=0, help="Print at most N records.", show_default=False)
]
NoColorOption = Annotated[
    bool, typer.Option("--no-color", help="No colour (also: NO_COLOR=1, TERM=dumb, a pipe).")
]
SectorOption = Annotated[
    list[str] | None,
    typer.Option(
        "--sector",
        "-s",
        help="Sector, e.g. defense (aliases: defence, military). Repeat to OR.",
        autocompletion=complete_sector,
        show_default=False,
    ),
]
KindOption = Annotated[
    list[str] | None,
    typer.Option(
        "--kind",
        "-k",
        help="Program kind, e.g. technology-exchange. Repeat to OR.",
        autocompletion=complete_kind,
        show_default=False,
    ),
]
CountryOption = Annotated[
    list[str] | None,
    typer.Option(
        "--country",
        "-c",
        help="Country code or name: SA, KSA, 'Saudi Arabia'. Repeat to OR.",
        autocompletion=complete_country,
        show_default=False,
    ),
]
PartyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--party",
        "-p",
        help="Part of any party's name, organizations included (e.g. alibaba). Repeat to OR.",
        show_default=False,
    ),
]
EvidenceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--evidence",
        "-e",
        help="reported, illustrative or hypothetical. Repeat to OR.",
        autocompletion=complete_evidence,
        show_default=False,
    ),
]


class OutputPlan(NamedTuple):
    """The output options, checked before any work is done."""

    fmt: OutputFormat
    fields: tuple[str, ...]
    sort: str | None
    reverse: bool
    limit: int | None
    env: Environment


def plan_output(
    *,
    fmt: OutputFormat | None,
    as_json: bool,
    fields: str | None,
    sort: str | None,
    reverse: bool,
    limit: int | None,
    no_color: bool,
    available: tuple[str, ...],
    compact: tuple[str, ...] | None = None,
) -> OutputPlan:
    """Resolve format, fields and sort for one command; unknown names are usage errors."""
    if as_json and fmt not in (None, OutputFormat.JSON):
        raise UsageError(f"--json and --format {fmt.value} disagree; use one of them")
    env = Environment.detect(no_color=no_color)
    chosen = OutputFormat.JSON if as_json else fmt
    if chosen is None:
        chosen = OutputFormat.TABLE if env.is_terminal else OutputFormat.TSV
    if fields is not None:
        selected = tuple(f.strip() for f in fields.split(",") if f.strip())
        unknown = [f for f in selected if f not in available]
        if not selected:
            raise UsageError(f"--fields needs at least one of: {', '.join(available)}")
        if unknown:
            import difflib

            close = difflib.get_close_matches(unknown[0], available, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise UsageError(
                f"unknown field{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(repr(u) for u in unknown)} for --fields; "
                f"{hint}valid fields: {', '.join(available)}"
            )
        selected = tuple(dict.fromkeys(selected))
    elif compact is not None and chosen in TABULAR_FORMATS:
        selected = compact
    else:
        selected = available
    if sort is not None and sort not in available:
        raise UsageError(
            f"unknown field '{sort}' for --sort; valid fields: {', '.join(available)}"
        )
    return OutputPlan(chosen, selected, sort, reverse, limit, env)


def emit(
    plan: OutputPlan,
    records: Sequence[Mapping[str, Any]],
    shape: Shape,
    *,
    single: bool = False,
    highlight: tuple[str, ...] = (),
) -> None:
    """Order, cut and render records as planned."""
    from exchange_cli.render import render

    ordered = query.order_records(records, sort=plan.sort, reverse=plan.reverse, limit=plan.limit)
    if not ordered and plan.fmt is OutputFormat.TABLE:
        _say_nothing_matched(plan.env)
        return
    render(Listing(ordered, plan.fields, shape, single, highlight), plan.fmt, plan.env)


def _say_nothing_matched(env: Environment) -> None:
    """On a terminal an empty table says nothing; say it on stderr instead (scripts get
    their empty `[]` or header row, and exit 0, as usual)."""
    env.stderr.write("exchange: nothing matches\n")


def _load(data: Path | None, no_cache: bool = False) -> "Catalogue":
    from exchange_cli import cache
    from exchange_cli.loader import load_catalogue

    return load_catalogue(data, use_cache=cache.enabled(no_cache))


def _criteria(
    sector: list[str] | None,
    kind: list[str] | None,
    country: list[str] | None,
    party: list[str] | None,
    evidence: list[str] | None,
) -> query.Criteria:
    return query.resolve_criteria(
        sectors=sector or (),
        kinds=kind or (),
        countries=country or (),
        parties=party or (),
        evidence=evidence or (),
    )


# -- commands ------------------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        typer.echo(f"exchange {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """A terminal catalogue of international cooperation and exchange programs."""


@app.command("list")
def list_programs(
    sector: SectorOption = None,
    kind: KindOption = None,
    country: CountryOption = None,
    party: PartyOption = None,
    evidence: EvidenceOption = None,
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    fmt: FormatOption = None,
    as_json: JsonOption = False,
    fields: FieldsOption = None,
    sort: SortOption = None,
    reverse: ReverseOption = False,
    limit: LimitOption = None,
    no_color: NoColorOption = False,
) -> None:
    """List programs, optionally filtered.

    exchange list --sector defense

    exchange list --country KR --country JP --evidence reported --format json

    Repeating an option ORs its values; different options AND.
    """
    plan = plan_output(
        fmt=fmt,
        as_json=as_json,
        fields=fields,
        sort=sort,
        reverse=reverse,
        limit=limit,
        no_color=no_color,
        available=FIELDS,
        compact=COMPACT_FIELDS,
    )
    criteria = _criteria(sector, kind, country, party, evidence)
    emit(plan, query.select_records(_load(data, no_cache), criteria), "programs")


@app.command()
def show(
    program_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The program's id.",
            autocompletion=complete_program_id,
        ),
    ],
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    fmt: FormatOption = None,
    as_json: JsonOption = False,
    fields: FieldsOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Show one program in full: parties, flows, benefits, evidence and source.

    exchange show saudi-korea-technology-exchange

    exchange show malaysia-digital-free-trade-zone --json
    """
    plan = plan_output(
        fmt=fmt,
        as_json=as_json,
        fields=fields,
        sort=None,
        reverse=False,
        limit=None,
        no_color=no_color,
        available=SHOW_FIELDS,
    )
    catalogue = _load(data, no_cache)
    program = catalogue.get(program_id)
    if program is None:
        raise NotFoundError(_unknown_id_message(program_id, catalogue))
    record = {**program.to_dict(), "related": query.related_programs(program, catalogue)}
    emit(plan, [record], "program", single=True)


def _unknown_id_message(program_id: str, catalogue: "Catalogue") -> str:
    wanted = program_id.strip().lower()
    ids = catalogue.ids()
    import difflib

    close = difflib.get_close_matches(wanted, ids, n=3, cutoff=0.6)
    close += [i for i in ids if wanted and wanted in i and i not in close][: 3 - len(close)]
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"no program with id '{program_id}'{hint} (see 'exchange list')"


@app.command()
def summarize(
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            help=f"Count only this facet: {', '.join(query.FACETS)}. Repeatable.",
            autocompletion=complete_facet,
            show_default=False,
        ),
    ] = None,
    sector: SectorOption = None,
    kind: KindOption = None,
    country: CountryOption = None,
    party: PartyOption = None,
    evidence: EvidenceOption = None,
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    fmt: FormatOption = None,
    as_json: JsonOption = False,
    fields: FieldsOption = None,
    sort: SortOption = None,
    reverse: ReverseOption = False,
    limit: LimitOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Count programs per sector, kind, evidence level and country, drawn as bars.

    exchange summarize

    exchange summarize --by sector --evidence reported --format json
    """
    facets = tuple(dict.fromkeys(_facet(name) for name in by or query.FACETS))
    plan = plan_output(
        fmt=fmt,
        as_json=as_json,
        fields=fields,
        sort=sort,
        reverse=reverse,
        limit=limit,
        no_color=no_color,
        available=FACET_FIELDS,
    )
    criteria = _criteria(sector, kind, country, party, evidence)
    matching = query.select_facets(_load(data, no_cache), criteria)
    emit(plan, query.facet_counts(matching, facets), "facets")


@app.command()
def search(
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY...", help="Words (prefixes match) and quoted phrases; all must match."
        ),
    ],
    sector: SectorOption = None,
    kind: KindOption = None,
    country: CountryOption = None,
    party: PartyOption = None,
    evidence: EvidenceOption = None,
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    fmt: FormatOption = None,
    as_json: JsonOption = False,
    fields: FieldsOption = None,
    sort: SortOption = None,
    reverse: ReverseOption = False,
    limit: LimitOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Search titles, summaries, flows, benefits, parties, kinds and sectors, best match first.

    exchange search petroleum

    exchange search petro korea --json

    exchange search "digital technology" --evidence reported
    """
    from exchange_cli import search as text_search

    plan = plan_output(
        fmt=fmt,
        as_json=as_json,
        fields=fields,
        sort=sort,
        reverse=reverse,
        limit=limit,
        no_color=no_color,
        available=SEARCH_FIELDS,
        compact=SEARCH_COMPACT,
    )
    terms = text_search.parse_query(words)
    if not terms:
        raise UsageError("give at least one word to search for")
    criteria = _criteria(sector, kind, country, party, evidence)
    catalogue = _load(data, no_cache)
    hits = text_search.search_programs(query.select(catalogue, criteria), terms)
    if not hits:
        plan.env.stderr.write(_printable(_no_match_hint(catalogue, terms)) + "\n")
    records = [{"score": score, **program.to_dict()} for program, score in hits]
    highlight = tuple(word for term in terms for word in term.words)
    emit(plan, records, "programs", highlight=highlight)


def _no_match_hint(catalogue: "Catalogue", terms: Sequence["search_terms.Term"]) -> str:
    from exchange_cli import search as text_search

    wanted = " ".join(f'"{t.text}"' if len(t.words) > 1 else t.text for t in terms)
    missing = [t for t in terms if not text_search.search_programs(catalogue, [t])]
    if not missing:
        return (
            f"exchange: no program matches all of '{wanted}' (each word matches some "
            "program on its own); try fewer words"
        )
    close = text_search.closest_words(catalogue, missing)
    hint = f"; the catalogue has: {', '.join(close)}" if close else ""
    absent = ", ".join(t.text for t in missing)
    return f"exchange: no programs match '{wanted}': nothing contains '{absent}'{hint}"


@app.command()
def flows(
    giver: Annotated[
        list[str] | None,
        typer.Option(
            "--from",
            help="Giving side: country code, country or party name, or alias (SA, KSA); "
            "repeat to allow several.",
            autocompletion=complete_country,
            show_default=False,
        ),
    ] = None,
    receiver: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            help="Receiving side: country code, country or party name, or alias; "
            "repeat to allow several.",
            autocompletion=complete_country,
            show_default=False,
        ),
    ] = None,
    sector: SectorOption = None,
    kind: KindOption = None,
    country: CountryOption = None,
    party: PartyOption = None,
    evidence: EvidenceOption = None,
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    fmt: FormatOption = None,
    as_json: JsonOption = False,
    fields: FieldsOption = None,
    sort: SortOption = None,
    reverse: ReverseOption = False,
    limit: LimitOption = None,
    no_color: NoColorOption = False,
) -> None:
    """What flows from whom to whom: one row per directional flow.

    exchange flows --to "Saudi Arabia"

    exchange flows --from KR --format json

    exchange flows --sector defense
    """
    from exchange_cli import network

    plan = plan_output(
        fmt=fmt,
        as_json=as_json,
        fields=fields,
        sort=sort,
        reverse=reverse,
        limit=limit,
        no_color=no_color,
        available=network.FLOW_ROW_FIELDS,
    )
    criteria = _criteria(sector, kind, country, party, evidence)
    catalogue = _load(data, no_cache)
    parties = network.all_parties(catalogue)
    source = network.party_matcher(giver, parties) if giver else None
    target = network.party_matcher(receiver, parties) if receiver else None
    if any(m is not None and not m.texts for m in (source, target)):
        raise UsageError("--from and --to need a country or a party name")
    rows = network.flow_rows(query.select(catalogue, criteria), source, target)
    names = sorted({p.name for p in parties})
    for matcher in (m for m in (source, target) if m is not None):
        for text in matcher.unmatched(parties):  # a typo among several values, too
            import difflib

            close = difflib.get_close_matches(text, names, n=2, cutoff=0.5)
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            plan.env.stderr.write(_printable(f"exchange: no party matches '{text}'{hint}") + "\n")
    emit(plan, rows, "flows")


class GraphFormat(StrEnum):
    """Formats of `exchange graph`: the common ones plus two graph languages."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"
    YAML = "yaml"
    MARKDOWN = "markdown"
    MERMAID = "mermaid"
    DOT = "dot"


@app.command()
def graph(
    sector: SectorOption = None,
    kind: KindOption = None,
    country: CountryOption = None,
    party: PartyOption = None,
    evidence: EvidenceOption = None,
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    fmt: Annotated[
        GraphFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="table (a tree), json/yaml ({nodes, edges}), mermaid, dot; "
            "csv, tsv, jsonl, markdown list the edges.",
            show_default=False,
            case_sensitive=False,
        ),
    ] = None,
    as_json: JsonOption = False,
    fields: FieldsOption = None,
    sort: SortOption = None,
    reverse: ReverseOption = False,
    limit: LimitOption = None,
    no_color: NoColorOption = False,
) -> None:
    """The partnership network: parties, what flows between them, and who works with whom.

    exchange graph

    exchange graph --format mermaid

    exchange graph --format dot | dot -Tsvg > network.svg
    """
    from exchange_cli import network
    from exchange_cli.render import graph as graph_render

    special = fmt in (GraphFormat.MERMAID, GraphFormat.DOT)
    plan = plan_output(
        fmt=None if fmt is None or special else OutputFormat(fmt.value),
        as_json=as_json,
        fields=fields,
        sort=sort,
        reverse=reverse,
        limit=limit,
        no_color=no_color,
        available=network.EDGE_FIELDS,
    )
    if fields is not None and (special or plan.fmt is OutputFormat.TABLE):
        raise UsageError(
            "--fields picks the columns of an edge listing (json, jsonl, yaml, csv, tsv, "
            "markdown); the tree, mermaid and dot draw whole edges"
        )
    criteria = _criteria(sector, kind, country, party, evidence)
    built = network.build_graph(query.select(_load(data, no_cache), criteria))
    if sort is not None or reverse or limit is not None:
        ordered = query.order_records(built.edges, sort=sort, reverse=reverse, limit=limit)
        built = network.keep_edges(built, [dict(edge) for edge in ordered])
    edges = [{f: e[f] for f in plan.fields} for e in built.edges]
    picture = {"nodes": built.nodes, "edges": edges}
    if fmt is GraphFormat.MERMAID:
        graph_render.render_mermaid(picture, plan.env)
    elif fmt is GraphFormat.DOT:
        graph_render.render_dot(picture, plan.env)
    elif plan.fmt is OutputFormat.JSON:
        graph_render.render_graph_json(picture, plan.env)
    elif plan.fmt is OutputFormat.YAML:
        graph_render.render_graph_yaml(picture, plan.env)
    elif plan.fmt is OutputFormat.TABLE:
        if not built.nodes:
            _say_nothing_matched(plan.env)
        else:
            graph_render.render_tree(network.partner_tree(built), plan.env)
    else:
        emit(plan, edges, "flows")


class ExportFormat(StrEnum):
    """Formats of `exchange export`: a whole document, not a listing."""

    HTML = "html"


@app.command()
def export(
    sector: SectorOption = None,
    kind: KindOption = None,
    country: CountryOption = None,
    party: PartyOption = None,
    evidence: EvidenceOption = None,
    data: DataOption = None,
    no_cache: NoCacheOption = False,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="html: one self-contained page (search, filters, charts, network) "
            "that needs no server and no network.",
            case_sensitive=False,
        ),
    ] = ExportFormat.HTML,
) -> None:
    """Write the catalogue as one web page to stdout, to open from disk or share.

    exchange export > catalogue.html

    exchange export --sector defense --evidence reported > defense.html

    The filters are those of `list`; the page is the same bytes for the same input.
    """
    from exchange_cli import network
    from exchange_cli import search as text_search
    from exchange_cli.render import html as html_page

    env = Environment.detect()
    if env.is_terminal:  # 160 KB of HTML is no use on a screen (as gzip refuses, too)
        raise UsageError(
            "export writes a web page; send it to a file: exchange export > catalogue.html"
        )
    criteria = _criteria(sector, kind, country, party, evidence)
    programs = query.select(_load(data, no_cache), criteria)
    page = html_page.Page(
        records=[p.to_dict() for p in programs],
        related={p.id: query.related_programs(p, programs) for p in programs},
        facets=query.facet_counts([Facets.of(p) for p in programs]),
        facet_index=query.facet_index(programs),
        search_index=text_search.search_index(programs),
        graph=network.build_graph(programs).to_dict(),
        criteria=criteria,
        version=__version__,
    )
    env.stdout.write(html_page.render_page(page))


def _facet(name: str) -> str:
    folded = vocab.normalize(name)
    for facet in query.FACETS:
        if folded in (facet, facet + "s", facet + "es"):
            return facet
    if folded == "countries":
        return "country"
    raise UsageError(f"unknown facet '{name}' for --by; valid facets: {', '.join(query.FACETS)}")


class ValidateFormat(StrEnum):
    """Formats of `exchange validate`: compiler-style text, the common ones, and GitHub's."""

    TEXT = "text"
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"
    YAML = "yaml"
    MARKDOWN = "markdown"
    GITHUB = "github"


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATH]...",
            help="Catalogue files (default: --data, EXCHANGE_DATA, or the shipped one).",
            show_default=False,
        ),
    ] = None,
    data: DataOption = None,
    fmt: Annotated[
        ValidateFormat,
        typer.Option(
            "--format",
            "-f",
            help="text (file:line:col: message), json/jsonl/csv/tsv/yaml/markdown/table "
            "(one record per problem), or github (Actions annotations).",
            case_sensitive=False,
        ),
    ] = ValidateFormat.TEXT,
    as_json: JsonOption = False,
    fields: FieldsOption = None,
    no_color: NoColorOption = False,
) -> None:
    """Check catalogue files and list every problem with file:line:column.

    exchange validate

    exchange validate my-programs.yaml --format json

    exchange validate data/*.yaml --format github

    Exit 0 when there are no errors (warnings are allowed), 1 when there are.
    """
    from exchange_cli.loader import check_catalogue

    structured = as_json or fmt not in (ValidateFormat.TEXT, ValidateFormat.GITHUB)
    plan = plan_output(
        fmt=OutputFormat(fmt.value) if structured and not as_json else None,
        as_json=as_json,
        fields=fields,
        sort=None,
        reverse=False,
        limit=None,
        no_color=no_color,
        available=PROBLEM_FIELDS,
    )
    targets: list[Path | None] = list(paths) if paths else [data]
    problems: list[Problem] = []
    unreadable = False
    for target in targets:
        try:
            catalogue, found = check_catalogue(target)
        except CatalogueError as exc:  # cannot be read at all: report it and go on
            catalogue, found, unreadable = None, exc.problems, True
        problems.extend(found)
        errors = sum(p.severity == "error" for p in found)
        warnings = len(found) - errors
        name = str(target) if target else "the shipped catalogue"
        count = "not loaded"
        if catalogue is not None:
            count = f"{len(catalogue)} program{'s' * (len(catalogue) != 1)}"
        status = "ok" if errors == 0 else "failed"
        tally = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        plan.env.stderr.write(_printable(f"{name}: {status}: {tally} ({count})") + "\n")
    if structured:
        emit(plan, [{f: getattr(p, f) for f in PROBLEM_FIELDS} for p in problems], "problems")
    else:
        from exchange_cli.render.problems import render_github, render_text

        (render_github if fmt is ValidateFormat.GITHUB else render_text)(problems, plan.env)
    if unreadable:
        raise typer.Exit(ExitCode.CATALOGUE)
    if any(p.severity == "error" for p in problems):
        raise typer.Exit(ExitCode.NOT_FOUND)


@app.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of a catalogue file, for editors and CI.

    exchange schema > programs.schema.json

    exchange schema | python -m json.tool
    """
    import json

    from exchange_cli.schema import catalogue_schema

    env = Environment.detect()
    json.dump(catalogue_schema(), env.stdout, indent=2, ensure_ascii=False)
    env.stdout.write("\n")


@app.command()
def new() -> None:
    """Print a commented YAML skeleton of one record, to paste under `programs:`.

    exchange new >> my-programs.yaml

    The comments list every allowed value; run `exchange validate` after filling it in.
    """
    from exchange_cli.schema import record_skeleton

    env = Environment.detect()
    env.stdout.write(record_skeleton())


def _printable(text: str) -> str:
    from exchange_cli.render.text import visible

    return visible(text)


# -- the one place exceptions become exit codes --------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (the `exchange` entry point).

    The cyclic garbage collector is off for the run: a run builds large acyclic data
    (a 100,000-program catalogue) and exits, and collections that free nothing cost a
    third of such a run (BENCHMARKS.md). Reference counting still frees everything.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(argv)
    finally:
        if collecting:
            gc.enable()


def _run(argv: list[str] | None) -> int:
    debug = bool(os.environ.get("EXCHANGE_DEBUG"))
    if sys.stderr is None:  # started with `2>&-`: messages go nowhere, data still flows
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the run
    if sys.stdout is None:  # started with `>&-`
        sys.stderr.write("exchange: error: standard output is closed\n")
        return int(ExitCode.OUTPUT)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")  # a legacy console gets '?' rather than a crash
    command = click_command(sys.argv[1:] if argv is None else argv, os.environ)
    try:
        try:
            with _help_colour_follows_ours(argv):
                result = command.main(args=argv, prog_name="exchange", standalone_mode=False)
            sys.stdout.flush()
        except OSError as exc:  # `--help > /dev/full`, or the final flush
            if exc.errno not in _OUTPUT_ERRNOS:
                raise
            raise output_error(exc) from None
    except OutputClosed:
        # The reader went away (`| head -1`): stop quietly.
        _abandon_stdout()
        return int(ExitCode.BROKEN_PIPE)
    except OutputFailed as exc:
        _abandon_stdout()
        return _fail(str(exc), exc.exit_code, debug)
    except ExchangeError as exc:
        return _fail(str(exc), exc.exit_code, debug)
    except click.exceptions.NoArgsIsHelpError:
        return int(ExitCode.USAGE)  # the help is on the screen already; no empty error line
    except click.exceptions.ClickException as exc:
        hint = ""
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            hint = f" (see '{ctx.command_path} --help')"
        return _fail(exc.format_message() + hint, exc.exit_code, debug)
    except typer.Abort:
        return _fail("aborted", ExitCode.INTERRUPTED, debug)
    except KeyboardInterrupt:
        return _fail("interrupted", ExitCode.INTERRUPTED, debug)
    except SystemExit as exc:
        # Rich ends a print into a closed pipe (help piped to `head`) with SystemExit(1)
        # (Console.on_broken_pipe, which also points stdout at /dev/null); nothing else in
        # a run raises SystemExit.
        if exc.code == 1:
            return int(ExitCode.BROKEN_PIPE)
        raise
    if result == ExitCode.INTERRUPTED:  # Typer turns Ctrl-C into Exit(130) itself
        return _fail("interrupted", ExitCode.INTERRUPTED, debug)
    return result if isinstance(result, int) else 0


@contextlib.contextmanager
def _help_colour_follows_ours(argv: list[str] | None) -> Iterator[None]:
    """Typer's Rich help ignores NO_COLOR for bold and dim; make it write plain text then.

    Typer reads `_TYPER_FORCE_DISABLE_TERMINAL` when it first imports its Rich helpers,
    which happens only when help or an error is drawn; the variable is ours for the run.
    """
    plain = (
        bool(os.environ.get("NO_COLOR"))
        or os.environ.get("TERM") == "dumb"
        or "--no-color" in (sys.argv[1:] if argv is None else argv)
    )
    if not plain or "_TYPER_FORCE_DISABLE_TERMINAL" in os.environ:
        yield
        return
    os.environ["_TYPER_FORCE_DISABLE_TERMINAL"] = "1"
    rich_utils: Any = sys.modules.get("typer.rich_utils")  # already imported (e.g. tests)
    saved = getattr(rich_utils, "FORCE_TERMINAL", None)
    if rich_utils is not None:
        rich_utils.FORCE_TERMINAL = False
    try:
        yield
    finally:
        del os.environ["_TYPER_FORCE_DISABLE_TERMINAL"]
        if rich_utils is not None:
            rich_utils.FORCE_TERMINAL = saved


_OUTPUT_ERRNOS = {errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT, errno.EBADF}


def _abandon_stdout() -> None:
    """Point stdout at /dev/null, so Python's own flush at exit cannot fail a second time."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _command_name(info: typer.models.CommandInfo) -> str:
    assert info.callback is not None
    return info.name or info.callback.__name__.replace("_", "-")


def requested_command(argv: Sequence[str], environ: Mapping[str, str]) -> str | None:
    """The subcommand this run is for, when it is already known (also while completing)."""
    if "_EXCHANGE_COMPLETE" in environ:
        bash_words = environ.get("COMP_WORDS")
        words = bash_words if bash_words is not None else environ.get("_TYPER_COMPLETE_ARGS", "")
        parts = words.split()
        if bash_words is not None:
            done = environ.get("COMP_CWORD", "0").isdigit() and int(environ["COMP_CWORD"]) >= 2
        else:
            done = len(parts) >= 3 or (len(parts) == 2 and words.endswith(" "))
        return parts[1] if done and len(parts) >= 2 else None
    if argv and not argv[0].startswith("-"):
        return argv[0]
    return None


def click_command(argv: Sequence[str], environ: Mapping[str, str]) -> click.Command:
    """The Click command for this run, holding only the subcommand asked for when known.

    Typer builds every command's parameters before running one (about 30 ms for nine
    commands, paid on each run and each Tab press); a one-command app behaves the same
    for that subcommand, its help and its completion.
    """
    wanted = requested_command(argv, environ)
    infos = [info for info in app.registered_commands if _command_name(info) == wanted]
    if not infos:
        return typer.main.get_command(app)
    single = typer.Typer(**APP_SETTINGS)
    single.registered_callback = app.registered_callback
    single.registered_commands = infos
    return typer.main.get_command(single)


def _fail(message: str, code: int, debug: bool) -> int:
    if debug:
        traceback.print_exc()
    from exchange_cli.render.text import visible

    sys.stderr.write(f"exchange: error: {visible(message)}\n")
    return int(code)
