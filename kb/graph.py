"""Stage "link": the knowledge base as a typed networkx multi-digraph, and the queries over it.

Nodes are ``paper:<id>``, ``method:<id>``, ``category:<leaf>``, ``model:<id>`` and
``modality:<id>``, each with a ``kind`` attribute. Edges carry ``kind`` (also their key, so a
pair of nodes has at most one edge of each kind):

- ``cites``: paper -> paper (aliases resolved; self and dangling citations are left to
  `kb validate`),
- ``proposes``: paper -> method, when taxonomy/methods.yaml names the paper ``introduced_by``,
- ``uses``: paper -> method, for each method the record lists,
- ``extends``: method -> the method it extends (lineage),
- ``in_category``: paper -> each of its taxonomy leaves, ``primary=True`` on the first,
- ``studies``: paper -> model and paper -> modality.

Every function returns values in a fixed order (sorted ids, stated tie-breaks), so the same
knowledge base always gives the same bytes downstream.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sparse

from kb.gaps import Gap, GapMatrix, Gaps, gaps, in_sentence, timeline
from kb.memory import collector_paused
from kb.validate import KnowledgeBase

__all__ = [
    "COMMON",
    "EDGE_KINDS",
    "NODE_KINDS",
    "POOL",
    "Gap",
    "GapMatrix",
    "Gaps",
    "Lineage",
    "MethodPapers",
    "Related",
    "build_graph",
    "citation_counts",
    "cited_by",
    "cited_by_all",
    "gaps",
    "graphml",
    "influence",
    "influence_by_year",
    "isolated",
    "isolated_records",
    "lineage",
    "method_papers",
    "node_link",
    "related",
    "related_all",
    "resolved_citations",
    "timeline",
]

NODE_KINDS = ("paper", "method", "category", "model", "modality")
EDGE_KINDS = ("cites", "proposes", "uses", "extends", "in_category", "studies")

# NOTE: how many papers per method and per category `related` looks at besides the citation
# neighbourhood: the most-cited ones. It bounds the work per paper at any knowledge-base size
# (a method used by 20,000 papers would otherwise make `related_all` quadratic); below this
# size (every method and category of the real knowledge base today) the ranking is exact.
POOL = 50

# NOTE: a reference cited by more than this many records (LLaVA, in a large knowledge base) or a
# record citing more than this many (a big survey) says little about two papers being alike,
# and counting it would make the work grow with the square of its citations. No record of the
# real knowledge base reaches it yet.
COMMON = 50

# Score per signal, in half points so that sorting can stay in integers: a shared reference, a
# paper citing both and a shared method weigh 1, a shared category 0.5.
_HALF_POINTS = {"coupled": 2, "cocited": 2, "method": 2, "leaf": 1}

IntArray = npt.NDArray[np.int64]
Bits = npt.NDArray[np.uint64]


@dataclass(frozen=True)
class Related:
    """A paper related to another, its score and the reasons, e.g. "2 shared references"."""

    paper: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Lineage:
    """Methods a method extends (ancestors) and that extend it (descendants), nearest first."""

    ancestors: tuple[str, ...]
    descendants: tuple[str, ...]


@dataclass(frozen=True)
class MethodPapers:
    """Papers that propose a method, and the other papers that use it (sorted ids)."""

    proposing: tuple[str, ...]
    using: tuple[str, ...]


def _node(kind: str, key: str) -> str:
    return f"{kind}:{key}"


def _key(node: str) -> str:
    return node.partition(":")[2]


# NOTE: neighbourhood reads go to networkx's own adjacency dicts (succ[u][v][key] -> attributes,
# pred[v][u] the same key dict) instead of its views, which build a view object per neighbour:
# whole-graph passes over 1.5 million edges are several times faster so.
def _succ(graph: nx.MultiDiGraph) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    adjacency: dict[str, dict[str, dict[str, dict[str, Any]]]] = graph._succ
    return adjacency


def _pred(graph: nx.MultiDiGraph) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    adjacency: dict[str, dict[str, dict[str, dict[str, Any]]]] = graph._pred
    return adjacency


def resolved_citations(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    """(citing, cited) id pairs, aliases resolved, without self-citations or missing records.

    The citations `kb validate` rejects are left out here, so the graph of a knowledge base
    with errors is still the graph of the records that are right.
    """
    aliases = {
        alias: paper.id
        for paper in kb.papers.values()
        for alias in paper.aliases
        if alias not in kb.papers
    }
    for paper in kb.papers.values():
        seen: set[str] = set()
        for target in paper.cites:
            cited = aliases.get(target, target)
            if cited != paper.id and cited in kb.papers and cited not in seen:
                seen.add(cited)
                yield paper.id, cited


def _nodes(kb: KnowledgeBase) -> Iterator[tuple[str, dict[str, Any]]]:
    taxonomy = kb.taxonomy
    for paper in kb.papers.values():
        yield (
            _node("paper", paper.id),
            {
                "kind": "paper",
                "label": paper.id,
                "title": paper.title,
                "year": paper.year,
                "venue": paper.venue,
                "record_kind": paper.kind,
                "leaf": paper.leaf,
            },
        )
    for method in taxonomy.methods.values():
        properties = method.properties.model_dump()
        yield (
            _node("method", method.id),
            {"kind": "method", "label": method.name, "name": method.name, **properties},
        )
    for leaf in taxonomy.leaves:
        name = taxonomy.perspectives[leaf].name
        yield (
            _node("category", leaf),
            {
                "kind": "category",
                "label": name,
                "name": name,
                "perspective": taxonomy.perspective_of(leaf),
            },
        )
    for kind, table in (("model", taxonomy.models), ("modality", taxonomy.modalities)):
        for entry in table.values():
            yield _node(kind, entry.id), {"kind": kind, "label": entry.name, "name": entry.name}


def _link(graph: nx.MultiDiGraph, kb: KnowledgeBase) -> None:
    """Add every edge, each pair and kind once, exactly as `MultiDiGraph.add_edge` would.

    NOTE: add_edge checks and clears caches on every call, about 5 µs an edge; the graph of
    100,000 records has some 1.5 million edges, which would take a third of the time budget of
    a site build. A MultiDiGraph keeps an edge as succ[u][v][key] -> attribute dict, the same
    key dict also at pred[v][u]; writing that directly, record by record, is several times
    faster. Tests check the result equals a graph built with add_edge.
    """
    taxonomy = kb.taxonomy
    succ, pred = _succ(graph), _pred(graph)
    papers = {paper_id: _node("paper", paper_id) for paper_id in kb.papers}
    methods = {method_id: _node("method", method_id) for method_id in taxonomy.methods}
    leaves = {leaf: _node("category", leaf) for leaf in taxonomy.leaves}
    studied = {key: _node("model", key) for key in taxonomy.models}
    studied.update({key: _node("modality", key) for key in taxonomy.modalities})
    references: dict[str, list[str]] = {}
    for citing, cited in resolved_citations(kb):
        references.setdefault(citing, []).append(cited)
    for paper in kb.papers.values():
        u = papers[paper.id]
        out = succ[u]
        # Each target below is new to `out`: ids are unique within a list, and the kinds of
        # target (paper, method, category, model, modality) never overlap.
        for cited in references.get(paper.id, ()):
            v = papers[cited]
            out[v] = pred[v][u] = {"cites": {"kind": "cites"}}
        for method_id in paper.methods:
            v = methods[method_id]
            out[v] = pred[v][u] = {"uses": {"kind": "uses"}}
        for index, leaf in enumerate(paper.taxonomy):
            v = leaves[leaf]
            edge = {"kind": "in_category", "primary": index == 0}
            out[v] = pred[v][u] = {"in_category": edge}
        for key in (*paper.models, *paper.modalities):
            v = studied[key]
            out[v] = pred[v][u] = {"studies": {"kind": "studies"}}
    for method in taxonomy.methods.values():
        v = methods[method.id]
        if method.introduced_by in papers:
            _add(succ, pred, papers[method.introduced_by], v, "proposes")
        for parent in method.extends:
            if parent in methods:
                _add(succ, pred, v, methods[parent], "extends")
    cache = getattr(graph, "__networkx_cache__", None)
    if cache:
        cache.clear()


def _add(
    succ: dict[str, dict[str, dict[str, dict[str, Any]]]],
    pred: dict[str, dict[str, dict[str, dict[str, Any]]]],
    u: str,
    v: str,
    kind: str,
) -> None:
    keys = succ[u].get(v)
    if keys is None:
        keys = succ[u][v] = pred[v][u] = {}
    keys[kind] = {"kind": kind}


def build_graph(kb: KnowledgeBase) -> nx.MultiDiGraph:
    """The typed multi-digraph of `kb`: every record and every vocabulary entry is a node.

    Vocabulary entries no record uses are nodes too, so method lineage and the category list
    are complete. Only valid links become edges: every endpoint is a node.
    """
    graph = nx.MultiDiGraph()
    with collector_paused():
        graph.add_nodes_from(_nodes(kb))
        _link(graph, kb)
    return graph


# --- neighbourhoods -------------------------------------------------------------------------


def _require(graph: nx.MultiDiGraph, kind: str, key: str) -> str:
    node = _node(kind, key)
    if node not in graph:
        raise KeyError(f"no {kind} {key!r} in the graph")
    return node


def _targets(graph: nx.MultiDiGraph, node: str, *kinds: str) -> list[str]:
    """Ids of the nodes `node` points to through edges of `kinds`, sorted, without repeats."""
    wanted = frozenset(kinds)
    return sorted(_key(v) for v, keys in _succ(graph)[node].items() if not wanted.isdisjoint(keys))


def _sources(graph: nx.MultiDiGraph, node: str, *kinds: str) -> list[str]:
    """Ids of the nodes pointing to `node` through edges of `kinds`, sorted, without repeats."""
    wanted = frozenset(kinds)
    return sorted(_key(u) for u, keys in _pred(graph)[node].items() if not wanted.isdisjoint(keys))


def cited_by(graph: nx.MultiDiGraph, paper_id: str) -> list[str]:
    """The records that cite `paper_id`, sorted by id.

    Raises:
        KeyError: `paper_id` is not a record of the graph.
    """
    return _sources(graph, _require(graph, "paper", paper_id), "cites")


def _papers(graph: nx.MultiDiGraph) -> list[str]:
    """Every record id, sorted."""
    return sorted(_key(n) for n, kind in graph.nodes(data="kind") if kind == "paper")


@collector_paused()
def cited_by_all(graph: nx.MultiDiGraph) -> dict[str, list[str]]:
    """`cited_by` for every record (by id) in one pass, for the site's paper pages."""
    pred = _pred(graph)
    return {
        paper: sorted(_key(u) for u, keys in pred[_node("paper", paper)].items() if "cites" in keys)
        for paper in _papers(graph)
    }


