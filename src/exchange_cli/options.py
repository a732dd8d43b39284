"""Options shared by many commands, declared once and handed to a command as one object
each (sqlite-utils' `output_options`, for Typer).

A command asks for a group by naming a parameter: `criteria` (the filters), `catalogue`
(`--data`, `--no-cache`) or `output` (`--format`, `--json`, `--fields`, and `--sort`,
`--reverse`, `--limit` when its rows can be ordered, `--no-color`). `@shared` puts the
group's options in the command's signature, where Typer reads them, and builds the
object from their values before the command runs.
"""

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NamedTuple, TypeVar

import typer

from exchange_cli.completion import (
    complete_country,
    complete_evidence,
    complete_fields,
    complete_formats,
    complete_kind,
    complete_party,
    complete_sector,
)
from exchange_cli.output import Output, OutputSpec, resolve_output
from exchange_cli.source import Criteria, RecordSource
from exchange_cli.terminal import Environment

Command = TypeVar("Command", bound=Callable[..., Any])


class CatalogueOptions(NamedTuple):
    """Which catalogue a command reads, and whether the store may cache it."""

    path: Path | None
    cache: bool

    def open(self) -> RecordSource:
        from exchange_cli.catalogue import open_catalogue

        return open_catalogue(self.path, cache=self.cache)


def _option(*names: str, help: str, **options: Any) -> Any:
    return typer.Option(*names, help=help, show_default=False, **options)


FILTERS: list[tuple[str, Any]] = [
    (
        "sector",
        Annotated[
            list[str] | None,
            _option(
                "--sector",
                "-s",
                metavar="SECTOR",
                help="Sector, e.g. defense (aliases: defence, military). Repeat to OR.",
                autocompletion=complete_sector,
            ),
        ],
    ),
    (
        "kind",
        Annotated[
            list[str] | None,
            _option(
                "--kind",
                "-k",
                metavar="KIND",
                help="Program kind, e.g. technology-exchange. Repeat to OR.",
                autocompletion=complete_kind,
            ),
        ],
    ),
    (
        "country",
        Annotated[
            list[str] | None,
            _option(
                "--country",
                "-c",
                metavar="COUNTRY",
                help="Country code or name: SA, KSA, 'Saudi Arabia'. Repeat to OR.",
                autocompletion=complete_country,
            ),
        ],
    ),
    (
        "party",
        Annotated[
            list[str] | None,
            _option(
                "--party",
                "-p",
                metavar="NAME",
                help="Part of any party's name, organizations included (e.g. alibaba). "
                "Repeat to OR.",
                autocompletion=complete_party,
            ),
        ],
    ),
    (
        "evidence",
        Annotated[
            list[str] | None,
            _option(
                "--evidence",
                "-e",
                metavar="LEVEL",
                help="reported, illustrative or hypothetical. Repeat to OR.",
                autocompletion=complete_evidence,
            ),
        ],
    ),
]

CATALOGUE: list[tuple[str, Any]] = [
    (
        "data",
        Annotated[
            Path | None,
            _option(
                "--data",
                metavar="FILE",
                envvar="EXCHANGE_DATA",
                help="Catalogue file to read instead of the shipped one ('-' reads stdin).",
                dir_okay=True,
            ),
        ],
    ),
    (
        "no_cache",
        Annotated[
            bool,
            typer.Option(
                "--no-cache",
                help="Read the catalogue afresh, ignoring the cache of validated catalogues "
                "(also: EXCHANGE_NO_CACHE=1).",
            ),
        ],
    ),
]


