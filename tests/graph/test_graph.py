"""The citation and method graph: every query checked against answers worked out by hand.

The fixture tests/fixtures/graph holds eight records (letters used in the comments below):

    A lee2020lens      foundation 2020 layer          logit-lens                    cites -
    B bell2021tuned    foundation 2021 layer          tuned-lens, logit-lens        cites A
    C cho2021patching  foundation 2021 neuron         activation-patching           cites -
    D diaz2022vision   research   2022 layer, neuron  logit-lens, activation-patch  cites A B C
    E eng2022neurons   research   2022 neuron         activation-patch, neuron-an.  cites A C
    F fox2023audio     research   2023 benchmark      benchmark                     cites D E
    G abe2023survey    survey     2023 layer          logit, tuned, activation-p.   cites B D E
    H hu2023video      research   2023 neuron         neuron-analysis               cites -

F cites D through its alias diaz2022seeing. taxonomy/methods.yaml says B introduced tuned-lens
and E introduced attribution-patching (which E does not list). Lineage: tuned-lens extends
logit-lens; attribution- and path-patching extend activation-patching; edge-patching extends
both. In-KB citations: A 3 (B D E), B 2 (D G), C 2 (D E), D 2 (F G), E 2 (F G), F G H 0; so
the order among equals is A, then B C D E (by id), then G F H as abe < fox < hu.
"""

from __future__ import annotations

import json
import random
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.cli.app import main
from kb.core.pipeline import load_knowledge_base
from kb.core.records import RELATION_TYPES, Paper
from kb.core.validate import KnowledgeBase
from kb.graph.build import build_graph, resolved_citations
from kb.graph.formats import graphml, node_link
from kb.graph.gaps import gaps, in_sentence, timeline
from kb.graph.influence import influence, influence_by_year
from kb.graph.queries import (
    Lineage,
    Link,
    MethodPapers,
    citation_counts,
    cited_by,
    cited_by_all,
    isolated,
    isolated_records,
    lineage,
    method_papers,
    relation_counts,
    relations_of,
)
from kb.graph.related import Related, related, related_all
from tests import strategies
from tests.conftest import FIXTURES, assert_golden

FIXTURE = FIXTURES / "graph"
A, B, C, D = "lee2020lens", "bell2021tuned", "cho2021patching", "diaz2022vision"
E, F, G, H = "eng2022neurons", "fox2023audio", "abe2023survey", "hu2023video"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    result = load_knowledge_base(FIXTURE)
    # NOTE: the fixture's one isolated research record is also kb validate's only notice.
    notices = [(p.severity, p.code, p.path) for p in result.problems]
    assert notices == [("notice", "isolated-record", "papers/hu2023video.yaml")]
    assert isolated_records(result.kb) == ["hu2023video"]
    return result.kb


@pytest.fixture(scope="module")
def graph(kb: KnowledgeBase) -> nx.MultiDiGraph:
    return build_graph(kb)


def edges_of(graph: nx.MultiDiGraph, kind: str) -> set[tuple[str, str]]:
    return {(u, v) for u, v, key in graph.edges(keys=True) if key == kind}


def p(paper_id: str) -> str:
    return f"paper:{paper_id}"


# --- the graph ------------------------------------------------------------------------------


def test_the_fixture_validates_strictly() -> None:
    result = CliRunner().invoke(main, ["--root", str(FIXTURE), "validate", "--strict"])
    assert result.output == "ok: 8 records; 1 notice(s) (--notices lists them)\n"


def test_every_record_and_vocabulary_entry_is_a_typed_node(graph: nx.MultiDiGraph) -> None:
    kinds: dict[str, int] = {}
    for _, kind in graph.nodes(data="kind"):
        kinds[kind] = kinds.get(kind, 0) + 1
    # 8 records, 8 methods, 4 leaves (model.token has no record), 2 models, 4 modalities.
    assert kinds == {"paper": 8, "method": 8, "category": 4, "model": 2, "modality": 4}
    assert graph.nodes[p(D)] == {
        "kind": "paper",
        "label": D,
        "title": "Lenses and Patches on a Vision-Language Model",
        "year": 2022,
        "venue": "neurips",
        "record_kind": "research",
        "leaf": "model.layer",
    }
    assert graph.nodes["method:edge-patching"]["scope"] == "global"
    assert graph.nodes["category:model.token"] == {
        "kind": "category",
        "label": "Token level",
        "name": "Token level",
        "perspective": "model",
    }


