"""One behaviour whichever YAML parser PyYAML has: libyaml's, or the pure-Python one a
PyYAML built without libyaml falls back to (Python 3.13 with PyYAML 6.0.1, say).

Each test forces a parser and asserts what a user gets (exit 3, one line, a position),
never a parser's own wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from exchange_cli.load import safeyaml

HOSTILE = Path(__file__).parent / "hostile"
Run = Callable[..., Any]
LOADERS: dict[str, Any] = {
    "pure-python": yaml.SafeLoader,
    "libyaml": getattr(yaml, "CSafeLoader", None),
}


@pytest.fixture(params=sorted(LOADERS))
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    loader = LOADERS[request.param]
    if loader is None:
        pytest.skip("this PyYAML was built without libyaml")
    monkeypatch.setattr(safeyaml, "_LOADER", loader)
    yield request.param


def refused(run: Run, path: Path) -> tuple[int, int, str]:
    """Load `path` with --no-cache; assert exit 3 and one positioned line; (line, col, text)."""
    result = run("list", "--data", str(path), "--no-cache")
    assert result.exit_code == 3, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    prefix = f"exchange: error: {path}:"
    assert result.stderr.startswith(prefix), result.stderr
    match = re.match(r"(\d+):(\d+): (.*)", result.stderr[len(prefix) :])
    assert match, result.stderr
    return int(match.group(1)), int(match.group(2)), match.group(3)


@pytest.mark.parametrize("name", sorted(p.name for p in HOSTILE.glob("*.yaml")))
def test_every_hostile_file_is_one_positioned_line(run: Run, parser: str, name: str) -> None:
    refused(run, HOSTILE / name)


def test_both_parsers_say_the_same_thing(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    if LOADERS["libyaml"] is None:
        pytest.skip("this PyYAML was built without libyaml")
    for path in sorted(HOSTILE.glob("*.yaml")):
        said = []
        for loader in LOADERS.values():
            monkeypatch.setattr(safeyaml, "_LOADER", loader)
            said.append(refused(run, path))
        if path.name == "syntax-error.yaml":  # the parsers word a syntax error differently
            assert said[0][:2] == said[1][:2]
        else:
            assert said[0] == said[1], path.name


@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_deep_flow_nesting_is_refused_as_nesting(
    run: Run, parser: str, tmp_path: Path, opening: str
) -> None:
    """libyaml stops at its own limit while scanning ahead, before our depth check runs;
    the pure-Python parser reaches our check. A user sees one message either way."""
    closing = "]" if opening == "[" else "}"
    deep = tmp_path / "deep.yaml"
    deep.write_text("programs: " + opening * 50_000 + closing * 50_000 + "\n", encoding="utf-8")
    line, _, message = refused(run, deep)
    assert line == 1
    assert f"deeper than {safeyaml.MAX_DEPTH} levels" in message


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f"])
def test_a_forbidden_character_is_refused_where_it_is(
    run: Run, parser: str, tmp_path: Path, character: str
) -> None:
    """The pure-Python reader checks characters while it is being built."""
    path = tmp_path / "control.yaml"
    path.write_text("programs:\n  - id: a" + character + "b\n", encoding="utf-8")
    assert refused(run, path)[:2] == (2, 10)


def test_validate_lists_the_problem_with_either_parser(
    run: Run, parser: str, tmp_path: Path
) -> None:
    path = tmp_path / "nul.yaml"
    path.write_text("programs: [\x00]\n", encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}:1:12: ")
    assert result.stdout.count("\n") == 1
