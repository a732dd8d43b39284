"""Run the installed `exchange` where file permissions stop it, as they stop a user.

Root passes every permission check (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), and CI runs
the tests as root; a test of what a user meets when a directory cannot be searched
(EACCES: a home under a 0750 directory of someone else, as on Ubuntu since 21.04, seen
through `sudo -u` keeping the caller's HOME) must run the command without that power:

- not root: as ourselves; a directory of mode 0 stops even its owner;
- root: as `nobody` (`setpriv --reuid`), in a sandbox under /tmp that nobody can reach,
  when that account can run this Python; else as root with every capability dropped
  (`setpriv --bounding-set=-all`), whom a directory of mode 0 stops like anyone;
- when neither works (no setpriv, a kernel that refuses): skip and say why; under CI
  (`CI` set) fail instead, so the promise is never silently untested.

`lock` makes a directory unsearchable by the runner and checks that it is, so a test
can never pass because the lock did not hold.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

EXCHANGE = Path(sys.executable).parent / "exchange"
#: What the child sees: no EXCHANGE_* or XDG_* of the test run, a plain locale.
BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


class Unprivileged:
    """Who runs the command (`prefix`, `uid`, `gid`, `who`) and the sandbox it runs in."""

    def __init__(self, prefix: Sequence[str], uid: int, gid: int, who: str, root: Path) -> None:
        self.prefix, self.uid, self.gid, self.who, self.root = list(prefix), uid, gid, who, root
        self._locked: list[Path] = []

    def run(
        self, *args: str, env: Mapping[str, str], stdin: int | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`exchange ARGS` as the runner, in the sandbox, with only `env` (and BASE_ENV).
        The interpreter is named, not the script: its `#!` line is not the point here."""
        return subprocess.run(
            [*self.prefix, sys.executable, str(EXCHANGE), *args],
            capture_output=True,
            text=True,
            env={**BASE_ENV, **env},
            cwd=self.root,
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            timeout=120,  # only stops a hung child
            check=False,
        )

    def mkdir(self, path: Path) -> Path:
        """A directory the runner owns (its home, a place for its output)."""
        path.mkdir(parents=True)
        os.chown(path, self.uid, self.gid)
        return path

    def lock(self, directory: Path) -> Path:
        """Make `directory` unsearchable by the runner: root's with mode 0750 when the
        runner is someone else (the Ubuntu home), mode 0 when the runner is us."""
        os.chmod(directory, 0o750 if self.uid != os.geteuid() else 0)
        self._locked.append(directory)
        probe = directory / "probe"
        check = "import os, sys\ntry: os.stat(sys.argv[1])\nexcept PermissionError: sys.exit(13)"
        proc = subprocess.run(
            [*self.prefix, sys.executable, "-c", check, str(probe)],
            capture_output=True, text=True, env=BASE_ENV, timeout=60, check=False,
        )  # fmt: skip
        if proc.returncode != 13:
            pytest.fail(f"{self.who} can still search {directory}: {proc.stderr}", False)
        return directory

    def cleanup(self) -> None:
        for directory in self._locked:
            os.chmod(directory, 0o700)
        shutil.rmtree(self.root, ignore_errors=True)


def _works(prefix: Sequence[str]) -> bool:
    try:
        proc = subprocess.run(
            [*prefix, sys.executable, str(EXCHANGE), "--version"],
            capture_output=True, env=BASE_ENV, cwd="/", timeout=60, check=False,
        )  # fmt: skip
    except OSError:
        return False
    return proc.returncode == 0


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the unprivileged tests may not be skipped", False)
    pytest.skip(reason)


def unprivileged() -> Iterator[Unprivileged]:
    """The fixture's body (see the module docstring): a runner and its sandbox."""
    root = Path(tempfile.mkdtemp(prefix="exchange-unprivileged-", dir="/tmp"))
    os.chmod(root, 0o755)
    if os.geteuid() != 0:
        runner = Unprivileged([], os.geteuid(), os.getegid(), "this user", root)
    else:
        setpriv = shutil.which("setpriv")
        runner = None
        if setpriv is not None:
            try:
                nobody = pwd.getpwnam("nobody")
            except KeyError:
                nobody = None
            if nobody is not None:
                prefix = [setpriv, f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}"]
                prefix.append("--clear-groups")
                if _works(prefix):
                    runner = Unprivileged(prefix, nobody.pw_uid, nobody.pw_gid, "nobody", root)
            if runner is None:
                prefix = [setpriv, "--bounding-set=-all", "--inh-caps=-all"]
                if _works(prefix):
                    runner = Unprivileged(prefix, 0, 0, "root without capabilities", root)
        if runner is None:
            shutil.rmtree(root)
            _unavailable(
                "running as root, and neither `setpriv --reuid=nobody` nor "
                "`setpriv --bounding-set=-all` could run this Python (util-linux's setpriv "
                "is needed to drop root's power over file permissions)"
            )
            return
        os.chown(root, runner.uid, runner.gid)
    try:
        yield runner
    finally:
        runner.cleanup()
