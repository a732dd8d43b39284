"""`export --output` writes files as a careful `install` does (render/target.py): a
temporary file beside the target, short-named whatever the target's name, renamed into
place; never over the catalogue the command reads; an existing file keeps its mode, and
its owner where the system lets us. A directory, device or FIFO target is as before
(test_sqlite_export.py: FIFO, symlink; test_html.py: directory)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from unprivileged import Unprivileged, unprivileged

EXCHANGE = Path(sys.executable).parent / "exchange"
SMALL = Path(__file__).parent / "fixtures" / "small.yaml"
OTHER_UID = 12345
FORMATS = {"html": b"<!DOCTYPE html>", "sqlite": b"SQLite format 3\x00"}


def export(cwd: Path, *args: str, stdin: Any = None, umask: int = -1, **env: str) -> Any:
    base = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
    return subprocess.run(
        [str(EXCHANGE), "export", *args],
        capture_output=True,
        cwd=cwd,
        env={**base, **env},
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        umask=umask,
        timeout=120,  # only stops a hung child
        check=False,
    )


def written(path: Path, form: str) -> bool:
    return path.read_bytes().startswith(FORMATS[form])


# -- any name the system takes ----------------------------------------------------------------


@pytest.mark.parametrize("form", FORMATS)
def test_a_name_as_long_as_the_system_allows_is_written(tmp_path: Path, form: str) -> None:
    """The temporary file beside the target once had a longer name than the target, so
    a valid 250-character name was refused ("File name too long")."""
    longest = os.pathconf(tmp_path, "PC_NAME_MAX")
    name = "p" * (longest - 5) + ".file"
    proc = export(tmp_path, "-f", form, "--output", name)
    assert proc.returncode == 0, proc.stderr
    assert written(tmp_path / name, form)
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left


# -- never over what the command reads --------------------------------------------------------

#: How the --output can name the catalogue --data reads: (--data, --output, environment).
SAME_FILE = {
    "the same name": ("private.yaml", "private.yaml", {}),
    "another spelling": ("private.yaml", "./sub/../private.yaml", {}),
    "an absolute path": ("private.yaml", "ABS/private.yaml", {}),
    "a symlink to it": ("private.yaml", "link.yaml", {}),
    "--data through a symlink": ("link.yaml", "private.yaml", {}),
    "a hard link": ("private.yaml", "hard.yaml", {}),
    "EXCHANGE_DATA": (None, "private.yaml", {"EXCHANGE_DATA": "private.yaml"}),
    "standard input": ("-", "private.yaml", {}),
}


@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("way", SAME_FILE)
def test_the_catalogue_read_is_never_written_over(tmp_path: Path, way: str, form: str) -> None:
    """`export --data private.yaml --format sqlite --output private.yaml` made the
    catalogue a database, though no command writes to the catalogue: refused, one line,
    exit 2, before anything is written; the file keeps its bytes and its time."""
    private = tmp_path / "private.yaml"
    private.write_bytes(SMALL.read_bytes())
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.yaml").symlink_to("private.yaml")
    os.link(private, tmp_path / "hard.yaml")
    before = private.read_bytes(), private.stat().st_mtime_ns, sorted(os.listdir(tmp_path))
    data, output, env = SAME_FILE[way]
    args = ["-f", form, "--output", output.replace("ABS", str(tmp_path))]
    if data is not None:
        args += ["--data", data]
    if data == "-":
        with private.open("rb") as stdin:
            proc = export(tmp_path, *args, stdin=stdin, **env)
    else:
        proc = export(tmp_path, *args, **env)
    after = private.read_bytes(), private.stat().st_mtime_ns, sorted(os.listdir(tmp_path))
    assert after == before
    assert proc.returncode == 2, proc.stderr
    message = proc.stderr.decode()
    assert message.startswith("exchange: error: ") and message.count("\n") == 1, message
    assert "reads" in message and "Traceback" not in message
    assert proc.stdout == b""


def test_a_directory_export_never_writes_over_the_catalogue_read(tmp_path: Path) -> None:
    """`-f sqlite --output DIR/` writes DIR/catalogue.db: not when that is the input."""
    folder = tmp_path / "out"
    folder.mkdir()
    catalogue = folder / "catalogue.db"  # a YAML catalogue, oddly named
    catalogue.write_bytes(SMALL.read_bytes())
    before = catalogue.read_bytes(), catalogue.stat().st_mtime_ns
    proc = export(tmp_path, "-f", "sqlite", "--data", str(catalogue), "--output", "out/")
    assert proc.returncode == 2 and b"reads" in proc.stderr, proc.stderr
    assert (catalogue.read_bytes(), catalogue.stat().st_mtime_ns) == before
    assert os.listdir(folder) == ["catalogue.db"]  # nor metadata.json, half the export


def test_another_file_is_written_as_before(tmp_path: Path) -> None:
    """The control: the same catalogue, a different --output, is exported."""
    private = tmp_path / "private.yaml"
    private.write_bytes(SMALL.read_bytes())
    proc = export(tmp_path, "-f", "sqlite", "--data", "private.yaml", "--output", "copy.yaml")
    assert proc.returncode == 0, proc.stderr
    assert written(tmp_path / "copy.yaml", "sqlite")


# -- modes and owners -------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMATS)
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604, 0o755])
def test_replacing_a_file_keeps_its_mode(tmp_path: Path, form: str, mode: int) -> None:
    """A shell redirect keeps an existing file's mode; so does export (it used to leave
    a 0600 file 0644, readable by everyone)."""
    target = tmp_path / "out"
    target.write_bytes(b"old")
    target.chmod(mode)
    proc = export(tmp_path, "-f", form, "--output", "out")
    assert proc.returncode == 0, proc.stderr
    assert written(target, form)
    assert stat.S_IMODE(target.stat().st_mode) == mode


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o027])
def test_a_new_file_gets_the_mode_a_redirect_gives(tmp_path: Path, umask: int) -> None:
    proc = export(tmp_path, "--output", "page.html", umask=umask)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE((tmp_path / "page.html").stat().st_mode) == 0o666 & ~umask


def test_replacing_a_file_keeps_its_owner_where_permitted(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another user, which this test needs")
    target = tmp_path / "shared.db"
    target.write_bytes(b"old")
    os.chown(target, OTHER_UID, OTHER_UID)
    target.chmod(0o640)
    proc = export(tmp_path, "-f", "sqlite", "--output", "shared.db")
    assert proc.returncode == 0, proc.stderr
    info = target.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (OTHER_UID, OTHER_UID, 0o640)


@pytest.fixture
def runner() -> Iterator[Unprivileged]:
    yield from unprivileged()


def test_a_set_id_bit_stays_only_with_the_owner_it_was_set_for(runner: Unprivileged) -> None:
    """An ordinary user replacing root's file (in a directory of their own) cannot keep
    its owner: the replacement is theirs, and a set-user-ID or set-group-ID bit is not
    carried over to it, as cp and install do."""
    if runner.uid == os.geteuid():
        pytest.skip(f"the command runs as {runner.who}, who owns the file it replaces")
    tool = runner.root / "tool"
    tool.write_bytes(b"old")
    tool.chmod(0o6755)
    proc = runner.run("export", "-f", "sqlite", "--output", "tool", env={"HOME": "/"})
    assert proc.returncode == 0, proc.stderr
    info = tool.stat()
    assert written(tool, "sqlite")
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (runner.uid, 0o755)
