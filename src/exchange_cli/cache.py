"""A cache of validated catalogues, so repeated runs skip YAML parsing and validation.

Stored as JSON (never pickle or marshal: loading it cannot run code) in the user cache
directory (`$XDG_CACHE_HOME/exchange`, else `~/.cache/exchange`), one file per catalogue
path, written atomically. An entry is used only when the catalogue's path, size,
modification time and BLAKE2b content hash all match, and every value rebuilds with the
right type and vocabulary; anything else is ignored and rebuilt. `EXCHANGE_NO_CACHE=1`
or `--no-cache` turns it off.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from exchange_cli import __version__, vocab
from exchange_cli.model import Catalogue, Program, program_from_dict

try:  # hashlib's own BLAKE2, without the ~5 ms it spends loading OpenSSL on every run
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python implementations
    from hashlib import blake2b

FORMAT = "exchange-catalogue-cache/1"
NO_CACHE_ENV = "EXCHANGE_NO_CACHE"


def enabled(no_cache: bool = False) -> bool:
    return not no_cache and os.environ.get(NO_CACHE_ENV, "") in ("", "0")


def cache_directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "exchange"


def source_key(path: Path, data: bytes) -> dict[str, Any]:
    """What an entry must match: where the catalogue is, its size, mtime and content."""
    info = path.stat()
    return {
        "path": str(path.resolve()),
        "size": len(data),
        "mtime_ns": info.st_mtime_ns,
        "blake2b": blake2b(data, digest_size=32).hexdigest(),
    }


def _entry_path(key: dict[str, Any]) -> Path:
    name = blake2b(key["path"].encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
    return cache_directory() / f"{name}.json"


def read(key: dict[str, Any]) -> Catalogue | None:
    """The cached catalogue for this exact file, or None (missing, stale, damaged, foreign)."""
    try:
        raw = _entry_path(key).read_bytes()
        entry = json.loads(raw)
        if entry.get("format") != FORMAT or entry.get("version") != __version__:
            return None
        if entry.get("source") != key:
            return None
        programs = tuple(_checked(program_from_dict(d)) for d in entry["programs"])
        if len({p.id for p in programs}) != len(programs):
            return None
        return Catalogue(programs, key["path"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None


def _checked(program: Program) -> Program:
    """The vocabulary half of 'never trusted': values the loader would have refused."""
    if program.kind not in vocab.KINDS or program.evidence not in vocab.EVIDENCE:
        raise ValueError(program.id)
    if program.recurrence is not None and program.recurrence not in vocab.RECURRENCE:
        raise ValueError(program.id)
    if not all(s in vocab.SECTORS for s in program.sectors):
        raise ValueError(program.id)
    names = {p.name for p in program.parties}
    if not all(f.giver in names and f.receiver in names for f in program.flows):
        raise ValueError(program.id)
    return program


def write(key: dict[str, Any], catalogue: Catalogue) -> None:
    """Store the catalogue atomically; any failure just means no cache this time."""
    directory = cache_directory()
    entry = {
        "format": FORMAT,
        "version": __version__,
        "source": key,
        "programs": [p.to_dict() for p in catalogue.programs],
    }
    import tempfile  # only when writing

    temporary: str | None = None
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=directory, prefix=".tmp-", suffix=".json", delete=False
        ) as handle:
            temporary = handle.name
            json.dump(entry, handle, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, _entry_path(key))
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
