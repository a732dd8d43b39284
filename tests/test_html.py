"""`exchange export --format html`, without a browser: the page's bytes, its escaping, its
Content-Security-Policy, its size, and the command's options and exit codes."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from conftest import program_record, write_catalogue
from exchange_cli.load.loader import load_catalogue
from exchange_cli.query import search
from exchange_cli.render import htmltext, network_svg

Run = Callable[..., Any]
REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "data" / "programs.yaml"
FIXTURES = Path(__file__).parent / "fixtures"
HOSTILE = FIXTURES / "hostile-html.yaml"
EXCHANGE = Path(sys.executable).parent / "exchange"


class Page(HTMLParser):
    """The parts of a page these tests look at, read the way a browser tokenizes it."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._raw: tuple[str, dict[str, str | None]] | None = None
        self._chunks: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._raw, self._chunks = (tag, dict(attrs)), []

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._chunks.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._raw is not None and tag == self._raw[0]:
            content = "".join(self._chunks)
            if tag == "script":
                self.scripts.append((self._raw[1], content))
            else:
                self.styles.append(content)
            self._raw = None

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def csp(self) -> str:
        metas = [a for a in self.all("meta") if a.get("http-equiv") == "Content-Security-Policy"]
        assert len(metas) == 1
        return str(metas[0]["content"])

    def data(self) -> Any:
        blocks = [c for a, c in self.scripts if a.get("type") == "application/json"]
        assert len(blocks) == 1
        return json.loads(blocks[0])

    def card_ids(self) -> list[str]:
        return [
            str(a["data-id"])
            for a in self.all("li")
            if "card" in str(a.get("class", "")).split() and a.get("data-id")
        ]


def export(run: Run, *args: str) -> str:
    result = run("export", *args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return str(result.stdout)


def sha256(content: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(content.encode()).digest()).decode() + "'"


# -- the page as bytes ---------------------------------------------------------------------


def test_two_exports_are_byte_identical(run: Run) -> None:
    first = export(run, "--data", str(SHIPPED))
    assert export(run, "--data", str(SHIPPED)) == first
    assert export(run, "--data", str(SHIPPED), "--no-cache") == first


def test_the_installed_command_writes_the_same_bytes_whatever_the_hash_seed(
    tmp_path: Path,
) -> None:
    """Run from elsewhere, so the page's CSS and JS must come from the installed package."""
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("EXCHANGE_DATA", None)
        done = subprocess.run(
            [str(EXCHANGE), "export"], capture_output=True, cwd=tmp_path, env=env, check=False
        )
        assert done.returncode == 0, done.stderr
        assert done.stderr == b""
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert b"<!DOCTYPE html>" in outputs[0]


def test_the_shipped_catalogue_exports_under_300_kb(run: Run) -> None:
    text = export(run, "--data", str(SHIPPED))
    assert len(text.encode("utf-8")) < 300_000


def test_the_page_is_ascii_without_control_characters(run: Run) -> None:
    for data in (SHIPPED, HOSTILE, FIXTURES / "hostile-text.yaml"):
        text = export(run, "--data", str(data))
        assert text.isascii()
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text), data
        assert text.startswith("<!DOCTYPE html>\n") and text.endswith("</html>\n")


def test_the_page_assets_ship_inside_the_package() -> None:
    folder = resources.files("exchange_cli.render") / "page"
    for name in ("page.css", "page.js"):
        text = (folder / name).read_text(encoding="utf-8")
        assert text.isascii() and "\r" not in text, name


# -- Content-Security-Policy ---------------------------------------------------------------


def test_the_policy_allows_exactly_the_inline_style_and_script(run: Run) -> None:
    page = Page(export(run, "--data", str(SHIPPED)))
    policy = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in page.csp().split(";"))
    )
    code = [content for attrs, content in page.scripts if attrs.get("type") is None]
    assert len(code) == 1 and len(page.styles) == 1
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == sha256(code[0])
    assert policy["style-src"] == sha256(page.styles[0])
    assert policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'none'"
    assert policy["img-src"] == "data:"
    # the page's script writes no HTML from strings: DOM XSS sinks refuse them
    assert policy["require-trusted-types-for"] == "'script'"
    assert policy["trusted-types"] == "'none'"
    assert "connect-src" not in policy
    assert "unsafe" not in page.csp() and "http" not in page.csp()
    # Nothing else could run or load: no event handlers, style attributes or remote URLs.
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") or name == "style" for name in attrs), tag
        for name in ("href", "src", "action", "xlink:href"):
            value = attrs.get(name)
            assert value is None or value.startswith(("#", "data:")), (tag, name, value)


