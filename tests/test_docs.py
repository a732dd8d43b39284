"""The README and --help cover every command, exit code and environment variable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from exchange_cli.cli.commands import app
from exchange_cli.errors import ExitCode
from exchange_cli.render.registry import RENDERERS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_command_has_help_and_is_documented() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    for name, command in group.commands.items():
        assert command.help and command.help.strip(), name
        assert f"`exchange {name}" in README, name
        for param in command.params:
            if param.name not in {"help"} and isinstance(param, typer.core.TyperOption):
                assert param.help, f"{name} {param.opts}"


def test_every_exit_code_and_format_is_documented() -> None:
    for code in ExitCode.ALL:
        assert f"| {int(code)} |" in README, code
    for renderer in RENDERERS:
        assert f"`{renderer.name}`" in README, renderer.name


def test_environment_variables_are_documented() -> None:
    for name in (
        "EXCHANGE_DATA",
        "EXCHANGE_MAX_BYTES",
        "EXCHANGE_DEBUG",
        "NO_COLOR",
        "FORCE_COLOR",
        "EXCHANGE_NO_CACHE",
        "XDG_CACHE_HOME",
        "EXCHANGE_PAGER",
        "PAGER",
    ):
        assert f"`{name}`" in README, name


def test_readme_commands_are_the_ones_ci_runs() -> None:
    assert "<!-- test-command -->" in README and "<!-- run-command -->" in README


def generator() -> Any:
    import importlib.util

    script = Path(__file__).resolve().parents[1] / "scripts" / "generate.py"
    spec = importlib.util.spec_from_file_location("generate", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_generated_file_is_current() -> None:
    """The store's stamp, the published schema and the README's generated sections (the
    field list, the SQLite tables, the examples) are made from the code: a change to it
    without `python scripts/generate.py` fails here, naming the files."""
    for marker in ("fields", "sqlite-tables"):
        assert f"<!-- generated: {marker} -->" in README
    stale = [str(path.name) for path in generator().drifted()]
    assert stale == [], f"run: python scripts/generate.py (stale: {', '.join(stale)})"


def test_the_generator_sees_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = generator()
    stale = tmp_path / "README.md"
    stale.write_text(README.replace("| `benefits` |", "| `benefitz` |"), encoding="utf-8")
    monkeypatch.setattr(module, "README", stale)
    assert module.drifted() == [stale]


def help_examples() -> list[tuple[str, str]]:
    """(command, example) for every example in every command's help, the root's too: the
    paragraphs after "Examples:" that start with `exchange `."""
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    found = []
    for name, command in [("exchange", group), *group.commands.items()]:
        text = command.help or ""
        assert "\nExamples:\n" in text, f"{name}: no 'Examples:' heading"
        after = text.split("\nExamples:\n", 1)[1]
        examples = [p.strip() for p in after.split("\n\n") if p.strip().startswith("exchange ")]
        assert examples, name
        found += [(name, example) for example in examples]
    return found


def pasted(script: str, cwd: Path, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`script` run by bash as a user pastes it (a failing stage of a pipe fails it)."""
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, (script, done.stderr)
    return done


@pytest.fixture(scope="module")
def pasting(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A folder holding a file of one's own (`exchange new > my-programs.yaml`, itself an
    example) and two copies to compare, made once; and the environment: the installed
    command first on PATH, no EXCHANGE_ setting, a cache shared by the examples as a
    user's is."""
    folder = tmp_path_factory.mktemp("pasting")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
    environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environ.get('PATH', '')}"
    environ.update(SHELL="/bin/bash", XDG_CACHE_HOME=str(folder / "cache"))
    for name in ("XDG_CONFIG_HOME", "ZDOTDIR"):
        environ.pop(name, None)
    pasted("exchange new > my-programs.yaml", folder, environ)
    shutil.copy(folder / "my-programs.yaml", folder / "old.yaml")
    shutil.copy(folder / "my-programs.yaml", folder / "new.yaml")
    return folder, environ


