"""Related papers: the records most like a record, each with the reasons, for one or all."""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sparse

from kb.core.memory import collector_paused
from kb.graph.build import (
    IntArray,
    key_of,
    node_of,
    out_adjacency,
)
from kb.graph.gaps import in_sentence
from kb.graph.queries import paper_ids, require_node, sources_of, targets_of

__all__ = [
    "COMMON",
    "POOL",
    "Related",
    "related",
    "related_all",
]

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

Bits = npt.NDArray[np.uint64]


@dataclass(frozen=True)
class Related:
    """A paper related to another, its score and the reasons, e.g. "2 shared references"."""

    paper: str
    score: float
    reasons: tuple[str, ...]


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
        return in_sentence(str(self._graph.nodes[node_of(kind, key)]["name"]))

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
    return sum("cites" in keys for keys in graph.pred[node_of("paper", paper)].values())


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
    node = require_node(graph, "paper", paper_id)
    if k <= 0:
        return []
    counts: dict[str, int] = {}

    def rank(paper: str) -> tuple[int, str]:
        if paper not in counts:
            counts[paper] = _citation_count(graph, paper)
        return -counts[paper], paper

    def refs(paper: str) -> list[str]:
        return targets_of(graph, node_of("paper", paper), "cites")

    def citers(paper: str) -> list[str]:
        return sources_of(graph, node_of("paper", paper), "cites")

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
    methods = set(targets_of(graph, node, "uses", "proposes"))
    leaves = _leaf_order(graph, node)
    for method in methods:
        candidates.update(top(sources_of(graph, node_of("method", method), "uses", "proposes")))
    for leaf in leaves:
        candidates.update(top(sources_of(graph, node_of("category", leaf), "in_category")))
    candidates.discard(paper_id)
    scored: list[tuple[int, str, _Signals]] = []
    for other in candidates:
        other_node = node_of("paper", other)
        other_leaves = set(targets_of(graph, other_node, "in_category"))
        signals = _Signals(
            tuple(sorted(methods & set(targets_of(graph, other_node, "uses", "proposes")))),
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
        (not keys["in_category"].get("primary", False), index, key_of(v))
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
    papers = paper_ids(graph)
    kinds = dict(graph.nodes(data="kind"))
    method_ids = sorted(key_of(n) for n, kind in kinds.items() if kind == "method")
    leaf_ids = sorted(key_of(n) for n, kind in kinds.items() if kind == "category")
    number = {node_of("paper", p): i for i, p in enumerate(papers)}
    number.update({node_of("method", m): i for i, m in enumerate(method_ids)})
    number.update({node_of("category", leaf): i for i, leaf in enumerate(leaf_ids)})
    found: dict[str, tuple[list[int], list[int]]] = {
        kind: ([], []) for kind in ("cites", "method", "leaf")
    }
    cites, methods, leaves = found["cites"], found["method"], found["leaf"]
    ordered: list[tuple[int, ...]] = []
    succ = out_adjacency(graph)
    for i, paper in enumerate(papers):
        listed: list[int] = []
        for v, keys in succ[node_of("paper", paper)].items():
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
