"""Tab pressed in real bash, zsh and fish, in a tmux pseudo-terminal.

Each test starts a fresh shell in a fresh HOME where `exchange completion SHELL --install`
is the only setup, types a command line, presses Tab, and reads the screen. Catalogues
whose titles and party names hold process and command substitution, backticks, quotes,
trailing backslashes, newlines and colons must not run anything, and their ids must
still complete. Without tmux or a shell these tests skip with the reason; under CI (`CI`
set) they fail instead.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import program_record, write_catalogue

BIN = Path(sys.executable).parent
SHELLS = ["bash", "zsh", "fish"]
COMMANDS = {"bash": "bash --noprofile -i", "zsh": "zsh -d -i", "fish": "fish -i"}


def _require(program: str) -> None:
    if shutil.which(program) is None:
        reason = f"{program} is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the shell tests may not be skipped", False)
        pytest.skip(reason)


class Terminal:
    """One shell in a tmux session 120×30: type, press keys, read the screen.

    `exchange` is found first as a wrapper in HOME/bin that logs each call's start and
    end (`calls`), so a test can wait for the Tab presses' answers to be in rather than
    for a quiet moment on the screen, which a busy machine can stretch past any wait.
    """

    def __init__(self, shell: str, home: Path, width: int = 120) -> None:
        self.socket = f"exchange-test-{os.getpid()}-{shell}-{id(self)}"
        self.log = home / "calls"
        wrapper = home / "bin" / "exchange"
        wrapper.parent.mkdir(exist_ok=True)
        wrapper.write_text(
            f"#!/bin/sh\necho start >> {shlex.quote(str(self.log))}\n"
            f'{shlex.quote(str(BIN / "exchange"))} "$@"\nstatus=$?\n'
            f"echo end >> {shlex.quote(str(self.log))}\nexit $status\n"
        )
        wrapper.chmod(0o755)
        env = {
            "HOME": str(home),
            "PATH": f"{home / 'bin'}:{BIN}:/usr/local/bin:/usr/bin:/bin",
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "SHELL": f"/bin/{shell}",
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
        }
        line = "env -i " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        self._tmux("new-session", "-d", "-x", str(width), "-y", "30", f"{line} {COMMANDS[shell]}")
        self.wait_for(lambda screen: screen.rstrip().endswith("$"), "a prompt")

    def calls(self) -> tuple[int, int]:
        """How many calls of `exchange` have started, and how many have ended."""
        lines = self.log.read_text().split() if self.log.exists() else []
        return lines.count("start"), lines.count("end")

    def _tmux(self, *args: str) -> str:
        proc = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        )
        return proc.stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p")

    def type(self, text: str) -> None:
        self._tmux("send-keys", "C-u")
        self._tmux("send-keys", "-l", text)

    def press(self, key: str) -> None:
        self._tmux("send-keys", key)

    def keys(self, text: str) -> None:
        """Type `text` where the cursor is, after whatever was pressed before it."""
        self._tmux("send-keys", "-l", text)

    def wait_for(self, ready: Callable[[str], bool], what: str, seconds: float = 60) -> str:
        """The screen once `ready` says so; a generous limit only stops a hung shell."""
        deadline = time.monotonic() + seconds
        while True:
            screen = self.screen()
            if ready(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} after {seconds} s; the screen:\n{screen}")
            time.sleep(0.05)

    def tab(self, again: bool = False) -> str:
        """Press Tab and wait for its answer: the call of `exchange` it makes has ended,
        and the screen has not changed since (the shell has drawn the answer). A Tab
        `again` on the same line may be answered from what the shell already has (fish
        does so): then only every call started so far must have ended."""
        started, _ = self.calls()
        self.press("Tab")
        deadline = time.monotonic() + 60
        while (calls := self.calls())[0] != calls[1] or (calls[0] == started and not again):
            if time.monotonic() > deadline:
                raise AssertionError(f"Tab's call of exchange never ended; calls {calls}")
            time.sleep(0.05)
        return self.settle(0.5 if again else 0.3)

    def settle(self, seconds: float) -> str:
        """The screen once it has not changed for a moment."""
        last, since = self.screen(), time.monotonic()
        while time.monotonic() - since < seconds:
            time.sleep(0.05)
            now = self.screen()
            if now != last:
                last, since = now, time.monotonic()
        return last

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False
        )


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """A HOME where `exchange completion SHELL --install` is the only setup, made once per
    shell and copied for each test: a new user's home after their first shell started.
    (zsh's first start writes compinit's dump, half a second; fish's would start its
    man-page parsers in the background, minutes of CPU, unless their output exists.)"""
    made: dict[str, Path] = {}

    def home_for(shell: str) -> Path:
        if shell in made:
            return made[shell]
        home = tmp_path_factory.mktemp(f"home-{shell}")
        prompt = {
            "bash": (home / ".bashrc", "PS1='$ '\n"),
            "zsh": (home / ".zshrc", "PS1='$ '\n"),
            "fish": (
                home / ".config" / "fish" / "config.fish",
                "set -g fish_greeting ''\nfunction fish_prompt; echo '$ '; end\n",
            ),
        }
        startup, text = prompt[shell]
        startup.parent.mkdir(parents=True, exist_ok=True)
        startup.write_text(text, encoding="utf-8")
        (home / ".local" / "share" / "fish" / "generated_completions").mkdir(parents=True)
        env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
        env.pop("ZDOTDIR", None)
        subprocess.run(
            [str(BIN / "exchange"), "completion", shell, "--install"],
            env=env,
            check=True,
            timeout=30,
        )
        if shell == "zsh":
            subprocess.run(["zsh", "-d", "-i", "-c", "exit"], env=env, check=True, timeout=60)
            assert (home / ".zcompdump").exists(), "zsh's first start wrote no dump"
        made[shell] = home
        return home

    return home_for


@pytest.fixture(params=SHELLS)
def terminal(
    request: pytest.FixtureRequest, tmp_path: Path, installed: Callable[[str], Path]
) -> Iterator[Terminal]:
    shell = str(request.param)
    _require("tmux")
    _require(shell)
    home = tmp_path / "home"
    shutil.copytree(installed(shell), home, symlinks=True)
    marker = request.node.get_closest_marker("width")
    term = Terminal(shell, home, marker.args[0] if marker else 120)
    term.shell = shell  # type: ignore[attr-defined]
    yield term
    term.close()


def test_the_first_tab_of_a_new_shell_completes_a_country_by_name(terminal: Terminal) -> None:
    terminal.type("exchange list --country Sau")
    terminal.press("Tab")
    terminal.wait_for(lambda s: "--country Saudi\\ Arabia" in s, "Saudi Arabia")


def test_party_names_complete(terminal: Terminal) -> None:
    terminal.type("exchange list --party Ali")
    terminal.press("Tab")
    terminal.wait_for(lambda s: "--party Alibaba" in s, "Alibaba")


def test_a_name_with_a_space_completes_after_an_escaped_space(terminal: Terminal) -> None:
    """Three parties start `Foreign `: Tab stops at the space; the next letter typed
    after it (escaped, as the shell wrote it) still completes the name."""
    terminal.type("exchange list --party Foreign\\ p")
    terminal.press("Tab")
    terminal.wait_for(lambda s: "--party Foreign\\ professionals" in s, "Foreign professionals")


def test_each_tab_asks_exchange_once(terminal: Terminal) -> None:
    """The wrapper first on PATH counts the calls (Typer's fish script made two)."""
    terminal.type("exchange list --sector healthc")
    terminal.tab()
    terminal.wait_for(lambda s: "--sector healthcare" in s, "healthcare")
    assert terminal.calls() == (1, 1)


def test_vocabulary_values_complete(terminal: Terminal) -> None:
    terminal.type("exchange list --sector healthc")
    terminal.press("Tab")
    terminal.wait_for(lambda s: "--sector healthcare" in s, "healthcare")


HOSTILE = [
    "x\\",
    "<(touch {marker}) y\\",
    "$(touch {marker})",
    "`touch {marker}`",
    "'; touch {marker}; echo '",
    '"; touch {marker}; echo "',
    "line one\ntouch {marker}",
    "a: b: c:\\",
]


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A valid catalogue whose titles and party names try to run `touch MARKER`. The
    marker's path is short, so that no attack is defused by a description being cut
    (a broken script must make these tests fail)."""
    short = Path(tempfile.mkdtemp(prefix="xm", dir="/tmp"))
    marker = short / "m"
    records = []
    for i, text in enumerate(HOSTILE):
        attack = text.format(marker=marker)
        parties = [
            {"name": f"{attack} one", "type": "organization", "country": "SA"},
            {"name": f"two {attack}", "type": "organization", "country": "KR"},
        ]
        records.append(program_record(f"prog-{i}", title=attack, parties=parties))
    yield write_catalogue(tmp_path / "hostile.yaml", records), marker
    shutil.rmtree(short)


def test_hostile_titles_run_nothing_and_ids_still_complete(
    terminal: Terminal, hostile: tuple[Path, Path]
) -> None:
    data, marker = hostile
    terminal.type(f"exchange show --data {data} prog-")
    ids = [f"prog-{i}" for i in range(len(HOSTILE))]
    terminal.tab()
    if terminal.shell == "bash":  # type: ignore[attr-defined]
        terminal.tab(again=True)  # bash lists on the second press
    screen = terminal.wait_for(lambda s: all(i in s for i in ids), "list of every id")
    assert not marker.exists(), screen
    terminal.type(f"exchange show --data {data} prog-3")
    terminal.press("Tab")
    terminal.wait_for(lambda s: f"{data} prog-3 " in s or f"{data} prog-3\n" in s, "prog-3")
    assert not marker.exists()


def test_hostile_party_names_run_nothing(terminal: Terminal, hostile: tuple[Path, Path]) -> None:
    data, marker = hostile
    terminal.type(f"exchange list --data {data} --party ")
    terminal.tab()
    terminal.tab(again=True)
    terminal.type(f"exchange list --data {data} --party two")
    terminal.tab()
    screen = terminal.tab(again=True)
    assert "two" in screen
    assert not marker.exists(), screen


# -- fish: what a typed word means, and what a completed one must stay -------------------------

ODD_NAMES = ["$cash fund", "~tilde org", "{a,b} brace", "Acme {Group}"]


@pytest.fixture
def odd(tmp_path: Path) -> Iterator[Path]:
    """A catalogue whose party names start with or hold what fish expands (`$`, `~`,
    braces), at a short path so that every command line fits on one screen line."""
    short = Path(tempfile.mkdtemp(prefix="xo", dir="/tmp"))
    records = []
    for i, name in enumerate(ODD_NAMES):
        parties = [
            {"name": name, "type": "organization", "country": None},
            {"name": "Other", "type": "organization", "country": None},
        ]
        records.append(program_record(f"odd-{i}", parties=parties))
    yield write_catalogue(short / "odd.yaml", records)
    shutil.rmtree(short)


@pytest.mark.parametrize("terminal", ["fish"], indirect=True)
@pytest.mark.parametrize(
    ("typed", "completed", "program"),
    [
        ("\\$ca", "\\$cash\\ fund", "odd-0"),
        ("\\~ti", "\\~tilde\\ org", "odd-1"),
        ("'$ca", "'$cash fund'", "odd-0"),
        ('"Acme {', '"Acme {Group}"', "odd-3"),
        ("\\{a", "\\{a,b\\}\\ brace", "odd-2"),
        ("Acme\\ \\{", "Acme\\ \\{Group\\}", "odd-3"),
    ],
)
def test_fish_completes_what_an_escaped_or_quoted_word_means(
    terminal: Terminal, odd: Path, typed: str, completed: str, program: str
) -> None:
    """fish hands the completion the word as typed (`\\$ca`); what it means (`$ca`) is
    what must match. The completed line then runs, and finds the program."""
    line = f"exchange list --data {odd} --party "
    terminal.type(line + typed)
    terminal.tab()
    terminal.wait_for(lambda s: f"$ {line}{completed}\n" in s, completed)
    terminal.press("Enter")
    screen = terminal.wait_for(lambda s: program in s or "fish:" in s, program)
    assert "fish:" not in screen, screen


@pytest.mark.parametrize("terminal", ["fish"], indirect=True)
@pytest.mark.parametrize("typed", ["{", "{a", "Acme\\ {"])
def test_fish_never_completes_a_word_into_a_syntax_error(
    terminal: Terminal, odd: Path, typed: str
) -> None:
    """An unescaped `{` opens a brace expansion: fish adds the rest of a candidate after
    it escaped (`{a,b\\}\\ brace`), an unclosed brace, and the line no longer parses.
    Nothing is offered (and `exchange` is not asked, so the Tab's end is seen by a key
    typed after it, which fish handles in turn); `\\{` completes (above)."""
    line = f"exchange list --data {odd} --party {typed}"
    terminal.type(line)
    terminal.press("Tab")
    terminal.keys("Z")
    screen = terminal.wait_for(lambda s: "Z" in s, "the key typed after Tab")
    prompt = [row for row in screen.splitlines() if row.startswith("$ exchange")]
    assert prompt == [f"$ {line}Z"], screen


def test_a_value_completes_whole_though_an_alias_shares_its_start(terminal: Terminal) -> None:
    """`def`: defense and its alias defence share `defen`; the value wins."""
    terminal.type("exchange list --sector def")
    terminal.tab()
    terminal.wait_for(lambda s: "--sector defense " in s or "--sector defense\n" in s, "defense")


def test_a_country_completes_from_lower_case(terminal: Terminal) -> None:
    terminal.type("exchange list --country sau")
    terminal.tab()
    terminal.wait_for(lambda s: "--country saudi\\ Arabia" in s, "saudi Arabia")


@pytest.mark.width(80)
@pytest.mark.parametrize("terminal", ["zsh", "fish"], indirect=True)  # bash shows none
def test_descriptions_fit_an_80_column_terminal(terminal: Terminal) -> None:
    """zsh and fish show a description beside each value; cut to the terminal's width,
    none wraps onto the next line (the long title's tail never reaches the screen)."""
    terminal.type("exchange show tech")
    terminal.tab()
    terminal.tab(again=True)
    screen = terminal.wait_for(lambda s: "tech-sharing-partnerships" in s, "the candidates")
    assert "Markets and Resources" not in screen, screen  # cut with …, not wrapped
    assert "…" in screen, screen
    for line in screen.splitlines():
        assert len(line) <= 80
