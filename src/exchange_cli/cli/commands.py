"""The `exchange` commands: each one options → load → query → render.

Options shared by several commands are declared once (`options.shared`); what a
command prints is an `OutputSpec`; running the app and turning failures into exit codes
is `main.py`'s job.
"""

from pathlib import Path
from typing import Annotated

import typer

from exchange_cli import __version__
from exchange_cli.cli.options import CatalogueOptions, environment, lazy_completer, shared
from exchange_cli.cli.output import Output, OutputSpec, present
from exchange_cli.errors import (
    EXIT_CODES_HELP,
    ExitCode,
    Finished,
    Problem,
    UsageError,
)
from exchange_cli.model.outputs import keys as output_keys
from exchange_cli.model.records import EDGE_FIELDS, FIELDS, FLOW_ROW_FIELDS, program_text, scored
from exchange_cli.query import filters as query
from exchange_cli.query.records import Criteria
from exchange_cli.render.results import (
    Diff,
    Export,
    FacetCounts,
    GraphView,
    Listing,
    Problems,
    Record,
)

ENVIRONMENT_HELP = (
    "Environment: EXCHANGE_DATA (catalogue file), NO_COLOR, FORCE_COLOR, "
    "EXCHANGE_MAX_BYTES (size cap, default 64 MiB), EXCHANGE_DEBUG=1 (tracebacks), "
    "EXCHANGE_NO_CACHE=1 (no cache), XDG_CACHE_HOME (where the cache lives), "
    "EXCHANGE_PAGER or PAGER (pager for long output; empty: none)."
)
APP_SETTINGS: dict[str, object] = {
    "name": "exchange",
    "help": "A terminal catalogue of international cooperation and exchange programs.\n\n"
    "Examples:\n\n"
    "exchange list --sector defense\n\n"
    "exchange show saudi-korea-tech-exchange\n\n"
    "exchange list --country SA --format json | jq '.[].title'",
    "epilog": f"{EXIT_CODES_HELP}\n\n{ENVIRONMENT_HELP}",
    "no_args_is_help": True,
    "rich_markup_mode": "rich",
    "pretty_exceptions_enable": False,
    "add_completion": False,  # our own scripts and protocol: completion.py says why
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(**APP_SETTINGS)  # type: ignore[arg-type]

COMPACT = ("id", "title", "kind", "sectors", "evidence")
LIST = OutputSpec(Listing, FIELDS, COMPACT)
SHOW = OutputSpec(Record, (*FIELDS, "related"), orderable=False, piped="text")
SEARCH = OutputSpec(Listing, ("score", *FIELDS), ("score", *COMPACT))
SUMMARY = OutputSpec(FacetCounts, output_keys("summarize"))
FLOWS = OutputSpec(Listing, FLOW_ROW_FIELDS)
GRAPH = OutputSpec(GraphView, EDGE_FIELDS)
PROBLEMS = OutputSpec(Problems, Problem._fields, default="text", orderable=False)
EXPORT = OutputSpec(Export, (), default="html", orderable=False)
DIFF = OutputSpec(
    Diff, output_keys("diff.rows"), ("change", "id", "field", "old", "new"), orderable=False
)


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


@app.command("completion")
def completion_script(
    ctx: typer.Context,
    shell: Annotated[
        str | None,
        typer.Argument(
            metavar="[SHELL]",
            help="bash, zsh or fish (default: the shell in $SHELL).",
            show_default=False,
            autocompletion=lazy_completer("complete_shell", context=False),
        ),
    ] = None,
    install: Annotated[
        bool,
        typer.Option(
            "--install",
            help="Write the script where the shell finds it; for bash and zsh, add one "
            "line that loads it to ~/.bashrc or ~/.zshrc. Nothing else is changed.",
        ),
    ] = False,
) -> None:
    """Print, or install, the Tab-completion script for a shell.

    Examples:

    exchange completion --install

    exchange completion fish --install

    source <(exchange completion bash)
    """
    from exchange_cli.cli.completion import print_or_install

    print_or_install(shell, install, environment(ctx))


@app.command("list")
@shared(LIST)
def list_programs(criteria: Criteria, catalogue: CatalogueOptions, output: Output) -> None:
    """List programs, optionally filtered.

    Examples:

    exchange list --sector defense

    exchange list --country KR --country JP --evidence reported --format json

    Repeating an option ORs its values; different options AND.
    """
    records = output.ordered(query.select_records(catalogue.open(), criteria))
    present(output, Listing(records, output.fields, program_text))


@app.command()
@shared(SHOW)
def show(
    *,
    program_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The program's id, or the start of exactly one id.",
            autocompletion=lazy_completer("complete_program_id"),
        ),
    ],
    catalogue: CatalogueOptions,
    output: Output,
) -> None:
    """Show one program in full: parties, flows, benefits, evidence and source.

    Examples:

    exchange show saudi-korea-tech-exchange

    exchange show malaysia --json

    The id may be cut short to any start that only one id has, as git takes a short
    hash; an earlier id of the program works too.
    """
    source = catalogue.open()
    position = query.find_program(source, program_id)
    [record] = source.records([position])
    full = {**record, "related": query.related_programs(source, position)}
    present(output, Record(full, output.fields, query.record_text))


