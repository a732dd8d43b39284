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
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from exchange_cli.cli.output import Output, OutputSpec, resolve_output
from exchange_cli.query.records import Criteria
from exchange_cli.render.terminal import Environment

if TYPE_CHECKING:
    from exchange_cli.query.records import Records

Command = TypeVar("Command", bound=Callable[..., Any])
Declared = list[tuple[str, Any]]  # (parameter name, (its type, its typer.Option))
Group = tuple[str, Declared, Callable[..., Any]]
#: Usage errors come before any work: output options first, then the filters.
_ORDER = {"output": 0, "criteria": 1, "catalogue": 2}


class CatalogueOptions:
    """Which catalogue a command reads, and whether the store may cache it."""

    __slots__ = ("path", "cache")

    def __init__(self, path: Path | None, cache: bool) -> None:
        self.path, self.cache = path, cache

    def open(self) -> "Records":
        from exchange_cli.load.catalogue import open_catalogue

        return open_catalogue(self.path, cache=self.cache)


def _completing() -> bool:
    """Whether this run answers a Tab press. Completion callbacks are declared only then:
    Typer inspects each one while building a command, which every run would pay for."""
    return "_EXCHANGE_COMPLETE" in os.environ


Option = tuple[Any, Any]  # (the parameter's type, its typer.Option as the default)


def _option(kind: Any, *names: str, help: str, complete: Any = None, **more: Any) -> Option:
    """An option; `complete` picks its completer from the completion module, which is
    imported only when this run answers a Tab press."""
    if complete is not None and _completing():
        from exchange_cli.cli import completion

        more["autocompletion"] = complete(completion)
    return kind, typer.Option(None, *names, help=help, show_default=False, **more)


def _flag(name: str, help: str) -> Option:
    return bool, typer.Option(False, name, help=help)


def _filters() -> Declared:
    many = list[str] | None
    return [
        (
            "sector",
            _option(
                many,
                "--sector",
                "-s",
                metavar="SECTOR",
                complete=lambda c: c.complete_sector,
                help="Sector, e.g. defense (aliases: defence, military). Repeat to OR.",
            ),
        ),
        (
            "kind",
            _option(
                many,
                "--kind",
                "-k",
                metavar="KIND",
                complete=lambda c: c.complete_kind,
                help="Program kind, e.g. technology-exchange. Repeat to OR.",
            ),
        ),
        (
            "country",
            _option(
                many,
                "--country",
                "-c",
                metavar="COUNTRY",
                complete=lambda c: c.complete_country,
                help="Country code or name: SA, KSA, 'Saudi Arabia'. Repeat to OR.",
            ),
        ),
        (
            "party",
            _option(
                many,
                "--party",
                "-p",
                metavar="NAME",
                complete=lambda c: c.complete_party,
                help="Part of any party's name, organizations included (e.g. alibaba). "
                "Repeat to OR.",
            ),
        ),
        (
            "evidence",
            _option(
                many,
                "--evidence",
                "-e",
                metavar="LEVEL",
                complete=lambda c: c.complete_evidence,
                help="reported, illustrative or hypothetical. Repeat to OR.",
            ),
        ),
    ]


def _catalogue() -> Declared:
    return [
        (
            "data",
            _option(
                Path | None,
                "--data",
                metavar="FILE",
                envvar="EXCHANGE_DATA",
                dir_okay=True,
                help="Catalogue file to read instead of the shipped one ('-' reads stdin).",
            ),
        ),
        (
            "no_cache",
            _flag(
                "--no-cache",
                "Read the catalogue afresh, ignoring the cache of validated catalogues "
                "(also: EXCHANGE_NO_CACHE=1).",
            ),
        ),
    ]


def _output(spec: OutputSpec) -> Declared:
    formats = spec.formats
    default = spec.default or f"table on a terminal, {spec.piped} when piped"
    declared = [
        (
            "fmt",
            _option(
                str | None,
                "--format",
                "-f",
                metavar="FORMAT",
                complete=lambda c: c.complete_formats(formats),
                help=f"{', '.join(formats)}. Default: {default}.",
            ),
        ),
    ]
    if "json" in formats:
        declared.append(("as_json", _flag("--json", "Shorthand for --format json.")))
    if spec.fields:
        declared.append(
            (
                "fields",
                _option(
                    str | None,
                    "--fields",
                    metavar="A,B,...",
                    complete=lambda c: c.complete_fields(spec.fields),
                    help=f"Fields to print, in order (e.g. {','.join(spec.fields[:2])}).",
                ),
            )
        )
    if spec.orderable:
        declared += [
            (
                "sort",
                _option(
                    str | None,
                    "--sort",
                    metavar="FIELD",
                    complete=lambda c: c.complete_fields(spec.fields, single=True),
                    help="Sort by this field.",
                ),
            ),
            ("reverse", _flag("--reverse", "Reverse the order.")),
            (
                "limit",
                _option(int | None, "--limit", metavar="N", help="Print at most N rows."),
            ),
        ]
    if spec.tabular:
        declared.append(
            (
                "wide",
                _flag("--wide", "Every column, free text wrapped (default: a line a row)."),
            )
        )
    if spec.pageable:
        declared.append(
            (
                "no_pager",
                _flag("--no-pager", "Never page long output (also: EXCHANGE_PAGER='')."),
            )
        )
    declared.append(
        ("no_color", _flag("--no-color", "No colour (also: NO_COLOR=1, TERM=dumb, a pipe)."))
    )
    return declared


