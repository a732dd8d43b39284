"""What Tab offers, and the shell scripts that ask for it.

Values come from the vocabularies and from the catalogue in use (`--data`, else
`EXCHANGE_DATA`, else the shipped one): its countries (codes and names), its party
names, its program ids. A completion never prints an error or fails: a catalogue that
cannot be read completes nothing.

The protocol between a script and `exchange` (ours, not Typer's: Typer's zsh script
evaluated descriptions, so a catalogue title ending in a backslash could run code when a
zsh user pressed Tab): the script runs `exchange WORDS...` with `_EXCHANGE_COMPLETE` set
to its shell's name, WORDS being the words typed so far, the last the one being
completed. The answer is one candidate a line, `value<TAB>description`, or the single
line `files` for a file name. Candidates are inert by construction: a value or a
description never holds a control, separator or bidi character (such a value is left
out; a description is cut to one short line), and the scripts (`shell/`) add what they
read as plain words, never evaluating them.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import typer

from exchange_cli.model import vocab

Completer = Callable[..., list[Any]]
SHELLS = ("bash", "zsh", "fish")
#: The longest description shown beside a candidate.
DESCRIPTION_LENGTH = 60
#: The most candidates one answer holds; past them, a last line `more` says more exist
#: (zsh shows it; bash and fish offer the first ones).
MAX_CANDIDATES = 200
#: Set by the zsh and fish scripts to the terminal's width, which descriptions fit.
COLUMNS_ENV = "_EXCHANGE_COLUMNS"


def _terms(vocabulary: vocab.Vocabulary, incomplete: str) -> list[tuple[str, str]]:
    return list(vocabulary.complete(incomplete))


def complete_sector(incomplete: str) -> list[tuple[str, str]]:
    return _terms(vocab.SECTORS, incomplete)


def complete_kind(incomplete: str) -> list[tuple[str, str]]:
    return _terms(vocab.KINDS, incomplete)


def complete_evidence(incomplete: str) -> list[tuple[str, str]]:
    return _terms(vocab.EVIDENCE, incomplete)


def complete_country(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The countries the catalogue in use names: codes, and names (`sau` → Saudi Arabia);
    when neither starts so, the other names the command takes (`kor` → Korea)."""
    items = _countries(ctx)
    found = _typed(items, incomplete)
    if found or not incomplete:
        return found
    terms = {term.value: term for term in vocab.countries().terms}
    other = [
        (alias, f"{code}, {vocab.country_name(code)}")
        for code, _ in items
        if code in terms
        for alias in terms[code].aliases[1:]  # (the first is the name, offered above)
        if alias.isascii() and len(alias) > 3 and "," not in alias  # a name, not a code
    ]
    return _typed(other, incomplete)