def test_cites_edges_resolve_aliases(graph: nx.MultiDiGraph) -> None:
    assert edges_of(graph, "cites") == {
        (p(B), p(A)),
        (p(D), p(A)),
        (p(D), p(B)),
        (p(D), p(C)),
        (p(E), p(A)),
        (p(E), p(C)),
        (p(F), p(D)),  # written as the alias diaz2022seeing
        (p(F), p(E)),
        (p(G), p(B)),
        (p(G), p(D)),
        (p(G), p(E)),
    }


def test_method_edges_come_from_records_and_the_vocabulary(graph: nx.MultiDiGraph) -> None:
    assert edges_of(graph, "proposes") == {
        (p(B), "method:tuned-lens"),
        (p(E), "method:attribution-patching"),
    }
    assert edges_of(graph, "extends") == {
        ("method:tuned-lens", "method:logit-lens"),
        ("method:attribution-patching", "method:activation-patching"),
        ("method:path-patching", "method:activation-patching"),
        ("method:edge-patching", "method:path-patching"),
        ("method:edge-patching", "method:attribution-patching"),
    }
    assert len(edges_of(graph, "uses")) == 13  # 1 + 2 + 1 + 2 + 2 + 1 + 3 + 1
    assert (p(G), "method:tuned-lens") in edges_of(graph, "uses")


def test_categories_mark_the_primary_leaf_and_studies_link_models_and_modalities(
    graph: nx.MultiDiGraph,
) -> None:
    assert graph.edges[p(D), "category:model.layer", "in_category"]["primary"] is True
    assert graph.edges[p(D), "category:model.neuron", "in_category"]["primary"] is False
    assert len(edges_of(graph, "in_category")) == 9
    studied = {v for u, v in edges_of(graph, "studies") if u == p(F)}
    assert studied == {"model:qwen-audio", "modality:audio", "modality:text"}
    # 3 model edges (D, E, F) and 13 modality edges.
    assert len(edges_of(graph, "studies")) == 16
    assert graph.number_of_edges() == 11 + 2 + 5 + 13 + 9 + 16 + 3


def test_relations_of_a_record_list_its_own_then_those_held_to_it(
    graph: nx.MultiDiGraph,
) -> None:
    assert relations_of(graph, B) == [
        Link(
            A,
            "extends",
            "Learns a translator for each layer where the lens used the identity.",
            True,
        ),
        Link(
            F, "applies", "Takes the lenses of the earlier record as its baseline readout.", False
        ),
    ]
    assert relations_of(graph, H) == []
    assert relation_counts(graph) == {
        "extends": 1,
        "improves-on": 0,
        "compares-with": 1,
        "contradicts": 0,
        "reproduces": 0,
        "applies": 1,
    }
    with pytest.raises(KeyError):
        relations_of(graph, "nobody2020")


def test_relations_are_typed_edges_with_their_note(graph: nx.MultiDiGraph) -> None:
    assert edges_of(graph, "relation:extends") == {(p(B), p(A))}
    assert edges_of(graph, "relation:applies") == {(p(F), p(B))}
    # written with the alias diaz2022seeing
    edge = graph.edges[p(F), p(D), "relation:compares-with"]
    assert edge == {
        "kind": "relation:compares-with",
        "type": "compares-with",
        "note": "Sets its audio lenses beside the image lenses of the earlier record.",
    }


def naive_graph(kb: KnowledgeBase) -> nx.MultiDiGraph:
    """The graph built with networkx's public add_edge, straight from the issue's definition."""
    graph = nx.MultiDiGraph()
    owner = {alias: q.id for q in kb.papers.values() for alias in q.aliases}
    for paper in kb.papers.values():
        for cited in paper.cites:
            cited = owner.get(cited, cited)
            if cited in kb.papers and cited != paper.id:
                graph.add_edge(p(paper.id), p(cited), key="cites", kind="cites")
        for method in paper.methods:
            graph.add_edge(p(paper.id), f"method:{method}", key="uses", kind="uses")
        for index, leaf in enumerate(paper.taxonomy):
            primary = index == 0
            graph.add_edge(
                p(paper.id),
                f"category:{leaf}",
                key="in_category",
                kind="in_category",
                primary=primary,
            )
        for model in paper.models:
            graph.add_edge(p(paper.id), f"model:{model}", key="studies", kind="studies")
        for modality in paper.modalities:
            graph.add_edge(p(paper.id), f"modality:{modality}", key="studies", kind="studies")
        seen: set[tuple[str, str]] = set()
        for relation in paper.relations:
            target = owner.get(relation.target, relation.target)
            if target in kb.papers and target != paper.id and (relation.type, target) not in seen:
                seen.add((relation.type, target))
                kind = f"relation:{relation.type}"
                graph.add_edge(
                    p(paper.id),
                    p(target),
                    key=kind,
                    kind=kind,
                    type=relation.type,
                    note=relation.note,
                )
    for method in kb.taxonomy.methods.values():
        if method.introduced_by in kb.papers:
            graph.add_edge(
                p(method.introduced_by), f"method:{method.id}", key="proposes", kind="proposes"
            )
        for parent in method.extends:
            graph.add_edge(f"method:{method.id}", f"method:{parent}", key="extends", kind="extends")
    return graph