@collector_paused()
def citation_counts(graph: nx.MultiDiGraph) -> dict[str, int]:
    """How often each record is cited by other records of the knowledge base, by id."""
    pred = _pred(graph)
    return {
        paper: sum("cites" in keys for keys in pred[_node("paper", paper)].values())
        for paper in _papers(graph)
    }


@collector_paused()
def _citations(graph: nx.MultiDiGraph, papers: list[str]) -> IntArray:
    """The `cites` edges as (citing, cited) rows of paper numbers (positions in `papers`)."""
    number = {_node("paper", p): i for i, p in enumerate(papers)}
    succ = _succ(graph)
    pairs = [
        (i, number[v]) for u, i in number.items() for v, keys in succ[u].items() if "cites" in keys
    ]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


# --- methods --------------------------------------------------------------------------------


def _walk(graph: nx.MultiDiGraph, start: str, upwards: bool) -> tuple[str, ...]:
    """Methods reachable through `extends` edges, by distance then id; `start` excluded."""
    distance = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        step = graph.succ[node] if upwards else graph.pred[node]
        for other in sorted(n for n, keys in step.items() if "extends" in keys):
            if other not in distance:
                distance[other] = distance[node] + 1
                queue.append(other)
    del distance[start]
    return tuple(_key(n) for n in sorted(distance, key=lambda n: (distance[n], n)))


