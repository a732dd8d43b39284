"""The entry point's workarounds on Typer, each checked against the Typer installed, so
that a release that changes what they lean on fails here, loudly, not in a user's hands."""

from __future__ import annotations

import inspect
import io
from pathlib import Path

import typer

from exchange_cli.cli import internals
from exchange_cli.cli import main as entry
from exchange_cli.cli.commands import APP_SETTINGS, app
from exchange_cli.cli.internals import requested_command
from exchange_cli.render.terminal import Environment


def _click(argv: list[str]) -> typer.core.TyperGroup:
    return internals.click_command(app, APP_SETTINGS, argv)  # type: ignore[no-any-return]


def test_typer_still_reads_the_help_colour_switch_we_set() -> None:
    """`internals.help_colour_follows_ours` sets `_TYPER_FORCE_DISABLE_TERMINAL` and
    `typer.rich_utils.FORCE_TERMINAL`; both must still be what Typer's help reads."""
    import typer.rich_utils as rich_utils

    assert hasattr(rich_utils, "FORCE_TERMINAL")
    assert "_TYPER_FORCE_DISABLE_TERMINAL" in inspect.getsource(rich_utils)


def test_the_no_arguments_help_error_still_has_its_name() -> None:
    """A bare `exchange` prints the help and Click raises NoArgsIsHelpError, which lives
    in Typer's private copy of Click; main matches it by name."""
    from typer._click import exceptions

    error = exceptions.NoArgsIsHelpError  # type: ignore[attr-defined]
    assert error.__name__ == "NoArgsIsHelpError"
    assert issubclass(error, typer.TyperException)
    assert internals.is_no_args_help(error(typer.Context(typer.main.get_command(app))))


def test_a_one_command_app_is_the_same_command() -> None:
    """main builds a Typer app holding only the requested command; it must have the same
    options, help and name as that command in the whole app."""
    whole = typer.main.get_command(app)
    assert isinstance(whole, typer.core.TyperGroup)
    for name, command in whole.commands.items():
        single = _click([name])
        assert list(single.commands) == [name]
        built = single.commands[name]
        assert [p.opts for p in built.params] == [p.opts for p in command.params], name
        assert built.help == command.help, name


def test_the_requested_command_is_found_from_the_first_word() -> None:
    assert requested_command(["list", "--json"]) == "list"
    assert requested_command(["--version"]) is None
    assert requested_command([]) is None


def test_clicks_completion_resolvers_are_where_internals_finds_them() -> None:
    """completion.answer uses Click's own resolution, from Typer's private copy of Click,
    and Typer's path type (whose completion Typer leaves empty)."""
    command = _click(["list"])
    _, target, incomplete = internals.completion_target(command, ["list", "--data"], "x", None)
    assert getattr(target, "name", None) == "data" and incomplete == "x"
    assert internals.takes_a_path(target)
    _, target, _ = internals.completion_target(command, ["list", "--sector"], "de", None)
    assert getattr(target, "name", None) == "sector" and not internals.takes_a_path(target)


def test_typer_reads_a_shared_commands_signature() -> None:
    """`options.shared` gives each command a `__signature__` in place of its own; Typer
    must build every shared option from it."""
    command = typer.main.get_command(app).commands["list"]  # type: ignore[attr-defined]
    names = {opt for param in command.params for opt in param.opts}
    for option in ("--sector", "--country", "--data", "--no-cache", "--format", "--fields"):
        assert option in names
    assert command.help and command.help.startswith("List programs")


def test_an_environment_is_passed_down_not_taken_from_sys_stdout(small: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = entry.main(
        ["list", "--data", str(small), "--fields", "id"],
        Environment.detect(stdout=out, stderr=err),
    )
    assert code == 0
    assert out.getvalue().splitlines() == ["id", "alpha-tech", "beta-defense", "gamma-trade"]
    assert err.getvalue() == ""


def test_an_unwritable_stderr_keeps_the_exit_code(small: Path) -> None:
    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

    code = entry.main(
        ["list", "--sector", "nope"], Environment.detect(stdout=io.StringIO(), stderr=Full())
    )
    assert code == 2
    code = entry.main(
        ["show", "nope", "--data", str(small)],
        Environment.detect(stdout=io.StringIO(), stderr=Full()),
    )
    assert code == 1


def test_debug_is_on_only_for_yes_words() -> None:
    for value in ("1", "true", "TRUE", "yes", " yes "):
        assert entry.debugging({"EXCHANGE_DEBUG": value}), value
    for value in ("", "0", "false", "no", "off", "²"):
        assert not entry.debugging({"EXCHANGE_DEBUG": value}), value


def test_typer_still_braces_required_arguments_and_we_do_not() -> None:
    """Typer's `TyperArgument.make_metavar` writes a required argument as `{ID}` in usage
    lines; internals swaps in `_PlainArgument`, which writes `ID`. If Typer stops bracing,
    the workaround can go."""
    command = _click(["show"]).commands["show"]
    [argument] = [p for p in command.params if isinstance(p, typer.core.TyperArgument)]
    assert type(argument) is internals._PlainArgument
    ctx = typer.Context(command)
    if "usage" in inspect.signature(typer.core.TyperArgument.make_metavar).parameters:
        assert typer.core.TyperArgument.make_metavar(argument, ctx, usage=True) == "{ID}"
    out = io.StringIO()
    env = Environment(out, io.StringIO(), False, False, 80, True)
    assert entry.main(["show", "--help"], env) == 0
    assert "exchange show [OPTIONS] ID" in out.getvalue() and "{" not in out.getvalue()