def edge_list(graph: nx.MultiDiGraph) -> list[tuple[str, str, str, list[tuple[str, Any]]]]:
    return sorted((u, v, k, sorted(d.items())) for u, v, k, d in graph.edges(keys=True, data=True))


def test_the_fast_build_equals_a_build_edge_by_edge(
    kb: KnowledgeBase, graph: nx.MultiDiGraph
) -> None:
    assert edge_list(graph) == edge_list(naive_graph(kb))
    assert nx.utils.graphs_equal(graph, graph.copy())


# --- random knowledge bases (hypothesis) ----------------------------------------------------

FIXTURE_TAXONOMY = load_knowledge_base(FIXTURE).kb.taxonomy
IDS = [f"r{i}" for i in range(14)]


def some(values: list[str], least: int, most: int) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(values), min_size=least, max_size=most, unique=True).map(tuple)


@st.composite
def knowledge_bases(draw: st.DrawFn, most: int = 12) -> KnowledgeBase:
    """Small valid knowledge bases on the fixture taxonomy, with messy citation lists."""
    taxonomy = FIXTURE_TAXONOMY
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=most, unique=True))
    papers: dict[str, Paper] = {}
    taken: set[str] = set(ids)
    for paper_id in draw(st.permutations(ids)):
        alias = f"{paper_id}x" if draw(st.booleans()) else None
        cites = draw(
            st.lists(st.sampled_from([*IDS, *(f"{i}x" for i in IDS)]), max_size=6, unique=True)
        )
        relations = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(RELATION_TYPES),
                    st.sampled_from([*IDS, *(f"{i}x" for i in IDS)]),
                ),
                max_size=4,
            )
        )
        data = {
            "id": paper_id,
            "title": draw(strategies.text),
            "authors": ("Ann Author",),
            "year": draw(st.integers(2018, 2024)),
            "venue": "arxiv",
            "kind": draw(st.sampled_from(["research", "survey", "foundation"])),
            "taxonomy": draw(some(taxonomy.leaves, 1, 3)),
            "methods": draw(some(list(taxonomy.methods), 1, 3)),
            "modalities": draw(some(list(taxonomy.modalities), 1, 2)),
            "models": draw(some(list(taxonomy.models), 0, 2)),
            "summary": "A generated record.",
            "findings": ({"text": "Something."},),
            "strengths": ("Small.",),
            "limitations": ("Made up.",),
            "sources": ("https://example.org/x",),
            "cites": tuple(cites),
            "relations": tuple(
                {"type": kind, "target": target, "note": f"Why {kind}."}
                for kind, target in relations
            ),
            "aliases": (alias,) if alias and alias not in taken else (),
        }
        taken.add(alias or paper_id)
        papers[paper_id] = Paper.model_validate(data)
    # NOTE: insertion order is random on purpose; load_knowledge_base sorts, outputs must not care.
    return KnowledgeBase(taxonomy, papers, {}, {})


def sorted_kb(kb: KnowledgeBase) -> KnowledgeBase:
    return KnowledgeBase(kb.taxonomy, dict(sorted(kb.papers.items())), {}, {})


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(knowledge_bases())
def test_random_graphs_equal_their_edge_by_edge_build(kb: KnowledgeBase) -> None:
    graph = build_graph(kb)
    assert edge_list(graph) == edge_list(naive_graph(kb))
    assert nx.utils.graphs_equal(graph, graph.copy())


