"""What `exchange` writes, it reads: the JSON, JSON Lines and YAML that `list`, `search`
and `show` print are catalogues again for `--data`, `validate` and `diff` (a list of
programs at the top, or the one program `show` prints; the keys output adds, `score`
and `related`, are ignored, and `validate` says so once)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from exchange_cli.load import safeyaml
from test_streaming import PIECES, assert_same
from test_yaml_parsers import LOADERS

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "programs.yaml"
EXCHANGE = Path(sys.executable).parent / "exchange"


#: (command that prints programs, the file name it is saved as)
PRINTED = {
    "list json": (("list", "--json"), "out.json"),
    "list jsonl": (("list", "--format", "jsonl"), "out.jsonl"),
    "list yaml": (("list", "--format", "yaml"), "out.yaml"),
    "search json": (("search", "technology", "--json"), "out.json"),
    "search jsonl": (("search", "technology", "--format", "jsonl"), "out.jsonl"),
    "show json": (("show", "malaysia-digital-trade-zone", "--json"), "out.json"),
    "show jsonl": (("show", "malaysia-digital-trade-zone", "--format", "jsonl"), "out.jsonl"),
    "show yaml": (("show", "malaysia-digital-trade-zone", "--format", "yaml"), "out.yaml"),
}


def ids(run: Any, *args: str) -> list[str]:
    result = run("list", *args, "--format", "jsonl", "--fields", "id")
    assert result.exit_code == 0, result.stderr
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


@pytest.mark.parametrize("case", sorted(PRINTED))
def test_what_a_command_prints_is_a_catalogue(run: Any, case: str, tmp_path: Path) -> None:
    args, name = PRINTED[case]
    printed = run(*args, "--data", str(SHIPPED))
    assert printed.exit_code == 0, printed.stderr
    path = tmp_path / name
    path.write_text(printed.stdout, encoding="utf-8")
    expected = [r["id"] for r in _records(printed.stdout, name)]
    assert ids(run, "--data", str(path)) == expected
    checked = run("validate", str(path))
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    added = [key for key in ("score", "related") if key in printed.stdout]
    assert checked.stdout.count("is what exchange's output adds") == len(added)
    # the programs read back are the shipped ones, field for field
    against = run("diff", str(SHIPPED), str(path), "--json")
    summary = json.loads(against.stdout)["summary"]
    assert summary["changed"] == 0 and summary["unchanged"] == len(expected)


def _records(text: str, name: str) -> list[dict[str, Any]]:
    import yaml

    if name.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines()]
    value = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    return value if isinstance(value, list) else [value]


def test_the_readme_recipe_compares_the_shipped_catalogue_with_mine(tmp_path: Path) -> None:
    """`exchange list --json | exchange diff - mine.yaml`, through a real pipe."""
    mine = tmp_path / "mine.yaml"
    text = SHIPPED.read_text(encoding="utf-8")
    mine.write_text(text.replace("Malaysia's Digital Free Trade Zone", "Malaysia's DFTZ", 1))
    recipe = f"{EXCHANGE} list --json | {EXCHANGE} diff - {mine}"
    done = subprocess.run(["bash", "-c", recipe], capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[1:] == [
        "changed\tmalaysia-digital-trade-zone\ttitle\tMalaysia's Digital Free Trade Zone"
        "\tMalaysia's DFTZ"
    ]


@pytest.mark.parametrize("name", ["c.json", "c.yaml"])
def test_a_list_of_programs_streams_into_the_store_in_any_pieces(
    run: Any, name: str, tmp_path: Path
) -> None:
    printed = run("list", "--format", "json" if name == "c.json" else "yaml")
    assert_same(printed.stdout.encode(), name, tmp_path, PIECES)
    form = "json" if name == "c.json" else "yaml"
    one = run("show", "usa-defense-symposium", "--format", form).stdout.encode()
    assert_same(one, name, tmp_path, PIECES)


@pytest.mark.parametrize("parser", sorted(LOADERS))
def test_one_program_in_yaml_is_checked_with_its_positions(
    run: Any, parser: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mapping `show --format yaml` prints is programs[0], its problems placed where
    they are, a repeated key included; a mapping whose first key is not `id` is still
    a catalogue's top level, and its unknown keys are reported as such."""
    if LOADERS[parser] is None:
        pytest.skip("this PyYAML was built without libyaml")
    monkeypatch.setattr(safeyaml, "_LOADER", LOADERS[parser])
    printed = run("show", "usa-defense-symposium", "--format", "yaml").stdout
    assert printed.startswith("id: usa-defense-symposium\n")
    lines = printed.splitlines(keepends=True)
    kind = next(i for i, line in enumerate(lines) if line.startswith("kind: "))
    lines[kind] = "kind: nonsense\n"
    lines.insert(2, "title: again\n")
    broken = tmp_path / "one.yaml"
    broken.write_text("".join(lines), encoding="utf-8")
    checked = run("validate", str(broken))
    assert checked.exit_code == 1
    assert "one.yaml:3:1: programs[0].title: duplicate key 'title'" in checked.stdout
    assert f"one.yaml:{kind + 2}:7: programs[0].kind: unknown kind 'nonsense'" in checked.stdout

    reordered = tmp_path / "reordered.yaml"
    reordered.write_text("".join(lines[1:2] + lines[:1] + lines[2:]), encoding="utf-8")
    refused = run("validate", str(reordered))
    assert refused.exit_code == 1
    assert "reordered.yaml:2:1: id: unknown top-level key 'id' (expected only 'programs')" in (
        refused.stdout
    )
    for text, words in (
        ("{}\n", "missing the top-level 'programs' list"),
        ("{id: [x]}\n", "programs[0]"),
    ):
        odd = tmp_path / "odd.yaml"
        odd.write_text(text, encoding="utf-8")
        result = run("validate", str(odd))
        assert result.exit_code == 1 and words in result.stdout, result.stdout


def test_output_keys_are_ignored_but_a_real_unknown_key_is_not(run: Any, tmp_path: Path) -> None:
    record = json.loads(run("show", "usa-defense-symposium", "--json").stdout)
    record["scores"] = 1
    path = tmp_path / "one.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    checked = run("validate", str(path))
    assert checked.exit_code == 1
    assert "programs[0].scores" in checked.stdout + checked.stderr