def lazy_completer(name: str, *, context: bool = True) -> Any:
    """A completion callback that imports the completion module only when Tab is
    pressed: Typer wants the callable when the command is declared, on every run."""
    if context:

        def complete(ctx: typer.Context, incomplete: str) -> Any:
            from exchange_cli.cli import completion

            return getattr(completion, name)(ctx, incomplete)

        return complete

    def complete_word(incomplete: str) -> Any:
        from exchange_cli.cli import completion

        return getattr(completion, name)(incomplete)

    return complete_word


def environment(ctx: typer.Context) -> Environment:
    """The Environment `main` made for this run (a fresh one when Typer is driven
    directly, as its test runner does)."""
    found = ctx.find_root().obj
    return found if isinstance(found, Environment) else Environment.detect()


def _build_criteria(ctx: typer.Context, **values: Any) -> Criteria:
    from exchange_cli.query.filters import resolve_criteria

    return resolve_criteria(
        sectors=values["sector"] or (),
        kinds=values["kind"] or (),
        countries=values["country"] or (),
        parties=values["party"] or (),
        evidence=values["evidence"] or (),
    )


def _build_catalogue(ctx: typer.Context, **values: Any) -> CatalogueOptions:
    from exchange_cli.store.files import enabled

    return CatalogueOptions(values["data"], enabled(values["no_cache"]))


def _build_output(spec: OutputSpec, ctx: typer.Context, **values: Any) -> Output:
    return resolve_output(spec, environment(ctx), **values)


def shared(output: OutputSpec | None = None) -> Callable[[Command], Command]:
    """Replace a command's `criteria`, `catalogue` and `output` parameters by the options
    of each group, and build the group's object from them on every call."""

    def decorate(command: Command) -> Command:
        return _Shared(command, output)  # type: ignore[return-value]

    return decorate


class _Shared:
    """A command whose signature has its groups' options in place of `criteria`,
    `catalogue` and `output`. The signature is worked out when Typer first reads it, so
    a run pays only for the one command it builds (`internals.click_command`)."""

    def __init__(self, command: Callable[..., Any], output: OutputSpec | None) -> None:
        names = ("__module__", "__name__", "__qualname__", "__doc__")
        functools.update_wrapper(self, command, assigned=names, updated=())
        self._command = command
        self._output = output
        self._plan: tuple[inspect.Signature, list[Group], bool] | None = None

    @property
    def __signature__(self) -> inspect.Signature:
        return self._planned()[0]

    @property
    def __annotations__(self) -> dict[str, Any]:  # type: ignore[override]
        return {name: p.annotation for name, p in self.__signature__.parameters.items()}

    def __call__(self, **values: Any) -> Any:
        _, groups, wants_ctx = self._planned()
        ctx = values["ctx"] if wants_ctx else values.pop("ctx")
        for name, options, build in groups:
            picked = {option: values.pop(option) for option, _ in options}
            values[name] = build(ctx, **picked)
        return self._command(**values)

    def _planned(self) -> tuple[inspect.Signature, list[Group], bool]:
        if self._plan is None:
            self._plan = self._plan_signature()
        return self._plan

    def _plan_signature(self) -> tuple[inspect.Signature, list[Group], bool]:
        keyword = inspect.Parameter.KEYWORD_ONLY
        parameters = [inspect.Parameter("ctx", keyword, annotation=typer.Context)]
        groups: list[Group] = []
        own = inspect.signature(self._command).parameters
        for parameter in own.values():
            group: Group
            if parameter.name == "criteria":
                group = ("criteria", _filters(), _build_criteria)
            elif parameter.name == "catalogue":
                group = ("catalogue", _catalogue(), _build_catalogue)
            elif parameter.name == "output" and self._output is not None:
                build = functools.partial(_build_output, self._output)
                group = ("output", _output(self._output), build)
            else:
                if parameter.name != "ctx":
                    parameters.append(parameter.replace(kind=keyword))
                continue
            groups.append(group)
            parameters += [
                inspect.Parameter(name, keyword, annotation=kind, default=option)
                for name, (kind, option) in group[1]
            ]
        groups.sort(key=lambda group: _ORDER[group[0]])
        return inspect.Signature(parameters), groups, "ctx" in own
