"""Where an export goes: standard output, or a file named by `--output`, written as a
careful `install` writes one.

- Whole or not at all: into a temporary file beside the target, then renamed over it.
  The temporary name is short whatever the target's (`.exchange-<pid>-<8 hex>.tmp`: a
  target named with the 255 bytes a file system allows must still work), the file is
  created exclusively and never through a link, and the directory is opened once, every
  step relative to it, so both stay in one directory whatever the path does meanwhile.
- Never over a file the command reads (`Keep`: the catalogue's device and inode, so a
  link, a hard link or another spelling of its name is still it): refused, exit 2.
- An existing file keeps its mode, and its owner and group where the system lets us
  (as root, or a group of ours); a set-user-ID or set-group-ID bit stays only with the
  owner or group it was set for, as cp and install do. A new file gets 0666 less the
  umask, what a shell redirect gives.
- A link is followed: the file it names is replaced, the link kept (`latest.db`).
- A device, FIFO or socket (`/dev/null`, `/dev/stdout`) is written into, never replaced.

Every OS error is one line (exit 4) naming the path as given, never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Collection, Mapping
from pathlib import Path

from exchange_cli.errors import OutputFailed, UsageError, display_name
from exchange_cli.render.terminal import Environment, output_error

#: Files the command reads, as (device, inode): never to be written over.
Keep = Collection[tuple[int, int]]


def write(data: bytes, target: Path | None, env: Environment, keep: Keep = ()) -> None:
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
            raise cannot("write", target, exc) from None
        return
    try:
        real = os.path.realpath(target)  # a link: the file it names is replaced, not the link
        folder, name = os.path.split(real)
        directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:  # realpath too, for a relative name in a deleted directory
        raise cannot("write", target, exc) from None
    try:
        _replace(data, directory, name, target, keep)
    finally:
        os.close(directory)


def refuse_if_read(target: Path, keep: Keep) -> None:
    """Refuse (exit 2) when `target` names a file the command reads. `export` asks before
    doing any work; `write` asks again of the file it is about to replace."""
    try:
        info = os.stat(target)
    except (OSError, ValueError):
        return
    _refuse_if_kept(info, target, keep)


def _refuse_if_kept(info: os.stat_result, target: Path, keep: Keep) -> None:
    if (info.st_dev, info.st_ino) in keep:
        raise UsageError(
            f"--output {display_name(target)} is the catalogue this command reads; "
            "write the export to another file"
        )


def _replace(data: bytes, directory: int, name: str, target: Path, keep: Keep) -> None:
    """Write `data` to a new file in `directory` and rename it over `name`."""
    try:
        existing: os.stat_result | None = os.stat(name, dir_fd=directory, follow_symlinks=False)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise cannot("write", target, exc) from None
    if existing is not None:
        _refuse_if_kept(existing, target, keep)
        if not stat.S_ISREG(existing.st_mode):
            existing = None  # a link that would not resolve (a loop): nothing to take over
    temporary = None
    try:
        temporary, fd = _create(directory, 0o600 if existing is not None else 0o666)
        with open(fd, "wb") as out:
            out.write(data)
            out.flush()
            if existing is not None:
                _take_over(out.fileno(), existing)
            try:  # the bytes are on disk before the name points at them
                os.fsync(out.fileno())
            except OSError as exc:  # EINVAL, ENOTSUP: a file system with no fsync to do
                if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
                    raise
        os.replace(temporary, name, src_dir_fd=directory, dst_dir_fd=directory)
    except BaseException as exc:  # Ctrl-C included: the temporary file goes
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=directory)
        if isinstance(exc, OSError):
            raise cannot("write", target, exc) from None
        raise


def _create(directory: int, mode: int) -> tuple[str, int]:
    """A new file of ours in `directory`, created exclusively (never through a link a
    stranger left there), under a short name of its own."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        name = f".exchange-{os.getpid()}-{os.urandom(4).hex()}.tmp"
        try:
            return name, os.open(name, flags, mode, dir_fd=directory)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in the directory after 100 tries: {name}")


def _take_over(fd: int, existing: os.stat_result) -> None:
    """Give the new file the replaced one's owner and group, where the system lets us,
    then its mode; a set-ID bit is dropped where its owner or group was not kept."""
    for uid, gid in ((existing.st_uid, existing.st_gid), (-1, existing.st_gid)):
        try:
            os.fchown(fd, uid, gid)
            break
        except OSError:  # not permitted: another user's file, a group not ours
            continue
    now = os.fstat(fd)
    mode = stat.S_IMODE(existing.st_mode)
    if now.st_uid != existing.st_uid:
        mode &= ~stat.S_ISUID
    if now.st_gid != existing.st_gid:
        mode &= ~stat.S_ISGID
    os.fchmod(fd, mode)


def cannot(verb: str, path: Path, exc: OSError) -> OutputFailed:
    """The one line for a file we could not write (stdout itself is fine)."""
    return OutputFailed(
        f"cannot {verb} {display_name(path)}: {exc.strerror or exc}", on_stdout=False
    )


def _special(target: Path) -> bool:
    """Whether `target` exists and is neither a regular file nor a directory (a device, a
    FIFO, a socket): renaming a file over it would replace the device node itself."""
    try:
        mode = os.stat(target).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def write_directory(
    files: Mapping[str, bytes], directory: Path, env: Environment, keep: Keep = ()
) -> None:
    """Each file into `directory` (made when missing), each one whole or not at all, and
    none when any of them is a file the command reads."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot("make", directory, exc) from None
    for name in files:
        refuse_if_read(directory / name, keep)
    for name, data in files.items():
        write(data, directory / name, env, keep)
