"""The exported page in a real browser: Debian's Chromium driven by Playwright.

Search, chips, the URL fragment, one program at a time, the keyboard, the structure a
screen reader follows, and hostile catalogues that must not run anything or reach the
network. Without Chromium these tests skip with the reason; under CI (`CI` set) they fail
instead, so CI can never pass without running them. Screenshots go to
`$EXCHANGE_TEST_ARTIFACTS` when set, else to pytest's temporary directory.
"""

from __future__ import annotations

import io
import json
import os
import shlex
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from exchange_cli.cli.main import main
from exchange_cli.load.loader import load_catalogue
from exchange_cli.render.terminal import Environment

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "data" / "programs.yaml"
FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
PHONE = (390, 844)
DESKTOP = (1280, 900)


def chromium_path() -> str | None:
    """`EXCHANGE_CHROMIUM`, else Debian's /usr/bin/chromium, else chromium on PATH."""
    for candidate in (
        os.environ.get("EXCHANGE_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the browser tests may not be skipped", False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the module, with a fresh temporary profile (Playwright's default)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install '.[test]')")
    path = chromium_path()
    if path is None:
        unavailable(
            "Chromium not found at /usr/bin/chromium or on PATH "
            "(apt-get install chromium, or set EXCHANGE_CHROMIUM)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def exchange(*args: str) -> str:
    """What `exchange ARGS` prints, run in-process, without the user's cache."""
    out, err = io.StringIO(), io.StringIO()
    code = main([*args], Environment.detect(stdout=out, stderr=err))
    assert code == 0, err.getvalue()
    return out.getvalue()


def export(target: Path, *args: str) -> Path:
    """`exchange export ARGS > target`."""
    target.write_text(exchange("export", "--no-cache", *args), encoding="ascii")
    return target


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export(tmp_path_factory.mktemp("page") / "catalogue.html", "--data", str(SHIPPED))


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("EXCHANGE_TEST_ARTIFACTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Opened:
    """A page and everything it did that a test may want to rule out."""

    page: Page
    url: str
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # console errors, warnings, exceptions

    def ids(self) -> list[str]:
        """Ids of the visible cards, in the order shown."""
        return list(
            self.page.eval_on_selector_all(
                "#results > li:not([hidden])", "cards => cards.map(c => c.dataset.id)"
            )
        )

    def search(self, text: str) -> None:
        self.page.fill("#search-input", text)

    def chip(self, facet: str, value: str) -> Any:
        return self.page.locator(f'button.chip[data-facet="{facet}"][data-value="{value}"]')

    def only_the_document_was_requested(self) -> None:
        document = self.url.split("#")[0]
        assert [u for u in self.requests if u.split("#")[0] != document] == []


Open = Callable[..., Opened]


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Open]:
    contexts: list[Any] = []

    def opener(
        path: Path,
        fragment: str = "",
        *,
        size: tuple[int, int] = DESKTOP,
        scheme: str = "light",
        **options: Any,
    ) -> Opened:
        context = browser.new_context(
            viewport={"width": size[0], "height": size[1]}, color_scheme=scheme, **options
        )
        contexts.append(context)
        return watched(context.new_page(), path.as_uri() + fragment)

    yield opener
    for context in contexts:
        context.close()


def watched(page: Page, url: str) -> Opened:
    """`page` at `url`, with every request, dialog, console problem and exception it
    sees recorded from before the document loads."""
    opened = Opened(page, url)
    page.on("request", lambda request: opened.requests.append(request.url))
    page.on("dialog", lambda dialog: (opened.dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: (
            opened.problems.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: opened.problems.append(f"exception: {error}"))
    page.goto(url)
    return opened


def expect(target: Any) -> Any:
    """Playwright's retrying assertions: views change on the event after a navigation."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def python_search(text: str) -> list[str]:
    """What `exchange search` prints for the same words typed at a shell."""
    words = shlex.split(text)
    hits = json.loads(exchange("search", *words, "--data", str(SHIPPED), "--json"))
    return [hit["id"] for hit in hits]


def python_filter(**criteria: list[str]) -> list[str]:
    """What `exchange list` prints with these filters (`sectors=[...]` is `--sector`)."""
    options = {"sectors": "--sector", "kinds": "--kind", "countries": "--country"}
    options |= {"evidence": "--evidence", "parties": "--party"}
    args = [arg for key, values in criteria.items() for v in values for arg in (options[key], v)]
    records = json.loads(exchange("list", *args, "--data", str(SHIPPED), "--json"))
    return [record["id"] for record in records]


# -- the catalogue view --------------------------------------------------------------------


def test_the_page_opens_from_disk_with_every_program(open_page: Open, shipped: Path) -> None:
    opened = open_page(shipped)
    catalogue = load_catalogue(SHIPPED)
    assert opened.ids() == list(catalogue.ids())
    assert opened.page.text_content("#result-count") == f"{len(catalogue)} programs"
    assert opened.page.evaluate("document.documentElement.classList.contains('js')")
    assert opened.problems == []
    opened.only_the_document_was_requested()


@pytest.fixture(scope="module")
def search_page(browser: Browser, shipped: Path) -> Iterator[Opened]:
    """One page for every search: each test types its words over the last test's, as a
    reader does, so a page need not be opened for each (half a second apiece)."""
    context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
    yield watched(context.new_page(), shipped.as_uri())
    context.close()


@pytest.mark.parametrize(
    "text",
    [
        "petro",
        "PETRÓLEUM",
        "korea saudi",
        '"digital technology"',
        "digital tech",
        '"technology digital"',
        "e-commerce",
        "défense",
        "tech",
        "islamic nat",
        'univ "research institutions"',
        "zzzz",
    ],
)
def test_the_search_box_finds_and_ranks_like_exchange_search(
    search_page: Opened, text: str
) -> None:
    opened = search_page
    opened.search(text)
    expected = python_search(text)
    assert opened.ids() == expected
    total = len(load_catalogue(SHIPPED))
    assert opened.page.text_content("#result-count") == f"{len(expected)} of {total} programs"
    assert opened.page.is_visible("#no-results") == (expected == [])
    assert opened.problems == []


def test_chips_combine_count_and_live_in_the_fragment(open_page: Open, shipped: Path) -> None:
    opened = open_page(shipped)
    page = opened.page
    opened.chip("evidence", "reported").click()
    assert opened.ids() == python_filter(evidence=["reported"])
    opened.chip("sector", "defense").click()
    assert opened.ids() == python_filter(evidence=["reported"], sectors=["defense"])
    opened.chip("sector", "energy").click()  # OR within a facet
    wanted = python_filter(evidence=["reported"], sectors=["defense", "energy"])
    assert opened.ids() == wanted
    assert opened.chip("sector", "energy").get_attribute("aria-pressed") == "true"
    # Each chip counts what it would show, given the other facets' choices.
    hypothetical = python_filter(sectors=["defense", "energy"], evidence=["hypothetical"])
    assert (
        opened.chip("evidence", "hypothetical").text_content()
        == f"Hypothetical {len(hypothetical)}"
    )
    opened.search("officers")
    wanted = [i for i in python_search("officers") if i in wanted]
    assert opened.ids() == wanted
    assert page.text_content("#result-count") == f"{len(wanted)} of 15 programs"
    fragment = page.evaluate("location.hash")
    assert fragment == "#q=officers&sector=defense&sector=energy&evidence=reported"

    page.reload()
    assert opened.ids() == wanted
    assert page.input_value("#search-input") == "officers"
    pressed = page.eval_on_selector_all(
        "button.chip[aria-pressed=true]", "chips => chips.map(c => c.dataset.value)"
    )
    assert pressed == ["defense", "energy", "reported"]

    linked = open_page(shipped, fragment)  # a copied link opens the same view
    assert linked.ids() == wanted

    page.click("#clear-filters")
    assert len(opened.ids()) == 15
    assert page.evaluate("location.hash") == ""
    assert page.evaluate("document.activeElement.id") == "search-input"
    assert opened.problems == []
    opened.only_the_document_was_requested()


def test_a_fragment_with_unknown_values_is_ignored(open_page: Open, shipped: Path) -> None:
    opened = open_page(shipped, "#sector=nonsense&kind=%3Cscript%3E&evidence=hypothetical")
    assert opened.ids() == python_filter(evidence=["hypothetical"])
    assert opened.problems == []


def test_a_bar_of_the_summary_lists_its_programs(open_page: Open, shipped: Path) -> None:
    opened = open_page(shipped)
    opened.page.click('#summary a.bar-label[href="#sector=healthcare"]')
    expect(opened.page.locator("#programs-title")).to_be_focused()
    assert opened.ids() == python_filter(sectors=["healthcare"])
    assert opened.chip("sector", "healthcare").get_attribute("aria-pressed") == "true"


# -- one program ---------------------------------------------------------------------------


def test_a_program_shows_parties_flows_benefits_and_related(
    open_page: Open, shipped: Path
) -> None:
    catalogue = load_catalogue(SHIPPED)
    program = catalogue.get("saudi-korea-tech-exchange")
    assert program is not None
    opened = open_page(shipped)
    page = opened.page
    opened.search("korea")
    page.click(f"#results li[data-id='{program.id}'] h3 a")
    article = page.locator(f"#program-{program.id}")
    expect(article.locator("h2")).to_be_focused()
    assert page.evaluate("location.hash") == f"#program-{program.id}"
    assert article.is_visible() and not page.is_visible("#catalogue")
    assert page.title().startswith(program.title)
    assert article.locator("h2").text_content() == program.title
    parties = article.locator("ul.parties > li").all_text_contents()
    assert [p.split(" (")[0] for p in parties] == [p.name for p in program.parties]
    flows = article.locator("ol.flows > li")
    assert flows.count() == len(program.flows)
    for i, flow in enumerate(program.flows):
        route = flows.nth(i).locator(".pill").all_text_contents()
        assert route == [flow.giver, flow.receiver]
        assert flows.nth(i).locator(".arrow").is_visible()
        assert flows.nth(i).locator(".flow-what").text_content() == flow.what
    benefits = article.locator("section", has=page.locator("h3", has_text="Benefits"))
    assert benefits.locator("li").all_text_contents() == list(program.benefits)
    related = article.locator("ol.related a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    shown = json.loads(exchange("show", program.id, "--data", str(SHIPPED), "--json"))
    expected = [f"#program-{r['id']}" for r in shown["related"]]
    assert related == expected
    assert article.locator(".evidence-note").text_content().startswith("Reported.")

    # Back to the list: the search is still there and focus returns to the program's card.
    article.locator(".back-link").click()
    card = page.locator(f"#results li[data-id='{program.id}'] h3 a")
    expect(card).to_be_focused()
    assert page.is_visible("#catalogue") and not article.is_visible()
    assert page.input_value("#search-input") == "korea"
    assert page.evaluate("location.hash") == "#q=korea"

    # A related program, then the browser's Back button.
    page.goto(opened.url.split("#")[0] + f"#program-{program.id}")
    expect(article).to_be_visible()
    article.locator("ol.related a").first.click()
    expect(page.locator(f"article{expected[0]}")).to_be_visible()
    assert not article.is_visible()
    page.go_back()
    expect(article).to_be_visible()
    assert page.evaluate("location.hash") == f"#program-{program.id}"
    assert opened.problems == []
    opened.only_the_document_was_requested()


def test_a_hypothetical_program_says_so_where_it_is_shown(open_page: Open, shipped: Path) -> None:
    opened = open_page(shipped, "#program-usa-defense-symposium")
    article = opened.page.locator("#program-usa-defense-symposium")
    assert article.locator(".badge").text_content() == "Hypothetical"
    note = article.locator(".evidence-note").text_content() or ""
    assert note.startswith("Hypothetical.") and "hypothetical" in note[13:]
    article.locator(".back-link").click()
    card = opened.page.locator("#results li[data-id='usa-defense-symposium']")
    expect(card.locator("h3 a")).to_be_focused()
    assert opened.page.evaluate("location.hash") == ""
    assert card.locator(".badge").text_content() == "Hypothetical"
    style = card.evaluate("c => getComputedStyle(c).borderTopStyle")
    assert style == "dashed"


def test_the_page_works_without_javascript(open_page: Open, shipped: Path) -> None:
    opened = open_page(shipped, java_script_enabled=False)
    page = opened.page
    assert page.locator("#results > li").count() == 15
    assert not page.is_visible("#program-saudi-korea-tech-exchange")
    page.click("#results li[data-id='saudi-korea-tech-exchange'] h3 a")
    assert page.is_visible("#program-saudi-korea-tech-exchange")
    assert not page.is_visible("#catalogue")


# -- keyboard and structure ----------------------------------------------------------------

INTERACTIVE = "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])"


def test_everything_is_reachable_with_tab_and_focus_is_visible(
    open_page: Open, shipped: Path
) -> None:
    opened = open_page(shipped)
    page = opened.page
    wanted = page.eval_on_selector_all(
        INTERACTIVE,
        """els => els.filter(e => e.getClientRects().length && !e.closest('[hidden]'))
                     .map(e => e.outerHTML.slice(0, 120))""",
    )
    reached: list[str] = []
    outlines: list[str] = []
    for _ in range(len(wanted) + 5):
        page.keyboard.press("Tab")
        html, outline = page.evaluate(
            """() => { const e = document.activeElement;
                       const s = getComputedStyle(e);
                       return [e.outerHTML.slice(0, 120),
                               s.outlineStyle !== 'none' ? s.outlineStyle
                               : getComputedStyle(e, '::after').outlineStyle]; }"""
        )
        if html in reached:
            continue
        reached.append(html)
        outlines.append(outline)
    assert [w for w in wanted if w not in reached] == []
    assert reached[0].startswith('<a class="skip-link"')
    assert all(style != "none" for style in outlines[: len(wanted)])

    # Keys alone: search, toggle a chip, open a program, come back.
    page.focus("#search-input")
    page.keyboard.type("defen")
    page.focus('button.chip[data-facet="evidence"][data-value="hypothetical"]')
    page.keyboard.press("Enter")
    assert opened.ids() == ["usa-defense-symposium"]
    page.focus("#results li:not([hidden]) h3 a")
    page.keyboard.press("Enter")
    article = page.locator("#program-usa-defense-symposium")
    expect(article.locator("h2")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(article.locator(".back-link")).to_be_focused()
    page.keyboard.press("Enter")
    card = page.locator("#results li[data-id='usa-defense-symposium'] h3 a")
    expect(card).to_be_focused()


STRUCTURE = """() => {
  const problems = [];
  const text = (el) => (el ? el.textContent.replace(/\\s+/g, ' ').trim() : '');
  const byIds = (ids) => ids.split(/\\s+/).map((id) => {
    const el = document.getElementById(id);
    if (!el) problems.push('missing id ' + id);
    return text(el);
  }).join(' ').trim();
  const name = (el) => {
    if (el.getAttribute('aria-labelledby')) return byIds(el.getAttribute('aria-labelledby'));
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label').trim();
    if (el.id) {
      const label = document.querySelector('label[for="' + el.id + '"]');
      if (label) return text(label);
    }
    if (el.closest('label')) return text(el.closest('label'));
    return text(el) || (el.getAttribute('title') || '').trim();
  };
  const named = 'a[href], button, input, select, textarea, summary, [role=img], ' +
    '[role=search], nav, section[aria-labelledby], article';
  for (const el of document.querySelectorAll(named)) {
    if (!name(el)) problems.push('no accessible name: ' + el.outerHTML.slice(0, 80));
  }
  for (const svg of document.querySelectorAll('svg')) {
    const hidden = svg.getAttribute('aria-hidden') === 'true';
    if (!hidden && !(svg.getAttribute('role') === 'img' && name(svg)))
      problems.push('svg without a title: ' + svg.outerHTML.slice(0, 80));
  }
  for (const img of document.querySelectorAll('img')) {
    if (!img.hasAttribute('alt')) problems.push('img without alt');
  }
  const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dupes.length) problems.push('duplicate ids: ' + dupes.join(', '));
  for (const el of document.querySelectorAll('[aria-describedby], [aria-controls]')) {
    byIds(el.getAttribute('aria-describedby') || el.getAttribute('aria-controls'));
  }
  const visible = (el) => el.getClientRects().length > 0;
  const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter(visible).map((h) => Number(h.tagName[1]));
  if (levels[0] !== 1) problems.push('the first heading is not h1');
  levels.forEach((level, i) => {
    if (i && level > levels[i - 1] + 1) problems.push('heading skips to h' + level);
  });
  if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
  for (const selector of ['body > header', 'nav', 'main', 'body > footer', '[role=search]']) {
    if (!document.querySelector(selector)) problems.push('no landmark ' + selector);
  }
  if (!document.documentElement.lang) problems.push('no lang');
  return problems;
}"""


@pytest.mark.parametrize("fragment", ["", "#program-saudi-korea-tech-exchange"])
def test_the_structure_a_screen_reader_follows(
    open_page: Open, shipped: Path, fragment: str
) -> None:
    opened = open_page(shipped, fragment)
    page = opened.page
    assert page.evaluate(STRUCTURE) == []
    # The browser's own accessibility tree agrees on the landmarks and names.
    for role, name in (
        ("banner", None),
        ("navigation", "Sections"),
        ("main", None),
        ("contentinfo", None),
    ):
        assert page.get_by_role(role, name=name).count() == 1, role  # type: ignore[arg-type]
    if fragment:
        assert page.get_by_role("heading", level=2).all_text_contents() == [
            "Saudi Arabia\u2013South Korea Technology Exchange"
        ]
        assert page.get_by_role("link", name="All programs").is_visible()
    else:
        assert page.get_by_role("search", name="Find programs").count() == 1
        assert page.get_by_role("searchbox", name="Search").is_visible()
        assert page.get_by_role("button", name="defense 3").count() == 1
        assert page.get_by_role("img", name="Partnership network").count() == 1


# -- phone, desktop, light, dark -----------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_phone_and_desktop_in_light_and_dark(
    open_page: Open, shipped: Path, artifacts: Path, size: tuple[int, int], scheme: str
) -> None:
    opened = open_page(shipped, size=size, scheme=scheme)
    page = opened.page
    name = f"{'phone' if size == PHONE else 'desktop'}-{scheme}"
    page.screenshot(path=str(artifacts / f"{name}.png"))
    page.screenshot(path=str(artifacts / f"{name}-full.png"), full_page=True)
    # Nothing wider than the screen except the network drawing, which scrolls on its own.
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    dark = sum(int(c) for c in background[4:-1].split(",")[:3]) < 3 * 96
    assert dark == (scheme == "dark")
    if size == PHONE:  # the chips start folded away so the first programs are in view
        assert not page.is_visible("button.chip")
        assert page.locator("#results > li").first.bounding_box()["y"] < size[1]  # type: ignore[index]
    else:
        assert page.is_visible("button.chip")
    opened.page.goto(opened.url + "#program-malaysia-digital-trade-zone")
    expect(page.locator("#program-malaysia-digital-trade-zone h2")).to_be_focused()
    page.screenshot(path=str(artifacts / f"{name}-program.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    assert opened.problems == []


# -- hostile catalogues --------------------------------------------------------------------


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_a_hostile_catalogue_runs_nothing_and_requests_nothing(
    open_page: Open, tmp_path: Path, bypass_csp: bool
) -> None:
    """With the policy bypassed too: the escaping alone must keep the data inert."""
    hostile = export(tmp_path / "hostile.html", "--data", str(FIXTURES / "hostile-html.yaml"))
    opened = open_page(hostile, bypass_csp=bypass_csp)
    page = opened.page
    ids = page.eval_on_selector_all("#results > li", "cards => cards.map(c => c.dataset.id)")
    assert ids == ["hostile-markup", "hostile-neighbour"]
    # Use the page the way a reader would: search, every chip, every program, every link.
    for text in ("script", "<img src=x onerror=alert(1)>", '"window pwned"', "javascript"):
        opened.search(text)
    opened.search("")
    for chip in page.locator("button.chip").all():
        chip.click()
        chip.click()
    for program in ids:
        page.goto(opened.url.split("#")[0] + f"#program-{program}")
        expect(page.locator(f"#program-{program}")).to_be_visible()
        for link in page.locator(f"#program-{program} a").all():
            link.hover()
            link.focus()
        page.click(f"#program-{program} .back-link")
        expect(page.locator("#catalogue")).to_be_visible()
    page.click(".network-list summary")
    page.locator("svg.network line").first.hover()
    page.wait_for_timeout(100)

    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert opened.dialogs == []
    opened.only_the_document_was_requested()
    assert page.locator("script").count() == 2
    assert page.locator("img, iframe, object, form, base, b, u, textarea").count() == 0
    assert (
        page.evaluate(
            "[...document.querySelectorAll('*')].filter(e => [...e.attributes]"
            ".some(a => a.name.startsWith('on'))).length"
        )
        == 0
    )
    title = page.locator("#results li[data-id='hostile-markup'] h3").text_content()
    assert title == "<script>window.__pwned = 'title'</script><b>bold?</b>"
    summary = page.locator("#program-hostile-markup .lede").text_content() or ""
    assert "\\u202eevil" in summary and "\\x1b[2J" in summary
    assert opened.problems == []


def test_a_hostile_fragment_runs_nothing(open_page: Open, shipped: Path) -> None:
    for fragment in (
        "#q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
        "#program-%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
        "#javascript:alert(1)",
        "#q=" + json.dumps("</script><script>alert(1)</script>"),
    ):
        opened = open_page(shipped, fragment)
        assert opened.dialogs == []
        assert opened.page.evaluate("typeof window.__pwned") == "undefined"
        assert opened.page.locator("img").count() == 0
        opened.only_the_document_was_requested()