@pytest.mark.parametrize(("command", "example"), help_examples())
def test_every_help_example_works_as_written(
    command: str, example: str, tmp_path: Path, pasting: tuple[Path, dict[str, str]]
) -> None:
    """Each example runs in bash, as a user would paste it, in a folder of its own holding
    the files an example names, and succeeds."""
    for tool in ("jq", "dot"):
        if f"| {tool} " in example and shutil.which(tool) is None and not os.environ.get("CI"):
            pytest.skip(f"{tool} is not installed (CI installs it)")
    made, environ = pasting
    for name in ("my-programs.yaml", "old.yaml", "new.yaml"):
        shutil.copy(made / name, tmp_path / name)
    home = tmp_path / "home"  # `completion --install` writes there, not in the real one
    home.mkdir()
    done = pasted(example, tmp_path, environ | {"HOME": str(home)})
    assert "Traceback" not in done.stderr, (command, done.stderr)


#: A valid value for each kind of option, by its metavar (a new metavar fails the walk
#: below until it is given one here).
VALID_VALUES: dict[str, str] = {
    "FACET": "party",
    "COUNTRY": "SA",
    "FILE": "-",  # replaced by the shipped catalogue's path
    "LEVEL": "reported",
    "KIND": "technology-exchange",
    "N": "2",
    "NAME": "alibaba",
    "PARTY": "KR",
    "SECTOR": "defense",
}
#: The arguments each command needs to run at all.
REQUIRED_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "show": ("saudi-korea-tech-exchange",),
    "search": ("technology",),
    "diff": ("SHIPPED", "SHIPPED"),
    "completion": ("bash",),
}


def option_values(command: Any, option: Any, tmp_path: Path) -> list[str | None]:
    """Every value worth trying for one option: each format it lists, each field, the
    flag alone."""
    from exchange_cli.load.loader import default_catalogue_path

    if getattr(option, "is_flag", False):
        return [None]
    name = option.opts[0]
    if name == "--format":
        return [f.strip() for f in option.help.split(".")[0].split(",")]
    if name in ("--fields", "--sort"):
        listed = option.help.split("(e.g. ")[1].split(")")[0] if "e.g." in option.help else ""
        return [listed.split(",")[0]] if listed else []
    if name == "--output":
        return [str(tmp_path / "out.file")]
    if name == "--data":
        return [str(default_catalogue_path())]
    assert option.metavar in VALID_VALUES, f"{name}: give {option.metavar} a value here"
    return [VALID_VALUES[option.metavar]]


def test_every_option_each_command_offers_works(run: Any, tmp_path: Path) -> None:
    """Walk every command's options as --help lists them and try each with a valid
    value: an exit code of the contract, at most one line on stderr, never a traceback
    (`export --json` ended in a KeyError, `--fields` was offered with no field)."""
    from exchange_cli.load.loader import default_catalogue_path

    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    tried = 0
    for name, command in group.commands.items():
        base = [str(default_catalogue_path()) if a == "SHIPPED" else a
                for a in REQUIRED_ARGUMENTS.get(name, ())]  # fmt: skip
        help_text = run(name, "--help").stdout
        for option in command.params:
            if not isinstance(option, typer.core.TyperOption) or option.name == "help":
                continue
            assert option.opts[0] in help_text, (name, option.opts)
            assert "(e.g. )" not in (option.help or ""), (name, option.opts)
            for value in option_values(command, option, tmp_path):
                args = [name, *base, option.opts[0], *([] if value is None else [value])]
                if name == "export" and "--output" not in args:
                    args += ["--output", str(tmp_path / "page.out")]
                if name == "completion" and option.opts[0] == "--install":
                    continue  # writes to the user's shell files: test_completion's job
                result = run(*args, env={"HOME": str(tmp_path)})
                tried += 1
                assert result.exit_code in (0, 1), (args, result.stderr)
                assert "Traceback" not in result.stderr and result.stderr.count("\n") <= 2, (
                    args, result.stderr)  # fmt: skip
    assert tried > 80