@SETTINGS
@given(knowledge_bases())
def test_node_link_json_loads_back_with_the_same_nodes_and_edges(kb: KnowledgeBase) -> None:
    graph = build_graph(kb)
    data = json.loads(json.dumps(node_link(graph)))
    loaded = nx.node_link_graph(data, edges="links")
    assert isinstance(loaded, nx.MultiDiGraph)
    assert dict(loaded.nodes(data=True)) == dict(graph.nodes(data=True))
    assert edge_list(loaded) == edge_list(graph)


def xml_text(value: Any) -> Any:
    """What XML 1.0 can carry of a value: U+FFFE and U+FFFF are no characters there."""
    return (
        value.replace("\ufffe", "\ufffd").replace("\uffff", "\ufffd")
        if isinstance(value, str)
        else value
    )


@SETTINGS
@given(knowledge_bases())
def test_graphml_loads_back_with_the_same_nodes_and_edges(kb: KnowledgeBase) -> None:
    graph = build_graph(kb)
    loaded = nx.parse_graphml(graphml(graph), force_multigraph=True)
    expected = {
        node: {name: xml_text(value) for name, value in data.items()}
        for node, data in graph.nodes(data=True)
    }
    assert dict(loaded.nodes(data=True)) == expected
    assert edge_list(loaded) == edge_list(graph)


def test_graphml_escapes_markup_and_replaces_what_xml_cannot_hold() -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("paper:x", kind="paper", title="<script>alert('x')</script> & \ufffe \U0001f600")
    text = graphml(graph)
    assert "<script>" not in text
    assert nx.parse_graphml(text).nodes["paper:x"]["title"] == (
        "<script>alert('x')</script> & \ufffd \U0001f600"
    )


@SETTINGS
@given(knowledge_bases())
def test_exports_do_not_depend_on_record_order(kb: KnowledgeBase) -> None:
    shuffled, ordered = build_graph(kb), build_graph(sorted_kb(kb))
    assert json.dumps(node_link(shuffled)) == json.dumps(node_link(ordered))
    assert graphml(shuffled) == graphml(ordered)


@SETTINGS
@given(knowledge_bases(), st.integers(1, 6), st.integers(0, 4), st.integers(0, 4))
def test_related_all_gives_what_related_gives_for_each_paper(
    kb: KnowledgeBase, k: int, pool: int, common: int
) -> None:
    graph = build_graph(kb)
    every = related_all(graph, k, pool=pool, common=common)
    assert list(every) == sorted(kb.papers)
    for paper in kb.papers:
        assert every[paper] == related(graph, paper, k, pool=pool, common=common)


@SETTINGS
@given(knowledge_bases())
def test_pagerank_agrees_with_networkx(kb: KnowledgeBase) -> None:
    graph = build_graph(kb)
    citations = nx.DiGraph()
    citations.add_nodes_from(kb.papers)
    citations.add_edges_from(resolved_citations(kb))
    expected = nx.pagerank(citations, tol=1e-12, max_iter=10_000)
    scores = influence(graph)
    assert set(scores) == set(kb.papers)
    for paper, score in scores.items():
        assert score == pytest.approx(expected[paper], abs=1e-9)
    assert list(scores.values()) == sorted(scores.values(), reverse=True)


@SETTINGS
@given(knowledge_bases())
def test_related_is_symmetric_in_score(kb: KnowledgeBase) -> None:
    graph = build_graph(kb)
    every = related_all(graph, k=len(kb.papers), pool=len(kb.papers))
    scores = {(a, r.paper): r.score for a, found in every.items() for r in found}
    assert all(scores.get((b, a)) == score for (a, b), score in scores.items())


def synthetic_graph(papers: int, methods: int, leaves: int, seed: int) -> nx.MultiDiGraph:
    """A graph shaped like a large knowledge base: heavy-tailed citations, many methods."""
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    for i in range(methods):
        graph.add_node(f"method:m{i}", kind="method", name=f"Method {i}")
    for i in range(leaves):
        graph.add_node(f"category:l{i}", kind="category", name=f"Leaf {i}")
    for i in range(papers):
        node = f"paper:s{i:04d}"
        graph.add_node(node, kind="paper", year=2020)
        for target in {int(i * rng.random() ** 3) for _ in range(rng.randint(0, 8))} - {i}:
            graph.add_edge(node, f"paper:s{target:04d}", key="cites", kind="cites")
        for method in rng.sample(range(methods), rng.randint(1, 3)):
            graph.add_edge(node, f"method:m{method}", key="uses", kind="uses")
        for index, leaf in enumerate(rng.sample(range(leaves), rng.randint(1, 2))):
            graph.add_edge(
                node, f"category:l{leaf}", key="in_category", kind="in_category", primary=index == 0
            )
    return graph


