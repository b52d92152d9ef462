"""Stage "link": the knowledge base as a typed networkx multi-digraph (queries: beside it).

Nodes are ``paper:<id>``, ``method:<id>``, ``category:<leaf>``, ``model:<id>`` and
``modality:<id>``, each with a ``kind`` attribute. Edges carry ``kind`` (also their key, so a
pair of nodes has at most one edge of each kind):

- ``cites``: paper -> paper (aliases resolved; self and dangling citations are left to
  `kb validate`),
- ``proposes``: paper -> method, when taxonomy/methods.yaml names the paper ``introduced_by``,
- ``uses``: paper -> method, for each method the record lists,
- ``extends``: method -> the method it extends (lineage),
- ``in_category``: paper -> each of its taxonomy leaves, ``primary=True`` on the first,
- ``studies``: paper -> model and paper -> modality,
- ``relation:<type>``: paper -> paper for each typed relation of the record (``extends``,
  ``improves-on``, ...), with its ``type`` and ``note`` (aliases resolved; self and dangling
  relations are left to `kb validate`).

Every function returns values in a fixed order (sorted ids, stated tie-breaks), so the same
knowledge base always gives the same bytes downstream.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

from kb.core.memory import collector_paused
from kb.core.records import RELATION_TYPES
from kb.core.validate import KnowledgeBase

__all__ = [
    "EDGE_KINDS",
    "NODE_KINDS",
    "RELATION_KINDS",
    "IntArray",
    "build_graph",
    "in_adjacency",
    "key_of",
    "node_of",
    "out_adjacency",
    "relation_kind",
    "resolved_citations",
    "resolved_relations",
]

NODE_KINDS = ("paper", "method", "category", "model", "modality")


def relation_kind(relation_type: str) -> str:
    """The edge kind of a typed relation: ``relation:improves-on``."""
    return f"relation:{relation_type}"


RELATION_KINDS = tuple(relation_kind(t) for t in RELATION_TYPES)
EDGE_KINDS = ("cites", "proposes", "uses", "extends", "in_category", "studies", *RELATION_KINDS)

IntArray = npt.NDArray[np.int64]


def node_of(kind: str, key: str) -> str:
    return f"{kind}:{key}"


def key_of(node: str) -> str:
    return node.partition(":")[2]


# NOTE: neighbourhood reads go to networkx's own adjacency dicts (succ[u][v][key] -> attributes,
# pred[v][u] the same key dict) instead of its views, which build a view object per neighbour:
# whole-graph passes over 1.5 million edges are several times faster so.
def out_adjacency(graph: nx.MultiDiGraph) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    adjacency: dict[str, dict[str, dict[str, dict[str, Any]]]] = graph._succ
    return adjacency


def in_adjacency(graph: nx.MultiDiGraph) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    adjacency: dict[str, dict[str, dict[str, dict[str, Any]]]] = graph._pred
    return adjacency


def resolved_citations(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    """(citing, cited) id pairs, aliases resolved, without self-citations or missing records.

    The citations `kb validate` rejects are left out here, so the graph of a knowledge base
    with errors is still the graph of the records that are right.
    """
    aliases = _aliases(kb)
    for paper in kb.papers.values():
        seen: set[str] = set()
        for target in paper.cites:
            cited = aliases.get(target, target)
            if cited != paper.id and cited in kb.papers and cited not in seen:
                seen.add(cited)
                yield paper.id, cited


def resolved_relations(kb: KnowledgeBase) -> Iterator[tuple[str, str, str, str]]:
    """(source, target, type, note) of every relation, aliases resolved, without relations to
    the record itself, to a missing record, or repeating a (type, target) pair."""
    aliases = _aliases(kb)
    for paper in kb.papers.values():
        seen: set[tuple[str, str]] = set()
        for relation in paper.relations:
            target = aliases.get(relation.target, relation.target)
            pair = (relation.type, target)
            if target != paper.id and target in kb.papers and pair not in seen:
                seen.add(pair)
                yield paper.id, target, relation.type, relation.note


def _aliases(kb: KnowledgeBase) -> dict[str, str]:
    return {
        alias: paper.id
        for paper in kb.papers.values()
        for alias in paper.aliases
        if alias not in kb.papers
    }


def _nodes(kb: KnowledgeBase) -> Iterator[tuple[str, dict[str, Any]]]:
    taxonomy = kb.taxonomy
    for paper in kb.papers.values():
        yield (
            node_of("paper", paper.id),
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
            node_of("method", method.id),
            {"kind": "method", "label": method.name, "name": method.name, **properties},
        )
    for leaf in taxonomy.leaves:
        name = taxonomy.perspectives[leaf].name
        yield (
            node_of("category", leaf),
            {
                "kind": "category",
                "label": name,
                "name": name,
                "perspective": taxonomy.perspective_of(leaf),
            },
        )
    for kind, table in (("model", taxonomy.models), ("modality", taxonomy.modalities)):
        for entry in table.values():
            yield node_of(kind, entry.id), {"kind": kind, "label": entry.name, "name": entry.name}


def _link(graph: nx.MultiDiGraph, kb: KnowledgeBase) -> None:
    """Add every edge, each pair and kind once, exactly as `MultiDiGraph.add_edge` would.

    NOTE: add_edge checks and clears caches on every call, about 5 µs an edge; the graph of
    100,000 records has some 1.5 million edges, which would take a third of the time budget of
    a site build. A MultiDiGraph keeps an edge as succ[u][v][key] -> attribute dict, the same
    key dict also at pred[v][u]; writing that directly, record by record, is several times
    faster. Tests check the result equals a graph built with add_edge.
    """
    taxonomy = kb.taxonomy
    succ, pred = out_adjacency(graph), in_adjacency(graph)
    papers = {paper_id: node_of("paper", paper_id) for paper_id in kb.papers}
    methods = {method_id: node_of("method", method_id) for method_id in taxonomy.methods}
    leaves = {leaf: node_of("category", leaf) for leaf in taxonomy.leaves}
    studied = {key: node_of("model", key) for key in taxonomy.models}
    studied.update({key: node_of("modality", key) for key in taxonomy.modalities})
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
    for source, target, relation_type, note in resolved_relations(kb):
        kind = relation_kind(relation_type)
        u, v = papers[source], papers[target]
        keys = succ[u].get(v)
        if keys is None:
            keys = succ[u][v] = pred[v][u] = {}
        keys[kind] = {"kind": kind, "type": relation_type, "note": note}
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
