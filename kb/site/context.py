"""Everything the pages need, worked out once per build from the knowledge base and its graph.

Pages only look things up here, so generating the site stays linear in the number of papers:
no page scans the whole knowledge base.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from kb.core.records import Paper, Result
from kb.core.taxonomy import Taxonomy
from kb.core.validate import KnowledgeBase
from kb.export.bibtex import bibtex_entry
from kb.graph.build import build_graph
from kb.graph.evidence import Board, headline_result, leaderboards
from kb.graph.influence import influence
from kb.graph.queries import (
    Lineage,
    Link,
    MethodPapers,
    cited_by,
    lineage,
    method_papers,
    relations_all,
)
from kb.graph.related import Related, related_all

__all__ = ["SiteContext", "site_context"]

# NOTE: leaf and perspective pages list at most this many papers (the most influential first)
# and link to the explorer for the rest, so that one category of a 100,000-paper knowledge
# base does not become a page of many megabytes.
TABLE_LIMIT = 200
COMPARISON_LIMIT = 100
# NOTE: likewise a paper page lists at most this many citing and cited records (a foundation
# model paper can be cited by thousands), the most influential first, and gives the count.
LINK_LIMIT = 100
RELATED = 5


@dataclass(frozen=True)
class SiteContext:
    """Derived, read-only facts about the knowledge base that the page renderers share."""

    kb: KnowledgeBase
    graph: Any
    influence: dict[str, float]
    rank: dict[str, int]
    cited_by: dict[str, list[str]]
    related: dict[str, list[Related]]
    lineages: dict[str, Lineage]
    method_papers: dict[str, MethodPapers]
    papers_under: dict[str, list[str]]
    model_papers: dict[str, list[str]]
    bibtex: dict[str, str]
    site_url: str | None
    relations: dict[str, list[Link]]
    boards: dict[str, list[Board]]
    headline: dict[str, Result]

    @property
    def taxonomy(self) -> Taxonomy:
        """The vocabularies."""
        return self.kb.taxonomy

    @property
    def papers(self) -> dict[str, Paper]:
        """Records by id, sorted by id."""
        return self.kb.papers

    def by_influence(self, ids: list[str]) -> list[str]:
        """`ids` ordered by influence rank (most influential first), ties by id."""
        return sorted(ids, key=lambda pid: (self.rank.get(pid, len(self.rank)), pid))

    def latest(self, count: int) -> list[Paper]:
        """The `count` most recently added records: newest date first, and among records added
        the same day the most influential first (then by id)."""
        dated = [p for p in self.papers.values() if p.added is not None]
        dated.sort(key=lambda p: (self.rank.get(p.id, len(self.rank)), p.id))
        dated.sort(key=lambda p: p.added or date.min, reverse=True)
        return dated[:count]

    def added_on(self, day: date) -> int:
        """How many records carry `day` as their `added` date."""
        return sum(1 for p in self.papers.values() if p.added == day)


def _papers_under(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Node id -> ids of the papers filed (primarily or not) under it, in id order."""
    ancestors: dict[str, list[str]] = {}
    for node in kb.taxonomy.perspectives.values():
        chain = [node.id]
        parent = node.parent
        while parent is not None and parent in kb.taxonomy.perspectives:
            chain.append(parent)
            parent = kb.taxonomy.perspectives[parent].parent
        ancestors[node.id] = chain
    under: dict[str, list[str]] = {node: [] for node in kb.taxonomy.perspectives}
    for paper in kb.papers.values():
        filed = {a for leaf in paper.taxonomy for a in ancestors.get(leaf, [leaf])}
        for node_id in sorted(filed):
            under.setdefault(node_id, []).append(paper.id)
    return under


def site_context(kb: KnowledgeBase, site_url: str | None = None) -> SiteContext:
    """Compute the graph and every lookup table the pages use, once."""
    graph = build_graph(kb)
    scores = influence(graph)
    order = sorted(kb.papers, key=lambda pid: (-scores.get(pid, 0.0), pid))
    models: dict[str, list[str]] = defaultdict(list)
    for paper in kb.papers.values():
        for model in paper.models:
            models[model].append(paper.id)
    return SiteContext(
        kb=kb,
        graph=graph,
        influence=scores,
        rank={pid: index for index, pid in enumerate(order)},
        cited_by={pid: cited_by(graph, pid) for pid in kb.papers},
        related=related_all(graph, k=RELATED),
        lineages={mid: lineage(graph, mid) for mid in kb.taxonomy.methods},
        method_papers={mid: method_papers(graph, mid) for mid in kb.taxonomy.methods},
        papers_under=_papers_under(kb),
        model_papers=dict(models),
        bibtex={pid: bibtex_entry(paper, kb.taxonomy) for pid, paper in kb.papers.items()},
        site_url=site_url,
        relations=relations_all(graph),
        boards=leaderboards(kb),
        headline={
            pid: result
            for pid, paper in kb.papers.items()
            if (result := headline_result(paper, kb.taxonomy)) is not None
        },
    )
