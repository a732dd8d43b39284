"""Property-based fuzzing of the loader: any input either loads or raises the loader's
own error, never anything else. 10,000 examples per test in CI (derandomized there)."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exchange_cli.errors import CatalogueError
from exchange_cli.load.loader import check_text, decode_text

FIXTURES = Path(__file__).parent / "fixtures"
BASES = [
    (FIXTURES / "small.yaml").read_text(encoding="utf-8"),
    (FIXTURES / "hostile-text.yaml").read_text(encoding="utf-8"),
]
IN_CI = bool(os.environ.get("CI"))
FUZZ = settings(
    max_examples=10_000 if IN_CI else 1_000,
    derandomize=IN_CI,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

YAML_ALPHABET = st.sampled_from(
    list(":-[]{}&*!|>'\"#%@`,?~ \n\t") + list("abcNOyes0179.e+_") + ["\u202e", "é", "\x1b", "\x00"]
)
yaml_like = st.text(alphabet=YAML_ALPHABET, max_size=200)


def check_never_crashes(text: str) -> None:
    catalogue, problems = check_text(text, "fuzz.yaml")
    assert catalogue is not None or problems
    for problem in problems:
        assert problem.message
        assert "\n" not in str(problem)


@FUZZ
@given(yaml_like)
def test_random_yaml_like_text(text: str) -> None:
    check_never_crashes(text)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(BASES))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        at = draw(st.integers(0, len(text) - 1))
        operation = draw(st.sampled_from(["delete", "insert", "duplicate-line", "replace"]))
        if operation == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif operation == "insert":
            text = text[:at] + draw(yaml_like) + text[at:]
        elif operation == "replace":
            text = text[:at] + draw(YAML_ALPHABET) + text[at + 1 :]
        else:
            lines = text.splitlines(keepends=True)
            index = draw(st.integers(0, len(lines) - 1))
            lines.insert(index, lines[index])
            text = "".join(lines)
    return text


@FUZZ
@given(mutated())
def test_mutations_of_real_catalogues(text: str) -> None:
    check_never_crashes(text)


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    try:
        text = decode_text(data, "fuzz.yaml")
    except CatalogueError as exc:
        assert "not UTF-8" in str(exc)
        return
    check_never_crashes(text)
