"""Controlled vocabularies: each value's description, the aliases people type, matching.

This module is the single source of truth for allowed values; the loader, the query
layer, completion and the JSON Schema all read from here.
"""

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence

_SEPARATORS = re.compile(r"[\s_]+")


def normalize(text: str) -> str:
    """Fold case, accents and separators so `Défense`, `DEFENSE ` and `defense` compare equal."""
    if text.isascii():  # the common case, five times faster: nothing to decompose
        return _SEPARATORS.sub("-", text.lower().strip())
    import unicodedata  # only for non-ASCII text: most runs never need it

    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub("-", stripped.casefold().strip())


def words(text: str) -> list[str]:
    """Normalized words of a text: folded case and accents, hyphens and punctuation dropped
    (what search terms and `--from`/`--to` names are matched on)."""
    if text.isascii():  # the same words as below, in one step (a catalogue is mostly ASCII)
        return _patterns()[0].findall(text.lower())
    return _patterns()[1].findall(normalize(text).replace("-", " "))


@functools.cache
def _patterns() -> "tuple[re.Pattern[str], re.Pattern[str]]":
    """Compiled on first use: most runs never split words. In ASCII, `normalize` turns
    `_` and white space into separators, so a word is a run of letters and digits."""
    return re.compile(r"[a-z0-9]+"), re.compile(r"\w+")


class Term:
    """One allowed value, what it means, and other words that mean it."""

    __slots__ = ("value", "description", "aliases")

    def __init__(self, value: str, description: str, aliases: tuple[str, ...] = ()) -> None:
        self.value, self.description, self.aliases = value, description, aliases


class Vocabulary:
    """A closed set of values, matched case-, accent- and alias-insensitively."""

    __slots__ = ("name", "plural", "terms", "_values", "_words")

    def __init__(self, name: str, plural: str, terms: tuple[Term, ...]) -> None:
        self.name = name
        self.plural = plural
        self.terms = terms
        self._values = frozenset(term.value for term in terms)
        self._words: dict[str, str] = {}

    def fingerprint(self) -> str:
        """The values and their aliases, in order (`fields.fingerprint`)."""
        return repr([(term.value, term.aliases) for term in self.terms])

    def __repr__(self) -> str:
        return f"Vocabulary({self.name!r}, {len(self.terms)} terms)"

    @property
    def _lookup(self) -> dict[str, str]:
        """Normalized value or alias → canonical value, built on first use (start-up time)."""
        if not self._words:
            for term in self.terms:
                for word in (term.value, *term.aliases):
                    self._words.setdefault(normalize(word), term.value)
        return self._words

    def __iter__(self) -> Iterator[str]:
        return (term.value for term in self.terms)

    def __contains__(self, value: object) -> bool:
        return value in self._values

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(term.value for term in self.terms)

    def describe(self, value: str) -> str:
        for term in self.terms:
            if term.value == value:
                return term.description
        raise KeyError(value)

    def resolve(self, text: str) -> str | None:
        """The canonical value `text` names (value or alias), or None."""
        return self._lookup.get(normalize(text))

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """Canonical values a mistyped value may mean, best first.

        First, up to `limit` values one of whose names has every typed word as the start
        of its own words (`Arabia` → SA, `collaboration` → defense-collaboration), the
        shortest such name first; else the one value whose name looks most like it.
        Short forms (codes, `it`, `rnd`) are compared only with short input, and the bar
        is higher for large vocabularies, where a distant look-alike is noise: `Burma`
        is not BR, `Holland` is not Poland, `Narnia` is not Armenia.
        """
        folded = normalize(text[:64])
        typed = words(text[:64])
        if sum(map(len, typed)) >= 3:
            found: dict[str, int] = {}
            for term in self.terms:
                for name in (term.value, *term.aliases):
                    if _starts_words(typed, name):
                        found[term.value] = min(found.get(term.value, len(name)), len(name))
            if found:
                return sorted(found, key=found.__getitem__)[:limit]
        short = len(folded) <= 3
        names = [name for name in self._lookup if (len(name) <= 3) == short]
        cutoff = 0.8 if len(self.terms) > 50 else 0.6
        return [self._lookup[m] for m in closest(folded, names, n=1, cutoff=cutoff)]

    def label(self, value: str) -> str:
        """A value as a hint shows it: quoted, and for a code its name (`'SA' (Saudi
        Arabia)`), since a code alone does not say why it was suggested."""
        if value.isupper() and value in self:
            return f"'{value}' ({self.describe(value)})"
        return f"'{excerpt(value)}'"

    def complete(self, prefix: str, *, aliases: bool = True) -> Iterable[tuple[str, str]]:
        """(word, help) pairs for a shell: values, and aliases once something is typed, that
        start with `prefix` ignoring case; a term's aliases only when its value does not
        (`def` completes to defense, not to the `defen` defense and defence share). Shells
        keep only candidates that start with what was typed, so each word comes back in
        the typed case (`sa` → `sa`, `SA` → `SA`)."""
        wanted = prefix.casefold()
        lower = prefix == prefix.lower() and prefix != prefix.upper()
        seen: set[str] = set()
        for term in self.terms:
            words = (term.value, *term.aliases) if aliases and prefix else (term.value,)
            if term.value.casefold().startswith(wanted):
                words = (term.value,)  # the value wins over its aliases: `def` → defense
            for word in words:
                if " " in word or not word.casefold().startswith(wanted):
                    continue
                shown = prefix + word[len(prefix) :]
                if lower and word.isupper():
                    shown = word.lower()
                if shown in seen:
                    continue
                seen.add(shown)
                hint = term.description if word == term.value else f"→ {term.value}"
                yield shown, hint


