"""One edit adds a field everywhere: the declaration reaches every edge.

The trial a new maintainer makes, replayed on a copy of the tree: add an optional field
`url` to `Program` (one hand edit), run `python scripts/generate.py`, and every output
that carries whole records carries it — json, csv, `show`, `exchange schema`, the store
(a second run answers from the cache), the SQLite export and the web page — while the
generated files (the store's stamp, the published schema, the README) follow, and the
docs test passes on the copy.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
URL = "https://example.org/alpha?x=1&y=<2>"
FIELD = """
    url: Annotated[
        str | None,
        Text(
            "A web page about the program, or null.",
            required=False,
            example="https://example.org/programs/alpha",
        ),
    ] = None
"""


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the tree with `url` declared and `scripts/generate.py` run."""
    root = tmp_path_factory.mktemp("trial") / "exchange"
    for part in ("src", "scripts", "data", "docs", "tests"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("README.md", "pyproject.toml", ".pre-commit-hooks.yaml"):
        shutil.copy(REPO / name, root / name)
    records = root / "src" / "exchange_cli" / "model" / "records.py"
    text = records.read_text(encoding="utf-8")
    anchor = "\n    def to_dict(self) -> dict[str, Any]:"
    assert text.count(anchor) == 1
    records.write_text(text.replace(anchor, FIELD + anchor), encoding="utf-8")
    generated = run_python(root, str(root / "scripts" / "generate.py"))
    assert generated.returncode == 0, generated.stderr
    yield root


def run_python(
    root: Path, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Python with the copy's package first on the path, and its own cache directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
    env.update(PYTHONPATH=str(root / "src"), XDG_CACHE_HOME=str(root / "cache"))
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=600,
        check=False,
    )


def exchange(root: Path, *args: str) -> str:
    done = run_python(root, "-m", "exchange_cli", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def catalogue(trial: Path) -> Path:
    """The test catalogue, with a `url` on its first program."""
    source = (REPO / "tests" / "fixtures" / "small.yaml").read_text(encoding="utf-8")
    anchor = "    source: {document: Doc One, section: Part A}\n"
    assert anchor in source
    path = trial / "with-url.yaml"
    path.write_text(source.replace(anchor, anchor + f"    url: {json.dumps(URL)}\n", 1))
    return path


def test_the_copy_runs_its_own_code(trial: Path) -> None:
    where = run_python(trial, "-c", "import exchange_cli; print(exchange_cli.__file__)")
    assert where.stdout.strip().startswith(str(trial))


def test_generate_rewrote_the_generated_files_only(trial: Path) -> None:
    """The hand edit, and what the generator made from it: nothing else to touch."""
    changed = {
        path.relative_to(trial).as_posix()
        for path in [*trial.rglob("*.py"), *trial.rglob("*.json"), trial / "README.md"]
        if "__pycache__" not in path.parts
        and (REPO / path.relative_to(trial)).exists()
        and path.read_bytes() != (REPO / path.relative_to(trial)).read_bytes()
    }
    assert changed == {
        "src/exchange_cli/model/records.py",
        "src/exchange_cli/store/stamp.py",
        "data/programs.schema.json",
        "README.md",
    }
    readme = (trial / "README.md").read_text(encoding="utf-8")
    assert "| `url` | A web page about the program, or null. |" in readme
    assert "`url`" in readme.split("<!-- generated: sqlite-tables -->")[1].split("<!--")[0]


def test_json_csv_and_yaml_carry_it(trial: Path, catalogue: Path) -> None:
    listed = json.loads(exchange(trial, "list", "--data", str(catalogue), "--json"))
    assert listed[0]["url"] == URL and listed[1]["url"] is None
    rows = list(csv.DictReader(io.StringIO(exchange(trial, "list", "--data", str(catalogue),
                                                       "-f", "csv"))))  # fmt: skip
    assert rows[0]["url"] == URL


def test_show_shows_it(trial: Path, catalogue: Path) -> None:
    shown = exchange(trial, "show", "alpha-tech", "--data", str(catalogue), "-f", "json")
    assert json.loads(shown)["url"] == URL
    plain = exchange(trial, "show", "alpha-tech", "--data", str(catalogue))
    assert URL in plain


def test_the_schema_and_the_skeleton_declare_it(trial: Path) -> None:
    schema = json.loads(exchange(trial, "schema"))
    program = schema["$defs"]["program"]
    assert "url" in program["properties"] and "url" not in program["required"]
    assert "url:" in exchange(trial, "new", "--record")


def test_the_store_keeps_it_and_rebuilds_older_caches(trial: Path, catalogue: Path) -> None:
    first = exchange(trial, "list", "--data", str(catalogue), "--json")
    cached = exchange(trial, "list", "--data", str(catalogue), "--json")  # from the store
    assert first == cached and json.loads(cached)[0]["url"] == URL
    stamp = (trial / "src" / "exchange_cli" / "store" / "stamp.py").read_text(encoding="utf-8")
    shipped = (REPO / "src" / "exchange_cli" / "store" / "stamp.py").read_text(encoding="utf-8")
    assert stamp != shipped  # a cache the previous code wrote is rebuilt, not read


def test_the_sqlite_export_has_a_column_for_it(trial: Path, catalogue: Path) -> None:
    database = trial / "c.db"
    exchange(trial, "export", "-f", "sqlite", "--data", str(catalogue), "-o", str(database))
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute("SELECT id, url FROM programs ORDER BY number").fetchall()
    finally:
        connection.close()
    assert rows[0] == ("alpha-tech", URL) and rows[1][1] is None


def test_the_page_shows_it(trial: Path, catalogue: Path) -> None:
    page = exchange(trial, "export", "--data", str(catalogue))
    assert "<dt>url</dt><dd>https://example.org/alpha?x=1&amp;y=&lt;2&gt;</dd>" in page


def test_the_copys_docs_and_declaration_tests_pass(trial: Path) -> None:
    """The suite stays green on the copy: its generated files are current, its stamp is
    the declaration's, its schema the one published."""
    checks = [
        "tests/test_docs.py::test_every_generated_file_is_current",
        "tests/test_schema.py",
        "tests/test_store.py::test_the_stamp_in_use_is_the_one_the_declaration_makes",
    ]
    ran = run_python(trial, "-m", "pytest", "-q", "-n", "0", "-p", "no:randomly",
                     "-p", "no:cacheprovider", *checks)  # fmt: skip
    assert ran.returncode == 0, ran.stdout[-3000:]
