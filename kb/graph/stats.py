"""Counts over the knowledge base, for `kb stats`, the site and the survey."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from kb.core.records import RELATION_TYPES, Paper
from kb.core.taxonomy import EXCLUSION_REASONS, Taxonomy
from kb.core.validate import KnowledgeBase

__all__ = ["PRIMARY_HOSTS", "Evidence", "Screening", "Stats", "compute_stats", "is_primary"]

# Hosts of primary sources: arXiv and the publishers' and venues' own pages. Everything else
# (aggregators, mirrors, blogs, a repository's README) may back a record up, not carry it.
PRIMARY_HOSTS = frozenset(
    {
        "arxiv.org",
        "openreview.net",
        "aclanthology.org",
        "thecvf.com",
        "neurips.cc",
        "nips.cc",
        "icml.cc",
        "iclr.cc",
        "mlr.press",
        "aaai.org",
        "ijcai.org",
        "acm.org",
        "ieee.org",
        "springer.com",
        "ecva.net",
        "jmlr.org",
        "distill.pub",
        "transformer-circuits.pub",
        "nature.com",
        "sciencedirect.com",
        "doi.org",
    }
)


def is_primary(url: str) -> bool:
    """Whether `url` is on arXiv or a venue's or publisher's own site (or a subdomain of one:
    openaccess.thecvf.com, proceedings.neurips.cc, preview.aclanthology.org)."""
    host = urlsplit(url).hostname or ""
    return any(host == domain or host.endswith("." + domain) for domain in PRIMARY_HOSTS)


@dataclass(frozen=True)
class Evidence:
    """How deep the records go: located findings, tldrs, trade-off answers, located results,
    typed relations, and the records that rest on mirrors alone."""

    findings: int
    findings_located: int
    tldrs: int
    with_properties: int
    with_results: int
    results: int
    results_per_benchmark: dict[str, int]
    relations: dict[str, int]
    mirror_only: tuple[str, ...]


@dataclass(frozen=True)
class Screening:
    """The screening log as a PRISMA flow: works identified per list, the distinct works
    among them (one work named by two lists counts once), and what became of those."""

    identified: dict[str, int]
    distinct: int
    included: int
    excluded: dict[str, int]
    deferred: int


def _work_key(title: str, arxiv: str | None) -> str:
    return arxiv or " ".join("".join(c for c in title.lower() if c.isalnum() or c == " ").split())


def _screening(taxonomy: Taxonomy) -> Screening:
    decisions: dict[str, tuple[str, str | None]] = {}
    for screened in taxonomy.screening.values():
        for candidate in screened.candidates:
            key = _work_key(candidate.title, candidate.arxiv)
            decisions.setdefault(key, (candidate.decision, candidate.reason))
    reasons = Counter(reason for decision, reason in decisions.values() if decision == "excluded")
    return Screening(
        identified={s.name: len(s.candidates) for s in taxonomy.screening.values()},
        distinct=len(decisions),
        included=sum(1 for decision, _ in decisions.values() if decision == "included"),
        excluded={reason: reasons[reason] for reason in EXCLUSION_REASONS if reasons[reason]},
        deferred=sum(1 for decision, _ in decisions.values() if decision == "deferred"),
    )


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
    evidence: Evidence
    screening: Screening


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
        evidence=_evidence(papers),
        screening=_screening(taxonomy),
    )


def _evidence(papers: list[Paper]) -> Evidence:
    relations: Counter[str] = Counter(r.type for paper in papers for r in paper.relations)
    return Evidence(
        findings=sum(len(paper.findings) for paper in papers),
        findings_located=sum(1 for paper in papers for f in paper.findings if f.where),
        tldrs=sum(1 for paper in papers if paper.tldr),
        with_properties=sum(1 for paper in papers if paper.properties),
        with_results=sum(1 for paper in papers if paper.results),
        results=sum(len(paper.results) for paper in papers),
        results_per_benchmark=_by_count(Counter(r.benchmark for p in papers for r in p.results)),
        relations={kind: relations[kind] for kind in RELATION_TYPES},
        mirror_only=tuple(
            paper.id for paper in papers if not any(is_primary(s) for s in paper.sources)
        ),
    )
