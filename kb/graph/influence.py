"""Influence: PageRank over the citations, overall and within each year."""

from __future__ import annotations

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sparse

from kb.core.memory import collector_paused
from kb.graph.build import (
    IntArray,
    node_of,
)
from kb.graph.queries import citation_rows, paper_ids

__all__ = [
    "influence",
    "influence_by_year",
]

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
    papers = paper_ids(graph)
    if not papers:
        return {}
    scores = _pagerank(len(papers), citation_rows(graph, papers))
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
        year = int(graph.nodes[node_of("paper", paper)]["year"])
        years.setdefault(year, {})[paper] = score
    return dict(sorted(years.items()))
