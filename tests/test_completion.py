"""Shell completion: option values come from the vocabularies and the catalogue."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXCHANGE = Path(sys.executable).parent / "exchange"


def complete(words: str, cword: int, **env: str) -> list[str]:
    """Ask the installed command for bash completions, as bash does on Tab."""
    proc = subprocess.run(
        [str(EXCHANGE)],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "_EXCHANGE_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(cword),
            **env,
        },
        timeout=20,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_sector_values_complete() -> None:
    values = complete("exchange list --sector ", 3)
    assert "defense" in values and "agriculture" in values
    assert "military" not in values  # aliases only once something is typed
    assert complete("exchange list --sector de", 3) == ["defense", "defence"]
    assert complete("exchange list --sector milit", 3) == ["military"]  # resolves to defense


def test_other_vocabularies_complete() -> None:
    assert "technology-exchange" in complete("exchange list --kind tech", 3)
    assert complete("exchange list --evidence hy", 3) == ["hypothetical", "hypothesis"]
    assert complete("exchange list --country sa", 3) == ["sa"]
    assert complete("exchange list --country S", 3)[:3] == ["SA", "SB", "SC"]


def test_field_names_complete_after_a_comma() -> None:
    assert complete("exchange list --fields id,ti", 3) == ["id,title"]
    assert "count" in complete("exchange summarize --fields ", 3)


def test_program_ids_complete_for_show(small: Path) -> None:
    ids = complete("exchange show ", 2, EXCHANGE_DATA=str(small))
    assert ids == ["alpha-tech", "beta-defense", "gamma-trade"]
    shipped = complete("exchange show saudi", 2)
    assert shipped == ["saudi-korea-technology-exchange"]


def test_a_broken_catalogue_completes_nothing_quietly(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("programs: [", encoding="utf-8")
    assert complete("exchange show ", 2, EXCHANGE_DATA=str(broken)) == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_exist_for_each_shell(shell: str) -> None:
    proc = subprocess.run(
        [str(EXCHANGE), "--show-completion", shell], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "_EXCHANGE_COMPLETE" in proc.stdout