KINDS = Vocabulary(
    "kind",
    "kinds",
    (
        Term(
            "personnel-exchange",
            "Skilled professionals travel abroad to learn, or host foreign peers to teach.",
            ("personnel", "skilled-personnel", "people-exchange", "staff-exchange"),
        ),
        Term(
            "technology-exchange",
            "Nations or companies transfer technology and know-how to each other.",
            ("technology", "tech-exchange", "tech", "technology-transfer"),
        ),
        Term(
            "research-partnership",
            "Scientists and institutions pool skills and resources on joint R&D.",
            ("research", "r&d", "r-and-d", "rnd"),
        ),
        Term(
            "education-consortium",
            "Universities and research institutes team up with foreign partners.",
            ("education", "consortium", "university"),
        ),
        Term(
            "health-alliance",
            "Hospitals and medical researchers work with partners abroad.",
            ("health", "healthcare", "medical"),
        ),
        Term(
            "investment-partnership",
            "Foreign capital flows into local ventures in exchange for a stake or market.",
            ("investment", "fdi", "venture"),
        ),
        Term(
            "regulatory-cooperation",
            "Legal and regulatory ties that let capital and businesses cross borders.",
            ("regulatory", "legal", "law", "legal-regulatory"),
        ),
        Term(
            "defense-collaboration",
            "Joint design and development of defense and security systems.",
            ("defense", "defence", "defence-collaboration", "security"),
        ),
        Term(
            "military-education-exchange",
            "Officers train abroad and foreign officers are hosted in return.",
            ("military-education", "military", "officer-exchange", "military-exchange"),
        ),
    ),
)

SECTORS = Vocabulary(
    "sector",
    "sectors",
    (
        Term("agriculture", "Farming methods and food production.", ("farming", "agri")),
        Term(
            "crafts-textiles",
            "Artisanal crafts and the textile industry.",
            ("crafts", "textiles", "textile", "artisanal-crafts"),
        ),
        Term(
            "urban-planning",
            "Sustainable city planning.",
            ("urban", "city-planning", "planning", "cities"),
        ),
        Term("energy", "Oil, petroleum production and other energy.", ("oil", "petroleum", "gas")),
        Term(
            "manufacturing",
            "Industrial production, electronics manufacturing included.",
            ("electronics", "industry"),
        ),
        Term(
            "digital-technology",
            "Digital technology and electronics innovation.",
            ("tech", "technology", "digital", "it", "ict"),
        ),
        Term(
            "e-commerce",
            "Online and cross-border trade platforms.",
            ("ecommerce", "trade", "online-trade"),
        ),
        Term("research", "Science and R&D.", ("r&d", "r-and-d", "rnd", "science")),
        Term("education", "Schools, universities and training.", ("training", "universities")),
        Term(
            "healthcare",
            "Hospitals, medicine and biomedical research.",
            ("health", "medical", "medicine", "biomedical"),
        ),
        Term(
            "defense",
            "Military capability, defense systems and security.",
            ("defence", "military", "security"),
        ),
        Term("cybersecurity", "Protection against cyber threats.", ("cyber", "cyber-security")),
        Term(
            "legal-regulatory",
            "Law, regulation and the business environment they create.",
            ("legal", "regulatory", "law", "regulation"),
        ),
        Term(
            "investment",
            "Foreign direct investment and venture funding.",
            ("fdi", "foreign-direct-investment", "finance", "funding"),
        ),
    ),
)

EVIDENCE = Vocabulary(
    "evidence level",
    "evidence levels",
    (
        Term("reported", "A named program or practice the document presents as fact.", ("fact",)),
        Term(
            "illustrative",
            "A scenario the document sketches as something one could envision.",
            ("example", "scenario", "illustration"),
        ),
        Term(
            "hypothetical",
            "Something the document itself calls hypothetical.",
            ("hypothesis", "imagined"),
        ),
    ),
)