@app.command()
@shared(SUMMARY)
def summarize(
    *,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            metavar="FACET",
            help=f"Count only this facet: {', '.join(query.SUMMARY_FACETS)} (the actors). "
            "Repeatable.",
            autocompletion=lazy_completer("complete_facet", context=False),
            show_default=False,
        ),
    ] = None,
    criteria: Criteria,
    catalogue: CatalogueOptions,
    output: Output,
) -> None:
    """Count programs per sector, kind, evidence level and country, drawn as bars.

    Examples:

    exchange summarize

    exchange summarize --by sector --evidence reported --format json
    """
    facets = query.resolve_facets(by or ())
    source = catalogue.open()
    selected = query.select(source, criteria)
    rows = query.facet_counts(source, selected, facets)
    present(output, FacetCounts(output.ordered(rows), output.fields, len(selected)))


@app.command()
@shared(SEARCH)
def search(
    *,
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY...", help="Words (prefixes match) and quoted phrases; all must match."
        ),
    ],
    criteria: Criteria,
    catalogue: CatalogueOptions,
    output: Output,
) -> None:
    """Search titles, summaries, flows, benefits, parties, kinds and sectors, best match first.

    Examples:

    exchange search petroleum

    exchange search petro korea --json

    exchange search "digital technology" --evidence reported
    """
    from exchange_cli.query import search as text_search

    terms = text_search.parse_query(words)
    if not terms:
        raise UsageError("give at least one word to search for")
    source = catalogue.open()
    hits = text_search.search_programs(source, terms, query.select(source, criteria))
    why = None if hits else text_search.no_match_hint(source, terms)
    records = source.records(position for position, _ in hits)
    rows = [scored(score, record) for (_, score), record in zip(hits, records, strict=True)]
    rows = list(output.ordered(rows))
    highlight = tuple(word for term in terms for word in term.words)
    present(output, Listing(rows, output.fields, program_text, highlight), why_empty=why)


@app.command()
@shared(FLOWS)
def flows(
    *,
    giver: Annotated[
        list[str] | None,
        typer.Option(
            "--from",
            metavar="PARTY",
            help="Giving side: country code, country or party name, or alias (SA, KSA); "
            "repeat to allow several.",
            autocompletion=lazy_completer("complete_party_or_country"),
            show_default=False,
        ),
    ] = None,
    receiver: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            metavar="PARTY",
            help="Receiving side: country code, country or party name, or alias; "
            "repeat to allow several.",
            autocompletion=lazy_completer("complete_party_or_country"),
            show_default=False,
        ),
    ] = None,
    criteria: Criteria,
    catalogue: CatalogueOptions,
    output: Output,
) -> None:
    """What flows from whom to whom: one row per directional flow.

    Examples:

    exchange flows --to "Saudi Arabia"

    exchange flows --from KR --format json

    exchange flows --sector defense
    """
    from exchange_cli.query import network

    source = catalogue.open()
    parties = source.parties()
    source_side = network.party_matcher(giver or (), parties, "--from")
    target_side = network.party_matcher(receiver or (), parties, "--to")
    rows = network.flow_rows(query.select_programs(source, criteria), source_side, target_side)
    present(output, Listing(output.ordered(rows), output.fields))


@app.command()
@shared(GRAPH)
def graph(criteria: Criteria, catalogue: CatalogueOptions, output: Output) -> None:
    """The partnership network: parties, what flows between them, and who works with whom.

    Examples:

    exchange graph

    exchange graph --format mermaid

    exchange graph --format dot | dot -Tsvg > network.svg
    """
    from exchange_cli.query import network

    if output.format in ("table", "mermaid", "dot") and output.chose_fields:
        raise UsageError(
            "--fields picks the columns of an edge listing (json, jsonl, yaml, csv, tsv, "
            "markdown); the tree, mermaid and dot draw whole edges"
        )
    source = catalogue.open()
    programs = query.select_programs(source, criteria)
    built = network.build_graph(programs)
    built = network.ordered(built, output.sort, reverse=output.reverse, limit=output.limit)
    edges = [{f: e[f] for f in output.fields} for e in built.edges]
    tree = network.partner_tree(built, programs) if output.format == "table" else ()
    present(output, GraphView(built.nodes, edges, output.fields, tree))


