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

from test_streaming import PIECES, assert_same

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
    one = run("show", "usa-defense-symposium", "--json").stdout.encode()
    assert_same(one, "c.json", tmp_path, PIECES)


def test_output_keys_are_ignored_but_a_real_unknown_key_is_not(run: Any, tmp_path: Path) -> None:
    record = json.loads(run("show", "usa-defense-symposium", "--json").stdout)
    record["scores"] = 1
    path = tmp_path / "one.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    checked = run("validate", str(path))
    assert checked.exit_code == 1
    assert "programs[0].scores" in checked.stdout + checked.stderr
