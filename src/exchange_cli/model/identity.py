"""Who a party is. Parties with the same `id` are one actor; a party without one is
the actor its name names, compared in Unicode's composed form (NFC), so `Café` typed
with a combining accent is the same actor as `Café` with a precomposed one. Countries
stay one node per ISO code in the graph (`network`).

`lookalike` is looser: the key under which two different actors *look* like one (case,
accents, invisible characters, a plural), for `validate`'s warnings. Pure, no I/O.
"""

from collections.abc import Iterable

from exchange_cli.model import vocab
from exchange_cli.model.records import Party


def nfc(text: str) -> str:
    """`text` in Unicode's composed form (ASCII, most text, returned as it is)."""
    if text.isascii():
        return text
    import unicodedata

    return unicodedata.normalize("NFC", text)


def actor_key(party: Party) -> str:
    """The actor a party is: `#id` for a party with an id, else `=` and its NFC name."""
    return f"#{party.id}" if party.id is not None else f"={nfc(party.name)}"


def actor_names(parties: Iterable[Party], *, looks: bool = True) -> dict[str, tuple[str, ...]]:
    """Each actor's folded names, their look-alike forms (unless `looks` is False), and
    its id: what `--party` matches an actor by, so a part of any of its names (singular
    or plural) finds every party of that actor."""
    found: dict[str, dict[str, None]] = {}
    for party in parties:
        names = found.setdefault(actor_key(party), {})
        names[vocab.normalize(party.name)] = None
        if looks:
            names[lookalike(party.name)] = None
        if party.id is not None:
            names[party.id] = None
    return {key: tuple(names) for key, names in found.items()}


_INVISIBLE = ("Cf", "Cc", "Mn", "Me")  # format (ZWSP, bidi marks, BOM), control, marks
#: Letters that show as nothing or a blank (Unicode's default-ignorable Hangul fillers,
#: the Braille blank): "Acme Corp\u3164" reads exactly like "Acme Corp".
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def lookalike(text: str) -> str:
    """A key equal for texts that a reader takes for the same name: case, accents,
    compatibility forms, invisible characters, separators and a plural `s` aside."""
    if not text.isascii():
        import unicodedata

        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(
            ch
            for ch in decomposed
            if unicodedata.category(ch) not in _INVISIBLE and ch not in _BLANK
        )
    words = vocab.normalize(text).replace("-", " ").split()
    return "-".join(_singular(word) for word in words)


def singular(word: str) -> str:
    """A folded word without a plural ending (`nations` → `nation`, `allies` → `ally`)."""
    return _singular(word)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
