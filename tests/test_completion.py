"""Shell completion's protocol: what `exchange` answers when a script asks on Tab.

The scripts themselves, in real shells, are tested in test_completion_shells.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import program_record, write_catalogue
from exchange_cli.cli import completion

EXCHANGE = Path(sys.executable).parent / "exchange"


def ask(*words: str, shell: str = "bash", **env: str) -> list[tuple[str, str]]:
    """The installed command's answer to a Tab press after WORDS (the last being the word
    under the cursor), as (value, description) pairs."""
    lines = answer_text(*words, shell=shell, **env).splitlines()
    return [tuple(line.split("\t", 1)) if "\t" in line else (line, "") for line in lines]  # type: ignore[misc]


def answer_text(*words: str, shell: str = "bash", **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "EXCHANGE_DATA"}
    proc = subprocess.run(
        [str(EXCHANGE), *words],
        capture_output=True,
        text=True,
        env={**environ, "_EXCHANGE_COMPLETE": shell, **env},
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return proc.stdout


def values(*words: str, **env: str) -> list[str]:
    return [value for value, _ in ask(*words, **env)]


def test_subcommands_and_options_complete() -> None:
    assert values("li") == ["list"]
    assert "--sector" in values("list", "--se")
    assert values("--ver") == ["--version"]


def test_vocabularies_complete_with_their_descriptions() -> None:
    found = dict(ask("list", "--sector", "de"))
    assert list(found) == ["defense", "defence"]
    assert found["defense"].startswith("Military")
    assert values("list", "--sector", "milit") == ["military"]  # an alias, once typed
    assert "technology-exchange" in values("list", "--kind", "tech")
    assert values("list", "--evidence", "hy") == ["hypothetical", "hypothesis"]


def test_bash_splits_an_equals_sign_into_words_of_its_own() -> None:
    assert values("list", "--sector", "=", "de") == ["defense", "defence"]
    assert values("list", "--sector", "=") == values("list", "--sector", "")


def test_countries_are_the_catalogues_own_by_code_and_by_name() -> None:
    offered = dict(ask("list", "--country", ""))
    assert "Saudi Arabia" in offered and offered["Saudi Arabia"] == "SA"
    assert offered["SA"] == "Saudi Arabia"
    assert "AW" not in offered and "Aruba" not in offered  # not in the shipped catalogue
    assert len(offered) < 40
    assert values("list", "--country", "Sau") == ["Saudi Arabia"]
    assert values("list", "--country", "Jap") == ["Japan"]


def test_parties_complete_for_party_from_and_to(small: Path) -> None:
    assert dict(ask("list", "--party", "Ali")) == {"Alibaba": "organization, CN"}
    assert values("flows", "--from", "Ali") == ["Alibaba"]
    assert "Saudi Arabia" in values("flows", "--to", "Sa")
    assert values("list", "--data", str(small), "--party", "Isl") == ["Islamic nations"]


def test_the_catalogue_in_use_decides(small: Path) -> None:
    assert values("show", "", EXCHANGE_DATA=str(small)) == [
        "alpha-tech",
        "beta-defense",
        "gamma-trade",
    ]
    assert values("show", "--data", str(small), "") == values("show", "", EXCHANGE_DATA=str(small))
    assert values("show", "saudi") == ["saudi-korea-technology-exchange"]


def test_field_names_continue_after_a_comma() -> None:
    assert values("list", "--fields", "id,ti") == ["id,title"]
    assert "count" in values("summarize", "--fields", "")


def test_file_arguments_are_left_to_the_shell() -> None:
    assert answer_text("list", "--data", "") == "files\n"
    assert answer_text("validate", "x") == "files\n"


def test_shell_names_complete_for_the_completion_command() -> None:
    assert values("completion", "") == ["bash", "zsh", "fish"]


def test_a_broken_catalogue_completes_nothing_quietly(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("programs: [", encoding="utf-8")
    assert ask("show", "", EXCHANGE_DATA=str(broken)) == []
    assert ask("list", "--country", "", EXCHANGE_DATA=str(tmp_path / "missing.yaml")) == []


def test_a_catalogue_on_standard_input_is_never_read_on_tab() -> None:
    """`cat c.yaml | exchange show --data - <Tab>`: the completion's standard input is the
    user's terminal; reading it hung bash and fish and swallowed what was typed next."""
    held, kept_open = os.pipe()  # never closed while exchange runs: a read would block
    try:
        asked = ((("show", "--data", "-", ""), {}), (("show", ""), {"EXCHANGE_DATA": "-"}))
        for words, env in asked:
            environ = {k: v for k, v in os.environ.items() if k != "EXCHANGE_DATA"}
            proc = subprocess.run(
                [str(EXCHANGE), *words], stdin=held, capture_output=True, text=True,
                env={**environ, "_EXCHANGE_COMPLETE": "bash", **env}, timeout=20, check=False,
            )  # fmt: skip
            assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == ""
    finally:
        os.close(held)
        os.close(kept_open)


