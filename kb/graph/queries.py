"""Queries over the graph: who cites whom, method lineage and papers, isolated records."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx
import numpy as np

from kb.core.memory import collector_paused
from kb.core.records import RELATION_TYPES
from kb.core.validate import KnowledgeBase
from kb.graph.build import (
    RELATION_KINDS,
    IntArray,
    in_adjacency,
    key_of,
    node_of,
    out_adjacency,
    resolved_citations,
)

__all__ = [
    "Lineage",
    "Link",
    "MethodPapers",
    "citation_counts",
    "citation_rows",
    "cited_by",
    "cited_by_all",
    "isolated",
    "isolated_records",
    "lineage",
    "method_papers",
    "paper_ids",
    "relation_counts",
    "relations_all",
    "relations_of",
    "require_node",
    "sources_of",
    "targets_of",
]


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


@dataclass(frozen=True)
class Link:
    """A typed relation seen from one record: the other record, the type, the note, and
    whether the record holds it (outgoing) or the other record does (incoming)."""

    other: str
    type: str
    note: str
    outgoing: bool


# --- neighbourhoods -------------------------------------------------------------------------


def require_node(graph: nx.MultiDiGraph, kind: str, key: str) -> str:
    node = node_of(kind, key)
    if node not in graph:
        raise KeyError(f"no {kind} {key!r} in the graph")
    return node


def targets_of(graph: nx.MultiDiGraph, node: str, *kinds: str) -> list[str]:
    """Ids of the nodes `node` points to through edges of `kinds`, sorted, without repeats."""
    wanted = frozenset(kinds)
    return sorted(
        key_of(v) for v, keys in out_adjacency(graph)[node].items() if not wanted.isdisjoint(keys)
    )


def sources_of(graph: nx.MultiDiGraph, node: str, *kinds: str) -> list[str]:
    """Ids of the nodes pointing to `node` through edges of `kinds`, sorted, without repeats."""
    wanted = frozenset(kinds)
    return sorted(
        key_of(u) for u, keys in in_adjacency(graph)[node].items() if not wanted.isdisjoint(keys)
    )


def cited_by(graph: nx.MultiDiGraph, paper_id: str) -> list[str]:
    """The records that cite `paper_id`, sorted by id.

    Raises:
        KeyError: `paper_id` is not a record of the graph.
    """
    return sources_of(graph, require_node(graph, "paper", paper_id), "cites")


def paper_ids(graph: nx.MultiDiGraph) -> list[str]:
    """Every record id, sorted."""
    return sorted(key_of(n) for n, kind in graph.nodes(data="kind") if kind == "paper")


@collector_paused()
def cited_by_all(graph: nx.MultiDiGraph) -> dict[str, list[str]]:
    """`cited_by` for every record (by id) in one pass, for the site's paper pages."""
    pred = in_adjacency(graph)
    return {
        paper: sorted(
            key_of(u) for u, keys in pred[node_of("paper", paper)].items() if "cites" in keys
        )
        for paper in paper_ids(graph)
    }


@collector_paused()
def citation_counts(graph: nx.MultiDiGraph) -> dict[str, int]:
    """How often each record is cited by other records of the knowledge base, by id."""
    pred = in_adjacency(graph)
    return {
        paper: sum("cites" in keys for keys in pred[node_of("paper", paper)].values())
        for paper in paper_ids(graph)
    }


@collector_paused()
def citation_rows(graph: nx.MultiDiGraph, papers: list[str]) -> IntArray:
    """The `cites` edges as (citing, cited) rows of paper numbers (positions in `papers`)."""
    number = {node_of("paper", p): i for i, p in enumerate(papers)}
    succ = out_adjacency(graph)
    pairs = [
        (i, number[v]) for u, i in number.items() for v, keys in succ[u].items() if "cites" in keys
    ]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


# --- typed relations ----------------------------------------------------------------------


def _links(edges: dict[str, dict[str, dict[str, object]]], outgoing: bool) -> Iterator[Link]:
    for other, keys in edges.items():
        for kind, data in keys.items():
            if kind in RELATION_KINDS:
                yield Link(key_of(other), str(data["type"]), str(data["note"]), outgoing)


def _sorted_links(graph: nx.MultiDiGraph, node: str) -> list[Link]:
    found = [
        *_links(out_adjacency(graph)[node], outgoing=True),
        *_links(in_adjacency(graph)[node], outgoing=False),
    ]
    return sorted(found, key=lambda link: (not link.outgoing, _TYPE_ORDER[link.type], link.other))


_TYPE_ORDER = {kind: index for index, kind in enumerate(RELATION_TYPES)}


def relations_of(graph: nx.MultiDiGraph, paper_id: str) -> list[Link]:
    """The typed relations of `paper_id`: its own first, then those other records hold to it,
    each group in the order of RELATION_TYPES, then by the other record's id.

    Raises:
        KeyError: `paper_id` is not a record of the graph.
    """
    return _sorted_links(graph, require_node(graph, "paper", paper_id))


@collector_paused()
def relations_all(graph: nx.MultiDiGraph) -> dict[str, list[Link]]:
    """`relations_of` for every record that has relations, for the site's pages."""
    found = {paper: _sorted_links(graph, node_of("paper", paper)) for paper in paper_ids(graph)}
    return {paper: links for paper, links in found.items() if links}


def relation_counts(graph: nx.MultiDiGraph) -> dict[str, int]:
    """How many relations of each type the graph holds, in the order of RELATION_TYPES."""
    counts = dict.fromkeys(RELATION_TYPES, 0)
    for _, _, kind in graph.edges(keys=True):
        if kind in RELATION_KINDS:
            counts[kind.partition(":")[2]] += 1
    return counts


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
    return tuple(key_of(n) for n in sorted(distance, key=lambda n: (distance[n], n)))


def lineage(graph: nx.MultiDiGraph, method_id: str) -> Lineage:
    """Every method `method_id` extends, directly or not, and every method extending it.

    Each list is nearest first (fewest `extends` steps), then by id; a loop in the lineage
    (reported by `kb validate` as extends-cycle) never makes a method its own ancestor here.

    Raises:
        KeyError: `method_id` is not a method of the graph.
    """
    node = require_node(graph, "method", method_id)
    return Lineage(_walk(graph, node, upwards=True), _walk(graph, node, upwards=False))


def method_papers(graph: nx.MultiDiGraph, method_id: str) -> MethodPapers:
    """The papers proposing `method_id` and the other papers using it, each sorted by id.

    A paper that proposes a method and also lists it is only among the proposing ones, so a
    method page shows each paper once.

    Raises:
        KeyError: `method_id` is not a method of the graph.
    """
    node = require_node(graph, "method", method_id)
    proposing = sources_of(graph, node, "proposes")
    using = [p for p in sources_of(graph, node, "uses") if p not in proposing]
    return MethodPapers(tuple(proposing), tuple(using))


# --- integrity ------------------------------------------------------------------------------


@collector_paused()
def isolated(graph: nx.MultiDiGraph) -> list[str]:
    """Records that neither cite nor are cited by another record, sorted by id."""
    return [
        paper
        for paper in paper_ids(graph)
        if not any("cites" in keys for keys in graph.succ[node_of("paper", paper)].values())
        and not any("cites" in keys for keys in graph.pred[node_of("paper", paper)].values())
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
