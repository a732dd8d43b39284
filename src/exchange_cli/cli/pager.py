"""Long terminal output through a pager, as git and gh do it.

Only on a terminal, and only when the output is taller than the screen (`present`
decides). The pager is EXCHANGE_PAGER, else PAGER, else `less -FRX` when installed
(`terminal.pager_command`); LESS=FRX is set for it when LESS is unset, so less keeps
colours and leaves the text on the screen, as git sets it.

A pager the user quits early (`q` in less) ends the run quietly, exit 0. A pager that
fails ends it quietly too, as a closed pipe does (exit 141); one that cannot be started
at all is said in one line, and the output is written without it.
"""

import contextlib
import os
import re
import shutil

from exchange_cli.errors import OutputClosed
from exchange_cli.render.terminal import Environment

#: A command with any of these is run by the shell (git's rule); a single word is run
#: directly, so that a missing program can be told from one that failed.
_SHELL = set("|&;<>()$`\\\"' \t\n*?[#~=%")


#: Colour and hyperlink sequences: they take no room on the screen.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def rows(text: str, width: int) -> int:
    """How many terminal lines `text` takes at `width` columns (long lines wrap)."""
    plain = _ESCAPES.sub("", text) if "\x1b" in text else text
    return sum(1 + max(len(line) - 1, 0) // width for line in plain.splitlines())


def page(text: str, env: Environment) -> None:
    """Show `text` through the environment's pager, or write it when none can run."""
    import signal
    import subprocess

    assert env.pager is not None
    argv = _argv(env.pager)
    if argv is None or not _keyboard():  # no less to run, or no one to page for
        env.stdout.write(text)
        return
    environ = {**os.environ}
    environ.setdefault("LESS", "FRX")
    environ.setdefault("LV", "-c")
    try:
        pager = subprocess.Popen(argv, stdin=subprocess.PIPE, env=environ)
    except OSError as exc:
        env.note(f"exchange: cannot run the pager '{env.pager}': {exc.strerror or exc}")
        env.stdout.write(text)
        return
    encoding = getattr(env.stdout, "encoding", None) or "utf-8"
    # Ctrl-C belongs to the pager while it runs (less uses it to stop a search), as in git.
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        assert pager.stdin is not None
        with contextlib.suppress(OSError):  # the pager quit before reading it all
            pager.stdin.write(text.encode(encoding, errors="replace"))
        with contextlib.suppress(OSError):
            pager.stdin.close()
        status = pager.wait()
    finally:
        signal.signal(signal.SIGINT, interrupt)
    if status != 0:
        raise OutputClosed()


def _keyboard() -> bool:
    """Whether the process has a controlling terminal, which a pager reads keys from.
    A pseudo-terminal given to a child of a test harness or a service often is not one:
    writing straight out beats a pager that fails at its first key."""
    try:
        os.close(os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY))
    except OSError:
        return False
    return True


def _argv(command: str) -> list[str] | None:
    if command == "less -FRX":  # ours: run it only when it is there
        found = shutil.which("less")
        return None if found is None else [found, "-FRX"]
    if _SHELL.intersection(command):
        return ["/bin/sh", "-c", command]
    import shlex

    return shlex.split(command)