RECURRENCE = Vocabulary(
    "recurrence",
    "recurrences",
    (
        Term("one-off", "Happens once.", ("once", "oneoff", "one-time", "single")),
        Term("annual", "Happens every year.", ("yearly", "every-year")),
        Term("ongoing", "Runs continuously.", ("continuous", "permanent", "continuing")),
    ),
)

PARTY_TYPES = Vocabulary(
    "party type",
    "party types",
    (
        Term("country", "A sovereign state, with its ISO 3166-1 code.", ("nation", "state")),
        Term(
            "organization",
            "A company, university, hospital or other named body.",
            ("organisation", "company", "org", "institution"),
        ),
        Term(
            "group", "An unnamed or collective side, such as 'Islamic nations'.", ("collective",)
        ),
    ),
)


def _country_vocabulary() -> Vocabulary:
    from exchange_cli.model.countries import COUNTRIES

    return Vocabulary(
        "country",
        "countries",
        tuple(Term(code, name, (name, *aliases)) for code, name, aliases in COUNTRIES),
    )


@functools.cache
def countries() -> Vocabulary:
    """ISO 3166-1 countries, built on first use: most runs never need the 249 entries."""
    return _country_vocabulary()


def country_name(code: str) -> str:
    """The display name of an ISO code (the code itself when unknown)."""
    try:
        return countries().describe(code)
    except KeyError:
        return code


#: The text rule every line-oriented destination follows (terminal, tsv, csv, markdown,
#: messages): control characters (C0, DEL, C1 including U+0085), the line and paragraph
#: separators U+2028 and U+2029, the bidirectional controls (overrides, isolates, marks)
#: and the default-ignorable characters (zero-width ones) are shown as visible escapes
#: (`\x1b`, `\u2028`, `\u200b`), so text from a catalogue cannot move a cursor,
#: retitle a window, plant a hyperlink, reverse a line, split one record into two lines,
#: or make two different values look the same.
# C0 controls, DEL, C1 controls, line/paragraph separators, and bidirectional controls.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: Unicode's default-ignorable code points (zero-width spaces and joiners, word joiner,
#: soft hyphen, variation selectors, U+FEFF, Hangul fillers, tags...): drawn as nothing,
#: so two different values would print the same; shown as escapes too.
INVISIBLE = (
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200d\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


@functools.cache
def unsafe_characters(keep_lines: bool = False) -> "re.Pattern[str]":
    """The characters `visible` escapes (with `keep_lines`, not tab, CR and LF, which csv
    quoting carries), compiled on first use: compiling costs more than most runs do."""
    controls = "\x00-\x08\x0b\x0c\x0e-\x1f" if keep_lines else "\x00-\x1f"
    return re.compile(f"[{controls}\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}{INVISIBLE}]")


def escape_character(match: re.Match[str]) -> str:
    """The visible escape of one matched character: `\\n`, `\\x1b`, `\\u202e`."""
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


@functools.cache
def _invisible() -> "re.Pattern[str]":
    return re.compile(f"[{INVISIBLE}]")


def invisible_character(text: str) -> str | None:
    """The first default-ignorable character of `text` (`INVISIBLE`), or None."""
    found = _invisible().search(text)
    return found.group() if found else None


def visible(text: str) -> str:
    """Show control, bidi and invisible characters as escapes (`\\x1b`, `\\u202e`,
    `\\u200b`), so they cannot act and two different values never print the same."""
    return unsafe_characters().sub(escape_character, text)


def excerpt(text: str, limit: int = 40) -> str:
    """Keep messages one readable line however long the offending value is, and
    whatever it holds (`visible`)."""
    if len(text) <= limit:
        return visible(text)
    return f"{visible(text[:limit])}… ({len(text):,} characters)"


def closest(text: str, choices: Iterable[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The choices that look most like `text`, best first (a "did you mean" hint). Bounded:
    a huge value is cut before it is compared, so a hint costs milliseconds."""
    import difflib  # only on the error path; keeps start-up fast

    return difflib.get_close_matches(text[:64], list(choices), n=n, cutoff=cutoff)


def _starts_words(typed: Sequence[str], name: str) -> bool:
    """Every typed word starts some word of `name` (`arab` starts `Arabia`)."""
    have = words(name)
    return all(any(word.startswith(part) for word in have) for part in typed)


def did_you_mean(
    candidates: Sequence[str],
    *,
    before: str = "",
    after: str = "",
    label: Callable[[str], str] | None = None,
) -> str:
    """`did you mean 'a' or 'b'?`, with the punctuation around it, or "" for none;
    `label` shows a candidate some other way than quoted (`'SA' (Saudi Arabia)`)."""
    if not candidates:
        return ""
    show = label or (lambda candidate: f"'{excerpt(candidate)}'")
    shown = [show(c) for c in candidates]
    names = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    return f"{before}did you mean {names}?{after}"