@pytest.mark.parametrize("legacy", ["complete_zsh", "zsh_complete", "source_bash", "1", ""])
def test_an_older_scripts_request_gets_no_answer(legacy: str) -> None:
    """Typer's zsh script evaluated what it read; whatever such a script asks is answered
    with nothing, so a stale installation cannot run a catalogue's text."""
    assert answer_text("show", "", shell=legacy) == ""


HOSTILE_TITLES = [
    "x\\",
    "<(touch MARK) y\\",
    "$(touch MARK)",
    "`touch MARK`",
    'it\'s "quoted"',
    "line one\nline two",
    "a: b: c",
    "tab\there",
    "\x1b]0;title\x07 escape",
    "bidi \u202eevil",
    "long " * 80,
]


def test_descriptions_are_one_short_printable_line(tmp_path: Path) -> None:
    records = [
        program_record(f"prog-{i}", title=title.replace("MARK", str(tmp_path / "m")))
        for i, title in enumerate(HOSTILE_TITLES)
    ]
    data = write_catalogue(tmp_path / "hostile.yaml", records)
    answer = ask("show", "", EXCHANGE_DATA=str(data))
    assert [value for value, _ in answer] == [f"prog-{i}" for i in range(len(HOSTILE_TITLES))]
    for _, description in answer:
        assert description.isprintable(), description
        assert len(description) <= completion.DESCRIPTION_LENGTH
    shown = dict(answer)
    assert shown["prog-5"] == "line one\\nline two"
    assert shown["prog-8"].startswith("\\x1b]0;")
    assert "\u202e" not in shown["prog-9"]
    assert shown["prog-10"].endswith("…")


def test_values_that_a_shell_would_mangle_are_never_offered() -> None:
    lines = completion.answer_lines(
        [
            ("ok value", "fine", "plain"),
            ("new\nline", "x", "plain"),
            ("tab\tvalue", "x", "plain"),
            ("esc\x1b[31m", "x", "plain"),
            ("bidi\u202e", "x", "plain"),
            ("sep\u2028", "x", "plain"),
            ("", "empty", "plain"),
            ("x" * 201, "too long", "plain"),
        ]
    )
    assert lines == ["ok value\tfine"]


# -- the scripts, and installing them ----------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_has_a_script_that_never_evaluates_answers(shell: str) -> None:
    proc = subprocess.run(
        [str(EXCHANGE), "completion", shell], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert f"_EXCHANGE_COMPLETE={shell}" in proc.stdout
    code = [line for line in proc.stdout.splitlines() if not line.lstrip().startswith("#")]
    assert not any("eval" in line for line in code)


def test_the_shell_in_SHELL_is_the_default() -> None:
    for shell in ("bash", "zsh", "fish"):
        proc = subprocess.run(
            [str(EXCHANGE), "completion"],
            capture_output=True,
            text=True,
            env={**os.environ, "SHELL": f"/usr/bin/{shell}"},
            check=False,
        )
        assert proc.stdout == completion.script(shell)


def test_an_unknown_shell_is_a_usage_error() -> None:
    proc = subprocess.run(
        [str(EXCHANGE), "completion", "tcsh"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == "exchange: error: no completion for 'tcsh'; choose bash, zsh or fish"
    )
    proc = subprocess.run(
        [str(EXCHANGE), "completion"],
        capture_output=True,
        text=True,
        env={**os.environ, "SHELL": "/bin/sh"},
        check=False,
    )
    assert proc.returncode == 2 and "name it" in proc.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_installing_adds_one_line_once_and_changes_nothing_else(
    shell: str, tmp_path: Path
) -> None:
    startup = tmp_path / (".bashrc" if shell == "bash" else ".zshrc")
    before = "# mine\nzstyle ':completion:*' menu no\nexport EDITOR=vi"  # no final newline
    startup.write_text(before, encoding="utf-8")
    env = {**os.environ, "HOME": str(tmp_path), "SHELL": f"/bin/{shell}"}
    env.pop("ZDOTDIR", None)
    for _ in range(2):
        proc = subprocess.run(
            [str(EXCHANGE), "completion", "--install"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert proc.returncode == 0 and proc.stdout == "", proc.stderr
    after = startup.read_text(encoding="utf-8")
    assert after.startswith(before + "\n")
    added = after[len(before) + 1 :].splitlines()
    assert len(added) == 1 and added[0].startswith("source ") and "zstyle" not in added[0]
    script = Path(added[0].split()[1])
    assert script.read_text(encoding="utf-8") == completion.script(shell)


def test_fish_installs_into_its_completions_folder_only(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    proc = subprocess.run(
        [str(EXCHANGE), "completion", "fish", "--install"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert written == [Path("cfg/fish/completions/exchange.fish")]
