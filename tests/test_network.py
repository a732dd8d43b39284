"""flows and graph: through the query layer and the CLI, with real consumers."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import program_record, write_catalogue
from exchange_cli.errors import UsageError
from exchange_cli.model.records import EDGE_FIELDS, FLOW_ROW_FIELDS

Run = Callable[..., Any]


def test_flows_to_a_country_by_code_name_or_alias(run: Run, small: Path) -> None:
    outputs = [
        json.loads(run("flows", "--to", to, "--data", str(small), "--json").stdout)
        for to in ("SA", "Saudi Arabia", "KSA", "sa")
    ]
    assert all(o == outputs[0] for o in outputs)
    assert outputs[0] == [
        {
            "from": "South Korea",
            "from_country": "KR",
            "to": "Saudi Arabia",
            "to_country": "SA",
            "what": "chip manufacturing",
            "program": "alpha-tech",
            "title": "Alpha Technology Exchange",
        }
    ]


def test_flows_from_a_party_name_and_with_filters(run: Run, small: Path) -> None:
    rows = json.loads(run("flows", "--from", "alibaba", "--data", str(small), "--json").stdout)
    assert [(r["from"], r["to"]) for r in rows] == [("Alibaba", "Malaysia")]
    rows = json.loads(run("flows", "--sector", "defense", "--data", str(small), "--json").stdout)
    assert [r["program"] for r in rows] == ["beta-defense"]


def test_a_value_that_is_no_country_and_no_party_is_a_usage_error(run: Run, small: Path) -> None:
    result = run("flows", "--to", "Saudi Arbia", "--data", str(small))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1
    assert "unknown country or party 'Saudi Arbia' for --to" in result.stderr
    assert "did you mean 'Saudi Arabia'?" in result.stderr
    narnia = run("flows", "--from", "Narnia", "--data", str(small))
    assert narnia.exit_code == 2 and "did you mean" not in narnia.stderr


def test_a_country_with_no_party_in_the_catalogue_is_an_empty_result(
    run: Run, small: Path
) -> None:
    result = run("flows", "--to", "France", "--data", str(small), "--json")
    assert (result.exit_code, result.stdout.strip(), result.stderr) == (0, "[]", "")


def test_search_through_the_cli(run: Run, small: Path) -> None:
    hits = json.loads(run("search", "oil", "--data", str(small), "--json").stdout)
    assert [h["id"] for h in hits] == ["alpha-tech"]
    assert isinstance(hits[0]["score"], float)
    miss = run("search", "prodution", "--data", str(small))
    assert miss.exit_code == 0
    assert miss.stdout.splitlines() == ["score\tid\ttitle\tkind\tsectors\tevidence"]
    assert "production" in miss.stderr


def test_search_highlights_matches_on_a_terminal(run: Run, small: Path) -> None:
    result = run("search", "chip", "--data", str(small), "--fields", "id,flows", tty=True)
    assert "\x1b[1;33mchip\x1b[0m" in result.stdout


def test_graph_json_has_nodes_and_edges(run: Run, small: Path) -> None:
    picture = json.loads(run("graph", "--data", str(small), "--json").stdout)
    ids = {n["id"] for n in picture["nodes"]}
    assert ids == {"sa", "kr", "islamic-nations", "us", "my", "alibaba"}
    for edge in picture["edges"]:
        assert edge["source"] in ids and edge["target"] in ids
    flows = [e for e in picture["edges"] if e["kind"] == "flow"]
    assert {(e["source"], e["target"], e["label"]) for e in flows} >= {
        ("sa", "kr", "oil production methods"),
        ("kr", "sa", "chip manufacturing"),
    }


def test_graph_mermaid_is_well_formed(run: Run) -> None:
    text = run("graph", "--format", "mermaid").stdout
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    node = re.compile(r'^    (n_\w+)\["[^"]*"\]$')
    edge = re.compile(r'^    (n_\w+) (-->|-\.-)\|"[^"]*"\| (n_\w+)$')
    declared: list[str] = []
    for line in lines[1:]:
        if match := node.match(line):
            declared.append(match.group(1))
        else:
            match = edge.match(line)
            assert match, line
            assert match.group(1) in declared and match.group(3) in declared, line
    assert len(declared) == len(set(declared)), "every node declared once"
    assert declared


def test_graph_dot_is_accepted_by_graphviz(run: Run, tmp_path: Path) -> None:
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz's dot is not installed (.ci/run installs the graphviz package)")
    text = run("graph", "--format", "dot").stdout
    proc = subprocess.run([dot, "-Tsvg"], input=text.encode(), capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert b"<svg" in proc.stdout


def test_graph_tree_on_a_terminal(run: Run, small: Path) -> None:
    out = run("graph", "--data", str(small), "--no-color", tty=True).stdout
    assert (
        "Saudi Arabia (SA)\n└── South Korea (KR)\n    └── alpha-tech: Alpha Technology Exchange"
        in out
    )
    assert "→ gives: oil production methods" in out


def test_graph_edges_as_rows(run: Run, small: Path) -> None:
    out = run(
        "graph", "--data", str(small), "--format", "tsv", "--fields", "source,target,kind"
    ).stdout
    assert out.splitlines()[:2] == ["source\ttarget\tkind", "sa\tkr\tflow"]


def test_show_lists_related_programs(run: Run, small: Path) -> None:
    record = json.loads(run("show", "alpha-tech", "--data", str(small), "--json").stdout)
    assert record["related"] == []
    beta = json.loads(run("show", "beta-defense", "--data", str(small), "--json").stdout)
    assert beta["related"] == []


def test_hostile_names_stay_inside_graph_labels(run: Run) -> None:
    hostile = Path(__file__).parent / "fixtures" / "hostile-text.yaml"
    mermaid = run("graph", "--data", str(hostile), "--format", "mermaid").stdout
    assert "\x1b" not in mermaid and '"=HYPERLINK(#quot;' in mermaid
    dot = run("graph", "--data", str(hostile), "--format", "dot").stdout
    assert '\\"http://evil.example\\"' in dot
    if shutil.which("dot"):
        proc = subprocess.run(
            ["dot", "-Tsvg"], input=dot.encode(), capture_output=True, check=False
        )
        assert proc.returncode == 0, proc.stderr


def test_repeating_from_or_to_ors_the_values(run: Run, small: Path) -> None:
    rows = json.loads(
        run("flows", "--to", "SA", "--to", "MY", "--data", str(small), "--json").stdout
    )
    assert [(r["from"], r["to"]) for r in rows] == [
        ("South Korea", "Saudi Arabia"),
        ("Alibaba", "Malaysia"),
    ]


def test_a_country_value_matches_that_country_only_and_names_match_whole_words(
    run: Run, small: Path
) -> None:
    def senders(*args: str) -> list[str]:
        result = run("flows", *args, "--data", str(small), "--json")
        assert result.exit_code == 0, result.stderr
        return [r["from"] for r in json.loads(result.stdout)]

    assert senders("--to", "IN") == []  # India: not "Islamic nations" by substring
    assert senders("--from", "states") == ["United States"]  # a word of the name
    middle = run("flows", "--from", "tates", "--data", str(small))
    assert middle.exit_code == 2  # not the middle of a word: no party has it
    assert senders("--to", "islamic nat") == ["United States"]  # each word a prefix


def test_an_empty_from_is_a_usage_error(run: Run, small: Path) -> None:
    result = run("flows", "--from", " ", "--data", str(small))
    assert result.exit_code == 2


def test_parties_that_fold_to_the_same_slug_stay_distinct_nodes(
    run: Run, tmp_path: Path, small: Path
) -> None:
    text = small.read_text(encoding="utf-8")
    text = text.replace("{name: Alibaba,", '{name: "SA",').replace("from: Alibaba,", 'from: "SA",')
    text = text.replace("{name: Malaysia,", "{name: Säudi arabia,")
    text = text.replace("to: Malaysia,", "to: Säudi arabia,")
    odd = tmp_path / "odd.yaml"
    odd.write_text(text.replace('type: country, country: "MY"', "type: group, country: null"))
    picture = json.loads(run("graph", "--data", str(odd), "--json").stdout)
    names = [node["name"] for node in picture["nodes"]]
    assert len(names) == len(set(names)) == 6
    ids = [node["id"] for node in picture["nodes"]]
    assert len(ids) == len(set(ids))
    mermaid = run("graph", "--data", str(odd), "--format", "mermaid").stdout
    assert not any(
        line.split("-->")[0].strip() == line.split("|")[-1].strip()
        for line in mermaid.splitlines()
        if "-->" in line
    ), "no self-loop from merged nodes"


def test_limit_and_sort_cut_edges_and_keep_only_their_nodes(run: Run, small: Path) -> None:
    picture = json.loads(run("graph", "--limit", "1", "--data", str(small), "--json").stdout)
    assert len(picture["edges"]) == 1
    ends = {picture["edges"][0]["source"], picture["edges"][0]["target"]}
    assert {node["id"] for node in picture["nodes"]} == ends
    tree = run("graph", "--limit", "0", "--data", str(small), tty=True)
    assert tree.exit_code == 0 and "Saudi" not in tree.stdout


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "table"])
def test_fields_with_a_drawing_format_is_a_usage_error(run: Run, small: Path, fmt: str) -> None:
    result = run("graph", "--format", fmt, "--fields", "source", "--data", str(small))
    assert result.exit_code == 2
    assert "--fields" in result.stderr and "Traceback" not in result.stderr


def test_an_exact_party_name_matches_that_actor_only(run: Run, tmp_path: Path) -> None:
    """Without ids, "Islamic Nation" and "Islamic nations" are two actors: the exact name
    finds one, a prefix both. With one id, either name finds the one actor."""
    group = {"type": "group", "country": None}
    records = [
        program_record("one", parties=[{"name": "Islamic Nation", **group}, country("JP", "JP")]),
        program_record("two", parties=[{"name": "Islamic nations", **group}, country("OM", "OM")]),
    ]
    plain = write_catalogue(tmp_path / "plain.yaml", records)

    def senders(path: Path, *args: str) -> set[str]:
        rows = json.loads(run("flows", "--data", str(path), *args, "--json").stdout)
        return {r["program"] for r in rows}

    assert senders(plain, "--from", "Islamic Nation") == {"one"}
    assert senders(plain, "--from", "islamic nat") == {"one", "two"}
    for record in records:
        record["parties"][0]["id"] = "islamic-nation"  # type: ignore[index]
    one_actor = write_catalogue(tmp_path / "one-actor.yaml", records)
    assert senders(one_actor, "--from", "Islamic Nation") == {"one", "two"}
    assert senders(one_actor, "--from", "Islamic nations") == {"one", "two"}
    assert senders(one_actor, "--from", "islamic-nation") == {"one", "two"}


def test_a_typo_among_several_values_is_still_an_error(run: Run) -> None:
    result = run("flows", "--from", "Islamic Nasion", "--from", "KR")
    assert result.exit_code == 2
    assert "'Islamic Nasion' for --from; did you mean 'Islamic Nation'" in result.stderr


def test_piped_graph_json_has_one_node_or_edge_a_line(run: Run, small: Path) -> None:
    result = run("graph", "--format", "json", "--data", str(small))
    picture = json.loads(result.stdout)
    lines = result.stdout.splitlines()
    assert len(lines) == len(picture["nodes"]) + len(picture["edges"]) + 4
    assert json.loads(lines[1].rstrip(",")) == picture["nodes"][0]


def test_show_lists_at_most_ten_related_programs(run: Run) -> None:
    record = json.loads(run("show", "skilled-personnel-exchange", "--json").stdout)
    assert 0 < len(record["related"]) <= 10


def country(name: str, code: str) -> dict[str, Any]:
    return {"name": name, "type": "country", "country": code}


def organization(name: str, code: str | None = None) -> dict[str, Any]:
    return {"name": name, "type": "organization", "country": code}


def test_related_programs_rank_by_what_they_share(run: Run, tmp_path: Path) -> None:
    """Shared parties (by country, else by name) and shared sectors each count one; most
    shared first, then catalogue order; at most ten; the target itself never."""
    mine = [country("Saudi Arabia", "SA"), country("South Korea", "KR"), organization("Alpha Org")]
    others = [
        program_record(
            "sector-only",
            sectors=["energy"],
            parties=[country("Japan", "JP"), country("China", "CN")],
        ),
        program_record(
            "two-parties-and-a-sector",
            sectors=["energy", "agriculture"],
            parties=[country("Korea, Republic of", "KR"), country("KSA", "SA")],
        ),
        program_record(
            "party-by-name",
            sectors=["agriculture"],
            parties=[organization("ALPHA  org"), country("Japan", "JP")],
        ),
        program_record(
            "nothing-shared",
            sectors=["agriculture"],
            parties=[country("Japan", "JP"), country("China", "CN")],
        ),
        program_record(
            "country-through-an-organization",
            sectors=["defense"],
            parties=[organization("Aramco", "SA"), country("Japan", "JP")],
        ),
        *(
            program_record(
                f"defense-{n:02d}",
                sectors=["defense"],
                parties=[country("Japan", "JP"), country("China", "CN")],
            )
            for n in range(11)
        ),
    ]
    path = write_catalogue(
        tmp_path / "related.yaml",
        [program_record("target", sectors=["energy", "defense"], parties=mine), *others],
    )
    result = run("show", "target", "--data", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    related = json.loads(result.stdout)["related"]
    assert [(r["id"], r["shared_parties"], r["shared_sectors"]) for r in related] == [
        ("two-parties-and-a-sector", ["Saudi Arabia", "South Korea"], ["energy"]),
        ("country-through-an-organization", ["Saudi Arabia"], ["defense"]),
        ("sector-only", [], ["energy"]),
        ("party-by-name", ["Alpha Org"], []),
        *((f"defense-{n:02d}", [], ["defense"]) for n in range(6)),
    ]
    assert all(r["title"] == f"Program {r['id']}" for r in related)


# -- network.py on its own -------------------------------------------------------------------


def _programs() -> list[Any]:
    from exchange_cli.load.loader import load_catalogue

    return list(load_catalogue(Path(__file__).parent / "fixtures" / "small.yaml"))


def test_party_matcher_country_name_and_word_prefixes() -> None:
    from exchange_cli.model.records import Party
    from exchange_cli.query import network

    parties = [p for program in _programs() for p in program.parties]
    by_name = {p.name: p for p in parties}
    country = network.party_matcher(["KSA"], parties)
    assert country is not None
    assert country.matches(by_name["Saudi Arabia"]) and not country.matches(by_name["Alibaba"])
    exact = network.party_matcher(["islamic nations"], parties)
    assert exact is not None and exact.matches(by_name["Islamic nations"])
    assert not exact.matches(Party("Islamic Nation", "group", None))
    words = network.party_matcher(["uni sta"], parties)
    assert words is not None and words.matches(by_name["United States"])
    assert not words.matches(by_name["Malaysia"])
    assert words.unmatched(parties) == []
    absent = network.party_matcher(["France", "SA"], parties)  # a country: valid, if absent
    assert absent is not None and absent.unmatched(parties) == ["France"]
    with pytest.raises(UsageError, match="unknown country or party 'Narnia' for --to"):
        network.party_matcher(["Narnia", "SA"], parties, "--to")
    assert network.party_matcher([], parties) is None
    with pytest.raises(Exception, match="needs a country or a party name"):
        network.party_matcher(["  "], parties)


def test_flow_rows_follow_the_matchers() -> None:
    from exchange_cli.query import network

    programs = _programs()
    parties = [p for program in programs for p in program.parties]
    every = network.flow_rows(programs)
    assert len(every) == sum(len(p.flows) for p in programs)
    assert list(every[0]) == list(FLOW_ROW_FIELDS)
    to_sa = network.flow_rows(programs, None, network.party_matcher(["SA"], parties))
    assert [(r["from"], r["to_country"]) for r in to_sa] == [("South Korea", "SA")]


def test_graph_nodes_edges_and_kept_edges() -> None:
    from exchange_cli.query import network

    graph = network.build_graph(_programs())
    ids = [n["id"] for n in graph.nodes]
    assert len(ids) == len(set(ids))
    assert all(list(e) == list(EDGE_FIELDS) for e in graph.edges)
    flows = [e for e in graph.edges if e["kind"] == "flow"]
    partnerships = [e for e in graph.edges if e["kind"] == "partnership"]
    assert len(flows) == 4 and len(partnerships) == 3
    kept = network.keep_edges(graph, flows[:1])
    assert kept.edges == flows[:1]
    assert {n["id"] for n in kept.nodes} == {flows[0]["source"], flows[0]["target"]}


def test_the_tree_shows_each_partnership_once(run: Run) -> None:
    out = run("graph", "--no-color", tty=True, env={"COLUMNS": "200"}).stdout
    edges = json.loads(run("graph", "--format", "json").stdout)["edges"]
    partnerships = [e for e in edges if e["kind"] == "partnership"]
    for edge in partnerships:
        assert out.count(f"── {edge['program']}: ") == 1, edge["program"]
    roots = [line for line in out.splitlines() if line and line[0] not in "│├└ "]
    assert len(roots) == len(set(roots))


def test_partner_tree_lists_what_flows_each_way() -> None:
    from exchange_cli.query import network

    tree = network.partner_tree(network.build_graph(_programs()))
    saudi = next(entry for entry in tree if entry["party"]["id"] == "sa")
    [link] = saudi["partners"]
    assert link["partner"]["id"] == "kr"
    [program] = link["programs"]
    assert program["gives"] == ["oil production methods"]
    assert program["receives"] == ["chip manufacturing"]


# -- found by mutation testing (mutmut): behaviour no test pinned ----------------------------


def test_flow_rows_from_a_party_keep_a_program_s_later_flows() -> None:
    """A program's first flow not matching `--from` does not hide its others."""
    from exchange_cli.load.loader import catalogue_from_bytes
    from exchange_cli.query import network

    record = program_record(
        "two-way",
        flows=[
            {"from": "Saudi Arabia", "to": "South Korea", "what": "oil know-how"},
            {"from": "South Korea", "to": "Saudi Arabia", "what": "chip know-how"},
        ],
    )
    text = json.dumps({"programs": [record]})
    programs = list(catalogue_from_bytes(text.encode(), "two-way.json"))
    parties = programs[0].parties
    from_korea = network.flow_rows(programs, network.party_matcher(["KR"], parties))
    assert [row["what"] for row in from_korea] == ["chip know-how"]