@pytest.mark.parametrize(("pool", "common"), [(50, 100), (5, 10), (1, 3)])
def test_related_all_agrees_with_related_on_a_large_graph(pool: int, common: int) -> None:
    # 130 methods need two 64-bit words per bit set; early records are cited by many.
    graph = synthetic_graph(papers=600, methods=130, leaves=20, seed=pool)
    every = related_all(graph, k=5, pool=pool, common=common)
    for paper in sorted(every)[::7]:
        assert every[paper] == related(graph, paper, k=5, pool=pool, common=common)
    assert max(len(found) for found in every.values()) == 5


def test_scores_above_the_histogram_cap_still_rank_exactly() -> None:
    graph = synthetic_graph(papers=0, methods=2, leaves=1, seed=0)
    for paper in ("x", "y", "z"):
        for ref in range(40):
            graph.add_edge(f"paper:{paper}", f"paper:r{ref}", key="cites", kind="cites")
    for node in graph:
        graph.nodes[node].setdefault("kind", "paper")
    graph.add_edge("paper:x", "method:m0", key="uses", kind="uses")
    graph.add_edge("paper:y", "method:m0", key="uses", kind="uses")
    # x-y: 40 shared references and a method (41 points, 82 half points, above the cap of 64).
    assert [(r.paper, r.score) for r in related(graph, "x", k=2)] == [("y", 41.0), ("z", 40.0)]
    assert related_all(graph, k=1)["x"] == related(graph, "x", k=1)
    assert related_all(graph, k=2)["x"] == related(graph, "x", k=2)


# --- citations ------------------------------------------------------------------------------


def test_cited_by_lists_the_citing_records(graph: nx.MultiDiGraph) -> None:
    assert cited_by(graph, A) == [B, D, E]
    assert cited_by(graph, D) == [G, F]  # abe2023survey < fox2023audio
    assert cited_by(graph, H) == []
    assert cited_by_all(graph) == {
        G: [],
        B: [G, D],
        C: [D, E],
        D: [G, F],
        E: [G, F],
        F: [],
        H: [],
        A: [B, D, E],
    }


def test_citation_counts_count_only_records_of_the_knowledge_base(
    graph: nx.MultiDiGraph,
) -> None:
    assert citation_counts(graph) == {G: 0, B: 2, C: 2, D: 2, E: 2, F: 0, H: 0, A: 3}


def test_unknown_ids_raise_key_error(graph: nx.MultiDiGraph) -> None:
    with pytest.raises(KeyError, match="no paper 'nobody2020x'"):
        cited_by(graph, "nobody2020x")
    with pytest.raises(KeyError, match="no method 'logit-lense'"):
        lineage(graph, "logit-lense")
    with pytest.raises(KeyError):
        related(graph, "logit-lens")


# --- related papers -------------------------------------------------------------------------


def test_related_ranks_by_shared_methods_references_citers_and_categories(
    graph: nx.MultiDiGraph,
) -> None:
    # D and E: both use activation patching (1), share references A and C (2), are both cited
    # by F and G (2), and are both in model.neuron (0.5): 5.5. D and B: logit lens (1), share
    # A (1), both cited by G (1), both in model.layer (0.5): 3.5. D and G: logit lens and
    # activation patching (2), share B (1), layer (0.5): 3.5; B goes first, cited twice. A and
    # C: 1.5 each (a method and a leaf), A first with 3 citations. H: only model.neuron (0.5),
    # sixth, so not among the first five. F: D is cited by F, but a direct citation is no signal.
    assert related(graph, D) == [
        Related(
            E,
            5.5,
            (
                "both use activation patching",
                "2 shared references",
                "cited together by 2 papers",
                "both in the neuron level category",
            ),
        ),
        Related(
            B,
            3.5,
            (
                "both use logit lens",
                "1 shared reference",
                "cited together by 1 paper",
                "both in the layer level category",
            ),
        ),
        Related(
            G,
            3.5,
            (
                "both use activation patching and logit lens",
                "1 shared reference",
                "both in the layer level category",
            ),
        ),
        Related(A, 1.5, ("both use logit lens", "both in the layer level category")),
        Related(C, 1.5, ("both use activation patching", "both in the neuron level category")),
    ]
    assert related(graph, D, k=6)[5] == Related(H, 0.5, ("both in the neuron level category",))


