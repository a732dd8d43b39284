"""The output options of a command, resolved once into an `Output`, and `present`, which
orders and cuts a result's rows and hands it to its renderer.

What a command may print (its result kind, its fields, its compact default) is an
`OutputSpec`; the formats it accepts come from the render registry.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from exchange_cli.errors import UsageError
from exchange_cli.model.vocab import closest, did_you_mean, excerpt
from exchange_cli.render.registry import formats_for, renderer
from exchange_cli.render.results import (
    Diff,
    Export,
    FacetCounts,
    Listing,
    Problems,
    Result,
    is_empty,
)
from exchange_cli.render.terminal import Environment


class OutputSpec:
    """What a command prints: the kind of result, every field it has, the fields a
    table shows by default, the default format when piped, and whether rows can be
    ordered and cut (`--sort`, `--reverse`, `--limit`)."""

    __slots__ = ("kind", "fields", "compact", "default", "orderable", "piped")

    def __init__(
        self,
        kind: type,
        fields: tuple[str, ...],
        compact: tuple[str, ...] | None = None,
        default: str | None = None,  # None: table on a terminal, `piped` when piped
        orderable: bool = True,
        piped: str = "tsv",
    ) -> None:
        self.kind, self.fields, self.compact = kind, fields, compact
        self.default, self.orderable, self.piped = default, orderable, piped

    @property
    def formats(self) -> tuple[str, ...]:
        return formats_for(self.kind)

    @property
    def tabular(self) -> bool:
        """Whether its terminal view is a table (which `--wide` widens)."""
        return self.kind in (Listing, Problems, FacetCounts, Diff)

    @property
    def pageable(self) -> bool:
        """Whether it can print to a terminal at all (`export` refuses to)."""
        return self.kind is not Export


class Output:
    """Where and how a command prints, decided before any work is done."""

    __slots__ = ("env", "format", "fields", "sort", "reverse", "limit", "chose_fields")

    def __init__(
        self,
        env: Environment,
        format: str,
        fields: tuple[str, ...],
        sort: str | None = None,
        reverse: bool = False,
        limit: int | None = None,
        chose_fields: bool = False,  # --fields was given
    ) -> None:
        self.env, self.format, self.fields = env, format, fields
        self.sort, self.reverse, self.limit = sort, reverse, limit
        self.chose_fields = chose_fields

    def ordered(self, rows: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
        """The rows in the order `--sort` and `--reverse` ask, cut to `--limit` (the query
        layer's `order_records`); as they are when none was given."""
        if self.sort is None and not self.reverse and self.limit is None:
            return rows
        from exchange_cli.query.ordering import order_records

        return order_records(rows, sort=self.sort, reverse=self.reverse, limit=self.limit)


#: Formats that print the compact fields unless --fields says otherwise (the rest print
#: whole records).
_COMPACT_FORMATS = ("table", "tsv", "markdown")


def resolve_output(
    spec: OutputSpec,
    env: Environment,
    *,
    fmt: str | None = None,
    as_json: bool = False,
    fields: str | None = None,
    sort: str | None = None,
    reverse: bool = False,
    limit: int | None = None,
    no_color: bool = False,
    wide: bool = False,
    no_pager: bool = False,
) -> Output:
    """The command's output options, checked; an unknown name is a `UsageError`."""
    chosen = _format(spec, fmt, as_json, env)
    if no_color or wide or no_pager:
        env = env.replace(
            color=env.color and not no_color, wide=wide, pager=None if no_pager else env.pager
        )
    if fields is not None:
        selected = _fields(spec.fields, fields)
    elif spec.compact is not None and chosen in _COMPACT_FORMATS:
        selected = spec.compact
    else:
        selected = spec.fields
    if sort is not None and sort not in spec.fields:
        raise UsageError(_unknown("field", sort, "--sort", spec.fields, "fields"))
    if limit is not None and limit < 0:  # checked here: Click's range would widen the help
        raise UsageError(f"--limit takes 0 or more rows, not {limit}")
    return Output(env, chosen, selected, sort, reverse, limit, fields is not None)


def _format(spec: OutputSpec, fmt: str | None, as_json: bool, env: Environment) -> str:
    formats = spec.formats
    if fmt is not None:
        wanted = fmt.strip().lower()
        if wanted not in formats:
            raise UsageError(_unknown("format", fmt, "--format", formats, "formats"))
        if as_json and wanted != "json":
            raise UsageError(f"--json and --format {wanted} disagree; use one of them")
        return wanted
    if as_json:
        return "json"
    if spec.default is not None:
        return spec.default
    return "table" if env.is_terminal else spec.piped


def _fields(available: Sequence[str], text: str) -> tuple[str, ...]:
    selected = tuple(f.strip() for f in text.split(",") if f.strip())
    if not selected:
        raise UsageError(f"--fields needs at least one of: {', '.join(available)}")
    unknown = [f for f in selected if f not in available]
    if unknown:
        hint = did_you_mean(closest(unknown[0], available), after=" ")
        names = ", ".join(f"'{excerpt(u)}'" for u in unknown[:5])
        names += f" and {len(unknown) - 5:,} more" if len(unknown) > 5 else ""
        plural = "s" if len(unknown) > 1 else ""
        raise UsageError(
            f"unknown field{plural} {names} for --fields; {hint}"
            f"valid fields: {', '.join(available)}"
        )
    return tuple(dict.fromkeys(selected))


def _unknown(what: str, value: str, option: str, valid: Sequence[str], plural: str) -> str:
    hint = did_you_mean(closest(value, valid), after=" ")
    return f"unknown {what} '{excerpt(value)}' for {option}; {hint}valid {plural}: " + ", ".join(
        valid
    )


def present(output: Output, result: Result, why_empty: str | None = None) -> None:
    """Render the result: on a terminal, through the pager when it is taller than the
    screen (as git and gh do).

    An empty result is one line on stderr: why, when the command knows (`search`), else
    on a terminal view that nothing matches, in place of an empty box. Scripts get their
    empty `[]` or header row as usual.
    """
    if is_empty(result):
        if why_empty:
            output.env.note(why_empty)
        elif output.format == "table":
            output.env.note("exchange: nothing matches")
        if output.format == "table":
            return
    draw, env = renderer(output.format, type(result)), output.env
    if env.pager is None or not env.is_terminal:
        draw.render(result, env)
        return
    import io

    from exchange_cli.cli import pager

    screen = io.StringIO()
    draw.render(result, env.replace(stdout=screen))
    text = screen.getvalue()
    if pager.rows(text, env.width) < env.height:  # it fits, with the prompt below it
        env.stdout.write(text)
    else:
        pager.page(text, env)