def test_a_cut_graph_tree_still_titles_its_programs(run: Run, small: Path) -> None:
    """`--limit` may keep a program's flow but cut its partnership edge, which carried
    its title: the tree showed `alpha-tech: alpha-tech`."""
    out = run("graph", "--data", str(small), "--limit", "1", "--no-color", tty=True).stdout
    assert "└── alpha-tech: Alpha Technology Exchange\n        └── → gives:" in out
    assert "alpha-tech: alpha-tech" not in out


def test_dot_labels_escape_backslashes_before_quotes(run: Run, tmp_path: Path) -> None:
    """A label ending in `\\` must not escape its own closing quote (README: dot escapes
    `\\` and `"`)."""
    flow = {"from": "Saudi Arabia", "to": "South Korea", "what": 'path C:\\ then "q" \\'}
    path = write_catalogue(tmp_path / "slash.yaml", [program_record("slash", flows=[flow])])
    dot = run("graph", "--data", str(path), "--format", "dot").stdout
    assert 'label="path C:\\\\ then \\"q\\" \\\\"' in dot


def test_graph_nodes_list_their_programs_once_and_number_clashing_slugs(run: Run) -> None:
    """Node ids are what edges point at: stable slugs, numbered from 2 on a clash; each
    node lists the programs it takes part in, once each."""
    from exchange_cli.load.loader import catalogue_from_bytes
    from exchange_cli.query import network

    korea = {"name": "South Korea", "type": "country", "country": "KR"}
    records = [
        program_record("one"),
        program_record(
            "two",
            parties=[
                {"name": "Unicode", "type": "group", "country": None},
                {"name": "Ünïcode", "type": "group", "country": None},
                {"name": "UNICODE!", "type": "group", "country": None},
                korea,
                {"name": "Korea (Republic)", "type": "country", "country": "KR"},
                {"name": "Samsung", "type": "organization", "country": "KR"},
            ],
        ),
    ]
    programs = list(catalogue_from_bytes(json.dumps({"programs": records}).encode(), "x"))
    nodes = {node["name"]: node for node in network.build_graph(programs).nodes}
    assert [nodes[n]["id"] for n in ("Unicode", "Ünïcode", "UNICODE!")] == [
        "unicode",
        "unicode-2",
        "unicode-3",
    ]
    assert nodes["Saudi Arabia"]["programs"] == ["one"]
    assert nodes["South Korea"]["programs"] == ["one", "two"]  # KR twice in "two": once
    assert "Korea (Republic)" not in nodes  # one node per country, however it is named
    assert nodes["Samsung"]["id"] == "samsung"  # an organisation is not its country