RANKED = {
    # paper: [(related, score)], worked out pair by pair as in the test above.
    A: [(B, 2.5), (C, 2.0), (D, 1.5), (G, 1.5)],
    B: [(D, 3.5), (A, 2.5), (G, 2.5), (E, 2.0), (C, 1.0)],
    C: [(A, 2.0), (D, 1.5), (E, 1.5), (B, 1.0), (G, 1.0)],
    D: [(E, 5.5), (B, 3.5), (G, 3.5), (A, 1.5), (C, 1.5)],
    E: [(D, 5.5), (B, 2.0), (C, 1.5), (H, 1.5), (G, 1.0)],
    F: [(G, 2.0)],
    G: [(D, 3.5), (B, 2.5), (F, 2.0), (A, 1.5), (C, 1.0)],
    H: [(E, 1.5), (C, 0.5), (D, 0.5)],
}


@pytest.mark.parametrize("paper", sorted(RANKED))
def test_related_top_five_of_every_fixture_paper(graph: nx.MultiDiGraph, paper: str) -> None:
    assert [(r.paper, r.score) for r in related(graph, paper)] == RANKED[paper]


def test_related_all_matches_the_hand_ranking(graph: nx.MultiDiGraph) -> None:
    every = related_all(graph)
    assert {paper: [(r.paper, r.score) for r in found] for paper, found in every.items()} == (
        RANKED
    )
    assert every[F][0].reasons == ("2 shared references",)
    assert every[A][1].reasons == ("cited together by 2 papers",)


def test_related_takes_only_the_most_cited_papers_of_each_method_and_category(
    graph: nx.MultiDiGraph,
) -> None:
    # With pool=1, H (no citations) sees the most-cited user of neuron-analysis (E, over H)
    # and the most-cited record of model.neuron (C, before D and E by id): D drops out.
    assert [(r.paper, r.score) for r in related(graph, H, pool=1)] == [(E, 1.5), (C, 0.5)]
    assert related_all(graph, pool=1)[H] == related(graph, H, pool=1)


def test_common_references_and_big_reference_lists_do_not_count(
    graph: nx.MultiDiGraph,
) -> None:
    # With common=2, A (cited by 3) is not a shared reference, and D and G (citing 3 each)
    # do not make co-citations. D-E keep C (1) and co-citation by F (1): 3.5, still first
    # by citations over G (3.5: B is still shared). B loses A and G's co-citation: 1.5.
    assert [(r.paper, r.score) for r in related(graph, D, common=2)] == [
        (E, 3.5),
        (G, 3.5),
        (A, 1.5),
        (B, 1.5),
        (C, 1.5),
    ]
    assert related(graph, D, common=2)[0].reasons == (
        "both use activation patching",
        "1 shared reference",
        "cited together by 1 paper",
        "both in the neuron level category",
    )


def test_related_returns_nothing_for_k_zero(graph: nx.MultiDiGraph) -> None:
    assert related(graph, D, k=0) == []
    assert related_all(graph, k=0) == {paper: [] for paper in sorted(RANKED)}


# --- methods --------------------------------------------------------------------------------


def test_lineage_lists_ancestors_and_descendants_nearest_first(graph: nx.MultiDiGraph) -> None:
    assert lineage(graph, "edge-patching") == Lineage(
        ("attribution-patching", "path-patching", "activation-patching"), ()
    )
    assert lineage(graph, "activation-patching") == Lineage(
        (), ("attribution-patching", "path-patching", "edge-patching")
    )
    assert lineage(graph, "tuned-lens") == Lineage(("logit-lens",), ())
    assert lineage(graph, "benchmark") == Lineage((), ())


def test_a_lineage_loop_never_makes_a_method_its_own_ancestor() -> None:
    graph = nx.MultiDiGraph()
    for a, b in [("x", "y"), ("y", "z"), ("z", "x")]:
        graph.add_edge(f"method:{a}", f"method:{b}", key="extends", kind="extends")
    assert lineage(graph, "x") == Lineage(("y", "z"), ("z", "y"))


def test_method_papers_separate_proposing_from_using(graph: nx.MultiDiGraph) -> None:
    assert method_papers(graph, "tuned-lens") == MethodPapers((B,), (G,))
    assert method_papers(graph, "attribution-patching") == MethodPapers((E,), ())
    assert method_papers(graph, "logit-lens") == MethodPapers((), (G, B, D, A))
    assert method_papers(graph, "edge-patching") == MethodPapers((), ())


