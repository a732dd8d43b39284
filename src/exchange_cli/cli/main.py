"""The `exchange` entry point: make the Environment, run the app, and turn every failure
into one stderr line and an exit code, here and nowhere else (httpie's `core.main`).

The workarounds on Typer's and Click's internals live in `internals`, each with a test
in tests/test_main.py that fails loudly if Typer changes under it.
"""

import contextlib
import errno
import gc
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import typer

from exchange_cli.cli import internals
from exchange_cli.errors import ExchangeError, ExitCode, OutputClosed, OutputFailed, Terminated
from exchange_cli.render.terminal import Environment, output_error, sanitize_terminal_size

_OUTPUT_ERRNOS = {errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT, errno.EBADF}
DEBUG_ENV = "EXCHANGE_DEBUG"
#: Set by the completion scripts (shell/) to the shell's name.
COMPLETE_ENV = "_EXCHANGE_COMPLETE"


def debugging(environ: Mapping[str, str] = os.environ) -> bool:
    """EXCHANGE_DEBUG is on for 1, true or yes only (0 and false mean off)."""
    return environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes")


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    """Run the command line; return the exit code (the `exchange` entry point).

    The cyclic garbage collector is off for the run: a run builds large acyclic data
    (a 100,000-program catalogue) and exits, and collections that free nothing cost a
    third of such a run (BENCHMARKS.md). Reference counting still frees everything.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(list(sys.argv[1:] if argv is None else argv), env)
    finally:
        if collecting:
            gc.enable()


def _run(argv: list[str], env: Environment | None) -> int:
    debug = debugging()
    if sys.stderr is None:  # started with `2>&-`: messages go nowhere, data still flows
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the run
    if sys.stdout is None:  # started with `>&-`
        _say("exchange: error: standard output is closed")
        return int(ExitCode.OUTPUT)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")  # a legacy console gets '?' rather than a crash
    sanitize_terminal_size(os.environ, sys.stderr)
    env = env or Environment.detect()
    if COMPLETE_ENV in os.environ:
        return _complete(argv, os.environ[COMPLETE_ENV], env, debug)
    command = _click_command(argv, plain_help=not env.is_terminal)
    try:
        try:
            with (
                contextlib.redirect_stdout(env.stdout),  # Typer's help and echo, too
                contextlib.redirect_stderr(env.stderr),
                internals.help_colour_follows_ours(argv),
            ):
                result = command.main(
                    args=argv, prog_name="exchange", standalone_mode=False, obj=env
                )
            env.stdout.flush()
        except OSError as exc:  # the final flush, or a write not through the Environment
            if exc.errno not in _OUTPUT_ERRNOS:
                raise
            raise output_error(exc) from None
    except OutputClosed:  # the reader went away (`| head -1`): stop quietly
        _abandon_stdout()
        return int(ExitCode.BROKEN_PIPE)
    except OutputFailed as exc:
        if exc.on_stdout:
            _abandon_stdout()
        return _fail(env, str(exc), exc.exit_code, debug)
    except ExchangeError as exc:
        return _fail(env, str(exc), exc.exit_code, debug)
    except typer.TyperException as exc:  # Click's usage errors
        if internals.is_no_args_help(exc):  # Rich help is on the screen already; plain is not
            help_text = exc.format_message()
            if help_text:
                env.stdout.write(help_text + "\n")
            return int(ExitCode.USAGE)
        hint = ""
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            hint = f" (see '{ctx.command_path} --help')"
        return _fail(env, exc.format_message() + hint, getattr(exc, "exit_code", 2), debug)
    except (typer.Abort, KeyboardInterrupt):
        return _fail(env, "interrupted", ExitCode.INTERRUPTED, debug)
    except Terminated as exc:
        return 128 + exc.signum
    if result == ExitCode.INTERRUPTED:  # Typer turns Ctrl-C into Exit(130) itself
        return _fail(env, "interrupted", ExitCode.INTERRUPTED, debug)
    return result if isinstance(result, int) else 0


def _click_command(argv: Sequence[str], plain_help: bool = False) -> Any:
    """The app's Click command for this run (`internals.click_command`); its help plain
    text when it does not go to a terminal."""
    from exchange_cli.cli.commands import APP_SETTINGS, app

    return internals.click_command(app, APP_SETTINGS, argv, plain_help=plain_help)


def _abandon_stdout() -> None:
    """Point stdout at /dev/null, so Python's own flush at exit cannot fail a second time."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _complete(words: list[str], shell: str, env: Environment, debug: bool) -> int:
    """Answer a Tab press (completion.py has the protocol). It never fails and never
    prints an error: a shell would show it in the middle of the command line. A value
    from an older script (Typer's `complete_zsh`) gets no answer, so nothing it would
    evaluate is ever printed."""
    from exchange_cli.cli.completion import SHELLS, answer, typed_word

    if shell not in SHELLS:
        return 0
    if shell == "bash":  # bash hands over its words as typed (zsh and fish dequote them)
        words = [typed_word(word) for word in words]
    try:
        lines = answer(_click_command(words[:-1]), words, env)
        env.stdout.write("".join(f"{line}\n" for line in lines))
        env.stdout.flush()
    except Exception:  # noqa: BLE001 - a Tab press must not print a traceback
        if debug:
            import traceback

            with contextlib.suppress(OSError, ValueError):
                traceback.print_exc(file=env.stderr)
    return 0


def _say(line: str) -> None:
    """One line on stderr; an unwritable stderr must not change the exit code."""
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def _fail(env: Environment, message: str, code: int, debug: bool) -> int:
    if debug:
        import traceback

        with contextlib.suppress(OSError, ValueError):
            traceback.print_exc(file=env.stderr)
    if message:
        if len(message) > MESSAGE_LIMIT:  # an echo of something huge stays one readable line
            message = f"{message[:MESSAGE_LIMIT]}… ({len(message):,} characters)"
        env.note(f"exchange: error: {message}")
    return int(code)


#: The longest error line, whatever a user or a catalogue sent (a path fits easily).
MESSAGE_LIMIT = 2000