# -- found by the second mutation pass -------------------------------------------------------


def _catalogue(records: list[dict[str, Any]]) -> list[Any]:
    from exchange_cli.load.loader import catalogue_from_bytes

    return list(catalogue_from_bytes(json.dumps({"programs": records}).encode(), "x.json"))


def test_graph_sort_or_reverse_alone_reorders_the_edges(run: Run, small: Path) -> None:
    """`--sort` or `--reverse` without `--limit` still applies (network.ordered)."""

    def labels(*args: str) -> list[str]:
        picture = json.loads(run("graph", "--data", str(small), *args, "--json").stdout)
        return [edge["label"] for edge in picture["edges"]]

    plain = labels()
    assert plain != sorted(plain, key=str.casefold)
    assert labels("--sort", "label") == sorted(plain, key=str.casefold)
    assert labels("--reverse") == plain[::-1]
    assert labels("--sort", "label", "--reverse") == sorted(plain, key=str.casefold)[::-1]


def test_a_from_value_without_a_word_matches_nothing_and_is_an_error() -> None:
    """`--from '!!!'` names no country and has no word to match: an error, not every
    party (PartyMatcher with no words)."""
    from exchange_cli.query import network

    parties = [p for program in _programs() for p in program.parties]
    with pytest.raises(UsageError, match="unknown country or party '!!!' for --from"):
        network.party_matcher(["!!!"], parties)