# --- influence and timeline -----------------------------------------------------------------

# PageRank by hand (damping 0.85, N = 8; A, C and H cite nothing and spread their weight):
# every record gets the same base b from teleporting and dangling weight; F, G and H get
# nothing else, so each is b. D = E = b + 0.85 (F/2 + G/3) = 41b/24. B = b + 0.85 (D/3 + G/3)
# = 509b/288. C = b + 0.85 (D/3 + E/2) = 1273b/576. A = b + 0.85 (B + D/3 + E/2) =
# 21383b/5760. They sum to 1, so b = 5760/81253.
PAGERANK = {
    A: Fraction(21383, 81253),
    C: Fraction(12730, 81253),
    B: Fraction(10180, 81253),
    D: Fraction(9840, 81253),
    E: Fraction(9840, 81253),
    G: Fraction(5760, 81253),
    F: Fraction(5760, 81253),
    H: Fraction(5760, 81253),
}


def test_influence_is_pagerank_over_citations(graph: nx.MultiDiGraph) -> None:
    scores = influence(graph)
    assert list(scores) == list(PAGERANK)  # ties D = E and G = F = H by id
    for paper, exact in PAGERANK.items():
        assert scores[paper] == pytest.approx(float(exact), abs=1e-9)
    assert sum(scores.values()) == pytest.approx(1.0)


def test_influence_by_year_ranks_each_year_on_its_own(graph: nx.MultiDiGraph) -> None:
    years = influence_by_year(graph)
    assert {year: list(papers) for year, papers in years.items()} == {
        2020: [A],
        2021: [C, B],
        2022: [D, E],
        2023: [G, F, H],
    }
    assert years[2021][B] == influence(graph)[B]


def test_timeline_counts_records_per_primary_leaf_and_year(kb: KnowledgeBase) -> None:
    assert timeline(kb) == {
        "data.benchmark": {2020: 0, 2021: 0, 2022: 0, 2023: 1},
        "model.token": {2020: 0, 2021: 0, 2022: 0, 2023: 0},
        "model.neuron": {2020: 0, 2021: 1, 2022: 1, 2023: 1},  # C, E, H (D is layer first)
        "model.layer": {2020: 1, 2021: 1, 2022: 1, 2023: 1},  # A, B, D, G
    }


# --- gaps -----------------------------------------------------------------------------------


def test_gap_matrices_count_records_in_every_leaf_they_cover(kb: KnowledgeBase) -> None:
    found = gaps(kb)
    assert list(found.matrices) == ["modality", "access", "scope", "stage", "granularity"]
    modality = found.matrices["modality"]
    assert modality.columns == ("image", "text", "audio", "video")
    assert modality.counts == {
        "data.benchmark": {"image": 0, "text": 1, "audio": 1, "video": 0},  # F
        "model.token": {"image": 0, "text": 0, "audio": 0, "video": 0},
        "model.neuron": {"image": 3, "text": 3, "audio": 0, "video": 1},  # C D E, H
        "model.layer": {"image": 2, "text": 4, "audio": 0, "video": 0},  # D G, A B D G
    }
    access = found.matrices["access"]
    assert access.columns == ("black-box", "grey-box", "white-box")
    assert access.counts["data.benchmark"] == {"black-box": 1, "grey-box": 0, "white-box": 0}
    assert access.counts["model.neuron"] == {"black-box": 0, "grey-box": 0, "white-box": 4}
    granularity = found.matrices["granularity"].counts
    # C circuit; D layer + circuit; E circuit (both patchings) + neuron; H neuron.
    assert granularity["model.neuron"] == {
        "input": 0,
        "token": 0,
        "embedding": 0,
        "neuron": 2,
        "layer": 1,
        "circuit": 3,
        "model": 0,
    }
    assert found.matrices["stage"].counts["model.layer"]["post-hoc"] == 4