def _output_options(spec: OutputSpec) -> list[tuple[str, Any]]:
    formats = spec.formats
    default = spec.default or "table on a terminal, tsv when piped"
    options: list[tuple[str, Any]] = [
        (
            "fmt",
            Annotated[
                str | None,
                _option(
                    "--format",
                    "-f",
                    metavar="FORMAT",
                    help=f"{', '.join(formats)}. Default: {default}.",
                    autocompletion=complete_formats(formats),
                ),
            ],
        ),
        ("as_json", Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")]),
        (
            "fields",
            Annotated[
                str | None,
                _option(
                    "--fields",
                    metavar="A,B,...",
                    help=f"Fields to print, in order (e.g. {','.join(spec.fields[:2])}).",
                    autocompletion=complete_fields(spec.fields),
                ),
            ],
        ),
    ]
    if spec.orderable:
        options += [
            (
                "sort",
                Annotated[
                    str | None,
                    _option(
                        "--sort",
                        metavar="FIELD",
                        help="Sort by this field.",
                        autocompletion=complete_fields(spec.fields, single=True),
                    ),
                ],
            ),
            ("reverse", Annotated[bool, typer.Option("--reverse", help="Reverse the order.")]),
            (
                "limit",
                Annotated[
                    int | None,
                    _option("--limit", metavar="N", min=0, help="Print at most N rows."),
                ],
            ),
        ]
    options.append(
        (
            "no_color",
            Annotated[
                bool,
                typer.Option(
                    "--no-color", help="No colour (also: NO_COLOR=1, TERM=dumb, a pipe)."
                ),
            ],
        )
    )
    return options


def environment(ctx: typer.Context) -> Environment:
    """The Environment `main` made for this run (a fresh one when Typer is driven
    directly, as its test runner does)."""
    found = ctx.find_root().obj
    return found if isinstance(found, Environment) else Environment.detect()


def _build_criteria(ctx: typer.Context, **values: Any) -> Criteria:
    from exchange_cli.query import resolve_criteria

    return resolve_criteria(
        sectors=values["sector"] or (),
        kinds=values["kind"] or (),
        countries=values["country"] or (),
        parties=values["party"] or (),
        evidence=values["evidence"] or (),
    )


def _build_catalogue(ctx: typer.Context, **values: Any) -> CatalogueOptions:
    from exchange_cli.store import enabled

    return CatalogueOptions(values["data"], enabled(values["no_cache"]))


def _build_output(spec: OutputSpec, ctx: typer.Context, **values: Any) -> Output:
    return resolve_output(spec, environment(ctx), **values)


def shared(output: OutputSpec | None = None) -> Callable[[Command], Command]:
    """Replace a command's `criteria`, `catalogue` and `output` parameters by the options
    of each group, and build the group's object from them on every call."""

    def decorate(command: Command) -> Command:
        groups: list[tuple[str, list[tuple[str, Any]], Callable[..., Any]]] = []
        parameters = [
            inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
        ]
        for parameter in inspect.signature(command).parameters.values():
            group: tuple[str, list[tuple[str, Any]], Callable[..., Any]]
            if parameter.name == "criteria":
                group = ("criteria", FILTERS, _build_criteria)
            elif parameter.name == "catalogue":
                group = ("catalogue", CATALOGUE, _build_catalogue)
            elif parameter.name == "output" and output is not None:
                group = (
                    "output",
                    _output_options(output),
                    functools.partial(_build_output, output),
                )
            else:
                parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))
                continue
            groups.append(group)
            parameters += [
                inspect.Parameter(
                    name,
                    inspect.Parameter.KEYWORD_ONLY,
                    annotation=annotation,
                    default=False if _is_flag(annotation) else None,
                )
                for name, annotation in group[1]
            ]
        order = {"output": 0, "criteria": 1, "catalogue": 2}  # usage errors before any work
        groups.sort(key=lambda group: order[group[0]])
        wants_ctx = "ctx" in inspect.signature(command).parameters

        @functools.wraps(command)
        def wrapper(**values: Any) -> Any:
            ctx = values["ctx"] if wants_ctx else values.pop("ctx")
            for name, options, build in groups:
                picked = {option: values.pop(option) for option, _ in options}
                values[name] = build(ctx, **picked)
            return command(**values)

        del wrapper.__wrapped__  # Typer reads the new signature, not the wrapped one
        if wants_ctx:
            parameters = [p for p in parameters[1:] if p.name != "ctx"]
            parameters.insert(
                0,
                inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context),
            )
        wrapper.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
        return wrapper  # type: ignore[return-value]

    return decorate


def _is_flag(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is bool
