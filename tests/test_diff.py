"""`exchange diff OLD NEW`: programs added, removed and changed, by id, field by field;
read back as a consumer would (json, jsonl, a Markdown parser); exit 0 equal, 1 different,
2 usage, 3 unreadable; and with git through standard input."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt

from conftest import program_record, write_catalogue
from exchange_cli.load.loader import default_catalogue_path

Run = Callable[..., Any]
EXCHANGE = Path(sys.executable).parent / "exchange"
SHIPPED = default_catalogue_path()
RECORDS: list[dict[str, Any]] = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))["programs"]


def edited(tmp_path: Path, title: str = "A Renamed Program") -> tuple[Path, dict[str, Any]]:
    """The shipped catalogue with one program removed, one added and one title changed."""
    records = copy.deepcopy(RECORDS)
    removed = records.pop(3)
    records[5]["title"] = title
    records.append(program_record("brand-new-program", title="Brand New Program"))
    path = write_catalogue(tmp_path / "edited.yaml", records)
    return path, {"removed": removed["id"], "changed": records[5]["id"], "old": RECORDS[6]}


def test_one_removed_one_added_one_retitled_is_exactly_three_changes(
    run: Run, tmp_path: Path
) -> None:
    path, what = edited(tmp_path)
    result = run("diff", str(SHIPPED), str(path), "--json")
    assert result.exit_code == 1
    changes = json.loads(result.stdout)
    assert changes["summary"] == {"added": 1, "removed": 1, "changed": 1, "unchanged": 13}
    assert [r["id"] for r in changes["added"]] == ["brand-new-program"]
    assert [r["id"] for r in changes["removed"]] == [what["removed"]]
    assert changes["changed"] == [
        {
            "id": what["changed"],
            "title": "A Renamed Program",
            "fields": [
                {"field": "title", "old": what["old"]["title"], "new": "A Renamed Program"}
            ],
        }
    ]
    assert changes["equal"] is False
    rows = [
        json.loads(line)
        for line in run("diff", str(SHIPPED), str(path), "-f", "jsonl").stdout.splitlines()
    ]
    assert [(r["change"], r["id"], r["field"]) for r in rows] == [
        ("added", "brand-new-program", None),
        ("removed", what["removed"], None),
        ("changed", what["changed"], "title"),
    ]  # fmt: skip


def test_a_catalogue_against_itself_is_exit_0(run: Run, tmp_path: Path) -> None:
    as_json = tmp_path / "same.json"
    as_json.write_text(json.dumps({"programs": RECORDS}), encoding="utf-8")
    for other in (SHIPPED, as_json):
        result = run("diff", str(SHIPPED), str(other), "--json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["equal"] is True
    deep = tmp_path / ("a-long-directory-name-" * 6) / "programs.yaml"
    deep.parent.mkdir()
    deep.write_bytes(SHIPPED.read_bytes())
    table = run("diff", str(deep), str(SHIPPED), tty=True, env={"COLUMNS": "80"})
    assert table.exit_code == 0
    assert table.stdout.startswith("no changes (15 programs): ")  # the paths lose, not this
    assert len(table.stdout.splitlines()) == 1
    piped = run("diff", str(SHIPPED), str(SHIPPED))
    assert piped.stdout == "change\tid\tfield\told\tnew\n"  # the header, no rows


def test_piped_each_change_is_one_tab_separated_line(run: Run, tmp_path: Path) -> None:
    """However long the paths and values (a virtual environment's site-packages in CI),
    piped output is the tsv contract: a header, then one line a change, nothing cut."""
    deep = tmp_path.joinpath(*["a-rather-long-directory-name"] * 6)
    deep.mkdir(parents=True)
    old, new = deep / "old.yaml", deep / "new.yaml"
    shutil.copy(SHIPPED, old)
    data = copy.deepcopy(RECORDS)
    data[0]["title"] = "A title changed so that the row is wider than a terminal " * 3
    new.write_text(json.dumps({"programs": data}), encoding="utf-8")
    same = run("diff", str(old), str(old))
    assert same.stdout.splitlines() == ["change\tid\tfield\told\tnew"]
    changed = run("diff", str(old), str(new))
    lines = changed.stdout.splitlines()
    assert lines[0] == "change\tid\tfield\told\tnew"
    [row] = lines[1:]
    assert row.split("\t") == ["changed", RECORDS[0]["id"], "title", RECORDS[0]["title"],
                                data[0]["title"]]  # fmt: skip


def test_every_changed_field_is_listed_with_its_values(run: Run, tmp_path: Path) -> None:
    records = copy.deepcopy(RECORDS[:2])
    records[0]["sectors"] = ["energy"]
    records[0]["parties"][0]["id"] = None
    records[0]["parties"][0]["country"] = "OM"
    records[0]["parties"][0]["type"] = "country"
    old = write_catalogue(tmp_path / "old.yaml", copy.deepcopy(RECORDS[:2]))
    new = write_catalogue(tmp_path / "new.yaml", records)
    changes = json.loads(run("diff", str(old), str(new), "--json").stdout)
    [entry] = changes["changed"]
    assert [f["field"] for f in entry["fields"]] == ["sectors", "parties"]
    assert entry["fields"][0]["new"] == ["energy"]
    assert entry["fields"][1]["new"][0] == {
        "name": "Islamic Nation", "type": "country", "country": "OM", "id": None
    }  # fmt: skip


def cells(markdown: str) -> list[list[str]]:
    """The table cells of a Markdown document, as GitHub's parser (markdown-it, GFM
    tables) reads them: text only."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    rows: list[list[str]] = []
    for i, token in enumerate(tokens):
        if token.type == "tr_open":
            rows.append([])
        if token.type == "inline" and tokens[i - 1].type in ("td_open", "th_open"):
            rows[-1].append(token.content)
    return rows


