"""Regenerate the README's generated sections from the code, or check that they are current.

    python scripts/update_readme.py          # rewrite README.md in place
    python scripts/update_readme.py --check  # exit 1 and show a diff when it drifted

Sections are marked `<!-- generated: NAME -->` ... `<!-- /generated: NAME -->`:
- `fields`: the record's fields and their docs, from the declaration (`model.py`);
- `example ARGS @ WIDTH`: what `exchange ARGS` prints on a terminal WIDTH columns wide,
  without colour, run in-process against the shipped catalogue.
tests/test_docs.py runs the check, so the README cannot drift from the code.
"""

from __future__ import annotations

import argparse
import difflib
import io
import re
import shlex
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = re.compile(
    r"(<!-- generated: (?P<name>[^>]*?) -->\n)(?P<body>.*?)(<!-- /generated: (?P=name) -->)",
    re.S,
)


def fields_table() -> str:
    from exchange_cli.model.fields import field_docs
    from exchange_cli.model.records import Program

    rows = ["| field | what it holds |", "| --- | --- |"]
    rows += [f"| `{name}` | {doc} |" for name, doc in field_docs(Program).items()]
    return "\n".join(rows) + "\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


def example(spec: str) -> str:
    """`exchange ARGS @ WIDTH` as a fenced block: the command, then what it prints."""
    import os

    from exchange_cli.cli.main import main
    from exchange_cli.render.terminal import Environment

    command, _, width = spec.rpartition("@")
    args = shlex.split(command)[1:]
    saved = {
        k: os.environ.get(k) for k in ("COLUMNS", "NO_COLOR", "EXCHANGE_DATA", "EXCHANGE_PAGER")
    }
    os.environ.update(COLUMNS=width.strip(), NO_COLOR="1", EXCHANGE_PAGER="")
    os.environ.pop("EXCHANGE_DATA", None)
    try:
        out = _Terminal()
        code = main(args, Environment.detect(stdout=out, stderr=io.StringIO()))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if code != 0:
        raise SystemExit(f"{command.strip()} exited {code}")
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    return "```\n$ " + command.strip() + "\n" + "\n".join(lines) + "\n```\n"


def generate(text: str) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group("name").strip()
        if name == "fields":
            body = fields_table()
        elif name.startswith("example "):
            body = example(name[len("example ") :])
        else:
            raise SystemExit(f"unknown generated section: {name}")
        return match.group(1) + body + match.group(4)

    return SECTION.sub(fill, text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 on drift")
    options = parser.parse_args()
    current = README.read_text(encoding="utf-8")
    wanted = generate(current)
    if options.check:
        if wanted != current:
            diff = difflib.unified_diff(
                current.splitlines(), wanted.splitlines(), "README.md", "generated", lineterm=""
            )
            sys.stdout.write("\n".join(diff) + "\n")
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