def test_a_word_match_on_one_spelling_of_an_actor_matches_all_its_parties() -> None:
    """Parties sharing an id are one actor: a word of either name finds both."""
    from exchange_cli.query import network

    shared = {"type": "organization", "country": "SA", "id": "energy-ministry"}
    programs = _catalogue(
        [
            program_record(
                "one", parties=[{"name": "Alpha Agency", **shared}, country("JP", "JP")]
            ),
            program_record(
                "two", parties=[{"name": "Beta Bureau", **shared}, country("OM", "OM")]
            ),
        ]
    )
    parties = [p for program in programs for p in program.parties]
    matcher = network.party_matcher(["beta"], parties)
    assert matcher is not None
    assert [row["program"] for row in network.flow_rows(programs, matcher)] == ["one", "two"]


def test_an_unknown_party_message_labels_country_codes(run: Run, small: Path) -> None:
    result = run("flows", "--to", "Franc", "--data", str(small))
    assert result.stderr == (
        "exchange: error: unknown country or party 'Franc' for --to; did you mean 'FR' "
        "(France)? give a country code or name (SA, 'Saudi Arabia') or the name of a party "
        "in the catalogue\n"
    )


def test_a_name_without_latin_letters_or_digits_gets_the_node_id_party() -> None:
    from exchange_cli.model.records import Party
    from exchange_cli.query import network

    assert network.node_id(Party("وزارة الطاقة", "organization", None)) == "party"


def test_a_party_with_no_partner_is_a_tree_root_with_no_partners() -> None:
    """A one-party program (no flows) gives a node with no edges: the terminal tree
    lists it alone rather than failing."""
    from exchange_cli.query import network

    lone = program_record("lone", flows=[])
    lone["parties"] = [country("Japan", "JP")]
    graph = network.build_graph(_catalogue([lone]))
    assert network.partner_tree(graph) == [{"party": graph.nodes[0], "partners": []}]


def test_partner_tree_titles_programs_from_partnership_edges_else_by_id() -> None:
    """Without `titles`, a program is titled from its partnership edge; when that edge
    was cut, by its id."""
    from exchange_cli.query import network

    graph = network.build_graph(_programs())
    titled = {
        program["program"]: program["title"]
        for entry in network.partner_tree(graph)
        for link in entry["partners"]
        for program in link["programs"]
    }
    assert titled["alpha-tech"] == "Alpha Technology Exchange"
    flows_only = network.keep_edges(graph, [e for e in graph.edges if e["kind"] == "flow"])
    [saudi, *_] = network.partner_tree(flows_only)
    assert saudi["partners"][0]["programs"][0]["title"] == "alpha-tech"
