/* The exported catalogue page: search, filter chips, one program at a time, state in the
   URL fragment. Everything it shows is already in the page; it only hides, shows and
   reorders elements and sets text with textContent (never innerHTML). ASCII only. */
(function () {
  "use strict";

  var doc = document;
  doc.documentElement.classList.add("js");

  var data = JSON.parse(doc.getElementById("page-data").textContent);
  var FACETS = ["sector", "kind", "country", "evidence"];
  var weights = data.search.weights;
  var exactBonus = data.search.exact_bonus;
  var programWords = data.search.words;
  var programFacets = data.facets;

  var input = doc.getElementById("search-input");
  var list = doc.getElementById("results");
  var count = doc.getElementById("result-count");
  var noResults = doc.getElementById("no-results");
  var catalogue = doc.getElementById("catalogue");
  var resultsTitle = doc.getElementById("programs-title");
  var cards = Array.prototype.slice.call(list.children);
  var programs = Array.prototype.slice.call(doc.querySelectorAll("article.program"));
  var chips = Array.prototype.slice.call(doc.querySelectorAll("button.chip"));
  var panel = doc.getElementById("filter-panel");
  var panelSummary = doc.getElementById("filter-summary");
  var clearButton = doc.getElementById("clear-filters");
  var baseTitle = doc.title;
  var total = cards.length;

  var chipByKey = new Map();
  chips.forEach(function (chip) {
    chipByKey.set(chip.dataset.facet + "\u0000" + chip.dataset.value, chip);
  });

  /* -- state: the search text and the chosen chips; the URL fragment mirrors it ------- */

  var state = { q: "", chosen: new Set() };

  function key(facet, value) {
    return facet + "\u0000" + value;
  }

  function stateFragment() {
    var params = new URLSearchParams();
    if (state.q.trim()) params.append("q", state.q);
    chips.forEach(function (chip) {
      var k = key(chip.dataset.facet, chip.dataset.value);
      if (state.chosen.has(k)) params.append(chip.dataset.facet, chip.dataset.value);
    });
    return params.toString();
  }

  function readFragment(fragment) {
    var params = new URLSearchParams(fragment);
    state.q = params.get("q") || "";
    state.chosen = new Set();
    FACETS.forEach(function (facet) {
      params.getAll(facet).forEach(function (value) {
        if (chipByKey.has(key(facet, value))) state.chosen.add(key(facet, value));
      });
    });
  }

  function listUrl() {
    var fragment = stateFragment();
    return location.href.split("#")[0] + (fragment ? "#" + fragment : "");
  }

  var routedHash = null; /* the fragment the view was last drawn for */

  function writeUrl() {
    try {
      history.replaceState(null, "", listUrl());
    } catch (error) {
      /* Some viewers forbid history changes for files; the page still works. */
    }
    routedHash = location.hash;
  }

  /* -- search: the rules of `exchange search`, on words the exporter normalized ------- */

  function fold(text) {
    return text
      .normalize("NFKD")
      .replace(/\p{Mn}/gu, "")
      .toLowerCase()
      .toUpperCase()
      .toLowerCase();
  }

  function words(text) {
    return fold(text).match(/[\p{L}\p{N}]+/gu) || [];
  }

  function parseQuery(text) {
    var terms = [];
    var pieces = text.match(/"[^"]*"?|[^\s"]+/g) || [];
    pieces.forEach(function (piece) {
      var found = words(piece.replace(/"/g, " "));
      if (found.length) terms.push(found);
    });
    return terms;
  }

  /* A field is a list of segments (a name, a flow part, an alias...): a phrase never
     matches across two of them, as in search.py. */
  function matchTerm(term, segments) {
    var n = term.length;
    var best = 0;
    for (var s = 0; s < segments.length; s++) {
      var tokens = segments[s];
      for (var i = 0; i + n <= tokens.length; i++) {
        var same = true;
        for (var j = 0; j < n - 1; j++) {
          if (tokens[i + j] !== term[j]) {
            same = false;
            break;
          }
        }
        if (!same) continue;
        var last = tokens[i + n - 1];
        if (last === term[n - 1]) return 1 + exactBonus;
        if (last.indexOf(term[n - 1]) === 0) best = 1;
      }
    }
    return best;
  }

  function score(id, terms) {
    var fields = programWords[id];
    var totalScore = 0;
    for (var t = 0; t < terms.length; t++) {
      var termScore = 0;
      Object.keys(weights).forEach(function (field) {
        termScore += weights[field] * matchTerm(terms[t], fields[field] || []);
      });
      if (termScore === 0) return 0;
      totalScore += termScore;
    }
    return Math.round(totalScore * 100) / 100;
  }

  /* -- filters: OR within a facet, AND across facets, as `exchange list` ------------- */

  function passes(id, skipFacet) {
    var values = programFacets[id];
    return FACETS.every(function (facet) {
      if (facet === skipFacet) return true;
      var wanted = [];
      state.chosen.forEach(function (k) {
        var cut = k.indexOf("\u0000");
        if (k.slice(0, cut) === facet) wanted.push(k.slice(cut + 1));
      });
      if (!wanted.length) return true;
      return wanted.some(function (value) {
        return values[facet].indexOf(value) !== -1;
      });
    });
  }

  function isFiltered() {
    return state.q.trim() !== "" || state.chosen.size > 0;
  }

  function render() {
    var terms = parseQuery(state.q);
    var scores = {};
    cards.forEach(function (card) {
      var id = card.dataset.id;
      scores[id] = terms.length ? score(id, terms) : 1;
    });
    var shown = [];
    cards.forEach(function (card, index) {
      var id = card.dataset.id;
      if (scores[id] > 0 && passes(id, null)) shown.push({ card: card, index: index });
    });
    shown.sort(function (a, b) {
      return scores[b.card.dataset.id] - scores[a.card.dataset.id] || a.index - b.index;
    });
    cards.forEach(function (card) {
      card.hidden = true;
    });
    shown.forEach(function (item) {
      item.card.hidden = false;
      list.appendChild(item.card);
    });
    count.textContent = isFiltered()
      ? shown.length + " of " + total + (total === 1 ? " program" : " programs")
      : total + (total === 1 ? " program" : " programs");
    noResults.hidden = shown.length > 0;

    chips.forEach(function (chip) {
      var facet = chip.dataset.facet;
      var value = chip.dataset.value;
      var n = 0;
      cards.forEach(function (card) {
        var id = card.dataset.id;
        if (scores[id] > 0 && passes(id, facet) && programFacets[id][facet].indexOf(value) !== -1) {
          n++;
        }
      });
      chip.querySelector(".chip-count").textContent = String(n);
      chip.classList.toggle("is-empty", n === 0);
      chip.setAttribute("aria-pressed", state.chosen.has(key(facet, value)) ? "true" : "false");
    });
    if (input.value !== state.q) input.value = state.q;
    panelSummary.textContent = state.chosen.size ? " (" + state.chosen.size + " chosen)" : "";
    clearButton.hidden = !isFiltered();
  }

  function update() {
    render();
    writeUrl();
  }

  input.addEventListener("input", function () {
    state.q = input.value;
    update();
  });

  chips.forEach(function (chip) {
    chip.addEventListener("click", function () {
      var k = key(chip.dataset.facet, chip.dataset.value);
      if (state.chosen.has(k)) state.chosen.delete(k);
      else state.chosen.add(k);
      update();
    });
  });

  function clearAll() {
    state.q = "";
    state.chosen = new Set();
    update();
    input.focus();
  }

  clearButton.addEventListener("click", clearAll);
  doc.getElementById("clear-empty").addEventListener("click", clearAll);

  /* -- views: the catalogue, or one program ------------------------------------------ */

  var current = null; /* the program shown, or null for the catalogue */
  var lastOpened = null;

  function programFor(fragment) {
    if (fragment.indexOf("program-") !== 0) return null;
    var element = doc.getElementById(fragment);
    return element && element.classList.contains("program") ? element : null;
  }

  function showProgram(article) {
    catalogue.hidden = true;
    programs.forEach(function (p) {
      p.hidden = p !== article;
    });
    var back = article.querySelector(".back-link");
    var fragment = stateFragment();
    back.setAttribute("href", "#" + (fragment || "programs"));
    current = article;
    lastOpened = article.id.slice("program-".length);
    var heading = article.querySelector("h2");
    doc.title = heading.textContent + " - " + baseTitle;
    article.scrollIntoView({ block: "start" });
    heading.focus({ preventScroll: true });
  }

  function showCatalogue() {
    programs.forEach(function (p) {
      p.hidden = true;
    });
    catalogue.hidden = false;
    doc.title = baseTitle;
    current = null;
  }

  function focusSection(element) {
    var heading = element.matches("h2") ? element : element.querySelector("h2") || element;
    element.scrollIntoView({ block: "start" });
    if (heading.hasAttribute("tabindex")) heading.focus({ preventScroll: true });
  }

  function cardLink(id) {
    for (var i = 0; i < cards.length; i++) {
      if (cards[i].dataset.id === id && !cards[i].hidden) return cards[i].querySelector("a");
    }
    return null;
  }

  function decoded(fragment) {
    try {
      return decodeURIComponent(fragment);
    } catch (error) {
      return fragment;
    }
  }

  function route(initial) {
    routedHash = location.hash;
    var raw = location.hash.slice(1);
    var fragment = decoded(raw);
    var article = programFor(fragment);
    if (article) {
      showProgram(article);
      return;
    }
    var wasProgram = current !== null;
    showCatalogue();
    if (raw.indexOf("=") !== -1 || raw === "") {
      readFragment(raw);
      render();
      if (initial) return;
      var link = wasProgram && lastOpened ? cardLink(lastOpened) : null;
      if (link) {
        link.scrollIntoView({ block: "center" });
        link.focus({ preventScroll: true });
      } else if (!wasProgram) {
        focusSection(resultsTitle);
      }
      return;
    }
    render();
    var section = doc.getElementById(fragment);
    if (section && catalogue.contains(section)) {
      if (!initial || wasProgram) focusSection(section);
      else section.scrollIntoView({ block: "start" });
    }
  }

  /* Links to a part of the catalogue (#summary, #network) scroll there and leave the
     fragment to the filter state, so the address always restores the same view. */
  doc.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link) return;
    var target = decoded(link.getAttribute("href").slice(1));
    if (target.indexOf("=") !== -1 || programFor(target)) return;
    var section = target ? doc.getElementById(target) : null;
    if (!section || !catalogue.contains(section)) return;
    event.preventDefault();
    if (current !== null) {
      try {
        history.pushState(null, "", listUrl());
      } catch (error) {
        /* ignore: the view still changes */
      }
      routedHash = location.hash;
      showCatalogue();
      render();
      /* "All programs" returns to the card of the program just read. */
      var card = link.classList.contains("back-link") && lastOpened ? cardLink(lastOpened) : null;
      if (card) {
        card.scrollIntoView({ block: "center" });
        card.focus({ preventScroll: true });
        return;
      }
    }
    focusSection(section);
  });

  /* A fragment link or Back fires popstate, hashchange or both, and the browser resets
     focus in between; draw each address once, after that, so the focus we set stays. */
  var pending = false;

  function navigated() {
    if (pending) return;
    pending = true;
    setTimeout(function () {
      pending = false;
      if (location.hash !== routedHash) route(false);
    }, 0);
  }

  window.addEventListener("hashchange", navigated);
  window.addEventListener("popstate", navigated);

  route(true);
  /* On a narrow screen the chips start folded away, so the results come first. */
  if (window.matchMedia("(max-width: 51.99rem)").matches && state.chosen.size === 0) {
    panel.open = false;
  }
})();
