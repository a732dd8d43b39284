"""Every OS error on a path we touch is one line and a documented exit code, never a
traceback; and a cache that cannot be used only means no cache (README: "The cache",
"Security: untrusted catalogues").

Python 3.11's `Path.is_dir()` and friends raise on EACCES and ENAMETOOLONG instead of
answering False. The cases found: a home whose parent is 0750 and someone else's (Ubuntu
since 21.04, seen through `sudo -u` keeping the caller's HOME), a name longer than the
file system allows, and a home that cannot be known at all. The permission cases run the
installed command as an unprivileged user (`unprivileged.py`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from unprivileged import BASE_ENV, Unprivileged, unprivileged

Run = Callable[..., Any]
EXCHANGE = Path(sys.executable).parent / "exchange"
SMALL = Path(__file__).parent / "fixtures" / "small.yaml"
#: Commands that answer from the catalogue (search and show need its compiled indexes).
ANSWERS = [
    ("list", "--format", "tsv"),
    ("search", "korea", "--format", "tsv"),
    ("show", "saudi-korea-tech-exchange", "--json"),
]


@pytest.fixture
def runner() -> Iterator[Unprivileged]:
    yield from unprivileged()


def installed(*args: str, env: dict[str, str], cwd: Path | None = None) -> Any:
    """The installed command as this user, with only `env` (and a plain PATH, locale)."""
    return subprocess.run(
        [str(EXCHANGE), *args],
        capture_output=True,
        text=True,
        env={**BASE_ENV, **env},
        cwd=cwd,
        timeout=120,  # only stops a hung child
        check=False,
    )


def one_line(proc: Any, code: int, *words: str) -> None:
    """Exit `code`, nothing on stdout, one `exchange: error:` line holding `words`."""
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == code, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.startswith("exchange: error: ") and proc.stderr.count("\n") == 1
    for word in words:
        assert word in proc.stderr, proc.stderr


# -- the cache: no cache, the same answer -----------------------------------------------------


@pytest.mark.parametrize("where", ["HOME", "XDG_CACHE_HOME"])
@pytest.mark.parametrize("args", ANSWERS, ids=[a[0] for a in ANSWERS])
def test_a_cache_whose_parent_cannot_be_searched_means_no_cache(
    runner: Unprivileged, where: str, args: tuple[str, ...]
) -> None:
    """`sudo -u other exchange list` with the caller's HOME: the cache directory's parent
    cannot be searched. The command answers from the file alone, silently."""
    locked = runner.root / "locked"
    runner.mkdir(locked / "home")
    home = runner.mkdir(runner.root / "home")
    runner.lock(locked)
    if where == "HOME":
        env = {"HOME": str(locked / "home")}
    else:
        env = {"HOME": str(home), "XDG_CACHE_HOME": str(locked / "cache")}
    expected = runner.run(*args, env={**env, "EXCHANGE_NO_CACHE": "1"})
    assert expected.returncode == 0, expected.stderr
    proc = runner.run(*args, env=env)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    assert proc.stdout == expected.stdout
    assert list(home.iterdir()) == []  # nothing written anywhere else instead


@pytest.mark.parametrize("where", ["HOME", "XDG_CACHE_HOME"])
def test_a_cache_path_too_long_for_the_system_means_no_cache(tmp_path: Path, where: str) -> None:
    long = tmp_path / ("x" * 300)  # longer than any file name may be (NAME_MAX, 255)
    env = {"HOME": str(long)} if where == "HOME" else {"HOME": str(tmp_path)}
    if where == "XDG_CACHE_HOME":
        env["XDG_CACHE_HOME"] = str(long)
    for args in ANSWERS:
        expected = installed(*args, env={**env, "EXCHANGE_NO_CACHE": "1"})
        proc = installed(*args, env=env)
        assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
        assert proc.stdout == expected.stdout


@pytest.fixture
def no_home(monkeypatch: pytest.MonkeyPatch) -> None:
    """No HOME and no password entry (a container's `--user 12345`), where Python's
    `Path.home()` raises RuntimeError."""
    import pwd

    def unknown(uid: int) -> Any:
        raise KeyError(uid)

    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", unknown)


def test_a_home_that_cannot_be_known_means_no_cache(run: Run, no_home: None) -> None:
    result = run("list", "--format", "tsv")
    assert (result.exit_code, result.stderr) == (0, "")
    assert "saudi-korea-tech-exchange" in result.stdout


@pytest.mark.parametrize("home", ["", "relative"])
def test_a_home_that_is_not_an_absolute_path_means_no_cache(tmp_path: Path, home: str) -> None:
    """A relative HOME put the cache under the current directory, beside the user's data;
    an empty one is `/` to Python, so root's cache went to `/.cache`. Neither is a home,
    as a relative XDG_CACHE_HOME is no cache directory: no cache."""
    (tmp_path / "relative").mkdir()
    root_cache = Path("/.cache/exchange")
    there = root_cache.exists()
    proc = installed("list", "--format", "tsv", env={"HOME": home}, cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    assert "saudi-korea-tech-exchange" in proc.stdout
    assert list(tmp_path.rglob("*")) == [tmp_path / "relative"]
    assert root_cache.exists() == there


# -- every path the user names ----------------------------------------------------------------

#: (id, arguments (LOCKED: the locked directory), environment, exit code). The completion
#: installs take HOME from the environment, which puts it under the locked directory.
REFUSED = [
    ("--data", ["list", "--data", "LOCKED/c.yaml"], {}, 3),
    ("EXCHANGE_DATA", ["list"], {"EXCHANGE_DATA": "LOCKED/c.yaml"}, 3),
    ("diff", ["diff", "LOCKED/c.yaml", str(SMALL)], {}, 3),
    ("export --output", ["export", "--output", "LOCKED/page.html"], {}, 4),
    ("export sqlite", ["export", "-f", "sqlite", "--output", "LOCKED/c.db"], {}, 4),
    ("export sqlite dir/", ["export", "-f", "sqlite", "--output", "LOCKED/db/"], {}, 4),
    ("export into it", ["export", "--output", "LOCKED/home/page.html"], {}, 4),
    ("completion bash", ["completion", "bash", "--install"], {"HOME": "LOCKED/home"}, 4),
    ("completion zsh", ["completion", "zsh", "--install"], {"HOME": "LOCKED/home"}, 4),
    ("completion fish", ["completion", "fish", "--install"], {"HOME": "LOCKED/home"}, 4),
]


@pytest.mark.parametrize(
    ("args", "env", "code"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_a_path_that_cannot_be_searched_is_one_line(
    runner: Unprivileged, args: list[str], env: dict[str, str], code: int
) -> None:
    locked = runner.root / "locked"
    runner.mkdir(locked / "home")
    shutil.copy(SMALL, locked / "c.yaml")
    runner.lock(locked)
    home = runner.mkdir(runner.root / "home")

    def place(text: str) -> str:
        return text.replace("LOCKED", str(locked))

    env = {"HOME": str(home), **{k: place(v) for k, v in env.items()}}
    proc = runner.run(*map(place, args), env=env)
    one_line(proc, code, "Permission denied")


def test_validate_reports_a_file_it_cannot_reach_as_a_problem(runner: Unprivileged) -> None:
    """validate's problems are its data (stdout); the file's tally goes to stderr."""
    locked = runner.root / "locked"
    locked.mkdir()
    shutil.copy(SMALL, locked / "c.yaml")
    runner.lock(locked)
    proc = runner.run("validate", str(locked / "c.yaml"), str(SMALL), env={"HOME": "/"})
    assert proc.returncode == 3 and "Traceback" not in proc.stderr, proc.stderr
    assert "Permission denied" in proc.stdout
    assert "small.yaml: ok" in proc.stderr  # the next file is still checked


LONG = "n" * 300  # longer than any file name may be (NAME_MAX, 255)
TOO_LONG = [
    ("--data", ["list", "--data", f"{LONG}.yaml"], {}, 3),
    ("export --output", ["export", "--output", f"{LONG}.html"], {}, 4),
    ("export sqlite", ["export", "-f", "sqlite", "--output", f"{LONG}.db"], {}, 4),
    ("export sqlite dir/", ["export", "-f", "sqlite", "--output", f"{LONG}/"], {}, 4),
    ("export under it", ["export", "--output", f"{LONG}/page.html"], {}, 4),
    ("completion bash", ["completion", "bash", "--install"], {"HOME": f"HERE/{LONG}"}, 4),
    ("completion fish", ["completion", "fish", "--install"], {"HOME": f"HERE/{LONG}"}, 4),
]


@pytest.mark.parametrize(
    ("args", "env", "code"), [r[1:] for r in TOO_LONG], ids=[r[0] for r in TOO_LONG]
)
def test_a_name_too_long_for_the_system_is_one_line(
    tmp_path: Path, args: list[str], env: dict[str, str], code: int
) -> None:
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    home.mkdir()
    env = {"HOME": str(home), **{k: v.replace("HERE", str(work)) for k, v in env.items()}}
    proc = installed(*args, env=env, cwd=work)
    one_line(proc, code, "File name too long")
    assert list(work.iterdir()) == []  # nothing half-made


# -- completion --install: the startup file as it is ------------------------------------------


def test_installing_beside_a_startup_file_that_is_not_utf8_appends_once(tmp_path: Path) -> None:
    """A .bashrc in Latin-1 is the user's, as it is: our line is appended, once, and
    every byte before it is kept."""
    bashrc = tmp_path / ".bashrc"
    before = b"# caf\xe9\nalias ll='ls -l'\n"
    bashrc.write_bytes(before)
    for _ in range(2):
        proc = installed("completion", "bash", "--install", env={"HOME": str(tmp_path)})
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    after = bashrc.read_bytes()
    assert after.startswith(before)
    added = after[len(before) :].decode("utf-8").splitlines()
    assert len(added) == 1 and added[0].startswith("source ")


def test_installing_with_no_home_known_is_one_line(run: Run, no_home: None) -> None:
    refused = run("completion", "bash", "--install")
    assert refused.exit_code == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("exchange: error: ") and refused.stderr.count("\n") == 1
    assert "HOME" in refused.stderr


def test_a_startup_file_that_cannot_be_read_is_one_line(tmp_path: Path) -> None:
    (tmp_path / ".bashrc").mkdir()  # not a file at all
    proc = installed("completion", "bash", "--install", env={"HOME": str(tmp_path)})
    one_line(proc, 4, ".bashrc", "Is a directory")
    assert [p.name for p in tmp_path.iterdir()] == [".bashrc"]  # no script without its line
