"""Every workaround on Typer's and Click's internals, in one place. Each leans on
something Typer does not promise (a private name, an environment variable it reads, a
class it builds), and each has a test in tests/test_main.py that fails loudly when a
Typer release changes what it leans on.
"""

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import typer


def is_no_args_help(exc: BaseException) -> bool:
    """Click raises NoArgsIsHelpError after printing the help for a bare `exchange`; its
    class lives in Typer's private copy of Click, so it is matched by name here (and
    tests/test_main.py fails if the name goes away)."""
    return type(exc).__name__ == "NoArgsIsHelpError"


@contextlib.contextmanager
def help_colour_follows_ours(argv: Sequence[str]) -> Iterator[None]:
    """Typer's Rich help ignores NO_COLOR for bold and dim; make it write plain text then.

    Typer reads `_TYPER_FORCE_DISABLE_TERMINAL` when it first imports its Rich helpers,
    which happens only when help or an error is drawn; the variable is ours for the run.
    """
    plain = (
        bool(os.environ.get("NO_COLOR"))
        or os.environ.get("TERM") == "dumb"
        or "--no-color" in argv
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


def _command_name(info: typer.models.CommandInfo) -> str:
    assert info.callback is not None
    return info.name or info.callback.__name__.replace("_", "-")


def requested_command(argv: Sequence[str]) -> str | None:
    """The subcommand this run is for, when it is already known."""
    if argv and not argv[0].startswith("-"):
        return argv[0]
    return None


def click_command(
    app: typer.Typer, settings: dict[str, Any], argv: Sequence[str], *, plain_help: bool = False
) -> Any:
    """The Click command for this run, holding only the subcommand asked for when known.

    Typer builds every command's parameters before running one (about 30 ms for ten
    commands, paid on each run and each Tab press); a one-command app behaves the same
    for that subcommand, its help and its completion.
    """
    wanted = requested_command(argv)
    infos = [info for info in app.registered_commands if _command_name(info) == wanted]
    if not infos:
        group = typer.main.get_command(app)
    else:
        single = typer.Typer(**settings)
        single.registered_callback = app.registered_callback
        single.registered_commands = infos
        group = typer.main.get_command(single)
    if plain_help:
        _without_rich_help(group)
    return plain_usage(group)


def _without_rich_help(group: Any) -> None:
    """Help as Click writes it, plain text without boxes or padding, for a pipe: Typer
    draws Rich panels whenever a command's `rich_markup_mode` is set, wherever the help
    goes, and reads that attribute when it formats (tests/test_main.py)."""
    for command in (group, *getattr(group, "commands", {}).values()):
        command.rich_markup_mode = None


class _PlainArgument(typer.core.TyperArgument):
    """An argument whose usage shows its declared metavar as it is: `show ID`, not
    Typer's `show {ID}` (Click, man pages and every other CLI write it bare)."""

    def make_metavar(self, ctx: Any, *args: Any, **kwargs: Any) -> str:
        if self.metavar is not None:
            return self.metavar
        return super().make_metavar(ctx, *args, **kwargs)  # (`usage=` since typer 0.27)


def plain_usage(group: Any) -> Any:
    """Typer's arguments, as `_PlainArgument`s (a subclass adding no state), in every
    command of `group`."""
    for command in getattr(group, "commands", {}).values():
        for param in command.params:
            if type(param) is typer.core.TyperArgument:
                param.__class__ = _PlainArgument
    return group


def completion_target(command: Any, args: Sequence[str], incomplete: str, env: Any) -> Any:
    """(context, parameter or command, incomplete word) for completing `incomplete` after
    `args`: Click's own resolution (`_resolve_context` and `_resolve_incomplete`, as
    `ShellComplete.get_completions` uses them, from Typer's copy of Click)."""
    from typer._click.shell_completion import _resolve_context, _resolve_incomplete

    ctx = _resolve_context(command, {"obj": env}, "exchange", list(args))
    target, incomplete = _resolve_incomplete(ctx, list(args), incomplete)
    return ctx, target, incomplete


def takes_a_path(target: Any) -> bool:
    """Whether a completion target is a parameter of Typer's path type, whose completion
    Typer leaves empty (the shell's file names are offered instead)."""
    from typer._click.core import Parameter
    from typer.models import TyperPath

    return isinstance(target, Parameter) and isinstance(target.type, TyperPath)