def test_the_policy_is_the_first_thing_in_head(run: Run) -> None:
    text = export(run, "--data", str(SHIPPED))
    head = text[text.index("<head>") : text.index("</head>")]
    assert head.index("Content-Security-Policy") < head.index("<style>")
    assert "<script" not in head


# -- escaping ------------------------------------------------------------------------------


def test_hostile_strings_stay_text(run: Run) -> None:
    text = export(run, "--data", str(HOSTILE))
    page = Page(text)
    names = {tag for tag, _ in page.tags}
    assert not names & {"img", "iframe", "base", "object", "form", "textarea", "b", "u"}
    assert [a.get("type") for a, _ in page.scripts] == ["application/json", None]
    assert len(page.all("link")) == 1  # the data: favicon
    assert len(page.all("meta")) == 6  # charset, CSP, viewport, color-scheme, referrer, generator
    assert "<script>window.__pwned" not in text
    assert "&lt;script&gt;window.__pwned = &#x27;title&#x27;&lt;/script&gt;" in text
    assert "\\u202eevil" in text and "\\x1b[2J" in text  # shown, never acted on
    # The embedded JSON reads back to the exact strings, and cannot end its block early.
    block = next(c for a, c in page.scripts if a.get("type") == "application/json")
    assert not re.search(r"[<>&\u2028\u2029]", block)
    words = page.data()["search"]["words"]["hostile-markup"]
    [title] = words["title"]  # one segment: the title's words
    assert "script" in title and "pwned" in title


def test_script_json_escapes_what_could_end_or_bend_a_script_block() -> None:
    raw = "</script><!--<script>&\u2028\u2029"
    encoded = htmltext.script_json({"x": raw})
    assert not re.search(r"[<>&\u2028\u2029]", encoded)
    assert json.loads(encoded) == {"x": raw}


def test_fragment_links_cannot_leave_the_page() -> None:
    assert htmltext.fragment('a" onclick="x') == "a%22%20onclick%3D%22x"
    assert htmltext.fragment("javascript:alert(1)") == "javascript%3Aalert%281%29"


def test_a_party_filter_is_shown_escaped(run: Run, tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script>"
    parties = [
        {"name": f"Bank {hostile}", "type": "organization", "country": None},
        {"name": "South Korea", "type": "country", "country": "KR"},
    ]
    data = write_catalogue(tmp_path / "c.yaml", [program_record("one", parties=parties)])
    text = export(run, "--data", str(data), "--party", hostile)
    assert "<script>alert" not in text
    assert "party &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert Page(text).card_ids() == ["one"]


# -- what the page shows -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (("--sector", "defense"), "sector defense"),
        (("--kind", "technology-exchange"), "kind technology-exchange"),
        (("--country", "Korea"), "country KR"),
        (("--party", "Alibaba"), "party alibaba"),
        (("--evidence", "hypothetical"), "evidence hypothetical"),
        (("--sector", "defence", "--evidence", "reported"), "sector defense; evidence reported"),
        (("-s", "energy", "-s", "defense"), "sector energy or defense"),
    ],
)
def test_export_honours_the_list_filters(run: Run, options: tuple[str, ...], said: str) -> None:
    listed = run("list", "--data", str(SHIPPED), *options, "--format", "json")
    expected = [record["id"] for record in json.loads(listed.stdout)]
    page = Page(export(run, "--data", str(SHIPPED), *options))
    assert page.card_ids() == expected
    assert list(page.data()["facets"]) == expected
    assert list(page.data()["search"]["words"]) == expected
    articles = [str(a["id"]) for a in page.all("article") if a.get("id")]
    assert articles == [f"program-{i}" for i in expected]
    text = export(run, "--data", str(SHIPPED), *options)
    assert f"Only the programs matching <code>{said}</code>" in text


def test_the_whole_catalogue_is_exported_by_default(run: Run) -> None:
    catalogue = load_catalogue(SHIPPED)
    page = Page(export(run, "--data", str(SHIPPED)))
    assert page.card_ids() == list(catalogue.ids())
    assert page.data()["search"]["weights"] == search.WEIGHTS


