"""Stage 3: checks that need the whole knowledge base at once (no module state)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator

import networkx as nx

from kb.fields import ARXIV_NEW
from kb.problems import Loc, Problem, Severity
from kb.records import Paper
from kb.validate import KnowledgeBase, did_you_mean

__all__ = ["SUMMARY_WORDS", "check_knowledge_base", "first_public_year"]

SUMMARY_WORDS = (60, 150)

Check = Callable[[KnowledgeBase], Iterator[Problem]]


def _at(
    kb: KnowledgeBase,
    paper_id: str,
    loc: Loc,
    code: str,
    message: str,
    hint: str | None = None,
    severity: Severity = "error",
) -> Problem:
    doc = kb.documents[paper_id]
    position = doc.position(loc)
    return Problem(code, doc.path, message, position.line, position.col, hint, severity, loc)


def _duplicate_identifiers(kb: KnowledgeBase) -> Iterator[Problem]:
    for field in ("arxiv", "doi"):
        owners: dict[str, list[str]] = defaultdict(list)
        for paper in kb.papers.values():
            value = getattr(paper, field)
            if value:
                owners[value.lower()].append(paper.id)
        for value, ids in owners.items():
            for later in ids[1:]:
                yield _at(
                    kb,
                    later,
                    (field,),
                    f"duplicate-{field}",
                    f"{field} {value!r} is also the {field} of {ids[0]!r}",
                    f"one paper, one record: merge it into {ids[0]}",
                )


def _aliases(kb: KnowledgeBase) -> Iterator[Problem]:
    claimed: dict[str, str] = {}
    for paper in kb.papers.values():
        for index, alias in enumerate(paper.aliases):
            other = alias if alias in kb.papers else claimed.get(alias)
            if other is not None:
                yield _at(
                    kb,
                    paper.id,
                    ("aliases", index),
                    "duplicate-id",
                    f"alias {alias!r} is already the id or an alias of {other!r}",
                )
            claimed.setdefault(alias, paper.id)


def _citations(kb: KnowledgeBase) -> Iterator[Problem]:
    aliases = {
        alias: p.id for p in kb.papers.values() for alias in p.aliases if alias not in kb.papers
    }
    for paper in kb.papers.values():
        for index, target in enumerate(paper.cites):
            loc: Loc = ("cites", index)
            resolved = aliases.get(target, target)
            cited = kb.papers.get(resolved)
            if resolved == paper.id:
                yield _at(kb, paper.id, loc, "self-cite", "a record cannot cite itself")
            elif cited is None:
                yield _at(
                    kb,
                    paper.id,
                    loc,
                    "missing-cite",
                    f"cites {target!r}, which is not a record in papers/",
                    did_you_mean(target, kb.papers, cutoff=80),
                )
            elif first_public_year(cited) > paper.year:
                yield _at(
                    kb,
                    paper.id,
                    loc,
                    "later-cite",
                    f"cites {target!r}, first public in {first_public_year(cited)}, "
                    f"after this record's {paper.year}",
                    "check both years and the cites entry",
                    "warning",
                )


def first_public_year(paper: Paper) -> int:
    """The earlier of the cited version's year and the year of its first arXiv version."""
    match = ARXIV_NEW.match(paper.arxiv or "")
    return min(paper.year, 2000 + int(match.group(1))) if match else paper.year


def _summary_length(kb: KnowledgeBase) -> Iterator[Problem]:
    low, high = SUMMARY_WORDS
    for paper in kb.papers.values():
        words = len(paper.summary.split())
        if not low <= words <= high:
            yield _at(
                kb,
                paper.id,
                ("summary",),
                "summary-length",
                f"summary has {words} words; aim for {low} to {high}",
                severity="warning",
            )


def _method_links(kb: KnowledgeBase) -> Iterator[Problem]:
    doc = kb.vocabulary_documents.get("methods")
    if doc is None:
        return
    positions = {
        data.get("id"): index for index, data in enumerate(doc.data) if isinstance(data, dict)
    }
    for method in kb.taxonomy.methods.values():
        paper = method.introduced_by
        if paper is not None and paper not in kb.papers:
            position = doc.position((positions.get(method.id, 0), "introduced_by"))
            yield Problem(
                "missing-cite",
                doc.path,
                f"introduced_by {paper!r} is not a record in papers/",
                position.line,
                position.col,
                did_you_mean(paper, kb.papers, cutoff=80),
            )
    for cycle in _extends_cycles(kb):
        position = doc.position((positions.get(cycle[0], 0), "extends"))
        yield Problem(
            "extends-cycle",
            doc.path,
            "method lineage loops through: " + ", ".join(cycle),
            position.line,
            position.col,
            "a method cannot extend itself, directly or through others",
        )


def _extends_cycles(kb: KnowledgeBase) -> Iterator[list[str]]:
    """The methods of each loop in the `extends` relation, sorted, smallest loop first."""
    graph = nx.DiGraph()
    for method in kb.taxonomy.methods.values():
        graph.add_node(method.id)
        graph.add_edges_from((method.id, parent) for parent in method.extends)
    for component in sorted(nx.strongly_connected_components(graph), key=sorted):
        members = sorted(component)
        if len(members) > 1 or graph.has_edge(members[0], members[0]):
            yield members


CHECKS: tuple[Check, ...] = (
    _duplicate_identifiers,
    _aliases,
    _citations,
    _summary_length,
    _method_links,
)


def check_knowledge_base(kb: KnowledgeBase) -> list[Problem]:
    """Every KB-wide problem: duplicate ids, dangling or backwards citations, lineage loops."""
    return [problem for check in CHECKS for problem in check(kb)]
