"""Facts about where output goes, decided once and passed down (the httpie pattern).

Renderers read these instead of probing `sys.stdout` or the environment themselves,
so tests can set them directly.
"""

import os
import shutil
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any, TextIO, cast

from exchange_cli.errors import OutputClosed, OutputFailed


def output_error(exc: OSError) -> OutputClosed | OutputFailed:
    """A failed write to stdout as one of our errors: a closed pipe is quiet, the rest not."""
    if isinstance(exc, BrokenPipeError):
        return OutputClosed()
    return OutputFailed(f"cannot write the output: {exc.strerror or exc}")


_PIECE = 2048  # characters: at most 8 KiB of UTF-8, the size of Python's stdout buffer


class _PipeGuard:
    """A stdout whose failures raise our own errors, so every writer (csv, json, Rich)
    stops the same way and `cli.main` alone decides the exit code."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write in pieces smaller than the stream's buffer, so every byte goes through
        the buffer's flush, which raises on a full disk. (A write larger than the buffer
        goes straight to the file, where a short write is silently dropped.)"""
        if not isinstance(text, str):  # so Click does not take this for a binary stream
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        try:
            for start in range(0, len(text), _PIECE):
                self._stream.write(text[start : start + _PIECE])
        except OSError as exc:
            raise output_error(exc) from None
        return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise output_error(exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class Environment:
    """Where output goes and what that destination can show: a terminal or not, colour,
    width and height, Unicode; whether every column is wanted (`--wide`); and the pager
    long terminal output goes through (None: none)."""

    __slots__ = (
        "stdout",
        "stderr",
        "is_terminal",
        "color",
        "width",
        "unicode",
        "height",
        "wide",
        "pager",
    )

    def __init__(
        self,
        stdout: TextIO,
        stderr: TextIO,
        is_terminal: bool,
        color: bool,
        width: int,
        unicode: bool,
        height: int = 24,
        wide: bool = False,
        pager: str | None = None,
    ) -> None:
        self.stdout, self.stderr = stdout, stderr
        self.is_terminal, self.color, self.width, self.unicode = is_terminal, color, width, unicode
        self.height, self.wide, self.pager = height, wide, pager

    def replace(self, **changes: Any) -> "Environment":
        """The same environment with some facts changed (`--no-color`, `--wide`, ...)."""
        facts = {name: getattr(self, name) for name in self.__slots__}
        return Environment(**{**facts, **changes})

    @classmethod
    def detect(
        cls,
        *,
        no_color: bool = False,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> "Environment":
        """Read the terminal facts from the process (or from the arguments, for tests)."""
        out = stdout if stdout is not None else sys.stdout
        err = stderr if stderr is not None else sys.stderr
        env = os.environ if environ is None else environ
        try:
            is_terminal = out.isatty()
        except (AttributeError, ValueError):
            is_terminal = False
        encoding = (getattr(out, "encoding", None) or "ascii").lower().replace("-", "")
        size = shutil.get_terminal_size((100, 24)) if is_terminal else _piped_size(err)
        width = terminal_size_value(env.get("COLUMNS", "")) or size.columns
        height = terminal_size_value(env.get("LINES", "")) or size.lines
        return cls(
            stdout=cast(TextIO, _PipeGuard(out)),
            stderr=err,
            is_terminal=is_terminal,
            color=wants_color(is_terminal, no_color=no_color, environ=env),
            width=min(max(width, MIN_WIDTH), MAX_WIDTH),
            unicode=encoding.startswith("utf"),
            height=min(max(height, 2), MAX_HEIGHT),
            pager=pager_command(env) if is_terminal else None,
        )

    def note(self, message: str) -> None:
        """A message for the person at the terminal: one line on stderr, its control
        characters made visible. An unwritable stderr never changes the outcome."""
        import contextlib

        from exchange_cli.render.text import visible

        with contextlib.suppress(OSError, ValueError):
            self.stderr.write(visible(message) + "\n")
            self.stderr.flush()


#: The narrowest and widest a view is drawn, whatever COLUMNS says; the tallest screen.
MIN_WIDTH, MAX_WIDTH, MAX_HEIGHT = 20, 1000, 10_000


def _piped_size(err: TextIO) -> os.terminal_size:
    """The size a view asked for by name (`--format table`) takes in a pipe: the
    terminal's stderr is on (`exchange list -f table | less` fits the screen), else 80
    columns, as Rich and gh assume."""
    try:
        size = os.get_terminal_size(err.fileno())
    except (AttributeError, ValueError, OSError):
        size = os.terminal_size((0, 0))
    return os.terminal_size((size.columns or 80, size.lines or 24))  # 0: a pty never sized


def terminal_size_value(raw: str) -> int | None:
    """A COLUMNS or LINES value: ASCII digits only (`str.isdigit` also takes `²`, which
    `int` refuses) and positive; else None. Huge values stay huge: callers clamp."""
    value = raw.strip()
    if value.isascii() and value.isdigit() and len(value) <= 4300 and int(value) > 0:
        return int(value)
    return None


def sanitize_terminal_size(environ: MutableMapping[str, str], err: TextIO) -> None:
    """Make COLUMNS and LINES safe for everything that reads them (Rich and Typer's help
    parse them too, and crash on `²` or draw a screen a billion columns wide): a bad
    value is dropped with one warning line, a huge one clamped."""
    import contextlib

    for name, largest in (("COLUMNS", MAX_WIDTH), ("LINES", MAX_HEIGHT)):
        raw = environ.get(name)
        if raw is None or not raw.strip():
            continue
        size = terminal_size_value(raw)
        if size is None:
            del environ[name]
            shown = raw[:20].encode("unicode_escape").decode("ascii")
            with contextlib.suppress(OSError, ValueError):
                err.write(f"exchange: warning: ignoring {name}='{shown}': not a positive number\n")
        elif size > largest:
            environ[name] = str(largest)


def pager_command(environ: Mapping[str, str]) -> str | None:
    """The pager for long terminal output, as git and gh choose it: EXCHANGE_PAGER, else
    PAGER, else `less -FRX` (when it is installed; `pager` checks). Empty, or `cat`,
    means none."""
    chosen = environ.get("EXCHANGE_PAGER")
    if chosen is None:
        chosen = environ.get("PAGER", "less -FRX")
    chosen = chosen.strip()
    return None if chosen in ("", "cat") else chosen


def wants_color(is_terminal: bool, *, no_color: bool, environ: Mapping[str, str]) -> bool:
    """--no-color and NO_COLOR always win; FORCE_COLOR forces; TERM=dumb or a pipe turn it off."""
    if no_color or environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    return is_terminal