def test_related_programs_are_the_ones_show_lists(run: Run) -> None:
    """Within the exported programs, so every link on the page leads somewhere."""
    catalogue = load_catalogue(SHIPPED)
    text = export(run, "--data", str(SHIPPED))
    for program in catalogue:
        start = text.index(
            f'<article class="program evidence-card-{program.evidence}" id="program-{program.id}"'
        )
        article = text[start : text.index("</article>", start)]
        related = article[article.index("Related programs") :]
        linked = re.findall(r'href="#program-([a-z0-9-]+)"', related)
        shown = json.loads(run("show", program.id, "--data", str(SHIPPED), "--json").stdout)
        assert linked == [r["id"] for r in shown["related"]]


def test_chips_and_charts_count_like_summarize(run: Run) -> None:
    text = export(run, "--data", str(SHIPPED), "--evidence", "reported")
    summary = json.loads(
        run("summarize", "--data", str(SHIPPED), "--evidence", "reported", "--json").stdout
    )
    for row in summary:
        if row["count"] == 0:
            assert f'data-facet="{row["facet"]}" data-value="{row["value"]}"' not in text
            continue
        chip = re.search(
            rf'data-facet="{row["facet"]}" data-value="{row["value"]}">'
            r'<span class="chip-label">[^<]*</span> <span class="chip-count">(\d+)<',
            text,
        )
        assert chip is not None and int(chip.group(1)) == row["count"], row
    # The bar charts (sector, kind, evidence): each bar's count, and its length
    # proportional to the largest count of its chart.
    for facet in ("sector", "kind", "evidence"):
        rows = [row for row in summary if row["facet"] == facet]
        top = max(row["count"] for row in rows)
        for row in rows:
            bar = re.search(
                rf'<rect class="bar-fill bar-{facet}-{row["value"]}" width="([\d.]+)"'
                r'[^>]*/></svg><span class="bar-count">(\d+)<',
                text,
            )
            if row["count"] == 0 and facet != "evidence":
                assert bar is None, row
                continue
            assert bar is not None, row
            assert int(bar.group(2)) == row["count"], row
            assert float(bar.group(1)) == pytest.approx(100 * row["count"] / top, abs=0.01)


def test_every_program_is_marked_with_its_evidence(run: Run) -> None:
    catalogue = load_catalogue(SHIPPED)
    text = export(run, "--data", str(SHIPPED))
    for program in catalogue:
        card = text[text.index(f'data-id="{program.id}"') :]
        card = card[: card.index("</li>")]
        assert f'class="badge evidence-{program.evidence}">{program.evidence.title()}<' in card
        assert program.source.section.replace("'", "&#x27;") in card
    assert text.count("evidence-note evidence-note-hypothetical") == 1


def test_an_empty_selection_is_a_valid_page(run: Run) -> None:
    text = export(run, "--data", str(SHIPPED), "--country", "France")
    page = Page(text)
    assert page.card_ids() == [] and page.data()["facets"] == {}
    assert "0 programs" in text and "No parties in this selection." in text
    assert "<fieldset" not in text  # no empty groups of chips


