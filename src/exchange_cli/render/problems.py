"""Validation problems as compiler-style lines or GitHub Actions annotations.

Escaping rules. text: one line per problem, control, separator and bidi characters
visible (`render.text`). github: the same visible escapes first (so no raw ESC, OSC or
U+202E reaches the log, file names included), then GitHub's own workflow-command
escaping: `%` `\\r` `\\n` in the message, and also `:` `,` in the properties (file, title).
"""

from __future__ import annotations

from exchange_cli.render.results import Problems
from exchange_cli.render.terminal import Environment
from exchange_cli.render.text import visible


def render_text(result: Problems, env: Environment) -> None:
    """`file:line:column: path: message`, one per line, warnings marked."""
    for problem in result.problems:
        prefix = "" if problem.severity == "error" else "warning: "
        env.stdout.write(visible(f"{prefix}{problem}") + "\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: Problems, env: Environment) -> None:
    """`::error file=...,line=...,col=...,title=...::message` workflow commands."""
    for problem in result.problems:
        props = [f"file={_escape_property(visible(problem.file))}"]
        if problem.line is not None:
            props.append(f"line={problem.line}")
        if problem.column is not None:
            props.append(f"col={problem.column}")
        if problem.path:
            props.append(f"title={_escape_property(visible(problem.path))}")
        level = "error" if problem.severity == "error" else "warning"
        message = _escape_data(visible(problem.message))
        env.stdout.write(f"::{level} {','.join(props)}::{message}\n")