@app.command()
@shared(EXPORT)
def export(
    *,
    to: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Write to this file instead of stdout. For sqlite, a directory (or a path "
            "ending in /) gets catalogue.db and the metadata.json datasette reads.",
            show_default=False,
        ),
    ] = None,
    criteria: Criteria,
    catalogue: CatalogueOptions,
    output: Output,
) -> None:
    """Write the catalogue as one web page, or as an SQLite database, to share or explore.

    Examples:

    exchange export > catalogue.html

    exchange export --sector defense --evidence reported --output defense.html

    exchange export --format sqlite --output catalogue/

    A directory gets catalogue.db and the metadata.json datasette reads: `datasette
    catalogue/` serves both. The filters are those of `list`; the same input gives the
    same bytes.
    """
    from exchange_cli.cli.export import build_export, not_for_a_terminal

    if to is None and output.env.is_terminal:  # a page or a database is no use on a screen
        raise UsageError(not_for_a_terminal(output.format))
    present(output, build_export(catalogue, criteria, output.format, to, __version__))


@app.command()
@shared(DIFF)
def diff(
    *,
    old: Annotated[Path, typer.Argument(metavar="OLD", help="The catalogue before ('-': stdin).")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The catalogue after ('-': stdin).")],
    output: Output,
) -> None:
    """Compare two catalogues: programs added, removed and changed (by id), field by field.

    Examples:

    git show HEAD:data/programs.yaml | exchange diff - data/programs.yaml

    exchange diff old.yaml new.yaml --format markdown > comment.md

    exchange diff old.yaml new.yaml --json | jq '.summary'

    Exit 0 when both hold the same programs, 1 when they differ, 3 when one cannot be read.
    """
    from exchange_cli.load.loader import load_both
    from exchange_cli.query.changes import compare_catalogues

    changes = compare_catalogues(*load_both(old, new))
    present(output, Diff(changes, output.fields))
    if not changes.equal:
        raise Finished(ExitCode.NOT_FOUND)


@app.command()
@shared(PROBLEMS)
def validate(
    *,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATH]...",
            help="Catalogue files ('-' for stdin; default: --data, EXCHANGE_DATA, or the "
            "shipped one).",
            show_default=False,
        ),
    ] = None,
    catalogue: CatalogueOptions,
    output: Output,
) -> None:
    """Check catalogue files and list every problem with file:line:column.

    Examples:

    exchange validate

    exchange validate my-programs.yaml --format json

    exchange validate *.yaml --format github

    Exit 0 when there are no errors (warnings are allowed), 1 when there are.
    """
    from exchange_cli.cli.checking import check_files

    checked = check_files(paths or [catalogue.path], output.env)
    present(output, Problems(checked.problems, output.fields, checked.dropped))
    if checked.unreadable:
        raise Finished(ExitCode.CATALOGUE)
    if checked.errors:
        raise Finished(ExitCode.NOT_FOUND)


@app.command()
def schema(ctx: typer.Context) -> None:
    """Print the JSON Schema (draft 2020-12) of a catalogue file, for editors and CI.

    Examples:

    exchange schema > programs.schema.json

    exchange schema | python -m json.tool
    """
    import json

    from exchange_cli.model.schema import catalogue_schema

    env = environment(ctx)
    json.dump(catalogue_schema(), env.stdout, indent=2, ensure_ascii=False)
    env.stdout.write("\n")


@app.command()
def new(
    ctx: typer.Context,
    record: Annotated[
        bool,
        typer.Option(
            "--record", help="Print one program only, to add under a file's `programs:`."
        ),
    ] = False,
) -> None:
    """Print a new catalogue file: one example program, every field explained.

    Examples:

    exchange new > my-programs.yaml

    exchange new --record >> my-programs.yaml

    The file passes `exchange validate` as it is; the comments list every allowed
    value. Replace the examples, then run `exchange validate` again.
    """
    from exchange_cli.model.schema import catalogue_skeleton, record_skeleton

    environment(ctx).stdout.write(record_skeleton() if record else catalogue_skeleton())