def test_thinnest_cells_are_empty_where_the_margins_expect_most(kb: KnowledgeBase) -> None:
    # Expected = row total x column total / grand total, e.g. scope: layer has 4 (all local),
    # global has 3 of 10, so layer x global expects 1.2; granularity: layer has 6 of 13 cells
    # and neuron 2, so layer x neuron expects 12/13. Empty leaves (model.token) are skipped.
    thinnest = gaps(kb, limit=7).thinnest
    assert [(gap.axis, gap.leaf, gap.column, gap.count) for gap in thinnest] == [
        ("scope", "model.layer", "global", 0),
        ("granularity", "model.layer", "neuron", 0),
        ("access", "data.benchmark", "white-box", 0),
        ("scope", "data.benchmark", "local", 0),
        ("modality", "data.benchmark", "image", 0),
        ("modality", "model.neuron", "audio", 0),
        ("granularity", "model.neuron", "model", 0),
    ]
    assert [gap.expected for gap in thinnest] == pytest.approx(
        [1.2, 12 / 13, 8 / 9, 0.7, 2 / 3, 7 / 15, 6 / 13]
    )
    assert thinnest[5].text == "no work in neuron level studies audio"
    assert thinnest[0].text == "no work in layer level uses global methods"
    assert thinnest[1].text == "no work in layer level uses neuron-level methods"


def test_thin_cells_with_records_say_how_many(kb: KnowledgeBase) -> None:
    cells = gaps(kb, limit=100).thinnest
    first_nonempty = next(gap for gap in cells if gap.count)
    # layer-level methods in model.neuron: only D; expected 6 x 5 / 13.
    assert first_nonempty.text == "only 1 work in neuron level uses layer-level methods"
    assert first_nonempty.expected == pytest.approx(30 / 13)
    assert all(gap.leaf != "model.token" for gap in cells)


def test_in_sentence_lowers_plain_names_only() -> None:
    assert in_sentence("Logit lens") == "logit lens"
    assert in_sentence("Grad-CAM") == "Grad-CAM"
    assert in_sentence("3D") == "3D"
    assert in_sentence("LLaVA features") == "LLaVA features"


# --- integrity ------------------------------------------------------------------------------


def test_isolated_records_are_research_records_outside_the_citation_graph(
    kb: KnowledgeBase, graph: nx.MultiDiGraph
) -> None:
    assert isolated(graph) == [H]
    assert isolated_records(kb) == [H]
    survey = KnowledgeBase(
        kb.taxonomy,
        {**kb.papers, H: kb.papers[H].model_copy(update={"kind": "survey"})},
        kb.documents,
        kb.vocabulary_documents,
    )
    assert isolated_records(survey) == []
    alone = KnowledgeBase(kb.taxonomy, {H: kb.papers[H]}, kb.documents, {})
    assert isolated_records(alone) == []


# --- exports and the command line -----------------------------------------------------------


def test_node_link_export_is_stable(graph: nx.MultiDiGraph) -> None:
    assert_golden("graph/fixture.json", json.dumps(node_link(graph), indent=1) + "\n")


def test_graphml_export_is_stable(graph: nx.MultiDiGraph) -> None:
    assert_golden("graph/fixture.graphml", graphml(graph))


def test_export_prints_the_same_bytes_the_library_gives(graph: nx.MultiDiGraph) -> None:
    result = CliRunner().invoke(main, ["--root", str(FIXTURE), "graph", "export"])
    assert result.exit_code == 0
    assert result.output == json.dumps(node_link(graph), ensure_ascii=False, sort_keys=True) + (
        "\n"
    )
    exported = CliRunner().invoke(
        main, ["--root", str(FIXTURE), "graph", "export", "--format", "graphml"]
    )
    assert exported.output == graphml(graph)


def test_export_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "graph.graphml"
    args = ["--root", str(FIXTURE), "graph", "export", "--format", "graphml", "-o", str(target)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    assert result.output == f"wrote {target}: 26 nodes, 59 edges\n"
    assert nx.read_graphml(target).number_of_nodes() == 26


def test_export_leaves_out_broken_records_and_says_so(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE, root)
    (root / "papers" / f"{H}.yaml").write_text("id: hu2023video\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--root", str(root), "graph", "export"])
    assert result.exit_code == 0
    assert "paper:hu2023video" not in result.stdout
    assert result.stderr.startswith("note: ")


def test_export_rejects_an_unknown_format() -> None:
    result = CliRunner().invoke(main, ["--root", str(FIXTURE), "graph", "export", "--format", "x"])
    assert result.exit_code == 2


def test_stats_show_the_most_influential_records_and_the_thinnest_gaps() -> None:
    result = CliRunner().invoke(main, ["--root", str(FIXTURE), "stats"])
    assert result.exit_code == 0
    sections = result.output[result.output.index("most influential records") :]
    assert_golden("graph/stats.txt", sections)