def lineage(graph: nx.MultiDiGraph, method_id: str) -> Lineage:
    """Every method `method_id` extends, directly or not, and every method extending it.

    Each list is nearest first (fewest `extends` steps), then by id; a loop in the lineage
    (reported by `kb validate` as extends-cycle) never makes a method its own ancestor here.

    Raises:
        KeyError: `method_id` is not a method of the graph.
    """
    node = _require(graph, "method", method_id)
    return Lineage(_walk(graph, node, upwards=True), _walk(graph, node, upwards=False))


def method_papers(graph: nx.MultiDiGraph, method_id: str) -> MethodPapers:
    """The papers proposing `method_id` and the other papers using it, each sorted by id.

    A paper that proposes a method and also lists it is only among the proposing ones, so a
    method page shows each paper once.

    Raises:
        KeyError: `method_id` is not a method of the graph.
    """
    node = _require(graph, "method", method_id)
    proposing = _sources(graph, node, "proposes")
    using = [p for p in _sources(graph, node, "uses") if p not in proposing]
    return MethodPapers(tuple(proposing), tuple(using))


# --- influence ------------------------------------------------------------------------------


def _pagerank(count: int, cites: IntArray, alpha: float = 0.85) -> npt.NDArray[np.float64]:
    """PageRank by power iteration, as networkx computes it (uniform teleport; a node with no
    out-links spreads its weight evenly), on a sparse matrix: no second graph is built.
    """
    outgoing = np.bincount(cites[:, 0], minlength=count).astype(np.float64)
    weights = 1.0 / outgoing[cites[:, 0]]
    spread = sparse.csr_matrix((weights, (cites[:, 1], cites[:, 0])), shape=(count, count))
    dangling = outgoing == 0
    scores = np.full(count, 1.0 / count)
    # NOTE: the error shrinks by `alpha` a step, so 1e-12 per node takes some 200 steps.
    for _ in range(10_000):
        last = scores
        scores = alpha * (spread @ last + last[dangling].sum() / count) + (1 - alpha) / count
        if np.abs(scores - last).sum() < count * 1e-12:
            break
    return scores


@collector_paused()
def influence(graph: nx.MultiDiGraph) -> dict[str, float]:
    """PageRank of every record over `cites` edges, most influential first (ties by id).

    Standard PageRank (damping 0.85; a record citing nothing spreads its weight evenly, as in
    `networkx.pagerank`), so the scores sum to 1. Values are rounded to 12 decimals so that
    ties stay ties and the output does not depend on the last bits of floating-point sums.
    """
    papers = _papers(graph)
    if not papers:
        return {}
    scores = _pagerank(len(papers), _citations(graph, papers))
    rounded = {paper: round(float(score), 12) for paper, score in zip(papers, scores, strict=True)}
    return dict(sorted(rounded.items(), key=lambda item: (-item[1], item[0])))