def test_a_network_too_big_to_draw_is_listed_in_words(run: Run, tmp_path: Path) -> None:
    """Past MAX_DRAWN parties the ring is a blur and its SVG grows with the square of a
    program's parties: the page keeps the list and says why there is no drawing."""

    def catalogue(parties: int) -> str:
        records = [
            program_record(
                f"p{n}",
                parties=[
                    {"name": f"Group {n}-{k}", "type": "group", "country": None} for k in range(4)
                ],
            )
            for n in range(parties // 4)
        ]
        path = write_catalogue(tmp_path / f"c{parties}.yaml", records)
        return export(run, "--data", str(path))

    drawn = catalogue(network_svg.MAX_DRAWN)
    assert '<svg class="network"' in drawn and "too many to draw" not in drawn
    listed = catalogue(network_svg.MAX_DRAWN + 4)
    assert '<svg class="network"' not in listed
    assert f"{network_svg.MAX_DRAWN + 4} parties are too many to draw legibly" in listed
    assert listed.count("<li><strong>Group ") == network_svg.MAX_DRAWN + 4


def test_network_layout_is_deterministic_and_inside_the_ring() -> None:
    nodes = [f"n{i}" for i in range(12)]
    pairs = [("n0", f"n{i}") for i in range(1, 6)] + [("n6", "n7"), ("n8", "n9"), ("n1", "n6")]
    first = network_svg.network_layout(nodes, pairs)
    assert first == network_svg.network_layout(nodes, pairs)
    assert set(first) == set(nodes)
    assert [n for n, spot in first.items() if spot.hub] == ["n0"]
    assert first["n0"].x == first["n0"].y == 0.0
    ring = [(round(s.x, 6), round(s.y, 6)) for s in first.values() if not s.hub]
    assert len(set(ring)) == len(ring)
    assert all(abs(x * x + y * y - 1) < 1e-5 for x, y in ring)
    assert network_svg.network_layout([], []) == {}
    assert network_svg.network_layout(["a"], [])["a"].hub is False


# -- the command line ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "pdf", "markdown"])
def test_other_formats_are_usage_errors(run: Run, fmt: str) -> None:
    result = run("export", "--data", str(SHIPPED), "--format", fmt)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "html" in result.stderr and "Traceback" not in result.stderr


def test_html_is_the_default_and_any_case(run: Run) -> None:
    assert export(run, "--data", str(SHIPPED), "-f", "HTML") == export(run, "--data", str(SHIPPED))


def test_an_unknown_filter_value_is_a_usage_error(run: Run) -> None:
    result = run("export", "--data", str(SHIPPED), "--sector", "spaceflight")
    assert result.exit_code == 2 and result.stdout == ""
    assert "valid sectors" in result.stderr


def test_a_broken_catalogue_exits_3_with_nothing_on_stdout(run: Run, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("programs: [\n", encoding="utf-8")
    result = run("export", "--data", str(broken))
    assert result.exit_code == 3 and result.stdout == ""


def test_a_terminal_gets_a_usage_error_not_a_screenful_of_html(run: Run) -> None:
    result = run("export", "--data", str(SHIPPED), tty=True)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "exchange export > catalogue.html" in result.stderr


def test_export_writes_nothing_but_stdout(run: Run, tmp_path: Path) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    copy = tmp_path / "programs.yaml"
    copy.write_bytes(SHIPPED.read_bytes())
    stamp = copy.stat().st_mtime_ns
    export(run, "--data", str(copy))
    assert sorted(p.name for p in tmp_path.iterdir()) == [*before, "programs.yaml"]
    assert copy.read_bytes() == SHIPPED.read_bytes() and copy.stat().st_mtime_ns == stamp


# -- found by mutation testing (mutmut): behaviour no test pinned ----------------------------


def test_the_page_ranks_with_the_search_module_s_whole_word_bonus(run: Run, small: Path) -> None:
    data = Page(export(run, "--data", str(small))).data()
    assert data["search"]["exact_bonus"] == search.EXACT - search.PREFIX
    assert set(data["search"]["words"]) == {"alpha-tech", "beta-defense", "gamma-trade"}


def test_vocabulary_labels_and_counts_read_as_words() -> None:
    assert htmltext.label("digital-technology") == "digital technology"
    assert htmltext.label("e-commerce") == "e-commerce"
    assert htmltext.label("x-ray-imaging-systems") == "x-ray imaging systems"
    assert htmltext.label("energy") == "energy"
    assert htmltext.label("vitamin-c") == "vitamin-c"
    assert htmltext.label("next-up") == "next up"
    assert [htmltext.plural(n, "program") for n in (0, 1, 2)] == [
        "0 programs",
        "1 program",
        "2 programs",
    ]
    assert htmltext.plural(2, "party", "parties") == "2 parties"


def test_a_program_view_shows_its_evidence_parties_and_source(run: Run, small: Path) -> None:
    text = export(run, "--data", str(small))
    start = text.index('<article class="program evidence-card-reported" id="program-alpha-tech"')
    view = text[start : text.index("</article>", start)]
    for part in (
        '<span class="badge evidence-reported">Reported</span>',
        '<span class="kind">technology exchange</span>',
        "<strong>Reported.</strong> A named program or practice the document presents as fact.",
        '<li>Saudi Arabia <span class="muted">(country, SA)</span></li>',
        '<li>South Korea <span class="muted">(country, KR)</span></li>',
        "<dd>energy, digital technology</dd>",
        '<cite>Doc One</cite>, section <span class="section">Part A</span>',
        '<p class="flow-what">oil production methods</p>',
    ):
        assert part in view, part