def complete_party(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The party names of the catalogue in use."""
    return _typed(_parties(ctx), incomplete)


def complete_party_or_country(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """What --from and --to take: a party's name, or a country's code or name."""
    found = dict(_parties(ctx))
    for value, description in _countries(ctx):
        found.setdefault(value, description)
    return _typed(list(found.items()), incomplete)


def _typed(items: Sequence[tuple[str, str]], incomplete: str) -> list[tuple[str, str]]:
    """The items whose value starts with what was typed, ignoring case, each in the case
    typed so far (`sau` → `saudi Arabia`): Typer keeps only candidates that start with
    the typed word as it is, and the command reads names in any case."""
    lower = incomplete == incomplete.lower() != incomplete.upper()  # typed in lower case
    return [
        (value.lower() if lower and value.isupper() else incomplete + value[len(incomplete) :],
         description)
        for value, description in items
        if _starts(value, incomplete)
    ]  # fmt: skip


def complete_formats(formats: Sequence[str]) -> Completer:
    def complete(incomplete: str) -> list[str]:
        return [f for f in formats if f.startswith(incomplete.lower())]

    return complete


def complete_fields(fields: Sequence[str], *, single: bool = False) -> Completer:
    """Field names; for --fields, continuing after the last comma."""

    def complete(incomplete: str) -> list[str]:
        if single:
            return [f for f in fields if f.startswith(incomplete)]
        done, _, current = incomplete.rpartition(",")
        prefix = f"{done}," if done else ""
        chosen = set(done.split(",")) if done else set()
        return [prefix + f for f in fields if f.startswith(current) and f not in chosen]

    return complete


def complete_shell(incomplete: str) -> list[str]:
    return [shell for shell in SHELLS if shell.startswith(incomplete.lower())]


def complete_facet(incomplete: str) -> list[str]:
    from exchange_cli.query.records import SUMMARY_FACETS

    return [f for f in SUMMARY_FACETS if f.startswith(incomplete.lower())]


def complete_program_id(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    from exchange_cli.errors import ExchangeError

    try:
        source = _catalogue(ctx)
        wanted = incomplete.lower()
        positions = [
            i for i, program_id in enumerate(source.ids()) if program_id.startswith(wanted)
        ]
        if not positions and wanted:  # an earlier id (`aliases`) still names its program
            earlier = source.aliases(wanted, MAX_CANDIDATES + 1)
            chosen = source.records(i for _, i in earlier)
            return _typed(
                [
                    (a, f"now {r['id']}: {r['title']}")
                    for (a, _), r in zip(earlier, chosen, strict=True)
                ],
                incomplete,
            )
        # one more than is shown, so that the answer can say more exist
        chosen = source.records(positions[: MAX_CANDIDATES + 1])
        return _typed([(r["id"], r["title"]) for r in chosen], incomplete)
    except ExchangeError:
        return []


def _starts(value: str, incomplete: str) -> bool:
    return value.casefold().startswith(incomplete.casefold())


def _countries(ctx: typer.Context) -> list[tuple[str, str]]:
    from exchange_cli.errors import ExchangeError

    try:
        codes = _catalogue(ctx).countries()
    except ExchangeError:
        return []
    items = [(code, vocab.country_name(code)) for code in codes]
    return items + [(name, code) for code, name in items]


def _parties(ctx: typer.Context) -> list[tuple[str, str]]:
    from exchange_cli.errors import ExchangeError

    try:
        parties = _catalogue(ctx).parties()
    except ExchangeError:
        return []
    return [(p.name, p.type + (f", {p.country}" if p.country else "")) for p in parties]


def _catalogue(ctx: typer.Context) -> Any:
    """The catalogue in use, as far as the command line tells (`--data` may still be the
    raw string while completing); opened once per Tab press (`--from` asks twice)."""
    if "exchange.catalogue" not in ctx.meta:
        ctx.meta["exchange.catalogue"] = _open_catalogue(ctx)
    return ctx.meta["exchange.catalogue"]


def _open_catalogue(ctx: typer.Context) -> Any:
    """The catalogue, if it can be had at once (`load.catalogue.open_if_quick`). A large
    one without a store gets its store built by a separate `exchange`, in the
    background, so that a later Tab answers from it: a Tab press never waits for a
    first load (7 to 10 s for 20,000 programs)."""
    import os

    from exchange_cli.errors import UsageError
    from exchange_cli.load.catalogue import open_if_quick
    from exchange_cli.store.files import enabled

    data = ctx.params.get("data") or os.environ.get("EXCHANGE_DATA")
    if data is not None and str(data) == "-":
        # standard input is the user's terminal while Tab is pressed: reading it would
        # hang the shell and swallow what is typed next
        raise UsageError("standard input is not read while completing")
    cache = enabled(bool(ctx.params.get("no_cache")))
    path = Path(data) if data else None
    found = open_if_quick(path, cache=cache)
    if found is None and cache and path is not None:
        _build_later(path)
    if found is None:
        raise UsageError("not completed: the catalogue is not in the store yet")
    return found


def _build_later(path: Path) -> None:
    """Start `exchange` filling the store from `path`, detached from this Tab press and
    the terminal (no output, its own session); not when a build is under way."""
    import os
    import subprocess
    import sys

    from exchange_cli.store import files as store

    directory = store.trusted_directory()
    if directory is None or store.being_built(directory, path):
        return
    env = {k: v for k, v in os.environ.items() if k != "_EXCHANGE_COMPLETE"}
    argv = [sys.executable, "-m", "exchange_cli", "list", "--data", str(path), "--limit", "0",
            "--format", "json"]  # fmt: skip
    subprocess.Popen(  # noqa: S603 - our own command, our own arguments
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
        close_fds=True,
    )


# -- the answer a script reads -----------------------------------------------------------------


def typed_word(raw: str) -> str:
    """What a word bash hands over as typed means: `Foreign\\ p`, `"Foreign p` and
    `'Foreign p'` all mean `Foreign p`. Quotes may be left open (the word is still being
    typed); nothing is expanded (a `$` is a `$`): the word is only read, never run."""
    out: list[str] = []
    quote = ""
    index = 0
    while index < len(raw):
        char = raw[index]
        if quote == "'":
            if char == "'":
                quote = ""
            else:
                out.append(char)
        elif char == "\\" and index + 1 < len(raw) and (not quote or raw[index + 1] in '$`"\\'):
            index += 1
            out.append(raw[index])
        elif char in "'\"" and quote in ("", char):
            quote = "" if quote else char
        else:
            out.append(char)
        index += 1
    return "".join(out)


def answer(command: Any, words: Sequence[str], env: Any) -> list[str]:
    """The protocol's lines for WORDS (the last being completed) on a Click command.

    Click's own resolution finds which option or argument the last word belongs to
    (`internals.completion_target`). bash splits `--sector=de` into three words; they
    are joined again.
    """
    from exchange_cli.cli import internals

    joined: list[str] = []
    for word in words:
        if joined and (word == "=" or joined[-1].endswith("=")) and joined[-1].startswith("-"):
            joined[-1] += word
        else:
            joined.append(word)
    args, incomplete = (joined[:-1], joined[-1]) if joined else ([], "")
    ctx, target, incomplete = internals.completion_target(command, args, incomplete, env)
    if internals.takes_a_path(target):
        return ["files"]  # Typer offers none, leaving file names to the shell
    items = target.shell_complete(ctx, incomplete)
    return answer_lines((str(i.value), str(i.help or ""), str(i.type)) for i in items)


def answer_lines(items: Iterable[tuple[str, str, str]]) -> list[str]:
    """(value, description, kind) → the protocol's lines; kind "file" asks for file names.
    At most `MAX_CANDIDATES`, then the line `more`; each description cut to fit beside
    its value on the terminal the script reports (`COLUMNS_ENV`: zsh writes
    `value -- description`, fish `value  (description)`)."""
    import os

    from exchange_cli.render.terminal import terminal_size_value
    from exchange_cli.render.text import visible

    columns = terminal_size_value(os.environ.get(COLUMNS_ENV, "")) or 0
    lines: list[str] = []
    for value, description, kind in items:
        if kind in ("file", "dir"):
            return ["files"]
        if not value or len(value) > 200 or visible(value) != value or "\t" in value:
            continue  # a control, separator or bidi character: never offered
        if len(lines) == MAX_CANDIDATES:
            lines.append("more")
            break
        room = DESCRIPTION_LENGTH
        if columns:
            room = min(room, columns - len(value) - 6)
        shown = " ".join(visible(description or "").split())
        if room < 8:
            shown = ""
        elif len(shown) > room:
            shown = shown[: room - 1] + "…"
        lines.append(f"{value}\t{shown}")
    return lines


def print_or_install(shell: str | None, install_it: bool, env: Any) -> None:
    """`exchange completion [SHELL] [--install]`: the script on stdout, or installed."""
    import os

    from exchange_cli.errors import UsageError

    name = shell.lower() if shell else detect_shell()
    if name is None:
        raise UsageError(
            "cannot tell the shell from $SHELL; name it: exchange completion bash|zsh|fish"
        )
    if name not in SHELLS:
        raise UsageError(f"no completion for {shell!r}; choose bash, zsh or fish")
    if not install_it:
        env.stdout.write(script(name))
        return
    written, startup = install(name, home_directory(), os.environ, env)
    env.note(f"exchange: {name} completion written to {written}")
    if startup is not None:
        env.note(f"exchange: loaded from {startup}; open a new shell to use it")


def script(shell: str) -> str:
    """The completion script for a shell, as `exchange completion SHELL` prints it."""
    from importlib import resources

    name = {"bash": "exchange.bash", "zsh": "exchange.zsh", "fish": "exchange.fish"}[shell]
    return (resources.files("exchange_cli") / "shell" / name).read_text(encoding="utf-8")


def detect_shell() -> str | None:
    """The user's shell, from $SHELL (`/usr/bin/zsh` → zsh), when it is one we support."""
    import os

    name = Path(os.environ.get("SHELL", "")).name
    return name if name in SHELLS else None


def home_directory() -> Path:
    """Where `--install` writes: the home directory, which must be known and absolute (an
    empty HOME is `/` to Python, and `Path.home()` raises RuntimeError when there is no
    HOME and no password entry)."""
    import os

    from exchange_cli.errors import UsageError

    home = os.path.expanduser("~")
    if os.environ.get("HOME") == "" or not os.path.isabs(home):
        raise UsageError(
            "cannot tell your home directory (HOME is unset, empty or relative); "
            "set HOME to install completion, or print the script: exchange completion SHELL"
        )
    return Path(home)


def install(
    shell: str, home: Path, environ: Mapping[str, str], env: Any
) -> tuple[Path, Path | None]:
    """Write the script where the shell finds it and, for bash and zsh, one line at the end
    of the shell's startup file that loads it (once). Nothing else changes: no zstyle, no
    other command's completion. Returns the script's path and the startup file touched
    (None for fish, which loads completions/exchange.fish by itself).

    The script is written as `export --output` writes (`render.target`: whole, its mode
    kept, a link followed); the startup file is appended to in place, as the user's own
    file, and read as bytes (a .bashrc need not be UTF-8). Every OS error is one line,
    exit 4."""
    import shlex

    from exchange_cli.render.target import cannot, write

    config = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
    zdotdir = Path(environ.get("ZDOTDIR") or home)
    target = {
        "bash": home / ".bash_completions" / "exchange.sh",
        "zsh": zdotdir / ".zfunc" / "exchange.zsh",
        "fish": config / "fish" / "completions" / "exchange.fish",
    }[shell]

    startup = (
        None if shell == "fish" else home / ".bashrc" if shell == "bash" else zdotdir / ".zshrc"
    )
    existing = b""
    if startup is not None:  # read first: a startup file we cannot read stops us whole
        try:
            with open(startup, "rb") as source:
                existing = source.read()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise cannot("read", startup, exc) from None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot("make", target.parent, exc) from None
    write(script(shell).encode("utf-8"), target, env)
    if startup is None:
        return target, None
    line = f"source {shlex.quote(str(target))}  # exchange completion".encode(
        "utf-8", "surrogateescape"
    )
    if line not in existing.splitlines():
        try:
            with open(startup, "ab") as handle:
                handle.write((b"\n" if existing and not existing.endswith(b"\n") else b"") + line)
                handle.write(b"\n")
        except OSError as exc:
            raise cannot("write", startup, exc) from None
    return target, startup