def influence_by_year(
    graph: nx.MultiDiGraph, scores: dict[str, float] | None = None
) -> dict[int, dict[str, float]]:
    """The records of each year, most influential first: who stood out in their own year.

    PageRank favours older records (they had more time to be cited), so the site shows the
    leaders of each year beside the overall ranking. `scores` reuses an `influence` result.
    """
    scores = influence(graph) if scores is None else scores
    years: dict[int, dict[str, float]] = {}
    for paper, score in scores.items():
        year = int(graph.nodes[_node("paper", paper)]["year"])
        years.setdefault(year, {})[paper] = score
    return dict(sorted(years.items()))


# --- related papers -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Signals:
    """Why two papers are related: the shared methods and leaves and the citation counts."""

    methods: tuple[str, ...]
    coupled: int
    cocited: int
    leaves: tuple[str, ...]

    @property
    def half_points(self) -> int:
        return (
            _HALF_POINTS["method"] * len(self.methods)
            + _HALF_POINTS["coupled"] * self.coupled
            + _HALF_POINTS["cocited"] * self.cocited
            + _HALF_POINTS["leaf"] * len(self.leaves)
        )


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class _Wording:
    """Reason sentences for the site; names are looked up once and sentences reused.

    Reasons come in a fixed order: shared methods, shared references, co-citation, shared
    categories, e.g. ("both use activation patching", "3 shared references").
    """

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self._graph = graph
        self._methods: dict[tuple[str, ...], str] = {}
        self._leaves: dict[tuple[str, ...], str] = {}

    def _name(self, kind: str, key: str) -> str:
        return in_sentence(str(self._graph.nodes[_node(kind, key)]["name"]))

    def _method_reason(self, methods: tuple[str, ...]) -> str:
        if methods not in self._methods:
            names = sorted((self._name("method", m), m) for m in methods)
            self._methods[methods] = "both use " + _join([name for name, _ in names])
        return self._methods[methods]

    def _leaf_reason(self, leaves: tuple[str, ...]) -> str:
        if leaves not in self._leaves:
            names = [self._name("category", leaf) for leaf in leaves]
            noun = "category" if len(names) == 1 else "categories"
            self._leaves[leaves] = f"both in the {_join(names)} {noun}"
        return self._leaves[leaves]

    def related(self, paper: str, signals: _Signals) -> Related:
        reasons: list[str] = []
        if signals.methods:
            reasons.append(self._method_reason(signals.methods))
        if signals.coupled:
            reasons.append(_plural(signals.coupled, "shared reference"))
        if signals.cocited:
            reasons.append(f"cited together by {_plural(signals.cocited, 'paper')}")
        if signals.leaves:
            reasons.append(self._leaf_reason(signals.leaves))
        return Related(paper, signals.half_points / 2, tuple(reasons))


def _citation_count(graph: nx.MultiDiGraph, paper: str) -> int:
    return sum("cites" in keys for keys in graph.pred[_node("paper", paper)].values())


def related(
    graph: nx.MultiDiGraph,
    paper_id: str,
    k: int = 5,
    *,
    pool: int = POOL,
    common: int = COMMON,
) -> list[Related]:
    """The `k` records most related to `paper_id`, best first, each with its reasons.

    Signals, each named in the reasons: shared references (bibliographic coupling, 1 point
    each), records citing both (co-citation, 1 point each), shared methods (1 point each) and
    shared taxonomy leaves (0.5 each). Direct citations are not a signal: the site lists them
    as cites and cited-by already. A reference cited by more than `common` records, or a
    record citing more than `common` records, is too common to show two papers alike, and is
    not counted. Candidates are the papers sharing a counted reference or citing record and,
    for each method and leaf of the paper, the `pool` most-cited papers there; so the work
    per paper is bounded by its neighbourhood, whatever the size of the knowledge base. Ties
    go to the more-cited paper, then the smaller id. Papers with no signal are never listed,
    so fewer than `k` may come back.

    Raises:
        KeyError: `paper_id` is not a record of the graph.
    """
    node = _require(graph, "paper", paper_id)
    if k <= 0:
        return []
    counts: dict[str, int] = {}

    def rank(paper: str) -> tuple[int, str]:
        if paper not in counts:
            counts[paper] = _citation_count(graph, paper)
        return -counts[paper], paper

    def refs(paper: str) -> list[str]:
        return _targets(graph, _node("paper", paper), "cites")

    def citers(paper: str) -> list[str]:
        return _sources(graph, _node("paper", paper), "cites")

    def top(members: list[str]) -> list[str]:
        return heapq.nsmallest(pool, members, key=rank)

    cocited: Counter[str] = Counter()
    for citer in citers(paper_id):
        together = refs(citer)
        if len(together) <= common:
            cocited.update(together)
    coupled: Counter[str] = Counter()
    for reference in refs(paper_id):
        sharing = citers(reference)
        if len(sharing) <= common:
            coupled.update(sharing)
    candidates = set(cocited) | set(coupled)
    methods = set(_targets(graph, node, "uses", "proposes"))
    leaves = _leaf_order(graph, node)
    for method in methods:
        candidates.update(top(_sources(graph, _node("method", method), "uses", "proposes")))
    for leaf in leaves:
        candidates.update(top(_sources(graph, _node("category", leaf), "in_category")))
    candidates.discard(paper_id)
    scored: list[tuple[int, str, _Signals]] = []
    for other in candidates:
        other_node = _node("paper", other)
        other_leaves = set(_targets(graph, other_node, "in_category"))
        signals = _Signals(
            tuple(sorted(methods & set(_targets(graph, other_node, "uses", "proposes")))),
            coupled[other],
            cocited[other],
            tuple(leaf for leaf in leaves if leaf in other_leaves),
        )
        if signals.half_points:
            scored.append((signals.half_points, other, signals))
    best = heapq.nsmallest(k, scored, key=lambda item: (-item[0], *rank(item[1])))
    wording = _Wording(graph)
    return [wording.related(other, signals) for _, other, signals in best]


