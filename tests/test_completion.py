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
    assert list(found) == ["defense"]  # its alias `defence` would stop the shell at `defen`
    assert found["defense"].startswith("Military")
    assert values("list", "--sector", "defenc") == ["defence"]  # an alias, once it differs
    assert values("list", "--sector", "milit") == ["military"]  # an alias, once typed
    assert "technology-exchange" in values("list", "--kind", "tech")
    assert values("list", "--evidence", "hy") == ["hypothetical"]
    assert values("list", "--evidence", "hypothes") == ["hypothesis"]


def test_bash_splits_an_equals_sign_into_words_of_its_own() -> None:
    assert values("list", "--sector", "=", "de") == ["defense"]
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
    assert values("show", "saudi") == ["saudi-korea-tech-exchange"]


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


def test_a_value_wins_over_its_own_aliases_but_not_over_others() -> None:
    assert values("list", "--sector", "def") == ["defense"]
    assert values("list", "--sector", "defense") == ["defense"]
    assert values("list", "--evidence", "hypothetical") == ["hypothetical"]


def test_countries_and_names_complete_whatever_the_case() -> None:
    """The command reads `--country saudi arabia`; Tab offers it as typed so far."""
    assert values("list", "--country", "sau") == ["saudi Arabia"]
    assert values("list", "--country", "SAU") == ["SAUdi Arabia"]
    assert values("list", "--country", "Sau") == ["Saudi Arabia"]
    assert "kr" in values("list", "--country", "k")
    assert values("list", "--party", "ali") == ["alibaba"]


def test_descriptions_fit_the_terminal_the_script_reports() -> None:
    for width in (60, 80, 120):
        for value, description in ask("show", "", shell="zsh", _EXCHANGE_COLUMNS=str(width)):
            assert len(value) + len(" -- ") + len(description) < width, (width, value)
    wide = dict(ask("show", "", shell="zsh", _EXCHANGE_COLUMNS="200"))
    assert any(len(d) == completion.DESCRIPTION_LENGTH for d in wide.values()) or all(
        not d.endswith("…") for d in wide.values()
    )


def test_a_long_list_is_capped_and_says_more_exist(tmp_path: Path) -> None:
    many = write_catalogue(
        tmp_path / "many.yaml",
        [program_record(f"prog-{i:04d}") for i in range(completion.MAX_CANDIDATES + 50)],
    )
    lines = answer_text("show", "--data", str(many), "prog-").splitlines()
    assert len(lines) == completion.MAX_CANDIDATES + 1 and lines[-1] == "more"
    assert all("\t" in line for line in lines[:-1])
    few = answer_text("show", "--data", str(many), "prog-000").splitlines()
    assert len(few) == 10 and "more" not in few


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalogue too large to read within a Tab press (6,000 programs)."""
    from exchange_cli.load.catalogue import QUICK_BYTES

    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    make = Path(__file__).resolve().parents[1] / "bench" / "make_catalogue.py"
    with path.open("wb") as out:
        subprocess.run([sys.executable, str(make), "6000", "--jsonl"], stdout=out, check=True)
    assert path.stat().st_size > QUICK_BYTES
    return path


def test_tab_never_waits_for_a_first_load(big: Path, tmp_path: Path) -> None:
    """The first Tab on a large catalogue answers at once, from what is cheap, and starts
    the store's build in the background; a later Tab answers from the store. Measured
    against a first load on the same machine: the Tab's own work is a fraction of it."""
    import time

    from childproc import run_measured

    cache = tmp_path / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "_EXCHANGE_COMPLETE": "bash"}
    env.pop("EXCHANGE_DATA", None)
    first = run_measured([str(EXCHANGE), "show", "--data", str(big), "p"], env=env, timeout=60)
    assert first.returncode == 0 and first.stdout == b"", first.stderr
    deadline = time.monotonic() + 120  # only stops a hung build
    while not list((cache / "exchange").glob("*.sqlite3")):
        assert time.monotonic() < deadline, "the store was never built"
        time.sleep(0.1)
    time.sleep(0.2)
    later = run_measured([str(EXCHANGE), "show", "--data", str(big), "p"], env=env, timeout=60)
    lines = later.stdout.decode().splitlines()
    assert len(lines) == completion.MAX_CANDIDATES + 1 and lines[-1] == "more"
    plain = {k: v for k, v in env.items() if k != "_EXCHANGE_COMPLETE"}
    load = run_measured([str(EXCHANGE), "list", "--data", str(big), "--no-cache", "--limit",
                         "0"], env=plain, timeout=120)  # fmt: skip
    assert load.returncode == 0
    assert first.cpu_seconds < load.cpu_seconds / 2, (first.cpu_seconds, load.cpu_seconds)


def test_no_cache_on_a_large_catalogue_completes_nothing_and_builds_nothing(
    big: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    lines = answer_text("show", "--data", str(big), "--no-cache", "p", XDG_CACHE_HOME=str(cache))
    assert lines == ""
    assert not (cache / "exchange").exists() or not list((cache / "exchange").iterdir())


@pytest.mark.parametrize(
    ("raw", "meant"),
    [
        ("Foreign\\ p", "Foreign p"),
        ('"Foreign p', "Foreign p"),
        ("'Foreign p'", "Foreign p"),
        ("'it''s'", "its"),
        ('"a \\"b\\" \\x"', 'a "b" \\x'),
        ("$(touch x)", "$(touch x)"),  # read, never run or expanded
        ("trailing\\", "trailing\\"),
        ("", ""),
    ],
)
def test_a_word_bash_hands_over_means_what_bash_would_take_it_to(raw: str, meant: str) -> None:
    from exchange_cli.cli.completion import typed_word

    assert typed_word(raw) == meant


def test_a_party_name_with_a_space_completes_however_bash_hands_it_over() -> None:
    """bash passes `Foreign\\ p` as typed; zsh and fish hand over `Foreign p`."""
    for typed in ("Foreign\\ p", '"Foreign p', "'Foreign p"):
        assert values("list", "--party", typed) == ["Foreign professionals"], typed
    assert values("list", "--party", "Foreign\\ p", shell="zsh") == []  # zsh dequotes first


def test_a_country_completes_by_another_name_when_no_code_or_name_starts_so() -> None:
    """`--country kor` is accepted (an alias of KR); Tab offers it too."""
    assert ask("list", "--country", "kor") == [("korea", "KR, South Korea")]
    assert values("list", "--country", "sau") == ["saudi Arabia"]  # the name, no alias
