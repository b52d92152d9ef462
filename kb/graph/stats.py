"""Counts over the knowledge base, for `kb stats`, the site and the survey."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from kb.core.validate import KnowledgeBase

__all__ = ["Stats", "compute_stats"]


@dataclass(frozen=True)
class Stats:
    """Record counts by facet; each mapping is ordered for display."""

    records: int
    cite_edges: int
    perspectives: dict[str, int]
    leaves: dict[str, int]
    methods: dict[str, int]
    modalities: dict[str, int]
    years: dict[int, int]
    venues: dict[str, int]
    kinds: dict[str, int]


def _by_count(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def compute_stats(kb: KnowledgeBase) -> Stats:
    """Counts by primary perspective and leaf (in taxonomy order), method, modality, year."""
    papers = list(kb.papers.values())
    taxonomy = kb.taxonomy
    leaves = Counter(paper.leaf for paper in papers)
    perspectives = Counter(taxonomy.perspective_of(paper.leaf) for paper in papers)
    return Stats(
        records=len(papers),
        cite_edges=sum(len(paper.cites) for paper in papers),
        perspectives={p: perspectives[p] for p in taxonomy.children(None)},
        leaves={leaf: leaves[leaf] for leaf in taxonomy.leaves},
        methods=_by_count(Counter(m for paper in papers for m in paper.methods)),
        modalities=_by_count(Counter(m for paper in papers for m in paper.modalities)),
        years=dict(sorted(Counter(paper.year for paper in papers).items())),
        venues=_by_count(Counter(paper.venue for paper in papers)),
        kinds=_by_count(Counter(paper.kind for paper in papers)),
    )