def _leaf_order(graph: nx.MultiDiGraph, node: str) -> list[str]:
    """The leaves of a paper, primary first, then in the record's order (graph edge order)."""
    leaves = [
        (not keys["in_category"].get("primary", False), index, _key(v))
        for index, (v, keys) in enumerate(graph.succ[node].items())
        if "in_category" in keys
    ]
    return [leaf for _, _, leaf in sorted(leaves)]


@dataclass(frozen=True)
class _Index:
    """The graph as integer arrays, papers numbered by sorted id, for whole-KB computations."""

    papers: list[str]
    cites: IntArray  # (citing, cited) rows
    methods: IntArray  # (paper, method number) rows: methods used or proposed
    leaves: IntArray  # (paper, leaf number) rows
    method_ids: list[str]
    leaf_ids: list[str]
    leaf_order: list[tuple[int, ...]]  # each paper's leaf numbers, primary first
    rank: IntArray  # position of each paper when sorted by (-citations, id)


def _index(graph: nx.MultiDiGraph) -> _Index:
    """One pass over the records' out-edges."""
    papers = _papers(graph)
    kinds = dict(graph.nodes(data="kind"))
    method_ids = sorted(_key(n) for n, kind in kinds.items() if kind == "method")
    leaf_ids = sorted(_key(n) for n, kind in kinds.items() if kind == "category")
    number = {_node("paper", p): i for i, p in enumerate(papers)}
    number.update({_node("method", m): i for i, m in enumerate(method_ids)})
    number.update({_node("category", leaf): i for i, leaf in enumerate(leaf_ids)})
    found: dict[str, tuple[list[int], list[int]]] = {
        kind: ([], []) for kind in ("cites", "method", "leaf")
    }
    cites, methods, leaves = found["cites"], found["method"], found["leaf"]
    ordered: list[tuple[int, ...]] = []
    succ = _succ(graph)
    for i, paper in enumerate(papers):
        listed: list[int] = []
        for v, keys in succ[_node("paper", paper)].items():
            if "cites" in keys:
                cites[0].append(i)
                cites[1].append(number[v])
            elif "uses" in keys or "proposes" in keys:
                methods[0].append(i)
                methods[1].append(number[v])
            elif "in_category" in keys:
                leaves[0].append(i)
                leaves[1].append(number[v])
                if keys["in_category"].get("primary"):
                    listed.insert(0, number[v])
                else:
                    listed.append(number[v])
        ordered.append(tuple(listed))
    arrays = {
        kind: np.array(columns, dtype=np.int64).reshape(2, -1).T for kind, columns in found.items()
    }
    citations = np.bincount(arrays["cites"][:, 1], minlength=len(papers))
    rank = np.empty(len(papers), dtype=np.int64)
    rank[np.argsort(-citations, kind="stable")] = np.arange(len(papers), dtype=np.int64)
    return _Index(
        papers,
        arrays["cites"],
        arrays["method"],
        arrays["leaf"],
        method_ids,
        leaf_ids,
        ordered,
        rank,
    )


def _ragged(
    owners: IntArray, lists: IntArray, starts: IntArray, lengths: IntArray, values: IntArray
) -> tuple[IntArray, IntArray]:
    """(owner, value) pairs: each owners[i] with the values of list lists[i].

    List j is values[starts[j] : starts[j] + lengths[j]]; vectorised, no loop per list.
    """
    widths = lengths[lists]
    rows = np.repeat(owners, widths)
    offsets = np.cumsum(widths) - widths
    cols = values[np.repeat(starts[lists] - offsets, widths) + np.arange(len(rows))]
    return rows, cols