def rendered_text(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


def test_the_markdown_comment_reads_back_to_the_changes(run: Run, tmp_path: Path) -> None:
    hostile = "*Bold* [link](https://evil.example) <b>x</b> | @someone `code` ~~s~~ # 1."
    path, what = edited(tmp_path, title=hostile)
    result = run("diff", str(SHIPPED), str(path), "--format", "markdown")
    assert result.exit_code == 1
    html = rendered_text(result.stdout)
    [hostile_cell] = [cell for cell in html.split("<td>")[1:] if "Bold" in cell]
    text = hostile_cell.split("</td>")[0]
    assert "<" not in text  # no tag: no emphasis, link, code, strike-through or raw HTML
    assert text == (
        "*Bold* [link](https://evil.example) &lt;b&gt;x&lt;/b&gt; | @\u200bsomeone "
        "`code` ~~s~~ # 1."
    )  # the text as written; the pipe stayed in its cell; @ cannot mention anyone
    rows = [row for row in cells(result.stdout) if len(row) == 4 and row[0] != "id"]
    assert [row[:2] for row in rows if row[1] == "title"] == [[what["changed"], "title"]]


def test_the_markdown_comment_has_no_autolink(run: Run, tmp_path: Path) -> None:
    """GitHub links a bare URL, `www.` address or domain (GFM's autolink extension):
    read with linkify on, as GitHub does, the catalogue's text makes no link."""
    hostile = "see https://evil.example/x www.evil.example evil.example mailto:a@b.example"
    path, _ = edited(tmp_path, title=hostile)
    result = run("diff", str(SHIPPED), str(path), "--format", "markdown")
    html = MarkdownIt("gfm-like").render(result.stdout)
    assert "<a " not in html
    shown = "see https://evil.example/x www.evil.example evil.example mailto:a@\u200bb.example"
    assert shown in html


def test_the_markdown_comment_references_no_issue_and_mentions_no_one(
    run: Run, tmp_path: Path
) -> None:
    """GitHub links `@name`, `#12`, `GH-12` and `owner/repo#12` after rendering, so no
    backslash escape stops them (github/cmark-gfm#181): a zero-width space does."""
    hostile = "#1 see #12, gh-3, GH-4 and octo/repo#5 by @octocat; # 6 and #x stay"
    path, _ = edited(tmp_path, title=hostile)
    result = run("diff", str(SHIPPED), str(path), "--format", "markdown")
    html = MarkdownIt("gfm-like").render(result.stdout)
    shown = (
        "#\u200b1 see #\u200b12, gh-\u200b3, GH-\u200b4 and octo/repo#\u200b5 by "
        "@\u200boctocat; # 6 and #x stay"
    )
    assert shown in html
    assert re.search(r"(?i)(#|\bgh-)\d|@o", html) is None


def test_the_markdown_comment_makes_no_math(run: Run, tmp_path: Path) -> None:
    """GitHub renders `$...$` as math: every `$` from the data is escaped."""
    path, _ = edited(tmp_path, title="costs $x^2$ and $$y$$")
    result = run("diff", str(SHIPPED), str(path), "--format", "markdown")
    assert "costs \\$x^2\\$ and \\$\\$y\\$\\$" in result.stdout
    assert "$x" not in result.stdout.replace("\\$", "")


def test_markdown_when_equal_says_so(run: Run) -> None:
    result = run("diff", str(SHIPPED), str(SHIPPED), "-f", "markdown")
    assert result.exit_code == 0
    assert "No changes" in result.stdout and "15 programs" in result.stdout


def test_the_terminal_table_shows_control_characters_as_escapes(run: Run, tmp_path: Path) -> None:
    path, _ = edited(tmp_path, title="Evil \x1b[31mRed\x1b[0m")
    result = run("diff", str(SHIPPED), str(path), "--no-color", tty=True, env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout
    assert "Evil \\x1b[31mRed" in result.stdout
    assert result.stdout.startswith("1 added, 1 removed, 1 changed, 13 unchanged: ")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("diff", "-", "-"), 2),
        (("diff", str(SHIPPED)), 2),
        (("diff", str(SHIPPED), str(SHIPPED), "--format", "mermaid"), 2),
        (("diff", str(SHIPPED), "/nonexistent/programs.yaml"), 3),
    ],
)
def test_exit_codes(run: Run, args: tuple[str, ...], code: int) -> None:
    result = run(*args)
    assert result.exit_code == code
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("exchange: error: ")


