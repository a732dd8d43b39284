"""Where an export goes: standard output, or a file named by `--output`, written whole
or not at all (a temporary file beside it, renamed into place)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from exchange_cli.errors import OutputFailed
from exchange_cli.render.terminal import Environment, output_error


def write(data: bytes, target: Path | None, env: Environment) -> None:
    """`data` to the file `target`, or to standard output's bytes when None."""
    if target is None:
        env.stdout.flush()
        buffer = getattr(env.stdout, "buffer", None)
        if buffer is None:
            raise OutputFailed("standard output takes no bytes here; use --output FILE")
        try:
            buffer.write(data)
            buffer.flush()
        except OSError as exc:
            raise output_error(exc) from None
        return
    if _special(target):  # /dev/null, /dev/stdout, a FIFO: written into, never replaced
        try:
            with open(target, "wb") as out:
                out.write(data)
        except OSError as exc:
            raise _cannot("write", target, exc) from None
        return
    if target.is_symlink():  # the file it points to is replaced, not the link (/dev/stdout)
        target = Path(os.path.realpath(target))
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "xb") as out:
            out.write(data)
        os.replace(temporary, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise _cannot("write", target, exc) from None


def _cannot(verb: str, path: Path, exc: OSError) -> OutputFailed:
    """The one line for a file we could not write (stdout itself is fine)."""
    return OutputFailed(f"cannot {verb} {path}: {exc.strerror or exc}", on_stdout=False)


def _special(target: Path) -> bool:
    """Whether `target` exists and is neither a regular file nor a directory (a device, a
    FIFO, a socket): renaming a file over it would replace the device node itself."""
    import stat

    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def write_directory(files: dict[str, bytes], directory: Path, env: Environment) -> None:
    """Each file into `directory` (made when missing), each one whole or not at all."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot("make", directory, exc) from None
    for name, data in files.items():
        write(data, directory / name, env)