def _bits(count: int, incidence: IntArray, width: int) -> Bits:
    """A bit set per paper of the features in `incidence` ((paper, feature) rows)."""
    words = max(1, (width + 63) // 64)
    masks = np.zeros((count, words), dtype=np.uint64)
    if len(incidence):
        bit = np.left_shift(np.uint64(1), (incidence[:, 1] % 64).astype(np.uint64))
        np.bitwise_or.at(masks, (incidence[:, 0], incidence[:, 1] // 64), bit)
    return masks


def _shared(masks: Bits, rows: IntArray, cols: IntArray, other: Bits) -> IntArray:
    """How many features each (row, col) pair has in common (`other` holds the cols' bits)."""
    total = np.zeros(len(rows), dtype=np.int64)
    for word in range(masks.shape[1]):
        total += np.bitwise_count(masks[rows, word] & other[cols, word]).astype(np.int64)
    return total


def _profiles(index: _Index, bits: tuple[Bits, Bits]) -> tuple[IntArray, IntArray]:
    """Papers with the same methods and the same leaves in the same order share a profile.

    Returns each paper's profile number and one paper of each profile. Scores without
    citations, and the wording of reasons, depend on the profiles only.
    """
    n = len(index.papers)
    width = max((len(listed) for listed in index.leaf_order), default=0)
    order = np.full((n, max(width, 1)), -1, dtype=np.int64)
    for i, listed in enumerate(index.leaf_order):
        order[i, : len(listed)] = listed
    keys = np.concatenate([bits[0].view(np.int64), bits[1].view(np.int64), order], axis=1)
    _, first, profile = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return profile.reshape(-1).astype(np.int64), first.astype(np.int64)


def _attribute_candidates(
    index: _Index, bits: tuple[Bits, Bits], profiles: tuple[IntArray, IntArray], pool: int, k: int
) -> tuple[IntArray, IntArray]:
    """(paper, candidate) pairs from the method and leaf pools that can reach a top `k`.

    Papers of one profile share their pool candidates and the scores without citations; so
    each profile ranks its pool union once, by score then rank, and keeps its first k + 1 (one
    place for the paper itself). NOTE: that is exact: a candidate placed after k others of the
    list is beaten by each of them (by the same order, or strictly when the other also shares
    citations, which only add points), so it cannot be in the top k.
    """
    n = len(index.papers)
    profile, first = profiles
    methods = len(index.method_ids)
    incidence = np.concatenate([index.methods, index.leaves + np.array([0, methods])])
    if not len(incidence) or pool <= 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    order = np.lexsort((index.rank[incidence[:, 0]], incidence[:, 1]))
    members = incidence[order, 0]
    sizes = np.bincount(incidence[:, 1], minlength=methods + len(index.leaf_ids))
    starts = np.cumsum(sizes) - sizes
    owners = incidence[np.isin(incidence[:, 0], first)]
    rows, cols = _ragged(
        profile[owners[:, 0]], owners[:, 1], starts, np.minimum(sizes, pool), members
    )
    pairs = np.unique(rows * n + cols)
    rows, cols = pairs // n, pairs % n
    points = _HALF_POINTS["method"] * _shared(bits[0][first], rows, cols, bits[0])
    points += _HALF_POINTS["leaf"] * _shared(bits[1][first], rows, cols, bits[1])
    ceiling = int(points.max(initial=0)) + 1
    order = np.argsort((rows * ceiling + (ceiling - 1 - points)) * n + index.rank[cols])
    rows, cols = rows[order], cols[order]
    head = np.searchsorted(rows, np.arange(len(first)))
    keep = np.arange(len(rows)) - head[rows] <= k
    rows, cols = rows[keep], cols[keep]
    lengths = np.bincount(rows, minlength=len(first))
    return _ragged(
        np.arange(n, dtype=np.int64), profile, np.cumsum(lengths) - lengths, lengths, cols
    )


def _candidates(
    index: _Index, pools: tuple[IntArray, IntArray], common: int
) -> tuple[IntArray, ...]:
    """Every candidate pair once: rows, cols, co-citation and coupling counts.

    The diagonal (a paper with itself) is among them; the caller gives it no points.

    NOTE: one sparse product gives all three sources at once, each in its own digit of base
    `n + 2`: with C the counted citations, M = [b²·Cᵀ | b·C | P] and N = [Cᵀ | C | I], M·Nᵀ
    holds b²·(co-citations) + b·(shared references) + (1 for a pool candidate).
    """
    n = len(index.papers)
    src, dst = index.cites[:, 0], index.cites[:, 1]
    cocite = np.bincount(src, minlength=n)[src] <= common
    couple = np.bincount(dst, minlength=n)[dst] <= common
    base = n + 2
    pool_rows, pool_cols = pools
    blocks = [
        (dst[cocite], src[cocite], base * base),
        (src[couple], n + dst[couple], base),
        (pool_rows, 2 * n + pool_cols, 1),
    ]
    left = sparse.csr_matrix(
        (
            np.concatenate([np.full(len(r), w, dtype=np.int64) for r, _, w in blocks]),
            (np.concatenate([r for r, _, _ in blocks]), np.concatenate([c for _, c, _ in blocks])),
        ),
        shape=(n, 3 * n),
    )
    right_rows = np.concatenate([dst[cocite], src[couple], np.arange(n)])
    right_cols = np.concatenate([src[cocite], n + dst[couple], 2 * n + np.arange(n)])
    right = sparse.csr_matrix(
        (np.ones(len(right_rows), dtype=np.int64), (right_rows, right_cols)), shape=(n, 3 * n)
    )
    merged = sparse.csr_matrix(left @ right.T)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(merged.indptr))
    values = merged.data.astype(np.int64, copy=False)
    return rows, merged.indices, values // (base * base), (values // base) % base


def _best(rows: IntArray, points: IntArray, n: int, k: int) -> IntArray:
    """Positions of the pairs that can be among the `k` best of their row (ties included).

    NOTE: a per-row histogram of the (capped) points gives each row's k-th best score, so only
    the few pairs at or above it go on to the full sort, not the tens of millions of candidates.
    """
    cap = 64
    capped = np.minimum(points, cap)
    histogram = np.bincount(rows * (cap + 1) + capped, minlength=n * (cap + 1))
    at_least = np.cumsum(histogram.reshape(n, cap + 1)[:, ::-1], axis=1)[:, ::-1]
    threshold = np.maximum((at_least >= k).sum(axis=1) - 1, 0)
    return np.flatnonzero(capped >= threshold[rows])


def related_all(
    graph: nx.MultiDiGraph, k: int = 5, *, pool: int = POOL, common: int = COMMON
) -> dict[str, list[Related]]:
    """`related(graph, p, k)` for every record p, computed at once for the site build.

    Same definition, candidates, scores, ties and reasons as `related`, vectorised: the
    citation signals are a sparse matrix product over the counted citations (co-citation
    CᵀC, coupling CCᵀ for the citation matrix C), shared methods and leaves are bit-set
    intersections, and the ranking is integer sorting. The cost grows with the number of
    candidate pairs, which `pool` and `common` bound per paper.
    """
    with collector_paused():
        index = _index(graph)
        n = len(index.papers)
        if n == 0 or k <= 0:
            return {paper: [] for paper in index.papers}
        bits = (
            _bits(n, index.methods, len(index.method_ids)),
            _bits(n, index.leaves, len(index.leaf_ids)),
        )
        profiles = _profiles(index, bits)
        pools = _attribute_candidates(index, bits, profiles, pool, k)
        rows, cols, cocited, coupled = _candidates(index, pools, common)
        points = (
            _HALF_POINTS["cocited"] * cocited
            + _HALF_POINTS["coupled"] * coupled
            + _HALF_POINTS["method"] * _shared(bits[0], rows, cols, bits[0])
            + _HALF_POINTS["leaf"] * _shared(bits[1], rows, cols, bits[1])
        )
        points[rows == cols] = 0
        keep = _best(rows, points, n, k)
        rows, cols, points = rows[keep], cols[keep], points[keep]
        cocited, coupled = cocited[keep], coupled[keep]
        ceiling = int(points.max(initial=0)) + 1
        # NOTE: row, score descending, rank (most cited, then id), packed in one integer when
        # it fits in 62 bits: one integer sort is several times faster than a lexsort.
        if n * ceiling * n < 2**62:
            order = np.argsort((rows * ceiling + (ceiling - 1 - points)) * n + index.rank[cols])
        else:  # pragma: no cover - only for knowledge bases far beyond the planned size
            order = np.lexsort((index.rank[cols], -points, rows))
        rows, cols, points = rows[order], cols[order], points[order]
        cocited, coupled = cocited[order], coupled[order]
        starts = np.searchsorted(rows, np.arange(n, dtype=np.int64))
        chosen = np.flatnonzero((np.arange(len(rows)) - starts[rows] < k) & (points > 0))
        pairs = (rows[chosen], cols[chosen], points[chosen], cocited[chosen], coupled[chosen])
        return _materialise(graph, index, profiles[0], pairs)


def _materialise(
    graph: nx.MultiDiGraph,
    index: _Index,
    profile: IntArray,
    pairs: tuple[IntArray, ...],
) -> dict[str, list[Related]]:
    """Related values for the chosen pairs (in rank order), worded exactly as `related` does.

    Reasons depend on the two profiles and the two citation counts only, so each distinct
    combination is worded once.
    """
    papers = index.papers
    methods: list[set[str]] = [set() for _ in papers]
    for paper, method in index.methods.tolist():
        methods[paper].add(index.method_ids[method])
    leaves = [tuple(index.leaf_ids[leaf] for leaf in listed) for listed in index.leaf_order]
    profiles = profile.tolist()
    wording = _Wording(graph)
    reasons: dict[tuple[int, int, int, int], tuple[str, ...]] = {}
    result: dict[str, list[Related]] = {paper: [] for paper in papers}
    for a, b, points, cocite, couple in zip(*(column.tolist() for column in pairs), strict=True):
        key = (profiles[a], profiles[b], cocite, couple)
        worded = reasons.get(key)
        if worded is None:
            signals = _Signals(
                tuple(sorted(methods[a] & methods[b])),
                couple,
                cocite,
                tuple(leaf for leaf in leaves[a] if leaf in leaves[b]),
            )
            worded = reasons[key] = wording.related(papers[b], signals).reasons
        result[papers[a]].append(Related(papers[b], points / 2, worded))
    return result


# --- integrity ------------------------------------------------------------------------------


@collector_paused()
def isolated(graph: nx.MultiDiGraph) -> list[str]:
    """Records that neither cite nor are cited by another record, sorted by id."""
    return [
        paper
        for paper in _papers(graph)
        if not any("cites" in keys for keys in graph.succ[_node("paper", paper)].values())
        and not any("cites" in keys for keys in graph.pred[_node("paper", paper)].values())
    ]


def isolated_records(kb: KnowledgeBase) -> list[str]:
    """Research records outside the citation graph: they cite no record and none cites them.

    The rule of the `isolated-record` notice of `kb validate` (kb/checks.py). Surveys and
    foundation papers are exempt (a survey may be the only record of its kind; a foundation
    paper is often cited by work outside the knowledge base only), and so is a knowledge base
    of a single record. A hit usually means a `cites` list was left empty although the paper
    cites records here.
    """
    if len(kb.papers) < 2:
        return []
    linked = {paper for pair in resolved_citations(kb) for paper in pair}
    return [
        paper.id
        for paper in kb.papers.values()
        if paper.kind == "research" and paper.id not in linked
    ]


# --- export ---------------------------------------------------------------------------------


def _sorted_edges(graph: nx.MultiDiGraph) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """Every edge by (source, target, key): sorting each neighbourhood, not the whole list."""
    succ = _succ(graph)
    for u in sorted(succ):
        neighbours = succ[u]
        for v in sorted(neighbours):
            keys = neighbours[v]
            for key in sorted(keys) if len(keys) > 1 else keys:
                yield u, v, key, keys[key]


# Characters XML 1.0 cannot hold at all, not even as references (U+FFFE, U+FFFF, surrogates,
# most C0 controls); the loader already refuses the controls in records.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@collector_paused()
def node_link(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """The graph as node-link data (JSON-ready), nodes by id, links by (source, target, key).

    It loads back with `networkx.node_link_graph(data, edges="links")`; "links" is the key
    d3 and most graph explorers read.
    """
    nodes = graph.nodes
    return {
        "directed": True,
        "multigraph": True,
        "graph": {},
        "nodes": [{"id": node, **nodes[node]} for node in sorted(nodes)],
        "links": [
            {"source": u, "target": v, "key": key, **data}
            for u, v, key, data in _sorted_edges(graph)
        ],
    }


_GRAPHML_TYPES: dict[type, str] = {bool: "boolean", int: "long", float: "double", str: "string"}
_GRAPHML_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>",
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
    ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
)


def _xml(value: object) -> str:
    """Element text: escaped, and the characters XML cannot hold replaced by U+FFFD."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(_NOT_XML.sub("\ufffd", str(value)))


def _xml_attribute(value: str) -> str:
    return quoteattr(_NOT_XML.sub("\ufffd", value))


def _graphml_data(keys: dict[str, str], data: dict[str, Any], element: str) -> str:
    """The rest of a <node> or <edge> element after its attributes, from `data`."""
    if not data:
        return " />"
    rows = "".join(
        f'      <data key="{keys[name]}">{_xml(data[name])}</data>\n' for name in sorted(data)
    )
    return f">\n{rows}    </{element}>"


def _graphml_types(items: Iterator[dict[str, Any]]) -> dict[str, str]:
    """GraphML type of each attribute name, sorted by name; mixed types fall back to string."""
    types: dict[str, str] = {}
    for data in items:
        for name, value in data.items():
            found = _GRAPHML_TYPES.get(type(value), "string")
            types[name] = found if types.get(name, found) == found else "string"
    return dict(sorted(types.items()))


@collector_paused()
def graphml(graph: nx.MultiDiGraph) -> str:
    """The graph as GraphML (for Gephi, Cytoscape, yEd), nodes and edges in sorted order.

    NOTE: written directly rather than with networkx's writer, which builds an XML tree and
    takes the better part of a minute for 100,000 records. The output has the same shape
    (keys d0.., edge keys as edge ids) and `networkx.read_graphml` reads it back. Text is
    escaped; the few characters XML 1.0 cannot represent at all (U+FFFE, U+FFFF) become
    U+FFFD, so the file always parses.
    """
    nodes = [(node, graph.nodes[node]) for node in sorted(graph)]
    edges = list(_sorted_edges(graph))
    # NOTE: edges with equal (scalar) attributes share their <data> lines, written once.
    signatures = [tuple(data.items()) for *_, data in edges]
    kinds = dict(zip(signatures, (data for *_, data in edges), strict=True))
    declared = {
        "node": _graphml_types(data for _, data in nodes),
        "edge": _graphml_types(iter(kinds.values())),
    }
    ids: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    lines = list(_GRAPHML_HEAD)
    for kind, types in declared.items():
        for name, found in types.items():
            key = ids[kind][name] = f"d{len(ids['node']) + len(ids['edge'])}"
            lines.append(
                f'  <key id="{key}" for="{kind}" attr.name={_xml_attribute(name)}'
                f' attr.type="{found}" />'
            )
    lines.append('  <graph edgedefault="directed">')
    quoted = {node: _xml_attribute(node) for node, _ in nodes}
    for node, data in nodes:
        lines.append(f"    <node id={quoted[node]}" + _graphml_data(ids["node"], data, "node"))
    keys = {key: _xml_attribute(key) for key in {key for _, _, key, _ in edges}}
    rendered = {
        signature: _graphml_data(ids["edge"], data, "edge") for signature, data in kinds.items()
    }
    for (u, v, key, _), signature in zip(edges, signatures, strict=True):
        head = f"    <edge source={quoted[u]} target={quoted[v]} id={keys[key]}"
        lines.append(head + rendered[signature])
    lines += ["  </graph>", "</graphml>"]
    return "\n".join(lines) + "\n"