def test_an_invalid_catalogue_is_exit_3_with_its_position(run: Run, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        SHIPPED.read_text(encoding="utf-8").replace("evidence: hypothetical", "evidence: maybe")
    )
    result = run("diff", str(SHIPPED), str(broken))
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr.startswith(f"exchange: error: {broken}:")  # fmt: skip


def test_a_pipe_is_refused_with_a_hint_to_use_stdin(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    ran = subprocess.run(
        [str(EXCHANGE), "diff", str(fifo), str(SHIPPED)], capture_output=True, text=True,
        timeout=30, check=False,
    )  # fmt: skip
    assert ran.returncode == 3
    assert "is a pipe" in ran.stderr and "'-'" in ran.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_show_piped_into_diff(tmp_path: Path) -> None:
    """The README's recipe: the committed catalogue against the working copy."""
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    catalogue = repo / "data" / "programs.yaml"
    shutil.copy(SHIPPED, catalogue)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}  # fmt: skip
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "start"]):
        subprocess.run(["git", *command], cwd=repo, env=env, check=True)
    pipeline = "git show HEAD:data/programs.yaml | exchange diff - data/programs.yaml --json"
    bash_env = {**env, "PATH": f"{EXCHANGE.parent}:{env['PATH']}"}
    same = subprocess.run(["bash", "-o", "pipefail", "-c", pipeline], cwd=repo, env=bash_env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert same.returncode == 0, same.stderr
    text = catalogue.read_text(encoding="utf-8").replace(
        "title: Malaysia's Digital Free Trade Zone", "title: Malaysia's Digital Trade Zone"
    )
    catalogue.write_text(text, encoding="utf-8")
    changed = subprocess.run(["bash", "-c", pipeline], cwd=repo, env=bash_env,
                             capture_output=True, text=True, check=False)  # fmt: skip
    assert changed.returncode == 1, changed.stderr
    result = json.loads(changed.stdout)
    assert result["old"] == "<stdin>"
    assert [(c["id"], [f["field"] for f in c["fields"]]) for c in result["changed"]] == [
        ("malaysia-digital-trade-zone", ["title"])
    ]


def test_the_readmes_ci_recipe_is_a_workflow_that_runs_the_diff() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    after = readme.split("(`.github/workflows/catalogue-diff.yml`):", 1)[1]
    block = after.split("```yaml\n", 1)[1].split("```", 1)[0]
    workflow = yaml.safe_load(block)
    assert workflow["permissions"]["pull-requests"] == "write"
    steps = workflow["jobs"]["diff"]["steps"]
    script = "\n".join(step.get("run", "") for step in steps)
    assert "| exchange diff - data/programs.yaml --format markdown > diff.md" in script
    assert "gh pr comment" in script and "--body-file diff.md" in script
